"""The map in headless Chromium: areas in legend colours, controls, keyboard, embed, no third parties."""

import re
import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import axe_violations, describe

MAP = "/karte?indikator=armutsgefaehrdung_quote&jahr=2024"
AREAS = "path.leaflet-interactive"


def _fills(page_or_frame) -> list[str]:
    return page_or_frame.locator(AREAS).evaluate_all("els => els.map(e => e.getAttribute('fill'))")


def _legend_colors(page_or_frame) -> set[str]:
    return set(
        page_or_frame.locator(".legend-list .swatch").evaluate_all(
            "els => els.map(e => e.dataset.color)"
        )
    )


def test_map_draws_21_areas_in_legend_colours(page, live_server):
    page.goto(live_server + MAP)
    areas = page.locator(AREAS)
    assert areas.count() == 21
    fills = _fills(page)
    assert set(fills) <= _legend_colors(page)
    assert len(set(fills)) >= 3  # a choropleth, not one colour
    # Each area's colour is the one shown beside its value in the table.
    table = dict(
        page.locator("tbody tr").evaluate_all(
            "rows => rows.map(r => [r.cells[1].innerText.trim(), r.querySelector('.swatch').dataset.color])"
        )
    )
    drawn = dict(
        areas.evaluate_all(
            "els => els.map(e => [e.getAttribute('aria-label').split(':')[0], e.getAttribute('fill')])"
        )
    )
    assert len(table) == 21 and drawn == table
    # The Kommunen's names are drawn by the app (no tiles needed).
    labels = page.locator(".kommune-label").all_inner_texts()
    assert len(labels) == 21 and "Hannover" in labels and "Neustadt a. Rbge." in labels
    assert "Region Hannover" in page.locator(".legend-region").inner_text()
    assert "keine Daten" not in page.locator(".legend-list").inner_text()  # all 21 have values
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


def test_year_and_indicator_change_keep_the_state(page, live_server):
    page.goto(live_server + MAP + "&klassen=jenks")
    legend_before = page.locator(".legend-list").inner_text()
    # The year slider (the year links are the way without JavaScript, hidden with it).
    years = page.locator(".karte-zeit").get_attribute("data-years").split(",")
    page.locator("#jahr-regler").evaluate(
        "(e, i) => { e.value = i; e.dispatchEvent(new Event('input', {bubbles: true})); }",
        str(years.index("2014")),
    )
    page.wait_for_url(re.compile(r"jahr=2014"))
    assert "indikator=armutsgefaehrdung_quote" in page.url and "klassen=jenks" in page.url
    assert "2014" in page.locator("h1").inner_text()
    assert page.locator(AREAS).count() == 21
    assert page.locator(".legend-list").inner_text() != legend_before  # new year, new classes

    page.select_option("#indikator", "kaufkraft_ew")
    page.get_by_role("button", name="Karte anzeigen").click()
    page.wait_for_url(re.compile(r"indikator=kaufkraft_ew"))
    assert "jahr=2014" in page.url  # the year is kept where the new indicator has it
    assert "Kaufkraft" in page.locator("h1").inner_text()
    assert page.locator(AREAS).count() == 21
    assert set(_fills(page)) <= _legend_colors(page)
    assert page.request_log.foreign() == []


def test_year_falls_back_when_new_indicator_lacks_it(page, live_server):
    page.goto(live_server + MAP.replace("2024", "2015"))
    page.select_option("#indikator", "bev_zensus22")
    page.get_by_role("button", name="Karte anzeigen").click()
    page.wait_for_url(re.compile(r"indikator=bev_zensus22"))
    assert "2022" in page.locator("h1").inner_text()
    assert page.locator(AREAS).count() == 21


def test_keyboard_focus_shows_name_and_value_and_enter_opens_profile(page, live_server):
    page.goto(live_server + MAP)
    hannover = page.locator(AREAS + '[data-ags="03241001"]')
    # One tab stop for the map (the first Kommune by name); arrow keys reach the others.
    assert page.locator(AREAS + '[tabindex="0"]').count() == 1
    assert hannover.get_attribute("tabindex") == "-1"
    assert hannover.get_attribute("aria-label").startswith("Hannover: ")
    hannover.focus()
    tip = page.locator(".karte-tooltip", has_text="Hannover")
    # value and its 95 % interval (Wilson: SGB II has numerator and denominator)
    assert re.fullmatch(
        r"Hannover: \d+,\d % \(95-%-Intervall \d+,\d – \d+,\d %\)( – Beispieldaten)?",
        tip.inner_text(),
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/kommune/03241001$"))


def test_hover_and_click_opens_the_kommune_profile(page, live_server):
    page.goto(live_server + MAP)
    area = page.locator(AREAS + '[data-ags="03241011"]')  # Lehrte
    area.hover()
    assert re.fullmatch(
        r"Lehrte: \d+,\d % \(95-%-Intervall \d+,\d – \d+,\d %\)( – Beispieldaten)?",
        page.locator(".karte-tooltip", has_text="Lehrte").inner_text(),
    )
    area.click()
    page.wait_for_url(re.compile(r"/kommune/03241011$"))
    assert "Lehrte" in page.locator("h1").inner_text()


def test_table_sorts_by_name_and_value(page, live_server):
    page.goto(live_server + MAP)
    ranks = page.locator("tbody tr td:first-child").all_inner_texts()
    assert ranks[0] == "1"
    page.get_by_role("button", name="Kommune").click()
    names = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert names == sorted(names, key=str.casefold) and names[0] == "Barsinghausen"
    assert page.locator("th[aria-sort]").get_attribute("aria-sort") == "ascending"
    page.get_by_role("button", name="Wert").click()
    values = page.locator("tbody tr td:nth-child(3)").evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.sort))"
    )
    assert values == sorted(values)


@pytest.fixture
def other_site(live_server):
    """A second origin (another port) serving a test page that frames the app's pages."""
    holder = {}

    def wsgi(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [holder["html"].encode()]

    server = make_server("127.0.0.1", 0, wsgi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_port}"
    holder["html"] = (
        "<!doctype html><html lang='de'><head><title>Eine andere Website</title></head><body>"
        f"<iframe id='ok' title='Karte' src='{live_server}/embed/karte?indikator=armutsgefaehrdung_quote'"
        " width='700' height='560'></iframe>"
        f"<iframe id='refused' title='Seite' src='{live_server}/karte' width='300' height='200'>"
        "</iframe></body></html>"
    )
    yield origin
    server.shutdown()


def test_embed_works_inside_an_iframe_of_another_site(page, live_server, other_site):
    page.goto(live_server + "/embed/karte?indikator=armutsgefaehrdung_quote&jahr=2024")
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.goto(other_site + "/test.html", wait_until="load")
    frame = page.frame_locator("#ok")
    assert frame.locator(AREAS).count() == 21
    assert set(_fills(frame)) <= _legend_colors(frame)
    assert frame.locator(".kommune-label").count() == 21
    assert "Vollständige Ansicht" in frame.locator(".embed-source").inner_text()
    # The map page itself refuses framing (CSP frame-ancestors 'none', X-Frame-Options DENY).
    refused = page.locator("#refused").element_handle().content_frame()
    assert refused.url.startswith("chrome-error:")
    # Besides the embedding test page itself, only the app was contacted.
    assert [u for u in page.request_log.foreign() if not u.startswith(other_site)] == []
