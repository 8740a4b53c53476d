"""The Sozialindex page's "Zitieren" box in Chromium (issue #31): at 390 and 1366 px, German and
English, the live page's permalink is pinned; on the pinned page the box is reached and opened
by keyboard, holds the permalink in both citation lines, the note says which data state it
shows; no horizontal overflow, axe-clean, no foreign request."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, describe, open_cite_by_keyboard
from tests.browser.families import DESKTOP, OVERFLOW_JS, PHONE


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_sozialindex_cites_itself_by_keyboard(page, live_server, size, lang):
    page.set_viewport_size(size)
    page.goto(live_server + "/sozialindex" + ("?lang=en" if lang == "en" else ""))
    permalink = page.locator("input.cite-link").input_value()
    assert permalink.startswith(live_server) and "stand=" in permalink
    page.goto(permalink)
    note = page.locator("p.pinned-note").inner_text()
    assert ("Zitierter Datenstand" if lang == "de" else "Cited data state") in note, note
    # the API link keeps the pin
    api = page.locator("a[href*='/api/v1/sozialindex']").get_attribute("href")
    assert "stand=" in (api or ""), api
    # From the last link before the box, Tab reaches "Zitieren"; Enter opens it; Tab the link.
    open_cite_by_keyboard(page, page.locator("a[href*='/api/v1/values']").last)
    assert page.locator("input.cite-link").input_value() == permalink
    lines = page.locator("p.cite-line").all_inner_texts()
    assert len(lines) == 2 and all(permalink in line for line in lines)
    # then BibTeX and CSL-JSON
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.innerText") == "BibTeX"
    fit = page.evaluate(OVERFLOW_JS)
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []
