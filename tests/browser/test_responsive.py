"""Every page family at 390×844 and 1366×900: no overflow, axe clean; English complete; embed, PDF."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.browser.conftest import axe_violations, describe
from tests.browser.families import (
    DESKTOP,
    FAMILIES,
    GARBSEN,
    LEHRTE,
    OVERFLOW_JS,
    PHONE,
    TEXTS_JS,
    german_ui_strings,
)

SIZES = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(autouse=True)
def _patient(page):
    """Large pages (the profiles, one topic's charts); on a machine shared by others give it time."""
    page.set_default_timeout(90_000)


# One page load per family, checked at both widths: first the phone, then the same page resized
# to the desktop (the browser fires `resize`; the page's own handlers, e.g. tables.js's scroll
# cues and Leaflet's map size, run before the next frames). Each width is its own page state:
# the layout and what is visible differ, so axe runs at each. A load per width cost a second
# server render and page load per family (the profiles' pages are large).
FITS_JS = (
    """() => {
  const fit = ("""
    + OVERFLOW_JS
    + """)();
  // Every region that scrolls sideways can be reached with the keyboard and has a name.
  fit.unnamedScrollers = Array.from(document.querySelectorAll('.table-scroll')).filter(d =>
      d.scrollWidth > d.clientWidth && (d.tabIndex < 0 ||
      !(d.getAttribute('aria-label') || d.getAttribute('aria-labelledby'))))
    .map(d => d.outerHTML.slice(0, 80));
  return fit;
}"""
)

# Two frames after a resize: the resize event and the handlers it schedules for the next frame.
FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))"


@pytest.mark.parametrize("family", list(FAMILIES))
def test_page_fits_the_screen_and_has_no_axe_violations(page, live_server, family):
    page.set_viewport_size(SIZES["phone"])
    page.goto(live_server + FAMILIES[family])
    page.wait_for_load_state("load")
    for size in SIZES:  # phone first: the page was loaded at that width
        if size != "phone":
            page.set_viewport_size(SIZES[size])
            page.evaluate(FRAMES_JS)
        fit = page.evaluate(FITS_JS)
        assert fit["innerWidth"] == SIZES[size]["width"], (size, fit)
        assert fit["scrollWidth"] <= fit["innerWidth"], (size, fit)
        assert fit["unnamedScrollers"] == [], (size, fit)
        violations = axe_violations(page)
        assert violations == [], (size, describe(violations))
    assert page.request_log.foreign() == []


@pytest.fixture(scope="module")
def german_strings(app) -> list[str]:
    """The German UI strings; place names from the data are not UI strings."""
    with app.extensions["sozmon_engine"].connect() as conn:
        names = set(conn.scalars(text("SELECT name FROM area")))
    return german_ui_strings(names)


@pytest.fixture(scope="module")
def german_pattern(german_strings) -> re.Pattern[str]:
    """One pattern for all German strings, compiled once per module (it was once per family): a
    pattern per string and text node overflowed re's cache (thousands of strings) and took
    minutes on a long page."""
    longest_first = sorted(german_strings, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, longest_first)) + r")(?!\w)")


@pytest.mark.parametrize("family", list(FAMILIES))
def test_english_pages_have_no_german_ui_strings(page, live_server, family, german_pattern):
    url = FAMILIES[family]
    page.goto(live_server + url + ("&" if "?" in url else "?") + "lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    # lang is right on every element: only de and en occur, German text is marked as such.
    langs = set(page.eval_on_selector_all("[lang]", "els => els.map(e => e.getAttribute('lang'))"))
    assert langs <= {"de", "en"}
    if "embed" not in family:  # embeds have no navigation
        assert page.locator("a[hreflang=de]").get_attribute("lang") == "de"
    pattern = german_pattern
    found = {
        (m.group(0), string[:80])
        for lang, string in page.evaluate(TEXTS_JS)
        if lang == "en"
        for m in pattern.finditer(string)
    }
    assert not found, sorted(found)[:10]


def test_embed_shows_all_kommunen_legend_and_source_at_320_by_480(page, live_server):
    page.set_viewport_size({"width": 320, "height": 480})
    page.goto(live_server + FAMILIES["embed"])
    page.wait_for_timeout(300)  # karte.js fits the Region after folium's first fit
    box = page.evaluate(
        """() => {
      const r = e => { const b = e.getBoundingClientRect(); return {l: b.left, t: b.top, r: b.right, b: b.bottom}; };
      const map = r(document.querySelector('.karte-map'));
      const bar = r(document.querySelector('.leaflet-control-attribution'));
      const areas = Array.from(document.querySelectorAll('path[data-ags]')).map(r);
      return {map, bar, areas, legend: r(document.querySelector('.karte-legend')),
              source: r(document.querySelector('.embed-source')),
              width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight};
    }"""
    )
    assert len(box["areas"]) == 21
    m = box["map"]
    for a in box["areas"]:  # every Kommune inside the map, above the attribution bar
        assert a["l"] >= m["l"] - 1 and a["r"] <= m["r"] + 1 and a["t"] >= m["t"] - 1, a
        assert a["b"] <= box["bar"]["t"] + 1, (a, box["bar"])
    # Issue #29: the map keeps at least 55 % of the frame (it had 150 px); the map is inside
    # the frame, and what does not fit below it (legend, source) scrolls, never overlapping.
    assert box["map"]["b"] - box["map"]["t"] >= 0.55 * 480 - 1 and m["b"] <= 480
    legend, source = box["legend"], box["source"]
    assert legend["t"] >= m["b"] - 1 and source["t"] >= legend["b"] - 1  # no overlap
    assert box["width"] <= 320
    assert page.locator(".legend-list li").count() >= 3
    assert page.locator(".embed-source").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_profile_pdf_fits_a4(page, live_server):
    """The print layout at the width of A4 minus the page margins: no column is cut."""
    page.goto(live_server + FAMILIES["profil"])
    page.emulate_media(media="print")
    # A4 (210 mm) minus 2 × 12 mm margins (print stylesheet) = 186 mm = 703 CSS px.
    page.set_viewport_size({"width": 703, "height": 1000})
    fit = page.evaluate(
        """() => { const w = document.documentElement.clientWidth;
      const cells = Array.from(document.querySelectorAll('table th, table td'))
        .filter(c => c.getClientRects().length);
      return {w, scroll: document.documentElement.scrollWidth, cells: cells.length,
              cut: cells.filter(c => c.getBoundingClientRect().right > w + 0.5
                                   || c.scrollWidth > c.clientWidth + 1).map(c => c.innerText.slice(0, 30))}; }"""
    )
    assert fit["cells"] > 500 and fit["scroll"] <= fit["w"] and fit["cut"] == [], fit["cut"][:5]
    headers = page.locator(".profile-table thead th").all_inner_texts()
    assert any("Rang" in h for h in headers) and any("Veränderung" in h for h in headers)
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    # A4 portrait in points (595.28 × 841.89; Chromium rounds to its own units).
    sizes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf))
    assert sizes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in sizes)


@pytest.mark.parametrize(
    "path",
    [
        FAMILIES["zeitreihe"],
        FAMILIES["vergleich-diagramme"],
        FAMILIES["disparitaet"],
        "/zeitreihe?indikator=bev_zensus22",
    ],
)
def test_chart_text_is_at_least_11_px_on_a_phone(page, live_server, path):
    page.set_viewport_size(PHONE)
    page.goto(live_server + path)
    sizes = page.evaluate(
        """() => Array.from(document.querySelectorAll('svg.chart text'))
          .filter(t => t.getClientRects().length)
          .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
    )
    assert sizes and min(sizes) >= 11, min(sizes or [0])
    widths = page.evaluate(
        "() => Array.from(document.querySelectorAll('svg.chart')).filter(s => s.getClientRects().length)"
        ".map(s => [s.getBoundingClientRect().width, s.parentElement.getBoundingClientRect().width])"
    )
    assert all(abs(w - parent) < 2 for w, parent in widths)  # the chart fills its container


def test_single_year_chart_shows_its_points(page, live_server):
    page.goto(live_server + "/zeitreihe?indikator=bev_zensus22&kommunen=" + LEHRTE)
    assert page.locator(".chart-wide svg.chart circle").count() == 2  # Region and Lehrte


def test_desktop_chart_scales_with_its_container(page, live_server):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server + FAMILIES["zeitreihe"])
    width = page.locator(".chart-wide svg.chart").bounding_box()["width"]
    assert width > 720  # no longer a fixed 720 px


def test_form_controls_are_touch_sized_with_16px_text(page, live_server):
    page.set_viewport_size(PHONE)
    for path in (
        FAMILIES["karte"],
        FAMILIES["profil"],
        FAMILIES["zeitreihe"],
        FAMILIES["disparitaeten"],
        FAMILIES["kommunen"],
        FAMILIES["start"],
    ):
        page.goto(live_server + path)
        small = page.evaluate(
            """() => Array.from(document.querySelectorAll('main select, main button, main input, main label'))
              .filter(e => e.getClientRects().length && e.type !== 'hidden')
              .filter(e => e.tagName !== 'LABEL' || e.querySelector('input'))
              .filter(e => e.getBoundingClientRect().height < 44 - 0.5
                           || parseFloat(getComputedStyle(e).fontSize) < 16)
              .filter(e => !(e.type === 'checkbox' || e.type === 'radio'))
              .map(e => e.outerHTML.slice(0, 60))"""
        )
        assert small == [], (path, small[:5])


def test_reading_hint_matches_the_diverging_scheme(page, live_server):
    page.goto(
        live_server + "/karte?indikator=armutsgefaehrdung_quote&jahr=2024&farben=divergierend"
    )
    lesart = page.locator(".karte-info dt", has_text="Lesart")
    hint = lesart.locator("xpath=following-sibling::dd[1]").inner_text()
    assert "Blau heißt günstiger" in hint and "dunkler heißt ungünstiger" not in hint


def test_comparison_colouring_legend_says_verdict_not_quantiles(page, live_server):
    page.goto(live_server + "/karte?indikator=armutsgefaehrdung_quote&jahr=2024&farben=vergleich")
    method = page.locator(".legend-method").inner_text()
    assert "Quantile" not in method and "Urteil" in method


def test_rank_has_one_meaning_on_map_profile_and_comparison(page, live_server, conn):
    note = "Rang 1 = günstigster Wert unter den 21 Kommunen"
    for path in (FAMILIES["karte"], FAMILIES["profil"], FAMILIES["vergleich"]):
        page.goto(live_server + path)
        assert page.get_by_text(note).count() == 1, path
    # Armutsgefährdungsquote: higher is worse, so rank 1 on the map is the lowest value.
    page.goto(live_server + "/karte?indikator=armutsgefaehrdung_quote&jahr=2024")
    first = page.locator("table.sortable tbody tr").first
    lowest = conn.scalar(
        text(
            "SELECT a.name FROM value v JOIN area a USING (ags) JOIN release r ON r.id = v.release_id"
            " WHERE r.label = 'demo-2024-2' AND v.indicator_id = 'armutsgefaehrdung_quote' AND v.year = 2024"
            " AND a.level = 'kommune' ORDER BY v.value LIMIT 1"
        )
    )
    assert first.locator("td").nth(0).inner_text() == "1" and lowest in first.inner_text()


def test_each_kommune_keeps_its_colour_across_views(page, live_server):
    def colour_of(name: str) -> str:
        return (
            page.locator("ul.legend li", has_text=name)
            .first.locator("line")
            .get_attribute("stroke")
        )

    page.goto(live_server + f"/vergleich/{LEHRTE}/{GARBSEN}")
    lehrte, garbsen = colour_of("Lehrte"), colour_of("Garbsen")
    page.goto(
        live_server + f"/zeitreihe?indikator=armutsgefaehrdung_quote&kommunen={GARBSEN},{LEHRTE}"
    )
    assert (colour_of("Lehrte"), colour_of("Garbsen")) == (lehrte, garbsen)
    assert lehrte != garbsen


def test_time_series_form_refuses_an_eighth_kommune(page, live_server):
    page.goto(live_server + "/zeitreihe?indikator=armutsgefaehrdung_quote")
    boxes = page.locator("fieldset.checks input[type=checkbox]")
    for i in range(8):
        boxes.nth(i).check() if i < 7 else boxes.nth(i).click()
    assert page.locator("fieldset.checks input:checked").count() == 7
    assert "Höchstens 7" in page.locator(".checks-status").inner_text()


def test_start_page_search_and_live_map(page, live_server):
    page.goto(live_server + "/")
    assert page.locator(".start-map path[data-ags]").count() == 21
    assert "Seed" not in page.locator("main").inner_text()
    # the field by its label's name (the search landmark carries the same name: aria-labelledby)
    page.get_by_role("combobox", name="Kommune oder Kennzahl suchen").fill("Lehrte")
    page.get_by_role("button", name="Suchen", exact=True).click()
    page.wait_for_url(re.compile(rf"/kommune/{LEHRTE}$"))
    page.goto(live_server + "/suche?q=quote")
    assert page.locator("#hits-ind ~ ul li, section[aria-labelledby=hits-ind] li").count() >= 3


def test_embed_code_of_an_english_page_embeds_the_english_map(page, live_server):
    page.goto(live_server + FAMILIES["karte"] + "&lang=en")
    code = page.locator("#embed-code").input_value()
    assert "lang=en" in code


def test_footer_links_the_accessibility_statement_in_both_languages(page, live_server):
    page.goto(live_server + "/kommunen")
    page.get_by_role("link", name="Erklärung zur Barrierefreiheit").click()
    assert page.locator("h1").inner_text() == "Erklärung zur Barrierefreiheit"
    assert "axe-core" in page.locator("main").inner_text()
    page.goto(live_server + "/kommunen?lang=en")
    page.get_by_role("link", name="Accessibility statement").click()
    assert page.locator("h1").inner_text() == "Accessibility statement"
    assert "What is not accessible" in page.locator("main").inner_text()
