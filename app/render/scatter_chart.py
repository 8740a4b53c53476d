"""Server-rendered SVG of a scatter plot (bubbles ∝ population) and of its small map.

The page draws the chart twice (wide and narrow, CSS shows the one that fits, as app/render/charts.py
does) so its text stays ≥ 11 px on a phone. The dots and map shapes carry `data-ags`; the page
script (static/js/streuung.js) makes them focusable checkboxes and links them (brushing). The
same drawing, with title, source and licence inside, is the downloadable image.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count

from markupsafe import Markup, escape

from app.render.charts import decimals_for, nice_ticks
from app.render.formatting import fmt_value
from indicators.scatter import Regression, bubble_radius
from indicators.scatter_queries import Scatter, ScatterPoint

# (width, plot height, font, largest radius): SVG text scales with its box, so the phone gets its
# own drawing whose 12.5-unit text stays >= 11 px at 390 px. The drawing's height follows from
# the plot, the wrapped axis titles and the size key.
WIDE = (800, 380, 13, 30)
NARROW = (360, 300, 12.5, 18)
MIN_RADIUS = 3.5
DOT_FILL, DOT_STROKE = "#2c7fb8", "#08306b"  # ColorBrewer blues: ≥ 3:1 against white
SELECTED_FILL = "#e66101"  # orange: apart from blue for colour-blind readers too
REGION_COLOR = "#1a1a1a"
LINE_COLOR = "#b2182b"
MAP_FILL, MAP_NO_DATA = "#c6dbef", "#f0f0f0"

_ids = count(1)


@dataclass(frozen=True)
class ChartText:
    """The chart's words in the page's language (the view translates them)."""

    x_label: str  # indicator name with unit
    y_label: str
    x_unit: str
    y_unit: str
    x_decimals: int
    y_decimals: int
    title: str  # text alternative of the whole chart
    size_key: str  # "Fläche ∝ Einwohnerzahl"
    inhabitants: Callable[[float], str]  # 100000 → "100.000 Einw."
    dot_label: Callable[[ScatterPoint], str]  # the accessible name of a dot
    line_label: str = ""  # "Gerade der kleinsten Quadrate"
    region_label: str = ""


@dataclass
class Frame:
    """Where the plot sits in a drawing and how values map to it."""

    width: float
    height: float
    font: float
    left: float
    top: float
    right: float
    bottom: float
    xt: list[float] = field(default_factory=list)
    yt: list[float] = field(default_factory=list)
    x_lines: list[str] = field(default_factory=list)  # the axis titles, wrapped
    y_lines: list[str] = field(default_factory=list)
    key_top: float = 0.0  # where the size key starts

    def px(self, v: float) -> float:
        """x value → drawing units."""
        lo, hi = self.xt[0], self.xt[-1]
        return self.left + (v - lo) / ((hi - lo) or 1) * (self.right - self.left)

    def py(self, v: float) -> float:
        """y value → drawing units (upwards)."""
        lo, hi = self.yt[0], self.yt[-1]
        return self.bottom - (v - lo) / ((hi - lo) or 1) * (self.bottom - self.top)


def _padded_ticks(values: list[float], n: int) -> list[float]:
    """Round ticks spanning the values with a little room, so bubbles at the ends stay inside."""
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.06
    ticks = nice_ticks(lo - pad, hi + pad, n)
    if lo >= 0 and ticks[0] < 0:  # shares and rates never go below zero
        ticks = [t for t in ticks if t >= 0]
        ticks = ticks if ticks[0] == 0 else [0.0, *ticks]
    return ticks


def _clip_line(reg: Regression, f: Frame) -> tuple[float, float, float, float] | None:
    """The regression line between the plot's edges (in values), or None if it misses them."""
    x0, x1 = f.xt[0], f.xt[-1]
    y0, y1 = f.yt[0], f.yt[-1]
    pts = []
    for x in (x0, x1):
        y = reg.at(x)
        if y0 <= y <= y1:
            pts.append((x, y))
    if reg.slope:
        for y in (y0, y1):
            x = (y - reg.intercept) / reg.slope
            if x0 < x < x1:
                pts.append((x, y))
    pts = sorted(set(pts))
    if len(pts) < 2:
        return None
    return pts[0][0], pts[0][1], pts[-1][0], pts[-1][1]


def _wrap(text: str, width: float, font: float) -> list[str]:
    """Break text into lines that fit a width (about 0.55 em per character)."""
    per_line = max(10, int(width / (font * 0.55)))
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > per_line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines


def _key_refs(largest: float | None) -> list[int]:
    """The two round populations shown in the size key (at most the largest Kommune's)."""
    if not largest:
        return []
    return [v for v in (5_000, 10_000, 50_000, 100_000, 500_000) if v <= largest][-2:]


def _frame(s: Scatter, txt: ChartText, size: tuple, largest: float | None) -> Frame:
    width, plot_h, font, r_max = size
    xs = [p.x.value for p in s.drawn] + ([s.region.x.value] if _has(s.region) else [])
    ys = [p.y.value for p in s.drawn] + ([s.region.y.value] if _has(s.region) else [])
    n_ticks = 6 if width > 500 else 4
    xt, yt = _padded_ticks(xs, n_ticks), _padded_ticks(ys, 5)
    y_dec = decimals_for(yt)
    widest = max(len(fmt_value(t, y_dec)) for t in yt)
    left = max(font * 3, widest * font * 0.62 + 10)
    y_lines = _wrap("↑ " + txt.y_label, width - 8, font)
    x_lines = _wrap(txt.x_label + " →", width - left - 14, font)
    top = font * (1.35 * len(y_lines) + 1.2)
    bottom = top + plot_h
    key_top = bottom + font * (1.9 + 1.35 * len(x_lines))
    refs = _key_refs(largest)
    r_ref = bubble_radius(refs[-1], largest, r_max, MIN_RADIUS) if refs else 0
    height = key_top + (font * 1.5 + 2 * r_ref + 6 if refs else 0)
    return Frame(
        width=width,
        height=height,
        font=font,
        left=left,
        top=top,
        right=width - 14,
        bottom=bottom,
        xt=xt,
        yt=yt,
        x_lines=x_lines,
        y_lines=y_lines,
        key_top=key_top,
    )


def _has(p: ScatterPoint | None) -> bool:
    return p is not None and p.complete


def _axes(f: Frame, txt: ChartText, uid: str) -> list[str]:
    font, x_dec, y_dec = f.font, decimals_for(f.xt), decimals_for(f.yt)
    grid = "".join(f"M{f.left:.1f},{f.py(t):.1f}H{f.right:.1f}" for t in f.yt)
    grid += "".join(f"M{f.px(t):.1f},{f.top:.1f}V{f.bottom:.1f}" for t in f.xt)
    parts = [
        f'<path d="{grid}" stroke="#e0e0e0" fill="none"/>',
        f'<path d="M{f.left:.1f},{f.top:.1f}V{f.bottom:.1f}H{f.right:.1f}" stroke="#666"'
        ' fill="none"/>',
        f'<g font-size="{font}" fill="#333" text-anchor="end">',
        *(
            f'<text x="{f.left - 6:.1f}" y="{f.py(t) + font * 0.35:.1f}">'
            f"{escape(fmt_value(t, y_dec))}</text>"
            for t in f.yt
        ),
        f'</g><g font-size="{font}" fill="#333" text-anchor="middle">',
        *(
            f'<text x="{f.px(t):.1f}" y="{f.bottom + font * 1.3:.1f}">'
            f"{escape(fmt_value(t, x_dec))}</text>"
            for t in f.xt
        ),
        "</g>",
        # Axis titles written horizontally (turned text is hard to read on a phone), wrapped.
        f'<g font-size="{font}" fill="#1a1a1a" font-weight="bold">',
        f'<text id="{uid}-ylab">',
        *(
            f'<tspan x="4" y="{font * (1.2 + 1.35 * i):.1f}">{escape(line)}</tspan>'
            for i, line in enumerate(f.y_lines)
        ),
        f'</text><text id="{uid}-xlab" text-anchor="end">',
        *(
            f'<tspan x="{f.right:.1f}" y="{f.bottom + font * (2.8 + 1.35 * i):.1f}">'
            f"{escape(line)}</tspan>"
            for i, line in enumerate(f.x_lines)
        ),
        "</text></g>",
    ]
    return parts


def _size_key(f: Frame, txt: ChartText, r_max: float, largest: float) -> list[str]:
    """Reference circles below the axis: the dots' area is proportional to the population."""
    refs = _key_refs(largest)
    if not refs:
        return []
    r_big = bubble_radius(refs[-1], largest, r_max, MIN_RADIUS)
    parts = [
        f'<g class="size-key" font-size="{f.font}" fill="#333">',
        f'<text x="{f.left:.1f}" y="{f.key_top + f.font:.1f}">{escape(txt.size_key)}</text>',
    ]
    x, y = f.left, f.key_top + f.font * 1.5 + r_big
    for v in refs:
        r = bubble_radius(v, largest, r_max, MIN_RADIUS)
        parts.append(
            f'<circle cx="{x + r:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="none" stroke="{DOT_STROKE}"/>'
        )
        label = txt.inhabitants(v)
        parts.append(
            f'<text x="{x + 2 * r + 4:.1f}" y="{y + f.font * 0.35:.1f}">{escape(label)}</text>'
        )
        x += 2 * r + 16 + len(label) * f.font * 0.55
    parts.append("</g>")
    return parts


def _label_at(x: float, y: float, r: float, f: Frame, text: str) -> tuple[float, float, str]:
    """Where a dot's name goes: right of it, or left where it would leave the plot."""
    w = len(text) * f.font * 0.58
    if x + r + 3 + w > f.width - 2:
        return x - r - 3, y + f.font * 0.35, "end"
    return x + r + 3, y + f.font * 0.35, "start"


def scatter_svg(
    s: Scatter,
    txt: ChartText,
    size: tuple[float, float, float, float] = WIDE,
    selected: frozenset[str] = frozenset(),
    short: Callable[[str], str] = str,
    standalone: bool = False,
) -> tuple[Markup, float]:
    """The chart as <svg> markup and its height; the dots carry data-ags for the page script.

    standalone: no ids or classes the page script needs, labels only for the selection.
    """
    width, _plot_h, font, r_max = size
    uid = f"sc{next(_ids)}"
    largest = max((p.population.value or 0 for p in s.drawn), default=0) or None
    f = _frame(s, txt, size, largest)
    height = f.height
    parts = [
        f'<svg class="scatter" viewBox="0 0 {width} {height:.0f}" role="img"'
        f' aria-labelledby="{uid}-t" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{uid}-t">{escape(txt.title)}</title>',
        f'<defs><clipPath id="{uid}-clip"><rect x="{f.left}" y="{f.top}"'
        f' width="{f.right - f.left:.1f}" height="{f.bottom - f.top:.1f}"/></clipPath></defs>',
        *_axes(f, txt, uid),
    ]
    reg = s.regression
    seg = _clip_line(reg, f) if reg else None
    if seg:
        x0, y0, x1, y1 = seg
        parts.append(
            f'<line class="fit" x1="{f.px(x0):.1f}" y1="{f.py(y0):.1f}" x2="{f.px(x1):.1f}"'
            f' y2="{f.py(y1):.1f}" stroke="{LINE_COLOR}" stroke-width="2" stroke-dasharray="8 4"'
            f' clip-path="url(#{uid}-clip)"/>'
        )
    # Biggest first, so that small towns are drawn on top of Hannover and stay reachable.
    dots = sorted(s.drawn, key=lambda p: (-(p.population.value or 0), p.ags))
    parts.append(f'<g class="dots" fill="{DOT_FILL}" fill-opacity="0.55" stroke="{DOT_STROKE}">')
    labels = []
    for p in dots:
        cx, cy = f.px(p.x.value), f.py(p.y.value)
        r = bubble_radius(p.population.value, largest, r_max, MIN_RADIUS)
        is_sel = p.ags in selected
        sel = " is-selected" if is_sel else ""
        fill = f' fill="{SELECTED_FILL}" fill-opacity="0.85"' if is_sel and standalone else ""
        parts.append(
            f'<circle class="dot{sel}" data-ags="{p.ags}" cx="{cx:.1f}" cy="{cy:.1f}"'
            f' r="{r:.1f}"{fill}><title>{escape(txt.dot_label(p))}</title></circle>'
        )
        if is_sel or not standalone:
            lx, ly, anchor = _label_at(cx, cy, r, f, short(p.name))
            labels.append(
                f'<text class="dot-label{sel}" data-ags="{p.ags}" x="{lx:.1f}" y="{ly:.1f}"'
                f' text-anchor="{anchor}">{escape(short(p.name))}</text>'
            )
    parts.append("</g>")
    if _has(s.region):
        rp = s.region
        cx, cy, d = f.px(rp.x.value), f.py(rp.y.value), font * 0.75
        parts.append(
            f'<path class="region-mark" d="M{cx:.1f},{cy - d:.1f}L{cx + d:.1f},{cy:.1f}'
            f'L{cx:.1f},{cy + d:.1f}L{cx - d:.1f},{cy:.1f}Z" fill="#fff" stroke="{REGION_COLOR}"'
            f' stroke-width="2.5"><title>{escape(txt.dot_label(rp))}</title></path>'
        )
        lx, ly, anchor = _label_at(cx, cy, d, f, txt.region_label or rp.name)
        labels.append(
            f'<text class="region-label" x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}"'
            f' font-weight="bold">{escape(txt.region_label or rp.name)}</text>'
        )
    # Names on top of every dot, with a white halo so they stay legible over bubbles.
    parts.append(
        f'<g class="dot-labels" font-size="{font}" fill="#1a1a1a" stroke="#fff"'
        ' stroke-width="3" paint-order="stroke" aria-hidden="true">'
    )
    parts += labels
    parts.append("</g>")
    if largest:
        parts += _size_key(f, txt, r_max, largest)
    parts.append("</svg>")
    return Markup("".join(parts)), height


def responsive_scatter(
    s: Scatter, txt: ChartText, selected: frozenset[str], short: Callable[[str], str]
) -> Markup:
    """The chart drawn wide and narrow; the stylesheet shows the one that fits."""
    if not s.drawn:
        return Markup("")
    wide, _h = scatter_svg(s, txt, WIDE, selected, short)
    narrow, _h = scatter_svg(s, txt, NARROW, selected, short)
    return Markup(f'<div class="chart-wide">{wide}</div><div class="chart-narrow">{narrow}</div>')


def standalone_svg(
    s: Scatter,
    txt: ChartText,
    heading: list[str],
    footer: list[str],
    selected: frozenset[str] = frozenset(),
    short: Callable[[str], str] = str,
    description: str = "",
    lang: str = "de",
) -> str:
    """A complete SVG document: heading lines, the chart, then source and licence lines; named
    by its <title> and described by its <desc> (what it shows, app.render.figure_text, then
    the other heading lines, source and licence)."""
    width, font = WIDE[0], WIDE[2]
    head = [line for text in heading for line in _wrap(text, width - 40, font * 1.25)]
    foot = [line for text in footer for line in _wrap(text, width - 40, font * 0.9)]
    head_h = 20 + len(head) * font * 1.6
    chart, chart_h = scatter_svg(s, txt, WIDE, selected, short, standalone=True)
    foot_h = 12 + len(foot) * font * 1.25
    total = head_h + chart_h + foot_h
    # The chart is nested as an <svg> of its own (its viewBox keeps its coordinates).
    chart = str(chart).replace(
        "<svg ", f'<svg x="0" y="{head_h:.0f}" width="{width}" height="{chart_h:.0f}" ', 1
    )
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" xml:lang="{escape(lang)}" width="{width}"'
        f' height="{total:.0f}" viewBox="0 0 {width} {total:.0f}"'
        ' font-family="DejaVu Sans, Arial, sans-serif" role="img"'
        ' aria-labelledby="export-title export-desc">',
        f'<title id="export-title">{escape(" – ".join(heading[:1]))}</title>',
        f'<desc id="export-desc">{escape(" ".join(t for t in [description, *heading[1:], *footer] if t))}</desc>',
        f'<rect width="{width}" height="{total:.0f}" fill="#fff"/>',
    ]
    y = 16.0
    for i, line in enumerate(head):
        y += font * 1.6
        weight = ' font-weight="bold"' if i == 0 else ""
        parts.append(
            f'<text x="20" y="{y:.0f}" font-size="{font * 1.25:.1f}"{weight}'
            f' fill="#1a1a1a">{escape(line)}</text>'
        )
    parts.append(chart)
    y = head_h + chart_h + 4
    for line in foot:
        y += font * 1.25
        parts.append(
            f'<text x="20" y="{y:.0f}" font-size="{font * 0.9:.1f}" fill="#333">'
            f"{escape(line)}</text>"
        )
    parts.append("</svg>\n")
    return "".join(parts)


def map_svg(
    shapes: dict,
    s: Scatter,
    selected: frozenset[str],
    title: str,
    label: Callable[[ScatterPoint], str],
) -> Markup:
    """The small map of the Kommunen: every shape carries data-ags and its name as <title>."""
    by_ags = {p.ags: p for p in s.points}
    uid = f"sm{next(_ids)}"
    parts = [
        f'<svg class="streuung-map-svg" viewBox="{shapes["viewbox"]}" role="img"'
        f' aria-labelledby="{uid}-t" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{uid}-t">{escape(title)}</title>'
    ]
    for shape in shapes["shapes"]:
        p = by_ags.get(shape["ags"])
        fill = MAP_FILL if p is not None and p.complete else MAP_NO_DATA
        sel = " is-selected" if shape["ags"] in selected else ""
        name = label(p) if p is not None else shape["name"]
        parts.append(
            f'<path class="map-shape{sel}" data-ags="{shape["ags"]}" d="{shape["d"]}"'
            f' fill="{fill}"><title>{escape(name)}</title></path>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def label_positions(shapes: dict) -> list[dict]:
    """Per shape its label point in per cent of the map box (HTML labels stay readable)."""
    vb = [float(v) for v in shapes["viewbox"].split()]
    return [
        {
            "ags": sh["ags"],
            "name": sh["name"],
            "left": round((sh["lx"] - vb[0]) / vb[2] * 100, 2),
            "top": round((sh["ly"] - vb[1]) / vb[3] * 100, 2),
        }
        for sh in shapes["shapes"]
    ]


def fmt_r(value: float | None) -> str:
    """r or R² with two decimals ('–' where undefined)."""
    return fmt_value(value, 2) if value is not None and math.isfinite(value) else "–"
