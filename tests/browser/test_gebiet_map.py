"""Maps of many areas, search → profile, and another home region, in headless Chromium."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from tests.browser.conftest import axe_violations, describe


@pytest.fixture
def gpage(browser, germany_server):
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    urls: list[str] = []
    pg.on("request", lambda req: urls.append(req.url))
    pg.urls = urls
    yield pg
    context.close()


def _drawn(page) -> int:
    page.wait_for_selector("#gebiet-map[data-drawn]", state="attached", timeout=30_000)
    return int(page.get_attribute("#gebiet-map", "data-drawn"))


def _count(app, sql: str) -> int:
    with app.extensions["sozmon_engine"].connect() as c:
        return c.scalar(text(sql))


def test_germany_kreis_map_draws_every_kreis(gpage, germany_server, germany_app):
    gpage.goto(germany_server + "/karte?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus")
    n = _count(germany_app, "SELECT count(*) FROM area WHERE level IN ('kreis', 'region')")
    assert n == 401 and _drawn(gpage) == n
    # The canvas really carries colour: sample its pixels for more than one legend colour.
    colours = gpage.evaluate(
        """() => { const c = document.querySelector('#gebiet-map canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] + ',' + d[i+1] + ',' + d[i+2]);
        return seen.size; }"""
    )
    assert colours >= 5
    assert all(u.startswith(germany_server) for u in gpage.urls if u.startswith("http"))
    violations = axe_violations(gpage)
    assert violations == [], describe(violations)


def test_niedersachsen_gemeinde_map_and_year_change(gpage, germany_server, germany_app):
    gpage.goto(germany_server + "/karte?gebiet=03&ebene=gemeinde&indikator=bev_anteil_u18")
    n = _count(
        germany_app,
        "SELECT count(*) FROM area WHERE ags LIKE '03%' AND level IN ('gemeinde', 'kommune')",
    )
    assert _drawn(gpage) == n
    shapes_requests = [u for u in gpage.urls if "/karte/umrisse" in u]
    assert len(shapes_requests) == 1
    # A year from the list repaints in place: the URL and title change, outlines are not fetched again.
    years = gpage.locator("#gebiet-years a")
    if years.count() > 1:
        target = years.first
        year = target.inner_text()
        target.click()
        gpage.wait_for_url(f"**jahr={year}**")
        for _ in range(50):
            if year in gpage.inner_text("#gebiet-title"):
                break
            time.sleep(0.1)
        assert year in gpage.inner_text("#gebiet-title")
        assert len([u for u in gpage.urls if "/karte/umrisse" in u]) == 1


def test_search_then_profile(gpage, germany_server):
    gpage.goto(germany_server + "/")
    gpage.fill("#gebiet-q", "Stadt Hildesheim")
    gpage.locator(".gebiet-suche-form button").click()
    gpage.wait_for_url("**/suche/gebiet?**")
    gpage.locator(".suche-treffer a", has_text="Hildesheim").nth(1).click()
    gpage.wait_for_url("**/gebiet/03254021")
    assert "Hildesheim" in gpage.inner_text("h1")
    table = gpage.locator("table.gebiet-profil").first.inner_text()
    assert "Niedersachsen" in table and "Deutschland" in table and "Rang im Land" in table
    violations = axe_violations(gpage)
    assert violations == [], describe(violations)


def test_other_home_region_hildesheim(browser, hildesheim_server):
    context = browser.new_context(locale="de-DE")
    pg = context.new_page()
    pg.goto(hildesheim_server + "/")
    assert "Landkreis Hildesheim" in pg.inner_text(".brand")
    pg.goto(hildesheim_server + "/kommunen")
    rows = pg.locator("table tbody tr")
    # Landkreis Hildesheim's 20 Gemeinden (Gebietsstand 2021) are "its Kommunen", plus the Kreis.
    assert rows.count() == 21 and "Alfeld (Leine)" in pg.inner_text("table")
    assert "Garbsen" not in pg.inner_text("table")
    pg.goto(hildesheim_server + "/karte?indikator=bev_anteil_65plus&jahr=2015")
    assert pg.locator("path.leaflet-interactive").count() == 20
    assert "Landkreis Hildesheim" in pg.inner_text(".legend-region")
    pg.goto(hildesheim_server + "/kommune/03254021")
    assert "Hildesheim" in pg.inner_text("h1")
    context.close()
