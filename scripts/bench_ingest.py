"""Write path of the one ingest pipeline (issue #28): GENESIS as load-all runs it, and the rows'
check and encoding at Germany's scale, each against a same-run baseline.

Run: DATABASE_URL=… .venv/bin/python scripts/bench_ingest.py [DIR] [--runs N] [--scale K]
The database needs the home region's boundaries, Kreise/Länder/Bund (load-levels) and the
catalogue. DIR defaults to $DATA_DIR/regionalstatistik. Prints:
- the import of the region's tables (territory 03241, unmatched allowed, the computed rows from
  the kept cache, as `load-all` runs it), rolled back: median wall and CPU seconds, and its
  ratio to a bare COPY of the same rows into an unlogged table without indexes or checks;
- the rows multiplied K times (Germany's Gemeinden are ~40× the region's rows): CPU seconds of
  turning them into COPY text with the checks of this tree (write_draft's `encode_rows`; before it,
  genesis_import's `_copy_chunks`), and the ratio to a plain tab-join of the same cells.
Run it in two checkouts (before and after a change) for a before/after comparison: each prints
its own ratios, so the machine's load cancels out.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

import indicators.genesis_import as gi  # noqa: E402
from indicators.genesis_cache import ComputedCache  # noqa: E402


def _median(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of fn over runs."""
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


KEYS = ("indicator_id", "ags", "year", "value", "numerator", "denominator", "suppressed", "flag")


def _encoder(rows: list[dict[str, Any]]) -> Callable[[], int]:
    """This tree's way from the import's rows (dicts) to COPY text, with its checks; the
    function returns the bytes produced."""
    try:
        from indicators.ingest import Draft, encode_rows

        def new() -> int:
            units = {r["indicator_id"]: "Personen" for r in rows}
            problems: list[Any] = []
            tuples = [tuple(r[k] for k in KEYS) for r in rows]  # as import_genesis does
            draft = Draft("x", origin="b", flags=True)
            n = sum(len(c) for c in encode_rows(tuples, units, draft, problems))
            assert not problems, problems[:3]
            return n

        return new
    except ImportError:  # the tree before write_draft

        def old() -> int:
            return sum(len(c) for c in gi._copy_chunks(rows))  # type: ignore[attr-defined]

        return old


def main() -> None:
    data = Path(os.environ.get("DATA_DIR") or ROOT.parent / "shared" / "data")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", type=Path, default=data / "regionalstatistik")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=int, default=40)
    args = ap.parse_args()
    files = sorted(args.dir.glob("*.csv"))
    engine = create_engine(os.environ["DATABASE_URL"])
    cache = ComputedCache(Path(tempfile.gettempdir()) / "bench_ingest_cache")
    label = "bench-ingest"

    def imported() -> Any:
        with engine.connect() as c:
            tx = c.begin()
            rep = gi.import_genesis(
                c, files, label, territory="03241", allow_unmatched=True, cache=cache
            )
            tx.rollback()
        return rep

    rep = imported()  # the first run computes the rows and keeps them
    wall, cpu = _median(imported, args.runs)
    with engine.connect() as c:  # the same rows, bare: the baseline
        tx = c.begin()
        gi.import_genesis(c, files, label, territory="03241", allow_unmatched=True, cache=cache)
        buf = io.BytesIO()
        raw = c.connection.dbapi_connection
        with raw.cursor() as cur:
            q = (
                "COPY (SELECT indicator_id, ags, year, value, numerator, denominator, suppressed,"
                " flag FROM value v JOIN release r ON r.id = v.release_id WHERE r.label = %s)"
                " TO STDOUT"
            )
            with cur.copy(q, (label,)) as cp:
                for chunk in cp:
                    buf.write(chunk)
        payload = buf.getvalue()
        rows = [
            (i, a, int(y), float(v) if v != "\\N" else None, *[None] * 2, s == "t", None)
            for i, a, y, v, _n, _d, s, _f in (
                ln.split("\t") for ln in payload.decode().splitlines()
            )
        ]

        def bare() -> None:
            c.execute(text("DROP TABLE IF EXISTS pg_temp.bare"))
            c.execute(
                text(
                    "CREATE TEMP TABLE bare (indicator_id text, ags text, year int, value float8,"
                    " numerator float8, denominator float8, suppressed bool, flag text)"
                )
            )
            with raw.cursor() as cur, cur.copy("COPY bare FROM STDIN") as cp:
                cp.write(payload)

        bwall, bcpu = _median(bare, args.runs)
        tx.rollback()
    engine.dispose()
    print(f"code: {Path(gi.__file__).parents[1]}")
    print(f"region import ({rep.values} values, {len(files)} tables, from cache)")
    print(f"  import   wall {wall:7.2f} s  cpu {cpu:6.2f} s")
    print(f"  bare COPY wall {bwall:6.3f} s  ratio import/bare (wall) {wall / bwall:6.1f}")
    big = [dict(zip(KEYS, r, strict=True)) for r in rows] * args.scale
    enc_wall, enc_cpu = _median(_encoder(big), 3)

    def joined() -> int:
        return sum(len("\t".join(map(str, r.values()))) for r in big)

    _jw, join_cpu = _median(joined, 3)
    print(
        f"rows ×{args.scale} ({len(big)} rows): encode+check cpu {enc_cpu:.2f} s,"
        f" tab-join cpu {join_cpu:.2f} s, ratio {enc_cpu / join_cpu:.2f}"
    )


if __name__ == "__main__":
    main()
