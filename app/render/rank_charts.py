"""Server-rendered SVG of the ranking chart (bars with 95 % whiskers) and the profile's spines.

No chart library and no JavaScript: the ranking is drawn twice (wide and narrow, CSS shows the
one that fits, as app/render/charts.py does), and once more as a standalone SVG document with title,
source and licence inside (for downloads; PNG conversion is wired elsewhere). Every picture has
its numbers in a table on the page.
"""

from __future__ import annotations

from itertools import count

from flask_babel import get_locale
from markupsafe import Markup, escape

from app.render.charts import decimals_for, nice_ticks
from app.render.formatting import fmt_value, unit_label, withheld
from app.render.image_export import wrap
from app.render.maps import SYNTHETIC_DASH
from app.render.provenance_marks import mark_text
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators.classify import VERDICT_COLOURS
from indicators.ranking import Ranking, SpineLayout

OUTLINE = "#333333"
WIDE, NARROW = (800, 13.0), (360, 12.5)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

_ids = count(1)


def reference_name(r: Ranking) -> str:
    """The name of the area the reference line marks: the Region, the Land or Germany (in the
    page's language)."""
    if r.benchmark_choice == "bund":
        return _("Deutschland")
    ref = r.reference
    return ref.name if ref is not None else ""


def _missing_text(row) -> str:
    return withheld() if row.area.suppressed else _("kein Wert")


def _domain(r: Ranking) -> tuple[list[float], float, float]:
    """Axis ticks spanning 0, every value, every interval and the Region's value."""
    vals = [0.0]
    for row in r.rows:
        if row.area.value is not None:
            vals.append(row.area.value)
        if row.area.interval is not None:
            vals += [row.area.interval.lower, row.area.interval.upper]
    if r.reference_value is not None:
        vals.append(r.reference_value)
    ticks = nice_ticks(min(vals), max(vals))
    return ticks, ticks[0], ticks[-1]


def ranking_svg(r: Ranking, title: str, width: int, font: float, narrow: bool) -> str:
    """The bars of the Kommunen (in the ranking's order), whiskers and the Region's line."""
    ind = r.indicator
    dec, unit = ind.decimals, ind.unit
    ticks, lo, hi = _domain(r)
    tick_dec = decimals_for(ticks)
    cid = next(_ids)
    if narrow:  # name and value on a line of their own, the bar below: long names fit
        left, right, row_h, bar_h, label_h = 6, 8, round(font * 3.1), round(font * 0.9), font * 1.2
    else:
        # The label column fits the longest "21. Name" (about 0.6 em per character).
        longest = max((len(f"{row.rank or ''}. {row.area.name}") for row in r.rows), default=10)
        left = round(min(longest * font * 0.6 + 12, width * 0.4))
        right, row_h, label_h = round(font * 6.5), round(font * 1.8), 0
        bar_h = round(font * 0.95)
    top, bottom = round(font * 2.6), round(font * 2.4)
    pw = width - left - right
    height = top + row_h * len(r.rows) + bottom

    def px(v: float) -> float:
        return left + (v - lo) / ((hi - lo) or 1) * pw

    parts = [
        f'<svg class="rank-chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-labelledby="rank-t{cid}" focusable="false" data-layout="{"narrow" if narrow else "wide"}">'
        f'<title id="rank-t{cid}">{escape(title)}</title>'
    ]
    grid = "".join(f"M{px(t):.1f},{top - 4}V{top + row_h * len(r.rows)}" for t in ticks)
    parts.append(f'<path d="{grid}" stroke="#e3e3e3"/>')
    parts.append(f'<g font-size="{font}" fill="#333" text-anchor="middle">')
    axis_y = top + row_h * len(r.rows) + font * 1.3
    for t in ticks:
        parts.append(
            f'<text x="{px(t):.1f}" y="{axis_y:.1f}">{escape(fmt_value(t, tick_dec))}</text>'
        )
    parts.append("</g>")
    parts.append(
        f'<text x="{width - 4}" y="{height - 3:.1f}" font-size="{font}" fill="#333"'
        f' text-anchor="end">{escape(unit_label(unit))}</text>'
    )
    zero = px(0.0)
    for k, row in enumerate(r.rows):
        a = row.area
        y0 = top + k * row_h
        bar_y = y0 + label_h + (row_h - label_h - bar_h) / 2
        mid = bar_y + bar_h / 2
        value_text = fmt_value(a.value, dec, unit) if a.value is not None else _missing_text(row)
        rank = f"{row.rank}. " if row.rank else ""
        # Demo mode: each bar says its kind; a Beispieldaten bar has a dotted outline.
        kind = mark_text(a.synthetic if a.value is not None else None)
        parts.append(
            f'<g class="rank-row" data-ags="{a.ags}" data-verdict="{row.verdict}"'
            f' data-value="{"" if a.value is None else a.value}"'
            + (
                f' data-herkunft="{escape(kind)}"><title>{escape(a.name)}: {escape(value_text)}'
                f" – {escape(kind)}</title>"
                if kind
                else ">"
            )
        )
        if narrow:
            parts.append(
                f'<text x="{left}" y="{y0 + font * 1.05:.1f}" font-size="{font}" fill="#1a1a1a">'
                f"{escape(rank + a.name)}</text>"
                f'<text x="{width - right}" y="{y0 + font * 1.05:.1f}" font-size="{font}"'
                f' fill="#1a1a1a" text-anchor="end">{escape(value_text)}</text>'
            )
        else:
            parts.append(
                f'<text x="{left - 8}" y="{mid + font * 0.35:.1f}" font-size="{font}"'
                f' fill="#1a1a1a" text-anchor="end">{escape(rank + a.name)}</text>'
            )
        if a.value is not None:
            x0, x1 = sorted((zero, px(a.value)))
            parts.append(
                f'<rect class="bar" x="{x0:.1f}" y="{bar_y:.1f}" width="{max(x1 - x0, 1):.1f}"'
                f' height="{bar_h}" fill="{VERDICT_COLOURS[row.verdict]}" stroke="{OUTLINE}"'
                f' stroke-width="0.8"'
                + (f' stroke-dasharray="{SYNTHETIC_DASH}"' if kind and a.synthetic else "")
                + "/>"
            )
        ci = a.interval
        if ci is not None:
            xl, xu, cap = px(ci.lower), px(ci.upper), bar_h * 0.45
            parts.append(
                f'<path class="whisker" d="M{xl:.1f},{mid:.1f}H{xu:.1f}M{xl:.1f},{mid - cap:.1f}'
                f'V{mid + cap:.1f}M{xu:.1f},{mid - cap:.1f}V{mid + cap:.1f}" stroke="#111"'
                f' stroke-width="1.6" fill="none" data-lower="{ci.lower}" data-upper="{ci.upper}"/>'
            )
        if not narrow:  # the value in a column of its own, clear of every whisker
            parts.append(
                f'<text x="{width - 4}" y="{mid + font * 0.35:.1f}" font-size="{font}"'
                f' fill="#1a1a1a" text-anchor="end">{escape(value_text)}</text>'
            )
        parts.append("</g>")
    if r.reference_value is not None:
        xr = px(r.reference_value)
        label = f"{reference_name(r)}: {fmt_value(r.reference_value, dec, unit)}"
        anchor = "end" if xr > left + pw * 0.6 else "start"
        tx = xr - 4 if anchor == "end" else xr + 4
        parts.append(
            f'<g class="region-line" data-value="{r.reference_value}">'
            f'<path d="M{xr:.1f},{top - 6}V{top + row_h * len(r.rows)}" stroke="#1a1a1a"'
            f' stroke-width="2" stroke-dasharray="6 3"/>'
            f'<text x="{tx:.1f}" y="{top - font * 0.9:.1f}" font-size="{font}" fill="#1a1a1a"'
            f' text-anchor="{anchor}" font-weight="600">{escape(label)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def responsive_ranking_chart(r: Ranking, title: str) -> Markup:
    """The ranking drawn wide and narrow; the stylesheet shows the one that fits."""
    wide = ranking_svg(r, title, WIDE[0], WIDE[1], False)
    narrow = ranking_svg(r, title, NARROW[0], NARROW[1], True)
    return Markup(f'<div class="chart-wide">{wide}</div><div class="chart-narrow">{narrow}</div>')


def standalone_ranking_svg(r: Ranking, title: str, footer: list[str], description: str = "") -> str:
    """A complete SVG document: heading, the wide chart, source and licence lines; named by its
    <title> and described by its <desc> (what it shows, app.render.figure_text, then the
    footer's source and licence)."""
    width, font = WIDE
    chart = ranking_svg(r, title, width, font, False)
    # The inner chart keeps its own viewBox; as a nested <svg> it gets position and size.
    inner_h = float(chart.split('viewBox="0 0 ', 1)[1].split('"', 1)[0].split()[1])
    head_h, line_h, pad = 44, font * 1.45, 16
    # Long lines (the citation) break at the image's width; a line that fits stays as it is.
    footer = [piece for t in footer for piece in (wrap(t, font - 1.5, width - 16) or [t])]
    height = head_h + inner_h + pad + line_h * len(footer) + 8
    chart = chart.replace(
        "<svg ", f'<svg x="0" y="{head_h}" width="{width}" height="{inner_h}" ', 1
    )
    lines = "".join(
        f'<text x="8" y="{head_h + inner_h + pad + line_h * (k + 0.7):.1f}" font-size="{font - 1.5}"'
        f' fill="#333">{escape(t)}</text>'
        for k, t in enumerate(footer)
    )
    lang = str(get_locale() or "de")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xml:lang="{lang}" width="{width}"'
        f' height="{height:.0f}" viewBox="0 0 {width} {height:.0f}" font-family="{FONT}"'
        ' role="img" aria-labelledby="export-title export-desc">'
        f'<title id="export-title">{escape(title)}</title>'
        f'<desc id="export-desc">{escape(" ".join(t for t in [description, *footer] if t))}</desc>'
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<text x="8" y="22" font-size="17" font-weight="700" fill="#1a1a1a">{escape(title)}</text>'
        f"{chart}{lines}</svg>"
    )


def ranking_title(r: Ranking) -> str:
    """'Rangfolge: SGB-II-Quote 2024 (%)' in the page's language."""
    ind = r.indicator
    return _(
        "Rangfolge: %(name)s %(year)s (%(unit)s)",
        name=localized(ind, "name"),
        year=r.year,
        unit=unit_label(ind.unit),
    )


# --- spine chart (profile) ----------------------------------------------------------------


def spine_svg(
    layout: SpineLayout, verdict: str, label: str, width: int = 150, height: int = 22
) -> Markup:
    """One row's spine: min–max (light), 25–75 % (dark), the Region (line), the Kommune (dot).

    `label` is the accessible name (the numbers in words); better is always to the right.
    """
    pad = 7
    w = width - 2 * pad

    def x(f: float) -> float:
        return pad + f * w

    mid = height / 2
    colour = VERDICT_COLOURS.get(verdict, VERDICT_COLOURS["not_assessable"])
    return Markup(
        f'<svg class="spine" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-label="{escape(label)}" focusable="false" data-verdict="{verdict}"'
        f' data-flipped="{str(layout.flipped).lower()}">'
        f'<rect class="spine-range" x="{x(layout.minimum):.1f}" y="{mid - 5}" '
        f'width="{max(x(layout.maximum) - x(layout.minimum), 1):.1f}" height="10" fill="#d4d4d4"/>'
        f'<rect class="spine-iqr" x="{x(layout.q1):.1f}" y="{mid - 5}" '
        f'width="{max(x(layout.q3) - x(layout.q1), 1):.1f}" height="10" fill="#8c8c8c"/>'
        f'<path class="spine-region" d="M{x(layout.region):.1f},2V{height - 2}" stroke="#1a1a1a"'
        f' stroke-width="2"/>'
        f'<circle class="spine-marker" cx="{x(layout.value):.2f}" cy="{mid}" r="5.5"'
        f' fill="{colour}" stroke="{OUTLINE}" stroke-width="1.2"/></svg>'
    )
