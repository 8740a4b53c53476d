"""Built at load time (0008): stored outline bodies, per-area GeoJSON features, the data epoch."""

from __future__ import annotations

import json

import brotli
from sqlalchemy import text

from geodata.queries import feature_collection
from indicators.api_queries import data_version
from tests.conftest import invoke


def _bodies(app) -> set[tuple[str, str]]:
    with app.extensions["sozmon_engine"].connect() as c:
        return {tuple(r) for r in c.execute(text("SELECT territory, ebene FROM outline_body"))}


def test_load_stores_the_large_territories_outline_bodies(app, client):
    bodies = _bodies(app)
    # Germany at every level and each Land's Kreise, built by load-all's build-shapes.
    assert {("DG", "land"), ("DG", "kreis"), ("DG", "gemeinde"), ("03", "kreis")} <= bodies
    assert sum(1 for t, e in bodies if e == "kreis") == 17  # Germany + 16 Länder
    r = client.get("/karte/umrisse?gebiet=DG&ebene=kreis", headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    shapes = json.loads(brotli.decompress(r.data))
    assert len(shapes) == 401 and "03241" in shapes  # the home Kreis counts as a Kreis


def test_stored_and_built_outline_answers_are_the_same(fresh_app):
    c = fresh_app.test_client()
    url = "/karte/umrisse?gebiet=03&ebene=kreis"
    stored = {enc: c.get(url, headers={"Accept-Encoding": enc}) for enc in ("br", "gzip", "")}
    with fresh_app.extensions["sozmon_engine"].begin() as conn:
        conn.execute(text("DELETE FROM outline_body"))
    fresh_app.extensions["sozmon_cache"].clear()
    built = {enc: c.get(url, headers={"Accept-Encoding": enc}) for enc in ("br", "gzip", "")}
    # Same content and the same ETag whether the body was stored at load or built on request.
    assert stored[""].data == built[""].data
    assert brotli.decompress(stored["br"].data) == built[""].data
    for enc in stored:
        assert stored[enc].headers["ETag"] == built[enc].headers["ETag"]


def test_changing_areas_drops_stored_geometry_and_build_shapes_renews_it(fresh_app):
    engine = fresh_app.extensions["sozmon_engine"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE area SET name = 'Barsinghausen (neu)' WHERE ags = '03241001'"))
        assert conn.scalar(text("SELECT count(*) FROM outline_body")) == 0
        assert conn.scalar(text("SELECT count(*) FROM area_shape WHERE ags = '03241001'")) == 0
        # The API still answers (built on request) with the new name.
        fc = json.loads(feature_collection(conn, "kommune", ["03241001"]))
        assert fc["features"][0]["properties"]["name"] == "Barsinghausen (neu)"
    result = invoke(fresh_app, "build-shapes")
    assert result.exit_code == 0, result.output
    assert "1 Umrisse" in result.output
    with engine.connect() as conn:
        feature = conn.scalar(text("SELECT feature FROM area_shape WHERE ags = '03241001'"))
    assert json.loads(feature)["properties"]["name"] == "Barsinghausen (neu)"
    assert ("DG", "kreis") in _bodies(fresh_app)


def test_stored_features_equal_features_built_on_request(app):
    with app.extensions["sozmon_engine"].connect() as conn:
        stored = json.loads(feature_collection(conn, "home"))
        full = json.loads(feature_collection(conn, "home", full=True))
        conn.execute(text("UPDATE area_shape SET feature = NULL"))  # rolled back below
        built = json.loads(feature_collection(conn, "home"))
        conn.rollback()
    assert stored == built
    assert len(stored["features"]) == 22
    assert [f["id"] for f in full["features"]] == [f["id"] for f in stored["features"]]
    assert stored["features"][0]["geometry"]["type"] == "MultiPolygon"


def test_areas_api_counts_the_stored_features(client):
    r = client.get("/api/v1/areas?ebene=kreis")
    body = r.get_json()
    assert r.status_code == 200 and body["count"] == len(body["features"]) == 400


def test_publishing_refreshes_the_planners_view_of_the_release_table(conn):
    # Without it the planner thought one release was published and joined every shown value
    # to each release in turn (Germany-wide maps 4× slower).
    published = conn.scalar(text("SELECT count(*) FROM release WHERE status = 'published'"))
    assert published >= 2
    assert (
        conn.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'release'")) >= published
    )
    freq = conn.scalar(
        text(
            "SELECT most_common_vals::text FROM pg_stats WHERE tablename = 'release' AND attname = 'status'"
        )
    )
    assert freq is not None and "published" in freq


def test_the_data_version_changes_with_releases_catalogue_and_areas_only(fresh_app):
    engine = fresh_app.extensions["sozmon_engine"]

    def version_after(sql: str) -> tuple[str, str]:
        with engine.begin() as conn:
            before = data_version(conn)
            conn.execute(text(sql))
        with engine.connect() as conn:
            return before, data_version(conn)

    for sql in (
        "UPDATE release SET note = note || ' ' WHERE id = (SELECT min(id) FROM release)",
        "UPDATE indicator SET definition_de = definition_de || ' ' WHERE id = 'sgb2_quote'",
        "UPDATE topic SET name_de = name_de WHERE false",  # a statement counts, rows or not
        "UPDATE release_source SET note = note || ' '",
        "UPDATE area SET name = name || ' ' WHERE ags = '03241001'",
    ):
        before, after = version_after(sql)
        assert before != after, sql
    # Editors' accounts, login failures and the audit log are not served data.
    before, after = version_after("DELETE FROM login_failure")
    assert before == after
    # A change that is rolled back leaves the version as it was.
    with engine.connect() as conn:
        before = data_version(conn)
        conn.execute(text("UPDATE release SET note = 'x'"))
        conn.rollback()
        assert data_version(conn) == before
