"""The image download links in Chromium: the files download, open and carry title and source."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from geodata import attribution

SVG_NS = "{http://www.w3.org/2000/svg}"


def _download(page, link_name: str) -> tuple[str, bytes]:
    """Click the link with this accessible name; the suggested file name and the bytes."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    assert download.failure() is None
    return download.suggested_filename, Path(download.path()).read_bytes()


def _svg_words(body: bytes) -> tuple[str, str]:
    root = ET.fromstring(body)
    words = " ".join(t.text or "" for t in root.iter(f"{SVG_NS}text"))
    return root.find(f"{SVG_NS}title").text, re.sub(r"\s+", " ", words)


@pytest.mark.parametrize("path", ["/karte", "/embed/karte"])
def test_map_download_links_give_svg_and_png(page, live_server, path):
    page.goto(f"{live_server}{path}?indikator=armutsgefaehrdung_quote&jahr=2020")
    name, body = _download(page, "Karte als SVG herunterladen")
    assert name == "armutsgefaehrdung_quote_2020.svg"
    title, words = _svg_words(body)
    assert title.startswith("Armutsgefährdungsquote")
    assert "Quelle:" in words and "Beispieldaten" in words and attribution.BOUNDARIES in words
    name, body = _download(page, "Karte als PNG herunterladen")
    assert name == "armutsgefaehrdung_quote_2020.png"
    img = Image.open(io.BytesIO(body))
    img.load()
    assert img.format == "PNG" and img.size[0] == 2000
    assert page.request_log.foreign() == []


def test_english_map_downloads_english_image(page, live_server):
    page.goto(f"{live_server}/karte?indikator=armutsgefaehrdung_quote&jahr=2020&lang=en")
    _name, body = _download(page, "Download map as SVG")
    title, words = _svg_words(body)
    assert "Source:" in words and "Legend" in words and "Quelle:" not in words


def test_time_series_download_links(page, live_server):
    page.goto(f"{live_server}/zeitreihe?indikator=bev_insgesamt&kommunen=03241001")
    name, body = _download(page, "Grafik als SVG")
    assert name.startswith("bev_insgesamt_") and name.endswith(".svg")
    title, words = _svg_words(body)
    assert title == "Einwohnerinnen und Einwohner insgesamt"
    assert "Quelle:" in words and "amtlich" in words
    name, body = _download(page, "Grafik als PNG")
    img = Image.open(io.BytesIO(body))
    img.load()
    assert img.format == "PNG"


@pytest.mark.parametrize(
    "path, count",
    [
        ("/karte?indikator=armutsgefaehrdung_quote&von=2016&bis=2024", 2),
        ("/embed/karte?indikator=armutsgefaehrdung_quote&von=2016&bis=2024", 2),
        ("/karte/jahre?indikator=armutsgefaehrdung_quote&jahre=2020,2024", 2),
        ("/disparitaeten/armutsgefaehrdung_quote?jahr=2024", 4),
        ("/disparitaeten/armutsgefaehrdung_quote/cluster?jahr=2024", 2),
    ],
)
def test_new_image_links_answer_with_images(page, live_server, path, count):
    page.goto(live_server + path)
    links = page.locator("a[download]")
    links.first.wait_for()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    hrefs = [h for h in hrefs if re.search(r"\.(svg|png)(\?|$)", h)]
    assert len(hrefs) == count, hrefs
    for href in hrefs:
        r = page.request.get(live_server + href)
        kind = "image/svg+xml" if re.search(r"\.svg(\?|$)", href) else "image/png"
        assert r.status == 200 and r.headers["content-type"].startswith(kind), href
        assert r.headers["content-disposition"].startswith("attachment"), href
    link = (
        "Grafik als SVG"
        if "disparitaeten/armutsgefaehrdung_quote?" in path
        else "Karte als SVG herunterladen"
    )
    name, body = _download(page, link)
    assert name.endswith(".svg") and "Quelle:" in _svg_words(body)[1]
