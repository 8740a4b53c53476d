"""Higher area levels: Kreise, Länder and the Bund as unions of their Gemeinden.

The keys follow the AGS: a Kreis is the first 5 digits of its Gemeinden's AGS, a Land the first
2; the Bund has the key 'DG' (as in the Regionaldatenbank). The home region keeps its own rows
(level 'region' for its Kreis, 'kommune' for its Gemeinden): loading Germany never changes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import Connection, text

from geodata.loaders import check_boundaries, read_boundaries
from geodata.models import SRID_STORE
from geodata.report import LoadError
from geodata.simplify import simplify_coverage

BUND_AGS = "DG"
LAENDER = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}
# Coarser levels get a coarser web geometry (metres in EPSG:25832).
TOLERANCE = {"kreis": 200.0, "land": 500.0, "bund": 1000.0}


@dataclass
class LevelsReport:
    """How many areas per level were built."""

    kreis: int = 0
    land: int = 0
    bund: int = 0


def level_of(ags: str) -> str:
    """The level of an area key: 8 digits Gemeinde, 5 Kreis, 2 Land, 'DG' Bund."""
    if ags == BUND_AGS:
        return "bund"
    return {8: "gemeinde", 5: "kreis", 2: "land"}.get(len(ags), "unbekannt")


def parents_of(ags: str) -> list[str]:
    """The keys of the areas an area lies in, nearest first (Gemeinde → Kreis, Land, Bund)."""
    if ags == BUND_AGS:
        return []
    out = [p for p in (ags[:5], ags[:2]) if len(p) < len(ags)]
    return [*out, BUND_AGS]


def load_levels(
    conn: Connection,
    path: Path,
    *,
    layer: str | None = None,
    kreis_names: dict[str, str] | None = None,
) -> LevelsReport:
    """Build Kreise, Länder and the Bund from a Germany-wide Gemeinde file; caller commits."""
    gdf = read_boundaries(path, layer)
    problems = check_boundaries(gdf, str(path))
    if problems:
        raise LoadError(problems)
    gdf = gdf.to_crs(SRID_STORE)
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    report = LevelsReport()
    names = kreis_names or {}
    for level, width in (("kreis", 5), ("land", 2), ("bund", 0)):
        keys = gdf["AGS"].str[:width] if width else gpd.pd.Series(BUND_AGS, index=gdf.index)
        groups = gdf.groupby(keys.to_numpy())
        ags_list: list[str] = []
        geoms = []
        for group, part in groups:
            ags_list.append(str(group))
            # The Gemeinden tile their Kreis: a coverage union is exact and fast.
            geoms.append(shapely.coverage_union_all(np.asarray(part.geometry)))
        geoms = [shapely.make_valid(g) for g in geoms]
        web = simplify_coverage(geoms, TOLERANCE[level])
        rows = []
        for key, g, w in zip(ags_list, geoms, web, strict=True):
            name = {
                "kreis": names.get(key, f"Kreis {key}"),
                "land": LAENDER.get(key, f"Land {key}"),
                "bund": "Deutschland",
            }[level]
            kind = {"kreis": "Kreis", "land": "Land", "bund": "Bund"}[level]
            rows.append(
                {
                    "ags": key,
                    "name": name,
                    "kind": kind,
                    "level": level,
                    "g": shapely.to_wkb(g, hex=True),
                    "w": shapely.to_wkb(w, hex=True),
                }
            )
        conn.execute(
            text(
                "INSERT INTO area (ags, name, kind, level, geom, geom_web, area_km2)"
                " SELECT :ags, :name, :kind, :level,"
                "  ST_Multi(ST_CollectionExtract(ST_GeomFromWKB(decode(:g, 'hex'), 25832), 3)),"
                "  ST_Transform(ST_Multi(ST_CollectionExtract("
                "   ST_GeomFromWKB(decode(:w, 'hex'), 25832), 3)), 4326),"
                "  ST_Area(ST_GeomFromWKB(decode(:g, 'hex'), 25832)) / 1e6"
                " ON CONFLICT (ags) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,"
                "  level = EXCLUDED.level, geom = EXCLUDED.geom, geom_web = EXCLUDED.geom_web,"
                "  area_km2 = EXCLUDED.area_km2"
                # The home Kreis keeps its row (level 'region', the Kommunen's finer outline).
                " WHERE area.level <> 'region'"
            ),
            rows,
        )
        setattr(report, level, len(rows))
    return report
