"""Scatter page in a real browser: linked highlighting both ways, selection by keyboard, URL."""

from __future__ import annotations

import re

from tests.browser.conftest import axe_violations, describe

LEHRTE, GARBSEN = "03241011", "03241005"
URL = "/streuung?x=svb_quote&y=bev_anteil_65plus&jahr=2015"

# A point inside an element that receives the pointer there (not covered by another dot or
# shape), in page coordinates: the map's shapes are concave, their box centre may lie outside.
POINT_JS = """(el) => {
  const svg = el.ownerSVGElement, m = el.getScreenCTM(), b = el.getBBox();
  for (let i = 1; i < 12; i++) for (let j = 1; j < 12; j++) {
    const p = new DOMPoint(b.x + b.width * i / 12, b.y + b.height * j / 12);
    if (el.isPointInFill && !el.isPointInFill(p)) continue;
    const s = p.matrixTransform(m);
    if (document.elementFromPoint(s.x, s.y) === el) return {x: s.x, y: s.y};
  }
  return null;
}"""


def _classes(page, selector: str) -> str:
    return page.locator(selector).get_attribute("class") or ""


def _point(page, selector: str) -> dict:
    el = page.locator(selector)
    el.scroll_into_view_if_needed()
    pt = el.evaluate(POINT_JS)
    assert pt, f"no free point on {selector}"
    return pt


def test_hovering_a_dot_highlights_its_map_shape_and_the_reverse(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server + URL)
    dot = f'.chart-wide circle.dot[data-ags="{LEHRTE}"]'
    shape = f'path.map-shape[data-ags="{LEHRTE}"]'
    pt = _point(page, dot)
    page.mouse.move(pt["x"], pt["y"])
    assert "is-hot" in _classes(page, shape)
    assert "is-hot" in _classes(page, f'tr[data-ags="{LEHRTE}"]')
    # The outline is drawn again on top of the neighbours.
    assert page.locator(".streuung-map-svg .map-hot-outline").get_attribute("d")
    page.mouse.move(2, 2)
    assert "is-hot" not in _classes(page, shape)
    # Reverse: pointing at Garbsen on the map highlights its dot (and shows its name).
    pt = _point(page, f'path.map-shape[data-ags="{GARBSEN}"]')
    page.mouse.move(pt["x"], pt["y"])
    assert "is-hot" in _classes(page, f'.chart-wide circle.dot[data-ags="{GARBSEN}"]')
    assert page.locator(f'.chart-wide text.dot-label[data-ags="{GARBSEN}"]').is_visible()
    assert page.locator(f'.streuung-map-labels span[data-ags="{GARBSEN}"]').is_visible()
    assert page.request_log.foreign() == []


def test_keyboard_focus_and_multi_select_in_chart_and_map(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server + URL)
    # One tab stop per drawing: Tab from the year picker's button reaches the first dot.
    page.locator("#streuung-form button[type=submit]").focus()
    page.keyboard.press("Tab")
    active = page.evaluate(
        "() => [document.activeElement.getAttribute('role'),"
        " document.activeElement.getAttribute('data-ags'),"
        " document.activeElement.getAttribute('aria-label')]"
    )
    role, first, label = active
    assert role == "checkbox" and first and "Beschäftigungsquote" in label
    assert "is-hot" in _classes(page, f'path.map-shape[data-ags="{first}"]')
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")
    second = page.evaluate("() => document.activeElement.getAttribute('data-ags')")
    assert second != first
    assert "is-hot" in _classes(page, f'path.map-shape[data-ags="{second}"]')
    assert "is-hot" not in _classes(page, f'path.map-shape[data-ags="{first}"]')
    page.keyboard.press(" ")
    chosen = sorted([first, second])
    for ags in chosen:
        assert (
            page.locator(f'.chart-wide circle.dot[data-ags="{ags}"]').get_attribute("aria-checked")
            == "true"
        )
        assert "is-selected" in _classes(page, f'path.map-shape[data-ags="{ags}"]')
        assert page.locator(f'.auswahl-list input[value="{ags}"]').is_checked()
    assert f"auswahl={chosen[0]}%2C{chosen[1]}" in page.url
    assert "Ausgewählt" in page.locator("#auswahl-status").inner_text()
    # Tab leaves the chart (the narrow drawing is hidden) and enters the map: one stop each.
    page.keyboard.press("Tab")
    assert page.evaluate(
        "() => document.activeElement.closest('svg').classList.contains('streuung-map-svg')"
    )
    map_ags = page.evaluate("() => document.activeElement.getAttribute('data-ags')")
    assert "is-hot" in _classes(page, f'.chart-wide circle.dot[data-ags="{map_ags}"]')
    for key in ("ArrowDown", "ArrowRight", "ArrowUp", "ArrowLeft"):
        page.keyboard.press(key)
        now = page.evaluate("() => document.activeElement.getAttribute('data-ags')")
        assert now and "is-hot" in _classes(page, f'.chart-wide circle.dot[data-ags="{now}"]')
    page.keyboard.press("Home")
    target = page.evaluate("() => document.activeElement.getAttribute('data-ags')")
    page.keyboard.press("Enter")
    expected = sorted(set(chosen) ^ {target})
    assert ("is-selected" in _classes(page, f'.chart-wide circle.dot[data-ags="{target}"]')) == (
        target in expected
    )
    # The address is a permalink: loading it shows the same selection, drawn by the server.
    page.goto(page.url)
    marked = page.eval_on_selector_all(
        "path.map-shape.is-selected", "els => els.map(e => e.dataset.ags)"
    )
    assert sorted(marked) == expected


def test_checkbox_list_selects_by_keyboard_and_clear(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + URL)
    box = page.locator(f'.auswahl-list input[value="{LEHRTE}"]')
    box.focus()
    assert "is-hot" in _classes(page, f'path.map-shape[data-ags="{LEHRTE}"]')
    page.keyboard.press(" ")
    assert "is-selected" in _classes(page, f'.chart-narrow circle.dot[data-ags="{LEHRTE}"]')
    assert "is-selected" in _classes(page, f'path.map-shape[data-ags="{LEHRTE}"]')
    assert f"auswahl={LEHRTE}" in page.url
    assert f"auswahl={LEHRTE}" in page.locator("#permalink").input_value()
    assert "auswahl%3D" in page.locator("#embed-code").input_value() or (
        f"auswahl={LEHRTE}" in page.locator("#embed-code").input_value()
    )
    page.get_by_role("link", name="Auswahl aufheben").click()
    assert "auswahl" not in page.url
    assert not box.is_checked()
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_year_list_follows_the_chosen_pair(page, live_server):
    page.goto(live_server + URL)
    page.select_option("#y", "bev_insgesamt")
    page.select_option("#x", "bev_zensus22")
    years = page.eval_on_selector_all("#jahr option", "os => os.map(o => o.value)")
    assert years == ["2022"]  # the one year both have (the census count)
    page.select_option("#y", "bev_zensus22")
    assert "verschiedene" in page.locator(".form-status").inner_text()
    page.select_option("#y", "bev_insgesamt")
    page.get_by_role("button", name="Anzeigen", exact=True).click()
    page.wait_for_url(re.compile(r"x=bev_zensus22&y=bev_insgesamt&jahr=2022"))
    assert (
        page.locator("svg.scatter").first.is_visible()
        or page.locator(".chart-narrow svg").is_visible()
    )


def test_embed_links_chart_and_map(page, live_server):
    page.set_viewport_size({"width": 600, "height": 720})
    page.goto(live_server + URL.replace("/streuung", "/embed/streuung") + f"&auswahl={GARBSEN}")
    assert "is-selected" in _classes(page, f'path.map-shape[data-ags="{GARBSEN}"]')
    page.locator(f'.chart-narrow circle.dot[data-ags="{LEHRTE}"]').focus()
    assert "is-hot" in _classes(page, f'path.map-shape[data-ags="{LEHRTE}"]')
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []
