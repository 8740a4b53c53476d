"""Time series, ranking and scatter read the rows kept per data version (issue #32) and get
what the live rule gives.

`release_for` (which releases an indicator's shown values come from) reads
`indicator_summary` (all of Germany) or `profile_value` (the home region); the ranking's years
and the scatter's default year and points read `profile_value`. Each is compared with its
live computation (the SQL of before) for every indicator of the loaded fixture in both demo
modes; each must have read the kept rows (a kept row changed in the transaction shows), and
after a rollback (a new data version, the kept rows refreshed in its transaction) kept and
live agree again and the withdrawn release is gone.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text

from indicators import precomputed, ranking_queries, scatter_queries
from indicators.queries import live_release_for, release_for, value_source
from indicators.ranking_queries import kommune_years, live_kommune_years
from indicators.scatter_queries import indicator_years, pair_years
from tests.test_release_rule import DEMOS, set_demo


def _indicators(conn: Connection) -> list[str]:
    return list(conn.scalars(text("SELECT id FROM indicator ORDER BY sort, id")))


def _published(conn: Connection) -> tuple[int, ...]:
    return tuple(
        conn.scalars(text("SELECT id FROM release WHERE status = 'published' ORDER BY id"))
    )


def _releases(conn: Connection, ids: list[str]) -> dict[tuple[str, bool], Any]:
    return {(i, home): release_for(conn, i, None, home=home) for i in ids for home in (False, True)}


def _live_releases(conn: Connection, ids: list[str]) -> dict[tuple[str, bool], Any]:
    return {
        (i, home): live_release_for(conn, i, None, home=home) for i in ids for home in (False, True)
    }


# The scatter's default year as computed before (both indicators over every area, joined with
# the Kommunen afterwards): the reference of the rewritten statement, any release.
def _live_pair_default_year(
    conn: Connection, x_id: str, y_id: str, years: list[int], release_id: Any
) -> int:
    source = value_source(release_id)
    found = conn.scalar(
        text(
            f"SELECT max(vx.year) FROM {source} vx"
            f" JOIN {source} vy ON vy.ags = vx.ags AND vy.year = vx.year AND vy.indicator_id = :y"
            " JOIN area a ON a.ags = vx.ags AND a.level = 'kommune'"
            " WHERE vx.indicator_id = :x AND vx.year = ANY(:years)"
            "  AND NOT vx.synthetic AND NOT vy.synthetic"
            "  AND vx.value IS NOT NULL AND vy.value IS NOT NULL"
            " GROUP BY vx.year"
            " HAVING count(*) * 2 >= (SELECT count(*) FROM area WHERE level = 'kommune')"
            " ORDER BY vx.year DESC LIMIT 1"
        ),
        {"x": x_id, "y": y_id, "years": years},
    )
    return found if found is not None else years[-1]


def _pairs(conn: Connection, limit: int = 12) -> list[tuple[str, str, list[int]]]:
    """Pairs of indicators with common years (the scatter's choices), spread over the list."""
    years = indicator_years(conn)
    ids = sorted(years)
    out = []
    for n, x in enumerate(ids):
        for y in ids[n + 1 :: 3]:
            common = pair_years(years, x, y)
            if common:
                out.append((x, y, common))
    return out[:: max(1, len(out) // limit)][:limit]


@pytest.mark.parametrize("demo", DEMOS)
def test_release_for_and_the_years_read_the_kept_rows_and_equal_the_live_ones(app, demo):
    engine = app.extensions["sozmon_engine"]
    with app.app_context(), engine.connect() as c:
        set_demo(c, demo)
        ids = _indicators(c)
        kept, live = _releases(c, ids), _live_releases(c, ids)
        assert kept == live
        # Not vacuous: most indicators show values, at home and in all of Germany; outside
        # demo mode the Beispieldaten-only indicators have none.
        assert sum(r is not None for (_i, home), r in kept.items() if home) >= len(ids) // 2
        synthetic = [k for k, r in kept.items() if r is not None and r.synthetic]
        assert bool(synthetic) == (demo == "on")
        years = {i: kommune_years(c, i, None) for i in ids}
        assert years == {i: live_kommune_years(c, i, None) for i in ids}
        assert sum(bool(y) for y in years.values()) >= 20
        # A cited view's releases and one named release: the live relation, keys pushed in.
        pinned = _published(c)
        for rid in (pinned, pinned[0]):
            assert {i: kommune_years(c, i, rid) for i in ids} == {
                i: live_kommune_years(c, i, rid) for i in ids
            }
        # They read the kept rows: changed there (in this transaction), the result changes.
        some = next(i for i in ids if kept[(i, True)] is not None and years[i])
        c.execute(text("DELETE FROM profile_value WHERE indicator_id = :i"), {"i": some})
        c.execute(text("DELETE FROM indicator_summary WHERE indicator_id = :i"), {"i": some})
        assert release_for(c, some, None, home=True) is None
        assert release_for(c, some, None, home=False) is None
        assert kommune_years(c, some, None) == []
        assert live_release_for(c, some, None, home=True) == kept[(some, True)]
        c.rollback()


@pytest.mark.parametrize("demo", DEMOS)
def test_the_scatter_and_the_ranking_read_the_kept_rows_and_equal_the_live_ones(
    app, demo, monkeypatch
):
    engine = app.extensions["sozmon_engine"]
    with app.app_context(), engine.connect() as c:
        set_demo(c, demo)
        pairs = _pairs(c)
        assert len(pairs) >= 5
        pinned = _published(c)
        for x, y, years in pairs:
            for rid in (None, pinned, pinned[-1]):
                assert scatter_queries._pair_default_year(
                    c, x, y, years, rid
                ) == _live_pair_default_year(c, x, y, years, rid), (x, y, rid)
        kept = [scatter_queries.scatter(c, x, y, None) for x, y, _years in pairs]
        ids = [i for i in _indicators(c) if kommune_years(c, i, None)][:10]
        ranked = [ranking_queries.ranking(c, i, None) for i in ids]
        with monkeypatch.context() as m:
            # The values of before: the view itself, the Kommunen joined afterwards.
            m.setattr(precomputed, "KEPT_PROFILE_VALUES", "shown_value")
            m.setattr(ranking_queries, "kommune_years", live_kommune_years)
            m.setattr(ranking_queries, "release_for", live_release_for)
            live = [scatter_queries.scatter(c, x, y, None) for x, y, _years in pairs]
            live_ranked = [ranking_queries.ranking(c, i, None) for i in ids]
        assert kept == live
        assert ranked == live_ranked
        assert sum(len(s.drawn) for s in kept) > 0
        # The points and the population read the kept rows.
        x, y, _years = pairs[0]
        c.execute(
            text("UPDATE profile_value SET value = value + 1000 WHERE indicator_id = :x"), {"x": x}
        )
        assert scatter_queries.scatter(c, x, y, kept[0].year) != kept[0]
        c.rollback()


def test_a_rollback_refreshes_what_the_pages_read(fresh_app):
    """A rollback is a new data version: its transaction refreshes the kept rows, so kept and
    live agree again, and the withdrawn release no longer shows (for either mode)."""
    engine = fresh_app.extensions["sozmon_engine"]
    with fresh_app.app_context(), engine.connect() as c:
        newest = c.scalar(
            text(
                "SELECT label FROM release WHERE status = 'published'"
                " ORDER BY published_at DESC, id DESC LIMIT 1"
            )
        )
        before = _releases(c, _indicators(c))
    assert any(r is not None and newest in r.releases for r in before.values())
    r = fresh_app.test_cli_runner().invoke(args=["rollback", "--force"])
    assert r.exit_code == 0, r.output
    for demo in DEMOS:
        with fresh_app.app_context(), engine.connect() as c:
            set_demo(c, demo)
            ids = _indicators(c)
            after = _releases(c, ids)
            assert after == _live_releases(c, ids)
            assert not any(r is not None and newest in r.releases for r in after.values())
            years = {i: kommune_years(c, i, None) for i in ids}
            assert years == {i: live_kommune_years(c, i, None) for i in ids}
    with fresh_app.app_context(), engine.connect() as c:
        assert _releases(c, _indicators(c)) != before
