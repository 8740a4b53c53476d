"""Smoke test: scripts/bench runs end to end and writes its figures (no timing assertions).

`--smoke` (with `--quick`): each HTTP figure's sides (nginx file, served, app alone) run their
one-second wrk at the same time instead of one after another (34 s of wrk -> ~12 s); every
page, encoding and side is still loaded by its own wrk and checked below."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_run_prints_and_writes_figures(app, tmp_path):
    out = tmp_path / "bench.json"
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"]}
    proc = subprocess.run(
        [
            str(ROOT / "scripts" / "bench"),
            "--quick",
            "--smoke",
            "--skip-failure",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    for heading in (
        "== HTTP",
        "== Static asset",
        "== Map page, cold",
        "== Browser",
        "== Release load",
        "== First request after publish",
    ):
        assert heading in proc.stdout
    figures = json.loads(out.read_text())
    assert figures["quick"] and figures["smoke"]
    assert set(figures["http"]) == {"map", "embed", "profile", "geojson_api", "values_api"}
    for page in figures["http"].values():
        for enc in ("plain", "gzip"):
            fig = page[enc]
            assert fig["served_rps"]["median"] > 0 and fig["nginx_rps"]["median"] > 0
            assert fig["served_throughput_ratio"]["median"] > 0 and fig["errors"] == 0
    assert figures["static_asset"]["gzip"]["errors"] == 0
    assert figures["map_cold"]["samples"] >= 2
    assert figures["first_view"]["map"]["requests"] >= 3
    assert figures["release_load"]["rows"] > 20000
    first = figures["first_request"]["families"]
    assert {"profile", "scatter", "/daten", "image einordnung.svg"} <= set(first)
    assert any(name.startswith("API /values") for name in first)
    # Every answer counts (an API example without data in this database answers 404).
    assert all(f["status"] < 500 and f["p50_ms"] > 0 for f in first.values()), first
    assert all(first[k]["status"] == 200 for k in ("profile", "scatter", "/daten")), first
    assert first["map (21 Kommunen)"]["ratio_to_map"] == 1.0
