"""Pure statistics for benchmarks and disparities: intervals, verdicts, spread, Moran's I.

No database, no Flask: plain numbers in, plain numbers (dataclasses) out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

# Two-sided 95 % normal quantile.
Z95 = 1.959963984540054

# Proportions → Wilson score interval; rates of counts per population → Byar's approximation
# of the Poisson interval, scaled (both from the one unit vocabulary).
from indicators.units import PROPORTION_UNITS, RATE_UNITS  # noqa: E402

VERDICTS = ("better", "similar", "worse", "higher", "lower", "not_assessable")


def wilson_interval(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of the proportion k/n (as a fraction 0…1)."""
    if n <= 0:
        raise ValueError("denominator must be positive")
    if k < 0 or k > n:
        raise ValueError("numerator must lie between 0 and the denominator")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def byar_interval(x: float, z: float = Z95) -> tuple[float, float]:
    """Byar's approximation of the 95 % interval of a Poisson count x."""
    if x < 0:
        raise ValueError("count must not be negative")
    lower = 0.0 if x == 0 else x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    x1 = x + 1
    upper = x1 * (1 - 1 / (9 * x1) + z / (3 * math.sqrt(x1))) ** 3
    return max(0.0, lower), upper


@dataclass(frozen=True)
class Benchmark:
    """A Kommune's value compared with the Region's: interval, direction and verdict."""

    verdict: str  # one of VERDICTS
    direction: str | None = None  # 'above' | 'below' | 'within' the Region's value
    lower: float | None = None
    upper: float | None = None
    method: str | None = None  # 'wilson' | 'byar'
    reason: str | None = None  # why not assessable (code, see sentences.REASONS)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON and templates): its fields in order, all plain values, so what
        `asdict` gives without its recursive copy (21 per map)."""
        return dict(self.__dict__)


def not_assessable(reason: str) -> Benchmark:
    """A benchmark that refuses to judge, with the reason's code."""
    return Benchmark(verdict="not_assessable", reason=reason)


def interval_for(
    numerator: float | None, denominator: float | None, unit: str
) -> tuple[float, float, str] | Benchmark:
    """(lower, upper, method) in the indicator's unit, or a not-assessable Benchmark."""
    scale = PROPORTION_UNITS.get(unit) or RATE_UNITS.get(unit)
    if scale is None:
        return not_assessable("no_counts")
    if numerator is None or denominator is None:
        return not_assessable("no_counts")
    if denominator <= 0:
        return not_assessable("zero_denominator")
    if numerator < 0 or (unit in PROPORTION_UNITS and numerator > denominator):
        return not_assessable("invalid_counts")
    if unit in PROPORTION_UNITS:
        lo, hi = wilson_interval(numerator, denominator)
        return lo * scale, hi * scale, "wilson"
    lo, hi = byar_interval(numerator)
    return lo / denominator * scale, hi / denominator * scale, "byar"


def verdict_for(direction: str, polarity: str) -> str:
    """Map above/below/within to better/worse (by polarity) or higher/lower (neutral)."""
    if direction == "within":
        return "similar"
    if polarity == "higher_better":
        return "better" if direction == "above" else "worse"
    if polarity == "higher_worse":
        return "worse" if direction == "above" else "better"
    return "higher" if direction == "above" else "lower"


def mixes_synthetic(a: bool | None, b: bool | None) -> bool:
    """True when one of two values is Beispieldaten and the other real (None: no value/unknown)."""
    return a is not None and b is not None and bool(a) != bool(b)


def benchmark(
    *,
    numerator: float | None,
    denominator: float | None,
    unit: str,
    polarity: str,
    region_value: float | None,
    value: float | None = None,
    suppressed: bool = False,
    no_reference: str = "no_region",
    synthetic: bool | None = None,
    reference_synthetic: bool | None = None,
) -> Benchmark:
    """Compare one Kommune with the Region (or another benchmark area's value): CI entirely
    above/below it. `no_reference`: the reason's code when that value is missing.
    `synthetic`, `reference_synthetic`: whether the Kommune's and the benchmark's values are
    Beispieldaten (None: unknown); one synthetic against one real is "mixed_synthetic", never
    judged (no computed figure mixes real and synthetic values)."""
    if suppressed:
        return not_assessable("suppressed")
    if value is None and numerator is None:
        return not_assessable("missing")
    ci = interval_for(numerator, denominator, unit)
    if isinstance(ci, Benchmark):
        return ci
    if region_value is None:
        return not_assessable(no_reference)
    if mixes_synthetic(synthetic, reference_synthetic):
        return not_assessable("mixed_synthetic")
    lo, hi, method = ci
    direction = "above" if lo > region_value else "below" if hi < region_value else "within"
    return Benchmark(verdict_for(direction, polarity), direction, lo, hi, method)


@dataclass(frozen=True)
class Spread:
    """How far the Kommunen's values of one indicator and year lie apart."""

    n: int
    minimum: float | None = None
    maximum: float | None = None
    range: float | None = None
    ratio: float | None = None  # max/min, only for positive values
    mean: float | None = None
    weighted_mean: float | None = None
    cv: float | None = None  # coefficient of variation, unweighted
    cv_weighted: float | None = None  # population-weighted
    theil: float | None = None  # Theil T (population-weighted when weights are given)
    gini: float | None = None  # Gini over the Kommunen (unweighted)
    reason: str | None = None  # why scale-free measures are missing (code)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON and templates)."""
        return asdict(self)


def gini(values: npt.ArrayLike) -> float:
    """Gini coefficient: mean absolute difference over twice the mean (values ≥ 0)."""
    x = np.asarray(values, dtype=float)
    if x.size == 0 or np.any(x < 0) or x.mean() <= 0:
        raise ValueError("Gini needs non-negative values with a positive mean")
    diff = np.abs(x[:, None] - x[None, :]).sum()
    return float(diff / (2 * x.size**2 * x.mean()))


def theil(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    """Theil T index; with population weights the between-Kommunen Theil of the Region."""
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if x.size == 0 or np.any(x <= 0) or np.any(w <= 0):
        raise ValueError("Theil needs positive values and weights")
    mu = float((w * x).sum() / w.sum())
    share = w * x / (w * x).sum()  # each Kommune's share of the total
    return float((share * np.log(x / mu)).sum())


def spread(values: Sequence[float], weights: Sequence[float] | None = None) -> Spread:
    """Range, max/min ratio, CV (unweighted and weighted), Theil and Gini of the values."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return Spread(n=int(x.size), reason="too_few")
    w = None if weights is None else np.asarray(weights, dtype=float)
    if w is not None and (w.shape != x.shape or np.any(~np.isfinite(w)) or np.any(w <= 0)):
        w = None
    lo, hi, mean = float(x.min()), float(x.max()), float(x.mean())
    base: dict[str, Any] = {
        "n": int(x.size),
        "minimum": lo,
        "maximum": hi,
        "range": hi - lo,
        "mean": mean,
    }
    if w is not None:
        base["weighted_mean"] = float((w * x).sum() / w.sum())
    if lo <= 0:
        # Scale-free measures compare spread with the level; they mean nothing for values
        # that can be zero or negative (e.g. net migration).
        return Spread(**base, reason="non_positive")
    cv = float(x.std() / mean)
    cv_w = None
    if w is not None:
        mw = base["weighted_mean"]
        cv_w = float(math.sqrt((w * (x - mw) ** 2).sum() / w.sum()) / mw)
    return Spread(**base, ratio=hi / lo, cv=cv, cv_weighted=cv_w, theil=theil(x, w), gini=gini(x))


def morans_i(y: Sequence[float], w: np.ndarray, row_standardise: bool = True) -> float:
    """Global Moran's I of y under the weights matrix w (n×n, zero diagonal)."""
    x = np.asarray(y, dtype=float)
    m = np.asarray(w, dtype=float)
    if row_standardise:
        m = m / m.sum(axis=1, keepdims=True)
    z = x - x.mean()
    return float(x.size / m.sum() * (z @ m @ z) / (z @ z))


def lattice_weights(rows: int, cols: int, queen: bool = False) -> np.ndarray:
    """Binary rook (or queen) contiguity of a rows×cols lattice, cells numbered row-wise."""
    n = rows * cols
    w = np.zeros((n, n))
    for r in range(rows):
        for c in range(cols):
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if (dr, dc) == (0, 0) or (not queen and dr and dc):
                        continue
                    rr, cc = r + dr, c + dc
                    if 0 <= rr < rows and 0 <= cc < cols:
                        w[r * cols + c, rr * cols + cc] = 1
    return w
