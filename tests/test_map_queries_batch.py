"""The map's batched queries give exactly what the per-year and per-question queries give."""

from __future__ import annotations

from sqlalchemy import text

from indicators.map_queries import (
    home_data,
    map_area_values,
    map_area_values_by_year,
    map_context,
    values_by_year,
    values_of_year,
)
from indicators.queries import default_year, release_for, years_available


def _indicators(conn) -> list[str]:
    return list(conn.scalars(text("SELECT id FROM indicator ORDER BY sort")))


def test_layered_context_equals_the_three_queries(conn):
    checked = mixed = 0
    for ind in _indicators(conn):
        batch = map_context(conn, ind, None, topics=[])  # the layered values: one query
        release = release_for(conn, ind, None, home=True)
        assert batch.release == release, ind
        if release is None:
            assert batch.years == () and batch.default_year is None
            continue
        assert list(batch.years) == years_available(conn, ind, None), ind
        assert batch.default_year == default_year(conn, ind, None), ind
        checked += 1
        mixed += len(release.releases) > 1
    # The loaded data have indicators from one release and from several (real + synthetic).
    assert checked > 50 and mixed > 0


def test_map_context_of_a_named_release_unchanged(conn):
    rid = conn.scalar(text("SELECT min(id) FROM release WHERE status = 'published'"))
    ind = conn.scalar(text("SELECT min(indicator_id) FROM value WHERE release_id = :r"), {"r": rid})
    ctx = map_context(conn, ind, rid, topics=[])
    assert ctx.release is not None and ctx.release.id == rid
    assert list(ctx.years) == years_available(conn, ind, rid)
    assert ctx.default_year == default_year(conn, ind, rid)


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


def test_home_data_of_all_indicators_equals_one_indicators_read(conn):
    """The map reads every indicator's home values once per data version: the same answers."""
    home = home_data(conn)
    inds = _indicators(conn)
    assert set(home.indicators) == set(inds)
    for ind in inds:
        assert map_context(conn, ind, None, [], home) == map_context(conn, ind, None, []), ind
        assert map_area_values_by_year(conn, ind, None, home) == map_area_values_by_year(
            conn, ind, None
        ), ind
    assert map_context(conn, "nicht_da", None, [], home).indicator is None


def test_a_cold_map_of_a_new_indicator_asks_the_database_nothing(app, client):
    """Once a worker has read every indicator's home values (the catalogue page /kennzahlen
    does), another indicator's map needs no query."""
    from sqlalchemy import event

    client.get("/kennzahlen")
    client.get("/karte")
    statements: list[str] = []
    engine = app.extensions["sozmon_engine"]

    def seen(_c, _cur, statement, *_a):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = client.get("/karte?indikator=alo_sgb2_anteil&jahr=2015&klassen=gleich")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 200
    # Only the data version is read (the tests give it no time to live); nothing else.
    assert statements and all("FROM data_epoch" in s for s in statements), statements


def test_one_year_of_the_home_values_equals_that_year_of_all(conn):
    """The map builds only the year it shows: the same rows as building every year."""
    home = home_data(conn)
    compared = 0
    for ind, rows in home.rows.items():
        every = values_by_year(rows, home.areas)
        for year, expected in every.items():
            assert values_of_year(rows, home.areas, year) == expected, (ind, year)
            compared += 1
        assert values_of_year(rows, home.areas, 1900) is None  # no values: the caller asks
    assert compared > 500


# home_data's statement: the kept home rows (profile_value) joined to their releases (map32;
# the rule's view shown_value before).
HOME_ROWS = "FROM profile_value WHERE"


def test_the_first_map_after_a_data_change_reads_its_own_indicators_values(app, client):
    """Issue #32: the first map after a publish reads the values it shows, not every
    indicator's of the home region (~30,000 rows, 0.1–0.5 s)."""
    from sqlalchemy import event

    engine = app.extensions["sozmon_engine"]
    for url in ("/karte?indikator=alo_sgb2_anteil&jahr=2015", "/karte", "/rangfolge"):
        app.extensions["sozmon_cache"].clear()
        statements: list[str] = []

        def seen(_c, _cur, statement, *_a):
            statements.append(statement)  # noqa: B023 (used within the loop's iteration)

        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        home = [s for s in statements if HOME_ROWS in s and "v JOIN release r" in s]
        assert home and all("v.indicator_id = " in s for s in home), url


def test_the_default_indicator_is_the_one_every_indicators_values_give(app, conn):
    """default_indicator() reads the preferred indicators' values one by one: it picks what
    headline_indicator picks from every indicator's values, for any preference."""
    from app.pages.data.map_state import default_indicator
    from indicators.map_queries import headline_indicator

    every = home_data(conn)
    uncovered = [i for i in every.indicators if i not in every.rows][:2]
    saved = app.config["HEADLINE_INDICATORS"]
    cases = [tuple(saved), (), ("nicht_da",), (*uncovered, "alo_sgb2_anteil"), tuple(uncovered)]
    try:
        for preferred in cases:
            app.config["HEADLINE_INDICATORS"] = preferred
            app.extensions["sozmon_cache"].clear()
            with app.test_request_context("/karte"):
                got = default_indicator()
            assert got == (headline_indicator(every, preferred) or (preferred or ("",))[0])
    finally:
        app.config["HEADLINE_INDICATORS"] = saved
