"""Image export: time to build the map's SVG and to draw it as PNG, per renderer.

    .venv/bin/python -m scripts.benchlib.image_export [--runs 10] [--path '/karte.svg?…']

Builds the SVG through the app (against DATABASE_URL, the served database by default), then
draws the same SVG at 2× with cairosvg (the app's choice), with resvg-py when it is importable
(not a dependency: for comparison only) and with Chromium through Playwright (the Fokusberichte
PDF's engine): a cold start per image, as a request would need without a browser pool, and a
warm page. Medians of --runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from app.render.image_export import PNG_SCALE, svg_to_png


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 1)


def _chromium(svg: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    from app.render.chromium import launch_options

    html = f"<html><body style='margin:0'>{svg.split('?>', 1)[-1]}</body></html>"

    def shot(pw, browser=None):
        b = browser or pw.chromium.launch(**launch_options())
        page = b.new_page(device_scale_factor=PNG_SCALE, viewport={"width": 1000, "height": 800})
        page.set_content(html)
        png = page.locator("svg").first.screenshot()
        page.close()
        if browser is None:
            b.close()
        return png

    with sync_playwright() as pw:
        cold = _median_ms(lambda: shot(pw), max(1, runs // 3))
        browser = pw.chromium.launch(**launch_options())
        warm = _median_ms(lambda: shot(pw, browser), runs)
        browser.close()
    return {"chromium_cold_ms": cold, "chromium_warm_page_ms": warm}


def run(path: str, runs: int) -> dict:
    """The figures as a dict (milliseconds, medians)."""
    from app import create_app
    from app.web.cache import EXTENSION

    app = create_app()
    client = app.test_client()

    def fresh_svg() -> bytes:
        # The page cache would answer every repeat from memory; query results stay cached.
        app.extensions[EXTENSION].clear_region("pages")
        r = client.get(path)
        assert r.status_code == 200, r.status_code
        return r.data

    svg = fresh_svg().decode()
    out = {
        "path": path,
        "svg_bytes": len(svg),
        "runs": runs,
        "svg_request_ms": _median_ms(fresh_svg, runs),
        "cairosvg_png_ms": _median_ms(lambda: svg_to_png(svg), runs),
        "png_bytes": len(svg_to_png(svg)),
    }
    try:
        import resvg_py

        out["resvg_py_png_ms"] = _median_ms(
            lambda: resvg_py.svg_to_bytes(svg_string=svg, zoom=PNG_SCALE), runs
        )
    except ImportError:
        out["resvg_py_png_ms"] = None
    out.update(_chromium(svg, runs))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--path", default="/karte.svg?indikator=sgb2_quote&jahr=2020")
    args = parser.parse_args()
    print(json.dumps(run(args.path, args.runs), indent=2))


if __name__ == "__main__":
    main()
