"""The values statement kept per question at publish (profile_kept, migration 0031;
indicators.profile_values, issue #32): the kept rows are the statement's, in its order and of
its types, for every home area's profile and every pair of home Kommunen's comparison, in both
demo modes; a publish keeps them in step; the profile and the comparison read them by key and
run the statement when none are kept for their question."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from indicators import precomputed, profile, profile_values, releases
from indicators.precomputed import KEPT_AREAS_SQL, KEPT_PROFILE_VALUES, PROFILE_COLUMNS
from tests.conftest import invoke
from tests.statements import recorded_statements
from tests.test_release_rule import DEMOS, REAL, engine_of, long_csv, set_demo

REGION, GARBSEN, HANNOVER, LEHRTE = "03241", "03241005", "03241001", "03241011"
KEPT_READ, STATEMENT = "FROM profile_kept k", "real_years AS"


def _live(c, q: profile_values.Asked) -> list[tuple]:
    """The statement's rows for the question, over the relation the request would choose."""
    kept = set(c.scalars(text(KEPT_AREAS_SQL)))
    every_kept = all(a in kept for a in q.params()["all_areas"])
    source = KEPT_PROFILE_VALUES if every_kept else f"(SELECT {PROFILE_COLUMNS} FROM shown_value)"
    return [tuple(r) for r in profile_values.live_rows(c, q, source)]


def _as_kept(row: tuple) -> str:
    """A statement's row as kept: its polarity (column 12) is not; repr also tells 12.0 from 12."""
    return repr(row[:12] + (None,) + row[13:])


def _questions(c) -> list[profile_values.Asked]:
    kept = set(c.scalars(text(KEPT_AREAS_SQL)))
    return profile_values.home_questions(c) + profile_values.comparison_questions(c, kept)


def _all_kept_are_live(c) -> int:
    questions = _questions(c)
    assert len(questions) == 22 + 21 * 20 // 2  # the Region, 21 Kommunen, every pair of them
    polarity = dict(c.execute(text("SELECT id, polarity FROM indicator")).all())
    n = 0
    for q in questions:
        kept = profile_values.kept_rows(c, q)
        assert kept is not None, q.own
        rows, kept_polarity = kept
        assert kept_polarity == polarity
        assert [_as_kept(tuple(r)) for r in rows] == [_as_kept(r) for r in _live(c, q)], q.own
        n += len(rows)
    return n


def _kept_of_year(c, year: int) -> int:
    """The kept rows of this year, over every question and both demo modes."""
    return sum(
        sum(1 for r in json.loads(rows) if r[2] == year)
        for rows in c.scalars(text("SELECT rows FROM profile_kept"))
    )


@pytest.mark.parametrize("demo", DEMOS)
def test_the_kept_rows_are_the_statements_for_every_question(conn, demo):
    set_demo(conn, demo)
    assert _all_kept_are_live(conn) > 0
    conn.rollback()


def test_kept_floats_stay_floats():
    """PostgreSQL prints an integral float8 as "12": KEEP_SQL writes "12.0", so json.loads gives
    back the float the driver gives (a download prints 12.0, not 12)."""
    assert "'.0'" in profile_values.KEEP_SQL
    assert json.loads("[12.0, 12, 1e+16, -0.0]") == [12.0, 12, 1e16, -0.0]
    assert [type(x) for x in json.loads("[12.0, 12]")] == [float, int]


def test_the_refresh_writes_floats_as_the_driver_reads_them(conn):
    """Every kind of float8 text PostgreSQL prints comes back as the same Python float."""
    cases = ["12", "-3", "0", "-0", "0.1", "1e-05", "123456789012345", "1e+15", "2.5e+20"]
    cases += [repr(1 / 3), repr(2 / 3 * 1e7), "NaN", "Infinity", "-Infinity"]
    kept_sql = text("SELECT " + profile_values.json_text("CAST(:x AS float8)", "float"))
    for case in cases:
        driver = conn.scalar(text("SELECT CAST(:x AS float8)"), {"x": case})
        kept = conn.scalar(kept_sql, {"x": case})
        assert isinstance(driver, float)
        assert repr(json.loads(kept)) == repr(driver), (case, kept, driver)
    assert conn.scalar(text("SELECT " + profile_values.json_text("NULL", "float"))) == "null"


def test_a_publish_keeps_the_rows_in_step_and_a_failed_one_changes_nothing(fresh_app, tmp_path):
    path = long_csv(tmp_path / "neu.csv", {REAL: [2025]}, 20.0)
    assert invoke(fresh_app, "import", str(path), "--label", "neu-rows").exit_code == 0
    with engine_of(fresh_app).connect() as c:
        before = _kept_of_year(c, 2025)
    assert invoke(fresh_app, "publish", "neu-rows").exit_code == 0
    with engine_of(fresh_app).connect() as c:
        # The new year is among the kept rows (the profiles' and the comparisons'), and they
        # are the statement's in both demo modes.
        assert _kept_of_year(c, 2025) > before
        for demo in DEMOS:
            set_demo(c, demo)
            _all_kept_are_live(c)
        c.rollback()
    assert invoke(fresh_app, "rollback", "neu-rows", "--force").exit_code == 0
    with engine_of(fresh_app).connect() as c:  # the rollback's refresh took the year back out
        assert _kept_of_year(c, 2025) == before
        kept = c.execute(text("SELECT * FROM profile_kept ORDER BY params, demo")).all()
    path = long_csv(tmp_path / "neu2.csv", {REAL: [2026]}, 30.0)
    assert invoke(fresh_app, "import", str(path), "--label", "neu-rows-2").exit_code == 0
    with pytest.raises(RuntimeError), engine_of(fresh_app).begin() as c:
        releases.publish(c, "neu-rows-2", 3)
        assert _kept_of_year(c, 2026) > 0
        raise RuntimeError("the caller's transaction fails after the publish")
    with engine_of(fresh_app).connect() as c:  # a failed publish changes no kept row
        assert c.execute(text("SELECT * FROM profile_kept ORDER BY params, demo")).all() == kept


def test_the_profile_reads_the_kept_rows_and_else_runs_the_statement(app):
    engine = app.extensions["sozmon_engine"]
    with app.app_context(), engine.connect() as c:
        with recorded_statements(engine) as seen:
            kept = profile.profile(c, GARBSEN, region=REGION)
        assert any(KEPT_READ in s for s in seen)
        assert not any(STATEMENT in s for s in seen)
        # Another region's question (none kept for it) and no rows kept at all (after migration
        # 0031, before the next publish): the statement, and the same profile.
        with recorded_statements(engine) as seen:
            other = profile.profile(c, GARBSEN, region="03254")
        assert any(STATEMENT in s for s in seen)
        c.execute(text("DELETE FROM profile_kept"))
        with recorded_statements(engine) as seen:
            live = profile.profile(c, GARBSEN, region=REGION)
        assert any(STATEMENT in s for s in seen)
        assert kept == live and other != kept
        c.rollback()


COMPARISONS = {  # name → the comparison's keyword arguments besides A and B
    "page": {"series": False},
    "B before A": {"series": False, "swap": True},
    "with charts": {"series": True},
}


def _compare(c, name: str) -> dict:
    kw = dict(COMPARISONS[name])
    a, b = (LEHRTE, HANNOVER) if kw.pop("swap", False) else (HANNOVER, LEHRTE)
    return profile.compare(c, a, b, region=REGION, **kw)


def test_the_comparison_reads_the_kept_rows_and_else_runs_the_statement(app):
    engine = app.extensions["sozmon_engine"]
    with app.app_context(), engine.connect() as c:
        read, kept = {}, {}
        for name in COMPARISONS:
            with recorded_statements(engine) as seen:
                kept[name] = _compare(c, name)
            read[name] = (any(KEPT_READ in s for s in seen), any(STATEMENT in s for s in seen))
        # The page of two home Kommunen without charts (either way round) reads the kept rows;
        # with its charts (every year of the Land and the Bund: not kept) the statement.
        assert read["page"] == (True, False)
        assert read["B before A"] == (True, False)
        assert read["with charts"][1]
        c.execute(text("DELETE FROM profile_kept"))
        live = {}
        for name in COMPARISONS:
            with recorded_statements(engine) as seen:
                live[name] = _compare(c, name)
            assert any(STATEMENT in s for s in seen), name
        c.rollback()
    assert kept == live


def test_without_beispieldaten_one_demo_mode_is_computed_and_copied(app):
    """No synthetic release: the refresh runs the statement once per question and copies its
    rows for demo mode; they are the statement's in both modes."""
    engine = app.extensions["sozmon_engine"]
    with app.app_context(), engine.connect() as c:
        c.execute(text("UPDATE release SET synthetic = false"))  # this transaction only
        precomputed.refresh(c)  # consistent with it: nothing kept is synthetic
        with recorded_statements(engine) as seen:
            profile_values.refresh_profile_rows(c)
        assert sum("INSERT INTO profile_kept" in s for s in seen) == len(_questions(c)) + 1
        for demo in DEMOS:
            set_demo(c, demo)
            _all_kept_are_live(c)
        c.rollback()
