"""Disparities: ranking by spread change, one indicator's spread and benchmarks, cluster map."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from app.pages.data.cite import parse_pin
from app.pages.data.disparities import (
    cluster_data,
    cluster_map_text,
    detail_data,
    not_available_error,
    spread_chart_text,
    spread_lines,
    verdict_map_text,
)
from app.pages.data.disparity_table import (
    SPREADS,
    benchmark_table,
    cluster_cite,
    detail_cite,
    overview_cite,
    overview_table,
    spreads_table,
)
from app.pages.data.series_breaks import all_breaks, break_text, breaks_of
from app.render import charts, sentences
from app.web import args, downloads
from app.web.db import get_conn
from app.web.http_cache import domain_cache, forever
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators.breaks import breaks_within
from indicators.classify import CLUSTER_COLOURS, VERDICT_COLOURS
from indicators.disparities import MEASURES, disparities_overview
from indicators.errors import InvalidChoice

bp = Blueprint("disparities", __name__)
# The cluster page's downloads: its citation (BibTeX, CSL-JSON).
CLUSTER_FORMATS = ("bib", "csl-json")


@bp.get("/disparitaeten")
def index():
    fmt = args.download_format(downloads.VIEW_FORMATS)
    back = [(url_for("disparities.index"), _("Disparitäten, ganzer Zeitraum"))]
    start, end = args.year("von", back), args.year("bis", back)
    measure = request.args.get("mass", "cv_weighted")
    pinned = parse_pin(None, url_for("disparities.index"))
    try:
        data = disparities_overview(
            get_conn(),
            start,
            end,
            measure,
            cache=domain_cache,
            breaks=all_breaks(),
            pinned=pinned,
        )
    except InvalidChoice as err:
        raise not_available_error(err) from None
    cited = overview_cite(data, pinned) if data["rows"] or data["not_assessable"] else {}
    if fmt and cited:
        response = downloads.response(overview_table(data, cited["cite"]), fmt)
        # a pinned view's values cannot change (as the map's, docs/ops/cite.md)
        return forever(response) if pinned else response
    return render_template(
        "disparitaeten.html", **data, **cited, s=sentences, break_text=break_text
    )


def _chart(
    spreads: list[dict], title: str, breaks: list[int], synthetic: bool | None = None
) -> dict:
    """The spread-over-years chart (wide and narrow SVG) and its legend, from plain numbers;
    no line joins two years across a series break."""
    years = [s["year"] for s in spreads]
    lines = spread_lines(spreads, synthetic)
    if not lines or len(years) < 2:
        return {}
    svg = charts.responsive_line_chart(lines, years, "", title, 3, breaks=breaks)
    return {"svg": svg, "lines": lines}


@bp.get("/disparitaeten/<indicator_id>")
def detail(indicator_id: str):
    fmt = args.download_format(downloads.VIEW_FORMATS)
    data = detail_data(indicator_id)
    cited = detail_cite(data)
    if fmt:
        table = spreads_table if request.args.get("tabelle") == SPREADS else benchmark_table
        response = downloads.response(table(data, cited["cite"]), fmt)
        return forever(response) if data["pinned_ids"] else response
    own_breaks = breaks_of(data["indicator"].id)
    title = _(
        "Diagramm: Streuungsmaße von %(name)s je Jahr; Werte in der Tabelle darunter",
        name=localized(data["indicator"], "name"),
    )
    return render_template(
        "disparitaeten_kennzahl.html",
        **data,
        **cited,
        back=_overview_period(),
        chart=_chart(
            data["spreads"], title, [b.year for b in own_breaks], data["release"].synthetic
        ),
        breaks=breaks_within(data["years"], own_breaks),
        break_text=break_text,
        s=sentences,
        colours=VERDICT_COLOURS,
        map_figure_text=verdict_map_text(data),
        chart_figure_text=spread_chart_text(data),
    )


def _overview_period() -> dict[str, int | str]:
    """The overview's period and measure the detail page was opened from (for its way back);
    what is not a year or a measure is dropped, not refused: the detail page needs none."""
    out: dict[str, int | str] = {}
    for key in ("von", "bis"):
        value = request.args.get(key, "")
        if value.isdigit() and len(value) == 4:
            out[key] = int(value)
    if request.args.get("mass") in MEASURES:
        out["mass"] = request.args["mass"]
    return out


@bp.get("/disparitaeten/<indicator_id>/cluster")
def clusters(indicator_id: str):
    fmt = args.download_format(CLUSTER_FORMATS)
    data = cluster_data(indicator_id)
    cite = cluster_cite(data)
    if fmt is not None:  # the citation (the map's data: the page's table, the API's values)
        table = downloads.Table(
            f"{indicator_id}_{data['year']}_cluster", [], [], citation=cite["cite"]
        )
        # not `forever`: the citation names the day it was accessed
        return downloads.response(table, fmt)
    return render_template(
        "disparitaeten_cluster.html",
        **data,
        **cite,
        s=sentences,
        colours=CLUSTER_COLOURS,
        figure_text=cluster_map_text(data),
    )
