"""Server-rendered SVG charts (sparklines, line charts): no chart library, no JavaScript.

Every chart is an inline <svg role="img"> with a text alternative; the page shows the same data
as a table (and offers it as CSV/XLSX), so the picture is never the only way to read the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import count

from markupsafe import Markup, escape

from app.render.formatting import fmt_value
from app.render.maps import SYNTHETIC_DASH
from app.render.provenance_marks import line_kind
from app.web.i18n import gettext as _

Point = tuple[int, float | None]

# ColorBrewer "Dark2" (qualitative, colour-blind-safer than Set1); the Region is drawn in near-black.
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
REGION_COLOR = "#1a1a1a"
# Dash patterns so lines differ by more than colour (WCAG 1.4.1).
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 4", "3 6")
MAX_LINES = len(PALETTE)
# One colour and dash per Kommune on every page (AGS 03241001 … 03241021), so Hannover looks the
# same in the comparison and the time series. ColorBrewer Dark2 and the dark half of Paired and
# Set1, each at least 3:1 against white (WCAG 1.4.11); the dash tells neighbours in the list apart.
KOMMUNE_COLORS = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#a6761d",
    "#5a9a18",
    "#1f78b4",
    "#e31a1c",
    "#6a3d9a",
    "#b15928",
    "#377eb8",
    "#33a02c",
    "#984ea3",
    "#a65628",
    "#4d4d4d",
    "#c51b7d",
    "#4d9221",
    "#2166ac",
    "#b2182b",
    "#8c510a",
    "#01665e",
)
# Strong dash patterns for the Kommunen (faint dots would be hard to see in small charts).
KOMMUNE_DASHES = ("", "9 3", "4 3", "12 3 3 3", "6 2 2 2", "14 4", "3 2")
# Wide and narrow drawings of a chart: SVG text scales with its box, so a phone gets its own
# drawing whose 12.5-unit text stays >= 11 px at 390 px (CSS picks one, the other is display:none).
WIDE, NARROW = (800, 300, 13), (360, 260, 12.5)
BREAK_COLOR = "#b30000"  # series breaks: dark red, 7:1 against white
NOTE_COLOR = "#6b3d00"  # Kontextnotizen' markers: dark brown, 9:1 against white

_ids = count(1)


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About n round tick values spanning lo..hi (1, 2, 2.5, 5 × 10^k steps)."""
    if lo == hi:
        lo, hi = (lo - 1, hi + 1) if lo == 0 else (lo - abs(lo) * 0.1, hi + abs(hi) * 0.1)
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t < hi + step * 0.999:
        ticks.append(round(t, 10))
        t += step
    return ticks


def decimals_for(ticks: list[float]) -> int:
    """Decimals needed to write the tick values distinctly."""
    if len(ticks) < 2:
        return 0
    step = abs(ticks[1] - ticks[0])
    return max(0, -math.floor(math.log10(step))) if step < 1 else (1 if step % 1 else 0)


def _segments(
    points: list[tuple[float, float | None]], parts: Sequence[int] | None = None
) -> list[list[tuple[float, float]]]:
    """Split a line at missing values and where `parts` (a series segment per point) changes:
    a gap or a series break is drawn as a gap, never joined."""
    segs: list[list[tuple[float, float]]] = [[]]
    prev = None
    for k, (x, y) in enumerate(points):
        part = parts[k] if parts is not None else 0
        if (y is None or part != prev) and segs[-1]:
            segs.append([])
        if y is not None:
            segs[-1].append((x, y))
        prev = part
    return [s for s in segs if s]


def _parts(years: Sequence[int], breaks: Sequence[int]) -> list[int] | None:
    """Per year its series segment (how many break years are <= it), None without breaks."""
    if not breaks:
        return None
    return [sum(1 for b in breaks if b <= y) for y in years]


def _path(segs: list[list[tuple[float, float]]], nd: int = 1) -> str:
    return " ".join("M" + " L".join(f"{x:.{nd}f},{y:.{nd}f}" for x, y in s) for s in segs)


def sparkline(
    values: list[Point],
    label: str,
    reference: list[Point] | None = None,
    width: int = 110,
    height: int = 28,
    breaks: Sequence[int] = (),
    synthetic: bool = False,
) -> Markup:
    """A tiny line of one series (optionally a grey reference line, e.g. the Region); a
    synthetic series (Beispieldaten, demo mode) dotted with a hollow end point.

    `breaks` are the years of series breaks: neither line joins two points across one.
    """
    all_vals = [v for _, v in values + (reference or []) if v is not None]
    years = sorted({y for y, _ in values + (reference or [])})
    if not all_vals or not years:
        return Markup("")
    lo, hi = min(all_vals), max(all_vals)
    span = (hi - lo) or 1.0
    pad = 3

    def xy(pts: list[Point]) -> list[tuple[float, float | None]]:
        nx = max(len(years) - 1, 1)
        return [
            (
                pad + (years.index(y) / nx) * (width - 2 * pad),
                None if v is None else height - pad - (v - lo) / span * (height - 2 * pad),
            )
            for y, v in pts
        ]

    parts = [
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-label="{escape(label)}" focusable="false">'
    ]
    if reference:
        ref_parts = _parts([y for y, _ in reference], breaks)
        parts.append(
            f'<path d="{_path(_segments(xy(reference), ref_parts))}" fill="none" stroke="#999"'
            ' stroke-width="1" stroke-dasharray="3 2"/>'
        )
    segs = _segments(xy(values), _parts([y for y, _ in values], breaks))
    dots = f' stroke-dasharray="{SYNTHETIC_DASH}"' if synthetic else ""
    parts.append(f'<path d="{_path(segs)}" fill="none" stroke="#00507d" stroke-width="1.8"{dots}/>')
    if segs:
        x, y = segs[-1][-1]
        end = 'fill="#fff" stroke="#00507d"' if synthetic else 'fill="#00507d"'
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" {end}/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    lines: list[dict],
    years: list[int],
    unit: str = "",
    title: str = "",
    width: int = 640,
    height: int = 260,
    point_titles: bool = True,
    decimals: int = 1,
    font: float = 11,
    breaks: Sequence[int] = (),
    label: str = "",
) -> Markup:
    """A line chart: lines = [{'name', 'points': [(year, value)], 'color', 'dash'}], x = years.

    label: the chart's text alternative (app.render.figure_text: its series and their ends) as
    its aria-label instead of the title (a tagged PDF carries the accessible name as /Alt).

    The unit is written above the value axis, clear of the top tick; a single year is drawn
    as points in the middle (a line needs two). `breaks` are the years of series breaks: no
    line joins two points across one, and a dashed red rule labelled with the year marks it.
    """
    vals = [v for ln in lines for _, v in ln["points"] if v is not None]
    if not vals or not years:
        return Markup("")
    ticks = nice_ticks(min(vals), max(vals))
    lo, hi = ticks[0], ticks[-1]
    tick_dec = decimals_for(ticks)
    left, right = round(font * 5.8), 14
    top, bottom = round(font * 2.4) if unit else 12, round(font * 2.5)
    pw, ph = width - left - right, height - top - bottom
    nx = max(len(years) - 1, 1)

    def px(year: int) -> float:
        if len(years) == 1:
            return left + pw / 2
        return left + (years.index(year) / nx) * pw

    def py(v: float) -> float:
        return top + ph - (v - lo) / ((hi - lo) or 1) * ph

    # A line without any value in the chart's years (a benchmark whose source has none): the
    # chart says so in its name and in view, instead of a legend entry with nothing drawn.
    absent = [
        str(ln["name"])
        for ln in lines
        if ln.get("name") and not any(v is not None for y, v in ln["points"] if y in years)
    ]
    missing = "; ".join(_("%(name)s: nicht verfügbar", name=n) for n in absent)
    if missing:
        title = f"{title} – {missing}" if title else missing
        label = f"{label} – {missing}" if label else ""
    cid = next(_ids)
    # Shared attributes sit on <g> groups and the grid is one path: 105 charts on a page add up.
    grid = "".join(f"M{left},{py(t):.0f}H{width - right}" for t in ticks)
    # str(): a figure_text.Description would mark its names with <span lang> in an attribute.
    name = f'aria-label="{escape(str(label))}"' if label else f'aria-labelledby="chart-t{cid}"'
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img"'
        f' {name} focusable="false">'
        f'<title id="chart-t{cid}">{escape(title)}</title>'
        f'<path d="{grid}" stroke="#ddd"/>'
        f'<path d="M{left},{top + ph}H{width - right}" stroke="#666"/>'
        f'<g font-size="{font}" fill="#333" text-anchor="end">'
    ]
    parts += [
        f'<text x="{left - 6}" y="{py(t) + font * 0.35:.0f}">{escape(fmt_value(t, tick_dec))}</text>'
        for t in ticks
    ]
    parts.append(f'</g><g font-size="{font}" fill="#333" text-anchor="middle">')
    step = max(1, math.ceil(len(years) * font * 3.1 / pw))  # room for a four-digit year
    parts += [
        f'<text x="{px(yr):.0f}" y="{height - font * 0.7:.0f}">{yr}</text>'
        for i, yr in enumerate(years)
        if i % step == 0 or i == len(years) - 1 and i % step >= step / 2
    ]
    parts.append("</g>")
    if unit:  # above the axis, so it never sits on the top tick value
        parts.append(
            f'<text x="4" y="{font:.0f}" font-size="{font}" fill="#333">{escape(unit)}</text>'
        )
    # A break between two drawn years: a rule halfway between them (years before the first or
    # after the last drawn year split nothing on this chart).
    last_x, row = None, 0
    for b in sorted(set(breaks)):
        before = [y for y in years if y < b]
        after = [y for y in years if y >= b]
        if not before or not after:
            continue
        bx = (px(before[-1]) + px(after[0])) / 2
        label = escape(_("Bruch %(y)s", y=b))
        # Breaks close together: their labels step down a line instead of overlapping.
        row = row + 1 if last_x is not None and bx - last_x < font * 6 else 0
        last_x = bx
        parts.append(
            f'<g class="chart-break"><path d="M{bx:.1f},{top}V{top + ph}" stroke="{BREAK_COLOR}"'
            f' stroke-width="1.5" stroke-dasharray="5 3"/><text x="{bx + 4:.1f}"'
            f' y="{top + font * (1 + 1.2 * row):.0f}" font-size="{font}" fill="{BREAK_COLOR}"'
            f' stroke="#fff" stroke-width="3" paint-order="stroke">{label}</text></g>'
        )
    for ln in lines:
        drawn = [(y, v) for y, v in ln["points"] if y in years]
        pts = [(px(y), None if v is None else py(v)) for y, v in drawn]
        dash = f' stroke-dasharray="{ln["dash"]}"' if ln.get("dash") else ""
        segs = _segments(pts, _parts([y for y, _ in drawn], breaks))
        parts.append(
            f'<path d="{_path(segs, 0)}" fill="none" stroke="{ln["color"]}"'
            f' stroke-width="2.2"{dash}/>'
        )
        lone = {s[0] for s in segs if len(s) == 1}  # a point without neighbours: no line shows it
        # Demo mode: every point says its kind; Beispieldaten are hollow points.
        mark = f" – {escape(ln['mark'])}" if ln.get("mark") else ""
        if ln.get("synthetic"):
            parts.append(f'<g fill="#fff" stroke="{ln["color"]}" stroke-width="1.5">')
        else:
            parts.append(f'<g fill="{ln["color"]}">')
        noted = ln.get("notes") or {}
        for (y, v), (x, yy) in zip(drawn, pts, strict=True):
            if yy is None or not (point_titles or mark or (x, yy) in lone or y in noted):
                continue
            tip = f"{escape(ln['name'])} {y}: {escape(fmt_value(v, decimals))}{mark}"
            tip += "".join(f" – {escape(t)}" for t in noted.get(y, ()))
            r = 4.5 if (x, yy) in lone else 3
            parts.append(
                f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="{r}"><title>{tip}</title></circle>'
            )
        parts.append("</g>")
        # Kontextnotizen: a ringed "i" on the point the note is about (the list below the
        # chart has the text and the source; the point's title has the text too).
        for (y, _v), (x, yy) in zip(drawn, pts, strict=True):
            if yy is None or y not in noted:
                continue
            tip = f"{escape(ln['name'])} {y}: " + " – ".join(escape(t) for t in noted[y])
            parts.append(
                f'<g class="chart-note" data-year="{y}"><title>{tip}</title>'
                f'<circle cx="{x:.1f}" cy="{yy - 14:.1f}" r="7" fill="#fff" stroke="{NOTE_COLOR}"'
                f' stroke-width="1.5"/><text x="{x:.1f}" y="{yy - 10.5:.1f}" font-size="10"'
                f' font-weight="bold" text-anchor="middle" fill="{NOTE_COLOR}">i</text>'
                f'<path d="M{x:.1f},{yy - 7:.1f}V{yy - 3:.1f}" stroke="{NOTE_COLOR}"/></g>'
            )
    for k, n in enumerate(absent):
        parts.append(
            f'<text class="chart-absent" x="{width - right}" y="{top + font * (1.2 + 1.2 * k):.0f}"'
            f' font-size="{font}" fill="#333" text-anchor="end" stroke="#fff" stroke-width="3"'
            f' paint-order="stroke">{escape(_("%(name)s: nicht verfügbar", name=n))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def responsive_line_chart(
    lines: list[dict],
    years: list[int],
    unit: str = "",
    title: str = "",
    decimals: int = 1,
    point_titles: bool = True,
    breaks: Sequence[int] = (),
) -> Markup:
    """The chart drawn twice, wide and narrow; the stylesheet shows the one that fits."""
    wide, narrow = (
        line_chart(lines, years, unit, title, w, h, point_titles, decimals, font, breaks)
        for w, h, font in (WIDE, NARROW)
    )
    if not wide:
        return wide
    return Markup(f'<div class="chart-wide">{wide}</div><div class="chart-narrow">{narrow}</div>')


def kommune_style(ags: str | None) -> tuple[str, str]:
    """The fixed colour and dash of a Kommune (by AGS); the Region is black and dashed."""
    if ags is None or len(ags) <= 5:
        return REGION_COLOR, "6 3"
    k = int(ags[-3:]) - 1 if ags[-3:].isdigit() else 0
    return KOMMUNE_COLORS[k % len(KOMMUNE_COLORS)], KOMMUNE_DASHES[k % len(KOMMUNE_DASHES)]


def style_lines(named_series: list, region_first: bool = True) -> list[dict]:
    """Give each series its colour and dash: the Region black, each Kommune its own (by AGS).

    Items are (name, points[, ags]) or {'name', 'points'[, 'ags', 'synthetic' or
    'synthetic_years']}; without an AGS the position decides (Region first, then the palette).
    A series' kind (real or Beispieldaten) becomes its points' mark in demo mode.
    A style already taken in this chart (a Gemeinde of another Kreis with a home Kommune's last
    digits, a Kreis or Land beside the Region) gets the first free colour and dash instead: no
    two lines of one chart look alike.
    """
    out = []
    used: set[tuple[str, str]] = set()
    for i, item in enumerate(named_series):
        kind = None
        if isinstance(item, dict):
            name, pts, ags = item["name"], item["points"], item.get("ags")
            kind = item.get("synthetic")
            if kind is None and "synthetic_years" in item:
                kind = bool(item["synthetic_years"])
        else:
            name, pts, ags = item[0], item[1], item[2] if len(item) > 2 else None
        if region_first and i == 0:
            color, dash = REGION_COLOR, "6 3"
        elif ags:
            color, dash = kommune_style(ags)
        else:
            k = i - 1 if region_first else i
            color, dash = PALETTE[k % len(PALETTE)], DASHES[(k + 1) % len(DASHES)] if k else ""
        if (color, dash) in used:
            color, dash = next(
                ((c, d) for d in KOMMUNE_DASHES for c in KOMMUNE_COLORS if (c, d) not in used),
                (color, dash),
            )
        used.add((color, dash))
        line = {"name": name, "points": pts, "color": color, "dash": dash, "ags": ags}
        if isinstance(item, dict) and item.get("notes"):  # year → the notes' lines (markers)
            line["notes"] = item["notes"]
        out.append(dict(line, **line_kind(kind)))
    return out
