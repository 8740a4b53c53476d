"""Any region: territory maps, stored shapes, search, profiles of any area, bad input."""

from __future__ import annotations

import json
import re
import time

import pytest
import shapely
from sqlalchemy import text

from geodata import attribution
from geodata.shapes import SCALE, encode

HILDESHEIM = "03254021"  # Stadt Hildesheim, Landkreis Hildesheim 03254


def _decode(shape: str) -> list[list[list[tuple[float, float]]]]:
    out = []
    for rings in json.loads(shape):
        poly = []
        for flat in rings:
            x = y = 0
            ring = []
            for i in range(0, len(flat), 2):
                x += flat[i]
                y += flat[i + 1]
                ring.append((x / SCALE, y / SCALE))
            poly.append(ring)
        out.append(poly)
    return out


def test_shape_encoding_round_trips_within_the_grid():
    poly = shapely.Polygon(
        [(9.71234, 52.37), (9.8, 52.37), (9.8, 52.41), (9.71234, 52.41), (9.71234, 52.37)],
        holes=[[(9.75, 52.38), (9.76, 52.38), (9.76, 52.39), (9.75, 52.38)]],
    )
    shape, n = encode(shapely.MultiPolygon([poly]))
    decoded = _decode(shape)
    assert n == 4 + 3 and len(decoded) == 1 and len(decoded[0]) == 2
    for got, want in zip(decoded[0][0], list(poly.exterior.coords)[:-1], strict=True):
        assert abs(got[0] - want[0]) <= 0.5 / SCALE and abs(got[1] - want[1]) <= 0.5 / SCALE


def _count(app, sql: str) -> int:
    with app.extensions["sozmon_engine"].connect() as c:
        return c.scalar(text(sql))


def test_germany_kreis_map_has_every_kreis(germany_client, germany_app):
    r = germany_client.get("/karte?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Kreise: Deutschland" in html and "(401)" in html
    shapes = germany_client.get("/karte/umrisse?gebiet=DG&ebene=kreis").get_json()
    # 400 Kreise plus the home Kreis (level 'region') 03241.
    assert len(shapes) == 401 and "03241" in shapes
    data = _page_data(html)
    assert set(data["ags"]) == set(shapes) and data["ags"] == sorted(data["ags"])
    assert len(data["names"]) == len(data["k"]) == len(data["labels"]) == 401
    # Nearly every Kreis has a real 2015 value (Kreise re-formed since, e.g. Göttingen 03159
    # in 2016, have none under their 2021 key): coloured, not grey.
    assert sum(1 for c in data["k"] if c != ".") >= 395


def test_niedersachsen_gemeinde_map(germany_client, germany_app):
    n = _count(
        germany_app,
        "SELECT count(*) FROM area WHERE ags LIKE '03%' AND level IN ('gemeinde', 'kommune')",
    )
    assert n > 900
    shapes = germany_client.get("/karte/umrisse?gebiet=03&ebene=gemeinde").get_json()
    assert len(shapes) == n
    r = germany_client.get("/karte?gebiet=03&ebene=gemeinde&indikator=bev_anteil_u18")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and f"({n})" in html
    data = _page_data(html)
    coloured = [c for c in data["k"] if c != "."]
    assert len(coloured) > 850  # real values for the Gemeinden (one GENESIS table loaded)
    # Paged table: 100 rows a page, the last page has the rest; rank 1 on page 1.
    assert html.count('<tr>\n      <td class="num">') == 100
    last = -(-n // 100)
    r2 = germany_client.get(
        f"/karte?gebiet=03&ebene=gemeinde&indikator=bev_anteil_u18&seite={last}"
    )
    assert r2.status_code == 200
    assert (
        germany_client.get(
            f"/karte?gebiet=03&ebene=gemeinde&indikator=bev_anteil_u18&seite={last + 1}"
        ).status_code
        == 404
    )


def _page_data(html: str) -> dict:
    return json.loads(html.split('id="gebiet-data">')[1].split("</script>")[0])


def test_colours_endpoint_repaints_without_outlines(germany_client):
    page = germany_client.get("/karte?gebiet=03&ebene=gemeinde&indikator=bev_anteil_u18")
    data = _page_data(page.get_data(as_text=True))
    r = germany_client.get(
        "/karte/farben?gebiet=03&ebene=gemeinde&indikator=bev_anteil_65plus&jahr=2015"
    )
    body = r.get_json()
    assert r.status_code == 200 and "jahr=2015" in body["url"]
    assert "2015" in body["title"] and "<table>" in body["table"]
    # Values only, in the page's order of keys: no keys or names again.
    new = body["data"]
    assert new["order"] == data["order"] and "ags" not in new and "names" not in new
    assert len(new["k"]) == len(new["labels"]) == len(data["ags"]) > 900 and new["colors"]
    # Each class character and label belongs to the area at that position.
    i = data["ags"].index(HILDESHEIM)
    table = germany_client.get(
        "/api/v1/values?indikator=bev_anteil_65plus&jahr=2015&ags=" + HILDESHEIM
    ).get_json()
    value = table["data"][0]["value"]
    assert new["labels"][i].startswith(f"{value:.1f}".replace(".", ",")) and new["k"][i] != "."
    # The new indicator's definition, source and embed code come with it.
    assert "Anteil" in body["info"] and attribution.STATISTICAL_OFFICES in body["info"]
    assert (
        "indikator=bev_anteil_65plus" in body["embed_code"] and "&lt;iframe" in body["embed_code"]
    )


def test_embed_of_a_territory_map(germany_client):
    r = germany_client.get("/embed/karte?gebiet=03254&ebene=gemeinde&indikator=bev_anteil_u6")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "gebiet-map" in html and attribution.BOUNDARIES in html
    assert 'target="_blank"' in html


@pytest.mark.parametrize(
    ("query", "status", "choice"),
    [
        ("gebiet=XX", 404, "gebiet=DG&amp;ebene=kreis"),
        ("gebiet=99999", 404, "gebiet=03&amp;ebene=gemeinde"),
        ("gebiet=03&ebene=land", 400, "gebiet=03&amp;ebene=kreis"),
        ("gebiet=DG&ebene=stadtteil", 400, "gebiet=DG&amp;ebene=gemeinde"),
        ("gebiet=03254&ebene=gemeinde&indikator=sgb2_quote", 404, "indikator=bev_anteil_u18"),
        ("gebiet=03&ebene=kreis&indikator=gibtsnicht", 404, "indikator=bev_dichte"),
        ("gebiet=03&ebene=kreis&indikator=bev_dichte&jahr=1900", 404, "jahr=2015"),
        ("gebiet=03&ebene=kreis&indikator=bev_dichte&klassen=bunt", 400, "klassen=jenks"),
        (
            "gebiet=03&ebene=kreis&indikator=bev_insgesamt&farben=divergierend",
            400,
            "farben=sequenziell",
        ),
        ("gebiet=03&ebene=kreis&seite=0", 400, "gebiet=03"),
    ],
)
def test_bad_input_gets_4xx_with_choices(germany_client, query, status, choice):
    r = germany_client.get("/karte?" + query)
    html = r.get_data(as_text=True)
    assert r.status_code == status, html[:500]
    assert "Gültige Auswahl" in html and choice in html


def test_region_hannover_pages_unchanged_by_germany(client, germany_client):
    for url in ("/kommune/03241001", "/kommune/03241010", "/kommunen"):
        a, b = client.get(url), germany_client.get(url)
        assert a.status_code == b.status_code == 200
        assert a.get_data() == b.get_data(), url
    # The map's folium element ids are random per render: compare its table and legend.
    url = "/karte?indikator=bev_anteil_65plus&jahr=2015"
    a, b = (c.get(url).get_data(as_text=True) for c in (client, germany_client))
    for part in ('<section class="karte-table"', '<ul class="legend-list">'):
        assert a.split(part)[1].split("</section>")[0] == b.split(part)[1].split("</section>")[0]


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("Hildesheim", "03254"),
        ("hildesheim", "03254"),
        ("Stadt Hildesheim", "03254"),
        ("Göttingen", "03159"),
        ("goettingen", "03159"),
        ("Gottingen", "03159"),
        ("Landeshauptstadt Hannover", "03241001"),
        ("03254021", HILDESHEIM),
        ("dg", "DG"),
    ],
)
def test_search_by_name_variants_and_key(germany_client, q, first):
    html = germany_client.get("/suche/gebiet", query_string={"q": q}).get_data(as_text=True)
    hits = html.split('class="suche-treffer"')[1]
    assert f"{first}</a>" not in hits  # names are shown, keys in brackets
    assert f'/{first}"' in hits.split("</li>")[0], hits[:400]


def test_search_without_hit_offers_nearest_names(germany_client):
    html = germany_client.get("/suche/gebiet?q=Hildeshiem-Zzyzx").get_data(as_text=True)
    assert "Kein Gebiet gefunden" not in html or "Meinten Sie" in html
    html = germany_client.get("/suche/gebiet?q=qqxxqqzz").get_data(as_text=True)
    assert "Kein Gebiet gefunden" in html


@pytest.mark.parametrize(
    "q",
    [
        "%" * 10_000,
        "_%_",
        "'; DROP TABLE area; --",
        "\\\\'\"",
        "a" * 10_000,
        "Hild\x00esheim",
        "*?[]()|^$",
    ],
)
def test_pathological_search_is_harmless_and_fast(germany_client, germany_app, q):
    before = _count(germany_app, "SELECT count(*) FROM area")
    t0 = time.perf_counter()
    r = germany_client.get("/suche/gebiet", query_string={"q": q})
    assert r.status_code in (200, 400)
    assert time.perf_counter() - t0 < 5  # generous: a runaway regex or scan would take minutes
    assert _count(germany_app, "SELECT count(*) FROM area") == before


def test_profile_of_any_gemeinde_with_ranks(germany_client, germany_app):
    r = germany_client.get(f"/gebiet/{HILDESHEIM}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for part in (
        "Hildesheim, Landkreis",
        "Niedersachsen",
        "Deutschland",
        "Rang im Kreis",
        "Rang im Land",
    ):
        assert part in html
    # The rank within the Land, computed independently.
    with germany_app.extensions["sozmon_engine"].connect() as c:
        own = c.scalar(
            text(
                "SELECT value FROM shown_value WHERE indicator_id = 'bev_anteil_65plus'"
                " AND ags = :a AND year = 2015"
            ),
            {"a": HILDESHEIM},
        )
        peers = (
            c.execute(
                text(
                    "SELECT v.value FROM shown_value v JOIN area a ON a.ags = v.ags"
                    " WHERE v.indicator_id = 'bev_anteil_65plus' AND v.year = 2015"
                    " AND a.level IN ('gemeinde', 'kommune') AND v.ags LIKE '03%'"
                    " AND v.value IS NOT NULL"
                )
            )
            .scalars()
            .all()
        )
    rank = 1 + sum(1 for p in peers if p > own)
    row = html.split("Anteil der Einwohnerinnen und Einwohner ab 65 Jahren")[1].split("</tr>")[0]
    assert f"{rank} von {len(peers)}" in row


def test_profile_routes(germany_client):
    assert germany_client.get("/gebiet/03241001").headers["Location"].endswith("/kommune/03241001")
    assert germany_client.get("/gebiet/03254").status_code == 200
    assert germany_client.get("/gebiet/DG").status_code == 200
    r = germany_client.get("/gebiet/0325402x")
    assert r.status_code == 404 and "Gebiet suchen" in r.get_data(as_text=True)


HILDESHEIM_PAGES = [
    "/",
    "/kommunen",
    "/karte",
    "/karte?indikator=bev_anteil_65plus&jahr=2015",
    "/embed/karte",
    "/kommune/03254021",
    "/vergleich/03254021/03254002",
    "/vergleich/03254021/03254002/diagramme/bevoelkerung",  # a topic's charts (not on the page)
    "/zeitreihe",
    "/suche?q=Alfeld",
    "/barrierefreiheit",
    "/berichte",
    "/berichte/feed.atom",
    "/disparitaeten",
    "/daten",
    "/karte?gebiet=03254&ebene=gemeinde",
    "/kommune/03254021?format=csv",
    "/disparitaeten/bev_dichte/cluster",
    "/api/v1/",
    "/api/v1/openapi.json",
    "/api/v1/areas",
    "/api/v1/releases",
    "/api/v1/dcat.rdf",
    "/api/v1/values?indikator=bev_anteil_65plus&format=csv",
]


def _fetch(url: str) -> tuple[int, str, str]:
    """Status, headers (as text) and body of a GET."""
    import urllib.error
    import urllib.request

    try:
        # Profiles take seconds on a loaded machine (a flask dev server, one request at a time).
        with urllib.request.urlopen(url, timeout=300) as r:
            head = "\n".join(f"{k}: {v}" for k, v in r.headers.items())
            return r.status, head, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, "", e.read().decode("utf-8", "replace")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_other_home_region_never_says_region_hannover(hildesheim_server, lang):
    """With SOZMON_REGION=03254 no page, download or API document names Region Hannover as
    the site or its region (the real data of Landkreis Hildesheim, loaded by load-all)."""
    releases = json.loads(_fetch(hildesheim_server + "/api/v1/releases")[2])
    labels = [r["label"] for r in releases["data"]]
    assert labels
    pages = HILDESHEIM_PAGES + [f"/api/v1/releases/{lab}/datapackage.json" for lab in labels]
    bad = {}
    for path in pages:
        if path.startswith("/api/") and lang == "en":
            continue  # the API has one language (and refuses unknown parameters)
        sep = "&" if "?" in path else "?"
        query = "" if path.startswith("/api/") else f"{sep}lang={lang}"
        status, head, body = _fetch(f"{hildesheim_server}{path}{query}")
        assert status == 200, (path, status, body[:300])
        text_ = head + "\n" + body
        # "Region Hannover, Landkreis" is data: the Kreis 03241 in Germany-wide lists.
        for phrase in (
            r"Region Hannover(?!, Landkreis)",
            "Hanover Region",
            "region-hannover",
            "21 Kommunen",
            "21 municipalities",
        ):
            if m := re.search(phrase, text_):
                bad[f"{path} {phrase}"] = text_[max(0, m.start() - 120) : m.start() + 80]
    assert bad == {}
    assert "Landkreis Hildesheim" in _fetch(f"{hildesheim_server}/?lang={lang}")[2]
    assert (
        "Sozialmonitoring Landkreis Hildesheim"
        in _fetch(f"{hildesheim_server}/api/v1/openapi.json")[2]
    )
    dcat = _fetch(f"{hildesheim_server}/api/v1/dcat.rdf")[2]
    assert "Sozialmonitoring Landkreis Hildesheim" in dcat and "districtKey/03254" in dcat
    _, head, _ = _fetch(f"{hildesheim_server}/api/v1/values?indikator=bev_anteil_65plus&format=csv")
    assert "Sozialmonitoring Landkreis Hildesheim" in head


def test_fast_fisher_jenks_equals_mapclassify():
    """The vectorised Fisher-Jenks of large maps gives mapclassify's breaks (ties included)."""
    import warnings

    import mapclassify
    import numpy as np

    from indicators.classify import fisher_jenks_breaks

    rng = np.random.default_rng(3)
    for trial in range(40):
        n, k = int(rng.integers(8, 302)), int(rng.integers(2, 8))
        x = rng.lognormal(3, 1, n) if trial % 2 else rng.normal(20, 5, n).round(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Numba not installed"
            expected = mapclassify.FisherJenks(x, k=k).bins
        assert np.allclose(expected, fisher_jenks_breaks(x, k))
