"""A report as PDF through Chromium's print (Playwright), with page numbers and sources.

The HTML is complete in itself (stylesheets inlined, maps and charts inline SVG), so Chromium
loads nothing: `page.set_content` with every request to any host refused.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from app.render.chromium import launch_options
from app.web.config import PROJECT_ROOT

STYLES = ("css/site.css", "css/bericht.css")
# Chromium launches of this process (tests and `sozmon report-outputs` read it; a launch costs
# seconds and up to ~1.8 GB, so anonymous requests must never cause one).
LAUNCHES = 0
_launch_lock = threading.Lock()


def inline_styles() -> str:
    """The site's and the reports' stylesheets as one text for a <style> element."""
    static = PROJECT_ROOT / "app" / "static"
    return "\n".join((static / s).read_text(encoding="utf-8") for s in STYLES)


# Where Chromium writes the page number and the page count into the footer template.
PAGE_NUMBER = "<span class=pageNumber></span>"
TOTAL_PAGES = "<span class=totalPages></span>"


def html_to_pdf(
    html: str,
    footer: str,
    chromium: str | None = None,
    page_of: str = f"Seite {PAGE_NUMBER} von {TOTAL_PAGES}",
) -> bytes:
    """Print the HTML to A4 PDF with the footer line and "Seite x von y" on every page (chromium:
    the browser's executable, default Debian's; page_of: that text in the report's language,
    with PAGE_NUMBER and TOTAL_PAGES where the numbers go)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _print(html, footer, chromium, page_of)
    # Playwright's sync API refuses to run where an event loop is running (a caller's own, e.g.
    # a test's browser session publishing a report): a thread of its own has none.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_print, html, footer, chromium, page_of).result()


def _print(html: str, footer: str, chromium: str | None, page_of: str) -> bytes:
    from playwright.sync_api import sync_playwright

    footer_html = (
        '<div style="font-size:8px;width:100%;padding:0 15mm;display:flex;gap:8mm;'
        'justify-content:space-between;font-family:sans-serif;color:#444">'
        f'<span>{footer}</span><span style="white-space:nowrap">{page_of}</span></div>'
    )
    global LAUNCHES
    with _launch_lock:
        LAUNCHES += 1
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(chromium))
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort())
            page.set_content(html, wait_until="load")
            return page.pdf(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer_html,
                margin={"top": "15mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
                # The structure tree (headings, lists, tables, figures with /Alt) and the
                # outline from the headings; app.render.accessible_pdf adds what is missing.
                tagged=True,
                outline=True,
            )
        finally:
            browser.close()
