"""One indicator's disparities for ?jahr= (spreads and benchmarks, or Moran's I and the LISA
clusters), their colours and chart lines: shared by the disparities pages and their images."""

from __future__ import annotations

from flask import url_for

from app.pages.data import figure_texts
from app.pages.data.cite import parse_pin
from app.pages.data.series_breaks import breaks_of
from app.render import sentences
from app.render.provenance_marks import line_kind
from app.web import args
from app.web.db import get_conn
from app.web.errors import with_links
from app.web.http_cache import domain_cache
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators.breaks import breaks_within
from indicators.disparities import cluster_map, indicator_disparities
from indicators.errors import InvalidChoice

CHART_SERIES = (
    ("cv_weighted", "#00507d", ""),
    ("cv", "#d95f02", "6 4"),
    ("gini", "#1b9e77", "2 3"),
    ("theil", "#7570b3", "10 3 2 3"),
)


def not_available_error(err: InvalidChoice, indicator_id: str | None = None) -> InvalidChoice:
    """The domain error with links to what has data, for its error page."""
    if err.field == "mass":
        choices = [
            (url_for("disparities.index", mass=m), str(sentences.MEASURE_LABELS[m]))
            for m in err.valid
        ]
    elif err.field == "period":
        last = err.valid[-1]
        choices = [
            (url_for("disparities.index", von=a, bis=last), f"{a}–{last}") for a in err.valid[:-1]
        ]
    elif err.field == "jahr":
        choices = [
            (url_for("disparities.detail", indicator_id=indicator_id, jahr=y), str(y))
            for y in err.valid
        ]
    else:
        choices = [(url_for("disparities.index"), _("Disparitäten"))]
    return with_links(err, choices)


def spread_lines(spreads: list[dict], synthetic: bool | None = None) -> list[dict]:
    """The spread measures as chart lines (name, points, colour, dash), those with a value;
    `synthetic`: whether they are computed from Beispieldaten (marked in demo mode)."""
    lines = []
    for key, colour, dash in CHART_SERIES:
        pts = [(s["year"], getattr(s["spread"], key) if s["spread"] else None) for s in spreads]
        if any(v is not None for _y, v in pts):
            lines.append(
                {
                    "name": str(sentences.MEASURE_LABELS[key]),
                    "points": pts,
                    "color": colour,
                    "dash": dash,
                    "key": key,
                    **line_kind(synthetic),
                }
            )
    return lines


def detail_data(indicator_id: str) -> dict:
    """One indicator's spreads and benchmarks for ?jahr=, pinned by ?stand= (then "pinned" is
    its ids); bad input is the page's 4xx."""
    back = [(url_for("disparities.detail", indicator_id=indicator_id), _("neuestes Jahr"))]
    year = args.year("jahr", back)
    pinned = parse_pin(None, url_for("disparities.detail", indicator_id=indicator_id))
    try:
        data = indicator_disparities(
            get_conn(), indicator_id, year, cache=domain_cache, pinned=pinned
        )
    except InvalidChoice as err:
        raise not_available_error(err, indicator_id) from None
    return {**data, "pinned_ids": pinned}


def cluster_data(indicator_id: str) -> dict:
    """Moran's I and the LISA clusters for ?jahr=, pinned by ?stand=; bad input is the page's
    4xx."""
    back = [(url_for("disparities.clusters", indicator_id=indicator_id), _("neuestes Jahr"))]
    year = args.year("jahr", back)
    pinned = parse_pin(None, url_for("disparities.clusters", indicator_id=indicator_id))
    try:
        data = cluster_map(get_conn(), indicator_id, year, cache=domain_cache, pinned=pinned)
    except InvalidChoice as err:
        raise not_available_error(err, indicator_id) from None
    return {**data, "pinned_ids": pinned}


def verdict_map_text(data: dict) -> str:
    """The verdict map (page and image) as text."""
    rows = data["benchmarks"]
    region_value = rows[0].region_value if rows else None
    return figure_texts.verdict_map(data["indicator"], data["year"], rows, region_value)


def spread_chart_text(data: dict) -> str:
    """The spread chart (page and image) as text; "" where there is no chart."""
    lines, years = spread_lines(data["spreads"]), data["years"]
    if not lines or len(years) < 2:
        return ""
    ind = data["indicator"]
    return figure_texts.line_chart(
        _("Streuung von %(name)s zwischen den Kommunen", name=localized(ind, "name")),
        years,
        lines,
        3,
        breaks=[b.year for b in breaks_within(years, breaks_of(ind.id))],
    )


def cluster_map_text(data: dict) -> str:
    """The cluster map (page and image) as text; "" where there is none."""
    result = data["result"]
    if result is None:
        return ""
    classes = [
        (str(sentences.CLUSTER_LABELS[c]), result["counts"][c])
        for c in ("HH", "LL", "HL", "LH", "ns")
    ]
    rows = [r for r in data["values"].values() if r.ags in result["areas"]]
    return figure_texts.cluster_map(data["indicator"], data["year"], rows, classes)
