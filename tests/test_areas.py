"""Any area everywhere (issue #34): one rule for the page an area key opens, search, comparison,
time series, comparison groups and the API for every Gemeinde, Kreis, Land and Germany."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from app.api.openapi import AGS
from app.web.urls import area_url
from tests.conftest import app_on_clone

HANNOVER, REGION, HILDESHEIM, LK_HILDESHEIM = "03241001", "03241", "03254021", "03254"
# One area of each level: a home Kommune, the home Region, a Gemeinde, a Kreis, a Land, the Bund.
AREAS = {
    HANNOVER: "/kommune/",
    REGION: "/kommune/",
    HILDESHEIM: "/gebiet/",
    LK_HILDESHEIM: "/gebiet/",
    "03": "/gebiet/",
    "DG": "/gebiet/",
}


def _shown(app, ags: str, indicator: str, year: int) -> float | None:
    with app.extensions["sozmon_engine"].connect() as c:
        return c.scalar(
            text(
                "SELECT value FROM shown_value WHERE ags = :a AND indicator_id = :i AND year = :y"
            ),
            {"a": ags, "i": indicator, "y": year},
        )


def test_one_rule_for_the_page_of_an_area(app):
    with app.test_request_context("/"):
        for ags, path in AREAS.items():
            assert area_url(ags) == path + ags
        assert area_url(HILDESHEIM, lang="en") == f"/gebiet/{HILDESHEIM}?lang=en"


def _hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"#]+)"', page)]


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _links_to(page: str, ags: str) -> set[str]:
    """The links of a page to the page of one area (either kind of profile)."""
    return {
        h for h in _hrefs(page) if re.fullmatch(rf"(https?://[^/]+)?/(kommune|gebiet)/{ags}", h)
    }


def _page_rule(page: str) -> dict:
    """The territory map's copy of the rule (data-pages), for its clicks on areas."""
    raw = re.search(r'data-pages="([^"]+)"', page).group(1)
    return json.loads(html.unescape(raw))


def _by_page_rule(rule: dict, ags: str) -> str:
    home = rule["home"]
    own = ags == home or (len(ags) == 8 and ags.startswith(home))
    return (rule["kommune"] if own else rule["gebiet"]) + ags


@pytest.mark.parametrize("ags", list(AREAS))
def test_every_link_kind_to_an_area_opens_its_page(germany_client, ags):
    """Search hits and the single-hit redirect, map links (table and the canvas's rule), tables
    (area profiles' parents, the list of Kommunen), comparison, time series and the API's links:
    each leads to the one page of the area (area_url), which answers 200."""
    c = germany_client
    expected = AREAS[ags] + ags
    name = c.get(f"/api/v1/areas/{ags}").get_json()["properties"]["name"]
    found: dict[str, set[str]] = {}
    # search: the start page's search (hits, or the one exact hit's redirect), area search, picker
    r = c.get("/suche", query_string={"q": name})
    found["suche"] = {r.headers["Location"]} if r.status_code == 303 else set()
    if r.status_code == 200:
        found["suche"] = _links_to(r.get_data(as_text=True), ags)
    found["suche/gebiet"] = _links_to(c.get(f"/suche/gebiet?q={ags}").get_data(as_text=True), ags)
    hits = c.get("/suche/gebiet.json", query_string={"q": name}).get_json()["hits"]
    found["picker"] = {h["href"] for h in hits if h["ags"] == ags}
    # maps: the territory map's table rows (a Land's Kreise/Gemeinden, Germany's Länder) and the
    # rule its canvas applies to a click
    level = {8: "gemeinde", 5: "kreis", 2: "land"}.get(len(ags))
    if level:
        territory = "DG" if level == "land" else ags[:2]
        page = c.get(
            f"/karte?gebiet={territory}&ebene={level}&indikator=bev_anteil_65plus&jahr=2015"
        ).get_data(as_text=True)
        found["karte"] = {_by_page_rule(_page_rule(page), ags)}
    if ags.startswith(REGION):
        found["kommunen"] = _links_to(c.get("/kommunen").get_data(as_text=True), ags)
        found["start"] = _links_to(c.get("/").get_data(as_text=True), ags)
    # tables: the area profile of a Gemeinde in it names its Kreis, Land and Germany
    if ags != HILDESHEIM and not ags.startswith(REGION):
        found["gebiet parents"] = _links_to(
            c.get(f"/gebiet/{HILDESHEIM}").get_data(as_text=True), ags
        )
    # comparison and time series
    other = HANNOVER if ags != HANNOVER else HILDESHEIM
    found["vergleich"] = _links_to(c.get(f"/vergleich/{ags}/{other}").get_data(as_text=True), ags)
    ts = c.get(f"/zeitreihe?indikator=bev_anteil_65plus&kommunen={ags}")
    if ags != REGION:  # the Region's line is always there; choosing it adds nothing
        found["zeitreihe"] = _links_to(ts.get_data(as_text=True), ags)
    # the API's links
    found["api values"] = {
        _local(u)
        for u in c.get(f"/api/v1/values?indikator=bev_anteil_65plus&ags={ags}")
        .get_json()["links"]
        .values()
    }
    found["api area"] = {
        _local(u) for u in c.get(f"/api/v1/areas/{ags}").get_json()["links"].values()
    }
    for kind, hrefs in found.items():
        assert {_local(h) for h in hrefs} == {expected}, (kind, hrefs)
    assert c.get(expected).status_code == 200


def test_every_area_link_of_a_map_table_follows_the_rule(germany_client, germany_app):
    page = germany_client.get(
        "/karte?gebiet=03&ebene=gemeinde&indikator=bev_anteil_65plus&jahr=2015"
    ).get_data(as_text=True)
    links = re.findall(r'href="/(kommune|gebiet)/([0-9DG]+)"', page)
    assert len(links) >= 50
    with germany_app.test_request_context("/"):
        for kind, ags in links:
            assert area_url(ags) == f"/{kind}/{ags}"


def test_start_search_finds_any_area_and_goes_to_its_page(germany_client):
    r = germany_client.get("/suche?q=Hildesheim")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/gebiet/{HILDESHEIM}")
    r = germany_client.get("/suche?q=Hildesheim&lang=en")
    assert r.headers["Location"].endswith(f"/gebiet/{HILDESHEIM}?lang=en")
    page = germany_client.get("/suche?q=Hildes").get_data(as_text=True)
    assert f'href="/gebiet/{LK_HILDESHEIM}"' in page and f'href="/gebiet/{HILDESHEIM}"' in page
    # the old way into a profile of an area elsewhere goes on to its page
    r = germany_client.get(f"/kommune/{HILDESHEIM}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/gebiet/{HILDESHEIM}")
    assert germany_client.get("/kommune/99999999").status_code == 404
    # the home areas come first in a picker; it finds areas by key too
    hits = germany_client.get("/suche/gebiet.json?q=Han").get_json()["hits"]
    assert hits[0]["ags"] == HANNOVER and hits[0]["label"] == f"Hannover ({HANNOVER})"
    assert germany_client.get("/suche/gebiet.json?q=03254021").get_json()["hits"][0]["ags"] == (
        HILDESHEIM
    )


def test_the_search_suggestions_do_not_grow_with_germany(client, germany_client):
    """Every page with the search box lists the Region, its Kommunen and the indicators — not
    Germany's Gemeinden (per-request work proportional to what a page shows)."""
    a, b = (
        re.findall(
            r"<option value=", c.get("/").get_data(as_text=True).split("suche-vorschlaege")[1]
        )
        for c in (client, germany_client)
    )
    assert len(a) == len(b) < 400


def test_compare_any_two_areas_with_their_kreise_laender_and_germany(germany_client, germany_app):
    r = germany_client.get(f"/vergleich/{HANNOVER}/{HILDESHEIM}")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    head = page.split('<table class="profile-table compare-table cards">')[1].split("</thead>")[0]
    cols = re.findall(r'<th scope="col" class="num context">([^<]+)</th>', head)
    assert cols == ["Region Hannover", "Hildesheim, Landkreis", "Niedersachsen", "Deutschland"]
    assert "Rang</th>" not in head and "Rang 1 =" not in page  # no common ranking
    assert "Ränge gibt es, wenn beide Gebiete" in page
    # a value of each column, straight from the database
    row = re.search(r'<tr id="row-bev_anteil_65plus".*?</tr>', page, re.S).group(0)
    year = int(re.search(r'<td class="num"[^>]*>(\d{4})</td>', row).group(1))
    for cls, ags in (
        ("value-a", HANNOVER),
        ("value-b", HILDESHEIM),
        ("land", "03"),
        ("bund", "DG"),
    ):
        cell = re.search(rf'<td class="num {cls}[^"]*"[^>]*>([^<]*)', row).group(1)
        assert cell.startswith(
            f"{_shown(germany_app, ags, 'bev_anteil_65plus', year):.1f}".replace(".", ",")
        ), cls
    # the charts draw A and B with the nearest area both lie in: Niedersachsen
    assert "Niedersachsen</li>" in page.split('<ul class="legend">')[1].split("</ul>")[0]
    # the pickers take names; the CSV has the same columns
    r = germany_client.get("/vergleich?a=Hannover&b=Hildesheim")
    assert r.headers["Location"].endswith(f"/vergleich/{HANNOVER}/{HILDESHEIM}")
    csv = germany_client.get(f"/vergleich/{HANNOVER}/{HILDESHEIM}?format=csv").get_data(
        as_text=True
    )
    assert (
        'Region Hannover,"Hildesheim, Landkreis",Niedersachsen,Deutschland'
        in csv.splitlines()[
            next(i for i, ln in enumerate(csv.splitlines()) if ln.startswith("Thema"))
        ]
    )
    # two Kreise are ranked among the Kreise, two Länder among the Länder
    assert "unter den Kreisen" in germany_client.get(
        f"/vergleich/{REGION}/{LK_HILDESHEIM}"
    ).get_data(as_text=True)
    assert "unter den Ländern" in germany_client.get("/vergleich/03/05").get_data(as_text=True)
    assert germany_client.get("/vergleich/03/DG").status_code == 200


@pytest.mark.parametrize(
    ("query", "message", "choice"),
    [
        ("a=Hannover&b=Neustadt", "bitte eines dieser Gebiete", "/vergleich/03241001/"),
        ("a=Hannover&b=Qqxxzz", "kein Gebiet dieses Namens", None),
        ("a=Hannover&b=Hannover", "zwei verschiedene", None),
    ],
)
def test_compare_form_explains_what_names_no_single_area(germany_client, query, message, choice):
    r = germany_client.get("/vergleich?" + query)
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 400 and message in page
    assert 'aria-invalid="true"' in page
    if choice:
        assert choice in page


def test_time_series_of_any_areas(germany_client, germany_app):
    url = f"/zeitreihe?indikator=bev_anteil_65plus&kommunen={HANNOVER},{HILDESHEIM},03,DG"
    page = germany_client.get(url).get_data(as_text=True)
    heads = re.findall(r'<th scope="col" class="num" data-ags="([^"]+)">', page)
    assert heads == [REGION, HANNOVER, HILDESHEIM, "03", "DG"]
    row = re.search(r'<tr data-year="2015".*?</tr>', page, re.S).group(0)
    tds = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert tds[2].startswith(
        f"{_shown(germany_app, HILDESHEIM, 'bev_anteil_65plus', 2015):.1f}".replace(".", ",")
    )
    # every line its own look: no two legend entries alike
    legend = page.split('<ul class="legend">')[1].split("</ul>")[0]
    styles = re.findall(
        r'stroke="([^"]+)" stroke-width="3"(?: stroke-dasharray="([^"]+)")?', legend
    )
    assert len(styles) == 5 == len(set(styles))
    # the chosen areas elsewhere stay ticked in the form
    assert f'value="{HILDESHEIM}" checked' in page and 'value="DG" checked' in page
    # the picker adds one by name (the permalink), and explains a name of several areas
    r = germany_client.get(
        f"/zeitreihe?indikator=bev_anteil_65plus&kommunen={HANNOVER}&dazu=Hildesheim"
    )
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"kommunen={HANNOVER},{HILDESHEIM}")
    r = germany_client.get(
        f"/zeitreihe?indikator=bev_anteil_65plus&kommunen={HANNOVER}&dazu=Neustadt"
    )
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 400 and "bitte eines dieser Gebiete" in page
    assert f"kommunen={HANNOVER}," in page
    assert germany_client.get("/zeitreihe?kommunen=99").status_code == 400


def test_api_reads_every_level(germany_client):
    body = germany_client.get(
        "/api/v1/values?indikator=bev_insgesamt&jahr=2015&ags=03,DG"
    ).get_json()
    assert [(r["ags"], r["name"]) for r in body["data"]] == [
        ("03", "Niedersachsen"),
        ("DG", "Deutschland"),
    ]
    assert all(r["value"] > 7_000_000 for r in body["data"])
    assert set(body["links"]) == {"03", "DG"}
    for path in (
        "/api/v1/trends?indikator=bev_anteil_65plus&ags=03,DG",
        "/api/v1/intervals?indikator=bev_anteil_65plus&jahr=2015&ags=03,DG," + HILDESHEIM,
        "/api/v1/change?indikator=bev_insgesamt&von=2012&bis=2015&ags=03,DG," + HANNOVER,
    ):
        r = germany_client.get(path)
        assert r.status_code == 200, (path, r.get_data(as_text=True)[:300])
        keys = [x["ags"] for x in r.get_json()["data"]]
        assert {"03", "DG"} <= set(keys), path
    change = germany_client.get(
        f"/api/v1/change?indikator=bev_insgesamt&von=2012&bis=2015&ags=03,{HANNOVER}"
    ).get_json()["data"]
    assert change[0]["rank"] is None and isinstance(change[1]["rank"], int)  # Kommunen only
    assert change[0]["change"] == pytest.approx(
        (change[0]["value_bis"] - change[0]["value_von"]) / change[0]["value_von"] * 100
    )
    assert germany_client.get("/api/v1/areas/DG").get_json()["properties"]["level"] == "bund"
    r = germany_client.get("/api/v1/values?ags=04x")
    assert r.status_code == 400 and r.get_json()["parameter"] == "ags"
    r = germany_client.get("/api/v1/values?ags=99")
    assert r.status_code == 404 and r.get_json()["unknown"] == ["99"]
    assert re.fullmatch(AGS, "DG") and re.fullmatch(AGS, "03") and not re.fullmatch(AGS, "031")


def test_a_comparison_group_of_a_kreis_or_land_is_refused_with_the_reason(germany_client):
    for ags, why in (
        (LK_HILDESHEIM, "ist ein Kreis, ein Land oder Deutschland"),
        ("03", "ist ein Kreis, ein Land oder Deutschland"),
        # the fixture has some of the Gemeinden's real values only
        (HILDESHEIM, "fehlen amtliche Werte (Bevölkerungsdichte"),
        ("99999999", "keine Kommune mit ähnlichen Kommunen"),
    ):
        for url in (
            f"/karte?indikator=bev_anteil_65plus&gruppe={ags}",
            f"/streuung?gruppe={ags}",
        ):
            r = germany_client.get(url)
            page = html.unescape(r.get_data(as_text=True))
            assert r.status_code == 400, url
            assert why in page and "gruppe=03241001" in page, url


@pytest.fixture
def germany_fresh(germany_template):
    yield from app_on_clone(germany_template)


def test_a_gemeinde_elsewhere_names_the_kommunen_most_like_it(germany_fresh):
    """Give Hildesheim Lehrte's structure: Lehrte is the first of its group, Hildesheim no member."""
    with germany_fresh.extensions["sozmon_engine"].begin() as c:
        ids = ["bev_dichte", "bev_anteil_u18", "bev_anteil_65plus", "efh_anteil", "svb_quote"]
        c.execute(
            text("DELETE FROM value WHERE ags = :h AND indicator_id = ANY(:i)"),
            {"h": HILDESHEIM, "i": ids},
        )
        c.execute(
            text(
                "INSERT INTO value SELECT release_id, indicator_id, :h, year, value, numerator,"
                " denominator, suppressed, flag FROM value WHERE ags = '03241011'"
                " AND indicator_id = ANY(:i)"
                " AND release_id IN (SELECT id FROM release WHERE NOT synthetic)"
            ),
            {"h": HILDESHEIM, "i": ids},
        )
    client = germany_fresh.test_client()
    page = client.get(f"/karte?indikator=bev_anteil_65plus&gruppe={HILDESHEIM}").get_data(
        as_text=True
    )
    line = page.split('class="karte-gruppe-line"')[1].split("</p>")[0]
    assert "die 5 Kommunen, die Hildesheim am ähnlichsten sind" in line
    assert "(Lehrte, " in line
    rows = re.findall(r'<tr class="in-gruppe"', page)
    assert len(rows) == 5
    assert f'<option value="{HILDESHEIM}" selected>' in page
    # the scatter's group is the same five Kommunen
    r = client.get(f"/streuung?gruppe={HILDESHEIM}")
    assert r.status_code == 303 and "03241011" in r.headers["Location"]
    assert HILDESHEIM not in r.headers["Location"]
