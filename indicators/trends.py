"""Recent trend with significance: Cochran–Armitage for shares, Poisson score test for rates.

Both are score tests of "no linear trend over the years" with one degree of freedom:
- shares (unit '%'): the chi-squared test for trend in proportions (Cochran–Armitage, Armitage
  1955) on numerator r_i of denominator n_i in year t_i;
- rates ('‰', 'je 10.000', 'je 100.000'): the score test of the slope in the Poisson regression
  log E[d_i] = log(n_i) + a + b·t_i (counts d_i, the denominator n_i as exposure).
Without numerators and denominators there is no test: the answer says "nicht bewertbar".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scipy.stats import chi2 as chi2_dist

from indicators.units import PROPORTION_UNITS, RATE_UNITS

ALPHA = 0.05  # two-sided significance level
WINDOW = 5  # the last five years with values
MIN_POINTS = 3  # fewer years make no trend
DIRECTIONS = ("steigend", "fallend", "gleichbleibend")


@dataclass(frozen=True)
class Trend:
    """The verdict for one series; direction and p are None when it is not assessable."""

    method: str | None  # 'cochran-armitage' | 'poisson-score' | None
    direction: str | None  # steigend | fallend | gleichbleibend
    significant: bool | None
    chi2: float | None
    p: float | None
    years: list[int]
    reason: str | None = None  # why not assessable: unit, no_counts, too_few, invalid_counts

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON and templates): the fields in order, the years a new list.
        (dataclasses.asdict deep-copies field by field: a fifth of the trends API's time for
        the ~2,600 series of the home region.)"""
        return {**vars(self), "years": list(self.years)}


def _score(
    t: Sequence[float], obs: Sequence[float], n: Sequence[float], var_unit: Callable[[float], float]
) -> tuple[float, float]:
    """Score statistic U = Σ t(obs − n·p̂), its variance and the pooled p̂ (p̂ = Σobs/Σn)."""
    big_n = float(sum(n))
    p_hat = sum(obs) / big_n
    u = sum(ti * (oi - ni * p_hat) for ti, oi, ni in zip(t, obs, n, strict=True))
    s_nt = sum(ni * ti for ti, ni in zip(t, n, strict=True))
    s_ntt = sum(ni * ti * ti for ti, ni in zip(t, n, strict=True))
    return u, var_unit(p_hat) * (s_ntt - s_nt * s_nt / big_n)


def cochran_armitage(
    t: Sequence[float], r: Sequence[float], n: Sequence[float]
) -> tuple[float, float, float]:
    """Chi-squared test for trend in proportions: (U, chi², p) for r_i of n_i at scores t_i."""
    u, var = _score(t, r, n, lambda p: p * (1 - p))
    x2 = u * u / var if var > 0 else 0.0
    return u, x2, float(chi2_dist.sf(x2, 1))


def poisson_trend(
    t: Sequence[float], d: Sequence[float], exposure: Sequence[float]
) -> tuple[float, float, float]:
    """Score test of the slope in a Poisson regression with exposure offset: (U, chi², p)."""
    u, var = _score(t, d, exposure, lambda lam: lam)
    x2 = u * u / var if var > 0 else 0.0
    return u, x2, float(chi2_dist.sf(x2, 1))


def _not(reason: str, years: list[int]) -> Trend:
    return Trend(None, None, None, None, None, years, reason)


def trend(unit: str, points: Sequence[tuple[int, float | None, float | None]]) -> Trend:
    """The trend over the last WINDOW years of (year, numerator, denominator), oldest first."""
    pts = sorted(points)[-WINDOW:]
    years = [y for y, _, _ in pts]
    test: Callable[[Sequence[float], Sequence[float], Sequence[float]], tuple[float, float, float]]
    if unit in PROPORTION_UNITS:
        method, test = "cochran-armitage", cochran_armitage
    elif unit in RATE_UNITS:
        method, test = "poisson-score", poisson_trend
    else:
        return _not("unit", years)
    if any(num is None or den is None for _, num, den in pts):
        return _not("no_counts", years)
    if len(pts) < MIN_POINTS:
        return _not("too_few", years)
    nums = [float(x) for _, x, _ in pts if x is not None]  # none is None (checked above)
    dens = [float(x) for _, _, x in pts if x is not None]
    # Both tests need counts: never negative, a share's numerator never above its denominator.
    if (
        any(x < 0 for x in nums)
        or any(x <= 0 for x in dens)
        or (method == "cochran-armitage" and any(a > b for a, b in zip(nums, dens, strict=True)))
    ):
        return _not("invalid_counts", years)
    u, x2, p = test([float(y) for y in years], nums, dens)
    significant = bool(p < ALPHA)
    # The direction is the sign of the score (the sign of the fitted slope); whether it is more
    # than chance is the separate `significant`.
    direction = "gleichbleibend" if u == 0 else ("steigend" if u > 0 else "fallend")
    return Trend(method, direction, significant, x2, p, years)
