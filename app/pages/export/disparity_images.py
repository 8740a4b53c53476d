"""The disparities' images: /disparitaeten/<indicator>/vergleich.svg|png (verdict map),
…/streuung.svg|png (spread chart) and …/cluster.svg|png (LISA cluster map)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from flask import request, url_for
from flask_babel import get_locale

from app.pages.data import disparities
from app.pages.data.disparity_table import cluster_cite, detail_cite
from app.pages.data.image_parts import (
    CHART_SIZE,
    counted_legend,
    disparities_etag,
    image_response,
    kommunen_count,
    licence_lines,
    map_drawing,
    provenance_lines,
    synthetic_note,
)
from app.pages.data.series_breaks import break_text, breaks_of
from app.pages.export.blueprint import bp
from app.render import charts, citation
from app.render.formatting import fmt_value
from app.render.image_export import Drawing, ImageText, LegendEntry, nested, svg_document
from app.render.sentences import CLUSTER_LABELS, VERDICT_LABELS, moran_sentence
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.home import region_name
from app.web.http_cache import conditional, page_cache
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators.breaks import breaks_within
from indicators.classify import CLUSTER_COLOURS, VERDICT_COLOURS
from indicators.map_model import verdict_order
from indicators.model import AreaValue
from indicators.queries import indicator_sources, shown_provenance


def _disparities_text(
    data: dict,
    flags: tuple[bool, bool, set[str]],
    subtitle: str,
    boundaries: bool,
    legend_title: str = "",
    notes: list[str] | None = None,
    endpoint: str = "disparities.detail",
    description: str = "",
    cited: Callable[[dict], dict[str, Any]] | None = None,
) -> ImageText:
    """Texts of a disparities image; flags: (synthetic, mixed, release labels) of what it shows;
    `cited`: the page's citation (`detail_cite`, `cluster_cite`): the image carries its line
    (the page's permalink, pinned as the page's)."""
    ind, release = data["indicator"], data["release"]
    synthetic, mixed, labels = flags
    sources = indicator_sources(get_conn(), [ind.id]).get(ind.id, {})
    real = not synthetic or mixed
    provenance = provenance_lines(
        shown_provenance(sources, labels),
        real,
        release.label,
    )
    page = url_for(endpoint, indicator_id=ind.id, **request.args)
    return ImageText(
        title=localized(ind, "name"),
        subtitle=subtitle,
        source=_("Quelle: %(s)s, Datenstand %(r)s", s=ind.source, r=release.label),
        provenance=provenance,
        licence=licence_lines(page, boundaries, real, provenance),
        # The map marks its synthetic Kommunen with *; the chart has no names to mark.
        synthetic_note=synthetic_note(synthetic, mixed, marked=boundaries),
        legend_title=legend_title,
        notes=notes or [],
        lang=str(get_locale()),
        description=description,
        citation=[citation.line(cited(data)["cite"], str(get_locale()))] if cited else [],
    )


def _row_flags(rows: Sequence[AreaValue]) -> tuple[bool, bool, set[str]]:
    """(synthetic, mixed, release labels) of the values a map shows, from their rows."""
    shown = [r for r in rows if r.release_label]
    flags = {bool(r.synthetic) for r in shown}
    return (
        True in flags,
        flags == {True, False},
        {r.release_label for r in shown if r.release_label},
    )


@bp.get("/disparitaeten/<indicator_id>/vergleich.<any(svg, png):fmt>")
@page_cache
def disparities_map_image(indicator_id: str, fmt: str):
    """The map of /disparitaeten/<indicator>?jahr=…: each Kommune's verdict against the Region."""
    data = disparities.detail_data(indicator_id)
    etag = disparities_etag("vergleich", fmt)
    not_modified = conditional(etag)
    if not_modified is not None:
        return not_modified
    ind, year, rows = data["indicator"], data["year"], data["benchmarks"]
    verdicts = {r.ags: r.benchmark["verdict"] for r in rows}
    fills = {
        r.ags: {
            "color": VERDICT_COLOURS[verdicts[r.ags]],
            "label": str(VERDICT_LABELS[verdicts[r.ags]]),
            "missing": r.value is None,
            "synthetic": r.synthetic,
        }
        for r in rows
    }
    counts = Counter(verdicts.values())
    legend = counted_legend(
        [
            {
                "color": VERDICT_COLOURS[v],
                "label": str(VERDICT_LABELS[v]),
                "count": counts[v],
            }
            for v in verdict_order(ind.polarity)
        ],
        kommunen_count,
    )
    # The page's msgids, where %% is Jinja's escape of a percent sign.
    if ind.unit == "%":
        method = _("Methode: 95-%%-Konfidenzintervall nach Wilson für den Anteil Zähler/Nenner.")
    else:
        method = _(
            "Methode: 95-%%-Konfidenzintervall nach Byar für eine Poisson-verteilte Zahl (Zähler), geteilt durch den Nenner."
        )
    region_value = rows[0].region_value if rows else None
    flags = _row_flags(rows)
    text = _disparities_text(
        data,
        flags,
        f"{region_name()}, {_('Kommunen im Vergleich mit der Region %(y)s', y=year)}",
        boundaries=True,
        legend_title=_("Legende"),
        notes=[
            f"{_('Regionswert')}: {fmt_value(region_value, ind.decimals, ind.unit)}",
            method.replace("%%", "%"),
        ],
        description=disparities.verdict_map_text(data),
        cited=detail_cite,
    )
    svg = svg_document(map_drawing(fills, flags[1]), text, legend, legend_beside=True)
    return image_response(svg, fmt, f"{ind.id}_{year}_vergleich", etag, None)


@bp.get("/disparitaeten/<indicator_id>/streuung.<any(svg, png):fmt>")
@page_cache
def disparities_chart_image(indicator_id: str, fmt: str):
    """The spread chart of /disparitaeten/<indicator>: spread measures per year as lines."""
    data = disparities.detail_data(indicator_id)
    ind, years, release = data["indicator"], data["years"], data["release"]
    lines = disparities.spread_lines(data["spreads"])
    if not lines or len(years) < 2:
        raise BadRequestWithChoices(
            404,
            _("Kein Diagramm: Streuungsmaße sind für weniger als zwei Jahre berechenbar."),
            [(url_for("disparities.detail", indicator_id=ind.id), localized(ind, "name"))],
        )
    etag = disparities_etag("streuung", fmt)
    not_modified = conditional(etag)
    if not_modified is not None:
        return not_modified
    w, h, font = CHART_SIZE
    own_breaks = breaks_of(ind.id)
    chart = charts.line_chart(
        lines,
        years,
        "",
        localized(ind, "name"),
        w,
        h,
        point_titles=False,
        decimals=3,
        font=font,
        breaks=[b.year for b in own_breaks],
    )
    # Every year's values: the release summary says whether any is synthetic, any real.
    synthetic, real = bool(release.synthetic), release.real
    text = _disparities_text(
        data,
        (synthetic, synthetic and real, set(release.releases)),
        f"{region_name()}: {_('Streuung zwischen den Kommunen über die Jahre')},"
        f" {years[0]}–{years[-1]}",
        boundaries=False,
        notes=[break_text(b) for b in breaks_within(years, own_breaks)],
        description=disparities.spread_chart_text(data),
        cited=detail_cite,
    )
    legend = [LegendEntry(ln["color"], ln["name"], ln["dash"] or "") for ln in lines]
    svg = svg_document(Drawing(nested(chart, w, h), w, h), text, legend, legend_beside=False)
    return image_response(svg, fmt, f"{ind.id}_{years[0]}-{years[-1]}_streuung", etag, None)


@bp.get("/disparitaeten/<indicator_id>/cluster.<any(svg, png):fmt>")
@page_cache
def disparities_cluster_image(indicator_id: str, fmt: str):
    """The cluster map of /disparitaeten/<indicator>/cluster?jahr=…: LISA class per Kommune."""
    data = disparities.cluster_data(indicator_id)
    ind, year, result = data["indicator"], data["year"], data["result"]
    if result is None:  # the page explains why (missing values, constant, an island)
        raise BadRequestWithChoices(
            404,
            _(
                "Für %(name)s %(y)s gibt es keine Clusterkarte.",
                name=localized(ind, "name"),
                y=year,
            ),
            [
                (
                    url_for("disparities.clusters", indicator_id=ind.id, jahr=year),
                    _("Räumliche Cluster"),
                )
            ],
        )
    etag = disparities_etag("cluster", fmt)
    not_modified = conditional(etag)
    if not_modified is not None:
        return not_modified
    colours, areas = CLUSTER_COLOURS, result["areas"]
    rows = list(data["values"].values())
    fills = {
        r.ags: {
            "color": colours[areas[r.ags]["cluster"]],
            "label": str(CLUSTER_LABELS[areas[r.ags]["cluster"]]),
            "missing": False,  # a cluster map exists only when every Kommune has a value
            "synthetic": r.synthetic,
        }
        for r in rows
        if r.ags in areas
    }
    legend = [
        LegendEntry(colours[c], f"{CLUSTER_LABELS[c]} ({result['counts'][c]})")
        for c in ("HH", "LL", "HL", "LH", "ns")
    ]
    flags = _row_flags(rows)
    text = _disparities_text(
        data,
        flags,
        f"{region_name()}, {_('Räumliche Cluster')} {year}",
        boundaries=True,
        legend_title=_("Legende"),
        notes=[
            moran_sentence(result["global"]),
            _(
                "Methode: Nachbarschaft nach Queen-Kontiguität der Gemeindegrenzen (gemeinsamer Grenzpunkt genügt), zeilenstandardisiert; p-Werte aus %(n)s zufälligen Permutationen (fester Startwert, daher reproduzierbar); Signifikanzniveau 5 %%.",
                n=result["global"]["permutations"],
            ),
        ],
        endpoint="disparities.clusters",
        description=disparities.cluster_map_text(data),
        cited=cluster_cite,
    )
    svg = svg_document(map_drawing(fills, flags[1]), text, legend, legend_beside=True)
    return image_response(svg, fmt, f"{ind.id}_{year}_cluster", etag, None)
