"""The per-version reads sent in one round trip (indicators/version_reads.py, map33).

`prefetch` keeps under each memo key what the key's own reader would have read: the same
result from the same rows, one statement for all of them, none once they are kept.
"""

from __future__ import annotations

from sqlalchemy import text

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


def test_the_pages_reads_keep_what_their_readers_read(app):
    """profv35: the reads only a profile and a comparison send (PAGE_READS, the Zensus release
    summary) keep what each reader reads alone, in one round trip; the map's default bundle
    sends none of them."""
    from geodata.queries import HOME_LOCATOR, locator_paths
    from indicators.pinning import release_labels
    from indicators.precomputed import kept_areas
    from indicators.profile import PROFILE_READS, ZENSUS_INDICATOR, areas_by_key
    from indicators.queries import kept_release_once, release_for
    from indicators.ranking_queries import KOMMUNE_SPREADS, kept_kommunen_spreads
    from indicators.social_index_store import current_definition
    from indicators.version_reads import PAGE_READS

    # kept37: the spreads are a Kommune's profile's alone (its spines), not the comparison's.
    profile_reads = (*PROFILE_READS, KOMMUNE_SPREADS)
    assert not set(PAGE_READS) & set(READS)
    assert set(PAGE_READS) <= set(profile_reads)
    app.extensions["sozmon_cache"].clear()
    with app.test_request_context("/"):
        conn = get_conn()
        assert not set(PAGE_READS) & set(prefetch(conn))  # the map's default: none of them
        read, seen = _statements(app, lambda: prefetch(conn, profile_reads))
        assert set(read) == set(PAGE_READS) | {f"kept_release:{ZENSUS_INDICATOR}"}
        assert len([s for s in seen if "data_epoch" not in s]) == 1
        areas = kept_areas(conn)
        assert areas is not None and {"03241", "03241001", "03"} <= set(areas)
        keys = [k for k in ("03241001", "03241", "03", "DG") if k in areas]
        with app.app_context(), app.extensions["sozmon_engine"].connect() as plain:
            headline = dict(
                plain.execute(
                    text("SELECT indicator_id, max(year) FROM kommune_spread GROUP BY 1")
                ).all()
            )
            ids = list(plain.scalars(text("SELECT id FROM release ORDER BY id")))[:2]
        asked = [*reversed(ids), ids[0]]  # any order, twice: the labels in id order, once
        kept, seen = _statements(
            app,
            lambda: (
                kept_areas(conn),
                kept_release_once(conn, ZENSUS_INDICATOR),
                current_definition(conn),
                locator_paths(conn, "03241005", "03241"),
                areas_by_key(conn, keys),
                release_labels(conn, asked),
                kept_kommunen_spreads(conn, headline),
            ),
        )
        assert [s for s in seen if "data_epoch" not in s] == []
        assert HOME_LOCATOR in read
    with app.app_context(), app.extensions["sozmon_engine"].connect() as plain:
        levels = "('kommune', 'region', 'land', 'bund')"
        assert set(areas) == set(
            plain.scalars(text(f"SELECT ags FROM area WHERE level IN {levels}"))
        )
        assert kept_areas(plain) is None  # no memo: the statements decide themselves
        assert kept[1] == release_for(plain, ZENSUS_INDICATOR) and kept[1] is not None
        assert kept[2] == current_definition(plain)
        assert kept[3] == locator_paths(plain, "03241005", "03241") and kept[3]["paths"]
        assert kept[4] == areas_by_key(plain, keys) and len(kept[4]) == len(keys)
        assert kept[5] == release_labels(plain, asked) and len(kept[5]) == 2
        assert kept[6] == kept_kommunen_spreads(plain, headline) and kept[6]


def test_the_profile_names_the_kept_rows_or_the_view_as_the_gate_chose(app):
    """profv35: profile_source_for makes the choice of profile_source's gate in Python (the
    kept rows when every area is of a kept level), with the same rows as the gated relation."""
    from indicators.precomputed import KEPT_PROFILE_VALUES, profile_source, profile_source_for

    app.extensions["sozmon_cache"].clear()
    with app.test_request_context("/"):
        conn = get_conn()
        home = ["03241001", "03241", "03"]
        gemeinde = conn.scalar(text("SELECT ags FROM area WHERE level = 'gemeinde' LIMIT 1"))
        assert profile_source_for(conn, home, "CAST(:a AS text[])", None) == KEPT_PROFILE_VALUES
        live = profile_source_for(conn, [*home, gemeinde], "CAST(:a AS text[])", None)
        assert "FROM shown_value" in live and "profile_value" not in live
        assert "release_value" in profile_source_for(conn, home, "CAST(:a AS text[])", 6)
        for keys in (home, [*home, gemeinde]):
            sql = "SELECT * FROM {s} v WHERE v.ags = ANY(CAST(:a AS text[])) ORDER BY 1, 2, 3, 4"
            chosen = conn.execute(
                text(sql.format(s=profile_source_for(conn, keys, "CAST(:a AS text[])", None))),
                {"a": keys},
            ).all()
            gated = conn.execute(
                text(sql.format(s=profile_source("CAST(:a AS text[])", None))), {"a": keys}
            ).all()
            assert chosen == gated and chosen
