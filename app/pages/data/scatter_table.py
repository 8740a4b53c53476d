"""The scatter plot's data as a download: the rows of its table (every Kommune by name with x,
y and population, the Region last) and the view's citation."""

from __future__ import annotations

from app.pages.data.cite import pinned_page_cite
from app.pages.data.profile_tables import flag_or_num
from app.render.citation import Citation
from app.render.formatting import unit_label
from app.render.provenance_marks import demo
from app.web.db import get_conn
from app.web.downloads import SYNTHETIC_MARK, SYNTHETIC_NOTE, Num, Table
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators.profile import valid_areas
from indicators.queries import Pinned
from indicators.scatter_queries import Cell, Scatter, ScatterPoint


def scatter_cite(s: Scatter, state: dict, pinned: Pinned | None = None) -> dict:
    """The scatter plot's citation, data links and pinned note: pinned to the releases of the
    values it reads (the Kommunen's and the Region's: points, population, years); a named
    release pins it by itself."""
    clean = {k: v for k, v in state.items() if v not in (None, "", [])}
    if isinstance(clean.get("auswahl"), list):
        clean["auswahl"] = ",".join(clean["auswahl"])
    title = _(
        "%(x)s und %(y)s, %(year)s – Streudiagramm der Kommunen",
        x=localized(s.x, "name"),
        y=localized(s.y, "name"),
        year=s.year,
    )
    provenance = [p for rows in s.provenance.values() for p in rows]
    release = clean.get("release")
    return pinned_page_cite(
        "streuung.page",
        {},
        title,
        [a.ags for a in valid_areas(get_conn())],
        pinned,
        int(release) if release is not None else None,
        provenance,
        synthetic=s.synthetic,
        state=clean,
    )


def _mark(c: Cell) -> str:
    if c.synthetic is None:
        return ""
    if demo():
        return SYNTHETIC_MARK if c.synthetic else _("amtlich")
    return SYNTHETIC_MARK if c.synthetic else ""


def _row(p: ScatterPoint, s: Scatter) -> list:
    def value(c: Cell, dec: int) -> object:
        return flag_or_num(c.value, c.flag, dec) if not c.suppressed else _("geheim")

    return [
        p.name,
        p.ags,
        value(p.x, s.x.decimals),
        value(p.y, s.y.decimals),
        Num(p.population.value, 0),
        p.population.year,
        p.x.release or "",
        p.y.release or "",
        " · ".join(_mark(c) for c in (p.x, p.y, p.population)).strip(" ·"),
    ]


def scatter_table(s: Scatter, cite: Citation) -> Table:
    """The scatter plot's table as a downloadable Table."""
    cols = [
        _("Kommune"),
        "AGS",
        f"x: {localized(s.x, 'name')} ({unit_label(s.x.unit)})",
        f"y: {localized(s.y, 'name')} ({unit_label(s.y.unit)})",
        _("Einwohnerzahl"),
        _("Jahr"),
        f"x: {_('Datenstand')}",
        f"y: {_('Datenstand')}",
        _("Herkunft") if demo() else _("Beispieldaten"),
    ]
    rows = [_row(p, s) for p in s.points]
    if s.region is not None:
        rows.append(_row(s.region, s))
    header = [cite.title]
    if s.synthetic:
        header.append(SYNTHETIC_NOTE)
    return Table(f"streuung_{s.x.id}_{s.y.id}_{s.year}", cols, rows, header, citation=cite)
