"""Query bundles for the map page: one call per step, plain data from both domains.

The map view needs two steps: first what decides the ETag (indicator, release, years), so a
repeat request is answered 304 before any values or geometry are read; then the map's data.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from geodata.queries import REGION_AGS, feature_collection, get_area, label_points
from indicators.queries import (
    default_year,
    get_indicator,
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
    release = release_for(conn, indicator_id, release_id, home=True) if indicator else None
    years = years_available(conn, indicator_id, release["id"]) if release else []
    return {
        "topics": topics,
        "indicator": indicator,
        "release": release,
        "years": years,
        "default_year": default_year(conn, indicator_id, release["id"]) if years else None,
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
