"""API throughput beside pygeoapi, and release load time beside a bare COPY."""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

from scripts.benchlib import wrk
from scripts.benchlib.stats import ratio, summary


def api_vs_pygeoapi(app_base: str, pg_base: str, runs: int, seconds: float) -> dict:
    """Same 21 features from the same table: our /api/v1/areas vs pygeoapi's items."""
    ours_url = app_base + "/api/v1/areas?ebene=kommune"
    theirs_url = pg_base + "/collections/areas/items?f=json&limit=100&level=kommune"
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(wrk.run(ours_url, seconds))
        theirs.append(wrk.run(theirs_url, seconds))
    return {
        "ours_rps": summary([r["rps"] for r in ours]),
        "pygeoapi_rps": summary([r["rps"] for r in theirs]),
        "ours_p50_ms": summary([r["p50_ms"] for r in ours]),
        "pygeoapi_p50_ms": summary([r["p50_ms"] for r in theirs]),
        "throughput_ratio": summary(
            [ratio(a["rps"], b["rps"]) for a, b in zip(ours, theirs, strict=True)]
        ),
        "errors": {
            "ours": sum(r["non_2xx"] + r["socket_errors"] for r in ours),
            "pygeoapi": sum(r["non_2xx"] + r["socket_errors"] for r in theirs),
        },
    }


def release_load(database_url: str, runs: int) -> dict:
    """Validate + load the demo release's rows (rolled back) vs COPY into a bare temp table."""
    from app import create_app
    from indicators import demo
    from indicators.importer import import_release

    app = create_app({"DATABASE_URL": database_url})
    engine = app.extensions["sozmon_engine"]
    with engine.connect() as conn:
        rows = demo.generate(conn, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "release.csv"
        demo.write_csv(rows, path)
        data = path.read_bytes()
        ours, base = [], []
        for _ in range(runs):
            with engine.connect() as conn:
                t0 = time.perf_counter()
                import_release(conn, [path], "bench-load", synthetic=True)
                ours.append(time.perf_counter() - t0)
                conn.rollback()  # nothing of the benchmark stays in the database
            with engine.connect() as conn:
                raw = conn.connection.dbapi_connection
                t0 = time.perf_counter()
                with raw.cursor() as cur:
                    cur.execute(
                        "CREATE TEMP TABLE bare (ags text, indicator text, year int,"
                        " value float8, numerator float8, denominator float8)"
                    )
                    with cur.copy("COPY bare FROM STDIN (FORMAT csv, HEADER true)") as cp:
                        cp.write(io.BytesIO(data).read())
                base.append(time.perf_counter() - t0)
                conn.rollback()
    engine.dispose()
    return {
        "rows": len(rows),
        "load_s": summary(ours),
        "bare_copy_s": summary(base),
        "ratio": ratio(summary(ours)["median"], summary(base)["median"]),
    }
