"""Parse time of the GENESIS exports against a same-run baseline (decode + csv.reader, no rules).

Run: .venv/bin/python scripts/bench_genesis.py [DIR] [--runs N]
DIR defaults to $DATA_DIR/regionalstatistik (or ../shared/data/regionalstatistik).
Prints per file: median CPU seconds of parse_genesis, of the baseline, and their ratio.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from indicators.genesis import parse_genesis  # noqa: E402


def baseline(path: Path) -> int:
    """What any reader of the file must do: decode it and split it into fields."""
    text = path.read_bytes().decode("utf-8")
    return sum(1 for _ in csv.reader(io.StringIO(text), delimiter=";"))


def median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        # CPU seconds of this process: the machine is shared, wall time would measure the others.
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def main() -> None:
    default = Path(
        os.environ.get("DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", type=Path, default=default / "regionalstatistik")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    files = sorted(args.dir.glob("*.csv"))
    if not files:
        sys.exit(f"keine CSV-Dateien in {args.dir}")
    print(f"{'file':<18} {'MB':>5} {'cells':>8} {'parse s':>8} {'csv s':>7} {'ratio':>6}")
    total_p = total_b = 0.0
    for f in files:
        cells = len(parse_genesis(f).cells)
        p = median_seconds(lambda f=f: parse_genesis(f), args.runs)
        b = median_seconds(lambda f=f: baseline(f), args.runs)
        total_p, total_b = total_p + p, total_b + b
        mb = f.stat().st_size / 1e6
        print(f"{f.stem:<18} {mb:>5.1f} {cells:>8} {p:>8.2f} {b:>7.3f} {p / b:>6.1f}")
    print(f"{'all':<18} {'':>5} {'':>8} {total_p:>8.2f} {total_b:>7.3f} {total_p / total_b:>6.1f}")


if __name__ == "__main__":
    main()
