"""Gap-free simplification: neighbours keep shared edges (GEOS coverage simplification)."""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

# Metres in EPSG:25832; 1:5 000 000 source data already has ~100 m vertex spacing.
DEFAULT_TOLERANCE_M = 50.0


def simplify_coverage(
    geoms: list[BaseGeometry], tolerance_m: float = DEFAULT_TOLERANCE_M
) -> list[BaseGeometry]:
    """Simplify polygons that tile an area together without opening gaps or overlaps."""
    if tolerance_m <= 0:
        return list(geoms)
    # PostGIS 3.3 (Debian 12) has no ST_CoverageSimplify; GEOS >= 3.12 in shapely does the same.
    simplified = shapely.coverage_simplify(shapely.from_wkb(shapely.to_wkb(geoms)), tolerance_m)
    return list(shapely.make_valid(simplified))
