"""The map with a comparison group (?gruppe=) in Chromium: outlines, dimmed others, slider, axe."""

from __future__ import annotations

import re

from tests.browser.conftest import axe_violations, describe
from tests.browser.families import LEHRTE

MAP = f"/karte?indikator=armutsgefaehrdung_quote&jahr=2024&gruppe={LEHRTE}"
AREAS = "path.leaflet-interactive"

STYLE_JS = """els => els.map(e => ({
  ags: e.getAttribute('data-ags'), group: e.classList.contains('karte-gruppe'),
  stroke: e.getAttribute('stroke'), width: e.getAttribute('stroke-width'),
  opacity: e.getAttribute('fill-opacity')}))"""


def _styles(page) -> list[dict]:
    return page.locator(AREAS).evaluate_all(STYLE_JS)


def _check_outlines(styles: list[dict]) -> None:
    members = [s for s in styles if s["group"]]
    others = [s for s in styles if not s["group"]]
    assert len(members) == 6 and len(others) == 15
    assert LEHRTE in {s["ags"] for s in members}
    assert all(s["stroke"] == "#000000" and s["width"] == "3.5" for s in members)
    assert all(s["opacity"] == "1" for s in members)
    assert all(s["width"] == "1" and s["opacity"] == "0.35" for s in others)


def test_group_is_outlined_kept_by_the_slider_and_axe_clean(page, live_server):
    page.goto(live_server + MAP)
    assert page.locator(AREAS).count() == 21
    _check_outlines(_styles(page))
    line = page.locator(".karte-gruppe-line").inner_text()
    assert "Lehrte und ihre 5 ähnlichsten Kommunen" in line
    assert page.locator(".karte-table tr.in-gruppe").count() == 6
    # The focused member's name says it is in the group (the map's text alternative).
    labels = page.locator("path.karte-gruppe").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert all("(Vergleichsgruppe)" in a for a in labels)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []
    # Another year by the slider: new colours, the same group outlined, the URL keeps it.
    slider = page.locator("#jahr-regler")
    slider.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(r"jahr=2023"))
    page.wait_for_function(
        "() => document.querySelector('.karte-table h2').textContent.includes('2023')"
    )
    assert f"gruppe={LEHRTE}" in page.url
    _check_outlines(_styles(page))
    assert page.locator(".karte-table tr.in-gruppe").count() == 6
    assert f"gruppe={LEHRTE}" in page.locator("#embed-code").input_value()
    # The select (a GET form without script) removes the group.
    page.select_option("#gruppe", "")
    page.locator("#karte-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert f"gruppe={LEHRTE}" not in page.url  # the form sends an empty gruppe=
    assert page.locator("path.karte-gruppe").count() == 0
    assert page.locator(".karte-gruppe-line").count() == 0
