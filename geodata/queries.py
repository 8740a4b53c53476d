"""Area queries returning plain data; PostGIS serialises geometry (ST_AsGeoJSON)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, text

from geodata.memo import has_memo, memoised
from geodata.model import Area, LabelPoint


@dataclass(frozen=True)
class HomeArea:
    """The Region or one of its Kommunen with what the map of the 21 Kommunen asks of each:
    its bounding box (as get_area) and its label point (as label_points)."""

    ags: str
    name: str
    kind: str
    level: str
    area_km2: float
    s: float
    w: float
    n: float
    e: float
    lat: float
    lon: float

    def area(self, bounds: bool = False) -> Area:
        """As list_areas (bounds=False) or get_area (bounds=True) read it."""
        box = ((self.s, self.w), (self.n, self.e)) if bounds else None
        return Area(self.ags, self.name, self.kind, self.level, self.area_km2, box)


HOME_AREAS_SQL = (
    "SELECT ags, name, kind, level, area_km2, ST_YMin(b) AS s, ST_XMin(b) AS w,"
    " ST_YMax(b) AS n, ST_XMax(b) AS e, ST_Y(p) AS lat, ST_X(p) AS lon"
    " FROM (SELECT *, ST_Envelope(geom_web)::box2d AS b, ST_PointOnSurface(geom_web) AS p"
    "  FROM area WHERE level IN ('kommune', 'region')) x ORDER BY ags"
)


def home_areas(conn: Connection) -> dict[str, HomeArea] | None:
    """AGS → the Region and its Kommunen (levels region and kommune), in key order: one
    statement per data version for the several reads of them a map page made one by one (its
    bounds, name, label points, the Kommunen's names, issue #32). None on a connection
    without a memo: there each read keeps its own statement."""
    if not has_memo(conn):
        return None
    return memoised(conn, "home_areas", lambda: read_home_areas(conn))


def get_home_area(conn: Connection, ags: str) -> Area | None:
    """get_area of the Region or one of its Kommunen (from home_areas when there is a memo)."""
    home = home_areas(conn)
    if home is not None and ags in home:
        return home[ags].area(bounds=True)
    return get_area(conn, ags)


def kommune_names(conn: Connection) -> dict[str, str]:
    """AGS → name of the home region's Kommunen, in key order (from home_areas when the
    connection has a memo, else one statement)."""
    home = home_areas(conn)
    if home is not None:
        return {h.ags: h.name for h in home.values() if h.level == "kommune"}
    rows = conn.execute(text("SELECT ags, name FROM area WHERE level = 'kommune' ORDER BY ags"))
    return dict(rows.all())


def read_home_areas(conn: Connection) -> dict[str, HomeArea]:
    """home_areas without the memo."""
    rows = conn.execute(text(HOME_AREAS_SQL))
    return home_areas_from(list(rows.keys()), rows.all())


def home_areas_from(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, HomeArea]:
    """home_areas from HOME_AREAS_SQL's rows (columns `names`, the key first)."""
    return {r[0]: HomeArea(**dict(zip(names, r, strict=True))) for r in rows}


def list_areas(conn: Connection, level: str | None = None) -> list[Area]:
    """Areas (ags, name, kind, level, area_km2), Region first, then Kommunen by name."""
    rows = conn.execute(
        text(
            "SELECT ags, name, kind, level, area_km2 FROM area"
            " WHERE (CAST(:level AS text) IS NULL OR level = :level)"
            " ORDER BY level = 'region' DESC, name"
        ),
        {"level": level},
    )
    return [Area.from_row(r._mapping) for r in rows]


def get_area(conn: Connection, ags: str) -> Area | None:
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
    return Area.from_row(row._mapping, bounds=((row.s, row.w), (row.n, row.e)))


def feature_sql(geom: str) -> str:
    """SQL of one area's GeoJSON Feature text (alias a = area), geometry `geom` in WGS84."""
    return (
        '\'{"type" : "Feature", "id" : \' || to_json(a.ags)::text'
        f" || ', \"geometry\" : ' || ST_AsGeoJSON({geom}, 6) || ', \"properties\" : '"
        " || json_build_object('ags', a.ags, 'name', a.name, 'kind', a.kind,"
        "  'level', a.level, 'area_km2', round(a.area_km2::numeric, 2))::text || '}'"
    )


def feature_collection(
    conn: Connection,
    level: str | None = "kommune",
    ags: list[str] | None = None,
    full: bool = False,
    prefix: str | None = None,
) -> str:
    """GeoJSON FeatureCollection text of the areas, built entirely inside PostGIS.

    level: one area level, 'home' for the home region's Kommunen and the Region, None for all.
    """
    sql = feature_collection_sql(full)
    params = {"level": level, "ags": ags, "prefix": prefix}
    if (level, ags, full, prefix) == ("kommune", None, False, None) and has_memo(conn):
        # The home Kommunen's boundaries (the map's): once per data version, read with the
        # catalogue (indicators.version_reads).
        return memoised(conn, KOMMUNEN_GEOJSON, lambda: str(conn.scalar(text(sql), params)))
    geojson: str = conn.scalar(text(sql), params)
    return geojson


KOMMUNEN_GEOJSON = "geojson:kommune"  # memo key of feature_collection(conn, "kommune")


def feature_collection_sql(full: bool = False) -> str:
    """feature_collection's statement (parameters level, ags, prefix)."""
    # With web outlines, each area's Feature text was written at load time (area_shape.feature):
    # the answer is string concatenation. Full geometry (rarely asked) is serialised on request.
    built = feature_sql("ST_Transform(a.geom, 4326)" if full else "a.geom_web")
    feature = built if full else f"coalesce(s.feature, {built})"
    return (
        'SELECT \'{"type" : "FeatureCollection", "features" : [\''
        f" || coalesce(string_agg({feature}, ', ' ORDER BY a.ags), '') || ']}}'"
        " FROM area a LEFT JOIN area_shape s ON s.ags = a.ags"
        " WHERE (CAST(:level AS text) IS NULL OR a.level = :level"
        "  OR (:level = 'home' AND a.level IN ('kommune', 'region')))"
        " AND (CAST(:ags AS text[]) IS NULL OR a.ags = ANY(:ags))"
        " AND (CAST(:prefix AS text) IS NULL OR a.ags LIKE :prefix || '%')"
    )


def locator_paths(conn: Connection, ags: str, region_prefix: str) -> dict[str, Any]:
    """SVG paths of the home region's (`region_prefix`, e.g. 03241) Kommunen (metres, EPSG:25832)
    for a locator map of one area."""
    # geom_web back to UTM metres keeps the shape true to scale (degrees would squash it);
    # ST_AsSVG writes y downwards (negated), so the viewBox starts at -ymax.
    # The paths are the same for every area of the region: read once per data version, then
    # ordered as the query did (Kommunen before the Region, the area last of its kind, by key).
    every = memoised(conn, f"locator:{region_prefix}", lambda: _locator_rows(conn, region_prefix))
    rows = sorted(every, key=lambda x: (x.level == "region", x.ags == ags, x.ags))
    if not rows:
        return {"viewbox": "", "paths": []}
    r = rows[0]
    pad = 800.0  # metres, so the outline stroke is not clipped
    viewbox = f"{r.x0 - pad:.0f} {-r.y1 - pad:.0f} {r.x1 - r.x0 + 2 * pad:.0f} {r.y1 - r.y0 + 2 * pad:.0f}"
    paths = [
        {"ags": x.ags, "name": x.name, "level": x.level, "d": x.d, "selected": x.ags == ags}
        for x in rows
    ]
    return {"viewbox": viewbox, "paths": paths}


# The locator's rows: the home areas of a prefix (or all of them: HOME_LOCATOR_SQL) in metres.
_LOCATOR_SQL = (
    "SELECT ags, name, level, ST_AsSVG(g, 0, 0) AS d, ST_XMin(b) AS x0,"
    " ST_YMax(b) AS y1, ST_XMax(b) AS x1, ST_YMin(b) AS y0"
    " FROM (SELECT ags, name, level, ST_Transform(geom_web, 25832) AS g,"
    "  ST_Extent(ST_Transform(geom_web, 25832)) OVER () AS b FROM area"
    "  WHERE level IN ('kommune', 'region'){prefix}) x"
)
# Every home area's (the Region's key is the prefix of all of them): the same rows as the
# locator of the Region's prefix, a statement without a parameter that a profile sends with
# its other per-version reads (indicators.version_reads).
HOME_LOCATOR = "locator:home"
HOME_LOCATOR_SQL = _LOCATOR_SQL.format(prefix="")


def locator_from(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
    """The locator's rows from HOME_LOCATOR_SQL's (columns `names`), by attribute as a Row."""
    return tuple(SimpleNamespace(**dict(zip(names, r, strict=True))) for r in rows)


def _locator_rows(conn: Connection, region_prefix: str) -> tuple[Any, ...]:
    home = home_areas(conn)
    if (
        home is not None
        and region_prefix in home
        and home[region_prefix].level == "region"
        and all(k.startswith(region_prefix) for k in home)
    ):  # the prefix selects every home area: the rows kept under HOME_LOCATOR
        return memoised(conn, HOME_LOCATOR, lambda: _home_locator_rows(conn))
    sql = _LOCATOR_SQL.format(prefix=" AND ags LIKE :prefix || '%'")
    return tuple(conn.execute(text(sql), {"prefix": region_prefix}).all())


def _home_locator_rows(conn: Connection) -> tuple[Any, ...]:
    rows = conn.execute(text(HOME_LOCATOR_SQL))
    return locator_from(list(rows.keys()), rows.all())


def label_points(conn: Connection, level: str = "kommune") -> list[LabelPoint]:
    """Per area a point inside it (lat, lon) for its name label on maps, by AGS."""
    # ST_PointOnSurface, not the centroid: a centroid can fall outside a concave Kommune.
    home = home_areas(conn) if level in ("kommune", "region") else None
    if home is not None:
        return [LabelPoint(h.ags, h.name, h.lat, h.lon) for h in home.values() if h.level == level]
    rows = conn.execute(
        text(
            "SELECT ags, name, ST_Y(p) AS lat, ST_X(p) AS lon"
            " FROM (SELECT ags, name, ST_PointOnSurface(geom_web) AS p FROM area"
            "  WHERE level = :level) x ORDER BY ags"
        ),
        {"level": level},
    )
    return [LabelPoint.from_row(r._mapping) for r in rows]
