"""The benchmark switch in Chromium: keyboard only, on a phone and a desktop, both languages."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations, describe
from tests.browser.families import DESKTOP, PHONE

GARBSEN = "03241005"


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_profile_switch_by_keyboard_keeps_the_choice(page, live_server, size, lang):
    page.set_viewport_size(size)
    page.goto(f"{live_server}/kommune/{GARBSEN}" + ("?lang=en" if lang == "en" else ""))
    region = page.locator("#vergleich-mit input[value=region]")
    region.focus()
    page.keyboard.press("ArrowDown")  # the radio group: arrows move the choice
    assert page.locator("#vergleich-mit input[value=land]").is_checked()
    page.keyboard.press("Enter")  # submits the GET form
    page.wait_for_url(re.compile(r"vergleich_mit=land"))
    heading = "Vergleich mit Niedersachsen" if lang == "de" else "Comparison with Niedersachsen"
    assert page.locator("th.col-bench").first.inner_text().strip() == heading
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator(".findings-list li").count() > 0
    # the period form carries the choice on
    assert (
        page.locator("form.inline-form input[name=vergleich_mit]").first.get_attribute("value")
        == "land"
    )
    found = axe_violations(page)
    assert not found, describe(found)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
def test_map_select_by_keyboard(page, live_server, size):
    page.set_viewport_size(size)
    page.goto(f"{live_server}/karte?indikator=svb_quote&jahr=2015&farben=vergleich")
    page.locator("#vergleich_mit").focus()
    page.keyboard.press("ArrowDown")  # region → land
    assert page.locator("#vergleich_mit").input_value() == "land"
    page.keyboard.press("Tab")  # the next control is the form's button
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"vergleich_mit=land"))
    assert "Niedersachsen" in page.locator(".karte-findings").inner_text()
    for a in page.locator(".karte-years a").all():
        assert "vergleich_mit=land" in a.get_attribute("href")
    found = axe_violations(page)
    assert not found, describe(found)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
@pytest.mark.parametrize(
    "path",
    ["/rangfolge?indikator=svb_quote&jahr=2015", f"/vergleich/03241001/{GARBSEN}"],
    ids=["rangfolge", "vergleich"],
)
def test_ranking_and_comparison_select_by_keyboard(page, live_server, size, path):
    page.set_viewport_size(size)
    page.goto(f"{live_server}{path}")
    page.locator("#vergleich_mit").focus()
    page.keyboard.press("ArrowDown")  # region → land
    assert page.locator("#vergleich_mit").input_value() == "land"
    page.keyboard.press("Tab")  # the next control is the form's button
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"vergleich_mit=land"))
    assert page.locator("#vergleich_mit").input_value() == "land"
    assert page.locator("th", has_text="Vergleich mit Niedersachsen").count() > 0
    found = axe_violations(page)
    assert not found, describe(found)
