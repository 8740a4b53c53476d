"""The per-version reads sent in one round trip (indicators/version_reads.py, map33).

`prefetch` keeps under each memo key what the key's own reader would have read: the same
result from the same rows, one statement for all of them, none once they are kept.
"""

from __future__ import annotations

from app.web.db import get_conn
from geodata.queries import feature_collection, home_areas, read_home_areas
from indicators.breaks import series_breaks
from indicators.notes import public_notes
from indicators.queries import indicator_sources, topics_with_indicators, year_ranges
from indicators.version_reads import READS, SEPARATOR, prefetch
from tests.statements import recorded_statements


def _statements(app, run):
    with recorded_statements(app.extensions["sozmon_engine"]) as seen:
        out = run()
    return out, seen


def test_one_round_trip_keeps_what_each_reader_reads(app):
    app.extensions["sozmon_cache"].clear()
    engine = app.extensions["sozmon_engine"]
    with app.test_request_context("/"):
        conn = get_conn()
        read, seen = _statements(app, lambda: prefetch(conn))
        assert read == list(READS)
        bundles = [s for s in seen if "data_epoch" not in s]
        assert len(bundles) == 1 and bundles[0].count(SEPARATOR) == len(READS) - 1
        # Kept: the readers send nothing more, and a second prefetch neither.
        kept, seen = _statements(
            app,
            lambda: (
                topics_with_indicators(conn),
                year_ranges(conn),
                home_areas(conn),
                series_breaks(conn),
                indicator_sources(conn),
                public_notes(conn),
                feature_collection(conn, "kommune"),
                prefetch(conn),
            ),
        )
        assert [s for s in seen if "data_epoch" not in s] == []
        assert kept[-1] == []
    # The same as each reader's own statement on a connection without the memo.
    with engine.connect() as plain:
        assert kept[0] == topics_with_indicators(plain) and kept[0]
        assert kept[1] == year_ranges(plain) and kept[1]
        assert kept[2] == read_home_areas(plain) and len(kept[2]) == 22
        assert kept[3] == series_breaks(plain)
        assert kept[4] == indicator_sources(plain)
        # Order too (the pages show dicts in their order).
        assert list(kept[4]) == list(indicator_sources(plain))
        assert [list(v) for v in kept[4].values()] == [
            list(v) for v in indicator_sources(plain).values()
        ]
        assert kept[5] == public_notes(plain)
        # (its statement has a literal %: written %% for psycopg, read back as one)
        assert kept[6] == feature_collection(plain, "kommune") and kept[6].count('"Feature"') == 21


def test_only_what_the_memo_lacks_is_read(app):
    app.extensions["sozmon_cache"].clear()
    with app.test_request_context("/"):
        conn = get_conn()
        series_breaks(conn)  # read alone first (its own statement)
        assert prefetch(conn) == [k for k in READS if k != "breaks"]
        assert prefetch(conn, ["breaks", "topics"]) == []
    with app.app_context(), app.extensions["sozmon_engine"].connect() as plain:
        assert prefetch(plain) == []  # no memo: nothing to keep, no statement


def test_area_names_join_the_round_trip(app):
    from indicators.benchmarks import comparator

    app.extensions["sozmon_cache"].clear()
    with app.test_request_context("/"):
        conn = get_conn()
        # (comparator asks the home areas first: the Region's name is among them)
        read, seen = _statements(
            app, lambda: prefetch(conn, keys=["home_areas"], area_names=["03", "DG"])
        )
        assert read == ["home_areas", "area_name:03", "area_name:DG"]
        assert len([s for s in seen if "data_epoch" not in s]) == 1
        land, seen = _statements(app, lambda: comparator(conn, "land", "03241"))
        assert [s for s in seen if "data_epoch" not in s] == []
    with app.app_context(), app.extensions["sozmon_engine"].connect() as plain:
        assert land == comparator(plain, "land", "03241") and land.name == "Niedersachsen"
    with app.test_request_context("/"):
        try:
            prefetch(get_conn(), keys=[], area_names=["03' OR '1"])
        except ValueError:
            pass
        else:
            raise AssertionError("a key that is not letters and digits was sent")


def test_the_maps_own_reads_join_the_round_trip(app):
    """map35: the comparison groups' values and one indicator's home values ride along
    (`extra`), kept under their readers' keys; the readers then send nothing and give what
    they read on a connection without the memo."""
    from indicators.map_queries import home_data, home_rows_key, home_rows_read
    from indicators.neighbour_queries import (
        NEIGHBOUR_ROWS,
        neighbour_rows,
        neighbour_rows_read,
        similar_kommunen,
    )

    ind = "bev_dichte"
    read = home_rows_read(ind)
    assert read is not None
    assert home_rows_read("bev' OR '1") is None  # an id is a literal only when it is plain
    extra = {NEIGHBOUR_ROWS: neighbour_rows_read(), home_rows_key(ind): read}
    app.extensions["sozmon_cache"].clear()
    with app.test_request_context("/"):
        conn = get_conn()
        keys, seen = _statements(app, lambda: prefetch(conn, extra=extra))
        assert keys == [*READS, NEIGHBOUR_ROWS, home_rows_key(ind)]
        assert len([s for s in seen if "data_epoch" not in s]) == 1
        kept, seen = _statements(
            app,
            lambda: (neighbour_rows(conn), similar_kommunen(conn), home_data(conn, ind)),
        )
        assert [s for s in seen if "data_epoch" not in s] == []
    with app.app_context(), app.extensions["sozmon_engine"].connect() as plain:
        assert kept[0] == neighbour_rows(plain) and len(kept[0]) > 21
        assert kept[1] == similar_kommunen(plain) and kept[1]["neighbours"]
        own = home_data(plain, ind)
        assert kept[2].rows == own.rows and len(own.rows[ind]) > 21
        assert [tuple(r) for r in kept[2].rows[ind]] == [tuple(r) for r in own.rows[ind]]


def test_a_guessed_indicator_keeps_no_memo_key(app):
    """Once the catalogue is known, the map sends an indicator's home rows along only for an
    indicator of the catalogue: guessed ids fill no memo key (they could push the catalogue's
    keys out of their region)."""
    from geodata.memo import not_memoised
    from indicators.map_queries import home_rows_key

    app.extensions["sozmon_cache"].clear()
    client = app.test_client()
    client.get("/karte?indikator=bev_dichte")
    assert client.get("/karte?indikator=gibtsnicht").status_code == 404
    with app.test_request_context("/"):
        keys = [home_rows_key("bev_dichte"), home_rows_key("gibtsnicht")]
        assert not_memoised(get_conn(), keys) == [home_rows_key("gibtsnicht")]
