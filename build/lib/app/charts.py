"""Server-rendered SVG charts (sparklines, line charts): no chart library, no JavaScript.

Every chart is an inline <svg role="img"> with a text alternative; the page shows the same data
as a table (and offers it as CSV/XLSX), so the picture is never the only way to read the numbers.
"""

from __future__ import annotations

import math
from itertools import count

from markupsafe import Markup, escape

from app.formatting import fmt_value

Point = tuple[int, float | None]

# ColorBrewer "Dark2" (qualitative, colour-blind-safer than Set1); the Region is drawn in near-black.
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
REGION_COLOR = "#1a1a1a"
# Dash patterns so lines differ by more than colour (WCAG 1.4.1).
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 4", "3 6")
MAX_LINES = len(PALETTE)

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


def _decimals_for(ticks: list[float]) -> int:
    """Decimals needed to write the tick values distinctly."""
    if len(ticks) < 2:
        return 0
    step = abs(ticks[1] - ticks[0])
    return max(0, -math.floor(math.log10(step))) if step < 1 else (1 if step % 1 else 0)


def _segments(points: list[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Split a line at missing values: a gap is drawn as a gap, never interpolated."""
    segs: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if y is None:
            if segs[-1]:
                segs.append([])
        else:
            segs[-1].append((x, y))
    return [s for s in segs if s]


def _path(segs: list[list[tuple[float, float]]], nd: int = 1) -> str:
    return " ".join("M" + " L".join(f"{x:.{nd}f},{y:.{nd}f}" for x, y in s) for s in segs)


def sparkline(
    values: list[Point],
    label: str,
    reference: list[Point] | None = None,
    width: int = 110,
    height: int = 28,
) -> Markup:
    """A tiny line of one series (optionally a grey reference line, e.g. the Region)."""
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
        parts.append(
            f'<path d="{_path(_segments(xy(reference)))}" fill="none" stroke="#999"'
            ' stroke-width="1" stroke-dasharray="3 2"/>'
        )
    segs = _segments(xy(values))
    parts.append(f'<path d="{_path(segs)}" fill="none" stroke="#00507d" stroke-width="1.8"/>')
    if segs:
        x, y = segs[-1][-1]
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="#00507d"/>')
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
) -> Markup:
    """A line chart: lines = [{'name', 'points': [(year, value)], 'color', 'dash'}], x = years."""
    vals = [v for ln in lines for _, v in ln["points"] if v is not None]
    if not vals or not years:
        return Markup("")
    ticks = nice_ticks(min(vals), max(vals))
    lo, hi = ticks[0], ticks[-1]
    tick_dec = _decimals_for(ticks)
    left, right, top, bottom = 64, 14, 12, 28
    pw, ph = width - left - right, height - top - bottom
    nx = max(len(years) - 1, 1)

    def px(year: int) -> float:
        return left + (years.index(year) / nx) * pw

    def py(v: float) -> float:
        return top + ph - (v - lo) / ((hi - lo) or 1) * ph

    cid = next(_ids)
    # Shared attributes sit on <g> groups and the grid is one path: 105 charts on a page add up.
    grid = "".join(f"M{left},{py(t):.0f}H{width - right}" for t in ticks)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-labelledby="chart-t{cid}" focusable="false">'
        f'<title id="chart-t{cid}">{escape(title)}</title>'
        f'<path d="{grid}" stroke="#ddd"/>'
        f'<path d="M{left},{top + ph}H{width - right}" stroke="#666"/>'
        '<g font-size="11" fill="#333" text-anchor="end">'
    ]
    parts += [
        f'<text x="{left - 6}" y="{py(t) + 4:.0f}">{escape(fmt_value(t, tick_dec))}</text>'
        for t in ticks
    ]
    parts.append('</g><g font-size="11" fill="#333" text-anchor="middle">')
    step = max(1, math.ceil(len(years) * 34 / pw))  # about 34 px per year label
    parts += [
        f'<text x="{px(yr):.0f}" y="{height - 8}">{yr}</text>'
        for i, yr in enumerate(years)
        if i % step == 0 or i == len(years) - 1 and i % step >= step / 2
    ]
    parts.append("</g>")
    if unit:
        parts.append(f'<text x="4" y="{top + 4}" font-size="11" fill="#333">{escape(unit)}</text>')
    for ln in lines:
        pts = [(px(y), None if v is None else py(v)) for y, v in ln["points"] if y in years]
        dash = f' stroke-dasharray="{ln["dash"]}"' if ln.get("dash") else ""
        parts.append(
            f'<path d="{_path(_segments(pts), 0)}" fill="none" stroke="{ln["color"]}"'
            f' stroke-width="2.2"{dash}/>'
        )
        if not point_titles:
            continue
        parts.append(f'<g fill="{ln["color"]}">')
        for (y, v), (x, yy) in zip(ln["points"], pts, strict=False):
            if yy is not None:
                tip = f"{escape(ln['name'])} {y}: {escape(fmt_value(v, decimals))}"
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3"><title>{tip}</title></circle>'
                )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def style_lines(named_series: list, region_first: bool = True) -> list[dict]:
    """Give each series ((name, points) or {'name', 'points'}) its colour and dash: Region black."""
    out = []
    for i, item in enumerate(named_series):
        name, pts = (item["name"], item["points"]) if isinstance(item, dict) else item
        if region_first and i == 0:
            color, dash = REGION_COLOR, "6 3"
        else:
            k = i - 1 if region_first else i
            color, dash = PALETTE[k % len(PALETTE)], DASHES[(k + 1) % len(DASHES)] if k else ""
        out.append({"name": name, "points": pts, "color": color, "dash": dash})
    return out
