"""The strict CSP (no 'unsafe-inline' scripts) in a real browser: the maps still draw, no violation."""

import pytest

PAGES = [
    "/karte?indikator=armutsgefaehrdung_quote&jahr=2024",
    "/embed/karte?indikator=armutsgefaehrdung_quote",
    "/",
    "/daten",
    "/kommunen",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_run_under_the_csp_without_violations(page, live_server, path):
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    for _ in range(2):  # first built, then from the page cache
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        if "karte" in path:
            assert page.locator("path.leaflet-interactive").count() == 21
    assert violations == []
    # an injected inline script would not run
    blocked = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener('securitypolicyviolation', () => resolve(true));
            const s = document.createElement('script');
            s.textContent = 'window.__injected = 1';
            document.body.appendChild(s);
            setTimeout(() => resolve(window.__injected !== 1), 500);
        })"""
    )
    assert blocked
