"""Area queries returning plain data; PostGIS serialises geometry (ST_AsGeoJSON)."""

from __future__ import annotations

from sqlalchemy import Connection, text

REGION_AGS = "03241"


def list_areas(conn: Connection, level: str | None = None) -> list[dict]:
    """Areas (ags, name, kind, level, area_km2), Region first, then Kommunen by name."""
    rows = conn.execute(
        text(
            "SELECT ags, name, kind, level, area_km2 FROM area"
            " WHERE (CAST(:level AS text) IS NULL OR level = :level)"
            " ORDER BY level = 'region' DESC, name"
        ),
        {"level": level},
    )
    return [dict(r._mapping) for r in rows]


def get_area(conn: Connection, ags: str) -> dict | None:
    """One area with its bounding box in WGS84 ([[south, west], [north, east]])."""
    row = conn.execute(
        text(
            "SELECT ags, name, kind, level, area_km2, ST_YMin(b) AS s, ST_XMin(b) AS w,"
            " ST_YMax(b) AS n, ST_XMax(b) AS e"
            " FROM (SELECT *, ST_Envelope(geom_web)::box2d AS b FROM area WHERE ags = :ags) x"
        ),
        {"ags": ags},
    ).first()
    if row is None:
        return None
    d = dict(row._mapping)
    d["bounds"] = [[d.pop("s"), d.pop("w")], [d.pop("n"), d.pop("e")]]
    return d


def feature_collection(
    conn: Connection, level: str = "kommune", ags: list[str] | None = None, full: bool = False
) -> str:
    """GeoJSON FeatureCollection text of the areas, built entirely inside PostGIS."""
    geom = "ST_Transform(geom, 4326)" if full else "geom_web"
    sql = (
        "SELECT json_build_object('type', 'FeatureCollection', 'features',"
        " coalesce(json_agg(json_build_object("
        "  'type', 'Feature', 'id', ags,"
        f"  'geometry', ST_AsGeoJSON({geom}, 6)::json,"
        "  'properties', json_build_object('ags', ags, 'name', name, 'kind', kind,"
        "   'level', level, 'area_km2', round(area_km2::numeric, 2))"
        " ) ORDER BY ags), '[]'::json))::text"
        " FROM area WHERE (CAST(:level AS text) IS NULL OR level = :level)"
        " AND (CAST(:ags AS text[]) IS NULL OR ags = ANY(:ags))"
    )
    return conn.scalar(text(sql), {"level": level, "ags": ags})
