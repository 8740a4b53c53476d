"""First request after a publish, per page family, beside the map of the 21 Kommunen (issue #32).

A publish changes the data version, which empties every region of each app process's cache
(app/web/cache.py): the next request of every URL renders anew. This module does exactly
that between runs (`DataCache.clear()`, what a new data version does) and times each URL's
first request in the app's own process (Flask's test client: the render and its queries,
without nginx and gunicorn, which add the same ~1 ms to every URL). PostgreSQL's own buffers
stay as they are, as after a real publish.

The baseline is the map of the 21 Kommunen for an indicator and year, measured in the same
run the same way (issue: ≤ 15 ms; HTML pages and API paths ≤ 50 ms; images ≤ 300 ms).

Run alone: `.venv/bin/python -m scripts.benchlib.first_request [--runs N] [--database-url U]
[--only FAMILY …]`
(default: the served database; prints JSON and a Markdown table).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any

from scripts.benchlib.stats import ratio

IND, YEAR = "bev_geburtenrate", 2015
BASELINE = ("map (21 Kommunen)", f"/karte?indikator={IND}&jahr={YEAR}", 15)
HTML_BUDGET, IMAGE_BUDGET = 50, 300


def families(conn: Any, germany: bool) -> list[tuple[str, str, int]]:
    """(family, URL, budget in ms) of every page family, API path and image export."""
    from sqlalchemy import text

    gemeinde = conn.scalar(
        text("SELECT ags FROM area WHERE level = 'gemeinde' AND ags NOT LIKE '03241%' LIMIT 1")
    )
    place = "gebiet=DG&ebene=gemeinde" if germany else "gebiet=03&ebene=gemeinde"
    h, img = HTML_BUDGET, IMAGE_BUDGET
    out = [
        BASELINE,
        ("profile", "/kommune/03241007", h),
        ("comparison", "/vergleich/03241001/03241002", h),
        ("area profile", f"/gebiet/{gemeinde or '03254'}", h),
        ("scatter", "/streuung", h),
        ("ranking", "/rangfolge", h),
        ("time series", "/zeitreihe", h),
        ("disparities", "/disparitaeten", h),
        ("map (default)", "/karte", h),
        ("Germany map" if germany else "Land map (Gemeinden)", f"/karte?{place}", h),
        ("/daten", "/daten", h),
    ]
    out += [(f"API {path}", url, h) for path, url in api_examples(conn)]
    out += [
        ("image einordnung.svg", "/kommune/03241001/einordnung.svg", img),
        ("image karte.svg", f"/karte.svg?indikator={IND}&jahr={YEAR}", img),
        ("image karte.png", f"/karte.png?indikator={IND}&jahr={YEAR}", img),
        ("image zeitreihe.svg", f"/zeitreihe.svg?indikator={IND}", img),
        ("image rangfolge.svg", f"/rangfolge.svg?indikator={IND}&jahr={YEAR}", img),
        ("image streuung.svg", "/streuung.svg", img),
    ]
    return out


def data_examples(conn: Any) -> dict[str, list[str]]:
    """Query parameters of the paths whose documented example needs data this database may not
    hold, chosen from its data: `/change` the indicator of the map between two of its years
    (five years apart, the documented example's span, where it can), `/streuung` the pair
    the scatter page opens with. A path without such data keeps its documented example."""
    from app.pages.data.streuung import default_pair
    from indicators.queries import years_available
    from indicators.scatter_queries import indicator_years, pair_years

    out: dict[str, list[str]] = {}
    years = years_available(conn, IND, None)
    if len(years) >= 2:
        bis = years[-1]
        von = max([y for y in years if y <= bis - 5] or [years[0]])
        out["/change"] = [f"indikator={IND}", f"von={von}", f"bis={bis}"]
    by_indicator = indicator_years(conn)
    x, y = default_pair(by_indicator)
    if pair_years(by_indicator, x, y):
        out["/streuung"] = [f"x={x}", f"y={y}"]
    return out


def api_examples(conn: Any = None) -> list[tuple[str, str]]:
    """Each path of the OpenAPI document with its documented example parameters (with a
    connection: `/change` and `/streuung` with parameters of this database, data_examples)."""
    from app.api import openapi

    from_data = data_examples(conn) if conn is not None else {}
    out = []
    for path, item in openapi.document()["paths"].items():
        op = item["get"]
        url = "/api/v1" + path
        for p in op["parameters"]:
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", str(p["example"]))
        query = [
            f"{p['name']}={p['example']}"
            for p in op["parameters"]
            if p["in"] == "query" and p.get("required") and "example" in p
        ]
        if path == "/values":  # not every value of Germany: one indicator and year, as issue 32
            query = [f"indikator={IND}", f"jahr={YEAR}"]
        query = from_data.get(path, query)
        out.append((path, url + ("?" + "&".join(query) if query else "")))
    return out


def run(database_url: str | None = None, runs: int = 5, only: list[str] | None = None) -> dict:
    """p50 (and all runs) of each family's first request after a data change, in ms.

    only: the families whose names contain one of these (the baseline is always measured);
    an A/B of two code versions runs this module twice (PYTHONPATH=<other checkout>) on one
    database, alternating."""
    from sqlalchemy import text

    from app import create_app

    # The served default time to live of the data version (2 s): `DataCache.clear()` forgets
    # the version, so each first request reads it once, as after a publish. With 0 (until
    # 2026-12-07) every `data_version_now()` read it again: 41–45 extra round trips per map,
    # 10–70 ms each on a loaded machine — the bench measured the machine's load, not the page.
    cfg: dict[str, Any] = {"SESSION_COOKIE_SECURE": False}
    if database_url:
        cfg["DATABASE_URL"] = database_url
    app = create_app(cfg)
    # As every served worker after its start-up (scripts/servelib/gunicorn_hooks.py): the app's
    # start-up objects frozen out of the garbage collector's way (else a full collection of
    # ~280,000 objects, ~200 ms, falls into some runs).
    from scripts.servelib.gunicorn_hooks import freeze_start_up

    freeze_start_up()
    engine = app.extensions["sozmon_engine"]
    with engine.connect() as c:
        n_gemeinden = c.scalar(text("SELECT count(*) FROM area WHERE level = 'gemeinde'"))
        n_values = c.scalar(text("SELECT count(*) FROM value"))
    with app.app_context(), engine.connect() as c:
        todo = families(c, germany=n_gemeinden > 10_000)
    if only:
        todo = [f for f in todo if f == BASELINE or any(o in f[0] for o in only)]
    client, cache = app.test_client(), app.extensions["sozmon_cache"]
    rows: dict[str, dict] = {}
    for name, url, budget in todo:
        client.get(url)  # PostgreSQL's buffers as after a publish: the data were read before
        times, status = [], 0
        for _ in range(runs):
            cache.clear()  # what a new data version does to every region
            t0 = time.perf_counter()
            status = client.get(url).status_code
            times.append((time.perf_counter() - t0) * 1000)
        rows[name] = {
            "url": url,
            "status": status,
            "p50_ms": round(statistics.median(times), 1),
            "all_ms": [round(t, 1) for t in times],
            "budget_ms": budget,
        }
    base = rows[BASELINE[0]]["p50_ms"]
    for r in rows.values():
        r["ratio_to_map"] = ratio(r["p50_ms"], base)
        r["within_budget"] = r["p50_ms"] <= r["budget_ms"]
    engine.dispose()
    return {
        "gemeinden": n_gemeinden,
        "values": n_values,
        "runs": runs,
        "load": os.getloadavg(),
        "families": rows,
    }


def markdown(res: dict) -> str:
    """The README's table: family, p50, ratio to the 21-Kommunen map, budget."""
    lines = [
        f"First request after publish ({res['gemeinden']} Gemeinden, {res['values']} values,"
        f" p50 of {res['runs']} runs, load {', '.join(f'{x:.2f}' for x in res['load'])})",
        "",
        "| family | URL | p50 ms | × map | budget ms | ok |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, r in res["families"].items():
        ok = "✓" if r["within_budget"] else "✗"
        lines.append(
            f"| {name} | `{r['url']}` | {r['p50_ms']} | {r['ratio_to_map']} |"
            f" {r['budget_ms']} | {ok}{'' if r['status'] == 200 else ' (' + str(r['status']) + ')'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--only", nargs="*", default=None, help="families whose names contain one of these"
    )
    args = parser.parse_args()
    res = run(args.database_url, args.runs, args.only)
    print(json.dumps(res, indent=1, default=str))
    print(markdown(res))


if __name__ == "__main__":
    main()
