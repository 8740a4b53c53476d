"""Change maps (von/bis), their API (/api/v1/change) and the small multiples (/karte/jahre)."""

from __future__ import annotations

import re

import pytest

from geodata import attribution
from indicators.map_model import change_kind, change_model
from indicators.queries import get_indicator, values_for_year
from tests.test_api import API, assert_problem, get_json


def _html(r):
    return r.get_data(as_text=True)


def test_change_kind_by_unit():
    assert change_kind("%") == "points" and change_kind("‰") == "points"
    assert change_kind("Personen") == "percent" and change_kind("Anzahl") == "percent"


def test_change_model_points_and_percent_from_the_stored_values(app, conn):
    rate = get_indicator(conn, "bev_geburtenrate")
    m = change_model(conn, rate, 2010, 2015, None)
    assert m.kind == "points" and len(m.rows) == 21 and not m.synthetic
    before = {r.ags: r.value for r in values_for_year(conn, "bev_geburtenrate", 2010, None)}
    after = {r.ags: r.value for r in values_for_year(conn, "bev_geburtenrate", 2015, None)}
    for r in m.rows:
        assert r.change == pytest.approx(after[r.ags] - before[r.ags])
    assert m.region is not None and m.region.change is not None
    # Diverging around 0: the class bounds meet at 0 when changes go both ways.
    assert (
        any(c.upper == 0.0 for c in m.classes)
        or all(c.lower >= 0 for c in m.classes)
        or all(c.upper <= 0 for c in m.classes)
    )
    counts = get_indicator(conn, "bev_insgesamt")
    p = change_model(conn, counts, 2008, 2015, None)
    assert p.kind == "percent"
    b = {r.ags: r.value for r in values_for_year(conn, "bev_insgesamt", 2008, None)}
    a = {r.ags: r.value for r in values_for_year(conn, "bev_insgesamt", 2015, None)}
    hannover = next(r for r in p.rows if r.ags == "03241001")
    assert hannover.change == pytest.approx((a["03241001"] - b["03241001"]) / b["03241001"] * 100)


def test_change_colours_follow_polarity(app, conn):
    # higher_worse: a fall is an improvement, drawn blue; a rise red (ColorBrewer RdBu).
    ind = get_indicator(conn, "armutsgefaehrdung_quote")
    m = change_model(conn, ind, 2016, 2024, None)
    reds = {"#b2182b", "#ef8a62", "#fddbc7"}
    blues = {"#d1e5f0", "#67a9cf", "#2166ac"}
    for r in m.rows:
        if r.change is not None and r.change > 0:
            assert r.color in reds
        elif r.change is not None and r.change < 0:
            assert r.color in blues
    best = m.ranked_rows()[0]
    assert best.rank == 1 and best.change == min(r.change for r in m.rows if r.change is not None)


def test_change_map_page_table_legend_and_region(client):
    r = client.get("/karte?indikator=bev_geburtenrate&von=2011&bis=2015")
    assert r.status_code == 200
    html = _html(r)
    assert "Veränderung 2011–2015" in html
    assert 'class="karte-zeit"' not in html  # no year slider on a change map
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert "2011" in head and "2015" in head and "Veränderung" in head
    assert html.count("<tr>") >= 21 + 2
    assert "Region Hannover" in html.split("<tfoot>")[1]
    assert "Farben um 0 (keine Veränderung)" in html
    assert "Keine Wertung. Farben um 0" in html  # births: no polarity
    worse = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&von=2016&bis=2024"))
    assert "Blau heißt günstigere Entwicklung" in worse
    assert "von=2011" in html.split('id="embed-code"')[1][:500]
    counts = _html(client.get("/karte?indikator=bev_insgesamt&von=2011&bis=2015"))
    assert "in Prozent des Werts von 2011" in counts
    embed = client.get("/embed/karte?indikator=bev_geburtenrate&von=2011&bis=2015")
    assert embed.status_code == 200 and "Veränderung 2011–2015" in _html(embed)
    # The map page offers the change form and the small multiples.
    page = _html(client.get("/karte?indikator=bev_geburtenrate"))
    assert (
        'name="von"' in page
        and 'name="bis"' in page
        and "/karte/jahre?indikator=bev_geburtenrate" in page
    )


@pytest.mark.parametrize(
    ("query", "status", "needle"),
    [
        ("von=abc&bis=2015", 400, "Verfügbar: 2008–"),
        ("von=2015&bis=2010", 400, "muss vor"),
        ("von=2012&bis=2012", 400, "muss vor"),
        ("von=1990&bis=2015", 404, "Verfügbar: 2008–"),
        ("von=2010", 400, "bis="),
    ],
)
def test_change_map_bad_input(client, query, status, needle):
    r = client.get(f"/karte?indikator=bev_geburtenrate&{query}")
    assert r.status_code == status
    assert needle in _html(r)


def test_change_api_matches_the_model_and_the_document(client, conn):
    body = get_json(client, f"{API}/change?indikator=bev_geburtenrate&von=2011&bis=2015")
    assert body["kind"] == "points" and body["von"] == 2011 and body["bis"] == 2015
    assert body["count"] == 22 and body["synthetic"] is False and body["licence"]
    m = change_model(conn, get_indicator(conn, "bev_geburtenrate"), 2011, 2015, None)
    api = {r["ags"]: r["change"] for r in body["data"]}
    assert all(api[r.ags] == pytest.approx(r.change) for r in m.rows)
    assert api["03241"] == pytest.approx(m.region.change)
    pct = get_json(client, f"{API}/change?indikator=bev_insgesamt&von=2011&bis=2015")
    assert pct["kind"] == "percent" and pct["change_unit"] == "%"


@pytest.mark.parametrize(
    ("query", "status", "needle"),
    [
        ("indikator=bev_geburtenrate&von=2015&bis=2010", 400, "Verfügbar: 2008–"),
        ("indikator=bev_geburtenrate&von=1995&bis=2010", 404, "Verfügbar: 2008–"),
        ("indikator=bev_geburtenrate&von=abc&bis=2010", 400, "von"),
        ("indikator=bev_geburtenrate&von=2010", 400, "bis fehlt"),
        ("indikator=gibtsnicht&von=2011&bis=2015", 404, "gibtsnicht"),
    ],
)
def test_change_api_bad_input(client, query, status, needle):
    body = assert_problem(client.get(f"{API}/change?{query}"), status)
    assert needle in body["detail"]


def test_small_multiples_share_classes_and_have_a_table(client):
    r = client.get("/karte/jahre?indikator=bev_geburtenrate&jahre=2008,2012,2015")
    assert r.status_code == 200
    html = _html(r)
    assert html.count('<svg class="bericht-karte"') == 3
    for y in (2008, 2012, 2015):
        assert f'id="jahr-{y}"' in html and f'aria-labelledby="jahr-{y}"' in html
    # One legend for all maps; every drawn colour is one of its colours.
    legend = set(re.findall(r'class="swatch" data-color="(#[0-9a-f]{6})"', html))
    drawn = set(re.findall(r'<path d="[^"]*" fill="(#[0-9a-f]{6})"', html))
    assert drawn <= legend and len(drawn) > 1
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert all(str(y) in head for y in (2008, 2012, 2015))
    assert html.count("<tr>") >= 21 + 2
    assert (
        attribution.STATISTICAL_OFFICES in html or "Regionaldatenbank" in html or "amtlich" in html
    )
    assert attribution.BOUNDARIES in html
    default = client.get("/karte/jahre?indikator=bev_geburtenrate")
    assert default.status_code == 200 and _html(default).count('<svg class="bericht-karte"') <= 12
    bad = client.get("/karte/jahre?indikator=bev_geburtenrate&jahre=2008,abc")
    assert bad.status_code == 400 and "Verfügbar" in _html(bad)
    missing = client.get("/karte/jahre?indikator=bev_geburtenrate&jahre=1999")
    assert missing.status_code == 404 and "Verfügbar: 2008–" in _html(missing)
