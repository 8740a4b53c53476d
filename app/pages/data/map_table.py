"""The map's data as a download: exactly the rows of the map's table (same Kommunen, year,
release, order), the Region's row last, with the map's citation in the header."""

from __future__ import annotations

from flask_babel import gettext as _

from app.pages.data.profile_tables import flag_or_num
from app.render.formatting import unit_label
from app.render.provenance_marks import demo
from app.web.downloads import ATTRIBUTION_BOUNDARIES, SYNTHETIC_MARK, SYNTHETIC_NOTE, Num, Table
from app.web.home import region_name
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
