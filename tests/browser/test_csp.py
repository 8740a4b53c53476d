"""The strict CSP (no 'unsafe-inline' scripts or styles) in a real browser: maps draw, no violation."""

import pytest

PAGES = [
    "/karte?indikator=armutsgefaehrdung_quote&jahr=2024",
    "/embed/karte?indikator=armutsgefaehrdung_quote",
    "/",
    "/daten",
    "/kommunen",
    # colour squares and names over SVG maps, without style attributes (style-src 'self')
    "/disparitaeten/bev_geburtenrate?jahr=2015",
    "/streuung?x=svb_quote&y=bev_anteil_65plus&jahr=2015&auswahl=03241011",
    "/rangfolge?indikator=bev_geburtenrate&jahr=2015",
    "/karte?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus",
    # the status map's colours and hatching as SVG attributes
    "/sozialindex",
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
        if "karte?indikator" in path or path.startswith("/embed/karte"):
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
    # nor would an injected style attribute or <style> element
    styled = page.evaluate(
        """() => {
            const d = document.createElement('div');
            d.innerHTML = '<p style="color: rgb(255, 0, 0)">x</p><style>p.q { color: rgb(0, 0, 255) }</style><p class="q">y</p>';
            document.body.appendChild(d);
            const [a, b] = d.querySelectorAll('p');
            return [getComputedStyle(a).color, getComputedStyle(b).color];
        }"""
    )
    assert "rgb(255, 0, 0)" not in styled and "rgb(0, 0, 255)" not in styled
