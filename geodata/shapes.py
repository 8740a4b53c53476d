"""Compact web shapes per area, built once at load time for maps of many areas.

A map of all 10,997 Gemeinden as GeoJSON is ~19 MB and ~2 s of ST_AsGeoJSON; the browser needs
far less. Each area's web outline (already simplified gap-free at load) is quantised to a grid
of 1e-4 degrees (≈ 7 × 11 m, below the 50 m simplification) and written as rings of
delta-encoded integers — the quantisation and delta coding of TopoJSON, without its arc
topology (shared edges compress well under brotli anyway). Neighbours keep identical vertices,
so the quantised coverage stays gap-free. A map request then only concatenates stored text.

Format of one shape: a JSON array of polygons, each an array of rings, each ring a flat list
[x0, y0, dx1, dy1, …] with x = round(lon·1e4), y = round(lat·1e4); decoded in
app/static/js/karte-gebiet.js.
"""

from __future__ import annotations

import json

import numpy as np
import shapely
from sqlalchemy import Connection, text

from geodata.queries import feature_sql

SCALE = 1e4  # grid steps per degree


def _ring(coords: np.ndarray) -> list[int]:
    q = np.rint(coords[:, :2] * SCALE).astype(np.int64)
    # Closing vertex dropped (canvas closes the path); repeated vertices after rounding too.
    q = q[:-1]
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)
    q = q[keep]
    d = np.vstack([q[:1], np.diff(q, axis=0)])
    return d.ravel().tolist()


def encode(geom: shapely.Geometry) -> tuple[str, int]:
    """The compact shape text of a (multi)polygon in WGS84, and its vertex count."""
    polys = []
    n = 0
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        rings = [_ring(np.asarray(poly.exterior.coords))]
        rings += [_ring(np.asarray(r.coords)) for r in poly.interiors]
        rings = [r for r in rings if len(r) >= 6]  # three vertices at least
        if rings:
            polys.append(rings)
            n += sum(len(r) // 2 for r in rings)
    return json.dumps(polys, separators=(",", ":")), n


def build_shapes(conn: Connection, only_missing: bool = True) -> int:
    """(Re)build area_shape for every area lacking a current shape; caller commits."""
    # A shape is current while its area's area_km2 is unchanged (a reload recomputes it) and it
    # has its Feature text; a trigger (migration 0008) drops shapes of areas whose outline changed.
    rows = conn.execute(
        text(
            "SELECT a.ags, ST_AsBinary(a.geom_web) AS wkb, a.area_km2,"
            f" {feature_sql('a.geom_web')} AS feature FROM area a"
            " LEFT JOIN area_shape s ON s.ags = a.ags"
            " WHERE a.geom_web IS NOT NULL AND (NOT :only OR s.ags IS NULL"
            "  OR s.area_km2 IS DISTINCT FROM a.area_km2 OR s.feature IS NULL)"
        ),
        {"only": only_missing},
    ).all()
    if not rows:
        return 0
    geoms = shapely.from_wkb([bytes(r.wkb) for r in rows])
    out = []
    for r, g in zip(rows, geoms, strict=True):
        shape, n = encode(g)
        out.append({"ags": r.ags, "shape": shape, "n": n, "km2": r.area_km2, "ft": r.feature})
    conn.execute(
        text(
            "INSERT INTO area_shape (ags, shape, vertices, area_km2, feature)"
            " VALUES (:ags, :shape, :n, :km2, :ft)"
            " ON CONFLICT (ags) DO UPDATE SET shape = EXCLUDED.shape,"
            " vertices = EXCLUDED.vertices, area_km2 = EXCLUDED.area_km2,"
            " feature = EXCLUDED.feature"
        ),
        out,
    )
    return len(out)
