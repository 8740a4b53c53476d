"""Two indicators against each other: least-squares line, correlation, bubble sizes, selection.

Pure functions on numbers (numpy/scipy), no database and no web framework: the scatter page, its
API and its image export all take the same figures from here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from indicators.text import _

MIN_POINTS = 3  # a line through two points always fits perfectly: r would say nothing


class InvalidSelection(ValueError):
    """The `auswahl` parameter names something that is not a Kommune, or too many."""

    def __init__(self, message: object, unknown: list[str] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.unknown = unknown or []


@dataclass(frozen=True)
class Regression:
    """Ordinary least squares y = intercept + slope · x over n points (each Kommune once)."""

    slope: float
    intercept: float
    n: int
    r: float | None  # Pearson's r; None when y does not vary (then no correlation is defined)
    r2: float | None  # coefficient of determination, r² for a line with intercept
    p: float | None  # two-sided p-value of the slope (t-test, n − 2 degrees of freedom)

    def at(self, x: float) -> float:
        """The line's value at x."""
        return self.intercept + self.slope * x


def least_squares(xs: Sequence[float], ys: Sequence[float]) -> Regression | None:
    """The least-squares line of y on x with r and R², or None if it is not defined.

    Not defined: fewer than MIN_POINTS points, or x does not vary (a vertical cloud has no slope).
    """
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    if x.shape != y.shape:
        raise ValueError("xs and ys differ in length")
    n = len(x)
    if n < MIN_POINTS:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy, sxy = float(dx @ dx), float(dy @ dy), float(dx @ dy)
    # Relative tolerances: values such as 0.1 + 0.2 must not look like a spread.
    if sxx <= 1e-24 * max(1.0, float(x @ x)):
        return None
    slope = sxy / sxx
    intercept = float(y.mean()) - slope * float(x.mean())
    if syy <= 1e-24 * max(1.0, float(y @ y)):
        return Regression(slope=0.0, intercept=float(y.mean()), n=n, r=None, r2=None, p=None)
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    if abs(r) == 1.0:
        p = 0.0  # a perfect line: t is infinite
    else:
        t = r * math.sqrt((n - 2) / (1 - r * r))
        p = float(2 * stats.t.sf(abs(t), n - 2))
    return Regression(slope=slope, intercept=intercept, n=n, r=r, r2=r * r, p=p)


def bubble_radius(
    population: float | None, largest: float | None, r_max: float, r_min: float
) -> float:
    """Radius of a dot whose area is proportional to its population (the largest gets r_max).

    A dot never gets smaller than r_min (it must stay visible and hoverable); without a
    population it is drawn at r_min.
    """
    if not population or not largest or population <= 0 or largest <= 0:
        return r_min
    return max(r_min, r_max * math.sqrt(population / largest))


def check_selection(values: Iterable[str], kommunen: Sequence[str], limit: int) -> list[str]:
    """The AGS of `auswahl` (comma lists, repeated parameters), deduplicated in order.

    Raises InvalidSelection for an unknown key or more than `limit` entries.
    """
    raw = [k.strip() for v in values for k in v.split(",") if k.strip()]
    if len(raw) > limit:
        raise InvalidSelection(
            _("Höchstens %(n)s Kommunen in „auswahl“ (angegeben: %(k)s).", n=limit, k=len(raw))
        )
    known = set(kommunen)
    unknown = [k for k in dict.fromkeys(raw) if k not in known]
    if unknown:
        shown = ", ".join(u[:12] for u in unknown[:3]) + (" …" if len(unknown) > 3 else "")
        raise InvalidSelection(
            _("„auswahl“ enthält keine Kommune der Region: %(ags)s. Möglich sind:", ags=shown),
            unknown,
        )
    return list(dict.fromkeys(raw))
