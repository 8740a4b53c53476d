"""Scale: every German Gemeinde and ~14 M synthetic values, loaded with COPY, then served."""

from __future__ import annotations

import os
import subprocess
import time

import numpy as np
from sqlalchemy import create_engine, make_url, text

from scripts.benchlib import wrk
from scripts.benchlib.http import first_request
from scripts.benchlib.servers import ROOT, VENV_BIN
from scripts.benchlib.stats import ratio, summary
from scripts.servelib.control import served

DB = "sozmon_scale"
YEARS = list(range(2012, 2025))  # 13 years
N_INDICATORS = 100
LABEL = "scale-synthetic"


def with_database(base_url: str, db: str) -> str:
    return make_url(base_url).set(database=db).render_as_string(hide_password=False)


def admin_sql(base_url: str, sql: str) -> None:
    eng = create_engine(with_database(base_url, "postgres"), isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(sql))
    eng.dispose()


def run_sozmon(url: str, *args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [str(VENV_BIN / "sozmon"), *args],
        check=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
    )
    return time.perf_counter() - t0


def chunks(areas: list[str], indicators: list[tuple[str, str]], seed: int = 1):
    """Tab-separated rows per indicator: smooth synthetic series with a regional gradient."""
    rng = np.random.default_rng(seed)
    n = len(areas)
    for ind, unit in indicators:
        level = rng.lognormal(0, 0.35, n) * (10 if unit == "%" else 100)
        trend = 1 + rng.normal(0, 0.01)
        lines = []
        for k, y in enumerate(YEARS):
            vals = level * trend**k * (1 + rng.normal(0, 0.01, n))
            if unit == "%":
                vals = np.clip(vals, 0, 100)
            lines.extend(
                f"{ind}\t{a}\t{y}\t{v:.4f}\t\\N\t\\N\n" for a, v in zip(areas, vals, strict=True)
            )
        yield "".join(lines).encode()


def load(base_url: str) -> dict:
    """Fresh scale database: schema, all Gemeinden, catalogue, then the COPY release."""
    from app import create_app
    from indicators.bulk import copy_values
    from indicators.loaders import create_release
    from indicators.releases import publish

    admin_sql(base_url, f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    # Collation C as scripts/localdb initialises clusters (sorts by memcmp: index builds take
    # half the time of C.UTF-8), also on a cluster made before that.
    admin_sql(
        base_url,
        f'CREATE DATABASE "{DB}" TEMPLATE template0 ENCODING UTF8'
        " LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'",
    )
    url = with_database(base_url, DB)
    out = {"schema_s": round(run_sozmon(url, "db", "upgrade"), 2)}
    gpkg = str(ROOT.parent / "shared" / "data" / "geodata" / "vg5000_gem_2021_deutschland.gpkg")
    gpkg = (
        os.environ.get("DATA_DIR", "")
        and os.path.join(os.environ["DATA_DIR"], "geodata", "vg5000_gem_2021_deutschland.gpkg")
        or gpkg
    )
    out["boundaries_s"] = round(
        run_sozmon(
            url,
            "load-boundaries",
            gpkg,
            "--layer",
            "gemeinden",
            "--level",
            "gemeinde",
            "--tolerance",
            "100",
        ),
        2,
    )
    run_sozmon(url, "load-catalogue")
    app = create_app({"DATABASE_URL": url})
    engine = app.extensions["sozmon_engine"]
    with engine.connect() as c:
        areas = list(c.scalars(text("SELECT ags FROM area ORDER BY ags")))
        inds = [
            tuple(r)
            for r in c.execute(
                text(
                    "SELECT id, unit FROM indicator WHERE id <> 'bev_zensus22' ORDER BY sort"
                    f" LIMIT {N_INDICATORS}"
                )
            )
        ]
    payload = list(chunks(areas, inds))  # generated before timing: the load is what we measure
    rows = sum(p.count(b"\n") for p in payload)
    t0 = time.perf_counter()
    with engine.begin() as c:
        rid = create_release(c, LABEL, synthetic=True, note="Skalierungstest: synthetisch")
        copy_values(c, rid, payload)
        publish(c, LABEL, 3)  # the one way a release goes live (small-number rule included)
    out["release_load_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    with engine.begin() as c:  # baseline: the same bytes into an unindexed, unlogged table
        c.execute(
            text(
                "CREATE UNLOGGED TABLE bare (indicator_id text, ags text, year int,"
                " value float8, numerator float8, denominator float8)"
            )
        )
        raw = c.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy("COPY bare FROM STDIN") as cp:
            for p in payload:
                cp.write(p)
    out["bare_copy_s"] = round(time.perf_counter() - t0, 2)
    with engine.begin() as c:
        c.execute(text("DROP TABLE bare"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE value"))
        out["db_size_mb"] = round(c.scalar(text(f"SELECT pg_database_size('{DB}')")) / 2**20, 1)
    engine.dispose()
    out.update(
        rows=rows,
        areas=len(areas),
        indicators=len(inds),
        load_ratio_to_bare_copy=ratio(out["release_load_s"], out["bare_copy_s"]),
    )
    return out


def run(base_url: str, workers: int, quick: bool = False) -> dict:
    """Load, then measure map-view requests for Niedersachsen (03…) and all of Germany."""
    res = {"load": load(base_url)}
    url = with_database(base_url, DB)
    seconds = 2 if quick else 10
    # The scale release is synthetic: shown in demo mode only.
    with served(url, 1, WORKERS=str(workers), SOZMON_DEMO="1") as stack:
        front = stack["front"]
        # Built when the boundaries were loaded: the first request only reads it.
        res["deutschland_geometry_first"] = {
            **first_request(front + "/api/v1/areas?ebene=gemeinde"),
            "target_first_ms": 300,
        }
        # A map view = values of one indicator/year (per request) + geometry (fetched once,
        # then revalidated by ETag: the 304 is what a returning browser costs).
        q = "/api/v1/mapdata?indikator=sgb2_quote&jahr=2024&ebene=gemeinde"
        views = {
            "niedersachsen_values": q + "&land=03",
            "deutschland_values": q,
            "niedersachsen_geometry": "/api/v1/areas?ebene=gemeinde&land=03",
            "deutschland_geometry": "/api/v1/areas?ebene=gemeinde",
        }
        static = front + "/static/favicon.svg"
        for name, path in views.items():
            runs = [wrk.run(front + path, seconds, 8, 2) for _ in range(1 if quick else 3)]
            base = [wrk.run(static, seconds, 8, 2) for _ in range(1 if quick else 3)]
            res[name] = {
                "path": path,
                "p50_ms": summary([r["p50_ms"] for r in runs]),
                "p99_ms": summary([r["p99_ms"] for r in runs]),
                "rps": summary([r["rps"] for r in runs]),
                "static_p50_ms": summary([r["p50_ms"] for r in base]),
                "errors": sum(r["non_2xx"] + r["socket_errors"] for r in runs),
                "target_p50_ms": 100,
            }
    return res
