"""Boundary loading against the real PostGIS: reprojection, repair, gap-free simplification."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tests.conftest import GERMANY_GPKG, REGION_GEOJSON, db_checksum, invoke


def test_region_has_21_kommunen_and_the_region(conn):
    levels = dict(conn.execute(text("SELECT level, count(*) FROM area GROUP BY level")).all())
    assert levels["kommune"] == 21 and levels["region"] == 1
    # Kreise, Länder and the Bund are unions of Germany's Gemeinden (sozmon load-levels).
    assert levels["land"] == 16 and levels["bund"] == 1 and levels["kreis"] + 1 == 401
    keys = list(conn.scalars(text("SELECT ags FROM area WHERE level = 'kommune' ORDER BY ags")))
    assert keys == [f"03241{n:03d}" for n in range(1, 22)]
    assert conn.scalar(text("SELECT name FROM area WHERE ags = '03241'")) == "Region Hannover"


def test_stored_crs_and_area(conn):
    srids = conn.execute(text("SELECT DISTINCT ST_SRID(geom), ST_SRID(geom_web) FROM area")).all()
    assert srids == [(25832, 4326)]
    # Region Hannover covers about 2,297 km² (official figure); 1:5 M boundaries come close.
    region_km2 = conn.scalar(text("SELECT area_km2 FROM area WHERE ags = '03241'"))
    assert 2200 < region_km2 < 2400
    hannover = conn.scalar(text("SELECT area_km2 FROM area WHERE ags = '03241001'"))
    assert 190 < hannover < 215  # official: 204 km²


def test_simplified_geometries_tile_the_region_without_gaps_or_overlaps(conn):
    gaps, overlaps = conn.execute(
        text(
            "WITH k AS (SELECT ags, ST_Transform(geom_web, 25832) AS g FROM area"
            "  WHERE level = 'kommune'),"
            " r AS (SELECT geom FROM area WHERE ags = '03241')"
            " SELECT (SELECT ST_Area(ST_Difference(ST_Transform(ST_Union(g), 25832),"
            "          (SELECT ST_Transform(geom_web, 25832) FROM area WHERE ags = '03241'))) "
            "         + ST_Area(ST_Difference((SELECT ST_Transform(geom_web, 25832) FROM area"
            "          WHERE ags = '03241'), ST_Union(g))) FROM k) / 1e6,"
            " (SELECT coalesce(sum(ST_Area(ST_Intersection(a.g, b.g))), 0) FROM k a JOIN k b"
            "   ON a.ags < b.ags AND ST_Intersects(a.g, b.g)) / 1e6"
        )
    ).one()
    assert gaps < 0.01 and overlaps < 0.01
    # The simplified union stays close to the full-resolution Region outline as well.
    drift = conn.scalar(
        text(
            "SELECT ST_Area(ST_SymDifference(ST_Transform(geom_web, 25832), geom)) / 1e6"
            " FROM area WHERE ags = '03241'"
        )
    )
    assert drift < 0.02 * 2297
    # Inner holes between neighbours would show as interior rings of the Region.
    holes = conn.scalar(
        text(
            "SELECT sum(ST_NumInteriorRings(g)) FROM (SELECT (ST_Dump(geom_web)).geom g"
            " FROM area WHERE ags = '03241') d"
        )
    )
    assert holes == 0


def test_germany_file_invalid_geometries_repaired_and_reported(empty_app):
    result = invoke(
        empty_app,
        "load-boundaries",
        str(GERMANY_GPKG),
        "--layer",
        "gemeinden",
        "--level",
        "gemeinde",
        "--tolerance",
        "0",
    )
    assert result.exit_code == 0, result.output
    for ags in ("09677452", "16071004", "16076039"):
        assert f"repariert (ST_MakeValid): {ags}" in result.output
    assert "10997 Gebiete geladen, 3 Geometrien repariert" in result.output
    with empty_app.extensions["sozmon_engine"].connect() as c:
        assert c.scalar(text("SELECT count(*) FROM area WHERE NOT ST_IsValid(geom)")) == 0
        assert c.scalar(text("SELECT count(*) FROM area")) == 10997


def test_missing_file_is_refused(fresh_app, tmp_path):
    before = db_checksum(fresh_app)
    result = invoke(fresh_app, "load-boundaries", str(tmp_path / "nope.geojson"))
    assert result.exit_code != 0
    assert "nope.geojson: Datei nicht gefunden" in result.output
    assert db_checksum(fresh_app) == before


def test_wrong_crs_is_refused(fresh_app, tmp_path):
    # Metre coordinates (UTM) in a file that claims WGS84: a classic wrong CRS.
    data = json.loads(REGION_GEOJSON.read_text())
    for f in data["features"]:
        f["geometry"]["coordinates"] = _scale(f["geometry"]["coordinates"])
    bad = tmp_path / "wrong_crs.geojson"
    bad.write_text(json.dumps(data))
    before = db_checksum(fresh_app)
    result = invoke(fresh_app, "load-boundaries", str(bad))
    assert result.exit_code != 0
    assert "wrong_crs.geojson" in result.output and "falsches CRS" in result.output
    assert db_checksum(fresh_app) == before


def test_file_without_crs_is_refused(fresh_app, tmp_path):
    import geopandas as gpd

    gdf = gpd.read_file(REGION_GEOJSON).set_crs(None, allow_override=True)
    bad = tmp_path / "no_crs.gpkg"
    gdf.to_file(bad, driver="GPKG")
    before = db_checksum(fresh_app)
    result = invoke(fresh_app, "load-boundaries", str(bad))
    assert result.exit_code != 0
    assert "kein Koordinatenbezugssystem" in result.output
    assert db_checksum(fresh_app) == before


def test_duplicate_and_malformed_ags_reported_with_rows(fresh_app, tmp_path):
    data = json.loads(REGION_GEOJSON.read_text())
    data["features"][1]["properties"]["AGS"] = data["features"][0]["properties"]["AGS"]
    data["features"][2]["properties"]["AGS"] = "3241"
    bad = tmp_path / "dup.geojson"
    bad.write_text(json.dumps(data))
    before = db_checksum(fresh_app)
    result = invoke(fresh_app, "load-boundaries", str(bad))
    assert result.exit_code != 0
    assert "Zeile 2, Spalte AGS: doppelt" in result.output
    assert "Zeile 3, Spalte AGS: kein 8-stelliger" in result.output
    assert db_checksum(fresh_app) == before


@pytest.mark.parametrize("content", ["", "{not json", '{"type": "FeatureCollection"'])
def test_unreadable_file_is_refused(fresh_app, tmp_path, content):
    bad = tmp_path / "broken.geojson"
    bad.write_text(content)
    before = db_checksum(fresh_app)
    result = invoke(fresh_app, "load-boundaries", str(bad))
    assert result.exit_code != 0 and "broken.geojson" in result.output
    assert db_checksum(fresh_app) == before


def _scale(coords):
    """Turn lon/lat into UTM-sized numbers (metres), keeping the structure."""
    if isinstance(coords[0], (int, float)):
        return [coords[0] * 60000, coords[1] * 110000]
    return [_scale(c) for c in coords]
