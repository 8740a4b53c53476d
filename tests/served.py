"""Helpers for tests of the served configuration: start `scripts/serve --no-setup`, talk HTTP."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from scripts.servelib.control import as_app_role, served
from scripts.servelib.stack import ROOT

__all__ = ["ROOT", "Editor", "get", "published_labels", "served_test"]


@contextmanager
def served_test(database_url: str, instances: int = 1, **env: str) -> Iterator[dict]:
    """The served stack with the tests' settings: one worker each, DATA_VERSION_TTL 2 s.

    The app connects as the role sozmon_app (owns nothing, migration 0013) as scripts/serve's
    default does, also to a read replica (DATABASE_READ_URL) of the local cluster.
    """
    database_url = as_app_role(database_url)
    if "DATABASE_READ_URL" in env:
        env["DATABASE_READ_URL"] = as_app_role(env["DATABASE_READ_URL"])
    settings = {
        "WORKERS": "1",
        "THREADS": "4",
        "DATA_VERSION_TTL": "2",
        "SECRET_KEY": "test-serving",
        "SESSION_COOKIE_SECURE": "0",
        # the test databases are loaded in demo mode (tests/conftest.py make_app)
        "SOZMON_DEMO": "1",
        **env,
    }
    with served(database_url, instances, **settings) as info:
        yield info


def get(url: str, headers: dict | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
    """Status, headers (lower-case names) and raw body (not decompressed)."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def published_labels(base: str) -> set[str]:
    """Labels of the published releases as the API lists them."""
    status, _h, body = get(base + "/api/v1/releases")
    assert status == 200, body[:300]
    return {r["label"] for r in json.loads(body)["data"] if r.get("status") != "withdrawn"}


class Editor:
    """An editor's browser session (cookies, CSRF token) against one base URL."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def _token(self, path: str) -> str:
        html = self.opener.open(self.base + path, timeout=30).read().decode()
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def post(self, path: str, form_path: str, **fields: str) -> str:
        """POST a form with the CSRF token taken from form_path; the final page's HTML."""
        data = urllib.parse.urlencode({**fields, "csrf_token": self._token(form_path)}).encode()
        return self.opener.open(self.base + path, data=data, timeout=60).read().decode()

    def login(self, name: str, password: str) -> None:
        """Log in; fails the test when the editors' start page does not follow."""
        page = self.post("/redaktion/anmelden", "/redaktion/anmelden", name=name, password=password)
        assert "abmelden" in page.lower(), page[:500]
