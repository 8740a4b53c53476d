"""Map page and embed through the Flask test client: content, bad input, caching, framing."""

import json
import re

import pytest

from app.render.maps import fill_map, map_shapes, map_skeleton, short_name
from geodata import attribution

# A tag that would make the browser fetch from another host (links to licences are fine).
FOREIGN = re.compile(
    r"""<(?:script|link|img|iframe|source)\b[^>]*(?:src|href)=["']?(?:https?:)?//"""
)


def _html(r):
    return r.get_data(as_text=True)


def test_default_map_shows_latest_year_of_default_indicator(client):
    # The headline indicator (HEADLINE_INDICATORS): child poverty from INKAR, newest year 2022.
    r = client.get("/karte")
    assert r.status_code == 200
    html = _html(r)
    assert "Kinderarmut" in html
    assert 'aria-current="page">2022<' in html
    assert "amtlich" in html and "INKAR" in html  # real, with its source
    assert attribution.BOUNDARIES in html
    assert html.count("<tr>") >= 21 + 1  # 21 Kommunen + header
    assert "keine Daten" not in html  # every Kommune has a value: no empty no-data class
    assert "Region Hannover" in html


def test_map_uses_only_the_apps_own_assets(client):
    html = _html(client.get("/karte"))
    # Content-hashed names (app/web/assets.py): leaflet.<12 hex>.js
    assert re.search(r"/static/vendor/leaflet/leaflet\.[0-9a-f]{12}\.js", html)
    assert re.search(r"/static/vendor/leaflet/leaflet\.[0-9a-f]{12}\.css", html)
    for cdn in ("cdn.jsdelivr", "code.jquery", "cdnjs", "bootstrapcdn", "openstreetmap"):
        assert cdn not in html
    assert not FOREIGN.search(html)
    # folium's viewport forbade zooming (an accessibility fault): it must not be there.
    assert "user-scalable=no" not in html


def test_real_indicator_is_not_marked_synthetic(client):
    html = _html(client.get("/karte?indikator=bev_zensus22&jahr=2022"))
    assert "zensus-2022" in html
    assert "badge-synthetic" not in html and '"synthetic": true' not in html
    # Hannover's Zensus 2022 population in German format.
    # … marked amtlich (demo mode marks every value).
    assert re.search(r'5\d\d\.\d{3} <span class="badge-official">amtlich</span></td>', html)


def test_legend_bounds_in_unit_and_german_format(client):
    html = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2020&klassen=gleich"))
    labels = re.findall(r'<span class="legend-label">([^<]+)</span>', html)
    assert len(labels) == 5  # five classes; no "keine Daten" row: every Kommune has a value
    for label in labels:
        assert re.fullmatch(r"\d+,\d – \d+,\d %", label), label


def test_classification_and_scheme_change_the_map(client):
    q = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2020&klassen=quantile"))
    j = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2020&klassen=jenks"))
    legend = re.compile(r'<span class="legend-label">([^<]+)</span>')
    assert legend.findall(q) != legend.findall(j)
    d = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2020&farben=divergierend"))
    # reds above the Region's value (RdBu), blues below
    assert re.search("#(b2182b|d6604d|ef8a62|f4a582|fddbc7)", d)
    assert "Farben um den Wert der Region" in d


def test_year_links_keep_the_other_state(client):
    html = _html(client.get("/karte?indikator=kaufkraft_ew&jahr=2015&klassen=jenks"))
    links = re.findall(r'href="(/karte\?[^"]*jahr=2016[^"]*)"', html)
    assert links, "no link to 2016"
    assert "indikator=kaufkraft_ew" in links[0] and "klassen=jenks" in links[0]


@pytest.mark.parametrize(
    ("url", "code", "text", "choice"),
    [
        (
            "/karte?indikator=gibt_es_nicht",
            404,
            "gibt es nicht",
            "indikator=armutsgefaehrdung_quote",
        ),
        (
            "/karte?indikator=armutsgefaehrdung_quote&jahr=abc",
            400,
            "keine gültige Jahreszahl",
            "jahr=2024",
        ),
        ("/karte?indikator=armutsgefaehrdung_quote&jahr=1990", 404, "keine Daten", "jahr=2012"),
        ("/karte?indikator=bev_zensus22&jahr=2020", 404, "keine Daten", "jahr=2022"),
        ("/karte?jahr=99999999999999999999", 400, "keine gültige Jahreszahl", "jahr=2022"),
        ("/karte?klassen=kmeans", 400, "Klassenbildung", "klassen=jenks"),
        (
            "/karte?indikator=bev_insgesamt&farben=divergierend",
            400,
            "Farbschema",
            "farben=sequenziell",
        ),
        ("/karte?farben=bunt", 400, "Farbschema", "farben=divergierend"),
        ("/karte?release=x", 400, "Datenstand", "/karte"),
        ("/karte?release=424242", 404, "Datenstand", "indikator=sgb2_u15_quote_inkar"),
        ("/embed/karte?indikator=%3Cscript%3E", 404, "gibt es nicht", "/embed/karte?indikator="),
    ],
)
def test_bad_input_is_a_german_error_with_choices(client, url, code, text, choice):
    r = client.get(url)
    assert r.status_code == code
    html = _html(r)
    assert f"Fehler {code}" in html and text in html
    assert choice in html
    if "%3Cscript" in url:  # hostile input is shown escaped, never as markup
        assert "„&lt;script&gt;“" in html


def test_repeat_request_is_answered_304(client):
    r = client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2023")
    etag = r.headers["ETag"]
    assert r.headers["Cache-Control"].startswith("public")
    again = client.get(
        "/karte?indikator=armutsgefaehrdung_quote&jahr=2023", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.data == b""
    other = client.get(
        "/karte?indikator=armutsgefaehrdung_quote&jahr=2022", headers={"If-None-Match": etag}
    )
    assert other.status_code == 200
    # The ETag depends on release and parameters, not on folium's random element ids.
    assert client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2023").headers["ETag"] == etag


def test_gzip_variant_is_revalidated_too(client):
    r = client.get("/karte", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("Content-Encoding") == "gzip"
    again = client.get(
        "/karte", headers={"Accept-Encoding": "gzip", "If-None-Match": r.headers["ETag"]}
    )
    assert again.status_code == 304


def test_only_embed_may_be_framed(client):
    page = client.get("/karte")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    embed = client.get("/embed/karte?indikator=armutsgefaehrdung_quote")
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers


def test_embed_has_map_legend_source_and_link_back(client):
    html = _html(client.get("/embed/karte?indikator=armutsgefaehrdung_quote&jahr=2021"))
    assert "legend-list" in html and "Quelle" in html and attribution.BOUNDARIES in html
    assert 'href="/karte?indikator=armutsgefaehrdung_quote&amp;jahr=2021"' in html
    assert "Beispieldaten" in html
    assert "site-header" not in html  # just the map, no navigation


def test_map_page_offers_iframe_snippet(client):
    html = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2021"))
    snippet = re.search(r'<textarea id="embed-code"[^>]*>([^<]+)</textarea>', html).group(1)
    assert snippet.startswith(
        '&lt;iframe src="http://localhost/embed/karte?indikator=armutsgefaehrdung_quote'
    )
    assert "jahr=2021" in snippet and snippet.endswith("&lt;/iframe&gt;")


def test_english_map_page(client):
    r = client.get("/karte?lang=en")
    assert r.status_code == 200 and '<html lang="en">' in _html(r)


GEOJSON = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "03241001",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[9.7, 52.3], [9.8, 52.3], [9.8, 52.4], [9.7, 52.3]]],
                },
                "properties": {"ags": "03241001", "name": "Hannover"},
            }
        ],
    }
)


def test_build_map_without_tiles_uses_local_assets():
    skeleton = map_skeleton(
        [{"ags": "03241001", "name": "Hannover", "lat": 52.35, "lon": 9.75}],
        [[52.2, 9.6], [52.5, 9.9]],
        [("leaflet", "/static/vendor/leaflet/leaflet.js")],
        [("leaflet_css", "/static/vendor/leaflet/leaflet.css")],
        attribution.BOUNDARIES,
    )
    areas = {"03241001": {"color": "#bd0026", "label": "12,3 %", "href": "/kommune/03241001"}}
    parts = fill_map(skeleton, map_shapes(GEOJSON), areas)
    everything = parts.header + parts.html + parts.script
    assert "http" not in everything  # no CDN, no tile server
    assert "tileLayer" not in everything
    # The colour travels in the area's properties; karte.js draws it (SozmonKarte.style).
    assert '"color": "#bd0026"' in parts.script
    assert "SozmonKarte.style(f.properties" in parts.script
    assert "SozmonKarte.labels" in parts.script
    assert attribution.BOUNDARIES in parts.script.encode().decode("unicode_escape")


def test_build_map_with_configured_tiles():
    parts = map_skeleton(
        [],
        None,
        [],
        [],
        "x",
        tile_url="https://tiles.example.org/{z}/{x}/{y}.png",
        tile_attribution="© Beispiel",
    )
    assert "tiles.example.org" in parts.script


def test_the_skeleton_and_the_shapes_are_kept_by_their_whole_input():
    """A new data version with the same boundaries builds neither again (app.web.cache.InputMemo);
    any other input is another key: another label, bounds or tile server gives another map."""
    labels = [{"ags": "03241001", "name": "Hannover", "lat": 52.35, "lon": 9.75}]
    bounds = [[52.2, 9.6], [52.5, 9.9]]
    first = map_skeleton(labels, bounds, [], [], "x")
    assert map_skeleton([dict(labels[0])], [list(b) for b in bounds], [], [], "x") is first
    moved = [dict(labels[0], lat=52.36)]
    assert "52.36" in map_skeleton(moved, bounds, [], [], "x").script
    assert "52.36" not in first.script
    tiled = map_skeleton(labels, bounds, [], [], "x", tile_url="https://t.example.org/{z}/{x}/{y}")
    assert "t.example.org" in tiled.script and "t.example.org" not in first.script
    assert map_shapes(GEOJSON) is map_shapes("".join(GEOJSON))  # an equal text, another object
    renamed = GEOJSON.replace('"name": "Hannover"', '"name": "Hannover neu"')
    assert renamed != GEOJSON
    assert map_shapes(renamed)[0].properties["name"] == "Hannover neu"


def test_short_names_for_labels():
    assert short_name("Neustadt am Rübenberge") == "Neustadt a. Rbge."
    assert short_name("Wennigsen (Deister)") == "Wennigsen"
    assert short_name("Hannover") == "Hannover"


def test_withheld_value_reads_geheim_and_drafts_need_an_editor(fresh_app, tmp_path):
    from sqlalchemy import text

    with fresh_app.extensions["sozmon_engine"].begin() as c:
        c.execute(
            text(
                "UPDATE value SET suppressed = true, value = NULL, numerator = NULL"
                " WHERE indicator_id = 'alo_sgb2_anteil' AND year = 2020 AND ags = '03241005'"
            )
        )
    client = fresh_app.test_client()
    html = client.get("/karte?indikator=alo_sgb2_anteil&jahr=2020").get_data(as_text=True)
    assert "geheim" in html
    path = tmp_path / "draft.csv"
    path.write_text("ags,indicator,year,value\n03241001,kaufkraft_ew,2030,1\n")
    from tests.conftest import invoke

    assert invoke(fresh_app, "load-release", str(path), "--label", "d-1", "--draft").exit_code == 0
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        rid = c.scalar(text("SELECT id FROM release WHERE label = 'd-1'"))
    assert client.get(f"/karte?indikator=kaufkraft_ew&release={rid}").status_code == 404


def test_page_cache_serves_repeats_and_drops_them_when_a_release_is_published(fresh_app, tmp_path):
    from tests.conftest import invoke

    cache = fresh_app.extensions["sozmon_cache"]
    client = fresh_app.test_client()
    url = "/karte?indikator=armutsgefaehrdung_quote&jahr=2024"
    first = client.get(url)
    assert first.status_code == 200 and "demo-2024-2" in first.get_data(as_text=True)
    n = len(cache.items("pages"))
    again = client.get(url)
    assert (
        again.get_data() == first.get_data() and len(cache.items("pages")) == n
    )  # served from memory
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    path = tmp_path / "new.csv"
    path.write_text(
        "ags,indicator,year,value,numerator,denominator\n03241001,armutsgefaehrdung_quote,2024,42.0,420,1000\n"
    )
    assert invoke(fresh_app, "load-release", str(path), "--label", "2025-1").exit_code == 0
    after = client.get(url)
    assert after.status_code == 200 and "2025-1" in after.get_data(as_text=True)
    assert after.headers["ETag"] != first.headers["ETag"]


def test_data_version_is_reread_only_after_its_ttl(fresh_app, tmp_path):
    from tests.conftest import invoke

    fresh_app.config["DATA_VERSION_TTL"] = 3600  # a cached page skips the database meanwhile
    client = fresh_app.test_client()
    url = "/karte?indikator=armutsgefaehrdung_quote&jahr=2023"
    first = client.get(url).get_data()
    path = tmp_path / "new.csv"
    path.write_text("ags,indicator,year,value\n03241001,armutsgefaehrdung_quote,2023,42.0\n")
    assert invoke(fresh_app, "load-release", str(path), "--label", "2025-2").exit_code == 0
    assert client.get(url).get_data() == first  # within the TTL: the page from memory
    fresh_app.config["DATA_VERSION_TTL"] = 0
    assert b"2025-2" in client.get(url).get_data()


def test_year_slider_markup_and_parts_follow_the_year(client):
    html = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2024"))
    # The slider (shown by karte.js) over the indicator's years; the links stay without JS.
    assert 'id="jahr-regler"' in html and 'class="karte-zeit" hidden' in html
    assert 'data-parts-url="/karte/teile"' in html
    assert re.search(r'data-years="[\d,]*2024"', html)
    assert 'class="karte-years"' in html
    r = client.get("/karte/teile?indikator=armutsgefaehrdung_quote&jahr=2015")
    assert r.status_code == 200 and r.mimetype == "application/json"
    d = r.get_json()
    assert d["jahr"] == 2015 and "2015" in d["title"]
    assert len(d["areas"]) == 21 and all(a["color"].startswith("#") for a in d["areas"].values())
    assert set(d["parts"]) == {"legend", "table", "info", "export", "findings"}
    assert "Die Karte in Sätzen" in d["parts"]["findings"]
    assert "/karte.png?" in d["parts"]["export"] and "jahr=2015" in d["parts"]["export"]
    assert "Werte der Kommunen" in d["parts"]["table"] and "2015" in d["parts"]["table"]
    assert "jahr=2015" in d["embed_url"] and "jahr=2015" in d["embed_code"]
    # Demo mode: every area of a synthetic map is marked (no page-wide banner).
    later = client.get("/karte/teile?indikator=armutsgefaehrdung_quote&jahr=2024").get_json()
    assert later["synthetic"] and "Beispieldaten" in later["parts"]["table"]
    assert later["areas"] != d["areas"]
    embed = client.get(
        "/karte/teile?indikator=armutsgefaehrdung_quote&jahr=2015&einbettung=1"
    ).get_json()
    assert set(embed["parts"]) == {"legend", "source"} and embed["embed_code"] is None
    assert client.get("/karte/teile?indikator=armutsgefaehrdung_quote&jahr=1900").status_code == 404


def test_fixed_classes_over_all_years(client):
    plain = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2024"))
    fixed = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2024&feste=1"))
    assert "feste Klassen über alle Jahre" in fixed and 'name="feste" value="1" checked' in fixed
    assert "eine Farbe bedeutet in jedem Jahr denselben Wertebereich" in fixed
    assert "eine Farbe bedeutet" not in plain
    legend = lambda h: re.findall(r'class="legend-label">([^<]+)<', h)  # noqa: E731
    assert legend(plain) != legend(fixed)
    # The same fixed classes in every year: the legend's bounds do not move.
    other = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2020&feste=1"))
    bounds = lambda h: [b for b in legend(h) if "keine Daten" not in b]  # noqa: E731
    assert bounds(other) == bounds(fixed)
    assert "feste=1" in fixed.split('id="embed-code"')[1][:400]
    r = client.get("/karte?indikator=armutsgefaehrdung_quote&feste=ja")
    assert r.status_code == 400 and "feste" in _html(r)


def test_map_table_and_tooltips_show_the_95_percent_interval(client, conn):
    from app.render.formatting import fmt_value
    from indicators.intervals import intervals_for

    html = client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2024&lang=de").get_data(
        as_text=True
    )
    assert '<th scope="col" class="num">95-%-Intervall</th>' in html
    ivals = intervals_for(conn, "armutsgefaehrdung_quote", 2024)
    hannover = ivals["03241001"]
    assert hannover is not None and hannover.method == "wilson"
    with client.application.test_request_context("/?lang=de"):
        shown = f"{fmt_value(hannover.lower, 1, '')} – {fmt_value(hannover.upper, 1, '%')}"
    assert shown in html
    parts = client.get(
        "/karte/teile?indikator=armutsgefaehrdung_quote&jahr=2024&lang=de"
    ).get_json()
    assert f"(95-%-Intervall {shown})" in parts["areas"]["03241001"]["label"]
    counts = client.get("/karte?indikator=bev_insgesamt&lang=de").get_data(as_text=True)
    assert "95-%-Intervalle: nicht bewertbar" in counts  # stated, not a fabricated interval


def test_map_renders_compile_no_template_per_state(app, client):
    """branca wraps each element's rendered output in a template: distinct map states must not
    each add a compiled template (they did, without limit: a memory leak and ~1 ms a render)."""
    import branca.element

    compiled = branca.element.Template.compiled
    cache = app.extensions["sozmon_cache"]
    client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2020")
    before = len(compiled)
    for year, method in [(2019, "gleich"), (2018, "jenks"), (2017, "quantile"), (2016, "gleich")]:
        cache.clear_region("maps")
        assert (
            client.get(
                f"/karte?indikator=armutsgefaehrdung_quote&jahr={year}&klassen={method}"
            ).status_code
            == 200
        )
    assert len(compiled) == before


def test_picker_marks_exactly_the_shown_indicator(client):
    html = _html(client.get("/karte?indikator=alo_sgb2_anteil&jahr=2020"))
    picker = html.split('id="indikator"')[1].split("</select>")[0]
    assert picker.count("<option value=") > 50
    assert re.findall(r'<option value="[a-z0-9_]+" selected', picker) == [
        '<option value="alo_sgb2_anteil" selected'
    ]
    assert '<option value="alo_sgb2_anteil" selected' in html
    # Rendered once per language: the English page has the English names.
    en = _html(client.get("/karte?indikator=alo_sgb2_anteil&jahr=2020&lang=en"))
    assert '<option value="alo_sgb2_anteil" selected' in en
    assert "Unemployment" in en.split('id="indikator"')[1].split("</select>")[0]


def test_map_script_is_the_skeleton_filled_with_the_state(client):
    """Every state of a page kind shares one folium render; only the data differ, HTML-safe."""
    skeleton = map_skeleton([], None, [], [], attribution.BOUNDARIES)
    areas = {"03241001": {"color": "#bd0026", "label": "<b>1 & 2</b> 'x'", "href": None}}
    script = fill_map(skeleton, map_shapes(GEOJSON), areas).script
    assert "@@sozmon-map-data@@" not in script
    assert "<b>" not in script and "\\u003cb\\u003e1 \\u0026 2" in script and "\\u0027x" in script
    data = json.loads(re.search(r"geo_json_kommunen_add\((\{.*?\})\);", script, re.S).group(1))
    (feature,) = data["features"]
    assert feature["properties"]["label"] == "<b>1 & 2</b> 'x'"
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    # Two years of one indicator: the same script apart from the data.
    a = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2020"))
    b = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2021"))

    def script_of(html: str) -> str:
        return re.sub(
            r"geo_json_kommunen_add\(\{.*?\}\);", "", html.split("<script>")[-1], flags=re.S
        )

    assert script_of(a) == script_of(b)
