"""The map's data as a download: exactly the rows of the map's table (same Kommunen, year,
release, order), the Region's row last, with the map's citation in the header."""

from __future__ import annotations

from app.pages.data.profile_tables import flag_or_num
from app.render.formatting import unit_label
from app.render.provenance_marks import demo
from app.web.downloads import ATTRIBUTION_BOUNDARIES, SYNTHETIC_MARK, SYNTHETIC_NOTE, Num, Table
from app.web.home import region_name
from app.web.i18n import gettext as _
from app.web.i18n import localized


def value_mark(synthetic: bool | None) -> str:
    if synthetic is None:
        return ""
    if demo():
        return SYNTHETIC_MARK if synthetic else _("amtlich")
    return SYNTHETIC_MARK if synthetic else ""


def map_table(ctx: dict) -> Table:
    """The one-year map's table (page_context's variables) as a downloadable Table."""
    ind, year = ctx["ind"], ctx["year"]
    dec = ind.decimals
    name = localized(ind, "name")
    cols = [_("Rang"), _("Kommune"), "AGS", f"{name} ({unit_label(ind.unit)})"]
    if ctx["has_intervals"]:
        # The msgid is the table template's, where %% is Jinja's escape of a percent sign.
        ci = _("95-%%-Intervall").replace("%%", "%")
        cols += [f"{ci}: {_('untere Grenze')}", f"{ci}: {_('obere Grenze')}"]
    group = ctx.get("group")
    if group:
        cols.append(_("Rang in der Vergleichsgruppe"))
    cols += [_("Jahr"), _("Datenstand"), _("Herkunft") if demo() else _("Beispieldaten")]
    rows: list[list] = []
    for r in ctx["table_rows"]:
        # A withheld or flagged value: the page's words ("geheim", a GENESIS reason).
        value = Num(r["value"], dec) if r["value"] is not None else r["label"]
        row: list = [r["rank"], r["name"], r["ags"], value]
        if ctx["has_intervals"]:
            ci = r.get("ci")
            row += [Num(ci.lower, dec), Num(ci.upper, dec)] if ci else [None, None]
        if group:
            row.append(r.get("group_rank"))
        row += [year, r.get("release_label") or "", value_mark(r.get("synthetic"))]
        rows.append(row)
    region = ctx.get("region_row")
    if region is not None:
        value = (
            flag_or_num(region.shown, region.flag, dec)
            if not region.suppressed
            else ctx["region_label"]
        )
        row = [None, region_name(), region.ags, value]
        if ctx["has_intervals"]:
            row += [None, None]
        if group:
            row.append(None)
        row += [
            year,
            region.release_label or "",
            value_mark(region.synthetic if region.shown is not None else None),
        ]
        rows.append(row)
    header = [ctx["cite"].title, ATTRIBUTION_BOUNDARIES]
    if ctx["synthetic"]:
        header.append(SYNTHETIC_NOTE)
    return Table(f"karte_{ind.id}_{year}", cols, rows, header, citation=ctx["cite"])


def change_table(ctx: dict) -> Table:
    """The change map's table (change_context's variables) as a downloadable Table: per Kommune
    by rank both years' values, the change and each value's release; the Region's row and the
    chosen benchmark's (Land or Germany) last, as on the page."""
    ind, y0, y1 = ctx["ind"], ctx["year_from"], ctx["year_to"]
    dec = ind.decimals
    change_dec = 1 if ctx["change"].kind == "percent" else dec
    name = localized(ind, "name")
    unit = unit_label(ind.unit)
    cols = [
        _("Rang"),
        _("Kommune"),
        "AGS",
        f"{name} {y0} ({unit})",
        f"{name} {y1} ({unit})",
        f"{_('Veränderung')} ({ctx['change_unit']})",
    ]
    group = ctx.get("group")
    if group:
        cols.append(_("Rang in der Vergleichsgruppe"))
    cols += [
        f"{_('Datenstand')} {y0}",
        f"{_('Datenstand')} {y1}",
        _("Herkunft") if demo() else _("Beispieldaten"),
    ]

    def cells(r: dict, rank: int | None, name: str) -> list:
        # A missing or withheld value: the page's words; a change without both: empty.
        row: list = [
            rank,
            name,
            r["ags"],
            Num(r["value_from"], dec) if r["value_from"] is not None else r["label_from"],
            Num(r["value_to"], dec) if r["value_to"] is not None else r["label_to"],
            Num(r["change"], change_dec) if r["change"] is not None else None,
        ]
        if group:
            row.append(r.get("group_rank") if rank is not None else None)
        return row + [
            r.get("release_from") or "",
            r.get("release_to") or "",
            value_mark(r.get("synthetic")),
        ]

    rows = [cells(r, r["rank"], r["name"]) for r in ctx["table_rows"]]
    if ctx.get("region_row") is not None:
        rows.append(cells(ctx["region_row"], None, region_name()))
    if ctx.get("bench_row") is not None:
        rows.append(cells(ctx["bench_row"], None, ctx["bench_name"]))
    header = [ctx["cite"].title, ATTRIBUTION_BOUNDARIES]
    if ctx["synthetic"]:
        header.append(SYNTHETIC_NOTE)
    return Table(f"karte_{ind.id}_{y0}-{y1}", cols, rows, header, citation=ctx["cite"])
