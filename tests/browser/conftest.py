"""Headless Chromium (Debian's, as app/render/chromium.py starts it) via Playwright against a live
app server."""

from __future__ import annotations

import base64
import functools
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

from app.render.chromium import launch_options


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The app served on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(**launch_options())
        yield b
        b.close()


class RequestLog:
    """Every URL a page asked for, to prove no third-party host was contacted."""

    def __init__(self, base: str):
        self.base_host = urlparse(base).netloc
        self.urls: list[str] = []

    def foreign(self) -> list[str]:
        """Requests to any host but the app's own (data: and blob: URLs are local)."""
        return [
            u
            for u in self.urls
            if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).netloc != self.base_host
        ]


@pytest.fixture
def page(browser, live_server):
    """A fresh page (German, phone-sized viewport optional per test) with a request log."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    log = RequestLog(live_server)
    pg.on("request", lambda req: log.urls.append(req.url))
    pg.request_log = log
    yield pg
    context.close()


AXE_DIR = Path(__file__).resolve().parent / "vendor" / "axe-core"
AXE_VERSION = "4.14.1"
AXE_SRI = "sha256-KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="  # its sri-history.json


@functools.cache
def axe_script() -> str:
    """axe-core's script, vendored (vendor/axe-core/README.md), checked against its SRI hash."""
    body = (AXE_DIR / "axe.min.js").read_bytes()
    sri = "sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert sri == AXE_SRI, f"vendor/axe-core/axe.min.js is not axe-core {AXE_VERSION}: {sri}"
    return body.decode()


def axe_violations(page) -> list[dict]:
    """Run axe-core (vendored 4.14.1, injected locally) on the page: every rule, every violation
    with all its nodes. `resultTypes: ["violations"]` only stops axe from building the selectors
    and HTML of every *passing* node (axe's documented performance option): on a Kommune's
    profile (3,700 elements) the result shrank from 6.8 MB to 60 kB and a run from 10–12 s to
    3 s, with the same violations (checked on pages with planted ones: docs/development.md).
    4.14.1 rather than axe-playwright-python's bundled 4.12.1: half the time on the big pages,
    the same results (docs/ops/suite37.md)."""
    page.evaluate(axe_script())
    assert page.evaluate("() => axe.version") == AXE_VERSION
    results = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    return results


def describe(violations: list[dict]) -> str:
    """Readable summary of axe violations for assertion messages."""
    return "\n".join(
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes'][:3]]})" for v in violations
    )


def open_cite_by_keyboard(page, before) -> None:
    """From `before` (the last focusable element before the box), Tab reaches the "Zitieren"
    summary, Enter opens it and the next Tab reaches the permalink field."""
    before.focus()
    page.keyboard.press("Tab")
    summary = page.evaluate(
        "() => document.activeElement.tagName + ':' + document.activeElement.innerText"
    )
    assert summary in ("SUMMARY:Zitieren", "SUMMARY:Cite"), summary
    page.keyboard.press("Enter")
    assert page.locator("details.cite").get_attribute("open") is not None
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "cite-link"
