"""The pinned disparities overview in Chromium (issue #31): at 390 and 1366 px, German and
English, its "Zitieren" box is reached and opened by keyboard, holds the pinned permalink in
both citation lines, the pinned note says which data state it shows; no horizontal overflow,
axe-clean, no foreign request."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, describe, open_cite_by_keyboard
from tests.browser.families import DESKTOP, OVERFLOW_JS, PHONE

OVERVIEW = "/disparitaeten?von=2016&bis=2024"


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_pinned_overview_cites_itself_by_keyboard(page, live_server, size, lang):
    page.set_viewport_size(size)
    page.goto(live_server + OVERVIEW + ("&lang=en" if lang == "en" else ""))
    permalink = page.locator("input.cite-link").input_value()
    assert permalink.startswith(live_server) and "stand=" in permalink
    page.goto(permalink)
    note = page.locator("p.pinned-note").inner_text()
    assert ("Zitierter Datenstand" if lang == "de" else "Cited data state") in note, note
    # From the last data link, Tab reaches "Zitieren"; Enter opens it; Tab reaches the link.
    open_cite_by_keyboard(page, page.locator(".view-data-links a").last)
    assert page.locator("input.cite-link").input_value() == permalink
    lines = page.locator("p.cite-line").all_inner_texts()
    assert len(lines) == 2 and all(permalink in line for line in lines)
    # the period form keeps the pin
    assert page.locator("form.period-form input[name=stand]").count() == 1
    fit = page.evaluate(OVERFLOW_JS)
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []
