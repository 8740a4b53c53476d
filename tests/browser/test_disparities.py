"""Disparities pages in a real browser: ranking form, verdict map, cluster map, axe-core."""

from tests.browser.conftest import axe_violations, describe


def test_disparities_page_period_form_and_accessibility(page, live_server):
    page.goto(live_server + "/disparitaeten")
    assert "Disparitäten" in page.locator("h1").inner_text()
    assert "Beispieldaten" in page.locator(".demo-note").inner_text()
    page.select_option("#von", "2016")
    page.select_option("#bis", "2020")
    page.select_option("#mass", "theil")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**/disparitaeten?von=2016&bis=2020&mass=theil")
    caption = page.locator("table.ranking caption").inner_text()
    assert "2016–2020" in caption and "Theil" in caption
    assert page.locator("table.ranking tbody tr").count() > 60
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []
    page.locator("table.ranking tbody tr").first.get_by_role("link").click()
    assert page.locator(".chart-wide svg.chart path[stroke-width]").count() >= 2


def test_verdict_colouring_and_spread_chart(page, live_server):
    page.goto(live_server + "/disparitaeten/armutsgefaehrdung_quote?jahr=2024")
    paths = page.locator("svg.svg-map path")
    assert paths.count() == 21
    verdicts = {paths.nth(i).get_attribute("data-verdict") for i in range(21)}
    assert verdicts <= {"better", "similar", "worse", "not_assessable"}
    assert len(verdicts) >= 2
    assert page.locator(".legend li").filter(has_text="nicht bewertbar").count() == 1
    # The table is the map's text alternative: one sentence per Kommune.
    assert page.locator("table.benchmarks tbody tr").count() == 21
    assert "Regionswert" in page.locator("table.benchmarks").inner_text()
    page.select_option("#jahr", "2015")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**jahr=2015")
    assert "2015" in page.locator("#bench-h").inner_text()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


def test_cluster_map(page, live_server):
    page.goto(live_server + "/disparitaeten/armutsgefaehrdung_quote/cluster")
    assert page.locator("svg.svg-map path").count() == 21
    assert "Moran's I" in page.locator("#moran-sentence").inner_text()
    assert "21 Kommunen" in page.locator(".honest-note").inner_text()
    legend = page.locator(".legend li")
    assert legend.count() == 5
    total = sum(int(legend.nth(i).inner_text().rsplit("(", 1)[1].rstrip(")")) for i in range(5))
    assert total == 21
    assert page.locator("table.clusters tbody tr").count() == 21
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []


def test_map_colouring_mode_comparison_with_region(page, live_server):
    page.goto(live_server + "/karte?indikator=armutsgefaehrdung_quote&jahr=2024")
    page.select_option("#farben", "vergleich")
    page.get_by_role("button", name="Karte anzeigen").click()
    page.wait_for_url("**farben=vergleich**")
    labels = page.locator(".legend-label").all_inner_texts()
    assert labels == ["signifikant besser", "ähnlich", "signifikant schlechter", "nicht bewertbar"]
    counts = page.locator(".legend-count").all_inner_texts()
    assert sum(int(c.split()[0].strip("(")) for c in counts) == 21
    assert page.locator(".bench-sentence").count() == 21
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []
