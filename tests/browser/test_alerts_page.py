"""'Was ist neu?' in a real browser: reachable from the navigation, the filter form operated
with the keyboard alone, axe-clean at 390 and 1366 px in German and English (the same checks
for every page family: test_responsive's FAMILIES has /was-ist-neu)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, describe
from tests.browser.families import DESKTOP, GARBSEN, OVERFLOW_JS, PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
def test_filter_by_kommune_with_the_keyboard(page, live_server, size, lang):
    page.set_default_timeout(90_000)
    page.set_viewport_size(size)
    page.goto(f"{live_server}/kennzahlen?lang={lang}")
    # the navigation leads there
    name = "Was ist neu?" if lang == "de" else "What's new?"
    link = page.get_by_role("link", name=name, exact=True)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/was-ist-neu*")
    assert page.get_by_role("heading", level=1).inner_text() == name
    # keyboard only: focus the Kommune select, pick Garbsen, tab to the button, Enter
    select = page.locator("#alarm-kommune")
    select.focus()
    select.select_option(GARBSEN)  # what arrow keys do in a focused select
    assert page.evaluate("document.activeElement.id") == "alarm-kommune"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**kommune={GARBSEN}*")
    assert page.locator("#alarm-kommune").input_value() == GARBSEN
    items = page.locator(".alarm-liste li")
    for i in range(items.count()):
        assert "Garbsen" in items.nth(i).inner_text()
    assert page.locator("html").get_attribute("lang") == lang
    # the Kommune's own feed is offered
    assert page.locator(f'a[href="/was-ist-neu/kommune/{GARBSEN}.atom"]').count() == 1
    fit = page.evaluate(OVERFLOW_JS)
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []
