"""HTTP figures: throughput and latency of app pages beside a static file of the same size."""

from __future__ import annotations

import shutil
import time
import urllib.request

from scripts.benchlib import wrk
from scripts.benchlib.servers import ROOT
from scripts.benchlib.stats import ratio, summary

STATIC_DIR = ROOT / "app" / "static" / "_bench"  # gitignored; served by the same server


def fetch(url: str, headers: dict | None = None) -> tuple[int, bytes, float]:
    """GET a URL: status, body, seconds taken."""
    req = urllib.request.Request(url, headers=headers or {})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
            return r.status, body, time.perf_counter() - t0
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.perf_counter() - t0


def make_static_twin(base: str, path: str, name: str) -> str:
    """Save the app's response body as a static file; return its URL path."""
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    status, body, _ = fetch(base + path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    (STATIC_DIR / name).write_bytes(body)
    return f"/static/_bench/{name}"


def remove_static_twins() -> None:
    """Delete the static copies again."""
    shutil.rmtree(STATIC_DIR, ignore_errors=True)


def compare(base: str, targets: dict[str, str], runs: int, seconds: float) -> dict:
    """wrk on each app URL and on its static twin, alternating; ratios per run summarised."""
    out = {}
    for name, path in targets.items():
        twin = make_static_twin(base, path, f"{name}.bin")
        size = (STATIC_DIR / f"{name}.bin").stat().st_size
        fetch(base + path)  # warm the app's cache: this is the "cached" figure
        app_runs, static_runs = [], []
        for _ in range(runs):
            app_runs.append(wrk.run(base + path, seconds))
            static_runs.append(wrk.run(base + twin, seconds))
        out[name] = {
            "path": path,
            "bytes": size,
            "app_rps": summary([r["rps"] for r in app_runs]),
            "app_p50_ms": summary([r["p50_ms"] for r in app_runs]),
            "app_p99_ms": summary([r["p99_ms"] for r in app_runs]),
            "static_rps": summary([r["rps"] for r in static_runs]),
            "static_p50_ms": summary([r["p50_ms"] for r in static_runs]),
            "static_p99_ms": summary([r["p99_ms"] for r in static_runs]),
            "latency_ratio_p50": summary(
                [
                    ratio(a["p50_ms"], s["p50_ms"])
                    for a, s in zip(app_runs, static_runs, strict=True)
                ]
            ),
            "throughput_ratio": summary(
                [ratio(a["rps"], s["rps"]) for a, s in zip(app_runs, static_runs, strict=True)]
            ),
            "errors": sum(r["non_2xx"] + r["socket_errors"] for r in app_runs),
        }
    return out


def cold_map(base: str, indicators: list[str], year: int, static_path: str) -> dict:
    """First (uncached) map renders for several indicators beside single static fetches."""
    cold, static = [], []
    for ind in indicators:
        # A classification nobody asked for before makes sure the render cache is cold.
        status, _, dt = fetch(f"{base}/karte?indikator={ind}&jahr={year}&klassen=gleich")
        if status == 200:
            cold.append(dt * 1000)
        static.append(fetch(base + static_path)[2] * 1000)
    return {
        "app_cold_ms": summary(cold),
        "static_ms": summary(static),
        "latency_ratio": ratio(summary(cold)["median"], summary(static)["median"]),
    }
