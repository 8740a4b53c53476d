"""Image export of the map and the time series: SVG that parses, PNG that decodes, 4xx, caching."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from app.render.image_export import (
    PNG_SCALE,
    WIDTH,
    Drawing,
    ImageText,
    LegendEntry,
    svg_document,
    svg_to_png,
    text_width,
    wrap,
)
from geodata import attribution

SVG_NS = "{http://www.w3.org/2000/svg}"


def _svg_text(body: bytes) -> tuple[ET.Element, str]:
    """The parsed SVG and all of its visible text joined by spaces."""
    root = ET.fromstring(body)
    assert root.tag == f"{SVG_NS}svg"
    words = " ".join(t.text or "" for t in root.iter(f"{SVG_NS}text"))
    return root, re.sub(r"\s+", " ", words)


def _png(body: bytes) -> Image.Image:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(body))
    img.load()  # decodes every pixel: a broken file raises here
    return img


# --- the generic module -----------------------------------------------------------------------


def test_svg_document_holds_title_legend_source_and_licence_and_converts_to_png():
    text = ImageText(
        title="Kennzahl <&> mit „Umlauten“ äöü",
        subtitle="Region Hannover, 2024 – Einheit: %",
        source="Quelle: Testquelle, Datenstand demo",
        provenance=["amtlich: Tabelle 12411-01-01-5-B (regionalstatistik-2017)"],
        licence=[f"Gebietsgrenzen: {attribution.BOUNDARIES}, {attribution.LICENCE}"],
        synthetic_note="Beispieldaten: synthetisch erzeugt, keine amtlichen Zahlen.",
        legend_title="Legende (%)",
        notes=["Quantile"],
    )
    drawing = Drawing('<rect width="200" height="100" fill="#08519c"/>', 200, 100)
    svg = svg_document(drawing, text, [LegendEntry("#ffffb2", "1,0 – 2,0 %")])
    root, words = _svg_text(svg.encode())
    assert root.find(f"{SVG_NS}title").text == text.title  # escaped on the way in, intact out
    for part in (
        "Kennzahl <&>",
        "Einheit: %",
        "Legende (%)",
        "1,0 – 2,0 %",
        "Quantile",
        "Testquelle",
        "12411-01-01-5-B",
        attribution.BOUNDARIES,
        "Beispieldaten",
    ):
        assert part in words, part
    assert int(root.get("width")) == WIDTH
    img = _png(svg_to_png(svg))
    assert img.size == (WIDTH * PNG_SCALE, int(root.get("height")) * PNG_SCALE)
    # The drawing is there in its colour, and text was drawn (dark pixels), without any download.
    colours = {c for _n, c in img.convert("RGB").getcolors(1 << 20)}
    assert (0x08, 0x51, 0x9C) in colours
    assert any(sum(c) < 120 for c in colours)


def test_wrap_breaks_long_lines_at_spaces():
    lines = wrap("ein sehr langer Satz " * 20, 13, 300)
    assert len(lines) > 3
    assert all(len(line) < 60 for line in lines)
    assert wrap("", 13, 300) == []


# --- the map ----------------------------------------------------------------------------------


def test_map_svg_has_title_year_legend_source_and_licence(client):
    r = client.get("/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2020")
    assert r.status_code == 200
    assert r.mimetype == "image/svg+xml"
    assert (
        r.headers["Content-Disposition"]
        == 'attachment; filename="armutsgefaehrdung_quote_2020.svg"'
    )
    root, words = _svg_text(r.data)
    assert "Armutsgefährdungsquote" in root.find(f"{SVG_NS}title").text
    assert "2020" in words and "Einheit: %" in words
    assert "Quelle:" in words and "Datenstand" in words
    assert "Beispieldaten" in words  # the demo release is synthetic
    assert attribution.BOUNDARIES in words and attribution.LICENCE in words
    assert "Garbsen" in words  # the Kommunen's names are drawn
    # 21 Kommunen, coloured with the page's colours (the same classes as the table's swatches).
    page = client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2020").get_data(as_text=True)
    table_colours = re.findall(
        r'<td class="num"[^>]*><span class="swatch"[^>]*data-color="(#[0-9a-f]{6})"', page
    )
    fills = [
        p.get("fill") for p in root.iter(f"{SVG_NS}path") if p.find(f"{SVG_NS}title") is not None
    ]
    assert len(fills) == len(table_colours) == 21
    assert sorted(fills) == sorted(table_colours)
    assert len(set(fills)) == 5  # five classes, as the page's legend


def test_map_png_decodes_at_twice_the_svg_size(client):
    svg = client.get("/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2020")
    r = client.get("/karte.png?indikator=armutsgefaehrdung_quote&jahr=2020")
    assert r.status_code == 200
    assert r.mimetype == "image/png"
    assert (
        r.headers["Content-Disposition"]
        == 'attachment; filename="armutsgefaehrdung_quote_2020.png"'
    )
    root = ET.fromstring(svg.data)
    img = _png(r.data)
    assert img.size == (int(root.get("width")) * 2, int(root.get("height")) * 2)


def test_real_map_says_amtlich_with_table_and_no_beispieldaten(client):
    r = client.get("/karte.svg?indikator=bev_zensus22&jahr=2022")
    _root, words = _svg_text(r.data)
    assert "amtlich" in words and "zensus-2022" in words
    assert "Beispieldaten" not in words


def test_a_real_map_image_never_fills_kommunen_with_synthetic_values(client):
    # SGB-II-Quote 2015: real for the city of Hannover (Kreis table); the other Kommunen have
    # no official value and stay empty, even in demo mode: no invented value beside a real one.
    _root, words = _svg_text(client.get("/karte.svg?indikator=sgb2_quote&jahr=2015").data)
    assert "Mit * markierte" not in words and "Garbsen *" not in words
    assert "Beispieldaten" not in words
    assert "amtlich: Tabelle 22811-01-01-4-B" in words and "keine Daten" in words


def test_map_export_keeps_the_pages_choices(client):
    r = client.get(
        "/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2020&klassen=gleich&farben=divergierend"
    )
    assert r.status_code == 200
    _root, words = _svg_text(r.data)
    assert "Gleiche Intervalle" in words
    assert "Farben um den Wert der Region" in words


def test_english_map_export_is_english(client):
    r = client.get("/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2020&lang=en")
    _root, words = _svg_text(r.data)
    assert "Source:" in words and "Legend" in words and "Quelle:" not in words
    assert "Sample data" in words


@pytest.mark.parametrize(
    "query, status",
    [
        ("indikator=gibtsnicht", 404),  # "export of a non-existent map"
        ("indikator=armutsgefaehrdung_quote&jahr=1850", 404),
        ("indikator=armutsgefaehrdung_quote&jahr=zwanzig", 400),
        ("indikator=armutsgefaehrdung_quote&klassen=bunt", 400),
        ("indikator=armutsgefaehrdung_quote&release=abc", 400),
        ("gebiet=77&ebene=kreis", None),
        ("gebiet=DG&ebene=dorf", None),
        ("gebiet=DG&ebene=kreis&jahr=1850", 404),
    ],
)
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_bad_map_export_gets_the_pages_4xx(client, query, status, fmt):
    page = client.get(f"/karte?{query}")
    r = client.get(f"/karte.{fmt}?{query}")
    assert 400 <= r.status_code < 500
    assert r.status_code == page.status_code == (status or page.status_code)
    assert r.mimetype == "text/html"  # the German error page with the choices, not an image


def test_territory_map_export(client):
    r = client.get("/karte.svg?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015")
    assert r.status_code == 200
    cd = r.headers["Content-Disposition"]
    assert cd == 'attachment; filename="bev_anteil_65plus_2015_DG_kreis.svg"'
    root, words = _svg_text(r.data)
    assert root.find(f"{SVG_NS}title").text.startswith("Anteil der Einwohnerinnen")
    assert "Kreise, 2015" in words and "Gebiete)" in words
    assert "amtlich: Tabelle 12411-02-03-5-B" in words and attribution.BOUNDARIES in words
    fills = [p.get("fill") for p in root.iter(f"{SVG_NS}path") if p.get("fill")]
    assert len(fills) >= 400  # every Kreis of Germany
    page = client.get("/karte?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015")
    legend = set(re.findall(r'data-color="(#[0-9a-f]{6})"', page.get_data(as_text=True)))
    assert set(fills) <= legend | {"#d9d9d9"}
    assert "/karte.png?gebiet=DG&amp;ebene=kreis" in page.get_data(as_text=True)
    png = client.get("/karte.png?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015")
    assert _png(png.data).size == (2 * int(root.get("width")), 2 * int(root.get("height")))


def test_map_export_is_cached_with_etag(client):
    url = "/karte.png?indikator=armutsgefaehrdung_quote&jahr=2020"
    r = client.get(url)
    assert r.headers["ETag"] and "public" in r.headers["Cache-Control"]
    assert "max-age=300" in r.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    other = client.get("/karte.png?indikator=armutsgefaehrdung_quote&jahr=2021")
    assert other.headers["ETag"] != r.headers["ETag"]
    svg = client.get("/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2020")
    assert svg.headers["ETag"] != r.headers["ETag"]


def test_map_pages_link_the_exports(client):
    for path in ("/karte", "/embed/karte"):
        html = client.get(f"{path}?indikator=armutsgefaehrdung_quote&jahr=2020").get_data(
            as_text=True
        )
        assert "/karte.svg?indikator=armutsgefaehrdung_quote&amp;jahr=2020" in html, path
        assert "/karte.png?indikator=armutsgefaehrdung_quote&amp;jahr=2020" in html, path
    html = client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2020&lang=en").get_data(
        as_text=True
    )
    assert "/karte.png?indikator=armutsgefaehrdung_quote&amp;jahr=2020&amp;lang=en" in html


# --- the time series --------------------------------------------------------------------------


def test_time_series_svg_and_png(client):
    q = "indikator=bev_insgesamt&kommunen=03241001,03241003"
    r = client.get(f"/zeitreihe.svg?{q}")
    assert r.status_code == 200, r.data[:300]
    root, words = _svg_text(r.data)
    assert "Einwohnerinnen und Einwohner insgesamt" in root.find(f"{SVG_NS}title").text
    assert "Quelle:" in words and "Region Hannover" in words
    assert "amtlich" in words and "12411-01-01-5-B" in words  # the real GENESIS years
    assert re.search(r"\d{4}–\d{4}", words)
    assert attribution.BOUNDARIES not in words  # a chart draws no boundaries
    assert 'filename="bev_insgesamt_' in r.headers["Content-Disposition"]
    png = client.get(f"/zeitreihe.png?{q}")
    assert png.status_code == 200
    img = _png(png.data)
    assert img.size == (int(root.get("width")) * 2, int(root.get("height")) * 2)
    page = client.get(f"/zeitreihe?{q}").get_data(as_text=True)
    assert "/zeitreihe.svg?indikator=bev_insgesamt" in page
    assert "/zeitreihe.png?indikator=bev_insgesamt" in page


def test_time_series_index_export(client):
    r = client.get("/zeitreihe.svg?indikator=bev_insgesamt&kommunen=03241001&darstellung=index")
    assert r.status_code == 200
    _root, words = _svg_text(r.data)
    assert "Einheit: Index (erstes Jahr = 100)" in words
    assert r.headers["Content-Disposition"].endswith('_index.svg"')


def test_time_series_export_in_english_and_synthetic(client):
    r = client.get("/zeitreihe.svg?indikator=armutsgefaehrdung_quote&lang=en")
    _root, words = _svg_text(r.data)
    assert "Source:" in words and "Quelle:" not in words
    assert "Sample data" in words or "sample data" in words


@pytest.mark.parametrize(
    "query, status",
    [
        ("indikator=gibtsnicht", 404),
        ("indikator=bev_insgesamt&kommunen=99999999", 400),
        ("indikator=bev_insgesamt&darstellung=bunt", 400),
        (
            "indikator=bev_insgesamt&kommunen=03241001,03241002,03241003,03241004,03241005,"
            "03241006,03241007,03241008",
            400,
        ),
    ],
)
def test_bad_time_series_export_gets_4xx(client, query, status):
    r = client.get(f"/zeitreihe.png?{query}")
    assert r.status_code == status
    assert r.mimetype == "text/html"


def test_territory_png_is_refused_above_the_area_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_PNG_MAX_AREAS", 100)
    q = "gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015&klassen=gleich"
    r = client.get(f"/karte.png?{q}")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "höchstens 100 Gebieten" in html and "/karte.svg?" in html
    assert client.get(f"/karte.svg?{q}").status_code == 200
    page = client.get(f"/karte?{q}").get_data(as_text=True)
    assert "/karte.svg?" in page and "/karte.png?" not in page


@pytest.mark.parametrize(
    "url, name",
    [
        (
            "/streuung.png?x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=2024",
            "streuung-sgb2_15_64_quote-armutsgefaehrdung_quote-2024.png",
        ),
        (
            "/rangfolge.png?indikator=armutsgefaehrdung_quote&jahr=2024",
            "rangfolge_armutsgefaehrdung_quote_2024.png",
        ),
    ],
)
def test_scatter_and_ranking_charts_download_as_png(client, url, name):
    r = client.get(url)
    assert r.status_code == 200 and r.mimetype == "image/png", r.get_data(as_text=True)[:300]
    assert name in r.headers["Content-Disposition"]
    img = Image.open(io.BytesIO(r.data))
    assert img.format == "PNG" and img.width >= 1000  # drawn at print scale
    bad = url.replace("armutsgefaehrdung_quote", "gibt_es_nicht")
    assert client.get(bad).status_code == 404


# --- the change map, the small multiples, the disparities' map and chart ------------------------


def test_change_map_svg_draws_the_change_classes(client):
    q = "indikator=armutsgefaehrdung_quote&von=2016&bis=2024"
    r = client.get(f"/karte.svg?{q}")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert (
        r.headers["Content-Disposition"]
        == 'attachment; filename="armutsgefaehrdung_quote_2016-2024.svg"'
    )
    root, words = _svg_text(r.data)
    title = root.find(f"{SVG_NS}title").text
    assert "Armutsgefährdungsquote" in title and "Veränderung von 2016 bis 2024" in title
    assert "Einheit: Prozentpunkte" in words and "Legende (Prozentpunkte)" in words
    assert "Farben um 0 (keine Veränderung)" in words and "Veränderung 2016–2024" in words
    assert "Quelle:" in words and attribution.BOUNDARIES in words and attribution.LICENCE in words
    assert "Beispieldaten" in words
    # The change map's colours (diverging around 0), not the one-year map's.
    page = client.get(f"/karte?{q}").get_data(as_text=True)
    table_colours = re.findall(
        r'<td class="num"[^>]*><span class="swatch"[^>]*data-color="(#[0-9a-f]{6})"', page
    )
    fills = [
        p.get("fill") for p in root.iter(f"{SVG_NS}path") if p.find(f"{SVG_NS}title") is not None
    ]
    assert len(fills) == 21 and sorted(fills) == sorted(table_colours)
    one_year = _svg_text(client.get("/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2024").data)[
        0
    ]
    year_fills = {p.get("fill") for p in one_year.iter(f"{SVG_NS}path") if p.get("fill")}
    assert set(fills) - year_fills  # RdBu change colours the sequential map does not use
    # The page links both images with its state (von, bis).
    for fmt in ("svg", "png"):
        assert f"/karte.{fmt}?indikator=armutsgefaehrdung_quote&amp;von=2016&amp;bis=2024" in page
    embed = client.get(f"/embed/karte?{q}").get_data(as_text=True)
    assert "/karte.png?indikator=armutsgefaehrdung_quote&amp;von=2016&amp;bis=2024" in embed
    png = client.get(f"/karte.png?{q}")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert _png(png.data).size == (2 * int(root.get("width")), 2 * int(root.get("height")))


def test_change_map_of_counts_is_in_percent_and_english(client):
    # 2011–2015: one segment of the population series (breaks at 2011 and 2016)
    r = client.get("/karte.svg?indikator=bev_insgesamt&von=2011&bis=2015&lang=en")
    assert r.status_code == 200
    root, words = _svg_text(r.data)
    assert "change from 2011 to 2015" in root.find(f"{SVG_NS}title").text
    assert "unit: change in %" in words and "Quelle:" not in words


@pytest.mark.parametrize(
    "query, status",
    [
        ("indikator=armutsgefaehrdung_quote&von=2024&bis=2016", 400),  # von after bis
        ("indikator=armutsgefaehrdung_quote&von=2016&bis=2016", 400),
        ("indikator=armutsgefaehrdung_quote&von=1850&bis=2024", 404),
        ("indikator=armutsgefaehrdung_quote&von=zwanzig&bis=2024", 400),
        ("indikator=armutsgefaehrdung_quote&von=2016", 400),
        ("indikator=gibtsnicht&von=2016&bis=2024", 404),
        ("indikator=bev_zensus22&von=2011&bis=2022", None),  # one year only: no change
    ],
)
def test_bad_change_map_export_gets_the_pages_4xx(client, query, status):
    page = client.get(f"/karte?{query}")
    r = client.get(f"/karte.png?{query}")
    assert 400 <= r.status_code < 500 and r.mimetype == "text/html"
    assert r.status_code == page.status_code == (status or page.status_code)


def test_small_multiples_image(client):
    q = "indikator=armutsgefaehrdung_quote&jahre=2016,2018,2020,2022,2024"
    r = client.get(f"/karte/jahre.svg?{q}")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert (
        r.headers["Content-Disposition"]
        == 'attachment; filename="armutsgefaehrdung_quote_2016-2024_jahre.svg"'
    )
    root, words = _svg_text(r.data)
    assert "Armutsgefährdungsquote" in root.find(f"{SVG_NS}title").text
    assert "Kommunen, 2016, 2018, 2020, 2022, 2024 – Einheit: %" in words
    assert "Klassen über alle gezeigten Jahre" in words and "Legende (%)" in words
    assert "Quelle:" in words and attribution.BOUNDARIES in words and "Beispieldaten" in words
    # Five small maps under their years, in the page's shared colours.
    for y in ("2016", "2018", "2020", "2022", "2024"):
        assert re.search(rf"(^| ){y}( |$)", words), y
    fills = {
        p.get("fill") for p in root.iter(f"{SVG_NS}path") if p.find(f"{SVG_NS}title") is not None
    }
    page = client.get(f"/karte/jahre?{q}").get_data(as_text=True)
    legend = set(re.findall(r'data-color="(#[0-9a-f]{6})"', page))
    assert fills and fills <= legend
    assert (
        len([p for p in root.iter(f"{SVG_NS}path") if p.find(f"{SVG_NS}title") is not None])
        == 5 * 21
    )
    for fmt in ("svg", "png"):
        assert (
            f"/karte/jahre.{fmt}?indikator=armutsgefaehrdung_quote&amp;jahre=2016,2018"
            in page.replace("%2C", ",")
        )
    png = client.get(f"/karte/jahre.png?{q}")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert _png(png.data).size == (2 * int(root.get("width")), 2 * int(root.get("height")))
    english = client.get(f"/karte/jahre.svg?{q}&lang=en")
    assert "classes over all years shown" in _svg_text(english.data)[1]


@pytest.mark.parametrize(
    "query, status",
    [
        ("indikator=gibtsnicht", 404),
        ("indikator=armutsgefaehrdung_quote&jahre=1850", 404),
        ("indikator=armutsgefaehrdung_quote&jahre=zwanzig", 400),
        ("indikator=armutsgefaehrdung_quote&klassen=bunt", 400),
    ],
)
def test_bad_small_multiples_export_gets_the_pages_4xx(client, query, status):
    assert client.get(f"/karte/jahre?{query}").status_code == status
    r = client.get(f"/karte/jahre.svg?{query}")
    assert r.status_code == status and r.mimetype == "text/html"


def test_disparities_map_and_chart_images(client):
    page = client.get("/disparitaeten/armutsgefaehrdung_quote?jahr=2024").get_data(as_text=True)
    r = client.get("/disparitaeten/armutsgefaehrdung_quote/vergleich.svg?jahr=2024")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert (
        'filename="armutsgefaehrdung_quote_2024_vergleich.svg"' in r.headers["Content-Disposition"]
    )
    root, words = _svg_text(r.data)
    assert "Armutsgefährdungsquote" in root.find(f"{SVG_NS}title").text
    assert "Kommunen im Vergleich mit der Region 2024" in words and "Regionswert:" in words
    assert "Wilson" in words and "Quelle:" in words and attribution.BOUNDARIES in words
    assert "Beispieldaten" in words and "Garbsen" in words
    # Each Kommune in its verdict's colour, as on the page's map.
    page_fills = re.findall(r'<path d="[^"]*" fill="(#[0-9a-f]{6})" data-ags', page)
    fills = [
        p.get("fill") for p in root.iter(f"{SVG_NS}path") if p.find(f"{SVG_NS}title") is not None
    ]
    assert len(fills) == 21 and sorted(fills) == sorted(page_fills)
    chart = client.get("/disparitaeten/armutsgefaehrdung_quote/streuung.svg")
    assert chart.status_code == 200
    root, words = _svg_text(chart.data)
    assert "Streuung zwischen den Kommunen über die Jahre" in words
    assert "Variationskoeffizient" in words or "VK" in words
    # wholly synthetic (demo mode): its release instead of an official source
    assert "Datenstand demo-2024-2" in words and attribution.BOUNDARIES not in words
    for kind, fmt in (
        ("vergleich", "svg"),
        ("vergleich", "png"),
        ("streuung", "svg"),
        ("streuung", "png"),
    ):
        assert f"/disparitaeten/armutsgefaehrdung_quote/{kind}.{fmt}" in page, (kind, fmt)
        if fmt == "png":
            png = client.get(f"/disparitaeten/armutsgefaehrdung_quote/{kind}.png?jahr=2024")
            assert png.status_code == 200 and png.mimetype == "image/png"
            assert _png(png.data).width == 2 * WIDTH
    english = client.get("/disparitaeten/armutsgefaehrdung_quote/streuung.svg?lang=en")
    assert "Source:" in _svg_text(english.data)[1]


@pytest.mark.parametrize(
    "url, status",
    [
        ("/disparitaeten/gibt_es_nicht/vergleich.svg", 404),
        ("/disparitaeten/gibt_es_nicht/streuung.png", 404),
        ("/disparitaeten/armutsgefaehrdung_quote/vergleich.png?jahr=1999", 404),
        ("/disparitaeten/armutsgefaehrdung_quote/vergleich.svg?jahr=abc", 400),
        ("/disparitaeten/bev_zensus22/streuung.svg", 404),  # one year: no chart
    ],
)
def test_bad_disparities_export_gets_4xx(client, url, status):
    r = client.get(url)
    assert r.status_code == status and r.mimetype == "text/html"


def test_disparities_cluster_map_image(client):
    page = client.get("/disparitaeten/armutsgefaehrdung_quote/cluster?jahr=2024").get_data(
        as_text=True
    )
    for fmt in ("svg", "png"):
        assert f"/disparitaeten/armutsgefaehrdung_quote/cluster.{fmt}?jahr=2024" in page
    r = client.get("/disparitaeten/armutsgefaehrdung_quote/cluster.svg?jahr=2024")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert 'filename="armutsgefaehrdung_quote_2024_cluster.svg"' in r.headers["Content-Disposition"]
    root, words = _svg_text(r.data)
    assert "Armutsgefährdungsquote" in root.find(f"{SVG_NS}title").text
    assert "Räumliche Cluster 2024" in words and "Moran's I =" in words
    assert "Queen-Kontiguität" in words and "Signifikanzniveau 5 %" in words
    assert "Quelle:" in words and attribution.BOUNDARIES in words and "Beispieldaten" in words
    page_fills = re.findall(r'<path d="[^"]*" fill="(#[0-9a-f]{6})" data-ags', page)
    fills = [
        p.get("fill") for p in root.iter(f"{SVG_NS}path") if p.find(f"{SVG_NS}title") is not None
    ]
    assert len(fills) == 21 and sorted(fills) == sorted(page_fills)
    png = client.get("/disparitaeten/armutsgefaehrdung_quote/cluster.png?jahr=2024")
    assert png.status_code == 200 and _png(png.data).width == 2 * WIDTH
    real = client.get("/disparitaeten/bev_zensus22/cluster.svg")
    assert real.status_code == 200 and "Beispieldaten" not in _svg_text(real.data)[1]


@pytest.mark.parametrize(
    "url, status",
    [
        ("/disparitaeten/gibt_es_nicht/cluster.svg", 404),
        ("/disparitaeten/armutsgefaehrdung_quote/cluster.png?jahr=1999", 404),
        ("/disparitaeten/armutsgefaehrdung_quote/cluster.svg?jahr=abc", 400),
        ("/disparitaeten/grundsicherung_quote/cluster.svg", 404),  # Kommunen without values
    ],
)
def test_bad_cluster_export_gets_4xx(client, url, status):
    r = client.get(url)
    assert r.status_code == status and r.mimetype == "text/html"


# --- the profile's spine charts (/kommune/<ags>/einordnung.svg|png) -----------------------------

LEHRTE = "03241011"


def test_spine_image_agrees_with_the_profile(client):
    page = client.get(f"/kommune/{LEHRTE}").get_data(as_text=True)
    for fmt in ("svg", "png"):
        assert f"/kommune/{LEHRTE}/einordnung.{fmt}" in page
    r = client.get(f"/kommune/{LEHRTE}/einordnung.svg")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert f'filename="{LEHRTE}_einordnung.svg"' in r.headers["Content-Disposition"]
    root, words = _svg_text(r.data)
    title = root.find(f"{SVG_NS}title").text
    assert title.startswith("Lehrte: Einordnung unter den Kommunen der Region, ")
    assert "Armutsgefährdungsquote" in words and "Quelle:" in words and attribution.LICENCE in words
    assert "Beispieldaten" in words or "amtlich" in words
    assert f"/kommune/{LEHRTE}" in words and attribution.BOUNDARIES not in words
    # One indicator: the image's Kommune and Region values are the page's.
    row = re.search(r'<tr id="row-armutsgefaehrdung_quote".*?</tr>', page, re.S).group(0)
    value = re.search(r'<td class="num value"[^>]*>\s*([^<]*?)\s*<span', row).group(1)
    region = re.search(r'<td class="num region"[^>]*>\s*([^<]*?)\s*</td>', row).group(1)
    verdict = re.search(r'<td class="benchmark"[^>]*data-verdict="(\w+)"', row).group(1)
    line = next(
        g for g in root.iter(f"{SVG_NS}g") if g.get("data-indicator") == "armutsgefaehrdung_quote"
    )
    texts = [t.text.rstrip("*") for t in line.iter(f"{SVG_NS}text")]
    assert value in texts and region in texts and line.get("data-verdict") == verdict
    page_spine = re.search(r'<svg class="spine".*?</svg>', row, re.S).group(0)
    marker = re.search(r'class="spine-marker" cx="([\d.]+)"', page_spine).group(1)
    assert f'cx="{marker}"' in ET.tostring(line, encoding="unicode")
    assert len([g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "spine-row"]) > 40
    png = client.get(f"/kommune/{LEHRTE}/einordnung.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert _png(png.data).width == PNG_SCALE * WIDTH
    again = client.get(
        f"/kommune/{LEHRTE}/einordnung.svg", headers={"If-None-Match": r.headers["ETag"]}
    )
    assert again.status_code == 304


def test_spine_image_in_english(client):
    r = client.get(f"/kommune/{LEHRTE}/einordnung.svg?lang=en")
    assert r.status_code == 200
    root, words = _svg_text(r.data)
    assert root.find(f"{SVG_NS}title").text.startswith(
        "Lehrte: Position among the Region's municipalities, "
    )
    assert "Source:" in words and "Quelle:" not in words


@pytest.mark.parametrize(
    "url", ["/kommune/03241/einordnung.svg", "/kommune/99999999/einordnung.png"]
)
def test_bad_spine_image_gets_404(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert 'href="/kommune/' in r.get_data(as_text=True)


def _wrap_word_by_word(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """wrap as it was before germ35: every longer candidate line measured."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size, bold) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


@pytest.mark.parametrize("size,bold", [(12, False), (13, False), (24, True)])
def test_wrap_by_halving_breaks_where_word_by_word_did(size, bold):
    """The line's length found by halving (germ35) is the longest that fits, as the loop's."""
    texts = [
        # The long lines an image's footer wraps: its source and licence notices (their texts
        # from their one home, geodata.attribution).
        f"Quelle: {attribution.STATISTICAL_OFFICES}, Regionaldatenbank Deutschland,"
        " Tabellen 12612-01-01-5-B, 12411-01-01-5-B, Datenstand regionalstatistik-2017",
        f"Gebietsgrenzen: {attribution.BOUNDARIES}, {attribution.LICENCE_NAME}"
        f" ({attribution.LICENCE}, {attribution.LICENCE_URL}).",
        "Lebendgeborene je 1.000 Einwohnerinnen und Einwohner",
        "einWortDasLängerIstAlsDieZeileSelbst kurz " * 7,
        "a " * 90,
    ]
    for text in texts:
        for width in (40, 120, 300, 500, 952):
            assert wrap(text, size, width, bold) == _wrap_word_by_word(text, size, width, bold)
