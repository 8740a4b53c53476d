"""scripts/bench: every performance figure, each beside a baseline measured in the same run."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

from scripts.benchlib import browser, http, load, pygeoapi_cfg, resilience, scale
from scripts.benchlib.servers import ROOT, gunicorn_app
from scripts.benchlib.stats import ratio

IND, YEAR = "sgb2_quote", 2024
PAGES = {
    "map": f"/karte?indikator={IND}&jahr={YEAR}",
    "embed": f"/embed/karte?indikator={IND}&jahr={YEAR}",
    "profile": "/kommune/03241001",
    "geojson_api": "/api/v1/areas",
}


def database_url() -> str:
    """The database the app uses (DATABASE_URL or the local cluster)."""
    sys.path.insert(0, str(ROOT))
    from app.config import from_environment

    return from_environment()["DATABASE_URL"]


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


def show(name: str, value: object) -> None:
    print(f"  {name}: {json.dumps(value, default=str)}", flush=True)


def run(args: argparse.Namespace) -> dict:
    """Run the sections asked for; return all figures."""
    res: dict = {"started": dt.datetime.now(dt.UTC).isoformat(), "machine": platform.node(),
                 "cpus": os.cpu_count(), "quick": args.quick}  # fmt: skip
    url = database_url()
    workers = args.workers
    with gunicorn_app(workers) as app:
        section(f"HTTP: app pages vs a static file of the same size (gunicorn, {workers} workers)")
        res["http"] = http.compare(app.base, PAGES, args.runs, args.seconds)
        for k, v in res["http"].items():
            show(k, {"bytes": v["bytes"], "rps": v["app_rps"], "p50_ms": v["app_p50_ms"],
                     "p99_ms": v["app_p99_ms"], "static_p50_ms": v["static_p50_ms"],
                     "latency_ratio_p50": v["latency_ratio_p50"],
                     "throughput_ratio": v["throughput_ratio"]})  # fmt: skip
        section("Map page, cold render cache vs a static fetch")
        inds = ["sgb2_quote", "alo_quote", "krippe_quote", "kita_quote", "auslaender_anteil"]
        res["map_cold"] = http.cold_map(app.base, inds[: 2 if args.quick else 5], YEAR,
                                        "/static/_bench/map.bin")  # fmt: skip
        show("map_cold", res["map_cold"])

        section("Browser: bytes of a first view (gzip, all assets) and first map paint")
        map_html = http.make_static_twin(app.base, PAGES["map"], "map.html")
        with browser.chromium() as b:
            res["first_view"] = {
                k: browser.first_view_bytes(b, app.base + PAGES[k])
                for k in ("map", "profile", "embed")
            }
            for k, v in res["first_view"].items():
                show(k, {**v, "budget_kb": 150, "ratio_to_budget": ratio(v["kb_total"], 150)})
            res["first_paint"] = browser.paint_vs_static(
                b, app.base + PAGES["map"], app.base + map_html, 2 if args.quick else 5
            )
            show("first_map_paint", res["first_paint"])

        if not args.skip_pygeoapi:
            section("GeoJSON API vs pygeoapi (OGC API Features) on the same table, same load")
            with (
                tempfile.TemporaryDirectory() as tmp,
                pygeoapi_cfg.start(url, workers, Path(tmp)) as pg,
            ):
                res["pygeoapi"] = load.api_vs_pygeoapi(app.base, pg.base, args.runs, args.seconds)
            show("api_vs_pygeoapi", res["pygeoapi"])

        section("Release load time vs COPY of the same rows into a bare table")
        res["release_load"] = load.release_load(url, 1 if args.quick else 3)
        show("release_load", res["release_load"])

        if not args.skip_failure:
            section("Failure and load: 64 connections against map + API; PostgreSQL restart")
            res["load64"] = resilience.sustained(app.base, PAGES, 10 if args.quick else 60)
            show("load64", res["load64"])
            res["pg_restart"] = resilience.pg_restart(app.base, url)
            show("pg_restart", res["pg_restart"])
    http.remove_static_twins()

    if not args.skip_scale:
        section("Scale: all 10,997 German Gemeinden, 100 indicators x 13 years (synthetic)")
        res["scale"] = scale.run(url, workers, quick=args.quick)
        for k, v in res["scale"].items():
            show(k, v)
    if getattr(args, "germany", True):
        from scripts.benchlib import germany  # issue 18; skipped unless load-germany ran

        section("Germany: Gemeinde map of all Germany (outlines, first paint, repaint)")
        res["germany"] = germany.run(2 if args.quick else 3, args.seconds, workers)
        show("germany", res["germany"])
    res["finished"] = dt.datetime.now(dt.UTC).isoformat()
    return res


def main() -> None:
    """Parse options, run, print and write JSON."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument(
        "--quick", action="store_true", help="smoke run: short, skips scale and pygeoapi"
    )
    p.add_argument("--runs", type=int, default=3, help="repetitions per figure (min/median/max)")
    p.add_argument("--seconds", type=float, default=10, help="seconds per wrk run")
    p.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 2)))
    p.add_argument("--skip-scale", action="store_true")
    p.add_argument("--skip-pygeoapi", action="store_true")
    p.add_argument("--skip-failure", action="store_true")
    p.add_argument("--out", type=Path, default=ROOT / "bench-results" / "bench.json")
    args = p.parse_args()
    if args.quick:
        args.runs, args.seconds = 1, 1
        args.skip_scale = args.skip_pygeoapi = True
    res = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, default=str))
    print(f"\nFigures written to {args.out}")


if __name__ == "__main__":
    main()
