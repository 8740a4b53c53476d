"""/zeitreihe.svg|png: the time-series chart of /zeitreihe?… as an image."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import get_locale

from app.pages.data.cite import parse_pin
from app.pages.data.image_parts import (
    CHART_SIZE,
    EXPORT_VERSION,
    image_response,
    licence_lines,
    provenance_lines,
    synthetic_note,
    year_ranges,
)
from app.pages.data.notes import notes_etag_part
from app.pages.data.series_breaks import break_text, breaks_of
from app.pages.data.zeitreihe import DEFAULT_INDICATOR as TS_DEFAULT
from app.pages.data.zeitreihe import choice_error as ts_error
from app.pages.data.zeitreihe import series_cite, series_footnotes, series_text
from app.pages.export.blueprint import bp
from app.render import charts, citation
from app.render.formatting import unit_label
from app.render.image_export import Drawing, ImageText, LegendEntry, nested, svg_document
from app.web import args
from app.web.db import get_conn
from app.web.home import home_ags, region_name
from app.web.http_cache import conditional, etag_for, page_cache
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators.pinning import format_ids
from indicators.profile import InvalidChoice, time_series
from indicators.queries import (
    ShownProvenance,
    indicator_sources,
    series_sources,
    shown_provenance,
)


def _chart_provenance(ts: dict) -> tuple[list[ShownProvenance], bool]:
    """Real sources of the values the chart shows, and whether real and synthetic are mixed."""
    ind, rel = ts["indicator"], ts["release"]
    shown = series_sources(get_conn(), ind.id, [ln["ags"] for ln in ts["lines"]], rel.id)
    labels = {s["release_label"] for s in shown.values() if s.get("release_label")}
    sources = indicator_sources(get_conn(), [ind.id]).get(ind.id, {})
    provenance = shown_provenance(sources, labels)
    flags = {bool(s["synthetic"]) for s in shown.values() if s.get("release_label")}
    return provenance, flags == {True, False}


@bp.get("/zeitreihe.<any(svg, png):fmt>")
@page_cache
def zeitreihe_image(fmt: str):
    """The time-series chart as SVG or PNG: the state of /zeitreihe?…."""
    indicator_id = request.args.get("indikator") or TS_DEFAULT
    kommunen = [
        k.strip() for v in request.args.getlist("kommunen") for k in v.split(",") if k.strip()
    ]
    mode = request.args.get("darstellung") or "absolut"
    release_id = args.integer("release", args.without("release"), lo=1)
    pinned = parse_pin(release_id, url_for("zeitreihe.zeitreihe", indikator=indicator_id[:64]))
    try:
        ts = time_series(
            get_conn(),
            indicator_id,
            kommunen[:50],
            release_id,
            mode,
            breaks=breaks_of(indicator_id),
            region=home_ags(),
            pinned=pinned,
        )
    except InvalidChoice as err:
        raise ts_error(err, indicator_id[:64]) from None
    ind, rel = ts["indicator"], ts["release"]
    lang = str(get_locale())
    etag = etag_for(
        "zeitreihe-bild",
        EXPORT_VERSION,
        fmt,
        ind.id,
        tuple(kommunen),
        mode,
        rel.id,
        rel.label,
        rel.published_at,
        lang,
        request.full_path,
        # Breaks are data that no release date covers (only where there are any: the ETags of
        # charts without one stay as they were).
        *([tuple(ts["breaks"])] if ts["breaks"] else []),
        # Notes neither (a notes-only release changes no value's release): only where there
        # are any, as on the page.
        *notes_etag_part(ind.id),
    )
    not_modified = conditional(etag, rel.published_at)
    if not_modified is not None:
        return not_modified
    unit = _("Index (erstes Jahr = 100)") if mode == "index" else unit_label(ind.unit)
    lines = charts.style_lines(ts["lines"])
    lines[0]["name"] = region_name()  # the Region's line under the page's name for it
    w, h, font = CHART_SIZE
    chart = charts.line_chart(
        lines,
        ts["years"],
        unit,
        localized(ind, "name"),
        w,
        h,
        point_titles=False,
        decimals=ts["decimals"],
        font=font,
        breaks=[b.year for b in ts["breaks"]],
    )
    provenance, mixed = _chart_provenance(ts)
    synthetic_years = sorted({y for ln in ts["lines"] for y in ln["synthetic_years"]})
    real = not synthetic_years or mixed
    lines_of_provenance = provenance_lines(provenance, real, rel.label)
    note = synthetic_note(bool(synthetic_years), mixed)
    if synthetic_years and mixed:
        note = _(
            "Beispieldaten (synthetisch, keine amtlichen Zahlen) in den Jahren %(y)s; sonst amtlich.",
            y=year_ranges(synthetic_years),
        )
    text = ImageText(
        title=localized(ind, "name"),
        subtitle=_(
            "Zeitreihe %(a)s–%(b)s – Einheit: %(unit)s",
            a=ts["years"][0],
            b=ts["years"][-1],
            unit=unit,
        ),
        source=_("Quelle: %(s)s, Datenstand %(r)s", s=ind.source, r=rel.label),
        provenance=lines_of_provenance,
        licence=licence_lines(
            url_for("zeitreihe.zeitreihe", **request.args), False, real, lines_of_provenance
        ),
        synthetic_note=note,
        notes=[break_text(b) for b in ts["breaks"]],
        footnotes=series_footnotes(ts),
        lang=lang,
        description=series_text(ts),
        citation=[
            citation.line(
                series_cite(
                    ts,
                    {
                        "indikator": ind.id,
                        "kommunen": ",".join(kommunen[:50]) or None,
                        "darstellung": mode if mode != "absolut" else None,
                        "release": release_id,
                        "stand": format_ids(pinned) if pinned else None,
                    },
                    pinned,
                )["cite"],
                lang,
            )
        ],
    )
    legend = [LegendEntry(ln["color"], ln["name"], ln["dash"] or "") for ln in lines]
    svg = svg_document(Drawing(nested(chart, w, h), w, h), text, legend, legend_beside=False)
    suffix = "_index" if mode == "index" else ""
    return image_response(
        svg, fmt, f"{ind.id}_{ts['years'][0]}-{ts['years'][-1]}{suffix}", etag, rel
    )
