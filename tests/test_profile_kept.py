"""Profiles, comparisons, verdicts and trends read the kept shown values (migration 0020) and
give what the live rule gives (issue #32).

Each page family's function runs twice on the loaded demo database, in both demo modes: as
served (the kept `profile_value` rows, indicators.precomputed.profile_source) and with the
source switched to the live view (`value_source`, what the functions read before 0020). The
results must be equal; and the first run must have read the kept table (so the comparison is
not of the live rule with itself).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from indicators import disparities, precomputed, profile, trend_queries
from indicators.benchmarks import comparator
from indicators.queries import value_source
from tests.test_release_rule import DEMOS, set_demo

HANNOVER, GARBSEN, LEHRTE, REGION = "03241001", "03241005", "03241011", "03241"


def _live(areas: str, release_id: int | None) -> str:
    return value_source(release_id)


def _families(conn) -> dict[str, Any]:
    bund = comparator(conn, "bund", REGION)
    return {
        "profile": profile.profile(conn, GARBSEN, region=REGION),
        "profile of the Region": profile.profile(conn, REGION, region=REGION),
        "profile against the Bund": profile.profile(conn, LEHRTE, region=REGION, against=bund),
        "comparison": profile.compare(conn, HANNOVER, LEHRTE, region=REGION),
        "verdicts": disparities.area_benchmarks(conn, GARBSEN, region=REGION),
        "trends": trend_queries.area_trends(conn, [HANNOVER, GARBSEN, REGION]),
    }


@pytest.mark.parametrize("demo", DEMOS)
def test_each_family_reads_the_kept_rows_and_gets_the_live_result(app, demo, monkeypatch):
    engine = app.extensions["sozmon_engine"]
    with app.app_context(), engine.connect() as c:
        set_demo(c, demo)
        kept = _families(c)
        # They read the kept rows: kept values changed (in this transaction) show.
        c.execute(
            text(
                "UPDATE profile_value SET value = value + 1000, numerator = numerator * 2"
                " WHERE ags = :a"
            ),
            {"a": GARBSEN},
        )
        # The profiles' and comparisons' statement rows kept per question (profile_kept, 0031;
        # compared with the statement in tests/test_profile_values.py): gone, so the statement
        # reads profile_value.
        c.execute(text("DELETE FROM profile_kept"))
        # The trends are kept themselves (area_trend, 0024): changed there too.
        c.execute(
            text("UPDATE area_trend SET years = years || 9999 WHERE ags = :a"), {"a": GARBSEN}
        )
        changed = _families(c)
        with monkeypatch.context() as m:
            # (the profile's statements choose through precomputed.profile_source_for, which
            # asks profile_source on a connection without the memo)
            for module in (precomputed, disparities, trend_queries):
                m.setattr(module, "profile_source", _live)
            # The trends computed live from the view (not from area_trend).
            m.setattr(trend_queries, "_KEPT_SQL", "SELECT false AS ok")
            live = _families(c)
        c.rollback()
    for name in kept:
        assert kept[name] == live[name], name
    # The kept trends come in the live computation's order (indicator, area).
    assert list(kept["trends"]) == list(live["trends"])
    # Garbsen is asked for or among the peers ranked in each, but the Region's profile: it is
    # ranked among every Kreis of Germany (not kept), so it reads the live rule.
    unchanged = [n for n in kept if changed[n] == kept[n]]
    assert unchanged == ["profile of the Region"], unchanged
    # Demo mode shows Beispieldaten in the profile, outside it none.
    assert kept["profile"]["synthetic"] == (demo == "on")


@pytest.mark.parametrize(
    ("areas", "kept"),
    [
        ([HANNOVER, REGION, "03", "DG"], True),
        ([HANNOVER, HANNOVER], True),
        ([HANNOVER, "03254"], False),  # a Kreis (Hildesheim)
        ([HANNOVER, "99999999"], False),  # unknown
        ([], True),
    ],
)
def test_the_gate_reads_kept_rows_only_for_kept_levels(conn, areas, kept):
    gate = precomputed.all_kept("CAST(:a AS text[])")
    assert conn.scalar(text(f"SELECT {gate}"), {"a": areas}) is kept


def test_a_kreis_and_a_named_release_read_the_live_rule(conn):
    """The gate's other branch: a comparison with a Kreis and a named release give the live
    values (the kept table emptied in this transaction does not matter to them)."""
    rid = conn.scalar(
        text("SELECT release_id FROM shown_value WHERE ags = :a LIMIT 1"), {"a": HANNOVER}
    )
    before = (
        profile.compare(conn, HANNOVER, "03254", region=REGION),
        profile.profile(conn, HANNOVER, release_id=rid, region=REGION),
    )
    conn.execute(text("DELETE FROM profile_value"))
    after = (
        profile.compare(conn, HANNOVER, "03254", region=REGION),
        profile.profile(conn, HANNOVER, release_id=rid, region=REGION),
    )
    conn.rollback()
    # The verdicts of the Kommune against the Region (verdict_a, and bench_a, the row its
    # download's verdict columns come from) read the kept rows: both areas
    # are of kept levels (indicators.disparities.area_benchmarks, kept = live in
    # test_each_family_reads_the_kept_rows_and_gets_the_live_result); the rest reads live.
    assert _without_kept_verdicts(before[0]) == _without_kept_verdicts(after[0])
    assert before[1] == after[1] and before[0]["topics"]
    assert any(r.get("verdict_a") for t in before[0]["topics"] for r in t["rows"])
    assert any(r.get("bench_a") for t in before[0]["topics"] for r in t["rows"])


def _without_kept_verdicts(comparison: dict) -> dict:
    """The comparison without the Kommune's verdicts against the Region."""
    kept = ("verdict_a", "bench_a")
    topics = [
        {**t, "rows": [{k: v for k, v in r.items() if k not in kept} for r in t["rows"]]}
        for t in comparison["topics"]
    ]
    return {**comparison, "topics": topics}
