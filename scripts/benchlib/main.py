"""scripts/bench: every performance figure, each beside a baseline measured in the same run.

The app is measured as `scripts/serve` serves it (nginx in front of gunicorn, started by the
same script); the baseline is nginx from Debian serving the same bytes as files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

from scripts.benchlib import (
    baseline,
    browser,
    genesis_import,
    http,
    load,
    pygeoapi_cfg,
    report,
    resilience,
    scale,
)
from scripts.benchlib.stats import ratio
from scripts.servelib.control import served
from scripts.servelib.stack import ROOT

# A real indicator of the default install (real data only) with values for every Kommune.
IND, YEAR = "bev_geburtenrate", 2015
PAGES = {
    "map": f"/karte?indikator={IND}&jahr={YEAR}",
    "embed": f"/embed/karte?indikator={IND}&jahr={YEAR}",
    "profile": "/kommune/03241001",
    "geojson_api": "/api/v1/areas",
    "values_api": f"/api/v1/values?indikator={IND}&jahr={YEAR}",
}
# Real indicators with values for every Kommune in COLD_YEARS.
COLD_INDICATORS = [
    "bev_sterberate",
    "bev_dichte",
    "bev_insgesamt",
    "bev_geburtenrate",
    "wohngeld_hh_ew",
]
COLD_YEARS = [2013, 2014, 2015]


def database_url() -> str:
    """The database measured (DATABASE_URL, else the local cluster as its superuser: the bench
    makes and loads databases of its own)."""
    sys.path.insert(0, str(ROOT))
    from app.web.config import local_database_url

    return os.environ.get("DATABASE_URL") or local_database_url(user="postgres")


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


def show(name: str, value: object) -> None:
    print(f"  {name}: {json.dumps(value, default=str)}", flush=True)


def _show_pair(name: str, fig: dict) -> None:
    keep = (
        "nginx_rps",
        "served_rps",
        "served_throughput_ratio",
        "nginx_p50_ms",
        "served_p50_ms",
        "served_latency_ratio_p50",
        "app_alone_rps",
        "app_alone_throughput_ratio",
        "app_alone_latency_ratio_p50",
        "errors",
    )
    show(
        name,
        {k: (fig[k]["median"] if isinstance(fig[k], dict) else fig[k]) for k in keep if k in fig},
    )


def _asset_path(front: str) -> str:
    """The hashed URL of leaflet.js as the map page links it."""
    import re

    _s, html, _t = http.fetch(front + PAGES["map"], http.PLAIN)
    return re.search(rb"/static/vendor/leaflet/leaflet\.[0-9a-f]{12}\.js", html).group().decode()


def run(args: argparse.Namespace) -> dict:
    """Run the sections asked for; return all figures."""
    res: dict = {
        "started": dt.datetime.now(dt.UTC).isoformat(),
        "machine": platform.node(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
        "smoke": args.smoke,
        "served": {"workers": args.workers, "worker_class": "gthread", "threads": 4},
        "baseline": "nginx (Debian) serving the same bytes as files, gzip_static",
    }
    url = database_url()
    env = {"WORKERS": str(args.workers), "SESSION_COOKIE_SECURE": "0"}
    with served(None, 1, **env) as stack, baseline.nginx_files() as files:
        front, direct = stack["front"], stack["instances"][0]
        section("HTTP: cached pages from scripts/serve vs nginx serving the same bytes as a file")
        res["http"] = http.pages(front, direct, files, PAGES, args.runs, args.seconds, args.smoke)
        for name, fig in res["http"].items():
            for enc in ("plain", "gzip"):
                _show_pair(f"{name} ({fig['bytes']} B, {enc})", fig[enc])

        section("Static asset (leaflet.js, hashed name) vs the same bytes from nginx")
        res["static_asset"] = http.static_asset(
            front, _asset_path(front), files, args.runs, args.seconds, args.smoke
        )
        for enc in ("plain", "gzip"):
            _show_pair(f"leaflet.js ({enc})", res["static_asset"][enc])

        section("Map page, cold (nothing cached for the URL) vs a static fetch")
        map_file = files.add("cold.html", http._body(front + PAGES["map"], http.PLAIN))
        years = COLD_YEARS[-1:] if args.quick else COLD_YEARS
        res["map_cold"] = http.cold_map(
            front, COLD_INDICATORS[: 2 if args.quick else 5], years, map_file
        )
        show("map_cold", res["map_cold"])
        res["map_cold_cpu"] = http.cold_map_cpu(
            url, COLD_INDICATORS[: 2 if args.quick else 5], years
        )
        show("map_cold_cpu", res["map_cold_cpu"])

        section("Browser: bytes of a first view (gzip, all assets) and first map paint")
        with browser.chromium() as b:
            res["first_view"] = {
                k: browser.first_view_bytes(b, front + PAGES[k])
                for k in ("map", "profile", "embed")
            }
            for k, v in res["first_view"].items():
                show(k, {**v, "budget_kb": 150, "ratio_to_budget": ratio(v["kb_total"], 150)})
            res["first_paint"] = browser.paint_vs_static(
                b, front + PAGES["map"], map_file, 2 if args.quick else 5
            )
            show("first_map_paint", res["first_paint"])

        if not args.skip_pygeoapi:
            section("GeoJSON API (one app instance, no nginx) vs pygeoapi on the same table")
            with (
                tempfile.TemporaryDirectory() as tmp,
                pygeoapi_cfg.start(url, args.workers, Path(tmp)) as pg,
            ):
                res["pygeoapi"] = load.api_vs_pygeoapi(direct, pg.base, args.runs, args.seconds)
            show("api_vs_pygeoapi", res["pygeoapi"])

        section("Release load time vs COPY of the same rows into a bare table")
        res["release_load"] = load.release_load(url, 1 if args.quick else 3)
        show("release_load", res["release_load"])

        if not args.skip_failure:
            section("Failure and load: 64 connections against map + API; PostgreSQL restart")
            res["load64"] = resilience.sustained(front, PAGES, 10 if args.quick else 60)
            show("load64", res["load64"])
            res["pg_restart"] = resilience.pg_restart(front, url)
            show("pg_restart", res["pg_restart"])

        if not args.skip_scale_out:
            section("Scale-out: requests reaching the app, one instance vs two behind nginx")
            with served(None, 2, **env) as two:
                res["scale_out"] = http.scale_out(
                    front, two["front"], PAGES["map"], args.runs, args.seconds
                )
            res["scale_out"]["workers_per_instance"] = args.workers
            show("scale_out", res["scale_out"])

    if not args.skip_genesis:
        section("Real data: 24 GENESIS tables for every German Gemeinde vs a bare COPY")
        res["genesis"] = genesis_import.run(url)
        for k, v in res["genesis"].items():
            show(k, v)

    if not args.skip_scale:
        section("Scale: all 10,997 German Gemeinden, 100 indicators x 13 years (synthetic)")
        res["scale"] = scale.run(url, args.workers, quick=args.quick)
        for k, v in res["scale"].items():
            show(k, v)
    if getattr(args, "germany", True):
        from scripts.benchlib import germany  # issue 18; skipped unless load-germany ran

        section("Germany: Gemeinde map of all Germany (outlines, first paint, repaint)")
        res["germany"] = germany.run(2 if args.quick else 3, args.seconds, args.workers)
        show("germany", res["germany"])
    if not args.skip_first_request:
        from scripts.benchlib import first_request  # issue 32

        section("First request after publish, per page family (baseline: map of 21 Kommunen)")
        # quick: one run per family, as every figure of a smoke run (the full run: median of 7)
        res["first_request"] = first_request.run(url, 1 if args.quick else 7)
        print(first_request.markdown(res["first_request"]), flush=True)
    res["finished"] = dt.datetime.now(dt.UTC).isoformat()
    return res


def main() -> None:
    """Parse options, run, print and write JSON."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument(
        "--quick", action="store_true", help="smoke run: short, skips scale and pygeoapi"
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="with --quick, for the test suite: the sides of each HTTP figure (nginx, served, "
        "app alone) measured at the same time; shorter, the ratios mean nothing",
    )
    p.add_argument("--runs", type=int, default=3, help="repetitions per figure (min/median/max)")
    p.add_argument("--seconds", type=float, default=10, help="seconds per wrk run")
    p.add_argument(
        "--workers",
        type=int,
        default=max(2, (os.cpu_count() or 2)),
        help="gunicorn workers per instance (scripts/serve's WORKERS)",
    )
    p.add_argument("--skip-scale", action="store_true")
    p.add_argument("--skip-scale-out", action="store_true")
    p.add_argument("--skip-pygeoapi", action="store_true")
    p.add_argument("--skip-failure", action="store_true")
    p.add_argument("--skip-genesis", action="store_true")
    p.add_argument("--skip-first-request", action="store_true")
    p.add_argument("--out", type=Path, default=ROOT / "bench-results" / "bench.json")
    args = p.parse_args()
    if args.smoke and not args.quick:
        p.error("--smoke only with --quick")
    if args.quick:
        args.runs, args.seconds = 1, 1
        args.skip_scale = args.skip_pygeoapi = args.skip_scale_out = args.skip_genesis = True
    res = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, default=str))
    table = args.out.with_suffix(".md")
    text = report.markdown(json.loads(args.out.read_text()))
    if "first_request" in res:
        from scripts.benchlib import first_request

        text += "\n" + first_request.markdown(res["first_request"])
    table.write_text(text)
    print(f"\nFigures written to {args.out}, the README's table to {table}")


if __name__ == "__main__":
    main()
