"""The Sozialindex's domain: definition as data, z-scores, classes, gaps, robustness (no database)."""

from __future__ import annotations

import math

import pytest

from indicators.errors import InvalidContent
from indicators.social_index import (
    GROUPS,
    AreaInput,
    IndexDefinition,
    IndexIndicator,
    Observation,
    compute,
    dynamics_class,
    load_definition,
    parse_definition,
    status_class,
)

D = IndexDefinition(
    key="t",
    name_de="T",
    name_en="T",
    indicators=(IndexIndicator("a", 1), IndexIndicator("b", -1)),
    status_year=2022,
    dynamics_from=2021,
    dynamics_to=2022,
)


def area(ags: str, a21, a22, b21, b22, num: float | None = None) -> AreaInput:
    vals = {}
    for key, v in ((("a", 2021), a21), (("a", 2022), a22), (("b", 2021), b21), (("b", 2022), b22)):
        if v is not None:
            vals[key] = Observation(v, num)
    return AreaInput(ags, f"K{ags}", vals)


def test_shipped_definition_is_real_and_valid():
    d = load_definition()
    assert d.indicator_ids == ("sgb2_u15_quote_inkar", "sgb2_personen_quote")
    assert (d.status_year, d.dynamics_from, d.dynamics_to) == (2022, 2021, 2022)
    assert len(GROUPS) == 12


def test_classes_at_thresholds():
    assert status_class(1.5, D) == "sehr_niedrig"
    assert status_class(1.0, D) == "niedrig"
    assert status_class(0.99, D) == "mittel"
    assert status_class(-1.0, D) == "hoch"
    assert dynamics_class(1.0, D) == "negativ"
    assert dynamics_class(-1.0, D) == "positiv"
    assert dynamics_class(0.0, D) == "stabil"


def test_hand_computed_index():
    # a: 1, 2, 3 (higher = more need); b: 30, 20, 10 (higher = less need): same order.
    areas = [area("1", 1, 1, 30, 30), area("2", 1, 2, 20, 20), area("3", 1, 3, 10, 10)]
    idx = compute(D, areas)
    sd = math.sqrt(2 / 3)
    a3 = idx.areas[2]
    assert a3.status_z["a"] == pytest.approx(1 / sd)
    assert a3.status_z["b"] == pytest.approx(1 / sd)  # oriented: a low b is more need
    assert a3.status_index == pytest.approx(1 / sd)
    assert a3.status_score == pytest.approx(1 / sd)  # S has mean 0 and sd 1 here
    assert a3.status_class == "niedrig"  # 1.22
    assert idx.areas[0].status_class == "hoch"
    assert idx.areas[1].status_class == "mittel"
    # changes: a +0, +1, +2 (more need), b 0 everywhere (sd 0: z 0)
    assert a3.change == {"a": 2, "b": 0}
    assert a3.dynamics_z["b"] == 0
    assert a3.dynamics_class == "negativ"
    assert a3.attention and a3.group == "niedrig/negativ"
    assert not idx.areas[0].attention


def test_missing_value_means_no_index_and_says_why():
    areas = [area("1", 1, 1, 30, 30), area("2", 1, 2, 20, None), area("3", 1, 3, 10, 10)]
    idx = compute(D, areas)
    a2 = idx.areas[1]
    assert a2.status_class is None and a2.dynamics_class is None and a2.group is None
    assert [(g.indicator, g.year) for g in a2.status_gaps] == [("b", 2022)]
    assert idx.status is not None and idx.status.n == 2
    # the others' z-scores use only the areas with a value (no imputation)
    assert idx.indicators[1].status is not None and idx.indicators[1].status.n == 2


def test_few_cases_and_leave_one_out():
    areas = [area("1", 1, 1, 30, 30, 5), area("2", 1, 2, 20, 20, 50), area("3", 1, 3, 10, 10, 50)]
    idx = compute(D, areas)
    assert idx.areas[0].few_cases == ("a", "b")
    assert idx.areas[1].few_cases == ()
    assert idx.indicators[0].counts_published
    assert set(idx.areas[0].leave_one_out) == {"a", "b"}
    assert not idx.areas[0].class_unstable


def test_few_cases_by_denominator():
    small = AreaInput("9", "K9", {("a", 2022): Observation(5.0, None, False, 250.0)})
    big = AreaInput("8", "K8", {("a", 2022): Observation(5.0, None, False, 300.0)})
    idx = compute(D, [small, big])
    assert idx.areas[0].few_cases == ("a",)
    assert idx.areas[1].few_cases == ()
    assert idx.indicators[0].counts_published


@pytest.mark.parametrize(
    "change",
    [
        {"indicators": []},
        {"indicators": [{"id": "a", "direction": 2}]},
        {"dynamics_from": 2022},
        {"status_low": 2.0},
        {"name_de": ""},
    ],
)
def test_definition_refused(change):
    raw = {
        "key": "k",
        "name_de": "n",
        "name_en": "n",
        "status_year": 2022,
        "dynamics_from": 2021,
        "dynamics_to": 2022,
        "indicators": [{"id": "a", "direction": 1}],
    }
    parse_definition(raw)
    with pytest.raises(InvalidContent):
        parse_definition({**raw, **change})


def wilson(n: float, total: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson's score interval, written out here (not indicators.stats)."""
    p = n / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z / (1 + z * z / total) * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return centre - half, centre + half


def test_a_class_on_a_z_score_not_significant_given_the_counts_is_flagged():
    """Four large Kommunen at 10 % (100 of 1,000) and a small one at 30 % (3 of 10): the small
    one is "sehr niedrig" (s = 2) but its share's 95 % interval, standardised, includes 0."""
    d = IndexDefinition(
        key="t",
        name_de="T",
        name_en="T",
        indicators=(IndexIndicator("a", 1),),
        status_year=2022,
        dynamics_from=2021,
        dynamics_to=2022,
    )

    def k(ags: str, n: float, total: float) -> AreaInput:
        obs = Observation(100 * n / total, n, False, total)
        return AreaInput(ags, ags, {("a", 2022): obs, ("a", 2021): obs})

    areas = [k(f"0{i}", 100, 1000) for i in range(1, 5)] + [k("05", 3, 10)]
    idx = compute(d, areas, units={"a": "%"})
    small, big = idx.areas[4], idx.areas[0]
    # mean 14, sd 8 (population sd): z = (30 − 14) / 8 = 2; S standardised: s = 2
    assert small.status_z["a"] == pytest.approx(2.0)
    assert small.status_class == "sehr_niedrig"
    lo, hi = wilson(3, 10)
    assert small.status_z_interval["a"] == pytest.approx(((100 * lo - 14) / 8, (100 * hi - 14) / 8))
    assert small.z_significant == {"a": False}
    assert small.class_not_significant
    lo, hi = wilson(100, 1000)
    assert big.status_z_interval["a"] == pytest.approx(((100 * lo - 14) / 8, (100 * hi - 14) / 8))
    assert big.z_significant == {"a": True}  # (−0.71, −0.25): below the mean for certain
    assert big.status_class == "mittel" and not big.class_not_significant
    # the same small area with ten times the counts: significant, not flagged
    areas[4] = k("05", 300, 1000)
    again = compute(d, areas, units={"a": "%"}).areas[4]
    assert again.status_class == "sehr_niedrig" and again.z_significant == {"a": True}
    assert not again.class_not_significant
    # without a unit with a count interval (or without counts): not checkable, never flagged
    blind = compute(d, [k(f"0{i}", 100, 1000) for i in range(1, 5)] + [k("05", 3, 10)])
    assert blind.areas[4].z_significant == {"a": None}
    assert not blind.areas[4].class_not_significant


def byar(n: float, total: float, per: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Byar's approximation of the Poisson interval of a rate per `per`, written out here."""
    lo = 0.0 if n == 0 else n * (1 - 1 / (9 * n) - z / (3 * math.sqrt(n))) ** 3
    m = n + 1
    hi = m * (1 - 1 / (9 * m) + z / (3 * math.sqrt(m))) ** 3
    return lo * per / total, hi * per / total


def mover(x0: float, iv0: tuple[float, float], x1: float, iv1: tuple[float, float]):
    """The interval of x1 − x0 from the two years' intervals (Newcombe/Zou), written out here."""
    (l0, u0), (l1, u1) = iv0, iv1
    d = x1 - x0
    return (
        d - math.sqrt((x1 - l1) ** 2 + (u0 - x0) ** 2),
        d + math.sqrt((u1 - x1) ** 2 + (x0 - l0) ** 2),
    )


def _dyn_definition() -> IndexDefinition:
    return IndexDefinition(
        key="t",
        name_de="T",
        name_en="T",
        indicators=(IndexIndicator("a", 1),),
        status_year=2022,
        dynamics_from=2021,
        dynamics_to=2022,
    )


def test_a_dynamics_class_on_a_change_not_significant_given_both_years_counts_is_flagged():
    """Four large Kommunen stay at 10 % (100 of 1,000 in both years); a small one goes from
    1 of 10 to 3 of 10: its change (+20 points) makes it "negativ" (t = 2), but the change's
    95 % interval from both years' counts, standardised, includes 0. Recomputed here: Wilson
    per year and the MOVER combination, both written out in this test."""
    d = _dyn_definition()

    def k(ags: str, n0, t0, n1, t1, counts0: bool = True) -> AreaInput:
        o0 = Observation(100 * n0 / t0, n0 if counts0 else None, False, t0 if counts0 else None)
        o1 = Observation(100 * n1 / t1, n1, False, t1)
        return AreaInput(ags, ags, {("a", 2021): o0, ("a", 2022): o1})

    big = [k(f"0{i}", 100, 1000, 100, 1000) for i in range(1, 5)]
    idx = compute(d, [*big, k("05", 1, 10, 3, 10)], units={"a": "%"})
    small, large = idx.areas[4], idx.areas[0]
    # changes 0, 0, 0, 0, 20: mean 4, sd 8, z = 2; D standardised again: t = 2
    assert small.dynamics_z["a"] == pytest.approx(2.0)
    assert small.dynamics_class == "negativ"
    lo, hi = mover(
        10, tuple(100 * x for x in wilson(1, 10)), 30, tuple(100 * x for x in wilson(3, 10))
    )
    assert small.dynamics_z_interval["a"] == pytest.approx(((lo - 4) / 8, (hi - 4) / 8))
    assert lo < 4 < hi  # the interval of z includes 0
    assert small.dynamics_z_significant == {"a": False}
    assert small.dynamics_not_significant
    # a large Kommune without change: z = −0.5, its interval (±1.9 points → ±0.24) excludes 0
    w = tuple(100 * x for x in wilson(100, 1000))
    lo, hi = mover(10, w, 10, w)
    assert large.dynamics_z_interval["a"] == pytest.approx(((lo - 4) / 8, (hi - 4) / 8))
    assert large.dynamics_z_significant == {"a": True}
    assert large.dynamics_class == "stabil" and not large.dynamics_not_significant
    # the same change on a hundred times the counts: significant, not flagged
    again = compute(d, [*big, k("05", 100, 1000, 300, 1000)], units={"a": "%"}).areas[4]
    assert again.dynamics_class == "negativ" and again.dynamics_z_significant == {"a": True}
    assert not again.dynamics_not_significant
    # counts in one year only: not checkable (None), never flagged; the status z still is
    one = compute(d, [*big, k("05", 1, 10, 3, 10, counts0=False)], units={"a": "%"}).areas[4]
    assert one.dynamics_z_significant == {"a": None} and one.dynamics_z_interval == {"a": None}
    assert not one.dynamics_not_significant and one.z_significant == {"a": False}
    # without a unit with a count interval: not checkable
    blind = compute(d, [*big, k("05", 1, 10, 3, 10)]).areas[4]
    assert blind.dynamics_z_significant == {"a": None} and not blind.dynamics_not_significant


def test_the_dynamics_interval_of_a_rate_combines_byar_intervals():
    """A rate per 1,000 (Byar): 20 → 60 cases of 2,000 inhabitants against four areas with
    no change; the z interval is the MOVER interval of the two Byar intervals, standardised."""
    d = _dyn_definition()

    def k(ags: str, n0, n1, total) -> AreaInput:
        return AreaInput(
            ags,
            ags,
            {
                ("a", 2021): Observation(1000 * n0 / total, n0, False, total),
                ("a", 2022): Observation(1000 * n1 / total, n1, False, total),
            },
        )

    areas = [k(f"0{i}", 500, 500, 50_000) for i in range(1, 5)] + [k("05", 20, 60, 2000)]
    got = compute(d, areas, units={"a": "‰"}).areas[4]
    x0, x1 = 10.0, 30.0
    lo, hi = mover(x0, byar(20, 2000, 1000), x1, byar(60, 2000, 1000))
    mean, sd = 4.0, 8.0  # changes 0, 0, 0, 0, 20
    assert got.dynamics_z_interval["a"] == pytest.approx(((lo - mean) / sd, (hi - mean) / sd))
    assert got.dynamics_z_significant["a"] == (lo > mean or hi < mean)
