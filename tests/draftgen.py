"""A draft the size of one release, in the office's long form (ags, indicator, year, value).

Cells are a dense grid (areas × indicators × consecutive years, so the importer's gap rule
holds); where a published value is shown for a cell, the draft repeats it and changes every
`changed_every`-th one, the other cells are new. Used by tests/test_draft.py and to measure
the editors' draft page on a served database (docs/operations.md).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from sqlalchemy import Connection, text

from indicators.units import COUNT_UNITS


def _changed(value: float, unit: str) -> float:
    if unit in COUNT_UNITS:
        return float(round(abs(value)) + 1)
    if unit == "%":
        moved = value * 1.01 + 0.1 if value < 99 else value - 1
        return round(max(0.0, min(moved, 100.0)), 4)
    return round(value * 1.01 + 0.01, 4)


def _valid(value: float, unit: str) -> bool:
    """What the importer accepts: whole non-negative counts, shares within 0–100."""
    if unit in COUNT_UNITS:
        return value >= 0 and float(value).is_integer()
    return 0 <= value <= 100 if unit == "%" else True


def _new(unit: str) -> float:
    return 100.0 if unit in COUNT_UNITS else 12.5


def write_draft_csv(
    conn: Connection,
    path: Path,
    areas: list[str],
    n_values: int,
    years: int = 8,
    last_year: int = 2015,
    changed_every: int = 7,
) -> int:
    """Write about n_values rows (never more); return the number written."""
    first = last_year - years + 1
    indicators = conn.execute(
        text("SELECT id, unit FROM indicator WHERE first_year <= :y ORDER BY sort, id"),
        {"y": first},
    ).all()
    k = min(len(indicators), math.ceil(n_values / (len(areas) * years)))
    chosen = indicators[:k]
    ids = [i.id for i in chosen]
    shown = {
        (r.indicator_id, r.ags, r.year): r.value
        for r in conn.execute(
            text(
                "SELECT indicator_id, ags, year, value FROM shown_value"
                " WHERE indicator_id = ANY(:i) AND ags = ANY(:a) AND year BETWEEN :y0 AND :y1"
            ),
            {"i": ids, "a": areas, "y0": first, "y1": last_year},
        )
    }
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ags", "indicator", "year", "value"])
        for ind in chosen:
            for ags in areas:
                if n + years > n_values:
                    return n
                for year in range(first, last_year + 1):
                    old = shown.get((ind.id, ags, year))
                    if old is None:
                        value = _new(ind.unit)
                    elif n % changed_every == 0 or not _valid(old, ind.unit):
                        value = _changed(old, ind.unit)
                    else:
                        value = old
                    w.writerow([ags, ind.id, year, repr(value)])
                    n += 1
    return n
