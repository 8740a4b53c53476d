"""Image export: maps (/karte.svg|png: one year, a change von/bis, a territory; /karte/jahre.svg|png:
the small multiples), the time series (/zeitreihe.svg|png) and the disparities' maps and chart
(/disparitaeten/<indicator>/vergleich.svg|png, …/streuung.svg|png, …/cluster.svg|png) and the
profile's spine charts (/kommune/<ags>/einordnung.svg|png).

Same query string as the page, same validation (a bad indicator or year gets the page's 4xx),
same colours and classes: the map's state and rows come from the map page's own code path
(`state_from_request` + `page_context`/`change_context`/`multiples_context`), the charts' lines
from `time_series` + `style_lines` and `disparities.spread_lines`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import escape

from app import args, charts, rank_charts
from app.db import get_conn
from app.errors import BadRequestWithChoices
from app.formatting import fmt_value, unit_label
from app.home import region_name, site_name
from app.http_cache import (
    cached,
    conditional,
    data_version_now,
    domain_cache,
    etag_for,
    page_cache,
)
from app.i18n import localized
from app.image_export import (
    MARGIN,
    MUTED,
    TEXT,
    WIDTH,
    Drawing,
    ImageText,
    LegendEntry,
    grid,
    grid_columns,
    nested,
    png_response,
    svg_document,
    svg_response,
    wrap,
)
from app.maps import DIMMED_OPACITY, GROUP_OUTLINE, NO_DATA_DASH, OUTLINE, short_name
from app.security import public_url
from app.sentences import CLUSTER_LABELS, VERDICT_LABELS, moran_sentence
from app.views import disparities, gebiet
from app.views.kommune import choices_error, spine_rows
from app.views.maps import (
    CLASSIFICATION_LABELS,
    change_context,
    multiple_years,
    multiples_context,
    multiples_etag,
    page_context,
    state_from_request,
)
from app.views.maps import _etag as map_etag
from app.views.zeitreihe import DEFAULT_INDICATOR as TS_DEFAULT
from app.views.zeitreihe import _error as ts_error
from indicators.classify import NO_DATA_COLOR
from indicators.disparities import svg_shapes
from indicators.gebiet_queries import scope_svg_paths
from indicators.map_model import verdict_order
from indicators.profile import InvalidChoice, profile, time_series
from indicators.queries import indicator_sources, series_sources

bp = Blueprint("export", __name__)

EXPORT_VERSION = "1"  # bump when the images' layout changes, so cached copies are revalidated
FORMATS = ("svg", "png")
BOUNDARY_LICENCE_URL = "https://www.govdata.de/dl-de/by-2-0"
MAP_WIDTH = 620  # pixels of the map inside the 1000 px image (the legend takes the rest)
CHART_SIZE = (952, 420, 15)  # width, height, font size of the exported line chart


def _respond(svg: str, fmt: str, filename: str, etag: str, release: dict | None) -> Response:
    """The image in its format with the page's caching (ETag, Cache-Control, Vary)."""
    resp = png_response(svg, filename) if fmt == "png" else svg_response(svg, filename)
    resp = cached(resp, etag, (release or {}).get("published_at"))
    if release is not None and release.get("status") == "draft":  # an editor's preview
        resp.cache_control.public = False
        resp.cache_control.no_store = True
    return resp


def _licence_lines(page_url: str, boundaries: bool, real: bool, provenance: list[str]) -> list[str]:
    """Attribution of the boundaries and the official data, and the page the image comes from."""
    lines = []
    if boundaries:
        lines.append(
            _(
                "Gebietsgrenzen: %(a)s, Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0, %(u)s).",
                a="© GeoBasis-DE / BKG 2021",
                u=BOUNDARY_LICENCE_URL,
            )
        )
    if real and not any("dl-de/by-2-0" in line for line in provenance):
        lines.append(
            _(
                "Amtliche Daten: Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)."
            )
        )
    lines.append(_("Erstellt mit %(site)s: %(url)s", site=site_name(), url=public_url() + page_url))
    return lines


def _provenance_lines(provenance: list[dict], real: bool, release_label: str) -> list[str]:
    """ "amtlich: Tabelle … (release)" per real source shown, with its copyright line."""
    out = []
    for p in provenance:
        out.append(_("amtlich: Tabelle %(t)s (%(r)s)", t=p["tables"], r=p["release"]))
        if p.get("source"):
            out.append(str(p["source"]))
    if real and not provenance:  # a real release without recorded tables (e.g. the Zensus)
        out.append(_("amtlich (Datenstand %(r)s)", r=release_label))
    return out


def year_ranges(years: list[int]) -> str:
    """Years as ranges: [2016, 2017, 2018, 2020] → "2016–2018, 2020"."""
    out: list[list[int]] = []
    for y in sorted(years):
        if out and y == out[-1][1] + 1:
            out[-1][1] = y
        else:
            out.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in out)


def _synthetic_note(synthetic: bool, mixed: bool, marked: bool = True) -> str:
    """The Beispieldaten line; mixed: which values are synthetic (marked with * or "teils")."""
    if not synthetic:
        return ""
    if mixed and marked:
        return _(
            "Mit * markierte Kommunen: Beispieldaten (synthetisch, keine amtlichen Zahlen); die übrigen Werte sind amtlich."
        )
    if mixed:  # no names in the image to mark
        return _("teils Beispieldaten") + ": " + _("synthetisch erzeugt, keine amtlichen Zahlen.")
    return _("Beispieldaten: synthetisch erzeugt, keine amtlichen Zahlen.")


def _group_note(ctx: dict) -> list[str]:
    """The comparison group's line under the legend (none without a group)."""
    group = ctx.get("group")
    if group is None:
        return []
    return [
        _("Vergleichsgruppe")
        + ": "
        + ngettext(
            "%(name)s und ihre ähnlichste Kommune",
            "%(name)s und ihre %(num)d ähnlichsten Kommunen",
            len(group.neighbours),
            name=group.name,
        )
        + f" ({', '.join(group.names)}); "
        + _("schwarz umrandet")
    ]


def _map_drawing(fills: dict[str, dict], starred: bool) -> Drawing:
    """The Kommunen (stored geometry, ST_AsSVG) in given colours, with their names.

    fills: ags → color, label (the area's tooltip), missing (dashed outline as "keine Daten" on
    the page), synthetic (a * after the name when starred: real and synthetic side by side) and
    group (a comparison group: True outlined, False paler, None without a group).
    """
    shapes = domain_cache(("export-shapes",), lambda: svg_shapes(get_conn()))
    x0, y0, w, h = (float(v) for v in shapes["viewbox"].split())
    width, height = MAP_WIDTH, MAP_WIDTH * h / w
    per_px = w / width  # viewBox units (metres) per pixel: strokes and labels in pixels
    paths = []
    for s in shapes["shapes"]:
        r = fills.get(s["ags"], {})
        dash = ""
        if r.get("missing", True):  # "keine Daten" dashed, as on the page
            dash = f' stroke-dasharray="{" ".join(str(float(d) * per_px) for d in NO_DATA_DASH.split())}"'
        dim = f' fill-opacity="{DIMMED_OPACITY}"' if r.get("group") is False else ""
        paths.append(
            f'<path d="{s["d"]}" fill="{r.get("color", "#ffffff")}" stroke="{OUTLINE["color"]}"'
            f' stroke-width="{per_px:.1f}"{dash}{dim}><title>{escape(s["name"])}: {escape(r.get("label", ""))}</title></path>'
        )
    # A comparison group (?gruppe=): its outlines drawn last, above every neighbour's.
    paths += [
        f'<path d="{s["d"]}" fill="none" stroke="{GROUP_OUTLINE["color"]}"'
        f' stroke-width="{GROUP_OUTLINE["weight"] * per_px:.1f}" stroke-linejoin="round"/>'
        for s in shapes["shapes"]
        if fills.get(s["ags"], {}).get("group")
    ]
    labels = []
    for s in shapes["shapes"]:
        lx, ly = (s["lx"] - x0) / per_px, (s["ly"] - y0) / per_px
        name = escape(short_name(s["name"]))
        if starred and fills.get(s["ags"], {}).get("synthetic"):
            name += " *"  # per Kommune, as the page's table marks each row
        common = f'x="{lx:.1f}" y="{ly + 4:.1f}" font-size="11" text-anchor="middle"'
        # A white halo drawn first keeps names readable on dark classes (no paint-order needed).
        labels.append(
            f'<text {common} fill="#ffffff" stroke="#ffffff" stroke-width="3"'
            f' stroke-linejoin="round">{name}</text><text {common} fill="#1a1a1a">{name}</text>'
        )
    markup = (
        f'<svg x="0" y="0" width="{width:.1f}" height="{height:.1f}"'
        f' viewBox="{shapes["viewbox"]}">{"".join(paths)}</svg>'
        f'<g xml:lang="de">{"".join(labels)}</g>'
    )
    return Drawing(markup, width, height)


def _kommune_fills(ctx: dict) -> dict[str, dict]:
    """The map page's colour, label and flags per Kommune (a one-year or a change map)."""
    return {
        r["ags"]: {
            "color": r["color"],
            "label": r["label"],
            "missing": ctx["areas"].get(r["ags"], {}).get("no_data", True),
            "synthetic": r.get("synthetic"),
            "group": r.get("group"),
        }
        for r in ctx["table_rows"]
    }


def _map_text(ctx: dict) -> ImageText:
    """Title, legend heading, method, source and licence of a Kommunen map (a year or a change)."""
    ind = ctx["ind"]
    if ctx["change"]:
        unit = ctx["change_unit"]
        title = _(
            "%(name)s: Veränderung von %(a)s bis %(b)s",
            name=localized(ind, "name"),
            a=ctx["year_from"],
            b=ctx["year_to"],
        )
        subtitle = _("%(area)s, Kommunen – Einheit: %(unit)s", area=region_name(), unit=unit)
        method = ctx["change_note"]
    else:
        unit = unit_label(ind["unit"])
        title = localized(ind, "name")
        subtitle = _(
            "%(area)s, Kommunen, %(year)s – Einheit: %(unit)s",
            area=region_name(),
            year=ctx["year"],
            unit=unit,
        )
        if ctx["scheme"] == "vergleich":
            # The msgid is the legend template's, where %% is Jinja's escape of a percent sign.
            method = _(
                "Farben: Urteil gegenüber der Region (95-%%-Intervall nach Wilson bzw. Byar)"
            ).replace("%%", "%")
        else:
            method = str(ctx["classification_labels"][ctx["method"]])
            if ctx["scheme"] == "divergierend":
                method += "; " + _("Farben um den Wert der Region")
    real = not ctx["synthetic"] or ctx["mixed"]
    provenance = _provenance_lines(ctx["provenance"], real, ctx["release"]["label"])
    return ImageText(
        title=title,
        subtitle=subtitle,
        source=_("Quelle: %(s)s, Datenstand %(r)s", s=ind["source"], r=ctx["release"]["label"]),
        provenance=provenance,
        licence=_licence_lines(url_for("maps.karte", **request.args), True, real, provenance),
        synthetic_note=_synthetic_note(ctx["synthetic"], ctx["mixed"]),
        legend_title=_("Legende") + f" ({unit})",
        notes=[method, f"{region_name()}: {ctx['region_label']}", *_group_note(ctx)],
        lang=str(get_locale()),
    )


def _counted(legend: list[dict], count: Callable[[int], str]) -> list[LegendEntry]:
    """Legend rows with their number of areas: "1,0 – 2,0 % (3 Kommunen)"."""
    return [LegendEntry(e["color"], f"{e['label']} ({count(e['count'])})") for e in legend]


def _kommunen(n: int) -> str:
    return ngettext("%(num)d Kommune", "%(num)d Kommunen", n)


@bp.get("/karte.<any(svg, png):fmt>")
@page_cache
def karte_image(fmt: str):
    """The map of the Kommunen as SVG or PNG: the state of /karte?… (one year or von/bis)."""
    if gebiet.wants_gebiet():  # a Kreis, Land or Germany split into many areas
        return _gebiet_image(fmt)
    st = state_from_request(embed=False)
    release = st["release"]
    etag = etag_for("karte-bild", EXPORT_VERSION, fmt, map_etag(st, False))
    not_modified = conditional(etag, release["published_at"])
    if not_modified is not None:
        return not_modified
    if st["change"]:
        ctx = change_context(st, embed=False)
        stem = f"{ctx['ind']['id']}_{ctx['year_from']}-{ctx['year_to']}"
    else:
        ctx = page_context(st, embed=False)
        stem = f"{ctx['ind']['id']}_{ctx['year']}"
    legend = _counted(ctx["legend"], _kommunen)
    drawing = _map_drawing(_kommune_fills(ctx), ctx["mixed"])
    svg = svg_document(drawing, _map_text(ctx), legend, legend_beside=True)
    return _respond(svg, fmt, stem, etag, release)


def png_max_areas() -> int:
    """Most areas a PNG map may have (EXPORT_PNG_MAX_AREAS, default 2,000)."""
    return int(current_app.config.get("EXPORT_PNG_MAX_AREAS", 2000))


@bp.app_context_processor
def _export_globals() -> dict:
    return {"png_max_areas": png_max_areas}


def _gebiet_drawing(st: dict, cm: dict) -> Drawing:
    """Every area of the territory's level in the page's class colours (no names: too many)."""
    key = ("export-gebiet", st["territory"]["ags"], st["ebene"])
    geo = domain_cache(key, lambda: scope_svg_paths(get_conn(), st["territory"], st["ebene"]))
    _x0, _y0, w, h = (float(v) for v in geo["viewbox"].split())
    width = MAP_WIDTH
    per_px = w / width
    # Thousands of Gemeinden: hairlines, or the outlines would hide the colours.
    keys = cm["areas"].ags  # the areas' order; the classes come in the same order
    stroke = per_px * (0.5 if len(keys) < 500 else 0.15)
    colours = cm["classes"].colors
    paths = [
        f'<path d="{geo["paths"][ags]}" fill="{NO_DATA_COLOR if k is None else colours[k]}"/>'
        for ags, k in zip(keys, cm["classes"].assignment, strict=True)
        if geo["paths"].get(ags)
    ]
    markup = (
        f'<svg x="0" y="0" width="{width}" height="{width * h / w:.1f}" viewBox="{geo["viewbox"]}">'
        f'<g stroke="{OUTLINE["color"]}" stroke-width="{stroke:.1f}" stroke-linejoin="round">'
        f"{''.join(paths)}</g></svg>"
    )
    return Drawing(markup, width, width * h / w)


def _gebiet_image(fmt: str) -> Response:
    """The map of a territory's areas (/karte?gebiet=…&ebene=…) as SVG or PNG."""
    st = gebiet.state()
    release, ind, year, t = st["release"], st["indicator"], st["year"], st["territory"]
    lang = str(get_locale())
    etag = etag_for(
        "gebiet-bild",
        EXPORT_VERSION,
        fmt,
        data_version_now(),
        lang,
        sorted(request.args.items(multi=True)),
    )
    not_modified = conditional(etag, release.get("published_at"))
    if not_modified is not None:
        return not_modified
    cm = gebiet.colour_map(st)
    limit = png_max_areas()
    if fmt == "png" and len(cm["areas"].ags) > limit:
        # cairosvg parses path data in Python: 401 Kreise take seconds; Germany's 11,000
        # Gemeinden would outlast the worker's timeout. The SVG is built by PostGIS at once.
        raise BadRequestWithChoices(
            400,
            _(
                "Als PNG gibt es Karten mit höchstens %(n)s Gebieten; diese hat %(k)s. Bitte die SVG-Datei herunterladen.",
                n=limit,
                k=len(cm["areas"].ags),
            ),
            [
                (
                    url_for("export.karte_image", fmt="svg", **request.args),
                    _("Karte als SVG herunterladen"),
                )
            ],
        )
    shown = [e for e in cm["legend"] if e["count"]]
    legend = _counted(shown, lambda n: ngettext("%(num)d Gebiet", "%(num)d Gebiete", n))
    method = str(CLASSIFICATION_LABELS[st["method"]])
    if cm["scheme"] == "divergierend":
        method += "; " + _("Farben um den Wert von %(g)s", g=t["name"])
    real = not cm["synthetic"] or cm["mixed"]
    provenance = _provenance_lines(
        cm["provenance"], real, (release["label"] or " + ".join(cm["release_labels"]))
    )
    note = _synthetic_note(cm["synthetic"], cm["mixed"], marked=False)
    text = ImageText(
        title=localized(ind, "name"),
        subtitle=_(
            "%(area)s, %(level)s, %(year)s – Einheit: %(unit)s",
            area=t["name"],
            level=gebiet._ebene_label(st["ebene"]),
            year=year,
            unit=unit_label(ind["unit"]),
        ),
        source=_(
            "Quelle: %(s)s, Datenstand %(r)s",
            s=ind["source"],
            r=(release["label"] or " + ".join(cm["release_labels"])),
        ),
        provenance=provenance,
        licence=_licence_lines(url_for("maps.karte", **request.args), True, real, provenance),
        synthetic_note=note,
        legend_title=_("Legende") + f" ({unit_label(ind['unit'])})",
        notes=[method, f"{t['name']}: {cm['own_label']}"],
        lang=lang,
    )
    svg = svg_document(_gebiet_drawing(st, cm), text, legend, legend_beside=True)
    return _respond(svg, fmt, f"{ind['id']}_{year}_{t['ags']}_{st['ebene']}", etag, release)


def _chart_provenance(ts: dict) -> tuple[list[dict], bool]:
    """Real sources of the values the chart shows, and whether real and synthetic are mixed."""
    ind, rel = ts["indicator"], ts["release"]
    shown = series_sources(get_conn(), ind["id"], [ln["ags"] for ln in ts["lines"]], rel["id"])
    labels = {s["release_label"] for s in shown.values() if s.get("release_label")}
    sources = indicator_sources(get_conn(), [ind["id"]]).get(ind["id"], {})
    provenance = [src | {"release": lab} for lab, src in sources.items() if lab in labels]
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
    try:
        ts = time_series(get_conn(), indicator_id, kommunen[:50], release_id, mode)
    except InvalidChoice as err:
        raise ts_error(err, indicator_id[:64]) from None
    ind, rel = ts["indicator"], ts["release"]
    lang = str(get_locale())
    etag = etag_for(
        "zeitreihe-bild",
        EXPORT_VERSION,
        fmt,
        ind["id"],
        tuple(kommunen),
        mode,
        rel["id"],
        rel["label"],
        rel.get("published_at"),
        lang,
        request.full_path,
    )
    not_modified = conditional(etag, rel.get("published_at"))
    if not_modified is not None:
        return not_modified
    unit = _("Index (erstes Jahr = 100)") if mode == "index" else unit_label(ind["unit"])
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
    )
    provenance, mixed = _chart_provenance(ts)
    synthetic_years = sorted({y for ln in ts["lines"] for y in ln["synthetic_years"]})
    real = not synthetic_years or mixed
    provenance_lines = _provenance_lines(provenance, real, rel["label"])
    note = _synthetic_note(bool(synthetic_years), mixed)
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
        source=_("Quelle: %(s)s, Datenstand %(r)s", s=ind["source"], r=rel["label"]),
        provenance=provenance_lines,
        licence=_licence_lines(
            url_for("zeitreihe.zeitreihe", **request.args), False, real, provenance_lines
        ),
        synthetic_note=note,
        lang=lang,
    )
    legend = [LegendEntry(ln["color"], ln["name"], ln["dash"] or "") for ln in lines]
    svg = svg_document(Drawing(nested(chart, w, h), w, h), text, legend, legend_beside=False)
    suffix = "_index" if mode == "index" else ""
    return _respond(svg, fmt, f"{ind['id']}_{ts['years'][0]}-{ts['years'][-1]}{suffix}", etag, rel)


@bp.get("/karte/jahre.<any(svg, png):fmt>")
@page_cache
def karte_jahre_image(fmt: str):
    """The small multiples (/karte/jahre?…) as one image: a map per year, one shared legend."""
    st = state_from_request(embed=False)
    release = st["release"]
    shown_years = multiple_years(st)
    etag = multiples_etag(st, shown_years, "bild", EXPORT_VERSION, fmt)
    not_modified = conditional(etag, release["published_at"])
    if not_modified is not None:
        return not_modified
    ctx = multiples_context(st, shown_years)
    ind = ctx["ind"]
    real = not ctx["synthetic"] or ctx["mixed"]
    provenance = _provenance_lines(ctx["provenance"], real, release["label"])
    text = ImageText(
        title=localized(ind, "name"),
        subtitle=_(
            "%(area)s, Kommunen, %(year)s – Einheit: %(unit)s",
            area=region_name(),
            year=year_ranges(shown_years),
            unit=unit_label(ind["unit"]),
        ),
        source=_("Quelle: %(s)s, Datenstand %(r)s", s=ind["source"], r=release["label"]),
        provenance=provenance,
        licence=_licence_lines(url_for("maps.jahre", **request.args), True, real, provenance),
        synthetic_note=_synthetic_note(ctx["synthetic"], ctx["mixed"], marked=False),
        legend_title=_("Legende") + f" ({unit_label(ind['unit'])})",
        notes=[
            f"{ctx['classification_labels'][ctx['method']]}; {_('Klassen über alle gezeigten Jahre')}",
            *_group_note(ctx),
        ],
        lang=str(get_locale()),
    )
    cells = [(str(m["year"]), str(m["svg"])) for m in ctx["maps"]]
    drawing = grid(cells, WIDTH - 2 * MARGIN, grid_columns(len(cells)))
    legend = [LegendEntry(e["color"], e["label"]) for e in ctx["legend"]]
    svg = svg_document(drawing, text, legend, legend_beside=False)
    stem = f"{ind['id']}_{shown_years[0]}-{shown_years[-1]}_jahre"
    return _respond(svg, fmt, stem, etag, release)


# --- disparities ------------------------------------------------------------------------------


def _disparities_etag(kind: str, fmt: str) -> str:
    """ETag of a disparities image: the data version, language, path and query decide it."""
    lang = str(get_locale())
    return etag_for(
        "disparitaeten-bild", EXPORT_VERSION, kind, fmt, data_version_now(), lang, request.full_path
    )


def _disparities_text(
    data: dict,
    flags: tuple[bool, bool, set[str]],
    subtitle: str,
    boundaries: bool,
    legend_title: str = "",
    notes: list[str] | None = None,
    endpoint: str = "disparities.detail",
) -> ImageText:
    """Texts of a disparities image; flags: (synthetic, mixed, release labels) of what it shows."""
    ind, release = data["indicator"], data["release"]
    synthetic, mixed, labels = flags
    sources = indicator_sources(get_conn(), [ind["id"]]).get(ind["id"], {})
    real = not synthetic or mixed
    provenance = _provenance_lines(
        [src | {"release": lab} for lab, src in sources.items() if lab in labels],
        real,
        release["label"],
    )
    page = url_for(endpoint, indicator_id=ind["id"], **request.args)
    return ImageText(
        title=localized(ind, "name"),
        subtitle=subtitle,
        source=_("Quelle: %(s)s, Datenstand %(r)s", s=ind["source"], r=release["label"]),
        provenance=provenance,
        licence=_licence_lines(page, boundaries, real, provenance),
        # The map marks its synthetic Kommunen with *; the chart has no names to mark.
        synthetic_note=_synthetic_note(synthetic, mixed, marked=boundaries),
        legend_title=legend_title,
        notes=notes or [],
        lang=str(get_locale()),
    )


def _row_flags(rows: list[dict]) -> tuple[bool, bool, set[str]]:
    """(synthetic, mixed, release labels) of the values a map shows, from their rows."""
    shown = [r for r in rows if r.get("release_label")]
    flags = {bool(r["synthetic"]) for r in shown}
    return True in flags, flags == {True, False}, {r["release_label"] for r in shown}


@bp.get("/disparitaeten/<indicator_id>/vergleich.<any(svg, png):fmt>")
@page_cache
def disparities_map_image(indicator_id: str, fmt: str):
    """The map of /disparitaeten/<indicator>?jahr=…: each Kommune's verdict against the Region."""
    data = disparities.detail_data(indicator_id)
    etag = _disparities_etag("vergleich", fmt)
    not_modified = conditional(etag)
    if not_modified is not None:
        return not_modified
    ind, year, rows = data["indicator"], data["year"], data["benchmarks"]
    verdicts = {r["ags"]: r["benchmark"]["verdict"] for r in rows}
    fills = {
        r["ags"]: {
            "color": disparities.VERDICT_COLOURS[verdicts[r["ags"]]],
            "label": str(VERDICT_LABELS[verdicts[r["ags"]]]),
            "missing": r["value"] is None,
            "synthetic": r.get("synthetic"),
        }
        for r in rows
    }
    counts = Counter(verdicts.values())
    legend = _counted(
        [
            {
                "color": disparities.VERDICT_COLOURS[v],
                "label": str(VERDICT_LABELS[v]),
                "count": counts[v],
            }
            for v in verdict_order(ind["polarity"])
        ],
        _kommunen,
    )
    # The page's msgids, where %% is Jinja's escape of a percent sign.
    if ind["unit"] == "%":
        method = _("Methode: 95-%%-Konfidenzintervall nach Wilson für den Anteil Zähler/Nenner.")
    else:
        method = _(
            "Methode: 95-%%-Konfidenzintervall nach Byar für eine Poisson-verteilte Zahl (Zähler), geteilt durch den Nenner."
        )
    region_value = rows[0]["region_value"] if rows else None
    flags = _row_flags(rows)
    text = _disparities_text(
        data,
        flags,
        f"{region_name()}, {_('Kommunen im Vergleich mit der Region %(y)s', y=year)}",
        boundaries=True,
        legend_title=_("Legende"),
        notes=[
            f"{_('Regionswert')}: {fmt_value(region_value, ind['decimals'], ind['unit'])}",
            method.replace("%%", "%"),
        ],
    )
    svg = svg_document(_map_drawing(fills, flags[1]), text, legend, legend_beside=True)
    return _respond(svg, fmt, f"{ind['id']}_{year}_vergleich", etag, None)


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
            [(url_for("disparities.detail", indicator_id=ind["id"]), localized(ind, "name"))],
        )
    etag = _disparities_etag("streuung", fmt)
    not_modified = conditional(etag)
    if not_modified is not None:
        return not_modified
    w, h, font = CHART_SIZE
    chart = charts.line_chart(
        lines, years, "", localized(ind, "name"), w, h, point_titles=False, decimals=3, font=font
    )
    # Every year's values: the release summary says whether any is synthetic, any real.
    synthetic, real = bool(release["synthetic"]), release.get("real", not release["synthetic"])
    text = _disparities_text(
        data,
        (synthetic, synthetic and real, set(release.get("releases") or [release["label"]])),
        f"{region_name()}: {_('Streuung zwischen den Kommunen über die Jahre')},"
        f" {years[0]}–{years[-1]}",
        boundaries=False,
    )
    legend = [LegendEntry(ln["color"], ln["name"], ln["dash"] or "") for ln in lines]
    svg = svg_document(Drawing(nested(chart, w, h), w, h), text, legend, legend_beside=False)
    return _respond(svg, fmt, f"{ind['id']}_{years[0]}-{years[-1]}_streuung", etag, None)


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
                    url_for("disparities.clusters", indicator_id=ind["id"], jahr=year),
                    _("Räumliche Cluster"),
                )
            ],
        )
    etag = _disparities_etag("cluster", fmt)
    not_modified = conditional(etag)
    if not_modified is not None:
        return not_modified
    colours, areas = disparities.CLUSTER_COLOURS, result["areas"]
    rows = list(data["values"].values())
    fills = {
        r["ags"]: {
            "color": colours[areas[r["ags"]]["cluster"]],
            "label": str(CLUSTER_LABELS[areas[r["ags"]]["cluster"]]),
            "missing": False,  # a cluster map exists only when every Kommune has a value
            "synthetic": r.get("synthetic"),
        }
        for r in rows
        if r["ags"] in areas
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
    )
    svg = svg_document(_map_drawing(fills, flags[1]), text, legend, legend_beside=True)
    return _respond(svg, fmt, f"{ind['id']}_{year}_cluster", etag, None)


# --- the profile's spine charts -----------------------------------------------------------------

SPINE_BOX = (712, 240)  # x and width of the spine column in the 952 px drawing
_VALUE_X, _REGION_X, _NAME_W = 585, 690, 440  # right edges of the value columns, name column
_TABLES = re.compile(r",? Tabellen? \d[\w-]*(?:, \d[\w-]*)*")  # listed once in the provenance


def _spine_drawing(p: dict, spines: dict[str, tuple], mixed: bool) -> Drawing:
    """One line per indicator with a spine, grouped by topic: name, values, the page's spine."""
    x0, sw = SPINE_BOX
    sh = sw * 22 / 150  # the page's spine keeps its aspect ratio
    width = WIDTH - 2 * MARGIN
    parts = [
        f'<g font-size="14" font-weight="bold" fill="{TEXT}">'
        f'<text x="0" y="14">{escape(_("Kennzahl"))}</text>'
        f'<text x="{_VALUE_X}" y="14" text-anchor="end">{escape(p["area"]["name"])}</text>'
        f'<text x="{_REGION_X}" y="14" text-anchor="end">{escape(_("Region"))}</text>'
        f'<text x="{x0}" y="14">{escape(_("Einordnung"))}</text></g>'
    ]
    y = 22.0
    for t in p["topics"]:
        rows = [r for r in t["rows"] if r["indicator"]["id"] in spines]
        if not rows:
            continue
        y += 24
        parts.append(
            f'<text x="0" y="{y:.1f}" font-size="16" font-weight="bold" fill="{TEXT}">'
            f"{escape(localized(t, 'name'))}</text>"
        )
        y += 8
        for r in rows:
            ind = r["indicator"]
            layout, verdict, label = spines[ind["id"]]
            name = f"{localized(ind, 'name')} ({unit_label(ind['unit'])})"
            lines = wrap(name, 14, _NAME_W)
            h = max(len(lines) * 18 + 4, sh + 6, 36)
            parts.append(f'<path d="M0,{y:.1f}H{width}" stroke="#dddddd"/>')
            mid = y + h / 2
            ty = mid - (len(lines) - 1) * 9 + 5
            for k, line in enumerate(lines):
                parts.append(
                    f'<text x="0" y="{ty + k * 18:.1f}" font-size="14" fill="{TEXT}">'
                    f"{escape(line)}</text>"
                )
            star = "*" if mixed and r["synthetic"] else ""
            value = fmt_value(r["value"], ind["decimals"], ind["unit"]) + star
            region = fmt_value(r["region"], ind["decimals"], ind["unit"])
            parts.append(
                f'<g class="spine-row" data-indicator="{escape(ind["id"])}"'
                f' data-verdict="{verdict}">'
                f'<text x="{_VALUE_X}" y="{mid - 1:.1f}" font-size="14" text-anchor="end"'
                f' fill="{TEXT}">{escape(value)}</text>'
                f'<text x="{_VALUE_X}" y="{mid + 13:.1f}" font-size="11" text-anchor="end"'
                f' fill="{MUTED}">{r["year"]}</text>'
                f'<text x="{_REGION_X}" y="{mid + 5:.1f}" font-size="14" text-anchor="end"'
                f' fill="{TEXT}">{escape(region)}</text>'
                f'<g transform="translate({x0},{mid - sh / 2:.1f})"><title>{escape(label)}</title>'
                f"{nested(str(rank_charts.spine_svg(layout, verdict, label)), sw, sh)}</g></g>"
            )
            y += h
    return Drawing("".join(parts), width, y + 4)


@bp.get("/kommune/<ags>/einordnung.<any(svg, png):fmt>")
@page_cache
def einordnung_image(ags: str, fmt: str):
    """The profile's spine charts (/kommune/<ags>) as one image: a line per indicator."""
    release_id = args.integer("release", args.without("release"), lo=1)
    conn = get_conn()
    try:
        p = profile(conn, ags, release_id)
    except InvalidChoice as err:
        raise choices_error(err, "kommune.profile", ags=ags) from None
    spines = {} if p["is_region"] else spine_rows(conn, p, release_id)
    if not spines:  # the Region's own profile has none (it is the spines' centre)
        raise BadRequestWithChoices(
            404,
            _("Für %(name)s gibt es keine Einordnung unter den Kommunen.", name=p["area"]["name"]),
            [(url_for("kommune.profile", ags=p["area"]["ags"]), p["area"]["name"])],
        )
    etag = _disparities_etag("einordnung", fmt)
    not_modified = conditional(etag)
    if not_modified is not None:
        return not_modified
    rows = [r for t in p["topics"] for r in t["rows"] if r["indicator"]["id"] in spines]
    flags = {bool(r["synthetic"]) for r in rows}
    synthetic, mixed = True in flags, flags == {True, False}
    real = False in flags
    # Dozens of indicators: their tables in one line per release, each attribution once.
    labels = sorted({r["source"] for r in rows if r["source"]})
    official = [r for r in rows if not r["synthetic"] and r.get("provenance")]
    provenance = _provenance_lines(
        [
            {
                "release": lab,
                "tables": ", ".join(
                    sorted(
                        {
                            t.strip()
                            for r in official
                            if r["source"] == lab
                            for t in r["provenance"]["tables"].split(",")
                        }
                    )
                ),
                "source": "; ".join(
                    dict.fromkeys(
                        _TABLES.sub("", r["provenance"]["source"] or "")
                        for r in official
                        if r["source"] == lab
                    )
                ).strip("; "),
            }
            for lab in labels
            if any(r["source"] == lab for r in official)
        ],
        real,
        " + ".join(labels),
    )
    sources = list(dict.fromkeys(_TABLES.sub("", r["indicator"]["source"]) for r in rows))
    name = p["area"]["name"]
    years = year_ranges(sorted({r["year"] for r in rows}))
    note = _synthetic_note(synthetic, False)
    if mixed:
        note = _(
            "Mit * markierte Werte: Beispieldaten (synthetisch, keine amtlichen Zahlen); die übrigen Werte sind amtlich."
        )
    verdicts = {v for _layout, v, _label in spines.values()}
    legend = [
        LegendEntry("#d4d4d4", _("Spannweite der Kommunen (Minimum bis Maximum)")),
        LegendEntry("#8c8c8c", _("mittlere Hälfte (25. bis 75. Perzentil)")),
        LegendEntry("#1a1a1a", region_name(), ""),
        *(
            LegendEntry(rank_charts.VERDICT_COLOURS[v], str(VERDICT_LABELS[v]))
            for v in rank_charts.VERDICT_COLOURS
            if v in verdicts
        ),
    ]
    text = ImageText(
        title=_(
            "%(name)s: Einordnung unter den Kommunen der Region, %(years)s",
            name=name,
            years=years,
        ),
        subtitle=_(
            "%(region)s – wo %(name)s unter den Kommunen liegt: die Mitte ist der Wert der Region; günstigere Werte liegen immer rechts (bei Kennzahlen ohne Wertung: höhere).",
            name=name,
            region=region_name(),
        ),
        source=_("Quelle: %(s)s, Datenstand %(r)s", s="; ".join(sources), r=" + ".join(labels)),
        provenance=provenance,
        licence=_licence_lines(
            url_for("kommune.profile", ags=p["area"]["ags"], **request.args),
            False,
            real,
            provenance,
        ),
        synthetic_note=note,
        legend_title=_("Legende der Einordnung"),
        lang=str(get_locale()),
    )
    svg = svg_document(_spine_drawing(p, spines, mixed), text, legend, legend_beside=False)
    return _respond(svg, fmt, f"{p['area']['ags']}_einordnung", etag, None)
