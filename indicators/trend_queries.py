"""Recent trends per indicator and area from the shown values (plain data for views and API)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, text

from indicators.breaks import Breaks, segment_years, series_breaks
from indicators.precomputed import KEPT_TRENDS, all_kept, profile_source
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


# The kept trends (migration 0024) of the areas when every one of them is of a kept level;
# `ok` says which (one row with ok and no trend when there is none), so a page of kept areas
# costs one statement and reads a row per trend it shows. In the live result's order.
_KEPT_SQL = f"""
SELECT k.ok, t.indicator_id, t.ags, t.method, t.direction, t.significant, t.chi2, t.p, t.years,
       t.reason, t.synthetic
FROM (SELECT {all_kept("CAST(:ags AS text[])")} AS ok) k
LEFT JOIN LATERAL (SELECT * FROM {KEPT_TRENDS} x WHERE k.ok AND x.ags = ANY(CAST(:ags AS text[]))
  AND (CAST(:ids AS text[]) IS NULL OR x.indicator_id = ANY(CAST(:ids AS text[])))) t ON true
ORDER BY t.indicator_id, t.ags
"""
_FIELDS = ("method", "direction", "significant", "chi2", "p", "years", "reason", "synthetic")


def area_trends(
    conn: Connection,
    ags: list[str],
    indicator_ids: list[str] | None = None,
    release_id: ReleaseRef = None,
    breaks: dict[str, Breaks] | None = None,
) -> dict[tuple[str, str], dict[str, Any]]:
    """{(indicator, ags): trend dict} over each series' last five years with values.

    Only the years since the newest series break count: a trend across a break would describe
    the change of method, not the place. With no release named and every area of a kept level
    (the Kommunen, the Region, the Länder, the Bund) the trends kept at publish (area_trend,
    computed with the stored breaks, which are what the callers pass); else computed live
    (live_area_trends, with the breaks given, or read).
    """
    if release_id is None:
        rows = conn.execute(text(_KEPT_SQL), {"ags": list(ags), "ids": indicator_ids}).all()
        if rows and rows[0].ok:
            return {
                (r.indicator_id, r.ags): {f: getattr(r, f) for f in _FIELDS}
                for r in rows
                if r.indicator_id is not None
            }
    return live_area_trends(conn, ags, indicator_ids, release_id, breaks)


def live_area_trends(
    conn: Connection,
    ags: list[str],
    indicator_ids: list[str] | None = None,
    release_id: ReleaseRef = None,
    breaks: dict[str, Breaks] | None = None,
) -> dict[tuple[str, str], dict[str, Any]]:
    """area_trends computed from the shown values (the kept profile rows of kept areas, else
    the live view; a named release's): the writer of the kept trends and the tests' reference.
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
