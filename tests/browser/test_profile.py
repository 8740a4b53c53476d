"""Profile, comparison and time series in Chromium: the walk from the map, numbers, axe, print."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.browser.conftest import axe_violations, describe

LEHRTE, GARBSEN, REGION = "03241011", "03241005", "03241"
# Indicators whose shown values are the demo release's (no real values for these Kommunen).
CHECKED = ("armutsgefaehrdung_quote", "kaufkraft_index", "einpersonenhh_anteil")


def latest(conn, indicator: str) -> dict[str, float]:
    """Latest demo values of an indicator for every area, read from the database."""
    rows = conn.execute(
        text(
            "SELECT ags, value FROM value v JOIN release r ON r.id = v.release_id"
            " WHERE r.label = 'demo-2024-2' AND v.indicator_id = :i AND v.year ="
            "  (SELECT max(year) FROM value w WHERE w.indicator_id = :i AND w.release_id = r.id)"
        ),
        {"i": indicator},
    )
    return dict(rows.all())


def de1(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def cell(page, indicator: str, cls: str) -> str:
    return page.locator(f"#row-{indicator} td.{cls}").inner_text().strip()


def test_walk_map_profile_compare_time_series(page, live_server, conn):
    # 1. map: click a Kommune's link in the values table
    page.goto(live_server + "/karte?indikator=armutsgefaehrdung_quote&jahr=2024")
    page.locator("table a", has_text="Lehrte").first.click()
    page.wait_for_url(re.compile(rf"/kommune/{LEHRTE}$"))
    assert "Lehrte" in page.locator("h1").inner_text()
    # 2. profile: numbers against the database
    for ind in CHECKED:
        vals = latest(conn, ind)
        assert cell(page, ind, "value").startswith(de1(vals[LEHRTE])), ind
        assert cell(page, ind, "region").startswith(de1(vals[REGION])), ind
    pop = conn.scalar(
        text("SELECT value FROM value WHERE indicator_id = 'bev_zensus22' AND ags = :a"),
        {"a": LEHRTE},
    )
    assert page.locator("#fig-population").inner_text() == f"{round(pop):,}".replace(",", ".")
    # 3. compare with another Kommune through the picker (a name the server resolves)
    page.fill("#cmp-b", "Garbsen")
    page.get_by_role("button", name="Vergleichen").click()
    page.wait_for_url(re.compile(rf"/vergleich/{LEHRTE}/{GARBSEN}$"))
    page.locator("details.compare-topic > summary").evaluate_all(
        "els => els.forEach(e => e.click())"
    )
    page.locator("details.compare-topic").first.evaluate("d => d.open = true")  # was open: reopen
    for ind in CHECKED:
        vals = latest(conn, ind)
        assert cell(page, ind, "value-a").startswith(de1(vals[LEHRTE])), ind
        assert cell(page, ind, "value-b").startswith(de1(vals[GARBSEN])), ind
        assert cell(page, ind, "region").startswith(de1(vals[REGION])), ind
    page.locator("#swap").click()
    page.wait_for_url(re.compile(rf"/vergleich/{GARBSEN}/{LEHRTE}$"))
    assert page.locator("#name-a").inner_text() == "Garbsen"
    # the row's link opens its topic's charts (fetched when opened) and goes to the chart
    page.locator("details.compare-topic:has(#row-armutsgefaehrdung_quote) > summary").click()
    page.locator('a[data-chart="chart-armutsgefaehrdung_quote"]').click()
    page.wait_for_function("() => document.activeElement.id === 'chart-armutsgefaehrdung_quote'")
    # 4. the time series of one indicator with both Kommunen
    page.locator("#chart-armutsgefaehrdung_quote a.ts-link").click()
    page.wait_for_url(re.compile(r"/zeitreihe\?indikator=armutsgefaehrdung_quote"))
    vals = latest(conn, "armutsgefaehrdung_quote")
    row = page.locator('tr[data-year="2024"] td').all_inner_texts()
    assert row == [de1(vals[a]) + " %" for a in (REGION, GARBSEN, LEHRTE)]
    assert page.locator("tbody tr").count() >= 10
    page.get_by_label("Index (erstes Jahr = 100)").check()
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url(re.compile(r"darstellung=index"))
    assert page.locator('tr[data-year="2012"] td').all_inner_texts() == ["100,0"] * 3
    assert page.request_log.foreign() == []


def test_walk_from_the_kommunen_list(page, live_server, conn):
    page.goto(live_server + "/kommunen")
    page.get_by_role("link", name="Garbsen").click()
    page.wait_for_url(re.compile(rf"/kommune/{GARBSEN}$"))
    vals = latest(conn, "kaufkraft_index")
    assert cell(page, "kaufkraft_index", "value").split("\n")[0] == de1(vals[GARBSEN]) + " Index"
    # a sparkline leads to the indicator's time series with the Kommune
    page.locator("#row-armutsgefaehrdung_quote td.spark a").click()
    page.wait_for_url(
        re.compile(rf"/zeitreihe\?indikator=armutsgefaehrdung_quote&kommunen={GARBSEN}")
    )
    assert page.locator("svg.chart path[stroke]").count() >= 3


@pytest.mark.parametrize(
    "path",
    [
        f"/kommune/{LEHRTE}",
        f"/kommune/{REGION}",
        f"/vergleich/{LEHRTE}/{GARBSEN}",
        f"/zeitreihe?indikator=armutsgefaehrdung_quote&kommunen={LEHRTE},{GARBSEN}",
        "/zeitreihe?indikator=kaufkraft_index&darstellung=index",
        "/kommunen",
        "/kommune/99999999",
    ],
)
def test_pages_have_no_axe_violations_and_no_third_parties(page, live_server, path):
    page.goto(live_server + path)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


def test_print_stylesheet_makes_the_profile_a_pdf(page, live_server):
    page.goto(live_server + f"/kommune/{LEHRTE}")
    button = page.get_by_role("button", name="Profil als PDF")
    assert button.is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".toolbar").is_visible()
    assert page.locator("#row-armutsgefaehrdung_quote").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
