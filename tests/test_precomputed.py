"""The figures kept per data version (issue #32) are those computed live, in every demo mode,
and publish and rollback keep them in step within their own transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from indicators import releases
from indicators.api_queries import (
    live_published_releases,
    live_shown_indicators,
    published_releases,
    value_releases,
)
from indicators.disparities import (
    LIVE_SHOWN_SQL,
    SHOWN_SQL,
    kept_spread_table,
    live_spread_table,
    spread_table,
)
from indicators.precomputed import KEPT_INDICATORS, KEPT_PROFILE_VALUES, PROFILE_LEVELS, refresh
from indicators.queries import live_year_ranges, year_ranges
from indicators.ranking import Spread
from indicators.ranking_queries import (
    kept_kommunen_spreads,
    kommunen_spreads,
    live_kommunen_spreads,
)
from indicators.scatter_queries import indicator_years, live_indicator_years
from tests.conftest import invoke
from tests.test_release_rule import (
    AREAS,
    DEMOS,
    REAL,
    SYNTHETIC_ONLY,
    engine_of,
    long_csv,
    set_demo,
)

# The plain definition: the Kommunen's shown values per indicator and year, one GROUP BY over
# the rule's view (not the refresh's statement, which reads per Kommune).
LIVE_ALL = """
SELECT v.indicator_id, v.year, min(v.value) AS lo,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY v.value) AS q1,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY v.value) AS q3,
       max(v.value) AS hi, count(*) AS n
FROM shown_value v JOIN area a ON a.ags = v.ags AND a.level = 'kommune'
WHERE v.value IS NOT NULL AND NOT v.suppressed GROUP BY v.indicator_id, v.year
"""


def _live(conn: Connection, only: list[str] | None = None) -> dict[tuple[str, int], Spread]:
    sql = LIVE_ALL if only is None else LIVE_ALL.replace("WHERE", _ONLY + " AND", 1)
    return {
        (r.indicator_id, r.year): Spread(r.lo, r.q1, r.q3, r.hi, r.n)
        for r in conn.execute(text(sql), {"only": only})
    }


# Live figures of some indicators only: the rule's view reads the condition into its
# (indicator, …) ranges instead of every shown value of Germany (~2–4 s per query).
_ONLY = "WHERE v.indicator_id = ANY(CAST(:only AS text[]))"


def _kept(conn: Connection) -> dict[tuple[str, int], Spread]:
    """Every kept spread the connection's demo mode reads, through the pages' function."""
    years = conn.scalars(text("SELECT DISTINCT year FROM kommune_spread")).all()
    ids = conn.scalars(text("SELECT id FROM indicator")).all()
    out = {}
    for y in years:
        for ind, s in kept_kommunen_spreads(conn, dict.fromkeys(ids, y)).items():
            out[(ind, y)] = s
    return out


# The plain definition of the kept profile values: the view joined with the areas' levels (not
# the refresh's per-area statement).
LIVE_PROFILE_VALUES = (
    "(SELECT v.* FROM shown_value v JOIN area a ON a.ags = v.ags"
    " WHERE a.level = ANY(CAST(:levels AS text[])))"
)


def _profile_rows(
    conn: Connection, relation: str, only: list[str] | None = None
) -> dict[tuple[str, str, int], tuple]:
    """(indicator, ags, year) → every other column of the relation's rows."""
    where = "" if only is None else " WHERE x.indicator_id = ANY(CAST(:only AS text[]))"
    rows = conn.execute(
        text(f"SELECT * FROM {relation} x{where}"), {"only": only, "levels": list(PROFILE_LEVELS)}
    )
    return {(r.indicator_id, r.ags, r.year): tuple(r) for r in rows}


def _assert_in_step(app, only: list[str] | None = None) -> dict[str, dict]:
    """Kept = live in both demo modes; returns every kept spread and catalogue row per mode.

    only: compare with the live figures of these indicators alone (those a release holds: a
    publish or rollback recomputes only theirs). The caller compares every kept row with the
    state before (equal where the release changed nothing), so the others stay covered by
    the full comparison made there.
    """
    got = {}
    with engine_of(app).begin() as c:
        for demo in DEMOS:
            set_demo(c, demo)
            live, kept = _live(c, only), _kept(c)
            assert live, demo
            assert {k: s for k, s in kept.items() if only is None or k[0] in only} == live, demo
            rows = _indicator_rows(c, KEPT_INDICATORS)
            mine = {i: r for i, r in rows.items() if only is None or i in only}
            assert mine == _indicator_rows(c, live_shown_indicators(), only), demo
            assert year_ranges(c) == live_year_ranges(c), demo
            # The disparities' release per indicator (read from the kept catalogue rows).
            shown = c.execute(text(SHOWN_SQL + " ORDER BY 1")).all()
            assert shown and shown == c.execute(text(LIVE_SHOWN_SQL + " ORDER BY 1")).all(), demo
            # The disparities' figures per indicator and year, in the same order.
            kept_d, live_d = kept_spread_table(c), live_spread_table(c)
            assert kept_d is not None and live_d, demo
            assert list(kept_d) == list(live_d) and kept_d == live_d, demo
            got[demo + " disparities"] = kept_d
            # The shown values of the profiles' areas (Kommunen, Region, Länder, Bund).
            kept_p = _profile_rows(c, KEPT_PROFILE_VALUES, only)
            assert kept_p and kept_p == _profile_rows(c, LIVE_PROFILE_VALUES, only), demo
            got[demo + " profile"] = _profile_rows(c, KEPT_PROFILE_VALUES)
            got[demo] = kept
            got[demo + " catalogue"] = rows
    return got


@pytest.fixture(scope="module")
def in_step(app) -> dict[str, dict]:
    """_assert_in_step on the loaded template's data, checked once for the module: the shared
    app and every fresh_app are copies of the same template, so the tests that change a fresh
    copy start from these figures (each of them used to recompute and check them on its copy
    first: ~5–10 s per test, the same rows every time) and compare their copy with them."""
    return _assert_in_step(app)


def test_the_kept_spreads_are_the_live_ones_in_both_demo_modes(in_step):
    got = in_step
    # Demo mode reads the Beispieldaten-only indicators' spreads; outside it none of them.
    assert any(k[0] == SYNTHETIC_ONLY for k in got["on"])
    assert not any(k[0] == SYNTHETIC_ONLY for k in got["off"])


def test_kommunen_spreads_reads_the_kept_rows_and_a_named_release_live(conn):
    headline = {REAL: 2015, SYNTHETIC_ONLY: 2020, "bev_durchschnittsalter": 2015}
    got = kommunen_spreads(conn, headline)
    assert got == live_kommunen_spreads(conn, headline)
    assert set(got) == set(headline)
    rid = conn.scalar(
        text("SELECT release_id FROM shown_value WHERE indicator_id = :i"), {"i": REAL}
    )
    assert kommunen_spreads(conn, headline, rid) == live_kommunen_spreads(conn, headline, rid)


def test_publish_and_rollback_keep_the_spreads_in_step(fresh_app, in_step, tmp_path):
    before = in_step
    # A real release of a Beispieldaten-only indicator (replaces them) and new years of a real one.
    path = long_csv(tmp_path / "neu.csv", {SYNTHETIC_ONLY: range(2023, 2025), REAL: [2025]}, 20.0)
    assert invoke(fresh_app, "import", str(path), "--label", "neu-1").exit_code == 0
    held = [SYNTHETIC_ONLY, REAL]
    assert _assert_in_step(fresh_app, held) == before  # a draft changes nothing shown
    result = invoke(fresh_app, "publish", "neu-1")
    assert result.exit_code == 0, result.output
    assert "Vorberechnet: " in result.output and " s." in result.output
    after = _assert_in_step(fresh_app, held)
    assert after != before
    assert (REAL, 2025) in after["off"] and (SYNTHETIC_ONLY, 2023) in after["off"]
    modes = ("on", "off", "on catalogue", "off catalogue", "on profile", "off profile")
    for mode in modes:  # the others' rows untouched
        assert {k: v for k, v in after[mode].items() if _indicator(k) not in held} == {
            k: v for k, v in before[mode].items() if _indicator(k) not in held
        }, mode
    result = invoke(fresh_app, "rollback", "neu-1", "--force")
    assert result.exit_code == 0, result.output
    assert "Vorberechnet: " in result.output
    assert _assert_in_step(fresh_app) == before


def test_a_publish_whose_transaction_fails_leaves_the_kept_spreads(fresh_app, in_step, tmp_path):
    before = in_step
    path = long_csv(tmp_path / "neu.csv", {REAL: [2026]}, 30.0)
    assert invoke(fresh_app, "import", str(path), "--label", "neu-2").exit_code == 0
    with pytest.raises(RuntimeError), engine_of(fresh_app).begin() as c:
        res = releases.publish(c, "neu-2", 3)
        assert res["precomputed"].rows > 0
        assert c.scalar(text("SELECT count(*) FROM kommune_spread WHERE year = 2026")) == 1
        raise RuntimeError("the caller's transaction fails after the publish")
    assert _assert_in_step(fresh_app) == before


KEPT_0024 = {
    "area_rank": "indicator_id, ags, year, rank_land, n_land, rank_kreis, n_kreis, synthetic",
    "territory_indicator": "territory, ebene, indicator_id, synthetic, years, default_year",
    "territory_value": "indicator_id, year, len, land, synthetic, ags, value, suppressed, flag,"
    " release_id",
    "area_trend": "indicator_id, ags, method, direction, significant, chi2, p, years, reason,"
    " synthetic",
    "shown_order": "indicator_id, year, synthetic, n, ags, release_ids",
}


def _kept_0024(app) -> dict[str, set]:
    with engine_of(app).connect() as c:
        return {
            t: {
                tuple(tuple(x) if isinstance(x, list) else x for x in r)
                for r in c.execute(text(f"SELECT {cols} FROM {t}"))
            }
            for t, cols in KEPT_0024.items()
        }


def test_a_full_refresh_gives_the_same_rows_and_restores_the_demo_mode(fresh_app, in_step):
    before = in_step
    kept_before = _kept_0024(fresh_app)
    assert all(kept_before.values()), {t: len(v) for t, v in kept_before.items()}
    with engine_of(fresh_app).begin() as c:
        set_demo(c, "off")
        res = refresh(c)
        assert res.indicators is None and res.rows == len(before["on"])
        assert c.scalar(text("SELECT count(*) FROM indicator_summary")) == len(
            before["on catalogue"]
        )
        assert c.scalar(text("SELECT current_setting('sozmon.demo', true)")) == "off"
        assert res.table_rows["area_rank"] == len(kept_before["area_rank"])
    assert _assert_in_step(fresh_app) == before
    # The ranks, territory lists, years and values and the trends kept by the loads' publishes
    # are a full refresh's.
    assert _kept_0024(fresh_app) == kept_before


def _indicator(key: str | tuple[str, int] | tuple[str, str, int]) -> str:
    """The indicator of a kept spread's key (indicator, year), a catalogue row's key or a
    profile value's key (indicator, ags, year)."""
    return key if isinstance(key, str) else key[0]


def _indicator_rows(
    conn: Connection, relation: str, only: list[str] | None = None
) -> dict[str, tuple]:
    where = "" if only is None else " WHERE x.indicator_id = ANY(CAST(:only AS text[]))"
    rows = conn.execute(
        text(
            "SELECT indicator_id, release_ids, release_label, synthetic, years"
            f" FROM {relation} x{where}"
        ),
        {"only": only},
    )
    return {r.indicator_id: tuple(r)[1:] for r in rows}


def test_the_kept_summaries_and_indicator_years_are_the_live_ones(app):
    with engine_of(app).begin() as c:
        assert published_releases(c) == live_published_releases(c)
        for demo in DEMOS:
            set_demo(c, demo)
            kept = indicator_years(c)
            assert kept == live_indicator_years(c, None), demo
            assert (SYNTHETIC_ONLY in kept) == (demo == "on")
            rows = _indicator_rows(c, KEPT_INDICATORS)
            assert rows == _indicator_rows(c, live_shown_indicators()), demo
            assert (SYNTHETIC_ONLY in rows) == (demo == "on")
            assert value_releases(c, None, None) == {i: set(r[0]) for i, r in rows.items()}
            assert value_releases(c, [REAL], None) == {REAL: set(rows[REAL][0])}


def test_publish_writes_the_release_summary_and_daten_lists_it(fresh_app, tmp_path):
    path = long_csv(tmp_path / "neu.csv", {REAL: [2027, 2028]}, 40.0)
    assert invoke(fresh_app, "import", str(path), "--label", "neu-3").exit_code == 0
    assert invoke(fresh_app, "publish", "neu-3").exit_code == 0
    with engine_of(fresh_app).begin() as c:
        got = published_releases(c)
        assert got == live_published_releases(c)
        mine = next(r for r in got if r["label"] == "neu-3")
        assert (mine["first_year"], mine["last_year"]) == (2027, 2028)
        assert (mine["n_indicators"], mine["n_values"]) == (1, 2 * len(AREAS))
    assert "neu-3" in fresh_app.test_client().get("/daten").get_data(as_text=True)
    assert invoke(fresh_app, "rollback", "neu-3").exit_code == 0
    with engine_of(fresh_app).begin() as c:
        assert published_releases(c) == live_published_releases(c)
        assert "neu-3" not in {r["label"] for r in published_releases(c)}


def test_the_disparities_are_computed_until_kept_and_the_first_refresh_keeps_all(
    fresh_app, in_step
):
    """Migration 0018 leaves the table empty: the page computes live, and the first publish's
    refresh, of its own indicators, keeps every indicator's rows."""
    before = in_step
    with engine_of(fresh_app).begin() as c:
        c.execute(text("DELETE FROM kommune_disparity"))
        assert kept_spread_table(c) is None
        assert spread_table(c) == live_spread_table(c)
        assert refresh(c, [REAL]).disparities == c.scalar(
            text("SELECT count(*) FROM kommune_disparity")
        )
        assert c.scalar(text("SELECT count(DISTINCT indicator_id) FROM kommune_disparity")) > 1
    assert _assert_in_step(fresh_app) == before
