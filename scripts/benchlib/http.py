"""HTTP figures: what scripts/serve serves (nginx + app) beside nginx serving the same bytes."""

from __future__ import annotations

import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from scripts.benchlib import wrk
from scripts.benchlib.baseline import Baseline
from scripts.benchlib.stats import ratio, summary

GZIP = {"Accept-Encoding": "gzip"}
PLAIN = {"Accept-Encoding": "identity"}
# A request with a cookie named like the editors' session passes nginx's cache: it measures
# the app itself (its own in-memory page cache), as if there were no front server.
PAST_THE_CACHE = {"Cookie": "session=bench"}


def fetch(url: str, headers: dict | None = None) -> tuple[int, bytes, float]:
    """GET a URL: status, raw body (not decompressed), seconds taken."""
    req = urllib.request.Request(url, headers=headers or {})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
            return r.status, body, time.perf_counter() - t0
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.perf_counter() - t0


def _body(url: str, headers: dict) -> bytes:
    status, body, _ = fetch(url, headers)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}")
    return body


def _side_by_side(
    urls: dict[str, str], headers: dict, runs: int, seconds: float, together: bool = False
) -> dict:
    """wrk on each URL in turn, `runs` times; per-run ratios against urls['nginx'].

    `together` (the test suite's smoke run, `--smoke`): the sides of a run are measured at the
    same time, one wrk each (each URL is still loaded for `seconds` and each figure is still
    parsed from its own wrk's output); they compete for the CPU, so the ratios mean nothing."""
    got: dict[str, list[dict]] = {k: [] for k in urls}
    for _ in range(runs):
        if together:
            with ThreadPoolExecutor(len(urls)) as pool:
                done = {
                    k: pool.submit(wrk.run, u, seconds, headers=headers) for k, u in urls.items()
                }
            for k, fut in done.items():
                got[k].append(fut.result())
            continue
        for k, u in urls.items():
            got[k].append(wrk.run(u, seconds, headers=headers))
    out: dict = {}
    for k, rs in got.items():
        out[f"{k}_rps"] = summary([r["rps"] for r in rs])
        out[f"{k}_p50_ms"] = summary([r["p50_ms"] for r in rs])
        out[f"{k}_p99_ms"] = summary([r["p99_ms"] for r in rs])
        if k != "nginx":
            pairs = list(zip(rs, got["nginx"], strict=True))
            out[f"{k}_throughput_ratio"] = summary([ratio(a["rps"], b["rps"]) for a, b in pairs])
            out[f"{k}_latency_ratio_p50"] = summary(
                [ratio(a["p50_ms"], b["p50_ms"]) for a, b in pairs]
            )
    out["errors"] = sum(r["non_2xx"] + r["socket_errors"] for rs in got.values() for r in rs)
    return out


def pages(
    front: str,
    direct: str,
    baseline: Baseline,
    targets: dict[str, str],
    runs: int,
    seconds: float,
    together: bool = False,
) -> dict:
    """Cached pages: served (nginx cache), the app alone (one instance directly), nginx + file."""
    out = {}
    for name, path in targets.items():
        plain = _body(front + path, PLAIN)
        gz = _body(front + path, GZIP)
        static = baseline.add(f"{name}.html", plain, gz)
        out[name] = {"path": path, "bytes": len(plain), "gzip_bytes": len(gz)}
        for enc, headers in (("plain", PLAIN), ("gzip", GZIP)):
            urls = {"nginx": static, "served": front + path, "app_alone": direct + path}
            out[name][enc] = _side_by_side(urls, headers, runs, seconds, together)
    return out


def static_asset(
    front: str,
    asset_path: str,
    baseline: Baseline,
    runs: int,
    seconds: float,
    together: bool = False,
) -> dict:
    """A hashed asset (leaflet.js) from scripts/serve vs the same bytes from the baseline."""
    plain = _body(front + asset_path, PLAIN)
    gz = _body(front + asset_path, GZIP)
    static = baseline.add("asset.js", plain, gz)
    out = {"path": asset_path, "bytes": len(plain), "gzip_bytes": len(gz)}
    for enc, headers in (("plain", PLAIN), ("gzip", GZIP)):
        out[enc] = _side_by_side(
            {"nginx": static, "served": front + asset_path}, headers, runs, seconds, together
        )
    return out


def cold_map(front: str, indicators: list[str], years: list[int], static_url: str) -> dict:
    """First renders (nothing cached for the URL, in nginx or the app) beside static fetches."""
    cold, static = [], []
    for ind in indicators:
        for year in years:
            # A classification nobody asked for before: nginx misses, the render cache is cold.
            status, _, dt = fetch(f"{front}/karte?indikator={ind}&jahr={year}&klassen=gleich")
            if status == 200:
                cold.append(dt * 1000)
            static.append(fetch(static_url)[2] * 1000)
    return {
        "samples": len(cold),
        "app_cold_ms": summary(cold),
        "static_ms": summary(static),
        "latency_ratio": ratio(summary(cold)["median"], summary(static)["median"]),
        "target_ms": 10,
    }


def first_request(url: str) -> dict:
    """ms of one first request (a cold cache) and of the next one."""
    s1, _, t1 = fetch(url)
    s2, _, t2 = fetch(url)
    return {"status": s1, "first_ms": round(t1 * 1000, 1), "second_ms": round(t2 * 1000, 1)}


def scale_out(one: str, two: str, path: str, runs: int, seconds: float) -> dict:
    """Requests that reach the app (past nginx's cache): one instance vs two behind nginx."""
    a, b = [], []
    # Both stacks warm first (the one instance served every section before; the two are new):
    # a first request builds what a worker keeps per data version, which is not measured here.
    for front in (one, two):
        wrk.run(front + path, 2, 32, 2, headers={**GZIP, **PAST_THE_CACHE})
    for _ in range(runs):
        a.append(wrk.run(one + path, seconds, 32, 2, headers={**GZIP, **PAST_THE_CACHE}))
        b.append(wrk.run(two + path, seconds, 32, 2, headers={**GZIP, **PAST_THE_CACHE}))
    return {
        "path": path,
        "one_instance_rps": summary([r["rps"] for r in a]),
        "two_instances_rps": summary([r["rps"] for r in b]),
        "one_instance_p50_ms": summary([r["p50_ms"] for r in a]),
        "two_instances_p50_ms": summary([r["p50_ms"] for r in b]),
        "throughput_ratio": summary([ratio(y["rps"], x["rps"]) for x, y in zip(a, b, strict=True)]),
        "errors": sum(r["non_2xx"] + r["socket_errors"] for r in a + b),
        "error_kinds": _kinds(a + b),
    }


def _kinds(runs: list[dict]) -> dict[str, int]:
    """Errors of wrk runs by kind: non-2xx answers and each kind of socket error."""
    out = {"non_2xx": sum(r["non_2xx"] for r in runs)}
    for r in runs:
        for kind, n in r.get("socket_error_kinds", {}).items():
            out[kind] = out.get(kind, 0) + n
    return {k: n for k, n in out.items() if n}


def cold_map_cpu(database_url: str, indicators: list[str], years: list[int]) -> dict:
    """CPU time of the app per cold map render, in this process (independent of other load).

    The wall-clock figure above includes waiting for a CPU; on a shared machine that wait can
    be several times the work itself. process_time() counts only this process's CPU.
    """
    from app import create_app

    app = create_app({"DATABASE_URL": database_url, "DATA_VERSION_TTL": 60})
    client = app.test_client()
    cache = app.extensions["sozmon_cache"]
    client.get("/karte")  # topics and geometry: once per data version, not per request
    cpu, wall = [], []
    for ind in indicators:
        for year in years:
            cache.clear_region("pages")
            cache.clear_region("maps")
            t0, c0 = time.perf_counter(), time.process_time()
            status = client.get(f"/karte?indikator={ind}&jahr={year}&klassen=gleich").status_code
            if status == 200:
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - t0) * 1000)
    app.extensions["sozmon_engine"].dispose()
    return {"samples": len(cpu), "cpu_ms": summary(cpu), "wall_ms_in_process": summary(wall)}
