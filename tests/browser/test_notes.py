"""Kontextnotizen in a real browser at phone and desktop width, German and English: the editors'
note form is axe-clean and works with the keyboard alone; the markers on the time series, the
profile row and the map's tooltip are axe-clean and reachable by keyboard."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import axe_violations, describe
from tests.conftest import app_on_clone, invoke

pytestmark = pytest.mark.browser
PASSWORD = "richtig-langes-passwort"
HANNOVER = "03241001"
NOTE_DE = "Erstaufnahmeeinrichtung eröffnet"
NOTE_EN = "Initial reception centre opened"
SIZES = [{"width": 390, "height": 844}, {"width": 1366, "height": 900}]
LANGS = ["de", "en"]


@pytest.fixture(scope="module")
def notes_server(loaded_template, tmp_path_factory):
    """A live server on its own database: one editor and one published note (Hannover,
    bev_insgesamt, 2015; German and English text, a source link)."""
    for application in app_on_clone(loaded_template):
        application.config["SESSION_COOKIE_SECURE"] = False  # plain http on loopback
        assert invoke(application, "editor-add", "redaktion", "--password", PASSWORD).exit_code == 0
        path = tmp_path_factory.mktemp("notes") / "notes.csv"
        path.write_text(
            "ags,indikator,jahr_von,kategorie,text_de,text_en,quelle\n"
            f"{HANNOVER},bev_insgesamt,2015,einrichtung,{NOTE_DE},{NOTE_EN},"
            "https://www.hannover.de/\n",
            encoding="utf-8",
        )
        assert (
            invoke(application, "notes-import", "notizen-1", str(path), "--new-draft").exit_code
            == 0
        )
        assert invoke(application, "publish", "notizen-1").exit_code == 0
        server = make_server("127.0.0.1", 0, application, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_port}"
        server.shutdown()


def new_page(browser, base: str, size: dict, lang: str):
    context = browser.new_context(locale="de-DE", viewport=size)
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{base}/?lang={lang}")  # the language is remembered in a cookie
    return context, page, urls


def clean(page, urls: list[str], base: str) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert all(u.startswith(base) or u.startswith(("data:", "blob:")) for u in urls)


def focused(page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.tagName")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES, ids=["390", "1366"])
def test_note_editor_with_the_keyboard_alone(browser, notes_server, size, lang):
    context, page, urls = new_page(browser, notes_server, size, lang)
    page.goto(notes_server + "/redaktion/anmelden")
    page.focus("#name")
    page.keyboard.type("redaktion")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/redaktion/")
    label = f"k-{size['width']}-{lang}"
    page.focus("#notes-label")
    page.keyboard.type(label)
    page.keyboard.press("Enter")  # submits the notes-draft form
    page.wait_for_url("**/redaktion/release/*")
    clean(page, urls, notes_server)
    # Tab walks the note form in reading order; everything is filled from the keyboard.
    page.focus("#note-ags")
    order = [focused(page)]
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(focused(page))
    assert order == [
        "note-ags",
        "note-target",
        "note-from",
        "note-to",
        "note-category",
        "note-de",
        "note-en",
        "note-url",
        "BUTTON",
    ], order
    page.focus("#note-ags")
    page.keyboard.press("End")  # a select moves with the arrow, Home and End keys
    page.focus("#note-from")
    page.keyboard.type("2016")
    page.focus("#note-de")
    page.keyboard.type("Neue Schule <b>eröffnet</b>")
    page.focus("#note-url")
    page.keyboard.type("javascript:alert(1)")
    page.focus("#note-de")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past English text and the link to the button
    assert focused(page) == "BUTTON"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # A link that is not http(s) (a valid URL to the browser): the server refuses it, names the
    # field and shows the form again with what was typed; nothing is stored.
    assert "https://" in page.locator("#notiz-fehler").inner_text()
    assert page.input_value("#note-de") == "Neue Schule <b>eröffnet</b>"
    assert page.locator("table.notes-table").count() == 0
    clean(page, urls, notes_server)
    page.fill("#note-url", "")
    page.focus("#note-url")
    page.keyboard.type("https://example.org/schule")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("#notizen")
    row = page.locator("table.notes-table tbody tr")
    assert row.count() == 1
    assert "Neue Schule <b>eröffnet</b>" in row.inner_text()  # as text, not markup
    assert page.locator("table.notes-table b").count() == 0
    clean(page, urls, notes_server)
    # the delete button is a real button with a name, reachable by Tab
    page.locator("table.notes-table button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("table.notes-table").count() == 0
    context.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES, ids=["390", "1366"])
def test_markers_on_series_profile_and_map(browser, notes_server, size, lang):
    text = NOTE_EN if lang == "en" else NOTE_DE
    context, page, urls = new_page(browser, notes_server, size, lang)
    # the time series: a marker on the 2015 point, the note below with its link
    page.goto(f"{notes_server}/zeitreihe?indikator=bev_insgesamt&kommunen={HANNOVER}")
    markers = page.locator("svg.chart g.chart-note:visible")
    assert markers.count() == 1 and markers.get_attribute("data-year") == "2015"
    assert text in markers.locator("title").text_content()
    notes = page.locator("#ts-notes")
    assert text in notes.inner_text()
    link = notes.locator("a.note-source")
    link.focus()
    assert page.evaluate("() => document.activeElement.classList.contains('note-source')")
    box = link.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1
    clean(page, urls, notes_server)
    # the profile row
    page.goto(f"{notes_server}/kommune/{HANNOVER}")
    row = page.locator("#row-bev_insgesamt")
    assert text in row.inner_text()
    clean(page, urls, notes_server)
    # the map of 2015: focusing Hannover (keyboard) shows the note in its tooltip
    page.goto(f"{notes_server}/karte?indikator=bev_insgesamt&jahr=2015")
    area = page.locator(f'[data-ags="{HANNOVER}"]')
    assert text in area.get_attribute("aria-label")
    area.focus()
    tip = page.locator(".karte-tooltip").last
    tip.wait_for()
    assert text in tip.inner_text()
    clean(page, urls, notes_server)
    context.close()
