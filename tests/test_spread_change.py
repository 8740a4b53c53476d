"""The disparity overview's verdict: bootstrap interval of a change in spread, default period."""

import numpy as np
import pytest

from indicators import disparities, stats
from indicators.breaks import break_between, series_breaks
from indicators.spread_change import change_interval, measure_draws, verdict
from indicators.units import COUNT_UNITS

RNG = np.random.default_rng(7)
BASE = 10 + RNG.normal(0, 1.5, 21)  # 21 Kommunen, all positive
POP = RNG.integers(5_000, 500_000, 21).astype(float)


@pytest.mark.parametrize("measure", ["cv", "cv_weighted", "theil", "gini", "ratio"])
def test_each_draw_measures_as_the_spread_function_does(measure):
    """The vectorised measures equal indicators.stats.spread on the same values."""
    x, w = BASE[None, :], POP[None, :]
    expected = getattr(stats.spread(list(BASE), list(POP)), measure)
    assert measure_draws(x, w, measure)[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("measure", ["cv", "cv_weighted", "theil", "gini"])
def test_doubled_spread_is_apart_and_halved_is_closer(measure):
    mean = BASE.mean()
    wider = mean + 2 * (BASE - mean)  # every Kommune twice as far from the mean
    narrower = mean + 0.5 * (BASE - mean)
    up = change_interval(BASE, wider, measure, POP, POP)
    down = change_interval(BASE, narrower, measure, POP, POP)
    assert up is not None and up.verdict == "apart" and 0 < up.lower < up.upper, up
    assert down is not None and down.verdict == "closer" and down.lower < down.upper < 0, down


def test_change_carried_by_one_kommune_is_unclear():
    """One Kommune moves far out while the others move closer: the interval spans zero."""
    mean = BASE.mean()
    end = mean + 0.8 * (BASE - mean)
    end[0] = BASE.max() * 1.6
    found = change_interval(BASE, end, "cv", POP, POP)
    assert found is not None and found.lower < 0 < found.upper and found.verdict == "unclear"
    assert verdict(0.01, 0.2) == "apart" and verdict(-0.2, -0.01) == "closer"
    assert verdict(-0.1, 0.1) == "unclear"


def test_interval_is_reproducible_and_refuses_what_it_cannot_measure():
    end = BASE + np.linspace(-1, 1, 21)
    a = change_interval(BASE, end, "cv")
    assert a is not None and a == change_interval(BASE, end, "cv")  # fixed seed: same page
    assert a.draws == 999
    assert change_interval(BASE, BASE[:-1], "cv") is None  # not the same Kommunen
    assert change_interval(BASE, -BASE, "cv") is None  # values ≤ 0
    assert change_interval(BASE, BASE, "cv_weighted") is None  # weighted, no weights
    same = change_interval(BASE, BASE * 1.0, "cv")
    assert same is not None and same.lower == same.upper == pytest.approx(0, abs=1e-12)
    assert same.verdict == "unclear"


def test_default_period_assesses_the_most_indicators(conn):
    """The overview opens on the period in which the most indicators can be ranked, and that
    is more than the whole span from the first year (the reported 0 of 115)."""
    table = disparities.spread_table(conn)
    breaks = series_breaks(conn)
    start, end = disparities.default_period(table, breaks)

    def assessable(a, b):
        return sum(
            1
            for e in table.values()
            if e["indicator"].unit not in COUNT_UNITS
            and a in e["years"]
            and b in e["years"]
            and (e["years"][a]["spread"] and e["years"][a]["spread"].cv_weighted) is not None
            and (e["years"][b]["spread"] and e["years"][b]["spread"].cv_weighted) is not None
            and not break_between(a, b, breaks.get(e["indicator"].id, ()))
        )

    years = sorted({y for e in table.values() for y in e["years"]})
    best = assessable(start, end)
    assert best > 0 and best >= assessable(years[0], years[-1])
    assert all(assessable(a, b) <= best for a in years for b in years if a < b)
    page = disparities.disparities_overview(conn, None, None, breaks=breaks)
    assert (page["start"], page["end"]) == (start, end)
    assert len(page["rows"]) == best
    for r in page["rows"]:
        iv = r["interval"]
        assert iv is not None, r["indicator"].id
        assert iv.verdict == verdict(iv.lower, iv.upper)
        assert iv.lower <= r["relative"] + 1e-9 or iv.upper >= r["relative"] - 1e-9
