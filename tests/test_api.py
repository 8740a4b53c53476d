"""The open-data API: every endpoint against the database, formats, errors, caching."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from geodata import attribution
from indicators.catalogue import CATALOGUE_COLUMNS, table_column
from tests.conftest import invoke

API = "/api/v1"
PROBLEM = "application/problem+json"


def get_json(client, url: str, status: int = 200) -> dict:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.get_data(as_text=True)[:500])
    return r.get_json(force=True)


def assert_problem(r, status: int, slug: str | None = None) -> dict:
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.mimetype == PROBLEM
    body = r.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status and body["detail"]
    if slug:
        assert body["type"].endswith("#problem-" + slug)
    return body


def test_topics_match_database(client, conn):
    body = get_json(client, f"{API}/topics")
    db = conn.execute(text("SELECT id, name_de FROM topic ORDER BY sort, id")).all()
    assert [(t["id"], t["name_de"]) for t in body["data"]] == [tuple(r) for r in db]
    n = conn.scalar(text("SELECT count(*) FROM indicator"))
    assert sum(len(t["indicators"]) for t in body["data"]) == n
    assert body["licence"]["id"] == attribution.LICENCE
    assert body["synthetic"] is True and "Beispieldaten" in body["hinweis"]


def test_topics_of_one_release_hold_only_its_indicators(client):
    body = get_json(client, f"{API}/topics?release=zensus-2022")
    # The Zensus count is also the population series' own segment for 2022.
    assert sorted(i for t in body["data"] for i in t["indicators"]) == [
        "bev_insgesamt",
        "bev_zensus22",
    ]
    assert body["synthetic"] is False and "hinweis" not in body


def test_indicator_catalogue_matches_database(client, conn):
    body = get_json(client, f"{API}/indicators")
    db = {r.id: r for r in conn.execute(text("SELECT * FROM indicator"))}
    assert body["count"] == len(db) == len(body["data"])
    for item in body["data"]:
        row = db[item["id"]]
        for field in CATALOGUE_COLUMNS:  # every column of the catalogue, as stored
            assert item[field] == getattr(row, table_column(field)), (item["id"], field)
    zensus = next(i for i in body["data"] if i["id"] == "bev_zensus22")
    assert zensus["release"] == "zensus-2022" and zensus["years"] == [2022]
    assert zensus["synthetic"] is False
    # A series is real or synthetic (0009): a real indicator's years are its real years; the
    # demo release's continuation of it is never shown, and a demo-only indicator is synthetic.
    pop = next(i for i in body["data"] if i["id"] == "bev_insgesamt")
    years = list(
        conn.scalars(
            text(
                "SELECT DISTINCT year FROM shown_value WHERE indicator_id = 'bev_insgesamt'"
                " ORDER BY year"
            )
        )
    )
    assert pop["years"] == years and max(years) == 2023 and pop["synthetic"] is False
    assert "demo-2024-2" not in pop["release"].split(" + ")
    demo_only = next(i for i in body["data"] if i["id"] == "armutsgefaehrdung_quote")
    assert demo_only["synthetic"] is True and demo_only["release"] == "demo-2024-2"


def test_one_indicator_and_unknown_ids(client):
    body = get_json(client, f"{API}/indicators/bev_zensus22")
    assert body["count"] == 1 and body["data"][0]["unit"] == "Personen"
    assert_problem(client.get(f"{API}/indicators/gibt_es_nicht"), 404, "not-found")
    assert_problem(client.get(f"{API}/indicators/BÖSE'--"), 400, "invalid-parameter")
    # In a release that does not contain it.
    assert_problem(client.get(f"{API}/indicators/bev_dichte?release=zensus-2022"), 404)


def test_indicators_as_csv(client, conn):
    r = client.get(f"{API}/indicators?format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert len(rows) == conn.scalar(text("SELECT count(*) FROM indicator"))
    z = next(x for x in rows if x["id"] == "bev_zensus22")
    assert z["years"] == "2022" and z["release"] == "zensus-2022" and z["synthetic"] == "false"


def test_areas_are_geojson_with_attribution(client, conn):
    r = client.get(f"{API}/areas")
    assert r.mimetype == "application/geo+json"
    body = r.get_json(force=True)
    assert body["type"] == "FeatureCollection"
    # Without ?ebene: the Kommunen and the Region (Kreise, Länder and Bund with ?ebene=).
    assert {f["id"] for f in body["features"]} == set(
        conn.scalars(text("SELECT ags FROM area WHERE level IN ('kommune', 'region')"))
    )
    assert any(attribution.BOUNDARIES in a for a in body["attribution"])
    hannover = next(f for f in body["features"] if f["id"] == "03241001")
    assert hannover["properties"]["name"] == "Hannover"
    kommunen = get_json(client, f"{API}/areas?ebene=kommune")
    assert kommunen["count"] == 21
    full = get_json(client, f"{API}/areas?geometry=full")

    def n_points(fc: dict) -> int:
        return sum(len(str(f["geometry"]["coordinates"])) for f in fc["features"])

    assert n_points(full) > n_points(body)  # the stored geometry, not the simplified one


def test_one_area(client):
    r = client.get(f"{API}/areas/03241001")
    body = r.get_json(force=True)
    assert body["type"] == "Feature" and body["properties"]["ags"] == "03241001"
    assert body["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert body["licence"]["url"].endswith(attribution.LICENCE)
    assert_problem(client.get(f"{API}/areas/03241099"), 404, "not-found")
    assert_problem(client.get(f"{API}/areas/abc"), 400, "invalid-parameter")


def test_values_match_database(client, conn):
    body = get_json(client, f"{API}/values?indikator=bev_zensus22")
    db = dict(
        conn.execute(text("SELECT ags, value FROM value WHERE indicator_id = 'bev_zensus22'")).all()
    )
    assert {v["ags"]: v["value"] for v in body["data"]} == db
    assert body["releases"] == ["zensus-2022"] and body["synthetic"] is False
    assert any("Zensus 2022" in a for a in body["attribution"])

    body = get_json(
        client,
        f"{API}/values?indikator=bev_insgesamt,alo_sgb2_anteil&jahr=2015,2020&ags=03241001,03241",
    )
    db = conn.execute(
        text(
            "SELECT indicator_id, ags, year, value FROM shown_value"
            " WHERE indicator_id IN ('bev_insgesamt', 'alo_sgb2_anteil')"
            " AND year IN (2015, 2020) AND ags IN ('03241001', '03241')"
        )
    ).all()
    assert len(db) == 6  # bev_insgesamt has no 2020 (real series, no synthetic filling)
    assert {(v["indicator"], v["ags"], v["year"], v["value"]) for v in body["data"]} == set(db)
    assert body["synthetic"] is True and "Beispieldaten" in body["hinweis"]
    # Per row: the real population of 2015, the demo-only indicator's synthetic 2020.
    src = {(v["indicator"], v["year"]): (v["release"], v["synthetic"]) for v in body["data"]}
    assert src[("bev_insgesamt", 2015)] == ("regionalstatistik-2017", False)
    assert src[("alo_sgb2_anteil", 2020)] == ("demo-2024-2", True)
    assert all(v["synthetic"] == (v["release"] == "demo-2024-2") for v in body["data"])


def test_values_without_filter_are_the_complete_data(client, conn):
    body = get_json(client, f"{API}/values")
    total = conn.scalar(text("SELECT count(*) FROM shown_value"))
    # JSON comes in pages (tests/test_api_paging.py): the total, and the first page
    assert body["count_total"] == total and body["count"] == min(total, body["limit"])
    assert set(body["releases"]) == {
        "zensus-2022",
        "demo-2024-2",
        "regionalstatistik-2017",
        "gemeindeverzeichnis-2017",
        "gemeindeverzeichnis-2023",
        "inkar-2024",
    }


def test_values_as_csv_standard_and_for_german_excel(client):
    url = f"{API}/values?indikator=alo_sgb2_anteil&jahr=2020"
    data = get_json(client, url)["data"]
    r = client.get(url + "&format=csv")
    assert r.headers["Content-Type"].startswith("text/csv")
    assert 'rel="license"' in r.headers["Link"] and attribution.LICENCE in r.headers["Link"]
    assert "Beispieldaten" in r.headers["X-Attribution"]
    assert r.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [(x["ags"], float(x["value"])) for x in rows] == [(v["ags"], v["value"]) for v in data]
    assert all(x["synthetic"] == "true" for x in rows)

    r = client.get(url + "&format=csv-de")
    raw = r.data.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows_de = list(csv.DictReader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))
    assert [float(x["value"].replace(",", ".")) for x in rows_de] == [v["value"] for v in data]
    assert any("," in x["value"] for x in rows_de)  # decimal comma


def test_values_as_xlsx(client):
    r = client.get(f"{API}/values?indikator=alo_sgb2_anteil&format=xlsx")
    assert r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    rows = list(wb["Daten"].values)
    assert rows[0][:4] == ("release", "synthetic", "indicator", "ags")
    assert len(rows) - 1 == get_json(client, f"{API}/values?indikator=alo_sgb2_anteil")["count"]
    hints = " ".join(str(c) for row in wb["Hinweise"].values for c in row)
    assert "Beispieldaten" in hints and attribution.LICENCE in hints


def test_values_as_geojson_join_the_geometries(client):
    body = get_json(client, f"{API}/values?indikator=bev_zensus22&format=geojson")
    n = (
        client.application.extensions["sozmon_engine"]
        .connect()
        .execute(text("SELECT count(*) FROM shown_value WHERE indicator_id = 'bev_zensus22'"))
        .scalar()
    )
    assert body["type"] == "FeatureCollection" and len(body["features"]) == n > 22
    f = next(f for f in body["features"] if f["properties"]["ags"] == "03241001")
    assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert f["properties"]["value"] > 500_000
    assert any(attribution.BOUNDARIES in a for a in body["attribution"])
    assert_problem(client.get(f"{API}/values?format=geojson"), 400, "invalid-parameter")


@pytest.mark.parametrize(
    ("query", "status", "slug"),
    [
        ("foo=1", 400, "unknown-parameter"),
        ("lang=en", 400, "unknown-parameter"),
        ("jahr=2020&jahr=2021", 400, "invalid-parameter"),
        ("jahr=zwanzig", 400, "invalid-parameter"),
        ("jahr=1850", 400, "invalid-parameter"),
        ("jahr=2020%0A", 400, "invalid-parameter"),
        ("ags=0324100", 400, "invalid-parameter"),
        ("ags=" + ",".join(["03241001"] * 51), 400, "invalid-parameter"),
        ("ags=" + ",".join(["03241001"] * 5000), 400, "invalid-parameter"),
        ("indikator=Robert');DROP TABLE value;--", 400, "invalid-parameter"),
        ("format=pdf", 400, "invalid-parameter"),
        ("indikator=gibt_es_nicht", 404, "not-found"),
        ("ags=03241999", 404, "not-found"),
        ("release=999999", 404, "release-unavailable"),
        ("release=nie-veroeffentlicht", 404, "release-unavailable"),
        ("release=../../etc", 400, "invalid-parameter"),
        ("indikator=bev_dichte&release=zensus-2022", 404, "not-found"),
    ],
)
def test_bad_input_is_a_problem_document(client, query, status, slug):
    body = assert_problem(client.get(f"{API}/values?{query}"), status, slug)
    assert body["instance"].startswith("/api/v1/values")


def test_huge_ags_list_is_refused_with_the_limit(client):
    body = assert_problem(client.get(f"{API}/values?ags=" + ",".join(["03241001"] * 60)), 400)
    assert "höchstens 50" in body["detail"]


def test_unknown_path_and_method_are_problem_documents(client):
    assert_problem(client.get(f"{API}/gibt-es-nicht"), 404, "not-found")
    r = client.post(f"{API}/values")
    assert_problem(r, 405, "method-not-allowed")
    assert "GET" in r.headers["Allow"]


def test_release_by_label_or_id_and_listing(client, conn):
    rid = conn.scalar(text("SELECT id FROM release WHERE label = 'zensus-2022'"))
    by_id = get_json(client, f"{API}/values?release={rid}")
    by_label = get_json(client, f"{API}/values?release=zensus-2022")
    n_zensus = conn.scalar(
        text(
            "SELECT count(*) FROM value v JOIN release r ON r.id = v.release_id"
            " WHERE r.label = 'zensus-2022'"
        )
    )
    assert by_id["data"] == by_label["data"] and by_id["count_total"] == n_zensus
    body = get_json(client, f"{API}/releases")
    db = conn.execute(
        # Releases published in one transaction share published_at: id breaks the tie.
        text(
            "SELECT label FROM release WHERE status = 'published'"
            " ORDER BY published_at DESC, id DESC"
        )
    ).all()
    assert [r["label"] for r in body["data"]] == [r[0] for r in db]
    z = next(r for r in body["data"] if r["label"] == "zensus-2022")
    assert (
        z["n_values"] == n_zensus
        and z["n_indicators"] == 2  # bev_zensus22 and bev_insgesamt 2022
        and z["datapackage"].endswith("/api/v1/releases/zensus-2022/datapackage.json")
    )
    one = get_json(client, f"{API}/releases?release=zensus-2022")
    assert [r["label"] for r in one["data"]] == ["zensus-2022"]


def _write_release(path, value: float = 600000.0) -> str:
    path.write_text(
        "ags,indicator,year,value\n"
        f"03241001,bev_zensus22,2022,{value}\n03241002,bev_zensus22,2022,34000\n"
    )
    return str(path)


def test_drafts_are_never_served_and_withdrawn_releases_only_when_named(fresh_app, tmp_path):
    result = invoke(
        fresh_app,
        "load-release",
        _write_release(tmp_path / "d.csv"),
        "--label",
        "entwurf-1",
        "--draft",
    )
    assert result.exit_code == 0, result.output
    client = fresh_app.test_client()
    # The default still serves the published Zensus value, not the draft's 600000.
    body = get_json(client, f"{API}/values?indikator=bev_zensus22&ags=03241001")
    assert body["releases"] == ["zensus-2022"] and body["data"][0]["value"] != 600000.0
    assert_problem(client.get(f"{API}/values?release=entwurf-1"), 404, "release-unavailable")
    assert "entwurf-1" not in client.get(f"{API}/releases").get_data(as_text=True)
    with fresh_app.extensions["sozmon_engine"].begin() as c:
        c.execute(text("UPDATE release SET status = 'withdrawn' WHERE label = 'zensus-2022'"))
    # A change by hand in SQL: the kept tables follow it after `sozmon precompute` (rollback
    # does both in one transaction; /values' pages read the kept order, shown_order).
    assert invoke(fresh_app, "precompute").exit_code == 0
    named = get_json(client, f"{API}/values?release=zensus-2022&indikator=bev_zensus22")
    assert named["count"] > 22  # every area with a Zensus value
    assert any("zurückgezogen" in a for a in named["attribution"])
    assert get_json(client, f"{API}/values?indikator=bev_zensus22")["count"] == 0


def test_suppressed_values_never_leave_the_api(fresh_app):
    with fresh_app.extensions["sozmon_engine"].begin() as c:
        c.execute(
            text(
                "UPDATE value SET suppressed = true, numerator = 2, denominator = 900"
                " WHERE indicator_id = 'alo_sgb2_anteil' AND year = 2020 AND ags = '03241005'"
            )
        )
        secret = c.scalar(
            text(
                "SELECT value FROM value WHERE indicator_id = 'alo_sgb2_anteil'"
                " AND year = 2020 AND ags = '03241005'"
            )
        )
    client = fresh_app.test_client()
    url = f"{API}/values?indikator=alo_sgb2_anteil&jahr=2020&ags=03241005"
    row = get_json(client, url)["data"][0]
    assert row["suppressed"] is True
    assert row["value"] is None and row["numerator"] is None and row["denominator"] is None
    for fmt in ("csv", "csv-de"):
        text_ = client.get(url + "&format=" + fmt).get_data(as_text=True)
        assert str(secret) not in text_ and str(secret).replace(".", ",") not in text_
        assert "900" not in text_ and "true" in text_
    geo = get_json(client, url + "&format=geojson")["features"][0]["properties"]
    assert geo["value"] is None and geo["suppressed"] is True


def test_caching_headers_and_304(client, conn):
    url = f"{API}/values?indikator=bev_zensus22"
    r = client.get(url)
    etag = r.headers["ETag"]
    assert "public" in r.headers["Cache-Control"] and "max-age=300" in r.headers["Cache-Control"]
    published = conn.scalar(text("SELECT published_at FROM release WHERE label = 'zensus-2022'"))
    assert r.last_modified == published.replace(microsecond=0)
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get(url + "&jahr=2022")
    assert other.headers["ETag"] != etag  # parameters are part of the ETag


def test_compression_and_cors(client):
    for enc in ("br", "gzip"):
        r = client.get(f"{API}/indicators", headers={"Accept-Encoding": enc})
        assert r.headers["Content-Encoding"] == enc
        # The compressed variant's ETag also validates: 304 without re-running the query.
        again = client.get(
            f"{API}/indicators",
            headers={"Accept-Encoding": enc, "If-None-Match": r.headers["ETag"]},
        )
        assert again.status_code == 304
    r = client.get(f"{API}/areas", headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    pre = client.options(
        f"{API}/values",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert pre.status_code == 200 and "If-None-Match" in pre.headers["Access-Control-Allow-Headers"]
    assert client.get(f"{API}/gibt-es-nicht").headers["Access-Control-Allow-Origin"] == "*"


def test_new_release_gives_a_new_etag(fresh_app, tmp_path):
    client = fresh_app.test_client()
    urls = [f"{API}/values?indikator=bev_zensus22", f"{API}/releases", f"{API}/indicators"]
    before = {u: client.get(u).headers["ETag"] for u in urls}
    for u in urls:
        assert client.get(u, headers={"If-None-Match": before[u]}).status_code == 304
    result = invoke(
        fresh_app, "load-release", _write_release(tmp_path / "n.csv", 612345.0), "--label", "2025-1"
    )
    assert result.exit_code == 0, result.output
    for u in urls:
        r = client.get(u, headers={"If-None-Match": before[u]})
        assert r.status_code == 200 and r.headers["ETag"] != before[u], u
    body = get_json(client, urls[0])
    # The new release layers over the Zensus: its value is shown, the other areas keep theirs.
    assert body["releases"][0] == "2025-1" and "zensus-2022" in body["releases"]
    by_ags = {v["ags"]: v for v in body["data"]}
    assert by_ags["03241001"]["value"] == 612345.0 and by_ags["03241001"]["release"] == "2025-1"
    assert by_ags["03"]["release"] == "zensus-2022"


def test_openapi_document_validates_and_covers_every_route(client, app):
    from openapi_spec_validator import validate

    doc = get_json(client, f"{API}/openapi.json")
    validate(doc)
    documented = {"/api/v1" + p.replace("{", "<").replace("}", ">") for p in doc["paths"]}
    routes = {
        r.rule.replace("<indicator_id>", "<id>")
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("api.")
    }
    assert routes == documented
    assert doc["info"]["license"]["url"].endswith(attribution.LICENCE)


def test_mapdata_matches_the_database_and_filters_by_land(client, conn):
    body = get_json(client, f"{API}/mapdata?indikator=armutsgefaehrdung_quote&jahr=2024")
    expected = dict(
        conn.execute(
            text(
                "SELECT v.ags, v.value FROM value v JOIN release r ON r.id = v.release_id"
                " JOIN area a ON a.ags = v.ags WHERE r.label = 'demo-2024-2' AND a.level = 'kommune'"
                " AND v.indicator_id = 'armutsgefaehrdung_quote' AND v.year = 2024"
            )
        ).all()
    )
    assert body["data"] == expected and body["count"] == 21
    assert body["synthetic"] is True and body["release"] == "demo-2024-2"
    assert body["breaks"] == sorted(body["breaks"]) and body["breaks"][-1] == max(expected.values())
    assert (
        get_json(client, f"{API}/mapdata?indikator=armutsgefaehrdung_quote&jahr=2024&land=03")[
            "count"
        ]
        == 21
    )
    assert_problem(
        client.get(f"{API}/mapdata?indikator=armutsgefaehrdung_quote&jahr=2024&land=05"), 404
    )
    assert_problem(
        client.get(f"{API}/mapdata?indikator=armutsgefaehrdung_quote"), 400, "invalid-parameter"
    )
    assert_problem(client.get(f"{API}/mapdata?indikator=x&jahr=2024&land=3"), 400)
    areas = get_json(client, f"{API}/areas?ebene=kommune&land=03")
    assert areas["count"] == 21
    assert get_json(client, f"{API}/areas?land=01")["count"] == 0


def test_benchmarks_give_verdicts_from_the_stored_counts(client, conn):
    from indicators.stats import wilson_interval

    body = get_json(client, f"{API}/benchmarks?indikator=armutsgefaehrdung_quote&jahr=2024")
    assert body["count"] == 21 and body["synthetic"] is True
    row = next(r for r in body["data"] if r["ags"] == "03241009")
    num, den = conn.execute(
        text(
            "SELECT v.numerator, v.denominator FROM value v JOIN release r ON r.id = v.release_id"
            " WHERE r.label = 'demo-2024-2' AND v.indicator_id = 'armutsgefaehrdung_quote' AND v.year = 2024"
            " AND v.ags = '03241009'"
        )
    ).one()
    lo, hi = wilson_interval(num, den)
    assert row["lower"] == pytest.approx(lo * 100) and row["upper"] == pytest.approx(hi * 100)
    assert row["method"] == "wilson" and row["verdict"] in ("better", "similar", "worse")
    assert "Laatzen" in row["sentence"]
    assert "numerator" not in row and "denominator" not in row
    level = get_json(client, f"{API}/benchmarks?indikator=kaufkraft_ew&jahr=2024")
    assert {r["verdict"] for r in level["data"]} == {"not_assessable"}
    assert_problem(client.get(f"{API}/benchmarks?indikator=armutsgefaehrdung_quote&jahr=1991"), 404)
    assert_problem(client.get(f"{API}/benchmarks?indikator=armutsgefaehrdung_quote"), 400)


@pytest.mark.parametrize("level", ["kommune", "kreis", "land", "bund", "region", "gemeinde"])
@pytest.mark.parametrize("land", [None, "03", "0", "05"])
def test_map_data_names_the_areas_as_the_join_did(conn, level, land):
    """germ35: map_data names a level's areas as an array (the rule's DISTINCT ON key then
    reaches the index) instead of joining `area`; the same rows as the join, for every level,
    Land prefix and release."""
    from indicators.api_queries import map_data
    from indicators.queries import value_source

    for indicator_id, year in conn.execute(
        text("SELECT DISTINCT indicator_id, year FROM value ORDER BY 1, 2 LIMIT 40")
    ).all()[::7]:
        for release_id in (None, 1):
            joined = dict(
                conn.execute(
                    text(
                        f"SELECT v.ags, v.value FROM {value_source(release_id)} v"
                        " JOIN area a ON a.ags = v.ags WHERE v.indicator_id = :i AND v.year = :y"
                        " AND a.level = :level AND (CAST(:land AS text) IS NULL"
                        " OR v.ags LIKE :land || '%') ORDER BY v.ags"
                    ),
                    {"i": indicator_id, "y": year, "level": level, "land": land},
                ).all()
            )
            got = map_data(conn, indicator_id, year, release_id, level, land)
            assert got == joined and list(got) == sorted(got)
