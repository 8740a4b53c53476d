"""A time series with a series break in Chromium: gap, rule, note, marked row; 390 and 1366 px,
German and English, axe clean."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from tests.browser.conftest import axe_violations, describe
from tests.browser.families import DESKTOP, OVERFLOW_JS, PHONE, TEXTS_JS, german_ui_strings
from tests.conftest import app_on_clone

pytestmark = pytest.mark.browser

REASON = {
    "de": "Zensus 2011: neue Basis der Bevölkerungsfortschreibung",
    "en": "Census 2011: new basis of the population update",
}
URL = "/zeitreihe?indikator=bev_insgesamt&kommunen=03241011,03241005"


@pytest.fixture(scope="module")
def broken_server(loaded_template):
    """A live app on its own database copy with a break of bev_insgesamt at 2011."""
    for application in app_on_clone(loaded_template):
        with application.extensions["sozmon_engine"].begin() as c:
            # only this break (the shipped series_breaks.csv has more): a world the tests know
            c.execute(text("DELETE FROM series_break"))
            c.execute(
                text("INSERT INTO series_break VALUES ('bev_insgesamt', 2011, :de, :en)"),
                REASON,
            )
            names = set(c.scalars(text("SELECT name FROM area")))
        server = make_server("127.0.0.1", 0, application, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}", names
        server.shutdown()


@pytest.fixture
def bpage(browser):
    context = browser.new_context(locale="de-DE")
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    yield pg
    context.close()


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
def test_time_series_with_a_break(bpage, broken_server, size, lang):
    base, names = broken_server
    bpage.set_viewport_size(size)
    bpage.goto(f"{base}{URL}&lang={lang}")
    bpage.wait_for_load_state("load")
    # The drawing that fits the screen is the one shown; its lines are cut at the rule.
    shown = ".chart-narrow" if size == PHONE else ".chart-wide"
    chart = bpage.locator(f".ts-chart {shown} svg")
    assert chart.is_visible()
    rule = chart.locator(".chart-break")
    assert rule.count() == 1 and rule.is_visible()
    assert rule.text_content() == ("Bruch 2011" if lang == "de" else "Break 2011")
    rule_x = float(re.match(r"M([\d.]+),", rule.locator("path").get_attribute("d")).group(1))
    lines = chart.locator('path[stroke-width="2.2"]').evaluate_all(
        "els => els.map(e => e.getAttribute('d'))"
    )
    assert len(lines) == 3
    for d in lines:
        subpaths = [
            [float(p.split(",")[0]) for p in re.findall(r"[-\d.]+,[-\d.]+", s)]
            for s in d.split("M")[1:]
        ]
        assert len(subpaths) == 2
        assert all(max(xs) < rule_x or min(xs) > rule_x for xs in subpaths)
    # The note under the chart, in the page's language, and the marked table row.
    note = bpage.locator(".ts-breaks")
    assert note.is_visible()
    word = "Zeitreihenbruch" if lang == "de" else "Series break"
    assert f"{word} 2011: {REASON[lang]}" in note.inner_text()
    row = bpage.locator('tr[data-year="2011"] th')
    assert ("nach Zeitreihenbruch 2011" if lang == "de" else "after series break 2011") in (
        row.inner_text()
    )
    fit = bpage.evaluate(OVERFLOW_JS)
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    violations = axe_violations(bpage)
    assert violations == [], describe(violations)
    if lang == "en":
        strings = sorted(german_ui_strings(names), key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, strings)) + r")(?!\w)")
        found = {
            m.group(0)
            for lng, s in bpage.evaluate(TEXTS_JS)
            if lng == "en"
            for m in pattern.finditer(s)
        }
        assert not found, sorted(found)[:10]
