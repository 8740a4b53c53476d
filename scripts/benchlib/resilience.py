"""Sustained load with 64 connections, and a PostgreSQL restart in the middle of the load."""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from scripts.benchlib import wrk
from scripts.benchlib.http import fetch
from scripts.benchlib.servers import ROOT


def sustained(base: str, pages: dict[str, str], seconds: int) -> dict:
    """32 connections on the map page and 32 on the GeoJSON API at the same time."""
    targets = {"map": base + pages["map"], "api": base + pages["geojson_api"]}
    with ThreadPoolExecutor(2) as pool:
        futures = {k: pool.submit(wrk.run, u, seconds, 32, 1) for k, u in targets.items()}
        out = {k: f.result() for k, f in futures.items()}
    out["errors"] = sum(v["non_2xx"] + v["socket_errors"] for v in out.values())
    out["connections"] = 64
    out["seconds"] = seconds
    return out


def pg_restart(base: str, database_url: str) -> dict:
    """Restart the local cluster under load: statuses seen, and recovery without an app restart."""
    if ".pgdata" not in database_url:
        return {"skipped": "DATABASE_URL is not the local cluster; restart it yourself to test"}
    statuses: list[tuple[float, int]] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            status, _, _ = fetch(base + "/")
            statuses.append((time.monotonic(), status))
            time.sleep(0.02)

    t = threading.Thread(target=poll, daemon=True)
    t.start()
    load = subprocess.Popen(["wrk", "-t1", "-c16", "-d12s", base + "/"], stdout=subprocess.DEVNULL)
    time.sleep(3)
    down = time.monotonic()
    subprocess.run([str(ROOT / "scripts" / "localdb"), "stop"], check=True, capture_output=True)
    time.sleep(2)
    subprocess.run([str(ROOT / "scripts" / "localdb"), "start"], check=True, capture_output=True)
    up = time.monotonic()
    recovered = None
    while time.monotonic() - up < 30:
        if statuses and statuses[-1][1] == 200 and statuses[-1][0] > up:
            recovered = statuses[-1][0] - up
            break
        time.sleep(0.05)
    stop.set()
    t.join()
    load.wait()
    during = Counter(s for ts, s in statuses if down <= ts <= up)
    return {
        "during_outage": dict(during),
        "all": dict(Counter(s for _, s in statuses)),
        "outage_s": round(up - down, 2),
        "recovered_after_s": None if recovered is None else round(recovered, 2),
        "only_200_or_503": set(s for _, s in statuses) <= {200, 503},
    }
