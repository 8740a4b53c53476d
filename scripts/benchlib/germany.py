"""Germany-wide map figures (issue 18), as ratios against budgets and same-run baselines.

Needs `sozmon load-germany` to have run. Measures:
- the first request for the Germany Gemeinde outlines in a fresh app process (nothing cached
  in memory), beside nginx serving the same bytes as a file (brotli_static);
- throughput of the outline endpoint beside that nginx file (wrk);
- the values endpoint of a repaint (`/karte/farben`): server time of a state the process has
  not computed yet and of one it has, beside nginx serving the same bytes;
- in Chromium: first paint of the Germany Gemeinde map (navigation start → all outlines drawn
  on the canvas), bytes on the wire for that first view, and the repaint after a change of
  year or indicator (values only; outlines stay), split into fetch, canvas and page updates,
  for states not yet computed by the server and for states it has computed.

The repaint figures use an app with one worker process, so "not yet computed" and "computed"
are what they say (with two, a second request may reach the other process).

Run alone: `.venv/bin/python -m scripts.benchlib.germany [--runs N]` (prints JSON).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request

from scripts.benchlib.servers import gunicorn_app
from scripts.benchlib.stats import ratio

MAP = "/karte?gebiet=DG&ebene=gemeinde&indikator=bev_anteil_65plus"
SHAPES = "/karte/umrisse?gebiet=DG&ebene=gemeinde"
COLOURS = "/karte/farben"
PLACE = "?gebiet=DG&ebene=gemeinde"
# States with real values for every Gemeinde: a change of indicator, then of year, in turn.
# Each is computed once per app process, so every run takes states of its own.
STATES = [
    f"&indikator={i}&jahr={y}"
    for y in range(2015, 2007, -1)
    for i in ("bev_geburtenrate", "bev_sterberate", "bev_insgesamt", "bev_dichte")
]
BUDGET = {"first_paint_ms": 2000, "first_view_kb": 1536, "repaint_ms": 300, "shapes_first_ms": 300}


def _get(url: str, encoding: str = "br, gzip") -> tuple[float, bytes]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        body = r.read()
    return (time.perf_counter() - t0) * 1000, body


def _germany_loaded() -> bool:
    from sqlalchemy import create_engine, text

    from app.web.config import owner_database_url

    eng = create_engine(owner_database_url())
    with eng.connect() as c:
        n = c.scalar(text("SELECT count(*) FROM area WHERE level = 'gemeinde'"))
    eng.dispose()
    return n > 10_000


def _med(xs: list[float]) -> float:
    return round(statistics.median(xs), 1) if xs else 0.0


def _as_br_file(files, name: str, body: bytes) -> str:
    """Save the app's brotli body as `name.br` (plus a plain twin) for nginx's brotli_static."""
    import brotli

    url = files.add(name, brotli.decompress(body))
    br = files.root / (name + ".br")
    br.write_bytes(body)
    br.chmod(0o644)
    return url


def shapes_first_request(runs: int, files) -> dict:
    """First request for the outlines per fresh app process, beside nginx serving the bytes."""
    firsts, statics, size = [], [], 0
    for _ in range(runs):
        with gunicorn_app(1) as app:
            ms, body = _get(app.base + SHAPES, "br")
            firsts.append(ms)
            size = len(body)
            twin = _as_br_file(files, "umrisse.json", body)
            _get(twin, "br")  # nginx opens the file once (page cache), as for the app's 2nd
            statics.append(_get(twin, "br")[0])
    first, static = statistics.median(firsts), statistics.median(statics)
    return {
        "first_ms_median": round(first, 1),
        "first_ms_all": [round(x, 1) for x in firsts],
        "nginx_file_ms_median": round(static, 1),
        "bytes_on_wire": size,
        "ratio_to_nginx": ratio(first, static),
        "ratio_to_budget": ratio(first, BUDGET["shapes_first_ms"]),
    }


def shapes_throughput(base: str, seconds: float, files) -> dict:
    """wrk requests/s of the outline endpoint (warm) beside nginx serving the same bytes."""
    from scripts.benchlib import wrk

    twin = _as_br_file(files, "umrisse.json", _get(base + SHAPES, "br")[1])
    headers = {"Accept-Encoding": "br"}
    app = wrk.run(base + SHAPES, seconds, headers=headers)
    static = wrk.run(twin, seconds, headers=headers)
    return {
        "app": app,
        "nginx_file": static,
        "throughput_ratio": ratio(app.get("rps", 0), static.get("rps", 0)),
    }


def colours_server(base: str, files, states: list[str]) -> dict:
    """Server time of the repaint's values endpoint: new state, computed state, nginx file."""
    new, again, static, sizes = [], [], [], []
    for s in states:
        url = base + COLOURS + PLACE + s
        ms, body = _get(url, "br")
        new.append(ms)
        again.append(_get(url, "br")[0])
        sizes.append(len(body))
        twin = _as_br_file(files, "farben.json", body)
        _get(twin, "br")
        static.append(_get(twin, "br")[0])
    return {
        "new_state_ms_median": _med(new),
        "new_state_ms_all": [round(x) for x in new],
        "computed_state_ms_median": _med(again),
        "nginx_file_ms_median": _med(static),
        "bytes_br_median": int(statistics.median(sizes)),
        "ratio_new_to_nginx": ratio(_med(new), _med(static)),
    }


def browser_figures(base: str, runs: int, states: list[str]) -> dict:
    """First paint, first-view bytes and repaint times of the Germany Gemeinde map in Chromium."""
    from scripts.benchlib.browser import chromium, first_view_bytes

    paints, new, again, parts, drawn = [], [], [], [], 0
    todo = list(states)
    with chromium() as b:
        view = first_view_bytes(b, base + MAP)
        for _ in range(runs):
            ctx = b.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            page.goto(base + MAP, wait_until="commit")
            page.wait_for_selector("#gebiet-map[data-drawn]", state="attached", timeout=60_000)
            paints.append(page.evaluate("performance.now()"))
            drawn = int(page.get_attribute("#gebiet-map", "data-drawn"))
            mine = [todo.pop(0) for _ in range(3)]
            for s in mine:  # states the server has not computed yet
                new.append(
                    page.evaluate(f"window.SozmonGebiet.repaint({json.dumps(PLACE + s)}, false)")
                )
                parts.append(page.evaluate("window.SozmonGebiet.repaintTimings"))
            for s in mine:  # the same states again: computed, served from the app's memory
                again.append(
                    page.evaluate(f"window.SozmonGebiet.repaint({json.dumps(PLACE + s)}, false)")
                )
            ctx.close()
    paint, repaint = statistics.median(paints), statistics.median(new)
    return {
        "areas_drawn": drawn,
        "first_paint_ms_median": round(paint),
        "first_paint_ms_all": [round(x) for x in paints],
        "first_paint_ratio_to_budget": ratio(paint, BUDGET["first_paint_ms"]),
        "first_view": view,
        "first_view_ratio_to_budget": ratio(view["kb_total"], BUDGET["first_view_kb"]),
        "repaint_new_state_ms_median": round(repaint),
        "repaint_new_state_ms_all": [round(x) for x in new],
        "repaint_new_state_fetch_ms_median": _med([p["fetch"] for p in parts]),
        "repaint_canvas_ms_median": _med([p["canvas"] for p in parts]),
        "repaint_dom_ms_median": _med([p["dom"] for p in parts]),
        "repaint_new_state_ratio_to_budget": ratio(repaint, BUDGET["repaint_ms"]),
        "repaint_computed_state_ms_median": round(statistics.median(again)),
        "repaint_computed_state_ms_all": [round(x) for x in again],
    }


def run(runs: int = 3, seconds: float = 5.0, workers: int = 2) -> dict:
    """All Germany figures as a dict ({'skipped': why} when Germany is not loaded)."""
    from scripts.benchlib.baseline import nginx_files

    if not _germany_loaded():
        return {"skipped": "Deutschland nicht geladen: erst `sozmon load-germany`"}
    runs = min(runs, len(STATES) // 6)  # the browser takes 3 new states a run
    res: dict = {}
    with nginx_files() as files:
        res["shapes_first_request"] = shapes_first_request(runs, files)
        with gunicorn_app(workers) as app:
            res["shapes_throughput"] = shapes_throughput(app.base, seconds, files)
        with gunicorn_app(1) as app:
            _get(app.base + MAP)  # the page's own state and the areas' cache
            res["colours_server"] = colours_server(app.base, files, STATES[: len(STATES) // 2])
            res["browser"] = browser_figures(app.base, runs, STATES[len(STATES) // 2 :])
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(json.dumps(run(args.runs, args.seconds), indent=1, default=str))


if __name__ == "__main__":
    main()
