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


def _token(app, email: str) -> str | None:
    from sqlalchemy import text

    with app.extensions["sozmon_engine"].connect() as c:
        return c.scalar(text("SELECT token FROM alert_subscription WHERE email = :e"), {"e": email})


def _clean_and_fit(page) -> None:
    fit = page.evaluate(OVERFLOW_JS)
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    violations = axe_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
def test_sign_up_confirm_and_unsubscribe_with_the_keyboard(app, page, live_server, size, lang):
    """The e-mail form on /was-ist-neu, the confirmation page's button and the unsubscribe
    page's button, each operated with the keyboard alone; every page axe-clean, no overflow.
    (The subscription is deleted again: the shared database stays as it was.)"""
    from sqlalchemy import text

    email = f"browser-{lang}-{size['width']}@example.org"
    page.set_default_timeout(90_000)
    page.set_viewport_size(size)
    page.goto(f"{live_server}/was-ist-neu?lang={lang}")
    _clean_and_fit(page)
    field = page.locator("#abo-email")
    field.focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "abo-kommune"
    page.locator("#abo-kommune").select_option(GARBSEN)  # what arrow keys do in a select
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "abo-kennzahl"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Enter")
    page.wait_for_url("**/was-ist-neu/abonnieren*")
    thanks = "Danke" if lang == "de" else "Thank you"
    assert thanks in page.get_by_role("status").inner_text()
    assert page.locator("html").get_attribute("lang") == lang
    _clean_and_fit(page)
    try:
        token = _token(app, email)
        assert token, "the sign-up stored nothing"
        # the confirmation e-mail's link: a page with one button
        page.goto(f"{live_server}/was-ist-neu/bestaetigen/{token}?lang={lang}")
        _clean_and_fit(page)
        confirm = "Abonnement bestätigen" if lang == "de" else "Confirm the subscription"
        page.get_by_role("button", name=confirm).focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        done = "Bestätigt" if lang == "de" else "Confirmed"
        assert done in page.get_by_role("status").inner_text()
        _clean_and_fit(page)
        # the unsubscribe link on that page, then its one button
        stop = "Abbestellen" if lang == "de" else "Unsubscribe"
        page.get_by_role("link", name=stop).focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/was-ist-neu/abbestellen/*")
        _clean_and_fit(page)
        page.get_by_role("button", name=stop).focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        gone = "Abbestellt" if lang == "de" else "Unsubscribed"
        assert gone in page.get_by_role("status").inner_text()
        assert _token(app, email) is None
        assert page.request_log.foreign() == []
    finally:
        with app.extensions["sozmon_engine"].begin() as c:
            c.execute(text("DELETE FROM alert_subscription WHERE email = :e"), {"e": email})
