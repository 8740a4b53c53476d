"""The editors' pages in a real browser: login, upload report, preview — accessible, no third parties."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import axe_violations, describe
from tests.conftest import invoke

pytestmark = pytest.mark.browser
BAD = Path(__file__).parents[1] / "data" / "bad_releases"
GOOD = Path(__file__).parents[1] / "data" / "releases"


@pytest.fixture
def editor_server(fresh_app):
    """A live server on a fresh database with one editor; plain http, so no Secure cookie."""
    fresh_app.config["SESSION_COOKIE_SECURE"] = False  # the local http server (like scripts/serve)
    assert (
        invoke(
            fresh_app, "editor-add", "redaktion", "--password", "richtig-langes-passwort"
        ).exit_code
        == 0
    )
    server = make_server("127.0.0.1", 0, fresh_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def check(page):
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


def test_login_page_is_accessible(page, live_server):
    page.goto(live_server + "/redaktion/anmelden")
    assert page.locator("h1").inner_text() == "Anmeldung für die Redaktion"
    check(page)


def test_upload_report_and_preview_in_the_browser(browser, editor_server):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(editor_server + "/redaktion/")
    page.get_by_label("Name").fill("redaktion")
    page.get_by_label("Passwort").fill("richtig-langes-passwort")
    page.get_by_role("button", name="Anmelden").click()
    # The exact URL: the login page's own (…/anmelden?next=/redaktion/) ends like it.
    page.wait_for_url(editor_server + "/redaktion/")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    page.get_by_label("Label").fill("kaputt")
    page.get_by_label("Wertedateien").set_input_files(
        [str(BAD / "unknown_ags.csv"), str(BAD / "merged_header.xlsx")]
    )
    page.get_by_role("button", name="Prüfen und als Entwurf laden").click()
    assert "nichts gespeichert" in page.locator("h1").inner_text()
    assert page.locator("table.report tbody tr").count() == 2
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    page.goto(editor_server + "/redaktion/")
    page.get_by_label("Label").fill("2025-1")
    page.get_by_label("Wertedateien").set_input_files(str(GOOD / "long_utf8_comma.csv"))
    page.get_by_role("button", name="Prüfen und als Entwurf laden").click()
    page.wait_for_url("**/redaktion/release/*")
    assert "Entwurf" in page.locator("h1").inner_text()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    page.get_by_role("button", name="Jetzt veröffentlichen").click()
    page.wait_for_url("**/redaktion/")
    assert "veröffentlicht" in page.locator(".flash").inner_text()
    assert all(u.startswith(editor_server) or u.startswith(("data:", "blob:")) for u in urls)
    context.close()


def test_sozialindex_editor_is_accessible_and_says_why_it_refuses(browser, editor_server):
    """The index definition's form (issue #30): axe-clean as offered and as refused, the
    message announced and the field marked, in German and English."""
    for lang, button, refused in (
        ("de", "Prüfen und in den Entwurf speichern", "„gibt_es_nicht“ gibt es nicht"),
        ("en", "Check and save into the draft", "“gibt_es_nicht” does not exist"),
    ):
        context = browser.new_context()
        page = context.new_page()
        urls: list[str] = []
        page.on("request", lambda r, urls=urls: urls.append(r.url))
        page.goto(editor_server + "/redaktion/anmelden")
        page.locator("#name").fill("redaktion")
        page.locator("#password").fill("richtig-langes-passwort")
        page.locator("form button[type=submit]").click()
        page.wait_for_url("**/redaktion/")
        page.goto(editor_server + f"/redaktion/sozialindex/?lang={lang}")  # kept in a cookie
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        page.locator("#si-label").fill("index-browser")
        page.locator("#si-ind-1").fill("gibt_es_nicht")
        page.get_by_role("button", name=button).click()
        alert = page.get_by_role("alert")
        assert refused in alert.inner_text()
        assert page.locator("#si-ind-1").get_attribute("aria-invalid") == "true"
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        assert all(u.startswith(editor_server) or u.startswith(("data:", "blob:")) for u in urls)
        context.close()
