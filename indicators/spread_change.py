"""Is a change in spread real? A paired bootstrap over the Kommunen of the relative change of a
spread measure between two years, and the plain verdict it supports.

Why the bootstrap and not a trend test on the yearly spread: the planner picks any two years
(two points have no trend to test, and the years between may be missing or cross no break the
ends cross); the ranking is by the relative change of the chosen measure between exactly those
years, so the interval is of that same number. Resampling the Kommunen (the same draw in both
years, so a Kommune's start and end value stay paired) asks whether the change is carried by the
Kommunen as a whole or by one or two of them: when drawing the Kommunen with replacement moves
the change to either side of zero, the data show no clear difference. The 21 Kommunen are all
Kommunen, not a sample, so this is a robustness interval, not sampling error of a survey.
Percentile interval (Efron & Tibshirani 1993, ch. 13), 999 draws, a fixed seed so that a page
is the same for every visitor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DRAWS = 999
SEED = 20_241_029
LEVEL = 0.95

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ChangeInterval:
    """The 95 % percentile interval of the relative change (0.1 = +10 %) and its verdict."""

    lower: float
    upper: float
    verdict: str  # 'apart' | 'closer' | 'unclear'
    draws: int


def measure_draws(x: Array, w: Array, measure: str) -> Array:
    """The spread measure of each row of x (draws × Kommunen), as indicators.stats.spread."""
    if measure == "cv":
        result: Array = x.std(axis=1) / x.mean(axis=1)
        return result
    if measure == "cv_weighted":
        mw = (w * x).sum(axis=1) / w.sum(axis=1)
        sd = np.sqrt((w * (x - mw[:, None]) ** 2).sum(axis=1) / w.sum(axis=1))
        result = sd / mw
        return result
    if measure == "theil":
        mu = (w * x).sum(axis=1) / w.sum(axis=1)
        share = w * x / (w * x).sum(axis=1)[:, None]
        result = (share * np.log(x / mu[:, None])).sum(axis=1)
        return result
    if measure == "gini":
        # Sum of |xi - xj| over all pairs from the sorted values: 2 Σ (2i - n - 1) x_(i).
        s = np.sort(x, axis=1)
        n = x.shape[1]
        k = 2 * np.arange(1, n + 1) - n - 1
        result = 2 * (s * k).sum(axis=1) / (2 * n**2 * x.mean(axis=1))
        return result
    if measure == "ratio":
        result = x.max(axis=1) / x.min(axis=1)
        return result
    raise ValueError(f"unknown measure {measure}")


def verdict(lower: float, upper: float) -> str:
    """'apart' when the whole interval is above zero, 'closer' when below, else 'unclear'."""
    if lower > 0:
        return "apart"
    if upper < 0:
        return "closer"
    return "unclear"


def change_interval(
    start: Sequence[float],
    end: Sequence[float],
    measure: str,
    start_weights: Sequence[float] | None = None,
    end_weights: Sequence[float] | None = None,
    draws: int = DRAWS,
) -> ChangeInterval | None:
    """Bootstrap interval of end/start − 1 of the measure; the values are the same Kommunen in
    the same order in both years (weights likewise, needed for cv_weighted). None when a draw
    cannot be measured (values ≤ 0, no weights for a weighted measure)."""
    x0, x1 = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    if x0.shape != x1.shape or x0.size < 2 or np.any(x0 <= 0) or np.any(x1 <= 0):
        return None
    weighted = measure in ("cv_weighted", "theil")
    if measure == "cv_weighted" and (start_weights is None or end_weights is None):
        return None
    w0 = np.ones_like(x0) if start_weights is None else np.asarray(start_weights, dtype=float)
    w1 = np.ones_like(x1) if end_weights is None else np.asarray(end_weights, dtype=float)
    if weighted and (np.any(w0 <= 0) or np.any(w1 <= 0)):
        return None
    rng = np.random.default_rng(SEED)
    idx = rng.integers(0, x0.size, size=(draws, x0.size))  # the same Kommunen in both years
    with np.errstate(divide="ignore", invalid="ignore"):
        m0 = measure_draws(x0[idx], w0[idx], measure)
        m1 = measure_draws(x1[idx], w1[idx], measure)
        rel = m1 / m0 - 1
    rel = rel[np.isfinite(rel)]  # a draw of identical values has no spread to compare
    if rel.size < draws // 2:
        return None
    tail = (1 - LEVEL) / 2 * 100
    lo, hi = (float(v) for v in np.percentile(rel, [tail, 100 - tail]))
    return ChangeInterval(lower=lo, upper=hi, verdict=verdict(lo, hi), draws=int(rel.size))
