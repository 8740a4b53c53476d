"""The profile's values statement kept per home area at publish (profile_row, migration 0030;
indicators.profile_values, issue #32): the kept rows are the statement's, in its order, for every
home area in both demo modes; a publish keeps them in step; the profile reads them by key and
runs the statement when none are kept for its question."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from indicators import profile, profile_values, releases
from indicators.precomputed import KEPT_AREAS_SQL, KEPT_PROFILE_VALUES, PROFILE_COLUMNS
from tests.conftest import invoke
from tests.statements import recorded_statements
from tests.test_release_rule import DEMOS, REAL, engine_of, long_csv, set_demo

REGION, GARBSEN = "03241", "03241005"


def _live(c, q: profile_values.Asked) -> list[tuple]:
    """The statement's rows for the question, over the relation the request would choose."""
    kept = set(c.scalars(text(KEPT_AREAS_SQL)))
    every_kept = all(a in kept for a in q.params()["all_areas"])
    source = KEPT_PROFILE_VALUES if every_kept else f"(SELECT {PROFILE_COLUMNS} FROM shown_value)"
    return [tuple(r) for r in profile_values.live_rows(c, q, source)]


def _all_kept_are_live(c) -> int:
    questions = profile_values.home_questions(c)
    assert len(questions) == 22  # the 21 Kommunen and the Region
    n = 0
    for q in questions:
        kept = profile_values.kept_rows(c, q)
        assert kept is not None, q.own
        assert [tuple(r) for r in kept] == _live(c, q), q.own
        n += len(kept)
    return n


@pytest.mark.parametrize("demo", DEMOS)
def test_the_kept_rows_are_the_statements_for_every_home_area(conn, demo):
    set_demo(conn, demo)
    assert _all_kept_are_live(conn) > 0
    conn.rollback()


def test_a_publish_keeps_the_rows_in_step_and_a_failed_one_changes_nothing(fresh_app, tmp_path):
    path = long_csv(tmp_path / "neu.csv", {REAL: [2025]}, 20.0)
    assert invoke(fresh_app, "import", str(path), "--label", "neu-rows").exit_code == 0
    with engine_of(fresh_app).connect() as c:
        before = c.scalar(text("SELECT count(*) FROM profile_row WHERE year = 2025"))
    assert invoke(fresh_app, "publish", "neu-rows").exit_code == 0
    with engine_of(fresh_app).connect() as c:
        # The new year is among the kept rows (the Kommunen's and the Region's), and they are
        # the statement's in both demo modes.
        assert c.scalar(text("SELECT count(*) FROM profile_row WHERE year = 2025")) > before
        for demo in DEMOS:
            set_demo(c, demo)
            _all_kept_are_live(c)
        c.rollback()
    assert invoke(fresh_app, "rollback", "neu-rows", "--force").exit_code == 0
    with engine_of(fresh_app).connect() as c:  # the rollback's refresh took the year back out
        assert c.scalar(text("SELECT count(*) FROM profile_row WHERE year = 2025")) == before
        kept = c.execute(text("SELECT * FROM profile_row ORDER BY home, params, demo, pos")).all()
    path = long_csv(tmp_path / "neu2.csv", {REAL: [2026]}, 30.0)
    assert invoke(fresh_app, "import", str(path), "--label", "neu-rows-2").exit_code == 0
    with pytest.raises(RuntimeError), engine_of(fresh_app).begin() as c:
        releases.publish(c, "neu-rows-2", 3)
        assert c.scalar(text("SELECT count(*) FROM profile_row WHERE year = 2026")) > 0
        raise RuntimeError("the caller's transaction fails after the publish")
    with engine_of(fresh_app).connect() as c:  # a failed publish changes no kept row
        assert (
            c.execute(text("SELECT * FROM profile_row ORDER BY home, params, demo, pos")).all()
            == kept
        )


def test_the_profile_reads_the_kept_rows_and_else_runs_the_statement(app):
    engine = app.extensions["sozmon_engine"]
    with app.app_context(), engine.connect() as c:
        with recorded_statements(engine) as seen:
            kept = profile.profile(c, GARBSEN, region=REGION)
        assert any("FROM profile_row k" in s for s in seen)
        assert not any("real_years AS" in s for s in seen)
        # Another region's question (none kept for it) and no rows kept at all (after migration
        # 0030, before the next publish): the statement, and the same profile.
        with recorded_statements(engine) as seen:
            other = profile.profile(c, GARBSEN, region="03254")
        assert any("real_years AS" in s for s in seen)
        c.execute(text("DELETE FROM profile_row"))
        with recorded_statements(engine) as seen:
            live = profile.profile(c, GARBSEN, region=REGION)
        assert any("real_years AS" in s for s in seen)
        assert kept == live and other != kept
        c.rollback()
