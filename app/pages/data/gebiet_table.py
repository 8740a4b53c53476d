"""A territory map's data as a download (/karte/daten?gebiet=…&ebene=…): every area of the
level with its value, rank and release in the map's year (the map's order: by rank, then
name; with `vergleich_mit` its verdict against the benchmark), the territory's own value last, with the map's citation in the header."""

from __future__ import annotations

from app.pages.data.map_table import value_mark
from app.render.formatting import unit_label
from app.render.provenance_marks import demo
from app.web.downloads import ATTRIBUTION_BOUNDARIES, SYNTHETIC_NOTE, Num, Table
from app.web.i18n import gettext as _
from app.web.i18n import localized


def gebiet_table(ctx: dict) -> Table:
    """The territory map (gebiet_context's variables) as a downloadable Table."""
    ind, year, t, cm = ctx["ind"], ctx["year"], ctx["territory"], ctx
    dec = ind.decimals
    cols = [
        _("Rang"),
        _("Gebiet"),
        "AGS",
        f"{localized(ind, 'name')} ({unit_label(ind.unit)})",
        _("Jahr"),
        _("Datenstand"),
        _("Herkunft") if demo() else _("Beispieldaten"),
    ]
    bench = cm.get("bench")  # compared with a benchmark: its verdict as the last column
    if bench:
        cols.append(_("Vergleich mit %(b)s", b=bench["name"]))
    areas = cm["areas"]
    order = sorted(
        range(len(areas.ags)),
        key=lambda i: (cm["ranks"][i] is None, cm["ranks"][i] or 0, areas.names[i], areas.ags[i]),
    )
    rows: list[list] = []
    for i in order:
        v = cm["values"][i]
        value = Num(v, dec) if v is not None else cm["labels"][i]
        synthetic = cm["synthetic_of"][i] if v is not None else None
        label = cm["release_of"][i] or ""
        row = [
            cm["ranks"][i],
            areas.names[i],
            areas.ags[i],
            value,
            year,
            label,
            value_mark(synthetic),
        ]
        rows.append(row + [bench["texts"][i]] if bench else row)
    own = Num(cm["own_value"], dec) if cm["own_value"] is not None else cm["own_label"]
    own_release = cm["own_release"] or ""
    own_row = [None, t.name, t.ags, own, year, own_release, value_mark(cm["own_synthetic"])]
    rows.append(own_row + [""] if bench else own_row)
    header = [ctx["cite"].title, ATTRIBUTION_BOUNDARIES]
    if cm["synthetic"]:
        header.append(SYNTHETIC_NOTE)
    return Table(
        f"karte_{ind.id}_{year}_{t.ags}_{ctx['ebene']}", cols, rows, header, citation=ctx["cite"]
    )
