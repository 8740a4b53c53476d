"""Load boundaries from any GDAL-readable file into the area table, in one transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely
from sqlalchemy import Connection, text

from geodata.models import SRID_STORE
from geodata.report import LoadError, Problem
from geodata.simplify import DEFAULT_TOLERANCE_M, simplify_coverage

# Germany's extent in EPSG:25832 with a margin; coordinates outside mean a wrong or missing CRS.
GERMANY_25832 = (200_000.0, 5_200_000.0, 1_000_000.0, 6_150_000.0)
AGS_RE = re.compile(r"^\d{8}$")
REQUIRED = ("AGS", "GEN", "BEZ")


@dataclass
class BoundaryReport:
    """What a boundary load did: how many areas, which geometries were repaired."""

    loaded: int = 0
    repaired: list[tuple[str, str]] = field(default_factory=list)  # (ags, reason)
    region: str | None = None


def read_boundaries(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a boundary file with GDAL (GeoJSON, GeoPackage, Shapefile, ...)."""
    name = str(path)
    if not path.exists():
        raise LoadError([Problem(name, None, None, "Datei nicht gefunden")])
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # GDAL raises many types; all mean "not readable"
        raise LoadError([Problem(name, None, None, f"keine lesbare Geodatei: {exc}")]) from exc


def check_boundaries(gdf: gpd.GeoDataFrame, name: str) -> list[Problem]:
    """Every problem of a boundary table: columns, CRS, keys, geometry presence."""
    problems: list[Problem] = []
    missing = [c for c in REQUIRED if c not in gdf.columns]
    if missing:
        problems.append(Problem(name, None, ", ".join(missing), "Pflichtspalte fehlt"))
        return problems
    if gdf.crs is None:
        problems.append(Problem(name, None, None, "kein Koordinatenbezugssystem (CRS) angegeben"))
        return problems
    seen: dict[str, int] = {}
    for i, (ags, geom) in enumerate(zip(gdf["AGS"], gdf.geometry, strict=True), start=1):
        if not isinstance(ags, str) or not AGS_RE.match(ags):
            problems.append(Problem(name, i, "AGS", f"kein 8-stelliger Gemeindeschlüssel: {ags!r}"))
        elif ags in seen:
            problems.append(Problem(name, i, "AGS", f"doppelt (schon in Objekt {seen[ags]})"))
        else:
            seen[ags] = i
        if geom is None or geom.is_empty:
            problems.append(Problem(name, i, "geometry", "Geometrie fehlt"))
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(name, i, "geometry", f"keine Fläche: {geom.geom_type}"))
    return problems


def check_extent(gdf: gpd.GeoDataFrame, name: str) -> list[Problem]:
    """After reprojection to EPSG:25832 the areas must lie in Germany (else: wrong CRS)."""
    minx, miny, maxx, maxy = gdf.total_bounds
    gx0, gy0, gx1, gy1 = GERMANY_25832
    if minx < gx0 or miny < gy0 or maxx > gx1 or maxy > gy1:
        return [
            Problem(
                name,
                None,
                "geometry",
                f"Koordinaten passen nicht zum angegebenen CRS {gdf.crs.to_string() if gdf.crs else '?'}: "
                "nach Umprojektion liegen sie nicht in Deutschland (falsches CRS?)",
            )
        ]
    return []


def load_boundaries(
    conn: Connection,
    path: Path,
    *,
    layer: str | None = None,
    ags_prefix: str | None = None,
    level: str = "kommune",
    region: tuple[str, str] | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> BoundaryReport:
    """Validate, reproject, repair (ST_MakeValid), simplify and upsert areas; caller commits."""
    name = str(path)
    gdf = read_boundaries(path, layer)
    problems = check_boundaries(gdf, name)
    if problems:
        raise LoadError(problems)
    if ags_prefix:
        gdf = gdf[gdf["AGS"].str.startswith(ags_prefix)]
        if gdf.empty:
            raise LoadError([Problem(name, None, "AGS", f"kein Gebiet mit AGS {ags_prefix}…")])
    gdf = gdf.to_crs(SRID_STORE)
    problems = check_extent(gdf, name)
    if problems:
        raise LoadError(problems)

    report = BoundaryReport()
    conn.execute(
        text(
            "CREATE TEMP TABLE area_stage (ags text PRIMARY KEY, name text, kind text,"
            " geom geometry(Geometry, 25832), geom_web geometry) ON COMMIT DROP"
        )
    )
    rows = [
        {"ags": a, "name": n, "kind": k, "wkb": shapely.to_wkb(g, hex=True)}
        for a, n, k, g in zip(gdf["AGS"], gdf["GEN"], gdf["BEZ"], gdf.geometry, strict=True)
    ]
    conn.execute(
        text(
            "INSERT INTO area_stage (ags, name, kind, geom)"
            " VALUES (:ags, :name, :kind, ST_GeomFromWKB(decode(:wkb, 'hex'), 25832))"
        ),
        rows,
    )
    # The source has known self-intersections: repair them in PostGIS and say so.
    report.repaired = [
        (r.ags, r.reason)
        for r in conn.execute(
            text(
                "UPDATE area_stage s SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(s.geom), 3))"
                " FROM (SELECT ags, ST_IsValidReason(geom) AS reason FROM area_stage"
                "       WHERE NOT ST_IsValid(geom)) bad"
                " WHERE s.ags = bad.ags RETURNING s.ags, bad.reason"
            )
        )
    ]
    stage = conn.execute(text("SELECT ags, ST_AsBinary(geom) AS wkb FROM area_stage ORDER BY ags"))
    keys, geoms = [], []
    for r in stage:
        keys.append(r.ags)
        geoms.append(shapely.from_wkb(bytes(r.wkb)))
    simplified = simplify_coverage(geoms, tolerance_m)
    conn.execute(
        text(
            "UPDATE area_stage SET geom_web = ST_Transform("
            " ST_Multi(ST_CollectionExtract(ST_MakeValid("
            "  ST_GeomFromWKB(decode(:wkb, 'hex'), 25832)), 3)), 4326) WHERE ags = :ags"
        ),
        [
            {"ags": a, "wkb": shapely.to_wkb(g, hex=True)}
            for a, g in zip(keys, simplified, strict=True)
        ],
    )
    conn.execute(
        text(
            "INSERT INTO area (ags, name, kind, level, geom, geom_web, area_km2)"
            " SELECT ags, name, kind, :level, ST_Multi(geom), ST_Multi(geom_web), ST_Area(geom) / 1e6"
            " FROM area_stage"
            " ON CONFLICT (ags) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,"
            # The home region's Kommunen keep their role when Germany is loaded over them.
            "  level = CASE WHEN area.level IN ('kommune', 'region') THEN area.level"
            "   ELSE EXCLUDED.level END, geom = EXCLUDED.geom, geom_web = EXCLUDED.geom_web,"
            "  area_km2 = EXCLUDED.area_km2"
            # Loading Germany's Gemeinden leaves the home region's Kommunen exactly as they are.
            " WHERE CAST(:level AS text) <> 'gemeinde' OR area.level NOT IN ('kommune', 'region')"
        ),
        {"level": level},
    )
    report.loaded = len(rows)
    if region:
        upsert_region(conn, *region)
        report.region = region[0]
    conn.execute(text("DROP TABLE area_stage"))
    return report


def upsert_region(conn: Connection, ags: str, name: str) -> None:
    """The Region itself is an area: the union of its Kommunen (AGS prefix = its key)."""
    conn.execute(
        text(
            "INSERT INTO area (ags, name, kind, level, geom, geom_web, area_km2)"
            " SELECT :ags, :name, 'Region', 'region', ST_Multi(ST_Union(geom)),"
            "  ST_Multi(ST_Union(geom_web)), ST_Area(ST_Union(geom)) / 1e6"
            " FROM area WHERE level = 'kommune' AND ags LIKE :prefix"
            " ON CONFLICT (ags) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom,"
            "  geom_web = EXCLUDED.geom_web, area_km2 = EXCLUDED.area_km2"
        ),
        {"ags": ags, "name": name, "prefix": ags + "%"},
    )
