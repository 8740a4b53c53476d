"""The release rule of migration 0014 against the definitions it replaced, timed in one run.

Run: .venv/bin/python scripts/bench_release_rule.py [--runs N] [--draft N] [--demo on|off]
Against DATABASE_URL, else the served local cluster (scripts/localdb) as its superuser. The
database must be at migration 0014 with data loaded (`sozmon load-all`; SOZMON_DEMO=1 for the
synthetic release). It changes nothing: the draft it measures lives in a transaction that is
rolled back.

Prints per query the median wall milliseconds of the old and of the new definition (runs
alternate, on one connection and the same data), the ratio new/old, and whether both give the
same rows (the page queries must; the change summary and rollback differ on purpose where the
old ones ignored "real first" and demo mode, and their counts are printed).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sqlalchemy import Connection, create_engine, text  # noqa: E402

from app.web.config import local_database_url  # noqa: E402
from indicators import releases  # noqa: E402

DEMO = "coalesce(current_setting('sozmon.demo', true), '') = 'on'"
# Migrations 0004/0009 as they were: release_value on release, the rule in the view's body.
OLD_RELEASE_VALUE = """(SELECT v.release_id, v.indicator_id, v.ags, v.year,
       CASE WHEN v.suppressed THEN NULL ELSE v.value END AS value,
       CASE WHEN v.suppressed THEN NULL ELSE v.numerator END AS numerator,
       CASE WHEN v.suppressed THEN NULL ELSE v.denominator END AS denominator,
       v.suppressed, v.flag, r.label AS release_label, r.synthetic, r.status, r.published_at
FROM value v JOIN release r ON r.id = v.release_id)"""
OLD_REAL_INDICATOR = """(SELECT DISTINCT s.indicator_id FROM release_source s
  JOIN release r ON r.id = s.release_id WHERE r.status = 'published' AND NOT r.synthetic)"""
OLD_SHOWN = f"""(SELECT DISTINCT ON (indicator_id, ags, year) *
FROM {OLD_RELEASE_VALUE} rv WHERE status = 'published'
  AND (NOT synthetic OR ({DEMO}
       AND indicator_id NOT IN (SELECT indicator_id FROM {OLD_REAL_INDICATOR} ri)))
ORDER BY indicator_id, ags, year, synthetic, published_at DESC, release_id DESC)"""
OLD_SHOWN_IN = f"""(SELECT DISTINCT ON (indicator_id, ags, year) *
FROM {OLD_RELEASE_VALUE} rv WHERE release_id = ANY(CAST(:ids AS int[]))
  AND (NOT synthetic OR ({DEMO}
       AND indicator_id NOT IN (SELECT s.indicator_id FROM release_source s
         JOIN release r ON r.id = s.release_id
         WHERE s.release_id = ANY(CAST(:ids AS int[])) AND NOT r.synthetic)))
ORDER BY indicator_id, ags, year, synthetic, published_at DESC, release_id DESC)"""
# indicators.queries.SHOWN_RELEASE as it was: the visibility part of the rule on base tables.
OLD_VISIBLE = f"""(SELECT v.*, r.synthetic FROM value v JOIN release r ON r.id = v.release_id
WHERE r.status = 'published' AND (NOT r.synthetic OR ({DEMO}
  AND v.indicator_id NOT IN (SELECT indicator_id FROM {OLD_REAL_INDICATOR} ri))))"""
OLD = {"shown": OLD_SHOWN, "shown_in": OLD_SHOWN_IN, "visible": OLD_VISIBLE}
NEW = {
    "shown": "shown_value",
    "shown_in": "shown_value_in(CAST(:ids AS int[]))",
    "visible": "visible_value",
}

HOME = "ARRAY(SELECT ags FROM area WHERE level IN ('kommune', 'region'))"
# Typical page queries (indicators.* and app/berichte/values.py), on {shown}, {shown_in} or
# {visible}; parameters below.
QUERIES = {
    "map, home region (real)": "SELECT v.ags, v.value, v.release_label FROM {shown} v"
    f" WHERE v.indicator_id = :i AND v.year = :y AND v.ags = ANY({HOME})",
    "map, home region (synthetic in demo)": "SELECT v.ags, v.value, v.release_label"
    f" FROM {{shown}} v WHERE v.indicator_id = :s AND v.year = :sy AND v.ags = ANY({HOME})",
    "map, Germany's Gemeinden": "SELECT v.ags, v.value FROM {shown} v"
    " WHERE v.indicator_id = :g AND v.year = :gy AND length(v.ags) = 8",
    "profile of a Kommune": "SELECT v.indicator_id, v.year, v.value FROM {shown} v"
    " WHERE v.ags = :a",
    "time series, home region": "SELECT v.ags, v.year, v.value FROM {shown} v"
    f" WHERE v.indicator_id = :i AND v.ags = ANY({HOME})",
    "contributing releases (release_for)": "SELECT DISTINCT v.release_id, v.release_label,"
    f" v.synthetic FROM {{shown}} v WHERE v.indicator_id = :i AND v.ags = ANY({HOME})",
    "pinned report (shown_value_in)": "SELECT v.ags, v.year, v.value FROM {shown_in} v"
    f" WHERE v.indicator_id = :i AND v.ags = ANY({HOME})",
    "year ranges (visible values)": "SELECT v.indicator_id, min(v.year), max(v.year)"
    " FROM {visible} v GROUP BY v.indicator_id",
    "releases per indicator, all (disparities)": "SELECT indicator_id, min(release_id),"
    " string_agg(DISTINCT release_label, ' + '), bool_or(synthetic) FROM {shown} v"
    " GROUP BY indicator_id",
}
PARAMS = {
    "i": "bev_geburtenrate",
    "y": 2015,
    "s": "armutsgefaehrdung_quote",
    "sy": 2020,
    "g": "bev_dichte_inkar",
    "gy": 2020,
    "a": "03241001",
}

# indicators/releases.py before migration 0014: the change summary's per-cell lookup (real
# before synthetic, newest, highest id; no real-first, no demo mode) and rollback's fallback.
OLD_CHANGES = """
WITH b AS (
  SELECT id, label, NOT synthetic AS is_real, coalesce(published_at, 'infinity') AS at
  FROM release WHERE id = :b
), x AS (
  SELECT d.indicator_id, d.ags, d.year,
         CASE WHEN d.suppressed THEN NULL ELSE d.value END AS b_value, d.suppressed AS b_suppressed,
         p.value AS p_value, p.suppressed AS p_suppressed, p.release_id AS p_id,
         (p.release_id IS NULL OR (b.is_real, b.at, b.id) > (p.is_real, p.at, p.release_id))
           AS b_wins
  FROM value d CROSS JOIN b
  LEFT JOIN LATERAL (
    SELECT v.release_id, CASE WHEN v.suppressed THEN NULL ELSE v.value END AS value,
           v.suppressed, NOT r.synthetic AS is_real, r.published_at AS at
    FROM value v JOIN release r ON r.id = v.release_id
    WHERE v.ags = d.ags AND v.indicator_id = d.indicator_id AND v.year = d.year
      AND v.release_id <> :b AND r.status = 'published'
    ORDER BY r.synthetic, r.published_at DESC, v.release_id DESC LIMIT 1
  ) p ON true
  WHERE d.release_id = :b
)
SELECT CASE WHEN p_id IS NULL THEN 'neu' WHEN NOT b_wins THEN 'verdeckt' ELSE 'geändert' END
       AS change, count(*) AS n
FROM x WHERE p_id IS NULL OR NOT b_wins OR b_value IS DISTINCT FROM p_value
   OR b_suppressed IS DISTINCT FROM p_suppressed
GROUP BY 1 ORDER BY 1
"""
OLD_FALLBACK = """
SELECT i.indicator_id, (SELECT r.label FROM release r WHERE r.status = 'published'
  AND r.id <> :id AND EXISTS (SELECT 1 FROM value v WHERE v.release_id = r.id
  AND v.indicator_id = i.indicator_id) ORDER BY r.published_at DESC, r.id DESC LIMIT 1) AS label
FROM (SELECT DISTINCT indicator_id FROM value WHERE release_id = :id) i
ORDER BY i.indicator_id
"""

# A draft shaped like tests/draftgen.py: 22 areas (the Kommunen and the Region) × 10 years ×
# the first indicators of the catalogue; where a value is shown the draft repeats it and
# changes every 7th, the other cells are new.
DRAFT = """
WITH ind AS (SELECT id FROM indicator WHERE first_year <= 2013 ORDER BY sort, id LIMIT :k),
cells AS (SELECT i.id AS indicator_id, a.ags, y AS year FROM ind i
  CROSS JOIN (SELECT ags FROM area WHERE level IN ('kommune', 'region')) a
  CROSS JOIN generate_series(2013, 2022) y)
INSERT INTO value (release_id, indicator_id, ags, year, value)
SELECT :r, c.indicator_id, c.ags, c.year, CASE WHEN s.value IS NULL THEN 12.5
  WHEN row_number() OVER () % 7 = 0 THEN round(CAST(s.value * 1.01 + 0.01 AS numeric), 4)
  ELSE s.value END
FROM cells c LEFT JOIN LATERAL (SELECT value FROM shown_value s WHERE s.indicator_id =
  c.indicator_id AND s.ags = c.ags AND s.year = c.year) s ON true
"""


def digest(rows: list[Any]) -> str:
    return hashlib.md5(repr(sorted(map(repr, rows))).encode()).hexdigest()[:10]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t) * 1000, out


def compare(name: str, old: Callable[[], Any], new: Callable[[], Any], runs: int) -> None:
    """Warm both once, then alternate; print medians, ratio and whether the results agree.
    A query of more than a second runs at most 3 times."""
    ms, a = timed(old)
    _, b = timed(new)
    runs = min(runs, 3) if ms > 1000 else runs
    t_old, t_new = [], []
    for _ in range(runs):
        t_old.append(timed(old)[0])
        t_new.append(timed(new)[0])
    mo, mn = statistics.median(t_old), statistics.median(t_new)
    same = "same rows" if digest(a) == digest(b) else "DIFFERENT"
    print(f"{name:<42} {mo:>9.1f} {mn:>9.1f} {mn / mo:>6.2f}  {same}", flush=True)


def page_queries(conn: Connection, runs: int, ids: list[int]) -> None:
    params = {**PARAMS, "ids": ids}
    for name, sql in QUERIES.items():
        old_sql, new_sql = sql.format(**OLD), sql.format(**NEW)

        def run(q: str) -> Callable[[], Any]:
            return lambda: conn.execute(text(q), params).all()

        compare(name, run(old_sql), run(new_sql), runs)


def draft_changes(conn: Connection, runs: int, size: int) -> None:
    """The change summary of a draft of about `size` values, old and new."""
    k = max(1, round(size / 220))
    rid = conn.scalar(
        text(
            "INSERT INTO release (label, status, synthetic)"
            " VALUES ('bench-rule-draft', 'draft', false) RETURNING id"
        )
    )
    n = conn.execute(text(DRAFT), {"r": rid, "k": k}).rowcount
    releases.analyze_release(conn, rid)
    releases.note_indicators(conn, rid)
    conn.execute(text("SELECT set_config('jit', 'off', true)"))  # as store_changes does

    def old() -> list[Any]:
        return [tuple(r) for r in conn.execute(text(OLD_CHANGES), {"b": rid})]

    def new() -> list[Any]:
        return sorted(releases.changes(conn, rid)["counts"].items())

    print(f"\nchange summary of a real draft of {n} values (ms: old, new, ratio):")
    compare("change summary (CHANGES_SQL)", old, new, runs)
    print(f"  old counts: {old()}\n  new counts: {new()}")


def withdrawals(conn: Connection, runs: int) -> None:
    """Rollback's 'now current' for every published release, old and new (nothing withdrawn)."""
    print("\nrollback's 'now current' per published release (ms: old, new, ratio):")
    for rid, label in conn.execute(
        text("SELECT id, label FROM release WHERE status = 'published' ORDER BY id")
    ).all():

        def old(rid: int = rid) -> list[Any]:
            rows = conn.execute(text(OLD_FALLBACK), {"id": rid}).all()
            return [sorted({r.label for r in rows if r.label}), [r[0] for r in rows if not r.label]]

        def new(rid: int = rid) -> list[Any]:
            after, uncovered = releases.shown_after_withdrawal(conn, rid)
            return [sorted({x for v in after.values() for x in v}), uncovered]

        compare(f"withdraw {label}"[:42], old, new, runs)
        o, w = old(), new()
        if o != w:
            print(f"  old: now current {o[0]}, uncovered {len(o[1])}")
            print(f"  new: now current {w[0]}, uncovered {len(w[1])}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--draft", type=int, default=30_000, help="values of the measured draft")
    ap.add_argument("--demo", choices=("on", "off"), default="on")
    args = ap.parse_args()
    url = os.environ.get("DATABASE_URL") or local_database_url(user="postgres")
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text("SELECT set_config('sozmon.demo', :d, false)"), {"d": args.demo})
        ids = list(conn.scalars(text("SELECT id FROM release WHERE status = 'published'")))
        values = conn.scalar(text("SELECT count(*) FROM value"))
        print(f"{len(ids)} published releases, {values} values, demo {args.demo}, {args.runs} runs")
        print(f"{'page query (ms)':<42} {'old':>9} {'new':>9} {'ratio':>6}")
        try:
            page_queries(conn, args.runs, ids)
            draft_changes(conn, args.runs, args.draft)
            withdrawals(conn, args.runs)
        finally:
            conn.rollback()  # the draft goes again
    engine.dispose()


if __name__ == "__main__":
    main()
