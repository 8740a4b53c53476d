"""The map is one tab stop: arrow keys move between Kommunen, Enter opens the profile, Tab leaves."""

from __future__ import annotations

import re
import threading

import pytest
from werkzeug.serving import make_server

# The tabbable element right before and right after an element, in tab order (tabindex >= 0).
NEIGHBOURS_JS = """(sel) => {
  const region = document.querySelector(sel);
  const all = Array.from(document.querySelectorAll(
    'a[href], button, input, select, textarea, [tabindex]'))
    .filter(e => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length > 0);
  const inside = all.filter(e => region.contains(e));
  const before = all.filter(e => !region.contains(e) &&
    (e.compareDocumentPosition(region) & Node.DOCUMENT_POSITION_FOLLOWING));
  const after = all.filter(e => !region.contains(e) &&
    (e.compareDocumentPosition(region) & Node.DOCUMENT_POSITION_PRECEDING));
  const mark = (e, v) => { e.setAttribute('data-probe', v); };
  mark(before[before.length - 1], 'before'); mark(after[0], 'after');
  return inside.length;
}"""
ACTIVE_JS = "() => document.activeElement.getAttribute('data-probe') || document.activeElement.getAttribute('data-ags') || document.activeElement.tagName"


def _tab_through(page, selector: str) -> list[str]:
    """Focus the control before the map, press Tab until the control after it (at most 3×)."""
    page.evaluate(NEIGHBOURS_JS, selector)
    page.focus('[data-probe="before"]')
    seen = []
    for _ in range(3):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(ACTIVE_JS))
        if seen[-1] == "after":
            break
    return seen


@pytest.mark.parametrize("size", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}])
def test_map_is_one_tab_stop_and_enter_opens_the_profile(page, live_server, size):
    page.set_viewport_size(size)
    page.goto(live_server + "/karte?indikator=armutsgefaehrdung_quote&jahr=2024")
    seen = _tab_through(page, ".karte-map")
    assert seen[-1] == "after", f"Tab did not leave the map within 3 presses: {seen}"
    # Back into the map: the focus is on a Kommune, with its name and value in the tooltip.
    page.focus('[data-probe="before"]')
    page.keyboard.press("Tab")
    first = page.evaluate(ACTIVE_JS)
    assert re.fullmatch(r"03241\d{3}", first)
    tip = page.locator(".karte-tooltip").last
    assert re.match(r".+: \d+,\d %", tip.inner_text())
    # Arrow keys move to other Kommunen and the focus stays in the map (never drops to <body>).
    visited = {first}
    for key in ("ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp", "End", "Home"):
        page.keyboard.press(key)
        now = page.evaluate(ACTIVE_JS)
        assert re.fullmatch(r"03241\d{3}", now), (key, now)
        visited.add(now)
    assert len(visited) >= 3
    page.wait_for_timeout(400)  # Leaflet fades a closed tooltip out for 200 ms
    assert page.locator(".karte-tooltip").count() == 1  # tooltips do not pile up
    page.keyboard.press("l")  # type-ahead: the next Kommune starting with L
    target = page.evaluate(ACTIVE_JS)
    name = page.locator(f'path[data-ags="{target}"]').get_attribute("aria-label")
    assert name.startswith(("Laatzen", "Langenhagen", "Lehrte"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/kommune/{target}$"))


@pytest.fixture
def host_site(live_server):
    """A page on another origin that embeds the map between two links of its own."""
    html = (
        "<!doctype html><html lang='de'><head><title>Host</title></head><body>"
        "<a id='host-before' href='#a'>vorher</a>"
        f"<iframe title='Karte' src='{live_server}/embed/karte?indikator=armutsgefaehrdung_quote'"
        " width='500' height='560'></iframe><a id='host-after' href='#b'>danach</a></body></html>"
    )

    def wsgi(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html.encode()]

    server = make_server("127.0.0.1", 0, wsgi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_embed_map_is_one_tab_stop_inside_a_frame(page, host_site):
    page.goto(host_site)
    frame = page.frame_locator("iframe")
    frame.locator("path[data-ags]").first.wait_for()
    page.wait_for_timeout(200)  # karte.js has set up the areas
    assert frame.locator("path[data-ags]").count() == 21
    page.focus("#host-before")
    presses = 0
    while presses < 12 and page.evaluate("() => document.activeElement.id") != "host-after":
        page.keyboard.press("Tab")
        presses += 1
    # year slider and play (1–2), map (3), Leaflet link (4), source links (5–6), image
    # downloads SVG and PNG (7–8): the host page's next link is reached.
    assert page.evaluate("() => document.activeElement.id") == "host-after"
    assert presses <= 11
    attribution = frame.locator(".leaflet-control-attribution a").first
    assert attribution.get_attribute("target") == "_blank"


def test_on_a_phone_one_finger_scrolls_the_page_and_two_move_the_map(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(live_server + "/karte?indikator=armutsgefaehrdung_quote&jahr=2024")
    container = page.locator(".karte-map .leaflet-container")
    classes = container.get_attribute("class")
    # Leaflet's one-finger drag (touch-action: none) is off; pinch zoom with two fingers stays.
    assert "karte-two-finger" in classes and "leaflet-touch-drag" not in classes
    assert "leaflet-touch-zoom" in classes
    assert page.locator(".karte-touch-hint").is_visible()
    context.close()
