"""Maps and charts as standalone images: SVG composed here, PNG drawn on the server (cairosvg).

An exported image must stand on its own when it is pasted into a report: title, subtitle
(indicator, year, unit), legend, source with "amtlich"/"Beispieldaten" and the licence and
attribution are drawn *inside* the image, not beside it on a page. Text is set in DejaVu Sans,
which Debian installs with chromium (fonts-dejavu-core), so the PNG never needs a font download;
SVG viewers without it fall back to Verdana or any sans-serif.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import Response
from markupsafe import escape

FONT_FAMILY = "DejaVu Sans, Verdana, sans-serif"
FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
WIDTH = 1000  # CSS pixels of the SVG; the PNG is drawn at PNG_SCALE × this for print
PNG_SCALE = 2
MARGIN = 24
TEXT = "#1a1a1a"
MUTED = "#444444"
SYNTHETIC_COLOR = "#8a1c00"  # the pages' Beispieldaten red, 7:1 on white
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"')
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class LegendEntry:
    """One legend row: a filled swatch (dash None) or a line sample ('' = solid, '6 3' dashed)."""

    color: str
    label: str
    dash: str | None = None


@dataclass(frozen=True)
class Drawing:
    """SVG markup drawn in its own pixel box 0..width × 0..height (placed by svg_document)."""

    markup: str
    width: float
    height: float


@dataclass(frozen=True)
class ImageText:
    """Every text of an exported image, already in the request's language."""

    title: str
    subtitle: str
    source: str  # "Quelle: …, Datenstand …"
    provenance: list[str]  # "amtlich: Tabelle …" lines
    licence: list[str]  # attribution and licence lines (boundaries, data, site)
    synthetic_note: str = ""  # set when Beispieldaten are shown: drawn prominently
    legend_title: str = ""
    notes: list[str] = field(default_factory=list)  # below the legend (method, Region's value)
    lang: str = "de"
    # What the picture shows, as text (app.render.figure_text): the first part of <desc>.
    description: str = ""
    # How to cite it (app.render.citation.lines: German, then English), drawn last.
    citation: list[str] = field(default_factory=list)
    # Kontextnotizen of what the image shows, one footnote line each (app.render.notes.footnotes),
    # drawn the full width under the drawing, before the source.
    footnotes: list[str] = field(default_factory=list)


@functools.cache
def _fonts() -> tuple | None:
    """Pillow's metrics of DejaVu Sans (regular, bold) for line breaks, or None without it."""
    try:
        from PIL import ImageFont

        return tuple(ImageFont.truetype(str(p), 100) for p in FONT_FILES)
    except (ImportError, OSError):
        return None


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of a line of text in pixels (DejaVu Sans metrics; an estimate without the font)."""
    fonts = _fonts()
    if fonts is None:  # DejaVu Sans is wide: about 0.6 em per character
        return len(text) * size * (0.66 if bold else 0.6)
    return fonts[1 if bold else 0].getlength(text) * size / 100


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """The text broken into lines no wider than width (at spaces; a long word stays whole).

    Each line takes as many words as fit, as a word-by-word loop would; the line's length is
    found by halving, not by measuring every longer candidate (issue #32: an image's notes,
    sources and licence measured ~300 candidate lines with Pillow, ~20–70 ms of an export).
    A line's width only grows with each word added (every glyph advances), so the longest
    fitting line is the same."""
    words = text.split()
    lines: list[str] = []
    start = 0
    while start < len(words):
        lo, hi = start + 1, len(words)  # words[start:lo] fits (a first word always does)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if text_width(" ".join(words[start:mid]), size, bold) > width:
                hi = mid - 1
            else:
                lo = mid
        lines.append(" ".join(words[start:lo]))
        start = lo
    return lines


class _Canvas:
    """Collects SVG elements top to bottom; y is the next free line."""

    def __init__(self, y: float = MARGIN):
        self.parts: list[str] = []
        self.y = y

    def text(
        self,
        text: str,
        size: float,
        width: float,
        x: float = MARGIN,
        bold: bool = False,
        color: str = TEXT,
        leading: float = 1.3,
    ) -> None:
        """Wrapped lines of text from the current y downwards."""
        weight = ' font-weight="bold"' if bold else ""
        for line in wrap(text, size, width, bold):
            self.y += size
            self.parts.append(
                f'<text x="{x:.1f}" y="{self.y:.1f}" font-size="{size}"{weight}'
                f' fill="{color}">{escape(line)}</text>'
            )
            self.y += size * (leading - 1)


def _legend(
    entries: list[LegendEntry], title: str, notes: list[str], x: float, y: float, width: float
) -> tuple[list[str], float]:
    """The legend's elements from (x, y) and the y below it."""
    c = _Canvas(y)
    if title:
        c.text(title, 15, width, x, bold=True)
        c.y += 6
    for e in entries:
        top = c.y
        if e.dash is None:
            c.parts.append(
                f'<rect x="{x:.1f}" y="{top + 1:.1f}" width="22" height="16" fill="{e.color}"'
                ' stroke="#3a3a3a" stroke-width="0.8"/>'
            )
        else:
            dash = f' stroke-dasharray="{e.dash}"' if e.dash else ""
            c.parts.append(
                f'<path d="M{x:.1f},{top + 9:.1f}h28" stroke="{e.color}" stroke-width="3"'
                f' fill="none"{dash}/>'
            )
        c.y = top - 1
        c.text(e.label, 14, width - 38, x + 36)
        c.y = max(c.y, top + 18) + 6
    for note in notes:
        c.y += 4
        c.text(note, 13, width, x, color=MUTED)
    return c.parts, c.y


def svg_document(
    drawing: Drawing, text: ImageText, legend: list[LegendEntry], legend_beside: bool = True
) -> str:
    """A standalone SVG: title, subtitle, the drawing, its legend, source and licence in it.

    legend_beside: the legend to the right of the drawing (maps) or above it (charts). The
    drawing is scaled to the room it gets; nothing is clipped.
    """
    inner = WIDTH - 2 * MARGIN
    c = _Canvas()
    c.text(text.title, 24, inner, bold=True)
    c.y += 4
    c.text(text.subtitle, 16, inner, color=MUTED)
    if text.synthetic_note:
        c.y += 4
        c.text(text.synthetic_note, 15, inner, bold=True, color=SYNTHETIC_COLOR)
    c.y += 12
    if legend_beside:
        legend_width = 300
        room = inner - legend_width - MARGIN
        scale = min(1.0, room / drawing.width)
        legend_parts, legend_bottom = _legend(
            legend, text.legend_title, text.notes, MARGIN + room + MARGIN, c.y, legend_width
        )
        body_top = c.y
        c.y = max(body_top + drawing.height * scale, legend_bottom)
    else:
        legend_parts, legend_bottom = _legend(
            legend, text.legend_title, text.notes, MARGIN, c.y, inner
        )
        body_top = legend_bottom + 8
        scale = min(1.0, inner / drawing.width)
        c.y = body_top + drawing.height * scale
    body = (
        f'<g transform="translate({MARGIN},{body_top:.1f}) scale({scale:.4f})">{drawing.markup}</g>'
    )
    c.y += 16
    c.parts.append(f'<path d="M{MARGIN},{c.y:.1f}H{WIDTH - MARGIN}" stroke="#999"/>')
    c.y += 6
    for line in text.footnotes:
        c.text(line, 13, inner)
    c.text(text.source, 13, inner)
    for line in text.provenance:
        c.text(line, 13, inner)
    for line in text.licence:
        c.text(line, 12, inner, color=MUTED)
    for line in text.citation:
        c.text(line, 12, inner, color=MUTED)
    height = round(c.y + MARGIN)
    # <title> and <desc> name and describe the image (role="img", aria-labelledby both): what
    # it shows first, then its subtitle, source and licence, as drawn in it.
    parts = [text.description, text.subtitle, text.synthetic_note, *text.footnotes, text.source]
    desc = " ".join(p for p in [*parts, *text.provenance, *text.licence, *text.citation] if p)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xml:lang="{escape(text.lang)}"'
        f' width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}"'
        f' font-family="{FONT_FAMILY}" role="img" aria-labelledby="export-title export-desc">'
        f'<title id="export-title">{escape(text.title)}</title>'
        f'<desc id="export-desc">{escape(desc)}</desc>'
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        f"{body}{''.join(legend_parts)}{''.join(c.parts)}</svg>\n"
    )


def nested(svg: str, width: float, height: float) -> str:
    """An <svg viewBox=…> drawing (e.g. from app.render.charts) re-rooted to fill width × height."""
    m = _VIEWBOX.search(svg)
    if m is None:
        raise ValueError("drawing without a viewBox")
    start = svg.index(">", m.end()) + 1
    return (
        f'<svg x="0" y="0" width="{width:.1f}" height="{height:.1f}" viewBox="{m.group(1)}'
        f' {m.group(2)} {m.group(3)} {m.group(4)}" overflow="visible">{svg[start:]}'
    )


def grid_columns(n: int, most: int = 4) -> int:
    """Columns for n small drawings: at most `most`, rows filled evenly (5 → 3 + 2, not 4 + 1)."""
    rows = -(-n // most)
    return max(1, -(-n // max(rows, 1)))


def grid(cells: list[tuple[str, str]], width: float, columns: int, gap: float = 14) -> Drawing:
    """Drawings with a viewBox (e.g. small maps) in rows of `columns`, each under its caption."""
    size = 15  # caption font size
    cell_w = (width - gap * (columns - 1)) / columns
    parts = []
    y = 0.0
    for start in range(0, len(cells), columns):
        row_h = 0.0
        for i, (caption, svg) in enumerate(cells[start : start + columns]):
            m = _VIEWBOX.search(svg)
            if m is None:
                raise ValueError("drawing without a viewBox")
            cell_h = cell_w * float(m.group(4)) / float(m.group(3))
            x = i * (cell_w + gap)
            parts.append(
                f'<text x="{x:.1f}" y="{y + size:.1f}" font-size="{size}" font-weight="bold"'
                f' fill="{TEXT}">{escape(caption)}</text>'
                f'<g transform="translate({x:.1f},{y + size * 1.5:.1f})">'
                f"{nested(svg, cell_w, cell_h)}</g>"
            )
            row_h = max(row_h, size * 1.5 + cell_h)
        y += row_h + gap
    return Drawing("".join(parts), width, max(y - gap, 0.0))


def safe_filename(stem: str, ext: str) -> str:
    """An ASCII file name for Content-Disposition ("sgb2_quote_2016.png")."""
    return f"{_SAFE_NAME.sub('_', stem).strip('_.') or 'export'}.{ext}"


def svg_to_png(svg: str, scale: float = PNG_SCALE) -> bytes:
    """The SVG drawn as PNG by cairosvg (libcairo), scale × its size; no external resources."""
    import cairosvg  # imported on first use: pages that never export do not load cairo

    # unsafe=False: no external entities or files are read (the SVG is ours, but be strict).
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale, unsafe=False)


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def svg_response(svg: str, filename: str) -> Response:
    """The SVG as a download (image/svg+xml, UTF-8)."""
    return _download(svg.encode("utf-8"), "image/svg+xml", safe_filename(filename, "svg"))


def png_response(svg: str, filename: str) -> Response:
    """The SVG drawn as PNG at print scale, as a download."""
    return _download(svg_to_png(svg), "image/png", safe_filename(filename, "png"))
