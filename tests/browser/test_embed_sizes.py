"""The embedded map fits any frame (issue #29): in an iframe of another site from 300 × 300 to
1200 × 800 px every Kommune lies inside the map box, the names shown do not overlap, the page
links back to the full map; the map page's embed code offers these sizes."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import axe_violations, describe

EMBED = "/embed/karte?indikator=armutsgefaehrdung_quote&jahr=2024"
SIZES = [(600, 400), (320, 480), (300, 300), (1200, 800)]

# In the frame: the map box, every Kommune's drawn box, every shown name's box (CSS px).
MEASURE = """() => {
  const r = e => { const b = e.getBoundingClientRect();
                   return {l: b.left, t: b.top, r: b.right, b: b.bottom}; };
  const map = document.querySelector('.karte-map .leaflet-container');
  return {
    view: {l: 0, t: 0, r: window.innerWidth, b: window.innerHeight},
    map: r(map),
    areas: [...document.querySelectorAll('path.leaflet-interactive[data-ags]')].map(
      e => Object.assign(r(e), {ags: e.getAttribute('data-ags')})),
    labels: [...document.querySelectorAll('.kommune-label')].map(e => Object.assign(r(e), {
      text: e.innerText, shown: getComputedStyle(e).visibility === 'visible'})),
    back: [...document.querySelectorAll('.embed-source a')].map(a => [a.innerText, a.href, a.target]),
  };
}"""


@pytest.fixture
def framing_site(live_server):
    """Another origin whose page holds the embed in an iframe of the size the test sets."""
    holder = {}

    def wsgi(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [holder["html"].encode()]

    server = make_server("127.0.0.1", 0, wsgi)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def frame_page(width: int, height: int) -> str:
        holder["html"] = (
            "<!doctype html><html lang='de'><head><title>Lokalzeitung</title>"
            "<style>body{margin:8px}</style></head><body>"
            f"<iframe id='karte' title='Karte' src='{live_server}{EMBED}'"
            f" width='{width}' height='{height}' style='border:0'></iframe></body></html>"
        )
        return f"http://127.0.0.1:{server.server_port}/zeitung.html"

    yield frame_page
    server.shutdown()


def _inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (
        inner["l"] >= outer["l"] - slack
        and inner["t"] >= outer["t"] - slack
        and inner["r"] <= outer["r"] + slack
        and inner["b"] <= outer["b"] + slack
    )


def _overlap(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def _settled(frame) -> dict:
    """The frame's boxes once the map has fitted and placed its names (two equal readings)."""
    frame.locator("path.leaflet-interactive[data-ags]").first.wait_for()
    before = None
    for _ in range(40):
        now = frame.evaluate(MEASURE)
        if now == before:
            return now
        before = now
        frame.wait_for_timeout(150)
    return before


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_embed_fits_the_frame(page, framing_site, width, height):
    page.set_viewport_size({"width": max(1280, width + 40), "height": max(900, height + 40)})
    page.goto(framing_site(width, height), wait_until="load")
    frame = page.frame_locator("#karte").first
    frame.locator(".kommune-label").first.wait_for(state="attached")
    m = _settled(page.frames[1])
    assert m["view"]["r"] == width and m["view"]["b"] == height
    assert len(m["areas"]) == 21
    # The map box is inside the frame and takes a good part of it.
    assert _inside(m["map"], m["view"]), m["map"]
    map_h, map_w = m["map"]["b"] - m["map"]["t"], m["map"]["r"] - m["map"]["l"]
    assert map_h >= 0.45 * height and map_w >= 0.6 * width, (map_w, map_h)
    # Every Kommune inside the map box: none cut at any edge.
    cut = [a["ags"] for a in m["areas"] if not _inside(a, m["map"])]
    assert cut == [], (cut, m["map"])
    # The names shown lie inside the map and do not overlap; in a big frame all 21 are shown.
    shown = [lab for lab in m["labels"] if lab["shown"]]
    for lab in shown:
        assert _inside(lab, m["map"]), lab
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert not _overlap(a, b), (a["text"], b["text"])
    assert len(m["labels"]) == 21
    least = 21 if width >= 1200 else 8 if width <= 300 else 12
    assert len(shown) >= least, [lab["text"] for lab in shown]
    # A link back to the full map page, opening outside the frame.
    [(text, href, target)] = [b for b in m["back"] if "/karte?" in b[1]]
    assert "indikator=armutsgefaehrdung_quote" in href and target == "_blank", (text, href)


@pytest.mark.parametrize(("width", "height"), [(320, 480), (1200, 800)])
def test_embed_at_frame_size_is_axe_clean(page, live_server, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server + EMBED)
    page.locator(".kommune-label").first.wait_for(state="attached")
    violations = axe_violations(page)
    assert violations == [], describe(violations)


# The frame sizes every embed code offers after its default (100 % × 560 px).
OFFERED_SIZES = ["1200 × 800 px", "800 × 600 px", "600 × 400 px", "320 × 480 px", "300 × 300 px"]


def size_chooser(page, label: str):
    """The embed code's size chooser, checked to offer OFFERED_SIZES after the default."""
    size = page.get_by_label(label)
    assert size.locator("option").all_inner_texts()[1:] == OFFERED_SIZES
    return size


def test_embed_code_offers_sizes(page, live_server):
    page.goto(live_server + "/karte?indikator=armutsgefaehrdung_quote&jahr=2024")
    code = page.locator("#embed-code")
    assert f'src="{live_server}/embed/karte?' in code.input_value()
    assert 'width="100%" height="560"' in code.input_value()
    size = size_chooser(page, "Größe des Rahmens")
    size.select_option("320x480")
    assert 'width="320" height="480"' in code.input_value()
    assert f'src="{live_server}/embed/karte?' in code.input_value()
    # The chosen size stays when the year changes (the code comes anew from /karte/teile).
    page.locator("#jahr-regler").focus()
    page.keyboard.press("ArrowLeft")
    for _ in range(100):  # (no wait_for_function: the page's CSP forbids its eval)
        if "jahr=2024" not in code.input_value():
            break
        page.wait_for_timeout(100)
    assert "jahr=2024" not in code.input_value() and "jahr=20" in code.input_value()
    assert 'width="320" height="480"' in code.input_value()
