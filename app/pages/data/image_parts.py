"""What the image exports (app.pages.export) share: the answer's caching, the licence,
provenance and Beispieldaten lines, the Kommunen map drawing and counted legends."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Response, request
from flask_babel import get_locale, ngettext
from markupsafe import escape

from app.pages.data.notes import public_notes
from app.render.image_export import Drawing, LegendEntry, png_response, svg_response
from app.render.label_placement import PlacedLabel, place_labels
from app.render.maps import DIMMED_OPACITY, GROUP_OUTLINE, NO_DATA_DASH, OUTLINE, short_name
from app.render.notes import footnotes
from app.web.attribution import licence_name
from app.web.cache import InputMemo
from app.web.db import get_conn
from app.web.home import site_name
from app.web.http_cache import cached, data_version_now, domain_cache, etag_for
from app.web.i18n import gettext as _
from app.web.security import public_url
from geodata import attribution
from indicators.disparities import svg_shapes
from indicators.model import ShownRelease
from indicators.queries import ShownProvenance

EXPORT_VERSION = "2"  # bump when the images' layout changes, so cached copies are revalidated
FORMATS = ("svg", "png")
MAP_WIDTH = 620  # pixels of the map inside the 1000 px image (the legend takes the rest)
CHART_SIZE = (952, 420, 15)  # width, height, font size of the exported line chart


def image_response(
    svg: str, fmt: str, filename: str, etag: str, release: ShownRelease | None
) -> Response:
    """The image in its format with the page's caching (ETag, Cache-Control, Vary)."""
    resp = png_response(svg, filename) if fmt == "png" else svg_response(svg, filename)
    resp = cached(resp, etag, release.published_at if release else None)
    if release is not None and release.status == "draft":  # an editor's preview
        resp.cache_control.public = False
        resp.cache_control.no_store = True
    return resp


def licence_lines(page_url: str, boundaries: bool, real: bool, provenance: list[str]) -> list[str]:
    """Attribution of the boundaries and the official data, and the page the image comes from."""
    lines = []
    if boundaries:
        lines.append(
            _(
                "Gebietsgrenzen: %(a)s, %(licence)s (%(id)s, %(u)s).",
                a=attribution.BOUNDARIES,
                licence=licence_name(),
                id=attribution.LICENCE,
                u=attribution.LICENCE_URL,
            )
        )
    if real and not any(attribution.LICENCE in line for line in provenance):
        lines.append(
            _(
                "Amtliche Daten: %(licence)s (%(id)s).",
                licence=licence_name(),
                id=attribution.LICENCE,
            )
        )
    lines.append(_("Erstellt mit %(site)s: %(url)s", site=site_name(), url=public_url() + page_url))
    return lines


def provenance_lines(
    provenance: list[ShownProvenance], real: bool, release_label: str
) -> list[str]:
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


def synthetic_note(synthetic: bool, mixed: bool, marked: bool = True) -> str:
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


LABEL_SIZE = 11  # px, the names on an exported map
LEADER_COLOR = "#1a1a1a"


def label_svg(p: PlacedLabel) -> str:
    """One placed name: its leader line and dot (when moved off its point), halo, text."""
    name = escape(p.text)
    parts = []
    if p.leader:
        ax, ay, ex, ey = p.leader
        parts.append(
            f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" stroke="#ffffff"'
            f' stroke-width="2.5" stroke-linecap="round"/><line x1="{ax:.1f}" y1="{ay:.1f}"'
            f' x2="{ex:.1f}" y2="{ey:.1f}" stroke="{LEADER_COLOR}" stroke-width="0.8"/>'
            f'<circle cx="{ax:.1f}" cy="{ay:.1f}" r="1.6" fill="{LEADER_COLOR}"'
            ' stroke="#ffffff" stroke-width="0.8"/>'
        )
    common = f'x="{p.x:.1f}" y="{p.y:.1f}" font-size="{LABEL_SIZE}" text-anchor="middle"'
    # A white halo drawn first keeps names readable on dark classes (no paint-order needed).
    parts.append(
        f'<text {common} fill="#ffffff" stroke="#ffffff" stroke-width="3"'
        f' stroke-linejoin="round">{name}</text><text {common} fill="#1a1a1a">{name}</text>'
    )
    return f'<g class="map-label" data-ags="{p.key}">{"".join(parts)}</g>'


_PLACED = InputMemo(64)  # placed names per input (the map of the Kommunen: one or two)


def map_drawing(fills: dict[str, dict], starred: bool) -> Drawing:
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
    names = [
        (
            s["ags"],
            short_name(s["name"])
            + (" *" if starred and fills.get(s["ags"], {}).get("synthetic") else ""),
            (s["lx"] - x0) / per_px,
            (s["ly"] - y0) / per_px,
        )
        for s in shapes["shapes"]
    ]
    # Where each name goes depends only on the names, their points and the drawing's size:
    # placed once per process for these (the key is the whole input), so a publish of values,
    # which leaves them as they were, does not place them again (issue #32: ~10–25 ms of a
    # first export after a publish).
    placed = _PLACED.get_or_build(
        (tuple(names), width, height, LABEL_SIZE),
        lambda: place_labels(names, width, height, LABEL_SIZE),
    )
    labels = [label_svg(p) for p in placed]
    markup = (
        f'<svg x="0" y="0" width="{width:.1f}" height="{height:.1f}"'
        f' viewBox="{shapes["viewbox"]}">{"".join(paths)}</svg>'
        f'<g xml:lang="de">{"".join(labels)}</g>'
    )
    return Drawing(markup, width, height)


def note_footnotes(
    indicator_id: str, areas: Iterable[tuple[str, str]], years: Iterable[int]
) -> list[str]:
    """The Kontextnotizen an image shows, as its footnote lines (app.render.notes.footnotes):
    the public notes of the indicator for these areas (ags, name) about any of these years, in
    the areas' order, each (area, note) once. Every map image takes its notes from here: the
    Kommunen map (its year), the change map (von to bis), the small multiples (the shown years)
    and a territory's map (its year; the territory's own notes first)."""
    noted = public_notes()
    shown = sorted(set(years))
    return footnotes(
        (name, n) for ags, name in areas for y in shown for n in noted.at(ags, indicator_id, y)
    )


def counted_legend(legend: list[dict], count: Callable[[int], str]) -> list[LegendEntry]:
    """Legend rows with their number of areas: "1,0 – 2,0 % (3 Kommunen)"."""
    return [LegendEntry(e["color"], f"{e['label']} ({count(e['count'])})") for e in legend]


def kommunen_count(n: int) -> str:
    return ngettext("%(num)d Kommune", "%(num)d Kommunen", n)


def disparities_etag(kind: str, fmt: str) -> str:
    """ETag of a disparities image: the data version, language, path and query decide it."""
    lang = str(get_locale())
    return etag_for(
        "disparitaeten-bild", EXPORT_VERSION, kind, fmt, data_version_now(), lang, request.full_path
    )
