"""Kontextnotizen in the map images that lacked them (issue #31): the change map
(/karte.svg?von=&bis=), the small multiples (/karte/jahre.svg) and a territory's map
(/karte.svg?gebiet=…): the footnote lines the Kommunen map's image carries, from the same code
(app.pages.data.image_parts.note_footnotes). A note about a shown year is in the image (drawn
and in <desc>), one about another year is not; the PNG is the same layout.

Real PostGIS: a copy of the loaded template, the notes published as a notes-only release.
"""

from __future__ import annotations

import re
import struct

import pytest

from tests.conftest import app_on_clone, invoke

HANNOVER, HILDESHEIM = "03241001", "03254"
IND = "sgb2_u15_quote_inkar"
SHOWN = "Familienzentrum Linden eröffnet"  # Hannover, 2022
EARLIER = "Zählweise der Jobcenter umgestellt"  # Hannover, 2019: in no image below
KREIS = "Neue Jobcenter-Außenstelle Alfeld"  # Landkreis Hildesheim, 2021
FOOTNOTE = f"Hannover – Notiz 2022 (Einrichtung): {SHOWN} (https://www.hannover.de)"


@pytest.fixture(scope="module")
def noted(loaded_template, tmp_path_factory):
    """An app on its own copy with three published notes."""
    path = tmp_path_factory.mktemp("notes") / "notizen.csv"
    path.write_text(
        "ags,indikator,thema,jahr_von,jahr_bis,kategorie,text_de,text_en,quelle\n"
        f"{HANNOVER},{IND},,2022,,einrichtung,{SHOWN},Family centre opened,https://www.hannover.de\n"
        f"{HANNOVER},{IND},,2019,,definitionsaenderung,{EARLIER},,\n"
        f"{HILDESHEIM},{IND},,2021,,einrichtung,{KREIS},,\n",
        encoding="utf-8",
    )
    for application in app_on_clone(loaded_template):
        result = invoke(application, "notes-import", "notizen-bilder", str(path), "--new-draft")
        assert result.exit_code == 0, result.output
        assert invoke(application, "publish", "notizen-bilder").exit_code == 0
        yield application


def _svg(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    assert r.mimetype == "image/svg+xml"
    return r.get_data(as_text=True)


def _same_layout(client, url: str, svg: str) -> None:
    """The PNG is the SVG drawn (cairosvg): its size has the SVG's proportions, footnotes included."""
    png = client.get(url.replace(".svg", ".png"))
    assert png.status_code == 200 and png.mimetype == "image/png"
    width, height = struct.unpack(">II", png.data[16:24])
    w, h = (float(x) for x in re.search(r'width="(\d+)" height="(\d+)"', svg).groups())
    assert height / width == pytest.approx(h / w, rel=0.01), (width, height, w, h)


def _taller(with_note: str, without: str) -> None:
    def height(svg: str) -> int:
        return int(re.search(r'<svg [^>]*height="(\d+)"', svg).group(1))

    assert height(with_note) > height(without)


def test_the_change_map_image_carries_the_notes_of_its_years(noted):
    client = noted.test_client()
    url = f"/karte.svg?indikator={IND}&von=2021&bis=2022"
    svg = _svg(client, url)
    assert svg.count(FOOTNOTE) == 2  # drawn once, and in <desc>
    assert EARLIER not in svg and KREIS not in svg
    _same_layout(client, url, svg)
    # the one-year map of 2021 (same helper): not the 2022 note
    assert SHOWN not in _svg(client, f"/karte.svg?indikator={IND}&jahr=2021")
    assert _svg(client, f"/karte.svg?indikator={IND}&jahr=2022").count(FOOTNOTE) == 2
    # English image: the English text
    en = _svg(noted.test_client(), url + "&lang=en")
    assert "Hannover – Note 2022 (Facility): Family centre opened" in en


def test_the_small_multiples_image_carries_the_notes_of_the_shown_years(noted):
    client = noted.test_client()
    url = f"/karte/jahre.svg?indikator={IND}&jahre=2021,2022"
    svg = _svg(client, url)
    assert svg.count(FOOTNOTE) == 2
    assert EARLIER not in svg and KREIS not in svg
    _same_layout(client, url, svg)
    without = _svg(client, url.replace("2021,2022", "2021"))  # the other year alone
    assert SHOWN not in without and EARLIER not in without


def test_a_territory_map_image_carries_the_notes_of_its_year(noted):
    client = noted.test_client()
    url = f"/karte.svg?gebiet=03&ebene=kreis&indikator={IND}&jahr=2021"
    svg = _svg(client, url)
    line = f"Hildesheim, Landkreis – Notiz 2021 (Einrichtung): {KREIS}"
    assert svg.count(line) == 2
    assert SHOWN not in svg and EARLIER not in svg  # Hannover is a Gemeinde, not a Kreis
    _same_layout(client, url, svg)
    other_year = _svg(client, url.replace("jahr=2021", "jahr=2022"))
    assert KREIS not in other_year
    _taller(svg, other_year)
    # the Gemeinden of the home region: Hannover's note of the shown year
    home = _svg(client, f"/karte.svg?gebiet=03241&ebene=gemeinde&indikator={IND}&jahr=2022")
    assert home.count(FOOTNOTE) == 2 and KREIS not in home
