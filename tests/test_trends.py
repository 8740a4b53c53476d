"""Recent trend tests against textbook and hand-computed values."""

import pytest

from indicators.trends import cochran_armitage, poisson_trend, trend


def test_cochran_armitage_agresti_malformation():
    # Agresti, Categorical Data Analysis (2002), 3.4.6: alcohol and infant malformation,
    # scores 0, 0.5, 1.5, 4, 7 → trend statistic 6.57, P = 0.01.
    _, x2, p = cochran_armitage(
        [0, 0.5, 1.5, 4, 7], [48, 38, 5, 1, 1], [17114, 14502, 793, 127, 38]
    )
    assert x2 == pytest.approx(6.57, abs=0.005)
    assert p == pytest.approx(0.0104, abs=0.0001)


def test_cochran_armitage_by_hand():
    # p̂ = 0.2; U = 1·0 + 2·10 = 20; Var = 0.2·0.8·(500 − 300²/300) = 32; χ² = 400/32 = 12.5.
    u, x2, p = cochran_armitage([0, 1, 2], [10, 20, 30], [100, 100, 100])
    assert (u, x2) == (pytest.approx(20), pytest.approx(12.5))
    assert p == pytest.approx(0.000407, abs=1e-6)


def test_poisson_score_by_hand():
    # λ̂ = 0.02; U = 20; Var = 0.02·(5000 − 3000²/3000) = 40; χ² = 10, p = 0.00157.
    u, x2, p = poisson_trend([0, 1, 2], [10, 20, 30], [1000, 1000, 1000])
    assert (u, x2) == (pytest.approx(20), pytest.approx(10))
    assert p == pytest.approx(0.001565, abs=1e-6)


def test_scores_shift_invariant():
    # Years or centred years: the same test.
    a = cochran_armitage([2019, 2020, 2021], [10, 20, 30], [100, 100, 100])
    assert a[1] == pytest.approx(12.5)


def test_trend_share_rising_significant():
    t = trend("%", [(2016, 30, 100), (2017, 20, 100), (2018, 10, 100)])
    assert (t.method, t.direction, t.significant) == ("cochran-armitage", "fallend", True)
    assert t.years == [2016, 2017, 2018]


def test_trend_rate_not_significant():
    t = trend("je 10.000", [(2014, 10, 1000), (2015, 11, 1000), (2016, 10, 1000), (2017, 12, 1000)])
    assert (t.method, t.direction, t.significant) == ("poisson-score", "steigend", False)
    assert t.p > 0.05


def test_trend_flat_is_gleichbleibend():
    t = trend("‰", [(2014, 10, 1000), (2015, 10, 1000), (2016, 10, 1000)])
    assert (t.direction, t.significant, t.chi2) == ("gleichbleibend", False, 0.0)


def test_trend_last_five_years_only():
    pts = [(y, 10 + (50 if y < 2012 else 0), 100) for y in range(2005, 2017)]
    t = trend("%", pts)
    assert t.years == [2012, 2013, 2014, 2015, 2016]
    assert t.direction == "gleichbleibend"


@pytest.mark.parametrize(
    ("unit", "pts", "reason"),
    [
        ("EUR", [(2014, 1, 2), (2015, 1, 2), (2016, 1, 2)], "unit"),
        ("%", [(2014, 1, 2), (2015, None, None), (2016, 1, 2)], "no_counts"),
        ("%", [(2015, 1, 2), (2016, 1, 2)], "too_few"),
        ("%", [(2014, 3, 2), (2015, 1, 2), (2016, 1, 2)], "invalid_counts"),
        ("‰", [(2014, -3, 2), (2015, 1, 2), (2016, 1, 2)], "invalid_counts"),
    ],
)
def test_not_assessable(unit, pts, reason):
    t = trend(unit, pts)
    assert (t.reason, t.direction, t.significant, t.p) == (reason, None, None, None)
