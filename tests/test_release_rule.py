"""The release rule once (issue #27 item 6): the view, the function, the change summary and
rollback agree on which value a cell shows.

On a copy of the loaded demo database (real releases, the synthetic demo release), with
drafts of real and synthetic values, a withdrawal, demo mode on and off:

(a)/(b) view shown_value equals shown_value_in(every published id), and shown_value_in(the
        published ids and a draft) before its publish equals the view after it;
(c)     the change summary's rows applied to the view before a publish give the view after
        it (old values as shown before, new values as shown after, cells that go included);
(d)     rollback's "now current" releases and its uncovered indicators are those of the view
        after the withdrawal; outside demo mode a withdrawal that leaves only Beispieldaten is
        refused.

Only the indicators the scenario touches are compared (the rest of the database is as loaded).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from indicators import releases
from tests.conftest import invoke
from tests.test_releases import KOMMUNEN

AREAS = [*KOMMUNEN, "03241"]
# In the loaded demo database: real (Regionaldatenbank 2015; the demo's 2012–2024 are synthetic
# and never shown) and two with Beispieldaten only (demo 2012–2024).
REAL = "sgb2_quote"
SYNTHETIC_ONLY = "armutsgefaehrdung_quote"
SYNTHETIC_ONLY_2 = "sgb2_15_64_quote"
DEMOS = ("on", "off")


def long_csv(path: Path, cells: dict[str, Iterable[int]], base: float) -> Path:
    """Long form without numerators (nothing is withheld at publish): per indicator its years
    for the 21 Kommunen and the Region."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ags", "indicator", "year", "value"])
        for ind, years in cells.items():
            for year in years:
                for i, ags in enumerate(AREAS):
                    w.writerow([ags, ind, year, f"{base + i / 10 + (year % 10) / 100:.2f}"])
    return path


def engine_of(app):
    return app.extensions["sozmon_engine"]


def set_demo(conn: Connection, demo: str) -> None:
    """This transaction's demo mode (the app's connections are in demo mode)."""
    conn.execute(text("SELECT set_config('sozmon.demo', :d, true)"), {"d": demo})


def _cells(conn: Connection, relation: str, indicators: list[str], **params) -> dict:
    """(indicator, ags, year) → (value, suppressed, release label) of a shown-value relation."""
    rows = conn.execute(
        text(
            "SELECT indicator_id, ags, year, value, suppressed, release_label"
            f" FROM {relation} WHERE indicator_id = ANY(:i)"
        ),
        {"i": indicators, **params},
    )
    return {(r.indicator_id, r.ags, r.year): (r.value, r.suppressed, r.release_label) for r in rows}


def _view(conn: Connection, indicators: list[str]) -> dict:
    return _cells(conn, "shown_value", indicators)


def _published(conn: Connection) -> list[int]:
    return list(conn.scalars(text("SELECT id FROM release WHERE status = 'published'")))


def _release_id(app, label: str) -> int:
    with engine_of(app).connect() as c:
        return c.scalar(text("SELECT id FROM release WHERE label = :l"), {"l": label})


def _predict(app, label: str, indicators: list[str]) -> dict:
    """Per demo mode, before the publish: the view, the change summary and the function over
    the published releases and the draft."""
    rid = _release_id(app, label)
    out = {}
    for demo in DEMOS:
        with engine_of(app).begin() as c:
            set_demo(c, demo)
            # Without JIT compilation, as store_changes computes the summary for the pages
            # (seconds of compilation per query on a loaded machine; tests/test_draft.py).
            c.execute(text("SELECT set_config('jit', 'off', true)"))
            ids = [*_published(c), rid]
            out[demo] = {
                "before": _view(c, indicators),
                "rows": releases.changes(c, rid)["rows"],
                "with": _cells(c, "shown_value_in(CAST(:ids AS int[]))", indicators, ids=ids),
            }
    return out


def _applied(before: dict, rows: list[dict]) -> dict:
    """The view before with the predicted changes applied."""
    after = dict(before)
    for r in rows:
        key = (r["indicator_id"], r["ags"], r["year"])
        assert before.get(key, (None, None, None)) == (
            (r["old_value"], r["old_suppressed"], r["old_release"])
            if r["old_release"] is not None
            else (None, None, None)
        ), f"old value of {key} is not the one shown before"
        if r["new_release"] is None:
            after.pop(key, None)
        else:
            after[key] = (r["new_value"], r["new_suppressed"], r["new_release"])
    return after


def _publish_and_check(app, label: str, indicators: list[str]) -> dict:
    """Publish the draft; (b) and (c) under both demo modes. Returns the predictions."""
    predicted = _predict(app, label, indicators)
    result = invoke(app, "publish", label)
    assert result.exit_code == 0, result.output
    for demo in DEMOS:
        p = predicted[demo]
        with engine_of(app).begin() as c:
            set_demo(c, demo)
            after = _view(c, indicators)
            # (a)/(b): the view is the function over the published releases
            fn = "shown_value_in(CAST(:ids AS int[]))"
            assert after == _cells(c, fn, indicators, ids=_published(c)), demo
        # (b): the function over published + draft said before what the view shows now
        assert p["with"] == after, f"shown_value_in with the draft, demo {demo}"
        # (c): the change summary, applied to the view before, is the view after
        assert _applied(p["before"], p["rows"]) == after, f"change summary, demo {demo}"
    return predicted


def _kinds(rows: list[dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r["change"]] = out.get(r["change"], 0) + 1
    return out


def test_a_real_draft_replaces_the_beispieldaten_of_its_indicator_everywhere(fresh_app, tmp_path):
    """Real first looks at whole indicators: the draft's two years replace the demo's
    values there, and the demo's other eleven years go (demo mode); outside demo mode its
    values are simply new."""
    path = long_csv(tmp_path / "echt.csv", {SYNTHETIC_ONLY: range(2023, 2025)}, 20.0)
    assert invoke(fresh_app, "import", str(path), "--label", "echt-1").exit_code == 0
    predicted = _publish_and_check(fresh_app, "echt-1", [SYNTHETIC_ONLY])
    assert _kinds(predicted["on"]["rows"]) == {"geändert": 44, "entfallen": 11 * 22}
    assert _kinds(predicted["off"]["rows"]) == {"neu": 44}


def test_a_synthetic_draft_shows_only_where_no_real_value_exists_and_only_in_demo_mode(
    fresh_app, tmp_path
):
    """Beispieldaten of a real indicator are never shown (not even in years without real
    values); of an indicator without real values only in demo mode."""
    path = long_csv(
        tmp_path / "bsp.csv", {REAL: range(2025, 2027), SYNTHETIC_ONLY_2: range(2025, 2027)}, 30.0
    )
    result = invoke(fresh_app, "import", str(path), "--label", "bsp-1", "--synthetic")
    assert result.exit_code == 0, result.output
    predicted = _publish_and_check(fresh_app, "bsp-1", [REAL, SYNTHETIC_ONLY_2])
    on = {(r["indicator_id"], r["change"]) for r in predicted["on"]["rows"]}
    assert on == {(REAL, "verdeckt"), (SYNTHETIC_ONLY_2, "neu")}
    assert _kinds(predicted["off"]["rows"]) == {"verdeckt": 88}


def test_a_stored_summary_is_the_one_of_the_connections_demo_mode(fresh_app, tmp_path):
    """What a summary says depends on demo mode: its basis names it, so a summary computed
    in the other mode is stale, never shown as current."""
    path = long_csv(tmp_path / "bsp.csv", {SYNTHETIC_ONLY_2: range(2025, 2027)}, 30.0)
    assert invoke(fresh_app, "import", str(path), "--label", "bsp-2", "--synthetic").exit_code == 0
    rid = _release_id(fresh_app, "bsp-2")
    with engine_of(fresh_app).begin() as c:
        stored = releases.stored_changes(c, rid)  # at load, in the app's demo mode
        assert stored["fresh"] and stored["counts"]["neu"] == 44
        set_demo(c, "off")
        assert not releases.stored_changes(c, rid)["fresh"]
        assert releases.store_changes(c, rid, "cli")["counts"]["verdeckt"] == 44


def _shown(app, indicators: list[str], demo: str) -> tuple[list[str], set[str]]:
    """The releases the view shows for these indicators, and the indicators it shows."""
    with engine_of(app).begin() as c:
        set_demo(c, demo)
        cells = _view(c, indicators)
    return sorted({label for _, _, label in cells.values()}), {k[0] for k in cells}


def _withdraw(app, label: str, demo: str, indicators: list[str], force: bool = False) -> dict:
    """(d): rollback's now current and uncovered are the view's after it."""
    _, before = _shown(app, indicators, demo)
    with engine_of(app).begin() as c:
        set_demo(c, demo)
        res = releases.rollback(c, label, force=force)
    now, after = _shown(app, indicators, demo)
    assert res["now_current"] == now, demo
    assert res["uncovered"] == sorted(before - after), demo
    return res


def test_rollback_names_the_releases_shown_after_it(fresh_app, tmp_path):
    """(d) A real release over a real indicator and an indicator with Beispieldaten only:
    after its withdrawal the real indicator shows the Regionaldatenbank again (not the demo
    release, whose values of it are never shown), the other the demo's values — in demo mode.
    Outside demo mode that other indicator would show nothing: refused without --force."""
    indicators = [REAL, SYNTHETIC_ONLY]
    path = long_csv(
        tmp_path / "echt.csv", {REAL: range(2015, 2016), SYNTHETIC_ONLY: range(2023, 2025)}, 10.0
    )
    assert invoke(fresh_app, "load-release", str(path), "--label", "echt-2").exit_code == 0
    res = _withdraw(fresh_app, "echt-2", "on", indicators)
    assert "demo-2024-2" in res["now_current"] and "regionalstatistik-2017" in res["now_current"]
    assert res["uncovered"] == []
    # again, outside demo mode
    assert invoke(fresh_app, "publish", "echt-2").exit_code == 0
    with pytest.raises(releases.ReleaseError) as refused, engine_of(fresh_app).begin() as c:
        set_demo(c, "off")
        releases.rollback(c, "echt-2")
    assert SYNTHETIC_ONLY in str(refused.value.valid)
    res = _withdraw(fresh_app, "echt-2", "off", indicators, force=True)
    assert res["uncovered"] == [SYNTHETIC_ONLY] and "demo-2024-2" not in res["now_current"]


def test_migration_0014_goes_down_to_0009s_rule_and_up_again(fresh_app):
    """The downgrade restores migration 0009's view and function (the same rows for the
    published releases); the upgrade brings the one definition back."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from app.cli.data import alembic_config

    cfg = alembic_config(fresh_app.config["DATABASE_URL"])
    count = "SELECT count(*), count(DISTINCT release_id) FROM shown_value"
    pinned = "SELECT count(*) FROM shown_value_in(ARRAY(SELECT id FROM release))"
    with engine_of(fresh_app).connect() as c:
        before = c.execute(text(count)).one(), c.scalar(text(pinned))
    engine_of(fresh_app).dispose()
    command.downgrade(cfg, "0013")
    with engine_of(fresh_app).connect() as c:
        assert c.scalar(text("SELECT to_regclass('release_precedence')")) is None
        assert (c.execute(text(count)).one(), c.scalar(text(pinned))) == before
    engine_of(fresh_app).dispose()
    command.upgrade(cfg, "head")
    head = ScriptDirectory.from_config(cfg).get_current_head()  # later migrations come back too
    with engine_of(fresh_app).connect() as c:
        assert c.scalar(text("SELECT version_num FROM alembic_version")) == head
        assert (c.execute(text(count)).one(), c.scalar(text(pinned))) == before
