"""Names on a server-drawn map placed so that no two overlap (issue #29: the exported maps).

Each name starts on its area's point (PostGIS ST_PointOnSurface). Names are placed one after the
other, the most crowded first (most other points within `CROWD_RADIUS`), each at the nearest
free spot around its point: a spot is free when the name's box overlaps no box placed before and
stays inside the picture. Among free spots, one that covers another area's point or whose leader
would cross a placed name costs extra. A name moved off its point gets a leader line from the
point to the nearest edge of its box and a dot on the point. This is the greedy candidate-position
method of cartographic label placement (Imhof's rules; Christensen, Marks & Shieber 1995, "An
empirical study of algorithms for point-feature label placement", ACM ToG 14(3)): a fixed set of
candidate spots per name, tried nearest first.

Boxes are in the picture's pixels: width from DejaVu Sans' metrics (image_export.text_width), the
height from the font's ascent of accented lower case and descent (0.80 and 0.24 em), plus the
white halo drawn under every name (`HALO` px each side) and `GAP` px between two names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.render.image_export import text_width

ASCENT = 0.80  # em above the baseline that DejaVu Sans' ascenders and umlauts reach
DESCENT = 0.24  # em below it (g, p, y)
HALO = 1.5  # half the white stroke drawn under each name
GAP = 1.0  # free pixels kept between two names' boxes
CROWD_RADIUS = 60.0  # px: how crowded a point is = other points this close
LEADER_FROM = 2.0  # px: a name whose box is farther than this from its point gets a leader
COVER_COST = 25.0  # px of distance a spot covering another area's point is worth
CROSS_COST = 40.0  # … and a leader crossing a placed name
STEP_X, STEP_Y = 4.0, 3.0  # candidate grid around the point, px
REACH_X, REACH_Y = 140.0, 90.0  # the farthest a name moves from its point, px


@dataclass(frozen=True)
class Box:
    """An axis-parallel rectangle in pixels (y down)."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        """True when the two boxes share more than an edge."""
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    def contains(self, x: float, y: float) -> bool:
        """True when the point lies inside or on the box."""
        return self.left <= x <= self.right and self.top <= y <= self.bottom

    def nearest(self, x: float, y: float) -> tuple[float, float]:
        """The point of the box nearest to (x, y)."""
        return min(max(x, self.left), self.right), min(max(y, self.top), self.bottom)


@dataclass(frozen=True)
class PlacedLabel:
    """A name where it is drawn: text anchored at its middle (x) on its baseline (y)."""

    key: str
    text: str
    x: float
    y: float
    box: Box  # the name's box with halo (without GAP)
    anchor: tuple[float, float]  # the area's point
    leader: tuple[float, float, float, float] | None  # from the point to the box, or none


def label_box(text: str, cx: float, cy: float, size: float) -> Box:
    """The box of a name centred on (cx, cy), halo included."""
    return _box_of(text_width(text, size), cx, cy, size)


def _box_of(width: float, cx: float, cy: float, size: float) -> Box:
    """label_box of a name `width` pixels wide (measured once, not at every spot tried)."""
    half_w = width / 2 + HALO
    half_h = (ASCENT + DESCENT) * size / 2 + HALO
    return Box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def baseline(cy: float, size: float) -> float:
    """The baseline of a name whose box is centred on cy."""
    return cy + (ASCENT - DESCENT) / 2 * size


def _offsets() -> list[tuple[float, float]]:
    """Candidate shifts of a name's centre from its point, nearest first (vertical moves cost
    more: names are wider than tall, and a row of names reads better than a column)."""
    nx, ny = int(REACH_X / STEP_X), int(REACH_Y / STEP_Y)
    cells = [(i * STEP_X, j * STEP_Y) for i in range(-nx, nx + 1) for j in range(-ny, ny + 1)]
    return sorted(cells, key=lambda d: (math.hypot(d[0], 1.5 * d[1]), d[1], d[0]))


_OFFSETS = _offsets()


def _crosses(x0: float, y0: float, x1: float, y1: float, box: Box) -> bool:
    """True when the segment passes through the box (sampled every 2 px: leaders are short)."""
    n = max(1, int(math.hypot(x1 - x0, y1 - y0) / 2))
    return any(box.contains(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(n + 1))


def _distance(box: Box, x: float, y: float) -> float:
    nx, ny = box.nearest(x, y)
    return math.hypot(nx - x, ny - y)


def place_labels(
    points: list[tuple[str, str, float, float]], width: float, height: float, size: float = 11
) -> list[PlacedLabel]:
    """Place (key, text, x, y) names inside width × height so that no two boxes overlap.

    A name that finds no free spot within reach is placed at its point anyway (overlapping):
    with 21 Kommunen in a 620 px map that never happens (tests/test_label_placement.py).
    """

    def crowd(p: tuple[str, str, float, float]) -> int:
        return sum(
            1 for q in points if q is not p and math.hypot(q[2] - p[2], q[3] - p[3]) < CROWD_RADIUS
        )

    order = sorted(points, key=lambda p: (-crowd(p), p[1], p[0]))
    placed: list[PlacedLabel] = []
    for key, text, ax, ay in order:
        best: tuple[float, Box] | None = None
        text_w = text_width(text, size)  # Pillow's measure, once per name (issue #32)
        for dx, dy in _OFFSETS:
            dist = math.hypot(dx, 1.5 * dy)
            if best is not None and dist >= best[0]:
                break  # sorted by distance: no later spot can cost less
            box = _box_of(text_w, ax + dx, ay + dy, size)
            if box.left < 0 or box.top < 0 or box.right > width or box.bottom > height:
                continue
            padded = Box(box.left - GAP, box.top - GAP, box.right + GAP, box.bottom + GAP)
            if any(padded.overlaps(p.box) for p in placed):
                continue
            cost = dist
            cost += COVER_COST * sum(
                1 for k, _t, qx, qy in points if k != key and box.contains(qx, qy)
            )
            if best is not None and cost >= best[0]:
                continue
            if _distance(box, ax, ay) > LEADER_FROM:
                ex, ey = box.nearest(ax, ay)
                cost += CROSS_COST * sum(1 for p in placed if _crosses(ax, ay, ex, ey, p.box))
            if best is None or cost < best[0]:
                best = (cost, box)
        box = best[1] if best else _box_of(text_w, ax, ay, size)
        cx, cy = (box.left + box.right) / 2, (box.top + box.bottom) / 2
        leader = None
        if _distance(box, ax, ay) > LEADER_FROM:
            ex, ey = box.nearest(ax, ay)
            leader = (ax, ay, ex, ey)
        placed.append(PlacedLabel(key, text, cx, baseline(cy, size), box, (ax, ay), leader))
    by_key = {p.key: p for p in placed}
    return [by_key[k] for k, *_rest in points]
