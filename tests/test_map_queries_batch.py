"""The map's batched queries give exactly what the per-year and per-question queries give."""

from __future__ import annotations

from sqlalchemy import text

from indicators.map_queries import (
    map_area_values,
    map_area_values_by_year,
    map_context,
)
from indicators.queries import default_year, release_for, years_available


def _indicators(conn) -> list[str]:
    return list(conn.scalars(text("SELECT id FROM indicator ORDER BY sort")))


def test_layered_context_equals_the_three_queries(conn):
    checked = mixed = 0
    for ind in _indicators(conn):
        batch = map_context(conn, ind, None, topics=[])  # the layered values: one query
        release = release_for(conn, ind, None, home=True)
        assert batch["release"] == release, ind
        if release is None:
            assert batch["years"] == [] and batch["default_year"] is None
            continue
        assert batch["years"] == years_available(conn, ind, None), ind
        assert batch["default_year"] == default_year(conn, ind, None), ind
        checked += 1
        mixed += len(release["releases"]) > 1
    # The loaded data have indicators from one release and from several (real + synthetic).
    assert checked > 50 and mixed > 0


def test_map_context_of_a_named_release_unchanged(conn):
    rid = conn.scalar(text("SELECT min(id) FROM release WHERE status = 'published'"))
    ind = conn.scalar(text("SELECT min(indicator_id) FROM value WHERE release_id = :r"), {"r": rid})
    ctx = map_context(conn, ind, rid, topics=[])
    assert ctx["release"]["id"] == rid
    assert ctx["years"] == years_available(conn, ind, rid)
    assert ctx["default_year"] == default_year(conn, ind, rid)


def test_values_by_year_equal_values_of_each_year(conn):
    rid = conn.scalar(text("SELECT min(id) FROM release WHERE status = 'published'"))
    compared = 0
    for ind in _indicators(conn)[::7]:
        for release_id in (None, rid):
            by_year = map_area_values_by_year(conn, ind, release_id)
            years = years_available(conn, ind, release_id)
            assert sorted(by_year) == years, ind
            for year in years:
                assert by_year[year] == map_area_values(conn, ind, year, release_id), (ind, year)
                compared += 1
    assert compared > 100
