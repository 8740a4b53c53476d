"""Table rows made in Python with the bytes the templates made: the pieces (issue #32).

The Kommune profile's and the comparison's table rows are made once per row in Python
(app/pages/data/profile_rows.py, compare_rows.py) instead of ~35 template expressions each;
these helpers give each piece the text the template gave it: markupsafe's escaping, the
templates' `_()`, url_for's URLs, trend_label's cells.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup

from app.render.sentences import trend_key, trend_label
from app.web.urls import url_for

EMPTY = Markup("")
DASH = Markup("–")
SLOT = "SOZMONSLOT"
# What URL quoting leaves as it is (indicator ids, years): such a value can be put in a URL
# built once with a placeholder.
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~-]+\Z")


def esc(value: object) -> str:
    """markupsafe.escape's text as a plain str (markup as it is): no Markup object per
    piece of a cell, one per cell."""
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return (
        str(value)
        .replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def template_text(translated: str, **variables: object) -> Markup:
    """A translation as the templates' `_()` gives it (app.web.i18n.template_gettext): the
    translation as markup, its variables escaped, always %-formatted (%% is %). Called as
    `template_text(gettext("…"), …)`: `gettext` without variables returns the translation
    as it is, and pybabel finds the text (babel.cfg's default keywords)."""
    return Markup(translated) % variables


def url_maker(endpoint: str, **values: object) -> Callable[..., str]:
    """url_for(endpoint, **values) with the values given as `SLOT` filled in per call: the
    URL is built once a page with placeholders and each row's values put in (a profile
    links ~300 URLs of four kinds; url_for, even remembered, took ~10 µs each). A value that
    URL quoting would change (or None, which url_for leaves out) goes through url_for."""
    slots = [k for k, v in values.items() if v is SLOT]
    marks = {k: f"{SLOT}{n}X" for n, k in enumerate(slots)}
    pattern = url_for(endpoint, **{k: marks.get(k, v) for k, v in values.items()})
    usable = all(pattern.count(m) == 1 for m in marks.values())

    def build(**filled: object) -> str:
        out = pattern
        for k, m in marks.items():
            v = filled[k]
            if not usable or v is None or not _URL_SAFE.match(str(v)):
                return url_for(endpoint, **{**values, **filled})
            out = out.replace(m, str(v))
        return out

    return build


def trend_cell(tr: dict | None, made: dict[tuple, tuple[str, str, Markup]]) -> tuple:
    """A trend cell's `data-trend` value, its ` data-significant="…"` attribute (or "") and
    its label; each different label made once a page (`made`)."""
    key = trend_key(tr)
    cell = made.get(key)
    if cell is None:
        if tr and tr.get("direction"):
            sig = "true" if tr.get("significant") else "false"
            attrs = (str(tr["direction"]), Markup(f' data-significant="{sig}"'))
        else:
            attrs = ("not_assessable", EMPTY)
        cell = made[key] = (*attrs, trend_label(tr))
    return cell
