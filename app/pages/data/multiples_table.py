"""The small multiples' data as a download: per Kommune and shown year the value of the page's
table (same Kommunen, years, releases), the Region's rows and the chosen benchmark's last, with
the page's citation in the header."""

from __future__ import annotations

from app.pages.data.map_table import value_mark
from app.pages.data.profile_tables import flag_or_num
from app.render.formatting import unit_label
from app.render.provenance_marks import demo
from app.web.downloads import ATTRIBUTION_BOUNDARIES, SYNTHETIC_NOTE, Table
from app.web.home import region_name
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators.model import AreaValue


def multiples_table(ctx: dict) -> Table:
    """The small multiples' table (multiples_context's variables) as a downloadable Table."""
    ind, years = ctx["ind"], ctx["shown_years"]
    dec = ind.decimals
    name = localized(ind, "name")
    cols = [
        _("Kommune"),
        "AGS",
        _("Jahr"),
        f"{name} ({unit_label(ind.unit)})",
        _("Datenstand"),
        _("Herkunft") if demo() else _("Beispieldaten"),
    ]
    data = ctx["year_data"]

    def row(label: str, ags: str, year: int, r: AreaValue | None) -> list:
        if r is None:
            return [label, ags, year, None, "", ""]
        value = flag_or_num(r.shown, r.flag, dec) if not r.suppressed else _("geheim")
        synthetic = r.synthetic if r.shown is not None else None
        return [label, ags, year, value, r.release_label or "", value_mark(synthetic)]

    rows: list[list] = []
    cells = {(r.ags, y): r for y in years for r in data[y].values}
    for r in data[years[0]].values:
        rows += [row(r.name, r.ags, y, cells.get((r.ags, y))) for y in years]
    first_region = next((data[y].region for y in years if data[y].region is not None), None)
    if first_region is not None:
        rows += [row(region_name(), first_region.ags, y, data[y].region) for y in years]
    if ctx["bench_values"]:
        for y, r in zip(years, ctx["bench_values"], strict=True):
            if r is not None:
                rows.append(row(ctx["bench_name"], r.ags, y, r))
    header = [ctx["cite"].title, ATTRIBUTION_BOUNDARIES]
    if ctx["synthetic"]:
        header.append(SYNTHETIC_NOTE)
    return Table(
        f"karte-jahre_{ind.id}_{years[0]}-{years[-1]}", cols, rows, header, citation=ctx["cite"]
    )
