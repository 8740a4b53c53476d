"""The start page in a real browser: content, languages, accessibility, no third parties."""

from tests.browser.conftest import axe_violations, describe


def test_start_page_lists_topics_and_is_accessible(page, live_server):
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Sozialmonitoring Region Hannover"
    assert page.locator("details.topic").count() == 9
    assert page.locator(".indicator-list li").count() >= 96
    assert "Beispieldaten" in page.locator(".demo-note").inner_text()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


def test_start_page_in_english(page, live_server):
    page.goto(live_server + "/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Minimum income benefits").count() >= 1
