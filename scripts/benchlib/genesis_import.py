"""Real data at scale: the 24 GENESIS tables for every German Gemeinde, against a bare COPY.

The import runs as `sozmon import-genesis` in its own process (so its peak memory is its own);
the baseline COPYs exactly the rows the import stored (exported afterwards) into an unlogged
table without indexes or checks, in the same run.
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from scripts.benchlib.scale import admin_sql, run_sozmon, with_database
from scripts.benchlib.servers import ROOT, VENV_BIN
from scripts.benchlib.stats import ratio

DB = "sozmon_genesis"
LABEL = "regionalstatistik-deutschland"


def _data_dir() -> Path:
    return Path(os.environ.get("DATA_DIR") or ROOT.parent / "shared" / "data")


def run(base_url: str, quick: bool = False) -> dict:
    """Fresh database with all Gemeinden; time and peak memory of the Germany-wide import."""
    data = _data_dir()
    tables = sorted((data / "regionalstatistik").glob("*.csv"))
    if quick:  # the smoke run: two tables, still every Gemeinde of Germany
        tables = [t for t in tables if t.name.startswith(("12411-01-01", "22811-01-01"))]
    admin_sql(base_url, f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    admin_sql(base_url, f'CREATE DATABASE "{DB}"')
    url = with_database(base_url, DB)
    gpkg = data / "geodata" / "vg5000_gem_2021_deutschland.gpkg"
    out = {"schema_s": round(run_sozmon(url, "db", "upgrade"), 2)}
    out["boundaries_s"] = round(
        run_sozmon(
            url,
            "load-boundaries",
            str(gpkg),
            "--level",
            "gemeinde",
            "--no-region",
            "--tolerance",
            "100",
        ),
        2,
    )
    out["levels_s"] = round(run_sozmon(url, "load-levels", str(gpkg)), 2)
    run_sozmon(url, "load-catalogue")
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    t0 = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "sozmon"),
                "import-genesis",
                *map(str, tables),
                "--label",
                LABEL,
                "--allow-unmatched",
                "--publish",
            ],
            cwd=ROOT,
            # The computation is measured, not the kept rows of an earlier run (genesis_cache).
            env={**os.environ, "DATABASE_URL": url, "SOZMON_CACHE_DIR": "off"},
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
        # wait4 gives this one child's own resource usage: its peak memory, nobody else's.
        _pid, status, usage = os.wait4(proc.pid, 0)
    out["import_s"] = round(time.perf_counter() - t0, 2)
    output = log.read_text()
    log.unlink()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(output[-2000:])
    out["import_peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # KiB on Linux
    out["import_output"] = [ln for ln in output.splitlines() if ln.startswith("Release")]
    engine = create_engine(url)
    with engine.begin() as c:
        buf = io.BytesIO()
        raw = c.connection.dbapi_connection
        with (
            raw.cursor() as cur,
            cur.copy(
                "COPY (SELECT indicator_id, ags, year, value, numerator, denominator, suppressed,"
                " flag FROM value v JOIN release r ON r.id = v.release_id WHERE r.label = %s)"
                " TO STDOUT",
                (LABEL,),
            ) as cp,
        ):
            for chunk in cp:
                buf.write(chunk)
        payload = buf.getvalue()
        out["rows"] = payload.count(b"\n")
        out["files"] = len(tables)
        out["file_mb"] = round(sum(t.stat().st_size for t in tables) / 2**20, 1)
        t0 = time.perf_counter()
        c.execute(
            text(
                "CREATE UNLOGGED TABLE bare (indicator_id text, ags text, year int,"
                " value float8, numerator float8, denominator float8, suppressed bool,"
                " flag text)"
            )
        )
        with raw.cursor() as cur, cur.copy("COPY bare FROM STDIN") as cp:
            cp.write(payload)
        out["bare_copy_s"] = round(time.perf_counter() - t0, 3)
        c.execute(text("DROP TABLE bare"))
    engine.dispose()
    out["import_ratio_to_bare_copy"] = ratio(out["import_s"], out["bare_copy_s"])
    admin_sql(base_url, f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    return out
