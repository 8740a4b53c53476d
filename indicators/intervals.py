"""95 % intervals of the shown values of one indicator and year (for maps, rankings, the API).

The method follows from the unit and the stored counts (indicators.stats.interval_for): Wilson for
shares (%), Byar for rates per population (‰, je 10.000, je 100.000). Everything else — values
without numerator and denominator, other units, withheld values — has no interval: None, with the
reason kept beside it, so nothing is ever invented.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection

from indicators.api_queries import area_values
from indicators.model import AreaValue
from indicators.queries import ReleaseRef, get_indicator, values_for_year
from indicators.stats import Benchmark, interval_for


@dataclass(frozen=True)
class Interval:
    """A 95 % interval in the indicator's unit and the method it was computed with."""

    lower: float
    upper: float
    method: str  # 'wilson' | 'byar'

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON and templates)."""
        return asdict(self)


@dataclass(frozen=True)
class AreaInterval:
    """One area's value with its interval, or the reason it has none."""

    ags: str
    name: str
    level: str
    value: float | None
    suppressed: bool
    interval: Interval | None
    reason: str | None  # code of indicators.stats (no_counts, suppressed, missing, …)
    flag: str | None = None
    synthetic: bool | None = None
    release_label: str | None = None


def interval_of(
    numerator: float | None, denominator: float | None, unit: str
) -> tuple[Interval | None, str | None]:
    """The interval of one value (counts and unit), or None with the reason's code."""
    ci = interval_for(numerator, denominator, unit)
    if isinstance(ci, Benchmark):
        return None, ci.reason
    lo, hi, method = ci
    return Interval(lo, hi, method), None


def _area_interval(r: AreaValue, level: str, unit: str) -> AreaInterval:
    """One area's value row (a values query's row) with its interval, at the level given."""
    ci, reason = row_interval(r, unit)
    return AreaInterval(
        ags=r.ags,
        name=r.name,
        level=level,
        value=r.shown,
        suppressed=bool(r.suppressed),
        interval=ci,
        reason=reason,
        flag=r.flag,
        synthetic=r.synthetic,
        release_label=r.release_label,
    )


def area_intervals(
    conn: Connection,
    indicator_id: str,
    year: int,
    release_id: ReleaseRef = None,
    levels: tuple[str, ...] = ("kommune", "region"),
) -> list[AreaInterval]:
    """Every area of the levels (Kommunen by name, then the Region) with value and interval."""
    ind = get_indicator(conn, indicator_id)
    if ind is None:
        return []
    out = []
    for level in levels:
        for r in values_for_year(conn, indicator_id, year, release_id, level):
            out.append(_area_interval(r, level, ind.unit))
    return out


def intervals_of_areas(
    conn: Connection, indicator_id: str, year: int, release_id: ReleaseRef, ags: list[str]
) -> list[AreaInterval]:
    """The named areas (any level: Gemeinde, Kreis, Land, Bund) in the order given, each with its
    value and interval in one year."""
    ind = get_indicator(conn, indicator_id)
    if ind is None:
        return []
    found = area_values(conn, indicator_id, [year], release_id, ags)
    out = []
    for a in ags:
        r = found.get((a, year))
        if r is None:
            continue
        out.append(_area_interval(r, r.level, ind.unit))
    return out


def row_interval(row: AreaValue, unit: str) -> tuple[Interval | None, str | None]:
    """The 95 % interval of one value row (values_for_year) and why there is none."""
    if row.suppressed:
        return None, "suppressed"
    if row.value is None:
        return None, "missing"
    return interval_of(row.numerator, row.denominator, unit)


def intervals_of_rows(rows: Iterable[AreaValue], unit: str) -> dict[str, Interval | None]:
    """AGS → 95 % interval of value rows the caller already has (no query)."""
    return {r.ags: row_interval(r, unit)[0] for r in rows}


def intervals_for(
    conn: Connection, indicator_id: str, year: int, release_id: int | None = None
) -> dict[str, Interval | None]:
    """AGS → 95 % interval of the Kommunen and the Region (None where not assessable)."""
    return {a.ags: a.interval for a in area_intervals(conn, indicator_id, year, release_id)}
