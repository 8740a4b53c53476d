"""Query parameters of the pages: one parser per kind of value, one rule and limit each.

Every fault is the same kind of answer: a 400 page that names the parameter and what it must
be, with links onwards (`app.web.errors.BadRequestWithChoices`). The API checks its parameters
against the OpenAPI document instead (`app.api.params`).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import request, url_for
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from app.web import downloads
from app.web.errors import BadRequestWithChoices
from indicators import benchmarks
from indicators.errors import InvalidChoice

Choices = list[tuple[str, str]]
# ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() then refuses (a 500).
YEAR = re.compile(r"[0-9]{4}")
INTEGER = re.compile(r"[0-9]{1,9}")  # fits PostgreSQL's integer
INT32_MAX = 2**31 - 1  # PostgreSQL integer: a larger id in a query is an error (a 500), not "none"


class Int32Converter(IntegerConverter):
    """`<int:…>` in routes: ids beyond PostgreSQL's integer are a 404, not an overflow (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT32_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def raw(name: str) -> str | None:
    """The parameter's text, or None when it is absent or empty."""
    value = request.args.get(name)
    return None if value in (None, "") else value


def year(name: str, choices: Choices, example: int | None = None) -> int | None:
    """A four-digit year, or None when absent; anything else is a 400 with choices."""
    value = raw(name)
    if value is None:
        return None
    if not YEAR.fullmatch(value):
        raise BadRequestWithChoices(
            400,
            _(
                "„%(j)s“ ist keine gültige Jahreszahl für „%(name)s“ (vierstellig, z. B. %(y)s).",
                j=value[:40],
                name=name,
                y=example or 2016,
            ),
            choices,
        )
    return int(value)


def integer(name: str, choices: Choices, lo: int = 0, hi: int = 999_999_999) -> int | None:
    """A whole number from lo to hi, or None when absent; anything else is a 400 with choices."""
    value = raw(name)
    if value is None:
        return None
    if not INTEGER.fullmatch(value) or not lo <= int(value) <= hi:
        raise BadRequestWithChoices(
            400,
            _(
                "Der Parameter „%(name)s“ muss eine ganze Zahl von %(lo)s bis %(hi)s sein.",
                name=name,
                lo=lo,
                hi=hi,
            ),
            choices,
        )
    return int(value)


def number(name: str, choices: Choices | None = None, lo: int = 1) -> int | None:
    """An id or version number in the query (integer() with links back to this page)."""
    return integer(name, without(name) if choices is None else choices, lo=lo)


def without(name: str) -> Choices:
    """A link to this page without the parameter (the usual way out of a bad value)."""
    query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != name])
    return [(request.path + (f"?{query}" if query else ""), _("Ohne diesen Parameter aufrufen"))]


def download_format(formats: tuple[str, ...] = downloads.FORMATS) -> str | None:
    """The download format (?format=csv|csv-de|xlsx, or one of `formats`) or None for the HTML
    page."""
    fmt = request.args.get("format")
    if fmt is None:
        return None
    if fmt not in formats:
        raise BadRequestWithChoices(
            400,
            _("Das Format „%(fmt)s“ gibt es nicht.", fmt=fmt[:40]),
            [(url_for(request.endpoint, **request.view_args, format=f), f) for f in formats],
        )
    return fmt


def benchmark() -> str:
    """The benchmark of every comparison (`vergleich_mit`: region, land, bund; default region);
    anything else is a 400 naming the allowed values, with a link to each."""
    try:
        return benchmarks.parse_choice(raw(benchmarks.PARAM))
    except InvalidChoice as err:
        keep = [(k, v) for k, v in request.args.items(multi=True) if k != benchmarks.PARAM]
        links = [
            (request.path + "?" + urlencode([*keep, (benchmarks.PARAM, c)]), label)
            for c, label in (
                ("region", _("Vergleich mit der Region")),
                ("land", _("Vergleich mit dem Land")),
                ("bund", _("Vergleich mit Deutschland")),
            )
        ]
        raise BadRequestWithChoices(400, err.message, links) from None
