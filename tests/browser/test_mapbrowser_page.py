"""Adding a table in the editors' area, in Chromium by keyboard: upload, map, a refused form
(message next to the field), preview map, save as draft — axe-clean at 390 and 1366 px, German
and English, no third-party request."""

from __future__ import annotations

import re
import threading

import pytest
from werkzeug.serving import make_server

from tests import test_genesis_mapping as gm
from tests.browser.conftest import axe_violations, describe
from tests.conftest import invoke
from tests.test_genesis_mapping import UNSEEN

# The home region and the catalogue, no values; a data directory of the test's own.
data_dir = gm.data_dir
region_app = gm.region_app

pytestmark = pytest.mark.browser
PASSWORD = "richtig-langes-passwort"
WIDTHS = (390, 1366)


@pytest.fixture
def server(region_app):
    region_app.config["SESSION_COOKIE_SECURE"] = False  # plain http on the loopback
    assert invoke(region_app, "editor-add", "redaktion", "--password", PASSWORD).exit_code == 0
    srv = make_server("127.0.0.1", 0, region_app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def clean_at_both_widths(page) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_violations(page)
        assert violations == [], f"{width} px: {describe(violations)}"


def type_into(page, label: str, text: str) -> None:
    """Move the focus to a field by its label (as Tab would), select what is in it, type."""
    page.get_by_label(label, exact=True).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def press(page, button: str) -> None:
    page.get_by_role("button", name=button).focus()
    page.keyboard.press("Enter")


def test_a_table_is_mapped_previewed_and_saved_by_keyboard(browser, server, data_dir):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(server + "/redaktion/tabelle/")
    type_into(page, "Name", "redaktion")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # The exact URL: the login page's own (…/anmelden?next=/redaktion/tabelle/) ends like it.
    page.wait_for_url(server + "/redaktion/tabelle/")
    assert page.locator("h1").inner_text() == "Tabelle hinzufügen"
    clean_at_both_widths(page)
    page.get_by_label("Tabelle (CSV oder XLSX)").set_input_files(str(UNSEEN))
    press(page, "Hochladen und ansehen")
    # the staged table's own page (a glob "tabelle/*" would match the start page at once)
    page.wait_for_url(re.compile(r".*/redaktion/tabelle/[^/?#]+$"))
    assert "22543-01-02-4-B" in page.locator("h1").inner_text()
    clean_at_both_widths(page)

    # Row 1 (Betreute Kinder): kind chosen, indicator left blank → refused next to the field.
    type_into(page, "Label des Entwurfs", "kita-browser")
    row = page.get_by_role("group", name="Zeile 1: Betreute Kinder", exact=True)
    row.get_by_label("Art (kind)").focus()
    page.keyboard.type("count")
    row.get_by_label("Zeile der 4. Spalte (row_filter)").focus()
    page.keyboard.type("Tagespflege")
    row.get_by_label("Faktor (factor)").focus()
    page.keyboard.type("1")
    press(page, "Prüfen und Vorschau auf der Karte")
    page.wait_for_load_state()
    error = page.locator("#z1-indicator-fehler")
    assert "leer: die Kennung einer Kennzahl" in error.inner_text()
    assert page.locator("#z1-indicator").get_attribute("aria-invalid") == "true"
    assert list(data_dir.joinpath("mappings", "genesis").iterdir()) == []
    clean_at_both_widths(page)

    row = page.get_by_role("group", name="Zeile 1: Betreute Kinder", exact=True)
    row.get_by_label("Kennzahl (indicator)").focus()
    page.keyboard.type("kindertagespflege_kinder")
    press(page, "Prüfen und Vorschau auf der Karte")
    page.wait_for_load_state()
    assert page.locator("#vorschau").inner_text() == "Vorschau: nichts gespeichert"
    assert page.locator("figure.preview-map svg[role=img]").count() == 1
    assert "1 von 21 Kommunen mit Wert" in page.content()
    clean_at_both_widths(page)

    press(page, "Mapping speichern und als Entwurf laden")
    page.wait_for_url("**/redaktion/release/*")
    assert "Mapping gespeichert" in page.locator(".flash").inner_text()
    assert (data_dir / "mappings" / "genesis" / "22543-01-02-4-B.csv").exists()
    assert all(u.startswith(server) or u.startswith(("data:", "blob:")) for u in urls)
    context.close()


def test_the_mapping_page_in_english_is_axe_clean(browser, server):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(server + "/redaktion/anmelden?lang=en&next=/redaktion/tabelle/")
    page.locator("#name").fill("redaktion")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url("**/redaktion/tabelle/")
    assert page.locator("h1").inner_text() == "Add a table"
    page.locator("#datei").set_input_files(str(UNSEEN))
    press(page, "Upload and inspect")
    # the staged table's own page (a glob "tabelle/*" would match the start page at once)
    page.wait_for_url(re.compile(r".*/redaktion/tabelle/[^/?#]+$"))
    assert page.locator("h1").inner_text() == "Map table 22543-01-02-4-B"
    clean_at_both_widths(page)
    context.close()
