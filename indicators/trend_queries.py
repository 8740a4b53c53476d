"""Recent trends per indicator and area from the shown values (plain data for views and API)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, text

from indicators.breaks import Breaks, segment_years, series_breaks
from indicators.precomputed import profile_source
from indicators.queries import ReleaseRef
from indicators.trends import Trend, trend

# Per (indicator, area) the values with their counts; suppressed and flagged cells carry none.
_SQL = """
SELECT v.indicator_id, i.unit, v.ags, v.year, v.numerator, v.denominator, v.synthetic
FROM {source} v JOIN indicator i ON i.id = v.indicator_id
WHERE v.ags = ANY(:ags) AND (CAST(:ids AS text[]) IS NULL OR v.indicator_id = ANY(:ids))
  AND v.value IS NOT NULL AND NOT v.suppressed
ORDER BY v.indicator_id, v.ags, v.year
"""


def area_trends(
    conn: Connection,
    ags: list[str],
    indicator_ids: list[str] | None = None,
    release_id: ReleaseRef = None,
    breaks: dict[str, Breaks] | None = None,
) -> dict[tuple[str, str], dict[str, Any]]:
    """{(indicator, ags): trend dict} over each series' last five years with values.

    Only the years since the newest series break count (breaks given, or read): a trend
    across a break would describe the change of method, not the place.
    """
    breaks = series_breaks(conn, indicator_ids) if breaks is None else breaks
    # The kept rows of the home Kommunen, the Region, the Länder and the Bund (0020), else live.
    source = profile_source("CAST(:ags AS text[])", release_id)
    rows = conn.execute(text(_SQL.format(source=source)), {"ags": ags, "ids": indicator_ids})
    series: dict[tuple[str, str], list[Row[Any]]] = {}
    for r in rows:
        series.setdefault((r.indicator_id, r.ags), []).append(r)
    out = {}
    for key, rs in series.items():
        # Real values where the area has any (as the profile's headline), never a mix of real
        # and synthetic years: a trend across the two would describe the seam, not the place.
        real = [r for r in rs if not r.synthetic]
        t = series_trend(real or rs, breaks.get(key[0], ()))
        out[key] = {**t.as_dict(), "synthetic": not real}
    return out


def series_trend(rows: Sequence[Any], own: Breaks) -> Trend:
    """The trend of one area's series (rows with unit, year, numerator, denominator, oldest
    first) over the years since its newest series break (`own`: the indicator's breaks)."""
    use = list(rows)
    if own:
        newest = set(segment_years([r.year for r in use], own))
        use = [r for r in use if r.year in newest]
    return trend(use[0].unit, [(r.year, r.numerator, r.denominator) for r in use])
