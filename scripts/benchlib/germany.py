"""Germany-wide map figures (issue 18), as ratios against budgets and same-run baselines.

Needs `sozmon load-germany` to have run. Measures:
- the first request for the Germany Gemeinde outlines in a fresh app process (nothing cached
  in memory), beside the same bytes served as a static file by the same server;
- throughput of the outline endpoint beside that static file (wrk);
- in Chromium: first paint of the Germany Gemeinde map (navigation start → all outlines drawn
  on the canvas), bytes on the wire for that first view, and the repaint after a change of
  year or indicator (values only; outlines stay).

Run alone: `.venv/bin/python -m scripts.benchlib.germany [--runs N]` (prints JSON).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request

from scripts.benchlib.servers import ROOT, gunicorn_app
from scripts.benchlib.stats import ratio

MAP = "/karte?gebiet=DG&ebene=gemeinde&indikator=bev_anteil_65plus"
SHAPES = "/karte/umrisse?gebiet=DG&ebene=gemeinde"
REPAINTS = [
    "?gebiet=DG&ebene=gemeinde&indikator=bev_geburtenrate&jahr=2015",  # indicator
    "?gebiet=DG&ebene=gemeinde&indikator=bev_geburtenrate&jahr=2012",  # year
    "?gebiet=DG&ebene=gemeinde&indikator=alo_anteil",  # indicator
]
BUDGET = {"first_paint_ms": 2000, "first_view_kb": 1536, "repaint_ms": 300, "shapes_first_ms": 300}
STATIC = ROOT / "app" / "static" / "_bench"


def _get(url: str) -> tuple[float, bytes]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        body = r.read()
    return (time.perf_counter() - t0) * 1000, body


def _germany_loaded() -> bool:
    from sqlalchemy import create_engine, text

    from app.config import from_environment

    eng = create_engine(from_environment()["DATABASE_URL"])
    with eng.connect() as c:
        n = c.scalar(text("SELECT count(*) FROM area WHERE level = 'gemeinde'"))
    eng.dispose()
    return n > 10_000


def shapes_first_request(runs: int) -> dict:
    """First request for the outlines per fresh app process, beside a static file of them."""
    firsts, statics, size = [], [], 0
    STATIC.mkdir(exist_ok=True)
    for _ in range(runs):
        with gunicorn_app(1) as app:
            ms, body = _get(app.base + SHAPES)
            firsts.append(ms)
            size = len(body)
            twin = STATIC / "umrisse.json"
            twin.write_bytes(_get(app.base + SHAPES)[1])
            statics.append(_get(app.base + "/static/_bench/umrisse.json")[0])
    (STATIC / "umrisse.json").unlink(missing_ok=True)
    first, static = statistics.median(firsts), statistics.median(statics)
    return {"first_ms_median": round(first, 1), "first_ms_all": [round(x, 1) for x in firsts],
            "static_ms_median": round(static, 1), "bytes_on_wire": size,
            "ratio_to_static": ratio(first, static),
            "ratio_to_budget": ratio(first, BUDGET["shapes_first_ms"])}  # fmt: skip


def shapes_throughput(base: str, seconds: float) -> dict:
    """wrk requests/s of the outline endpoint (warm) beside a static file of the same bytes."""
    from scripts.benchlib import wrk

    STATIC.mkdir(exist_ok=True)
    (STATIC / "umrisse.json").write_bytes(_get(base + SHAPES)[1])
    try:
        app = wrk.run(base + SHAPES, seconds, headers={"Accept-Encoding": "br"})
        static = wrk.run(base + "/static/_bench/umrisse.json", seconds)
    finally:
        (STATIC / "umrisse.json").unlink(missing_ok=True)
    return {"app": app, "static": static,
            "throughput_ratio": ratio(app.get("rps", 0), static.get("rps", 0))}  # fmt: skip


def browser_figures(base: str, runs: int) -> dict:
    """First paint, first-view bytes and repaint times of the Germany Gemeinde map in Chromium."""
    from scripts.benchlib.browser import chromium, first_view_bytes

    paints, repaints, drawn = [], [], 0
    with chromium() as b:
        view = first_view_bytes(b, base + MAP)
        for _ in range(runs):
            ctx = b.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            page.goto(base + MAP, wait_until="commit")
            page.wait_for_selector("#gebiet-map[data-drawn]", state="attached", timeout=60_000)
            paints.append(page.evaluate("performance.now()"))
            drawn = int(page.get_attribute("#gebiet-map", "data-drawn"))
            for q in REPAINTS:
                repaints.append(
                    page.evaluate(f"window.SozmonGebiet.repaint({json.dumps(q)}, false)")
                )
            ctx.close()
    paint, repaint = statistics.median(paints), statistics.median(repaints)
    return {
        "areas_drawn": drawn,
        "first_paint_ms_median": round(paint), "first_paint_ms_all": [round(x) for x in paints],
        "first_paint_ratio_to_budget": ratio(paint, BUDGET["first_paint_ms"]),
        "first_view": view, "first_view_ratio_to_budget": ratio(view["kb_total"], BUDGET["first_view_kb"]),
        "repaint_ms_median": round(repaint), "repaint_ms_all": [round(x) for x in repaints],
        "repaint_ratio_to_budget": ratio(repaint, BUDGET["repaint_ms"]),
    }  # fmt: skip


def run(runs: int = 3, seconds: float = 5.0, workers: int = 2) -> dict:
    """All Germany figures as a dict ({'skipped': why} when Germany is not loaded)."""
    if not _germany_loaded():
        return {"skipped": "Deutschland nicht geladen: erst `sozmon load-germany`"}
    res = {"shapes_first_request": shapes_first_request(runs)}
    with gunicorn_app(workers) as app:
        res["shapes_throughput"] = shapes_throughput(app.base, seconds)
        res["browser"] = browser_figures(app.base, runs)
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(json.dumps(run(args.runs, args.seconds), indent=1, default=str))


if __name__ == "__main__":
    main()
