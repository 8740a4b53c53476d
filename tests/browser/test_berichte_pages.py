"""Fokusberichte in Chromium: list and report accessible (axe) at desktop and phone width, the
current-data view, the editors' preview with errors, and the PDF (pages, sources, licences)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from app.cli.reports import EXAMPLE
from geodata import attribution
from tests.browser.conftest import axe_violations, describe
from tests.browser.test_editor_pages import editor_server  # noqa: F401 - fixture

pytestmark = pytest.mark.browser
URL = f"/berichte/{EXAMPLE['slug']}"


def check(page):
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


def test_reports_are_in_the_navigation_and_listed(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Berichte"
    ).click()
    page.wait_for_url("**/berichte")
    assert page.locator("h1").inner_text() == "Fokusberichte"
    check(page)
    page.get_by_role("link", name=EXAMPLE["title"]).click()
    page.wait_for_url("**" + URL)
    assert page.locator("h1").inner_text() == EXAMPLE["title"]


@pytest.mark.parametrize("width", [1280, 375])
def test_report_page_is_accessible_and_responsive(browser, live_server, width):
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = context.new_page()
    from tests.browser.conftest import RequestLog

    page.request_log = RequestLog(live_server)
    page.on("request", lambda r: page.request_log.urls.append(r.url))
    page.goto(live_server + URL)
    assert "Datenstand" in page.locator(".datenstand").inner_text()
    figures = page.locator("figure.bericht-figur")
    assert figures.count() == 5  # two series, a map, a comparison, a ranking
    for i in range(figures.count()):  # every map and chart comes with its table
        assert figures.nth(i).locator("table").count() == 1
    assert page.locator("svg.bericht-karte path").count() == 22
    # Nothing wider than the screen: tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check(page)
    context.close()


def test_current_data_view_is_accessible(page, live_server):
    page.goto(live_server + URL)
    page.get_by_role("link", name="mit aktuellen Daten ansehen").click()
    assert "aktuellen Daten" in page.locator(".hinweis-aktuell").inner_text()
    check(page)


def test_preview_shows_errors_in_place_and_blocks_publishing(browser, editor_server):  # noqa: F811
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(editor_server + "/redaktion/berichte/neu")
    page.get_by_label("Name").fill("redaktion")
    page.get_by_label("Passwort").fill("richtig-langes-passwort")
    page.get_by_role("button", name="Anmelden").click()
    # The exact URL: the login page's own (…/anmelden?next=/redaktion/berichte/neu) ends like it.
    page.wait_for_url(editor_server + "/redaktion/berichte/neu")
    page.get_by_label("Titel").fill("Probe")
    page.get_by_label("Adresse (Slug)").fill("probe")
    page.get_by_label("Text (Markdown mit Direktiven)").fill(
        "Es sind {{zahl indikator=bev_insgesamt gebiet=03241 jahr=2015}}.\n\n"
        "{{karte indikator=gibts_nicht jahr=2015}}\n\n<script>alert(1)</script>Ende"
    )
    page.get_by_role("button", name="Speichern und Vorschau").click()
    page.wait_for_url(re.compile(r"/redaktion/berichte/\d+"))  # not …/neu, the form's own
    preview = page.locator(".vorschau")
    assert "1.144.481" in preview.inner_text()
    assert "Unbekannter Indikator 'gibts_nicht'" in preview.locator("#fehler-1").inner_text()
    assert preview.locator("script").count() == 0
    assert page.get_by_role("button", name="Gespeicherten Entwurf veröffentlichen").is_disabled()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    context.close()


def test_pdf_has_pages_sources_and_licences(page, live_server):
    r = page.request.get(live_server + URL + ".pdf")
    assert r.status == 200 and r.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.body()))
    n = len(reader.pages)
    assert n >= 3
    texts = [p.extract_text() for p in reader.pages]
    whole = " ".join(" ".join(t.split()) for t in texts)
    assert EXAMPLE["title"] in whole
    for i, t in enumerate(texts, start=1):  # page numbers and the licence line on every page
        flat = " ".join(t.split())
        assert f"Seite {i} von {n}" in flat and attribution.BOUNDARIES in flat
    assert attribution.STATISTICAL_OFFICES_COPYRIGHT in whole
    assert "Datenstand" in whole and "regionalstatistik-2017" in whole
    assert "1.144.481" in whole and "Tabelle 12411-01-01-5-B" in whole
    # only real values in this report: no value is marked Beispieldaten (the demo-mode note
    # at the top names both marks)
    assert "– Beispieldaten" not in whole and "amtlich" in whole
