"""A static choropleth of the Region's Kommunen as inline SVG (for the page and the PDF).

Geometry comes from PostGIS (`ST_AsSVG` of the stored web geometry in EPSG:25832 metres, the
same paths as the profile's locator map); classes from mapclassify, colours from ColorBrewer.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape
from sqlalchemy import Connection

from app.render.maps import DIMMED_OPACITY, GROUP_OUTLINE
from geodata.queries import locator_paths
from indicators.classify import NO_DATA_COLOR, classify, legend_entries

# Line widths in the geometry's metres: a small map (~250 px for ~70 km) has ~280 m per pixel.
GROUP_STROKE_WIDTH = 600  # a comparison group's outline, about 2 px at that size


def choropleth(
    conn: Connection,
    values: dict[str, float | None],
    labels: dict[str, str],
    method: str,
    polarity: str,
    fmt,
    labelledby: str,
    no_data: str,
    basis: list[float | None] | None = None,
    group: frozenset[str] | None = None,
    *,
    region: str,
    describe: Callable[[list[dict]], str] | None = None,
) -> tuple[Markup, list[dict]]:
    """SVG of the Kommunen coloured by class, and the legend rows (colour, label, count).

    values: ags → value of each Kommune; labels: ags → text of its tooltip (name and value);
    fmt(value, with_unit) formats a class bound; labelledby: the id of the map's caption;
    basis: the values the class breaks come from (default: values), e.g. several years' values
    so that several maps share their classes; group: the AGS of a comparison group (?gruppe=),
    outlined in GROUP_OUTLINE's colour above the rest, the other Kommunen paler (DIMMED_OPACITY),
    as on the map page; region: the home Kreis (app.config["REGION"]) whose Kommunen are drawn;
    describe: builds the map's text alternative (app.render.figure_text) from the legend rows;
    it becomes the aria-label, which then names the map instead of the caption (a tagged PDF
    carries the accessible name as the figure's /Alt).
    """
    geo = locator_paths(conn, "", region)
    kommunen = [p for p in geo["paths"] if p["level"] == "kommune"]
    ordered = [values.get(p["ags"]) for p in kommunen]
    classes = classify(ordered, method, "sequenziell", polarity, basis=basis)
    legend = legend_entries(classes, fmt, no_data) if classes.bounds else []
    name = (
        f'aria-label="{escape(str(describe(legend)))}"'
        if describe is not None
        else f'aria-labelledby="{escape(labelledby)}"'
    )
    parts = [
        f'<svg class="bericht-karte" viewBox="{geo["viewbox"]}" role="img"'
        f' {name} focusable="false"'
        ' xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, p in enumerate(kommunen):
        color = classes.color_of(i) if classes.bounds else NO_DATA_COLOR
        dim = f' fill-opacity="{DIMMED_OPACITY}"' if group and p["ags"] not in group else ""
        parts.append(
            f'<path d="{p["d"]}" fill="{color}"{dim} stroke="#fff" stroke-width="120">'
            f"<title>{escape(labels.get(p['ags'], p['name']))}</title></path>"
        )
    parts += [
        f'<path d="{p["d"]}" fill="none" stroke="#333" stroke-width="250"/>'
        for p in geo["paths"]
        if p["level"] == "region"
    ]
    # The group's outlines last, above every neighbour's border and the Region's.
    parts += [
        f'<path d="{p["d"]}" fill="none" stroke="{GROUP_OUTLINE["color"]}"'
        f' stroke-width="{GROUP_STROKE_WIDTH}" stroke-linejoin="round"/>'
        for p in kommunen
        if group and p["ags"] in group
    ]
    parts.append("</svg>")
    return Markup("".join(parts)), legend
