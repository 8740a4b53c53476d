#!/usr/bin/env python3
"""Measure what the first view of the map page transfers (gzip), optionally save a screenshot.

Usage: .venv/bin/python scripts/measure_transfer.py [--url http://host:port] [--path /karte]
       [--budget-kb 150] [--screenshot docs/screenshot-karte.png] [--step]

Without --url the app is started in-process on a free loopback port with the configured database
(DATABASE_URL or the local cluster). Headless Chromium (Debian's, app/render/chromium.py) loads the page
with an empty cache and every request is recorded; each response is then fetched again with
"Accept-Encoding: gzip" only and its bytes on the wire (status line, headers, gzip body) summed.
With --step the year slider is then moved one year back (as a keyboard user would) and the
bytes of that step (the /karte/teile answer) are reported on their own; they are not part of the
first view. Exit code 1 when the total exceeds the budget. Not a test: timings and sizes are reported, not
asserted in the suite.
"""

from __future__ import annotations

import argparse
import sys
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve_app() -> str:
    """Start the app on a free port in a daemon thread; return its base URL."""
    from werkzeug.serving import make_server

    from app import create_app

    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def gzip_size(url: str) -> tuple[int, str]:
    """Bytes of one response as sent with gzip (headers + body) and its Content-Encoding."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as resp:  # noqa: S310 (our own loopback server)
        body = resp.read()  # urllib does not decode: these are the compressed bytes
        headers = sum(len(k) + len(v) + 4 for k, v in resp.getheaders()) + 17
        return len(body) + headers, resp.headers.get("Content-Encoding") or "identity"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="base URL of a running app (default: start one)")
    ap.add_argument("--path", default="/karte", help="page to measure (default /karte)")
    ap.add_argument("--budget-kb", type=float, default=150.0)
    ap.add_argument("--screenshot", help="save a PNG of the page's first screen here")
    ap.add_argument("--step", action="store_true", help="also measure one step of the year slider")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from app.render.chromium import launch_options

    base = args.url or serve_app()
    urls: list[str] = []
    browser_bytes = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options())
        context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("request", lambda r: urls.append(r.url))
        page.goto(base + args.path, wait_until="networkidle")
        if args.screenshot:
            Path(args.screenshot).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.screenshot)
        browser_bytes = page.evaluate(
            "performance.getEntriesByType('navigation').concat(performance.getEntriesByType("
            "'resource')).reduce((s, e) => s + (e.transferSize || 0), 0)"
        )
        step_urls: list[str] = []
        if args.step and page.locator("#jahr-regler").count():
            first_view = len(urls)
            with page.expect_response(lambda r: "/karte/teile" in r.url):
                page.locator("#jahr-regler").focus()
                page.keyboard.press("ArrowLeft")
            step_urls = urls[first_view:]
            del urls[first_view:]
        browser.close()

    host = urlparse(base).netloc
    foreign = [
        u for u in urls if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != host
    ]
    total = 0
    print(f"{'bytes':>8}  {'encoding':<8}  url")
    for url in dict.fromkeys(u for u in urls if u.startswith("http")):
        size, enc = gzip_size(url)
        total += size
        print(f"{size:>8}  {enc:<8}  {url.removeprefix(base)}")
    print(
        f"total with gzip: {total / 1024:.1f} KB for {len(set(urls))} requests"
        f" (budget {args.budget_kb:.0f} KB)"
    )
    print(f"Chromium's own transfer size (it also accepts br/zstd): {browser_bytes / 1024:.1f} KB")
    for url in dict.fromkeys(u for u in step_urls if u.startswith("http")):
        size, enc = gzip_size(url)
        print(f"one year step: {size / 1024:.1f} KB ({enc}) {url.removeprefix(base)}")
    if foreign:
        print("requests to other hosts:", *foreign, sep="\n  ")
        return 1
    return 0 if total <= args.budget_kb * 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
