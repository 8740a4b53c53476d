"""Any area everywhere (issue #34) in headless Chromium, with Germany's Gemeinden loaded: search
"Hildesheim" → the Stadt Hildesheim's page; compare it with Hannover; add it to Hannover's time
series — by keyboard, at 390 and 1366 px, in German and English, axe-clean, no third party."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import RequestLog, axe_violations, describe
from tests.browser.families import DESKTOP, OVERFLOW_JS, PHONE

HANNOVER, HILDESHEIM = "03241001", "03254021"
SIZES = {"phone": PHONE, "desktop": DESKTOP}
TEXT = {
    "de": {"compare": "Vergleichen", "show": "Anzeigen", "stadt": "Stadt"},
    "en": {"compare": "Compare", "show": "Show", "stadt": "town"},
}


@pytest.fixture
def apage(browser, germany_server, request):
    size, lang = request.param
    context = browser.new_context(locale="de-DE" if lang == "de" else "en-GB", viewport=SIZES[size])
    pg = context.new_page()
    pg.set_default_timeout(90_000)  # the comparison of two areas draws a chart per indicator
    log = RequestLog(germany_server)
    pg.on("request", lambda req: log.urls.append(req.url))
    pg.request_log = log
    pg.lang = lang
    yield pg
    context.close()


def _checked(page) -> None:
    """The page fits the screen, is axe-clean and asked no third party."""
    page.wait_for_load_state("load")
    fit = page.evaluate(OVERFLOW_JS)
    assert fit["scrollWidth"] <= fit["innerWidth"], (page.url, fit)
    violations = axe_violations(page)
    assert violations == [], page.url + "\n" + describe(violations)
    assert page.request_log.foreign() == []
    assert page.locator("html").get_attribute("lang") == page.lang


def _pick(page, field: str, typed: str, wanted: str) -> None:
    """Type into an area picker and take the suggestion starting with `wanted`, by keyboard."""
    box = page.locator(field)
    box.click()
    box.fill("")
    box.press_sequentially(typed, delay=30)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    listbox.locator("[role=option]").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    texts = listbox.locator("[role=option]").all_inner_texts()  # one round trip, not one per option
    target = next(i for i, t in enumerate(texts) if t.startswith(wanted))
    for _ in range(target + 1):
        box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").inner_text().startswith(wanted)
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    _checked(page)  # with the list open
    box.press("Enter")
    assert box.get_attribute("aria-expanded") == "false"


@pytest.mark.parametrize(
    "apage",
    [(s, lang) for lang in ("de", "en") for s in SIZES],
    indirect=True,
    ids=lambda p: "-".join(p),
)
def test_search_compare_and_time_series_of_any_area(apage, germany_server):
    page, t = apage, TEXT[apage.lang]
    # 1. the start page's search: "Hildesheim" names one area exactly → its page
    page.goto(germany_server + "/" + ("?lang=en" if page.lang == "en" else ""))
    page.fill("#suche-q", "Hildesheim")
    page.press("#suche-q", "Enter")
    page.wait_for_url(f"**/gebiet/{HILDESHEIM}*")
    assert re.match(r"Hildesheim\b", page.inner_text("h1"))
    _checked(page)

    # 2. compare it with Hannover (the picker on its page, keyboard only)
    _pick(page, "#cmp-b", "Hannov", "Hannover")
    assert page.input_value("#cmp-b") == f"Hannover ({HANNOVER})"
    page.locator("form.gebiet-vergleich button").press("Enter")
    page.wait_for_url(f"**/vergleich/{HILDESHEIM}/{HANNOVER}*")
    assert "Hildesheim" in page.inner_text("#name-a") and "Hannover" in page.inner_text("#name-b")
    head = page.locator("table.compare-table").first.locator("thead").inner_text()
    assert "Niedersachsen" in head and ("Deutschland" in head or "Germany" in head)
    _checked(page)

    # 3. Hannover's time series; add Hildesheim with the picker
    page.goto(
        germany_server
        + f"/zeitreihe?indikator=bev_anteil_65plus&kommunen={HANNOVER}"
        + ("&lang=en" if page.lang == "en" else "")
    )
    _pick(page, "#dazu", "Hildesheim", f"Hildesheim ({t['stadt']}")
    assert page.input_value("#dazu") == f"Hildesheim ({HILDESHEIM})"
    page.get_by_role("button", name=t["show"]).click()
    page.wait_for_url(re.compile(rf".*kommunen={HANNOVER}(,|%2C){HILDESHEIM}.*"))
    heads = page.locator("table.ts-table thead th[data-ags]")
    assert [heads.nth(i).get_attribute("data-ags") for i in range(heads.count())] == [
        "03241",
        HANNOVER,
        HILDESHEIM,
    ]
    assert page.locator(f"input[name=kommunen][value='{HILDESHEIM}']").is_checked()
    _checked(page)
