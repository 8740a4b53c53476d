"""The rows of the Kommunen map's table (templates/maps/_table.html) as HTML, in Python.

Translations go in unescaped, as the templates' _() gives them (Markup); values are escaped.

The template drew each of the 21 rows with ~25 lookups, tests and escapes of Jinja's (1.1 ms of
a first map's ~3 ms template, issue #32); these functions write the same markup, byte for
byte, around what stays in the template (a row's Kontextnotizen, the `notes_list` macro).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from app.render.provenance_marks import demo
from app.web.i18n import gettext as _
from app.web.security import fill


def _mark(is_synthetic: bool | None, mixed: bool) -> str:
    """_herkunft.html's row_mark: the value's kind where the page marks kinds."""
    if not (mixed or demo()):
        return ""
    if is_synthetic:
        return f' <span class="badge-synthetic">{_("Beispieldaten")}</span>'
    if is_synthetic is False:
        return f' <span class="badge-official">{_("amtlich")}</span>'
    return ""


def row_start(r: Mapping[str, Any], mixed: bool) -> Markup:
    """A row up to its value cell's Kontextnotizen (the loop's whitespace included)."""
    rank = "" if r["rank"] is None else escape(r["rank"])
    name = escape(r["name"])
    link = f'<a href="{escape(r["href"])}">{name}</a>' if r["href"] else name
    value = "" if r["value"] is None else escape(r["value"])
    sentence = r.get("sentence")
    shown_rank = "–" if r["rank"] is None else rank
    in_group = ' class="in-gruppe"' if r["group"] else ""
    return Markup(
        f"\n    <tr{in_group}>"
        f'\n      <td class="num" data-sort="{rank}">{shown_rank}</td>'
        f'\n      <td data-sort="{name}">{link}</td>'
        f'\n      <td class="num" data-sort="{value}"><span class="swatch"'
        f' data-color="{escape(r["color"])}" aria-hidden="true">{fill(r["color"])}</span>'
        f" {escape(r['label'])}{_mark(r['synthetic'], mixed)}"
        + (f'<span class="bench-sentence">{escape(sentence)}</span>' if sentence else "")
    )


def row_end(r: Mapping[str, Any], has_intervals: bool, group: Any) -> Markup:
    """The rest of a row after its Kontextnotizen: interval and group rank cells."""
    interval = (
        f'<td class="num">{escape(r["interval"]) if r["interval"] else _("nicht bewertbar")}</td>'
        if has_intervals
        else ""
    )
    return Markup(f"</td>\n      {interval}\n      {_group_cell(r, group)}\n    </tr>\n    ")


def _group_cell(r: Mapping[str, Any], group: Any) -> str:
    """maps/_group_cell.html: the rank within the comparison group ("2 von 6"), after the
    newline its comment line leaves."""
    if not group:
        return ""
    rank = r["group_rank"]
    sort = "" if rank is None else escape(rank)
    if not r["group"]:
        return f'\n<td class="num" data-sort="{sort}">–</td>'
    shown = _("%(rank)s von %(of)s", rank=rank, of=len(group.members)) if rank is not None else "–"
    return (
        f'\n<td class="num" data-sort="{sort}">{shown}<span class="visually-hidden">'
        f" ({_('Vergleichsgruppe')})</span></td>"
    )
