"""Browser figures in headless Chromium: bytes of a first view (gzip) and time to first map paint."""

from __future__ import annotations

from contextlib import contextmanager

from app.render.chromium import launch_options
from scripts.benchlib.stats import ratio, summary


@contextmanager
def chromium():
    """Debian's Chromium via Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(**launch_options())
        try:
            yield b
        finally:
            b.close()


def first_view_bytes(browser, url: str) -> dict:
    """Bytes on the wire (headers + encoded bodies) for a first view with an empty cache."""
    ctx = browser.new_context()
    page = ctx.new_page()
    responses = []
    page.on("requestfinished", lambda req: responses.append(req))
    page.goto(url, wait_until="networkidle")
    total = body = 0
    for req in responses:
        sizes = req.sizes()
        body += sizes["responseBodySize"]
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    ctx.close()
    return {
        "requests": len(responses),
        "bytes_total": total,
        "bytes_body": body,
        "kb_total": round(total / 1024, 1),
    }


def first_paint_ms(browser, url: str, runs: int) -> list[float]:
    """ms from navigation start until the 21 Kommunen are drawn as SVG paths."""
    out = []
    for _ in range(runs):
        ctx = browser.new_context(
            bypass_csp=True
        )  # the probe below uses eval; CSP is tested elsewhere
        page = ctx.new_page()
        page.goto(url, wait_until="commit")
        page.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length >= 21")
        out.append(page.evaluate("performance.now()"))
        ctx.close()
    return out


def paint_vs_static(browser, url: str, static_url: str, runs: int) -> dict:
    """Time to first map paint of the app page beside the same HTML served as a static file."""
    app = first_paint_ms(browser, url, runs)
    static = first_paint_ms(browser, static_url, runs)
    return {
        "app_ms": summary(app),
        "static_html_ms": summary(static),
        "ratio": ratio(summary(app)["median"], summary(static)["median"]),
    }
