"""Query bundles for the map page: one call per step, plain data from both domains.

The map view needs two steps: first what decides the ETag (indicator, release, years), so a
repeat request is answered 304 before any values or geometry are read; then the map's data.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, text

from geodata.queries import REGION_AGS, feature_collection, get_area, label_points
from indicators.queries import (
    HOME_KEYS,
    default_year,
    get_indicator,
    layered_release,
    release_for,
    topics_with_indicators,
    value_source,
    values_for_year,
    year_ranges,
    years_available,
)


def picker_topics(conn: Connection) -> list[dict]:
    """The picker's topics with their mappable indicators and year ranges (no request input)."""
    ranges = year_ranges(conn)
    topics = []
    for t in topics_with_indicators(conn):
        # Only indicators with published values can be mapped.
        inds = [dict(i, years=ranges[i["id"]]) for i in t["indicators"] if i["id"] in ranges]
        if inds:
            topics.append(dict(t, indicators=inds))
    return topics


def map_context(
    conn: Connection,
    indicator_id: str,
    release_id: int | None = None,
    topics: list[dict] | None = None,
) -> dict:
    """The indicator, its release and years, plus the picker's topics (given, or read)."""
    if topics is None:
        topics = picker_topics(conn)
    indicator = get_indicator(conn, indicator_id)
    if indicator is not None and release_id is None:
        # The layered values (the usual map): release, years and default year in one query.
        return {"topics": topics, "indicator": indicator, **_layered_context(conn, indicator_id)}
    release = release_for(conn, indicator_id, release_id, home=True) if indicator else None
    years = years_available(conn, indicator_id, release["id"]) if release else []
    return {
        "topics": topics,
        "indicator": indicator,
        "release": release,
        "years": years,
        "default_year": default_year(conn, indicator_id, release["id"]) if years else None,
    }


class _Release(NamedTuple):
    release_id: int
    release_label: str
    synthetic: bool
    published_at: datetime | None
    note: str | None


def _layered_context(conn: Connection, indicator_id: str) -> dict:
    """release_for(home=True), years_available and default_year of the layered values at once.

    One pass over the indicator's shown values of the home region instead of three (a cold
    map render paid ~9 ms for them); the rules are those of the three functions, which the
    tests compare with this one.
    """
    rows = conn.execute(
        text(
            "SELECT v.year, v.release_id, v.release_label, v.synthetic, r.status,"
            " r.published_at, r.note, count(*) FILTER (WHERE v.ags = ANY(k.keys)"
            " AND NOT v.synthetic) AS real_kommunen, cardinality(k.keys) AS kommunen"
            " FROM shown_value v JOIN release r ON r.id = v.release_id,"
            " (SELECT ARRAY(SELECT ags FROM area WHERE level = 'kommune') AS keys) k"
            f" WHERE v.indicator_id = :i AND {HOME_KEYS}"
            " GROUP BY v.year, v.release_id, v.release_label, v.synthetic, r.status,"
            " r.published_at, r.note, k.keys"
        ),
        {"i": indicator_id},
    ).all()
    if not rows:
        return {"release": None, "years": [], "default_year": None}
    # One entry per contributing release, in release_for's order: real first, then newest.
    releases = sorted(
        {
            _Release(r.release_id, r.release_label, r.synthetic, r.published_at, r.note)
            for r in rows
        },
        key=lambda r: (
            r.synthetic,
            -(r.published_at.timestamp() if r.published_at else float("inf")),
            -r.release_id,
        ),
    )
    years = sorted({r.year for r in rows})
    real: dict[int, int] = {}
    for r in rows:
        real[r.year] = real.get(r.year, 0) + r.real_kommunen
    mostly_real = [y for y, n in real.items() if n * 2 >= rows[0].kommunen]
    return {
        "release": layered_release(releases),
        "years": years,
        "default_year": max(mostly_real) if mostly_real else years[-1],
    }


def map_geometry(conn: Connection) -> dict:
    """Boundaries (GeoJSON text), label points and the Region's bounds (no request input)."""
    return {
        "geojson": feature_collection(conn, "kommune"),
        "labels": label_points(conn),
        "bounds": (get_area(conn, REGION_AGS) or {}).get("bounds"),
    }


def map_area_values(conn: Connection, indicator_id: str, year: int, release_id: int | None) -> dict:
    """The Kommunen's values and the Region's value of one indicator and year."""
    region = values_for_year(conn, indicator_id, year, release_id, level="region")
    return {
        "values": values_for_year(conn, indicator_id, year, release_id),
        "region": region[0] if region else None,
    }


def map_area_values_by_year(
    conn: Connection, indicator_id: str, release_id: int | None
) -> dict[int, dict]:
    """map_area_values of every year with values, read at once (a map's years cost one query).

    Each year holds every Kommune in name order, those without a value with empty fields,
    exactly as `values_for_year` returns them.
    """
    areas = conn.execute(
        text("SELECT ags, name, level FROM area WHERE level IN ('kommune', 'region') ORDER BY name")
    ).all()
    rows = conn.execute(
        text(
            "SELECT v.ags, v.year, v.value, v.numerator, v.denominator,"
            " coalesce(v.suppressed, false) AS suppressed, v.flag, v.release_label, v.synthetic"
            f" FROM {value_source(release_id)} v WHERE v.indicator_id = :i AND {HOME_KEYS}"
        ),
        {"i": indicator_id},
    ).all()
    by_cell = {(r.ags, r.year): r for r in rows}
    out: dict[int, dict] = {}
    for year in sorted({r.year for r in rows}):
        per_level: dict[str, list[dict]] = {"kommune": [], "region": []}
        for a in areas:
            r = by_cell.get((a.ags, year))
            per_level[a.level].append(
                {
                    "ags": a.ags,
                    "name": a.name,
                    "level": a.level,
                    "value": r.value if r else None,
                    "numerator": r.numerator if r else None,
                    "denominator": r.denominator if r else None,
                    "suppressed": r.suppressed if r else False,
                    "flag": r.flag if r else None,
                    "release_label": r.release_label if r else None,
                    "synthetic": r.synthetic if r else None,
                }
            )
        region = per_level["region"]
        out[year] = {"values": per_level["kommune"], "region": region[0] if region else None}
    return out


def map_values(conn: Connection, indicator_id: str, year: int, release_id: int | None) -> dict:
    """The Kommunen's values, the Region's value, boundaries (GeoJSON text) and label points."""
    return {**map_area_values(conn, indicator_id, year, release_id), **map_geometry(conn)}


def kommune_values_all_years(
    conn: Connection, indicator_id: str, release_id: int | None
) -> list[float]:
    """Every shown value of the indicator for the Kommunen over all years (fixed class breaks)."""
    return list(
        conn.scalars(
            text(
                f"SELECT v.value FROM {value_source(release_id)} v"
                " JOIN area a ON a.ags = v.ags AND a.level = 'kommune'"
                " WHERE v.indicator_id = :i AND v.value IS NOT NULL AND NOT v.suppressed"
            ),
            {"i": indicator_id},
        )
    )
