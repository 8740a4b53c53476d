"""Time on the map in Chromium: year slider (keyboard, play), fixed classes, change map, small maps."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations, describe
from tests.browser.families import DESKTOP, OVERFLOW_JS, PHONE

MAP = "/karte?indikator=armutsgefaehrdung_quote&jahr=2024"
AREAS = "path.leaflet-interactive"


def _fills(page) -> list[str]:
    return page.locator(AREAS).evaluate_all("els => els.map(e => e.getAttribute('fill'))")


def _drawn_vs_table(page) -> tuple[dict, dict]:
    table = dict(
        page.locator(".karte-table tbody tr").evaluate_all(
            "rows => rows.map(r => [r.cells[1].innerText.trim(), r.querySelector('.swatch').dataset.color])"
        )
    )
    drawn = dict(
        page.locator(AREAS).evaluate_all(
            "els => els.map(e => [e.getAttribute('aria-label').split(':')[0], e.getAttribute('fill')])"
        )
    )
    return drawn, table


def _legend(page) -> set[str]:
    return set(
        page.locator(".legend-list .swatch").evaluate_all("els => els.map(e => e.dataset.color)")
    )


def test_slider_by_keyboard_changes_year_url_title_colours_and_table(page, live_server):
    page.goto(live_server + MAP)
    slider = page.locator("#jahr-regler")
    # One keyboard path to a year: the links (the way without JavaScript) are hidden.
    assert slider.is_visible() and page.locator(".karte-years").is_hidden()
    before = _fills(page)
    slider.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(r"jahr=2023"))
    page.wait_for_function(
        "() => document.querySelector('.karte-table h2').textContent.includes('2023')"
    )
    assert "indikator=armutsgefaehrdung_quote" in page.url
    assert "2023" in page.title() and "2023" in page.locator("h1").inner_text()
    assert slider.get_attribute("aria-valuetext") == "2023"
    assert _fills(page) != before and set(_fills(page)) <= _legend(page)
    drawn, table = _drawn_vs_table(page)
    assert len(table) == 21 and drawn == table  # map and table show the same year
    assert "jahr=2023" in page.locator("#embed-code").input_value()
    assert page.locator(".karte-years a[aria-current]").text_content() == "2023"
    assert "2023" in page.locator(".karte-info").inner_text()
    # Home goes to the first year; the page still has one Beispieldaten banner.
    page.keyboard.press("Home")
    page.wait_for_function(
        "() => document.querySelector('.karte-table h2').textContent.match(/20[01]\\d/)"
    )
    assert page.locator(".demo-note").count() == 1
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


def test_play_steps_through_the_years_and_pauses(page, live_server):
    page.goto(live_server + "/karte?indikator=armutsgefaehrdung_quote&jahr=2022")
    play = page.locator("#jahr-play")
    assert play.inner_text() == "Abspielen"
    play.click()
    assert play.inner_text() == "Anhalten"
    page.wait_for_url(re.compile(r"jahr=2023"))
    page.wait_for_url(re.compile(r"jahr=2024"))
    # At the last year playing stops by itself.
    page.wait_for_function("() => document.querySelector('#jahr-play').textContent === 'Abspielen'")
    assert "2024" in page.locator("h1").inner_text()
    # Pause: playing again from the end starts at the first year; pause stops it.
    play.click()
    page.wait_for_function(
        "() => document.querySelector('.karte-table h2').textContent.match(/20[01]\\d/)"
    )
    play.click()
    assert play.inner_text() == "Abspielen"
    drawn, table = _drawn_vs_table(page)
    assert drawn == table


def test_play_is_slow_with_reduced_motion(browser, live_server):
    context = browser.new_context(locale="de-DE", reduced_motion="reduce")
    page = context.new_page()
    page.goto(live_server + MAP)
    assert int(page.locator(".karte-zeit").get_attribute("data-delay")) >= 1500
    context.close()


def test_fixed_classes_keep_the_legend_over_the_years(page, live_server):
    page.goto(live_server + MAP + "&feste=1")
    assert page.locator("#feste").is_checked()
    legend = page.locator(".legend-list").inner_text()
    assert "feste Klassen über alle Jahre" in page.locator(".legend-method").inner_text()
    page.locator("#jahr-regler").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(r"jahr=2023"))
    page.wait_for_function(
        "() => document.querySelector('.karte-table h2').textContent.includes('2023')"
    )
    assert "feste=1" in page.url
    bounds = lambda t: re.sub(r"\(\d+ Kommunen?\)", "", t)  # noqa: E731 (counts may move)
    assert bounds(page.locator(".legend-list").inner_text()) == bounds(legend)


def test_embed_slider_keeps_the_frame_state(page, live_server):
    page.goto(live_server + "/embed/karte?indikator=armutsgefaehrdung_quote&jahr=2024")
    page.locator("#jahr-regler").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(r"jahr=2023"))
    page.wait_for_function(
        "() => document.querySelector('.embed-source a[href*=\"/karte?\"]').href.includes('jahr=2023')"
    )
    assert "2023" in page.locator("h1").inner_text()
    assert set(_fills(page)) <= _legend(page)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(
    "path",
    [
        "/karte?indikator=armutsgefaehrdung_quote&von=2016&bis=2024",
        "/karte/jahre?indikator=bev_geburtenrate",
        "/karte/jahre?indikator=bev_geburtenrate&gruppe=03241011",  # a comparison group
    ],
)
def test_change_map_and_small_multiples_are_accessible(page, live_server, path, size):
    page.set_viewport_size(size)
    page.goto(live_server + path)
    ov = page.evaluate(OVERFLOW_JS)
    assert ov["scrollWidth"] <= ov["innerWidth"], ov
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


def test_change_map_colours_match_table_and_legend(page, live_server):
    page.goto(live_server + "/karte?indikator=armutsgefaehrdung_quote&von=2016&bis=2024")
    assert page.locator(AREAS).count() == 21
    assert set(_fills(page)) <= _legend(page)
    drawn, table = _drawn_vs_table(page)
    assert drawn == table
    assert "Veränderung 2016–2024" in page.locator("h1").inner_text()
    # The form on a year's map leads to the change map.
    page.goto(live_server + MAP)
    page.select_option("#von", "2016")
    page.get_by_role("button", name="Veränderung zeigen").click()
    page.wait_for_url(re.compile(r"von=2016&bis=2024"))
    page.get_by_role("link", name="Alle Jahre als kleine Karten").click()
    page.wait_for_url(re.compile(r"/karte/jahre"))
    assert page.locator("svg.bericht-karte").count() >= 2
