"""Ranking chart with 95 % intervals: textbook intervals, ranking, page, validation, SVG, API."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import text

from geodata import attribution
from indicators import intervals, ranking
from indicators.errors import InvalidChoice, UnknownChoice
from indicators.ranking_queries import kommunen_spreads
from indicators.ranking_queries import ranking as ranking_query
from indicators.stats import byar_interval, wilson_interval

HANNOVER, LEHRTE, REGION = "03241001", "03241011", "03241"


# --- intervals against textbook values ----------------------------------------------------


def test_wilson_matches_textbook_values():
    # Newcombe (1998), Stat Med 17:857, Table I, method 3 (score interval without correction).
    assert wilson_interval(8, 20) == pytest.approx((0.2188, 0.6134), abs=5e-5)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=5e-5)


@pytest.mark.parametrize(
    ("x", "byar", "exact"),
    [
        # Byar's approximation (Breslow & Day 1987, p. 69) and the exact Poisson limits.
        (0, (0.0, 3.668), (0.0, 3.689)),
        (5, (1.611, 11.668), (1.623, 11.668)),
        (100, (81.36, 121.63), (81.36, 121.63)),
    ],
)
def test_byar_matches_textbook_values(x, byar, exact):
    lo, hi = byar_interval(x)
    assert (lo, hi) == pytest.approx(byar, abs=6e-3)
    assert lo == pytest.approx(exact[0], abs=0.02) and hi == pytest.approx(exact[1], abs=0.03)


def test_interval_of_chooses_method_from_unit_and_refuses_without_counts():
    ci, why = intervals.interval_of(8, 20, "%")
    assert why is None and ci.method == "wilson"
    assert (ci.lower, ci.upper) == pytest.approx((21.88, 61.34), abs=5e-3)  # in per cent
    ci, _ = intervals.interval_of(5, 1000, "‰")
    assert ci.method == "byar" and (ci.lower, ci.upper) == pytest.approx((1.611, 11.668), abs=6e-3)
    ci, _ = intervals.interval_of(100, 1_000_000, "je 100.000")
    assert (ci.lower, ci.upper) == pytest.approx((8.136, 12.163), abs=1e-3)
    assert intervals.interval_of(None, None, "%") == (None, "no_counts")
    assert intervals.interval_of(5, 10, "Jahre") == (None, "no_counts")  # no interval for the unit
    assert intervals.interval_of(-3, 1000, "‰") == (None, "invalid_counts")  # net migration


def test_intervals_for_matches_stored_counts(conn):
    rel = conn.execute(text("SELECT id FROM release WHERE label = 'demo-2024-2'")).scalar()
    got = intervals.intervals_for(conn, "armutsgefaehrdung_quote", 2024, rel)
    assert len(got) == 22 and REGION in got
    rows = conn.execute(
        text(
            "SELECT ags, numerator, denominator FROM value WHERE release_id = :r"
            " AND indicator_id = 'armutsgefaehrdung_quote' AND year = 2024"
        ),
        {"r": rel},
    ).all()
    for r in rows:
        lo, hi = wilson_interval(r.numerator, r.denominator)
        assert got[r.ags].method == "wilson"
        assert (got[r.ags].lower, got[r.ags].upper) == pytest.approx((lo * 100, hi * 100))
    # An indicator without numerators has no interval anywhere: None, never an invented one.
    ages = intervals.intervals_for(conn, "bev_durchschnittsalter", 2015)
    assert ages and all(v is None for v in ages.values())


# --- ranking --------------------------------------------------------------------------------


def test_ranks_follow_polarity_and_share_ties():
    vals = {"a": 3.0, "b": 1.0, "c": 3.0, "d": None}
    assert ranking.ranks(vals, "higher_worse") == {"a": 2, "b": 1, "c": 2, "d": None}
    assert ranking.ranks(vals, "higher_better") == {"a": 1, "b": 3, "c": 1, "d": None}
    assert ranking.ranks(vals, "neutral") == ranking.ranks(vals, "higher_better")


def test_ranking_orders_best_first_and_judges_by_interval(conn):
    r = ranking_query(conn, "armutsgefaehrdung_quote", 2024)
    assert len(r.rows) == 21 and r.region is not None and r.region.ags == REGION
    values = [row.area.value for row in r.rows if row.area.value is not None]
    assert values == sorted(values)  # higher is worse: the lowest quota first
    assert [row.rank for row in r.rows][:1] == [1]
    for row in r.rows:
        ci = row.area.interval
        if ci.lower > r.region_value:
            assert row.verdict == "worse"
        elif ci.upper < r.region_value:
            assert row.verdict == "better"
        else:
            assert row.verdict == "similar"
    by_value = ranking_query(conn, "armutsgefaehrdung_quote", 2024, order="wert")
    assert [x.area.value for x in by_value.rows] == sorted(values, reverse=True)
    by_name = ranking_query(conn, "armutsgefaehrdung_quote", 2024, order="name")
    assert [x.area.name for x in by_name.rows] == sorted(x.area.name for x in r.rows)


def test_ranking_refuses_unknown_choices(conn):
    with pytest.raises(UnknownChoice) as e:
        ranking_query(conn, "gibt_es_nicht", 2024)
    assert e.value.field == "indikator" and "armutsgefaehrdung_quote" in e.value.valid
    assert e.value.status == 404
    with pytest.raises(UnknownChoice) as e:
        ranking_query(conn, "armutsgefaehrdung_quote", 1995)
    assert e.value.field == "jahr" and 2024 in e.value.valid
    with pytest.raises(InvalidChoice) as e:
        ranking_query(conn, "armutsgefaehrdung_quote", 2024, order="zufall")
    assert e.value.field == "sortierung" and e.value.status == 400
    assert not isinstance(e.value, UnknownChoice)


# --- spine layout -------------------------------------------------------------------------


def test_spine_layout_centres_the_region_and_puts_better_to_the_right():
    spread = ranking.Spread(minimum=5.0, q1=8.0, q3=12.0, maximum=20.0, n=21)
    up = ranking.spine_layout(15.0, 10.0, spread, "higher_better")
    assert (
        up.region == 0.5 and up.maximum == pytest.approx(1.0) and up.minimum == pytest.approx(0.25)
    )
    assert up.value == pytest.approx(0.75) and not up.flipped
    down = ranking.spine_layout(15.0, 10.0, spread, "higher_worse")
    assert down.flipped and down.value == pytest.approx(0.25)  # a high value is worse: left
    assert down.minimum == pytest.approx(0.0) and down.maximum == pytest.approx(0.75)
    assert down.q1 < down.q3


def test_kommunen_spreads_match_the_values(conn):
    got = kommunen_spreads(conn, {"armutsgefaehrdung_quote": 2024, "bev_durchschnittsalter": 2015})
    vals = sorted(
        conn.scalars(
            text(
                "SELECT v.value FROM shown_value v JOIN area a ON a.ags = v.ags AND a.level = 'kommune'"
                " WHERE v.indicator_id = 'armutsgefaehrdung_quote' AND v.year = 2024"
            )
        )
    )
    s = got["armutsgefaehrdung_quote"]
    assert (s.minimum, s.maximum, s.n) == (vals[0], vals[-1], 21)
    import numpy as np

    assert s.q1 == pytest.approx(np.percentile(vals, 25)) and s.q3 == pytest.approx(
        np.percentile(vals, 75)
    )
    assert got["bev_durchschnittsalter"].n == 21


# --- page, embed, SVG -------------------------------------------------------------------


def test_ranking_page_shows_chart_table_source_and_licence(client):
    resp = client.get("/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert page.count('class="rank-chart"') == 2  # wide and narrow
    rows = re.findall(r'<tr data-ags="(\d{8})" data-verdict="(\w+)">', page)
    assert len(rows) == 21
    assert 'data-ags="03241"' in page  # the Region as the table's reference row
    assert "Wilson" in page and attribution.LICENCE in page and "Quelle" in page
    assert "Beispieldaten" in page  # the demo release is synthetic
    # The picker works without JavaScript: a GET form with indicator, year and order.
    assert re.search(r'<form method="get" action="/rangfolge"', page)
    for name in ("indikator", "jahr", "sortierung"):
        assert f'name="{name}"' in page
    assert '<a href="/rangfolge"' in page  # in the main navigation


def test_ranking_chart_bars_and_whiskers_match_the_table(client):
    page = client.get("/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024").get_data(
        as_text=True
    )
    wide = page.split('data-layout="wide"', 1)[1].split("</svg>", 1)[0]
    chart_order = re.findall(r'<g class="rank-row" data-ags="(\d+)" data-verdict="(\w+)"', wide)
    table_order = re.findall(r'<tr data-ags="(\d{8})" data-verdict="(\w+)">', page)
    assert chart_order == table_order
    assert wide.count('class="whisker"') == 21 and wide.count('class="bar"') == 21
    assert 'class="region-line"' in wide


def test_indicator_without_counts_says_not_assessable(client):
    page = client.get("/rangfolge?indikator=bev_durchschnittsalter&jahr=2015").get_data(
        as_text=True
    )
    assert 'class="whisker"' not in page
    assert page.count('data-verdict="not_assessable">') == 21
    assert "nicht bewertbar" in page and "kein Intervall" in page


@pytest.mark.parametrize(
    ("query", "code", "needle"),
    [
        ("indikator=gibt_es_nicht", 404, "/rangfolge?indikator=armutsgefaehrdung_quote"),
        (
            "indikator=armutsgefaehrdung_quote&jahr=zwanzig",
            400,
            "/rangfolge?indikator=armutsgefaehrdung_quote&amp;jahr=2024",
        ),
        ("indikator=armutsgefaehrdung_quote&jahr=20245", 400, "Jahreszahl"),
        (
            "indikator=armutsgefaehrdung_quote&jahr=1999",
            404,
            "/rangfolge?indikator=armutsgefaehrdung_quote&amp;jahr=2024",
        ),
        ("indikator=armutsgefaehrdung_quote&sortierung=zufall", 400, "sortierung=wert"),
        ("indikator=%3Cscript%3E", 404, "&lt;script&gt;"),
    ],
)
def test_bad_input_gets_a_4xx_with_choices(client, query, code, needle):
    resp = client.get("/rangfolge?" + query)
    assert resp.status_code == code
    body = resp.get_data(as_text=True)
    assert needle in body and "<script>" not in body.split("<main", 1)[1]


def test_english_ranking_page(client):
    page = client.get("/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024&lang=en").get_data(
        as_text=True
    )
    assert "Ranking" in page and "lower bound" in page and "Licence" in page
    resp = client.get("/rangfolge?indikator=armutsgefaehrdung_quote&jahr=abc&lang=en")
    assert resp.status_code == 400 and "must be a year" in resp.get_data(as_text=True)


def test_embed_ranking_may_be_framed(client):
    resp = client.get("/embed/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024")
    assert resp.status_code == 200
    assert "frame-ancestors *" in resp.headers["Content-Security-Policy"]
    page = resp.get_data(as_text=True)
    assert attribution.LICENCE in page and 'class="rank-chart"' in page
    assert client.get("/rangfolge").headers.get("X-Frame-Options") == "DENY"


def test_standalone_svg_has_title_source_and_licence_inside(client):
    resp = client.get("/rangfolge.svg?indikator=armutsgefaehrdung_quote&jahr=2024")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    root = ET.fromstring(resp.get_data())
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("width") == "800"
    texts = [t.text or "" for t in root.iter(f"{ns}text")]
    assert root.find(f"{ns}title").text.startswith("Rangfolge: ")
    assert any(t.startswith("Quelle: ") for t in texts)
    assert any(attribution.LICENCE in t for t in texts)
    assert any("Beispieldaten" in t for t in texts)
    assert len(list(root.iter(f"{ns}rect"))) >= 22  # background + 21 bars
    assert "Datenstand: demo-2024-2" in texts  # the releases of this year's values
    real = ET.fromstring(
        client.get("/rangfolge.svg?indikator=bev_durchschnittsalter&jahr=2015").data
    )
    real_texts = [t.text or "" for t in real.iter(f"{ns}text")]
    assert "Datenstand: regionalstatistik-2017" in real_texts
    assert not any("Beispieldaten" in t for t in real_texts)
    assert any(t.startswith("Amtlich: Tabelle 12411-07-01-5-B") for t in real_texts)
    assert client.get("/rangfolge.svg?indikator=nix").status_code == 404


# --- API ------------------------------------------------------------------------------------


def _validate(app, body: dict, schema_name: str) -> None:
    """The answer against the OpenAPI document's own schema (with its $refs)."""
    import jsonschema

    from app.api.openapi import document

    with app.app_context():  # the document is titled after the app's home region
        doc = document()
    schema = {**doc["components"]["schemas"][schema_name], "components": doc["components"]}
    jsonschema.validate(body, schema)


def test_intervals_api_matches_the_ranking_and_the_document(client, conn):
    r = client.get("/api/v1/intervals?indikator=armutsgefaehrdung_quote&jahr=2024")
    assert r.status_code == 200
    body = r.get_json()
    _validate(client.application, body, "IntervalList")
    assert body["count"] == 22 and body["synthetic"] is True and body["licence"]["id"]
    by_ags = {row["ags"]: row for row in body["data"]}
    expected = intervals.intervals_for(conn, "armutsgefaehrdung_quote", 2024)
    for ags, ci in expected.items():
        assert (by_ags[ags]["lower"], by_ags[ags]["upper"]) == pytest.approx((ci.lower, ci.upper))
        assert by_ags[ags]["method"] == "wilson"
    assert by_ags[REGION]["level"] == "region"
    assert "/intervals" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_intervals_api_without_counts_gives_reasons_not_numbers(client):
    body = client.get("/api/v1/intervals?indikator=bev_durchschnittsalter&jahr=2015").get_json()
    _validate(client.application, body, "IntervalList")
    assert all(row["lower"] is None and row["reason"] == "no_counts" for row in body["data"])


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("indikator=armutsgefaehrdung_quote", 400),
        ("indikator=armutsgefaehrdung_quote&jahr=abc", 400),
        ("indikator=gibt_es_nicht&jahr=2024", 404),
        ("indikator=armutsgefaehrdung_quote&jahr=1995", 404),
        ("indikator=armutsgefaehrdung_quote&jahr=2024&foo=1", 400),
    ],
)
def test_intervals_api_bad_input_is_a_problem_document(client, query, status):
    from tests.test_api import assert_problem

    assert_problem(client.get("/api/v1/intervals?" + query), status)
