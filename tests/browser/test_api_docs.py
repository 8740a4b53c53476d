"""The open-data docs page in a real browser: content from the OpenAPI document, links, a11y."""

import json

from tests.browser.conftest import axe_violations, describe


def test_docs_page_lists_every_endpoint_and_is_accessible(page, live_server):
    page.goto(live_server + "/daten")
    assert page.locator("h1").inner_text() == "Offene Daten"
    doc = json.loads(page.request.get(live_server + "/api/v1/openapi.json").text())
    headings = page.locator(".endpoint h3").all_inner_texts()
    assert len(headings) == len(doc["paths"])
    for path in doc["paths"]:
        assert any(f"GET /api/v1{path}" in h for h in headings), path
    assert page.locator("#problem-unknown-parameter").count() == 1
    assert "Beispieldaten" in page.locator(".demo-note").inner_text()
    # The navigation shows the page under its name.
    assert page.locator("nav a[aria-current=page]").inner_text() == "Offene Daten"
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


def test_docs_page_example_and_download_links_work(page, live_server):
    page.goto(live_server + "/daten")
    example = page.locator("#ep-listValues ~ p a").first
    href = example.get_attribute("href")
    r = page.request.get(live_server + href)
    assert r.status == 200 and r.json()["count"] > 0
    links = [a.get_attribute("href") for a in page.locator(".api-releases a").all()]
    xlsx = [h for h in links if "format=xlsx" in h]
    assert links and len(xlsx) == len(links) // 4  # CSV, CSV for Excel, XLSX, datapackage each
    # Every link is fetched, but XLSX only where the release is small: the same route and
    # writer for each release, and INKAR's 291,724 values take openpyxl 20-40 s (a minute of
    # the suite for nothing new; xlsxwriter was no faster, measured). tests/test_api.py and
    # tests/test_downloads.py check the XLSX's content.
    small = {
        r["label"]
        for r in page.request.get(live_server + "/api/v1/releases").json()["data"]
        if r["n_values"] < 50_000
    }
    for href in links:
        if "format=xlsx" in href and not any(f"release={s}&" in href + "&" for s in small):
            continue
        resp = page.request.get(live_server + href, timeout=180_000)
        assert resp.status == 200, href
    # A problem document's type resolves to its section on this page.
    problem = page.request.get(live_server + "/api/v1/values?foo=1").json()
    page.goto(live_server + problem["type"])
    assert page.locator("#problem-unknown-parameter").is_visible()
    assert page.request_log.foreign() == []
