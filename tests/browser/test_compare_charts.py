"""The comparison's charts load per topic (issue #27 item 10), in Chromium at 390 and 1366 px,
German and English: opened by keyboard, fetched from the site itself, announced, focus kept,
axe clean with one topic's charts open; a row's link loads and shows its chart; without
JavaScript a link leads to the topic's charts."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations, describe
from tests.browser.families import DESKTOP, GARBSEN, LEHRTE, OVERFLOW_JS, PHONE

PAGE = f"/vergleich/{LEHRTE}/{GARBSEN}"
SIZES = {"phone": PHONE, "desktop": DESKTOP}
LOADED = ".chart-slot[aria-busy=false]:not([data-src])"


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(60_000)


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_topic_charts_open_by_keyboard_announced_and_axe_clean(page, live_server, size, lang):
    page.set_viewport_size(SIZES[size])
    page.goto(live_server + PAGE + ("?lang=en" if lang == "en" else ""))
    topic = page.locator("details.compare-topic").first
    assert topic.get_attribute("open") is not None
    rows = topic.locator("table.compare-table tbody tr").evaluate_all(
        "trs => trs.map(tr => tr.dataset.indicator)"
    )
    assert rows and page.locator("figure.compare-chart").count() == 0  # nothing loaded yet
    summary = topic.locator("details.topic-charts > summary")
    # The keyboard: from the topic's own heading, Tab through its table to the charts' summary.
    topic.locator(":scope > summary").focus()
    for _ in range(3 * len(rows) + 5):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('details.topic-charts > summary')"):
            break
    assert page.evaluate("() => document.activeElement.closest('details.compare-topic').id") == (
        topic.get_attribute("id")
    )
    label = "Charts of the topic" if lang == "en" else "Diagramme zum Thema"
    assert summary.inner_text().startswith(label)
    page.keyboard.press("Enter")
    topic.locator(LOADED).wait_for()
    charts = topic.locator("figure.compare-chart")
    assert charts.evaluate_all("fs => fs.map(f => f.id)") == [f"chart-{r}" for r in rows]
    assert topic.locator("svg.chart").count() == len(rows)
    assert charts.first.is_visible() and charts.first.locator("svg.chart").is_visible()
    # focus stays on the summary; the status line says the charts are there
    assert page.evaluate("() => document.activeElement.matches('details.topic-charts > summary')")
    status = page.locator("#chart-status")
    assert status.get_attribute("role") == "status"
    loaded = "Charts loaded" if lang == "en" else "Diagramme geladen"
    assert status.inner_text().startswith(loaded)
    # the next Tab goes into the charts (the first chart's link to its time series)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('figure.compare-chart') !== null")
    # other topics' charts stay unloaded: one fetch, same origin
    assert page.locator("figure.compare-chart").count() == len(rows)
    fetched = [u for u in page.request_log.urls if "/diagramme/" in u]
    assert len(fetched) == 1 and fetched[0].startswith(live_server)
    assert page.request_log.foreign() == []
    fit = page.evaluate(OVERFLOW_JS)
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_a_rows_link_loads_its_topics_charts_and_shows_the_chart(page, live_server):
    page.goto(live_server + PAGE)
    second = page.locator("details.compare-topic").nth(1)
    second.locator(":scope > summary").press("Enter")
    link = second.locator("tbody a[data-chart]").first
    target = link.get_attribute("data-chart")
    link.press("Enter")
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.id === '{target}'"
    )
    assert second.locator("details.topic-charts").get_attribute("open") is not None
    assert page.locator(f"#{target} svg.chart").is_visible()
    assert page.url.endswith(f"{PAGE}#{target}")
    # pressing Enter on the charts' summary closes them again; opening again does not refetch
    second.locator("details.topic-charts > summary").press("Enter")
    assert second.locator("details.topic-charts").get_attribute("open") is None
    second.locator("details.topic-charts > summary").press("Enter")
    assert len([u for u in page.request_log.urls if "/diagramme/" in u]) == 1
    # a link to a chart from elsewhere (the page opened at #chart-…) loads and shows it
    third = page.locator("details.compare-topic").nth(2)
    target = third.locator("tbody a[data-chart]").first.get_attribute("data-chart")
    page.goto(f"{live_server}{PAGE}#{target}")
    page.wait_for_function(f"() => document.activeElement.id === '{target}'")
    assert page.locator(f"#{target} svg.chart").is_visible()
    assert third.get_attribute("open") is not None


def test_without_javascript_a_link_leads_to_the_topics_charts(browser, live_server):
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + PAGE)
        topic = page.locator("details.compare-topic").first
        topic.locator("details.topic-charts > summary").click()
        topic.locator(".chart-load a").click()
        page.wait_for_url(re.compile(r"\?thema="))
        topic = page.locator("details.compare-topic[open]")
        assert topic.count() == 1
        rows = topic.locator("table.compare-table tbody tr").count()
        assert (
            topic.locator("details.topic-charts[open] figure.compare-chart svg.chart").count()
            == rows
        )
        assert topic.locator("figure.compare-chart").first.is_visible()
    finally:
        context.close()
