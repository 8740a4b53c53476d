"""The README's performance table from one run's bench.json (also written as bench.md).

Usage: python -m scripts.benchlib.report [bench-results/bench.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NAMES = {
    "map": "map page",
    "embed": "embed page",
    "profile": "profile page",
    "geojson_api": "GeoJSON API `/api/v1/areas`",
    "values_api": "values API `/api/v1/values`",
}


def _errors(p: dict) -> str:
    """'0 errors', or how many of which kind (non-2xx, read, timeout …)."""
    if not p.get("errors"):
        return "0 errors"
    kinds = ", ".join(f"{n} {k}" for k, n in p.get("error_kinds", {}).items())
    return f"{p['errors']} errors" + (f" ({kinds})" if kinds else "")


def _m(fig: dict | float | None) -> float | None:
    return fig["median"] if isinstance(fig, dict) else fig


def _n(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def rows(r: dict) -> list[list[str]]:
    """Table rows: figure, result, baseline (same run), ratio, target."""
    out: list[list[str]] = []
    for key, fig in r.get("http", {}).items():
        for enc in ("plain", "gzip"):
            f = fig[enc]
            tr, lr = _m(f["served_throughput_ratio"]), _m(f["served_latency_ratio_p50"])
            size = fig["bytes"] if enc == "plain" else fig["gzip_bytes"]
            out.append(
                [
                    f"{NAMES.get(key, key)}, cached, {enc} ({size / 1024:.1f} KB)",
                    f"{_n(_m(f['served_rps']))} req/s, p50 {_m(f['served_p50_ms']):.2f} ms",
                    f"nginx file: {_n(_m(f['nginx_rps']))} req/s, p50 {_m(f['nginx_p50_ms']):.2f} ms",
                    f"**{tr:.2f}×** throughput, {lr:.2f}× p50",
                    f"≥ 0.5× {_mark(tr >= 0.5)} · ≤ 2× {_mark(lr <= 2)}",
                ]
            )
            out.append(
                [
                    f"↳ the app alone (one instance, no nginx), {enc}",
                    f"{_n(_m(f['app_alone_rps']))} req/s, p50 {_m(f['app_alone_p50_ms']):.2f} ms",
                    "nginx file",
                    f"{_m(f['app_alone_throughput_ratio']):.2f}× throughput, "
                    f"{_m(f['app_alone_latency_ratio_p50']):.1f}× p50",
                    "",
                ]
            )
    if "static_asset" in r:
        for enc in ("plain", "gzip"):
            f = r["static_asset"][enc]
            tr = _m(f["served_throughput_ratio"])
            out.append(
                [
                    f"static asset `leaflet.<hash>.js`, {enc}",
                    f"{_n(_m(f['served_rps']))} req/s",
                    f"nginx file: {_n(_m(f['nginx_rps']))} req/s",
                    f"**{tr:.2f}×** throughput, {_m(f['served_latency_ratio_p50']):.2f}× p50",
                    f"≥ 0.8× {_mark(tr >= 0.8)}",
                ]
            )
    if "map_cold" in r:
        c = r["map_cold"]
        med = _m(c["app_cold_ms"])
        out.append(
            [
                f"map page, cold ({c['samples']} renders, through nginx)",
                f"{med:.1f} ms median",
                f"one static fetch {_m(c['static_ms']):.2f} ms",
                f"{c['latency_ratio']:.0f}×",
                f"≤ 10 ms {_mark(med <= 10)}",
            ]
        )
    if "map_cold_cpu" in r:
        c = r["map_cold_cpu"]
        out.append(
            [
                "↳ CPU time of the app per cold render (in process)",
                f"{_m(c['cpu_ms']):.1f} ms median",
                "",
                "",
                "",
            ]
        )
    for k, v in r.get("first_view", {}).items():
        out.append(
            [
                f"first view of the {k} page, bytes with gzip, all assets",
                f"{v['kb_total']} KB ({v['requests']} requests)",
                "150 KB budget",
                f"{v['kb_total'] / 150:.2f}×",
                f"≤ 150 KB {_mark(v['kb_total'] <= 150)}",
            ]
        )
    if "first_paint" in r:
        p = r["first_paint"]
        out.append(
            [
                "time to first map paint (Chromium)",
                f"{_m(p['app_ms']):.0f} ms median",
                f"same HTML as a file from nginx: {_m(p['static_html_ms']):.0f} ms",
                f"{p['ratio']:.2f}×",
                "",
            ]
        )
    if "pygeoapi" in r:
        p = r["pygeoapi"]
        tr = _m(p["throughput_ratio"])
        out.append(
            [
                "GeoJSON API (one instance) vs pygeoapi, same 21 features, same table",
                f"{_n(_m(p['ours_rps']))} req/s",
                f"pygeoapi {_n(_m(p['pygeoapi_rps']))} req/s",
                f"**{tr:.1f}×** throughput",
                f"≥ 3× {_mark(tr >= 3)}",
            ]
        )
    if "release_load" in r:
        p = r["release_load"]
        out.append(
            [
                f"release load ({p['rows']:,} values, validated)",
                f"{_m(p['load_s']):.2f} s",
                f"bare COPY: {_m(p['bare_copy_s']):.3f} s",
                f"{p['ratio']:.0f}×",
                "",
            ]
        )
    if "load64" in r:
        p = r["load64"]
        out.append(
            [
                f"64 connections, {p['seconds']} s, map + API through nginx",
                f"{p['map']['requests']:,} + {p['api']['requests']:,} requests",
                "—",
                f"**{p['errors']} errors**",
                f"0 {_mark(p['errors'] == 0)}",
            ]
        )
    if "pg_restart" in r and "all" in r["pg_restart"]:
        p = r["pg_restart"]
        during = ", ".join(f"{n} × {s}" for s, n in sorted(p["during_outage"].items())) or (
            "no poll request completed"
        )
        out.append(
            [
                "PostgreSQL stopped/started under load",
                f"during the {p['outage_s']} s outage: {during}",
                "—",
                f"recovered {p['recovered_after_s']} s after restart, no app restart",
                _mark(p["only_200_or_503"]),
            ]
        )
    if "scale_out" in r:
        p = r["scale_out"]
        out.append(
            [
                f"scale-out: requests reaching the app (cache bypassed), 2 instances × "
                f"{p['workers_per_instance']} workers",
                f"{_n(_m(p['two_instances_rps']))} req/s",
                f"1 instance: {_n(_m(p['one_instance_rps']))} req/s",
                f"{_m(p['throughput_ratio']):.2f}×, {_errors(p)}",
                "",
            ]
        )
    s = r.get("scale", {})
    if "load" in s:
        ld = s["load"]
        out.append(
            [
                f"scale: {ld['areas']:,} Gemeinden, {ld['indicators']} indicators × 13 years ="
                f" {ld['rows']:,} values via COPY",
                f"{ld['release_load_s']} s",
                f"bare COPY into an unlogged table: {ld['bare_copy_s']} s",
                f"{ld['load_ratio_to_bare_copy']:.1f}×",
                "≤ 60 s " + _mark(ld["release_load_s"] <= 60),
            ]
        )
    if "deutschland_geometry_first" in s:
        g = s["deutschland_geometry_first"]
        out.append(
            [
                "scale: geometry of all of Germany, first request (cold caches)",
                f"{g['first_ms']:.0f} ms",
                f"second request {g['second_ms']:.0f} ms",
                "",
                f"≤ 300 ms {_mark(g['first_ms'] <= 300)}",
            ]
        )
    for k in (
        "niedersachsen_values",
        "deutschland_values",
        "niedersachsen_geometry",
        "deutschland_geometry",
    ):
        if k in s:
            v = s[k]
            p50, base = _m(v["p50_ms"]), _m(v["static_p50_ms"])
            out.append(
                [
                    f"scale: `{v['path']}` p50",
                    f"{p50:.2f} ms",
                    f"static file {base:.2f} ms",
                    f"{p50 / base:.1f}×" if base else "",
                    f"≤ 100 ms {_mark(p50 <= 100)}",
                ]
            )
    return out


def markdown(r: dict) -> str:
    """The table as Markdown."""
    lines = ["| figure | result | baseline (same run) | ratio | target |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows(r)]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Print the table of a bench.json."""
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "bench-results/bench.json")
    print(markdown(json.loads(path.read_text())), end="")


if __name__ == "__main__":
    main()
