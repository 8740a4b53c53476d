"""The walk's list of issue #29 in Chromium: the disparities pages' data one click away (the
downloaded CSV's rows are the page's table), the territory map's embed code with sizes, few Tab
stops before the map — at 390 and 1366 px, German and English, axe-clean."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.browser.conftest import axe_violations, describe
from tests.browser.test_embed_sizes import size_chooser

SIZES = [{"width": 390, "height": 844}, {"width": 1366, "height": 900}]
OVERVIEW = "/disparitaeten?von=2016&bis=2024"
DETAIL = "/disparitaeten/armutsgefaehrdung_quote?jahr=2024"
TERRITORY = "/karte?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus"
MAP = "/karte?indikator=armutsgefaehrdung_quote&jahr=2024"


def _download_rows(page, link) -> list[list[str]]:
    """Click a download link; the data rows of the CSV it saves (after the header's blank line)."""
    with page.expect_download() as info:
        link.click()
    body = open(info.value.path(), encoding="utf-8").read()  # noqa: SIM115 (Playwright's file)
    rows = list(csv.reader(io.StringIO(body)))
    blank = rows.index([])
    return rows[blank + 2 :]


def _no_overflow(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_disparity_data_one_click_away(page, live_server, size, lang):
    page.set_viewport_size(size)
    suffix = "&lang=en" if lang == "en" else ""
    page.goto(live_server + OVERVIEW + suffix)
    shown = page.locator("table.ranking tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.indicator)"
    )
    label = "Data (CSV)" if lang == "en" else "Daten (CSV)"
    rows = _download_rows(page, page.get_by_role("link", name=label, exact=True))
    assert [r[2] for r in rows[: len(shown)]] == shown and len(shown) > 5
    # The citation by keyboard: Tab from the last data link reaches "Zitieren", Enter opens it.
    page.get_by_role(
        "link", name="JSON mit Metadaten" if lang == "de" else "JSON with metadata"
    ).focus()
    page.keyboard.press("Tab")
    summary = page.locator("details.cite summary")
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert page.locator("details.cite").get_attribute("open") is not None
    assert "von=2016" in page.locator(".cite-line[data-lang=de]").inner_text()
    assert summary.is_visible()
    _no_overflow(page)
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.goto(live_server + DETAIL + suffix)
    shown = page.locator("table.benchmarks tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.ags)"
    )
    rows = _download_rows(page, page.locator("#zitieren-daten").get_by_role("link", name=label))
    assert [r[1] for r in rows[:-1]] == shown and len(shown) == 21
    years = page.locator("table.spreads tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.year)"
    )
    rows = _download_rows(page, page.locator("#streuung-daten").get_by_role("link", name=label))
    assert [r[0] for r in rows] == years
    _no_overflow(page)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_territory_embed_code_offers_sizes(page, live_server, lang):
    page.goto(live_server + TERRITORY + ("&lang=en" if lang == "en" else ""))
    code = page.locator("#embed-code")
    assert f'src="{live_server}/embed/karte?' in code.input_value()
    assert 'width="100%" height="560"' in code.input_value()
    size = size_chooser(page, "Größe des Rahmens" if lang == "de" else "Frame size")
    # By keyboard: focus the chooser, pick 600 × 400 with the arrow keys.
    size.focus()
    size.select_option("600x400")
    assert 'width="600" height="400"' in code.input_value()
    assert "gebiet=DG" in code.input_value() and "ebene=kreis" in code.input_value()
    violations = axe_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.parametrize(("width", "height"), [(600, 400), (320, 480)])
def test_the_territory_embed_fits_its_frame(page, live_server, width, height):
    """The embed at the frame's size: the map box inside it, the territory inside the map box."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server + TERRITORY.replace("/karte?", "/embed/karte?"))
    page.locator(".leaflet-container").wait_for()
    for _ in range(100):  # the outlines come by fetch (no wait_for_function: the CSP)
        if page.evaluate("() => !!(window.SozmonGebiet && window.SozmonGebiet.ready)"):
            break
        page.wait_for_timeout(100)
    box = page.locator(".leaflet-container").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1
    assert box["height"] >= 100, box
    # The territory's bounds lie inside the map's view (fitted to the frame).
    inside = page.evaluate(
        "() => { const m = window.SozmonGebiet.map; const b = m.getBounds();"
        " return JSON.parse(document.getElementById('gebiet-map').getAttribute('data-bounds'))"
        ".every(c => b.pad(0.02).contains(c)); }"
    )
    assert inside


def _tab_stops_before(page, selector: str, limit: int = 80) -> int:
    """Tab from the top of the page until the focus is inside `selector`; how many presses."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => !!document.activeElement.closest({selector!r})"):
            return n
    return limit + 1


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_few_tab_stops_before_the_map(page, live_server, size, lang):
    page.set_viewport_size(size)
    page.goto(live_server + MAP + ("&lang=en" if lang == "en" else ""))
    page.locator(".karte-map path.leaflet-interactive").first.wait_for()
    assert page.locator("#jahr-regler").is_visible()
    assert page.locator("nav.karte-years").is_hidden()  # one keyboard path to a year
    stops = _tab_stops_before(page, ".karte-map")
    # The skip link and the site's navigation (15, the skip link passes them), the map's form
    # (7 with the benchmark switch of #30), slider and play: the walk's 37 stops were mostly the
    # year links; the change form now follows the map.
    assert stops <= 25, stops
    # The year is still reachable by keyboard: the slider moves it.
    page.locator("#jahr-regler").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(r"jahr=2023"))


# Every SVG text of a page's charts at its drawn size: font size × the SVG's scale on screen.
TEXT_SIZES = """() => [...document.querySelectorAll('main svg text')]
  .filter(t => t.getClientRects().length)
  .map(t => { const m = t.getScreenCTM();
              return [parseFloat(getComputedStyle(t).fontSize) * (m ? m.a : 1), t.textContent]; })"""


@pytest.mark.parametrize(
    "url",
    [
        "/zeitreihe?indikator=bev_insgesamt&kommunen=03241001,03241011",
        "/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024",
        "/streuung",
        "/disparitaeten/armutsgefaehrdung_quote?jahr=2024",
        "/vergleich/03241001/03241011?thema=bevoelkerung",  # one topic's charts on the page
    ],
)
def test_chart_labels_are_at_least_10_px_on_a_phone(page, live_server, url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + url)
    sizes = page.evaluate(TEXT_SIZES)
    assert sizes, "no chart text drawn"
    small = [(round(px, 1), text) for px, text in sizes if px < 10]
    assert small == [], small[:10]
