"""The journalist's task in Chromium (issue #29): a CSV of exactly what the map, the ranking and
the time series show, one click away; "Zitieren" (issue #31) keyboard-operable and axe-clean at
390 and 1366 px, in German and English."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.browser.conftest import axe_violations, describe, open_cite_by_keyboard
from tests.browser.families import DESKTOP, OVERFLOW_JS, PHONE

MAP = "/karte?indikator=bev_insgesamt&jahr=2015"
RANKING = "/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024"
SERIES = "/zeitreihe?indikator=bev_insgesamt&kommunen=03241001,03241011"
CHANGE = "/karte?indikator=sgb2_u15_quote_inkar&von=2021&bis=2022"
SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
LANGS = pytest.mark.parametrize("lang", ["de", "en"])


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(90_000)


def _url(live_server: str, path: str, lang: str) -> str:
    return live_server + path + ("&lang=en" if lang == "en" else "")


def _download_csv(page) -> list[list[str]]:
    """Click the view's first data link ("Daten (CSV)") and read the file the browser got."""
    link = page.locator(".view-data-links a").first
    assert link.inner_text() in ("Daten (CSV)", "Data (CSV)")
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    rows = list(csv.reader(io.StringIO(open(path, encoding="utf-8").read())))
    return rows[rows.index([]) + 2 :]  # after the header lines and the column row


@SIZES
@LANGS
def test_the_map_csv_rows_equal_the_maps_table(page, live_server, size, lang):
    page.set_viewport_size(size)
    page.goto(_url(live_server, MAP, lang))
    shown = page.evaluate(
        """() => Array.from(document.querySelectorAll('section.karte-table tbody tr')).map(tr => {
             const td = tr.querySelectorAll('td');
             return [td[0].dataset.sort, td[1].dataset.sort, td[2].dataset.sort];
           })"""
    )
    assert len(shown) == 21
    rows = _download_csv(page)
    kommunen = rows[:-1]
    assert [(r[0], r[1]) for r in kommunen] == [(rank, name) for rank, name, _v in shown]
    assert [float(r[3]) for r in kommunen] == [round(float(v)) for _r, _n, v in shown]
    assert rows[-1][2] == "03241"  # the Region's row, as in the table's foot


@SIZES
@LANGS
def test_the_change_map_csv_rows_equal_its_table(page, live_server, size, lang):
    """The change map (von/bis): "Daten (CSV)" downloads its table's rows (rank, Kommune, both
    years' values, the change); the page with its "Zitieren" box is axe-clean."""
    page.set_viewport_size(size)
    page.goto(_url(live_server, CHANGE, lang))
    shown = page.evaluate(
        """() => Array.from(document.querySelectorAll('section.karte-table tbody tr')).map(tr =>
             Array.from(tr.querySelectorAll('td')).slice(0, 5).map(td => td.dataset.sort))"""
    )
    assert len(shown) == 21
    rows = _download_csv(page)
    kommunen = rows[:-1]
    assert [(r[0], r[1]) for r in kommunen] == [(s[0], s[1]) for s in shown]
    for r, s in zip(kommunen, shown, strict=True):
        for cell, value in zip(r[3:6], s[2:5], strict=True):
            if value == "":
                assert not re.fullmatch(r"-?[0-9.]+", cell), cell
                continue
            places = len(cell.split(".", 1)[1]) if "." in cell else 0
            assert float(cell) == pytest.approx(round(float(value), places), abs=1e-9)
    assert rows[-1][2] == "03241"  # the Region's row, as in the table's foot
    page.locator("details.cite summary").click()
    assert "stand=" in page.locator("input.cite-link").input_value()
    fit = page.evaluate(OVERFLOW_JS)
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


@SIZES
@LANGS
def test_the_ranking_csv_rows_equal_its_table(page, live_server, size, lang):
    page.set_viewport_size(size)
    page.goto(_url(live_server, RANKING, lang))
    shown = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.rank-table tbody tr'))
             .map(tr => [tr.dataset.ags, tr.querySelector('th').firstChild.textContent.trim()])"""
    )
    rows = _download_csv(page)
    assert [(r[2], r[1]) for r in rows[:-1]] == [(a, n) for a, n in shown]
    assert len(shown) == 21


@SIZES
def test_the_time_series_csv_rows_equal_its_table(page, live_server, size):
    page.set_viewport_size(size)
    page.goto(live_server + SERIES)
    years = page.evaluate(
        "() => Array.from(document.querySelectorAll('tr[data-year]')).map(tr => tr.dataset.year)"
    )
    rows = _download_csv(page)
    assert [r[0] for r in rows] == years and years


@SIZES
@LANGS
@pytest.mark.parametrize("path", [MAP, RANKING, SERIES, CHANGE])
def test_cite_is_keyboard_operable_and_axe_clean(page, live_server, size, lang, path):
    page.set_viewport_size(size)
    page.goto(_url(live_server, path, lang))
    # From the last data link, Tab reaches "Zitieren"; Enter opens it; Tab reaches the link.
    open_cite_by_keyboard(page, page.locator(".view-data-links a").last)
    permalink = page.locator("input.cite-link").input_value()
    assert permalink.startswith(live_server) and "stand=" in permalink
    lines = page.locator("p.cite-line").all_inner_texts()
    assert len(lines) == 2 and all(permalink in line for line in lines)
    fit = page.evaluate(OVERFLOW_JS)
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


def test_a_pinned_map_says_whether_newer_data_exist(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(live_server + MAP)
    permalink = page.locator("input.cite-link").input_value()
    page.goto(permalink)
    note = page.locator("p.pinned-note")
    assert "Zitierter Datenstand" in note.inner_text()
    assert "Das sind auch die aktuellen Daten" in note.inner_text()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
