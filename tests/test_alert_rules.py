"""The rules of indicators/alerts.py on hand-made series (no database): interval, trend, class."""

from __future__ import annotations

from typing import NamedTuple

from indicators.alerts import class_alerts, interval_alerts, trend_alert
from indicators.breaks import Break
from indicators.social_index import AreaInput, Observation, compute, parse_definition


class Row(NamedTuple):
    year: int
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool = False
    unit: str = "%"


def share(year: int, num: float, den: float = 1000) -> Row:
    return Row(year, num / den * 100, num, den)


def series(*rows: Row) -> dict[int, Row]:
    return {r.year: r for r in rows}


BREAK_2022 = (Break(2022, "Neue Abgrenzung", "New definition"),)


def test_interval_compares_with_the_newest_earlier_year_and_not_across_a_break():
    before = series(share(2020, 40), share(2021, 40))
    after = series(share(2020, 40), share(2021, 40), share(2022, 80))
    (a,) = interval_alerts("x", "03241001", before, after, ())
    assert (a.kind, a.year, a.ref_year, a.new_label) == ("intervall", 2022, 2021, "steigend")
    assert a.lower < 4.0 < a.upper < a.new_value
    # a value inside the interval, and the same value across a series break: nothing
    inside = series(share(2020, 40), share(2021, 40), share(2022, 42))
    assert interval_alerts("x", "03241001", before, inside, ()) == []
    assert interval_alerts("x", "03241001", before, after, BREAK_2022) == []
    # a revision is compared with the same year's old value; a fall says so
    revised = series(share(2020, 40), share(2021, 10))
    (r,) = interval_alerts("x", "03241001", before, revised, ())
    assert (r.year, r.ref_year, r.new_label) == (2021, 2021, "fallend")
    # a previous value without counts has no interval: nothing is invented
    bare = series(Row(2021, 4.0, None, None))
    assert interval_alerts("x", "03241001", bare, series(share(2022, 80)), ()) == []


def test_a_trend_becoming_significant_is_one_alert_and_staying_so_none():
    flat = series(share(2018, 40), share(2019, 40), share(2020, 40))
    rising = series(*flat.values(), share(2021, 80), share(2022, 120))
    a = trend_alert("x", "03241001", flat, rising, ())
    assert a is not None and (a.kind, a.new_label, a.old_label) == ("trend", "steigend", None)
    assert (a.ref_year, a.year) == (2018, 2022) and a.p < 0.05
    more = series(*rising.values(), share(2023, 160))
    assert trend_alert("x", "03241001", rising, more, ()) is None  # already significant rising
    # since a break in 2022 only 2022 counts: too few years, no trend
    assert trend_alert("x", "03241001", flat, rising, BREAK_2022) is None


def test_class_changes_of_the_sozialindex():
    d = parse_definition(
        {
            "key": "t",
            "name_de": "T",
            "name_en": "T",
            "status_year": 2022,
            "dynamics_from": 2021,
            "dynamics_to": 2022,
            "indicators": [{"id": "q", "direction": 1}],
        }
    )

    def index(last: float):
        values = [1.0, 2.0, 3.0, 4.0, last]
        return compute(
            d,
            [
                AreaInput(
                    f"a{i}",
                    f"A{i}",
                    {("q", 2021): Observation(float(i + 1)), ("q", 2022): Observation(v)},
                )
                for i, v in enumerate(values)
            ],
        )

    found = {(a.kind, a.ags, a.old_label, a.new_label) for a in class_alerts(index(5), index(10))}
    assert found == {
        ("status", "a4", "niedrig", "sehr_niedrig"),
        ("status", "a0", "hoch", "mittel"),
        ("dynamik", "a4", "stabil", "negativ"),
    }
    assert class_alerts(index(5), index(5)) == []
