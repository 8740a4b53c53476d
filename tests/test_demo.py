"""The synthetic demo release: labelled, plausible, consistent, smooth, seeded."""

from __future__ import annotations

from sqlalchemy import text

from indicators.demo import SCALE, generate

DEMO = "SELECT id FROM release WHERE label = 'demo-2024-2'"


def test_demo_release_is_marked_synthetic(conn):
    assert conn.scalar(text("SELECT synthetic FROM release WHERE label = 'demo-2024-2'")) is True
    note = conn.scalar(text("SELECT note FROM release WHERE label = 'demo-2024-2'"))
    assert "Beispieldaten" in note


def test_rates_lie_within_0_and_100(conn):
    bad = conn.scalar(
        text(
            f"SELECT count(*) FROM value v JOIN indicator i ON i.id = v.indicator_id"
            f" WHERE v.release_id = ({DEMO}) AND i.unit = '%' AND (v.value < 0 OR v.value > 100)"
        )
    )
    assert bad == 0


def test_numerators_and_denominators_are_consistent(conn):
    rows = conn.execute(
        text(
            f"SELECT i.unit, v.value, v.numerator, v.denominator FROM value v"
            f" JOIN indicator i ON i.id = v.indicator_id"
            f" WHERE v.release_id = ({DEMO}) AND v.numerator IS NOT NULL"
        )
    ).all()
    assert len(rows) > 10000
    for unit, value, num, den in rows:
        assert num <= den or unit != "%"
        assert abs(value - num / den * SCALE[unit]) < 1e-3 * max(1, value)
    # Region numerators are the sums of the Kommunen's.
    mismatch = conn.scalar(
        text(
            f"SELECT count(*) FROM (SELECT indicator_id, year, sum(numerator) s FROM value"
            f"  WHERE release_id = ({DEMO}) AND ags <> '03241' AND numerator IS NOT NULL"
            f"  GROUP BY 1, 2) k JOIN value r ON r.release_id = ({DEMO}) AND r.ags = '03241'"
            f"  AND r.indicator_id = k.indicator_id AND r.year = k.year WHERE r.numerator <> k.s"
        )
    )
    assert mismatch == 0


def test_series_are_complete_and_smooth(conn):
    rows = conn.execute(
        text(
            f"SELECT indicator_id, ags, array_agg(value ORDER BY year), array_agg(year ORDER BY year),"
            f" min(coalesce(numerator, 1e9)) FROM value WHERE release_id = ({DEMO})"
            f" GROUP BY 1, 2"
        )
    ).all()
    assert len(rows) >= 100 * 22
    for ind, ags, values, years, min_num in rows:
        assert years == list(range(years[0], 2025)), (ind, ags)
        if min_num < 100:  # small counts jump by rounding alone, as real small numbers do
            continue
        for a, b in zip(values, values[1:], strict=False):
            if abs(a) > 1:  # relative jumps above 15 % a year would not be plausible
                assert abs(b - a) / abs(a) < 0.15, (ind, ags, a, b)


def test_hannover_differs_from_the_rural_east(conn):
    sql = text(
        f"SELECT ags, value FROM value WHERE release_id = ({DEMO}) AND indicator_id = 'sgb2_quote'"
        f" AND year = 2024 AND ags IN ('03241001', '03241018')"
    )
    v = dict(conn.execute(sql).all())
    assert v["03241001"] > 1.5 * v["03241018"]


def test_generator_is_seeded(conn):
    a = generate(conn, seed=7)
    b = generate(conn, seed=7)
    c = generate(conn, seed=8)
    assert a == b and a != c
