"""Issue #30, other territories, in Chromium (390 and 1366 px, German and English, axe-core):
the Sozialindex map of another Kreis' Gemeinden and a territory map compared with the Land."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from indicators.classify import VERDICT_COLOURS
from tests.browser.conftest import RequestLog, axe_violations, describe
from tests.browser.families import DESKTOP, PHONE, TEXTS_JS, german_ui_strings
from tests.germany import serve
from tests.test_kreisindex import HILDESHEIM, IND, gemeinden, kreis_app  # noqa: F401 (fixture)

COLOURS = """() => { const c = document.querySelector('#gebiet-map canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, seen = {};
  for (let i = 0; i < d.length; i += 4 * 53) {
    const k = '#' + [d[i], d[i+1], d[i+2]].map(x => x.toString(16).padStart(2, '0')).join('');
    seen[k] = (seen[k] || 0) + 1; }
  return seen; }"""


@pytest.fixture(scope="module")
def kreis_server(kreis_app) -> Iterator[str]:  # noqa: F811
    yield from serve(kreis_app)


@pytest.fixture
def kpage(browser, kreis_server):
    context = browser.new_context(locale="de-DE", viewport=DESKTOP)
    pg = context.new_page()
    log = RequestLog(kreis_server)
    pg.on("request", lambda req: log.urls.append(req.url))
    pg.request_log = log
    pg.csp = []  # the strict CSP (no inline script or style) refuses nothing on these pages
    pg.on(
        "console", lambda m: pg.csp.append(m.text) if "Content Security Policy" in m.text else None
    )
    yield pg
    context.close()


def _drawn(page) -> int:
    page.wait_for_selector("#gebiet-map[data-drawn]", state="attached", timeout=60_000)
    return int(page.get_attribute("#gebiet-map", "data-drawn"))


@pytest.fixture(scope="module")
def german_pattern(kreis_app):  # noqa: F811
    """German UI strings (place names from the data excepted), longest first, as one pattern."""
    with kreis_app.extensions["sozmon_engine"].connect() as conn:
        names = set(conn.scalars(text("SELECT name FROM area")))
    strings = sorted(german_ui_strings(names), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, strings)) + r")(?!\w)")


def _no_german(page, pattern) -> None:
    found = {
        (m.group(0), string[:80])
        for lang, string in page.evaluate(TEXTS_JS)
        if lang == "en"
        for m in pattern.finditer(string)
    }
    assert not found, sorted(found)[:10]


def _checks(page) -> None:
    assert not page.request_log.foreign(), page.request_log.foreign()
    assert not page.csp, page.csp
    wide = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide, "the page scrolls sideways"
    found = axe_violations(page)
    assert not found, describe(found)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_kreis_index_map(kpage, kreis_server, kreis_app, german_pattern, size, lang):  # noqa: F811
    kpage.set_viewport_size(size)
    kpage.goto(
        f"{kreis_server}/sozialindex?gebiet={HILDESHEIM}" + ("&lang=en" if lang == "en" else "")
    )
    assert _drawn(kpage) == len(gemeinden(kreis_app, HILDESHEIM))
    seen = kpage.evaluate(COLOURS)
    status = {"#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"}
    assert len(status & set(seen)) >= 2, seen  # the status classes' colours are on the canvas
    caption = kpage.locator("#si-map-cap").inner_text()
    assert ("Muster die Dynamikklasse" if lang == "de" else "pattern the dynamics class") in caption
    assert kpage.locator("#sozialindex-legend td[data-group]").count() == 12
    assert kpage.locator("html").get_attribute("lang") == lang
    if lang == "en":
        _no_german(kpage, german_pattern)
    _checks(kpage)


def test_the_canvas_draws_the_dynamics_pattern(kpage, kreis_server):
    """The fixture has one year of Gemeinde values (no dynamics class anywhere): the pattern of
    'negativ' is drawn on the live canvas by giving every area that class, and dark hatching
    pixels must appear where there were none."""
    kpage.goto(f"{kreis_server}/sozialindex?gebiet={HILDESHEIM}")
    _drawn(kpage)
    dark = """() => { const c = document.querySelector('#gebiet-map canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 80 && d[i+1] < 80 && d[i+2] < 80 && d[i+3] > 200) n++;
      return n; }"""
    before = kpage.evaluate(dark)
    kpage.evaluate(
        """() => { const g = window.SozmonGebiet; Object.values(g.layers).forEach(l => { l.options.hatch = 'n'; });
        g.renderer._redrawBounds = null; g.renderer._redraw(); }"""
    )
    after = kpage.evaluate(dark)
    assert after > before + 1000, (before, after)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_territory_map_compared_with_the_land(
    kpage,
    kreis_server,
    kreis_app,  # noqa: F811
    german_pattern,
    size,
    lang,
):
    kpage.set_viewport_size(size)
    url = (
        f"{kreis_server}/karte?gebiet={HILDESHEIM}&ebene=gemeinde&indikator={IND}&jahr=2015"
        "&vergleich_mit=land" + ("&lang=en" if lang == "en" else "")
    )
    kpage.goto(url)
    assert _drawn(kpage) == len(gemeinden(kreis_app, HILDESHEIM))
    legend = kpage.locator("#gebiet-legend").inner_text()
    assert (
        "Vergleich mit Niedersachsen" if lang == "de" else "Comparison with Niedersachsen"
    ) in legend
    # higher, lower, similar (the share of people 65+ is a neutral indicator)
    verdict_colours = {VERDICT_COLOURS[v] for v in ("higher", "lower", "similar")}
    assert verdict_colours & set(kpage.evaluate(COLOURS)), "no verdict colour on the canvas"
    assert kpage.locator("#vergleich_mit").input_value() == "land"
    box = kpage.evaluate(
        """() => { const e = document.getElementById('vergleich_mit');
        return [e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).fontSize)]; }"""
    )
    assert box[0] >= 43.5 and box[1] >= 16, box  # touch-sized, 16 px text (as every control)
    cells = kpage.locator("td[data-verdict]").all_inner_texts()
    word = "signifikant" if lang == "de" else "significantly"
    assert cells and any(word in c for c in cells)
    if lang == "en":
        _no_german(kpage, german_pattern)
    _checks(kpage)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
def test_the_switch_by_keyboard_repaints_in_place(kpage, kreis_server, size):
    """Choose the Land with the keyboard and send the form: the same territory and level repaint
    in place (/karte/farben, no new outlines), the URL, legend, table and canvas follow."""
    kpage.set_viewport_size(size)
    kpage.goto(f"{kreis_server}/karte?gebiet={HILDESHEIM}&ebene=gemeinde&indikator={IND}&jahr=2015")
    _drawn(kpage)
    before = set(kpage.evaluate(COLOURS))
    kpage.locator("#vergleich_mit").focus()
    kpage.keyboard.press("ArrowDown")  # none → own Kreis
    kpage.keyboard.press("ArrowDown")  # → Land
    assert kpage.locator("#vergleich_mit").input_value() == "land"
    kpage.keyboard.press("Tab")  # the form's button
    kpage.keyboard.press("Enter")
    kpage.wait_for_url(re.compile(r"vergleich_mit=land"))
    kpage.wait_for_function(
        "() => document.getElementById('gebiet-legend').innerText.includes('Niedersachsen')"
    )
    assert len([u for u in kpage.request_log.urls if "/karte/umrisse" in u]) == 1
    assert kpage.locator("td[data-verdict]").count() > 0
    after = set(kpage.evaluate(COLOURS))
    verdict_colours = {VERDICT_COLOURS[v] for v in ("higher", "lower", "similar")}
    assert verdict_colours & after and after != before
    _checks(kpage)
