"""/api/v1/values as JSON written by PostgreSQL (issue #32): the same text as the rows as dicts.

The reference is the way the answer was built before: `values_page`'s rows as dicts, each with
its notes, every area's link from `area_url`, all through `json.dumps` (formats.json_text).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from app.api import formats, openapi
from app.api.openapi import PAGE_DEFAULT
from app.api.views import VALUE_FIELDS
from app.pages.data.notes import public_notes
from app.web.urls import area_url, area_urls
from indicators import api_queries as q
from indicators.notes import note_fields
from tests.test_api import API

QUERIES = [
    ("indikator=bev_insgesamt&jahr=2015", ["bev_insgesamt"], [2015], None, PAGE_DEFAULT, 0),
    (
        "indikator=bev_insgesamt,bev_dichte&limit=70&offset=30",
        ["bev_dichte", "bev_insgesamt"],
        None,
        None,
        70,
        30,
    ),
    ("ags=03241001,03241,03&limit=400", None, None, ["03241001", "03241", "03"], 400, 0),
    ("indikator=bev_insgesamt&offset=100000", ["bev_insgesamt"], None, None, PAGE_DEFAULT, 100_000),
]


def _reference_rows(conn, indicators, years, ags, limit, offset) -> list[dict]:
    """The rows as /values built them before: dicts from values_page plus their notes."""
    pairs = q.value_releases(conn, indicators, None)
    page = q.values_page(conn, sorted(pairs), None, years, ags, limit, offset)
    noted = public_notes()
    return [
        dict(r, notes=[note_fields(n) for n in noted.at(r["ags"], r["indicator"], r["year"])])
        for r in page.rows
    ]


def _check(app, client, query, indicators, years, ags, limit, offset) -> dict:
    body = client.get(f"{API}/values?{query}").get_data(as_text=True)
    with app.test_request_context(f"{API}/values?{query}"):
        with app.extensions["sozmon_engine"].connect() as conn:
            rows = _reference_rows(conn, indicators, years, ags, limit, offset)
        links = {a: area_url(a, _external=True) for a in dict.fromkeys(r["ags"] for r in rows)}
    # the data member: byte for byte what json.dumps wrote of the dicts
    data_at = body.index(',"data":[')
    assert body[data_at + len(',"data":') : -1] == formats.json_text(rows)
    # the links member and the whole answer
    assert body[:data_at].endswith(',"links":' + formats.json_text(links))
    parsed = json.loads(body)
    assert parsed["data"] == json.loads(formats.json_text(rows))
    assert list(parsed)[-2:] == ["links", "data"]
    assert parsed["count"] == len(rows)
    assert all(list(r) == VALUE_FIELDS for r in parsed["data"])
    return parsed


@pytest.mark.parametrize("query,indicators,years,ags,limit,offset", QUERIES)
def test_the_json_written_by_postgresql_is_the_json_of_the_rows(
    app, client, query, indicators, years, ags, limit, offset
):
    parsed = _check(app, client, query, indicators, years, ags, limit, offset)
    if offset < 100_000:
        assert parsed["data"], "the query must have rows"


def test_a_row_with_a_note_and_a_withheld_part(fresh_app):
    """A note on one row and a total with missing parts: both in the row as before."""
    engine = fresh_app.extensions["sozmon_engine"]
    with engine.begin() as c:
        rid, ags, year = c.execute(
            text(
                "SELECT release_id, ags, year FROM shown_value WHERE indicator_id = 'bev_insgesamt'"
                " AND ags = '03241001' ORDER BY year DESC LIMIT 1"
            )
        ).one()
        c.execute(
            text(
                "INSERT INTO context_note (release_id, ags, indicator_id, year_from, year_to,"
                " category, text_de, text_en)"
                " VALUES (:r, :a, 'bev_insgesamt', :y, :y, 'ereignis', 'Ein \"Ereignis\"\n',"
                " 'An event')"
            ),
            {"r": rid, "a": ags, "y": year},
        )
        c.execute(
            text(
                "INSERT INTO incomplete_value (release_id, indicator_id, ags, year, parts)"
                " VALUES (:r, 'bev_insgesamt', :a, :y, 'Teil A; Teil \"B\"')"
            ),
            {"r": rid, "a": ags, "y": year},
        )
    client = fresh_app.test_client()
    parsed = _check(
        fresh_app,
        client,
        "ags=03241001&indikator=bev_insgesamt",
        ["bev_insgesamt"],
        None,
        ["03241001"],
        PAGE_DEFAULT,
        0,
    )
    row = next(r for r in parsed["data"] if r["year"] == year)
    assert row["notes"] and row["notes"][0]["text_de"] == 'Ein "Ereignis"\n'
    assert row["missing_parts"] == 'Teil A; Teil "B"'


def test_json_float_writes_each_stored_number_as_json_dumps_does(conn):
    n = 0
    for column in ("value", "numerator", "denominator"):
        for x, written in conn.execute(
            text(f"SELECT DISTINCT {column}, {q.json_float(column)} FROM value")
        ):
            assert written == json.dumps(x), (column, x)
            n += 1
    assert n > 1000
    edge = [0.0, -0.0, 5.0, -2.5, 0.1, 1e-05, 0.0001, 1e15, 123456789012345.0, 1e16, 1.5e16]
    edge += [9999999999999998.0, 1e-300, 5e-324, 1.7976931348623157e308, 0.30000000000000004]
    for x in edge:
        written = conn.scalar(
            text(f"SELECT {q.json_float('CAST(:x AS double precision)')}"), {"x": x}
        )
        assert written == json.dumps(x), x


def test_the_row_fields_are_the_documented_ones():
    assert (
        q.JSON_ROW_FIELDS + ["notes"]
        == VALUE_FIELDS
        == list(openapi.SCHEMAS["Value"]["properties"])
    )


def test_area_urls_are_area_url(app):
    keys = ["03241001", "03241", "03", "DG", "03241001", "03254021", "0324100", "a b", "03241"]
    with app.test_request_context("/api/v1/values"):
        assert area_urls(keys, _external=True) == {
            k: area_url(k, _external=True) for k in dict.fromkeys(keys)
        }
        assert area_urls(keys, lang="en") == {k: area_url(k, lang="en") for k in keys}


def test_the_home_areas_read_once_give_what_each_read_gave(app):
    """The map's reads of the Region and its Kommunen from one statement per data version
    (geodata.queries.home_areas) equal their own statements, and send one statement in all."""
    from flask import current_app
    from sqlalchemy import event

    from app.web.db import get_conn
    from geodata.home import home_region
    from geodata.memo import has_memo
    from geodata.queries import get_area, get_home_area, label_points
    from indicators.benchmarks import comparator
    from indicators.map_queries import home_names
    from indicators.neighbour_queries import kommune_names

    engine = app.extensions["sozmon_engine"]
    with app.test_request_context("/karte"), engine.connect() as plain:
        app.extensions["sozmon_cache"].clear()
        region = current_app.config["REGION"]
        memo = get_conn()
        assert has_memo(memo) and not has_memo(plain)
        kommunen = sorted(kommune_names(plain))
        assert len(kommunen) == 21
        sent: list[str] = []

        def count(conn, cursor, statement, *rest) -> None:
            if "FROM area" in statement:
                sent.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            got = [
                [get_home_area(memo, a) for a in [region, *kommunen]],
                label_points(memo, "kommune"),
                label_points(memo, "region"),
                kommune_names(memo),
                [(a.ags, a.name, a.level) for a in home_names(memo)],
                home_region(memo, region),
                comparator(memo, "region", region),
            ]
            assert len(sent) == 1, sent  # one read of the area table for all of them
            sent.clear()
            want = [
                [get_area(plain, a) for a in [region, *kommunen]],
                label_points(plain, "kommune"),
                label_points(plain, "region"),
                kommune_names(plain),
                [(a.ags, a.name, a.level) for a in home_names(plain)],
                home_region(plain, region),
                comparator(plain, "region", region),
            ]
            assert len(sent) >= 6  # without a memo each read sends its own statement
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert got == want
        assert get_home_area(memo, "03") == get_area(plain, "03")  # not a home area: read
