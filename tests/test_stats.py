"""Pure statistics against hand-checked values: intervals, verdicts, spread, Moran's I."""

import math

import numpy as np
import pytest
from scipy.stats import chi2

from indicators import spatial, stats


def test_wilson_interval_matches_hand_computation():
    # 10 of 100, z = 1.96: centre (0.1 + z²/200) / (1 + z²/100) = 0.114800,
    # half width z / (1 + z²/100) · sqrt(0.0009 + z²/40000) = 0.059569.
    lo, hi = stats.wilson_interval(10, 100)
    assert lo == pytest.approx(0.05523, abs=1e-5)
    assert hi == pytest.approx(0.17437, abs=1e-5)


def test_wilson_interval_edges_stay_inside_zero_and_one():
    lo, hi = stats.wilson_interval(0, 20)
    assert lo == 0.0 and hi == pytest.approx(0.16113, abs=1e-5)  # z²/(n+z²) = 3.8415/23.8415
    lo, hi = stats.wilson_interval(20, 20)
    assert hi == 1.0 and lo == pytest.approx(1 - 0.16113, abs=1e-5)
    with pytest.raises(ValueError):
        stats.wilson_interval(5, 0)
    with pytest.raises(ValueError):
        stats.wilson_interval(6, 5)


def test_byar_interval_matches_formula_and_is_close_to_exact_poisson():
    lo, hi = stats.byar_interval(10)
    z = stats.Z95
    assert lo == pytest.approx(10 * (1 - 1 / 90 - z / (3 * math.sqrt(10))) ** 3)
    assert hi == pytest.approx(11 * (1 - 1 / 99 + z / (3 * math.sqrt(11))) ** 3)
    assert lo == pytest.approx(4.795, abs=0.01) and hi == pytest.approx(18.390, abs=0.01)  # exact
    for x in (5, 50, 500):  # Byar is a poor approximation only for very small counts
        exact_lo, exact_hi = chi2.ppf(0.025, 2 * x) / 2, chi2.ppf(0.975, 2 * x + 2) / 2
        assert stats.byar_interval(x)[0] == pytest.approx(exact_lo, rel=0.01)
        assert stats.byar_interval(x)[1] == pytest.approx(exact_hi, rel=0.01)
    assert stats.byar_interval(0)[0] == 0.0


def test_benchmark_uses_unit_and_polarity():
    # 1 420 of 10 000 = 14.2 %; Wilson interval ≈ 13.5–14.9 % lies above the Region's 11.8 %.
    kw = {"numerator": 1420, "denominator": 10_000, "unit": "%", "region_value": 11.8}
    b = stats.benchmark(polarity="higher_worse", **kw)
    assert (b.verdict, b.direction, b.method) == ("worse", "above", "wilson")
    assert 13.4 < b.lower < 14.2 < b.upper < 15.0
    assert stats.benchmark(polarity="higher_better", **kw).verdict == "better"
    assert stats.benchmark(polarity="neutral", **kw).verdict == "higher"
    similar = stats.benchmark(
        numerator=12, denominator=100, unit="%", polarity="higher_worse", region_value=11.8
    )
    assert (similar.verdict, similar.direction) == ("similar", "within")
    # A rate per 1 000 uses Byar: 30 deaths among 1 000 inhabitants vs the Region's 10 ‰.
    rate = stats.benchmark(
        numerator=30, denominator=1000, unit="‰", polarity="higher_worse", region_value=10.0
    )
    assert rate.method == "byar" and rate.verdict == "worse"
    assert rate.lower == pytest.approx(stats.byar_interval(30)[0])
    low = stats.benchmark(
        numerator=3,
        denominator=100_000,
        unit="je 100.000",
        polarity="higher_better",
        region_value=9.0,
    )
    assert (low.verdict, low.direction) == ("worse", "below")


def test_benchmark_refuses_to_invent_a_verdict():
    base = {"unit": "%", "polarity": "higher_worse", "region_value": 10.0}
    assert (
        stats.benchmark(numerator=None, denominator=None, value=5.0, **base).reason == "no_counts"
    )
    assert (
        stats.benchmark(numerator=0, denominator=0, value=0.0, **base).reason == "zero_denominator"
    )
    assert stats.benchmark(numerator=5, denominator=4, **base).reason == "invalid_counts"
    assert (
        stats.benchmark(numerator=5, denominator=40, suppressed=True, **base).reason == "suppressed"
    )
    assert stats.benchmark(numerator=None, denominator=None, value=None, **base).reason == "missing"
    no_region = stats.benchmark(
        numerator=5, denominator=40, unit="%", polarity="neutral", region_value=None
    )
    assert no_region.reason == "no_region"
    level = stats.benchmark(
        numerator=None,
        denominator=None,
        value=42_000.0,
        unit="EUR",
        polarity="higher_better",
        region_value=40_000.0,
    )
    assert level.verdict == "not_assessable" and level.reason == "no_counts"
    # Counts in a level unit are not a rate even when a numerator is given.
    assert (
        stats.benchmark(
            numerator=5, denominator=10, unit="EUR", polarity="neutral", region_value=1.0
        ).reason
        == "no_counts"
    )


def test_gini_and_theil_hand_values():
    assert stats.gini([1, 1, 1, 1]) == 0.0
    # Σ|xi − xj| = 6 over ordered pairs, n² = 16, mean 0.25 → 6 / (2 · 16 · 0.25) = 0.75.
    assert stats.gini([0, 0, 0, 1]) == pytest.approx(0.75)
    assert stats.theil([2, 2, 2]) == pytest.approx(0.0)
    # μ = 2: ½ (0.5 ln 0.5 + 1.5 ln 1.5) = 0.130812.
    assert stats.theil([1, 3]) == pytest.approx(0.5 * (0.5 * math.log(0.5) + 1.5 * math.log(1.5)))
    # Weighted: shares 1·1/(1+9) and 3·3/10, μ = 10/4 = 2.5.
    expected = 0.1 * math.log(1 / 2.5) + 0.9 * math.log(3 / 2.5)
    assert stats.theil([1, 3], [1, 3]) == pytest.approx(expected)


def test_spread_measures_by_hand():
    s = stats.spread([10, 20, 30], [1, 1, 2])
    assert (s.range, s.ratio, s.mean) == (20, 3, 20)
    assert s.cv == pytest.approx(math.sqrt(200 / 3) / 20)
    # Weighted mean (10 + 20 + 60) / 4 = 22.5; weighted variance (156.25 + 6.25 + 2·56.25) / 4.
    assert s.weighted_mean == pytest.approx(22.5)
    assert s.cv_weighted == pytest.approx(math.sqrt(275 / 4) / 22.5)
    assert s.gini == pytest.approx(stats.gini([10, 20, 30]))
    unweighted = stats.spread([10, 20, 30])
    assert unweighted.cv_weighted is None and unweighted.theil == pytest.approx(
        stats.theil([10, 20, 30])
    )


def test_spread_with_zero_or_negative_values_gives_no_scale_free_measures():
    s = stats.spread([-2.0, 1.0, 3.0])
    assert s.range == 5.0 and s.cv is None and s.ratio is None and s.gini is None
    assert s.reason == "non_positive"
    assert stats.spread([4.0]).reason == "too_few"


def test_morans_i_checkerboard_is_minus_one_under_rook_weights():
    # 3×3 checkerboard: every rook neighbour pair differs. z = ±(4/9, 5/9), 24 ordered pairs
    # each contribute −20/81, z'z = 180/81, S0 = 24 (binary) → I = 9/24 · (−480/81)/(180/81) = −1.
    y = [1, 0, 1, 0, 1, 0, 1, 0, 1]
    w = stats.lattice_weights(3, 3)
    assert w.sum() == 24
    assert stats.morans_i(y, w, row_standardise=False) == pytest.approx(-1.0)
    # 4×4 checkerboard: same, and with row standardisation as well.
    y4 = [(r + c) % 2 for r in range(4) for c in range(4)]
    assert stats.morans_i(y4, stats.lattice_weights(4, 4)) == pytest.approx(-1.0)


def test_morans_i_line_by_hand():
    # 1-2-3-4 on a line: z = (−1.5, −0.5, 0.5, 1.5); Σ over edges 0.75 − 0.25 + 0.75 = 1.25,
    # ordered pairs 2.5, z'z = 5, S0 = 6 → I = 4/6 · 2.5/5 = 1/3.
    assert stats.morans_i([1, 2, 3, 4], stats.lattice_weights(1, 4), False) == pytest.approx(1 / 3)


def test_esda_agrees_with_hand_values_on_the_lattice():
    w = stats.lattice_weights(4, 4)
    neighbours = {str(i): [str(j) for j in np.flatnonzero(w[i])] for i in range(16)}
    lib_w = spatial.weights_from_neighbours(neighbours)
    y4 = [(r + c) % 2 for r in range(4) for c in range(4)]
    res = spatial.moran(y4, lib_w, permutations=199)
    assert res["I"] == pytest.approx(-1.0)
    assert res["EI"] == pytest.approx(-1 / 15)
    # Hot spot in one corner block: positive autocorrelation, significant with 999 permutations.
    block = [1 if r < 2 and c < 2 else 0 for r in range(4) for c in range(4)]
    values = {str(i): v for i, v in enumerate(block)}
    res = spatial.lisa(values, lib_w)
    assert res["global"]["I"] == pytest.approx(stats.morans_i(block, w))
    assert res["global"]["I"] > 0 and res["global"]["p_sim"] < 0.05
    assert res["areas"]["0"]["quadrant"] == "HH"
    assert res["areas"]["15"]["quadrant"] == "LL"


def test_lisa_is_reproducible_with_its_seed():
    w = stats.lattice_weights(4, 4)
    lib_w = spatial.weights_from_neighbours(
        {str(i): [str(j) for j in np.flatnonzero(w[i])] for i in range(16)}
    )
    values = {str(i): float(v) for i, v in enumerate(np.linspace(0, 1, 16) ** 2)}
    a, b = spatial.lisa(values, lib_w), spatial.lisa(values, lib_w)
    assert a == b
