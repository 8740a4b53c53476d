"""Every view's data one click away (issue #29) and citable frozen views (issue #31 part 3).

On the real test database: the map's, ranking's and time series' CSV hold exactly the rows of
the page's table; JSON carries the metadata and the citation; BibTeX and CSL-JSON parse with
real parsers (pybtex, citeproc-py); a pinned map keeps its values after a new release and says
that newer data exist; hostile or unknown `stand` values are refused.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from datetime import date

import pytest

from app.render import citation
from geodata import attribution
from tests.conftest import invoke

MAP = "/karte?indikator=bev_insgesamt&jahr=2015"
RANKING = "/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024"
SERIES = "/zeitreihe?indikator=bev_insgesamt&kommunen=03241001,03241011"


def _html(r) -> str:
    return r.get_data(as_text=True)


def _csv_rows(body: bytes) -> tuple[list[str], list[list[str]], list[str]]:
    """Header lines (before the empty row), the column row and the data rows of a page CSV."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    blank = rows.index([])
    return [r[0] for r in rows[:blank]], rows[blank + 1], rows[blank + 2 :]


def _link(html: str, fmt: str) -> str:
    found = re.search(r'href="([^"]*format=' + re.escape(fmt) + r'[^"]*)"', html)
    assert found, fmt
    return found.group(1).replace("&amp;", "&")


def _map_table(html: str) -> list[tuple[str, str, str]]:
    """(rank, name, value as data-sort) of every row of the map's table body."""
    body = html.split('<section class="karte-table"', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    return re.findall(
        r'<tr[^>]*>\s*<td class="num" data-sort="([^"]*)">.*?<td data-sort="([^"]*)">.*?'
        r'<td class="num" data-sort="([^"]*)">',
        body,
        re.S,
    )


def _permalink(html: str) -> str:
    found = re.search(r'class="cite-link" type="text" readonly value="([^"]+)"', html)
    assert found
    return found.group(1).replace("&amp;", "&")


# --- the citation itself ----------------------------------------------------------------------


def _citation() -> citation.Citation:
    return citation.Citation(
        title="Kinderarmut 2022 – Karte der Kommunen {50 %} & mehr_",
        publisher="Sozialmonitoring Region Hannover",
        url="http://localhost/karte?indikator=kinderarmut&jahr=2022&stand=3.7",
        accessed=date(2026, 12, 6),
        releases=("inkar-2024",),
        release_ids=(3, 7),
        sources=(citation.CitedSource(attribution.INKAR, "", "inkar-2024"),),
        boundaries=True,
    )


def test_the_citation_line_names_everything_in_both_languages():
    c = _citation()
    de, en = citation.lines(c)
    for line in (de, en):
        assert c.publisher in line and c.title in line and c.url in line
        assert "inkar-2024" in line and attribution.INKAR in line
        assert attribution.LICENCE in line and attribution.LICENCE_URL in line
        assert attribution.BOUNDARIES in line
    assert "Datenstand" in de and "abgerufen am 06.12.2026" in de
    # A table code the stored source text already names is not repeated.
    named = citation.CitedSource(
        f"{attribution.REGIONALDATENBANK}, Tabelle 12411-01-01-5-B", "12411-01-01-5-B"
    )
    twice = citation.line(dataclasses.replace(c, sources=(named,)), "de")
    assert twice.count("12411-01-01-5-B") == 1
    assert "Data release" in en and "accessed 2026-12-06" in en
    assert attribution.licence_name("en") in en and attribution.licence_name("de") in de


def test_bibtex_parses_with_pybtex_and_keeps_the_fields():
    from pybtex.database import parse_string

    c = _citation()
    db = parse_string(citation.bibtex(c), "bibtex")
    (key, entry), *rest = db.entries.items()
    assert not rest and entry.type == "misc" and key == citation.key(c)
    assert entry.fields["url"] == c.url
    assert entry.fields["urldate"] == "2026-12-06"
    # LaTeX's specials are escaped, so the title is one field and compiles.
    assert entry.fields["title"] == r"Kinderarmut 2022 – Karte der Kommunen \{50 \%\} \& mehr\_"
    assert entry.fields["year"] == "2026"


def test_csl_json_parses_with_citeproc_and_renders():
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    c = _citation()
    data = json.loads(citation.csl_text(c))
    source = CiteProcJSON(data)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bib = CitationStylesBibliography(style, source, formatter.plain)
    bib.register(Citation([CitationItem(citation.key(c))]))
    rendered = str(bib.bibliography()[0])
    assert "Kinderarmut 2022" in rendered and "Sozialmonitoring Region Hannover" in rendered
    assert data[0]["type"] == "dataset" and data[0]["URL"] == c.url
    assert data[0]["accessed"] == {"date-parts": [[2026, 12, 6]]}


# --- the map's data -----------------------------------------------------------------------


def test_the_map_csv_has_exactly_the_rows_of_the_maps_table(client):
    page = client.get(MAP)
    assert page.status_code == 200
    html = _html(page)
    shown = _map_table(html)
    assert len(shown) == 21
    r = client.get(_link(html, "csv"))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    header, columns, rows = _csv_rows(r.data)
    assert columns[:4] == ["Rang", "Kommune", "AGS", "Einwohner insgesamt (Personen)"] or (
        columns[:3] == ["Rang", "Kommune", "AGS"]
    )
    kommunen, region = rows[:-1], rows[-1]
    assert [(k[0], k[1]) for k in kommunen] == [(rank, name) for rank, name, _v in shown]
    for k, (_rank, _name, value) in zip(kommunen, shown, strict=True):
        assert float(k[3]) == pytest.approx(round(float(value)), abs=1e-9)
    assert region[1] == "Region Hannover" and region[0] == ""
    # The citation in German and English heads the file, with the page's pinned URL.
    assert header[1].startswith("Zitieren: ") and header[2].startswith("Cite: ")
    assert "stand=" in header[1] and attribution.LICENCE in header[1]
    assert _permalink(html) in header[1] and _permalink(html) in header[2]


def test_the_map_json_carries_rows_metadata_and_citation(client):
    html = _html(client.get(MAP))
    r = client.get(_link(html, "json"))
    assert r.status_code == 200 and r.mimetype == "application/json"
    doc = r.get_json()
    meta = doc["metadata"]
    assert meta["licence"]["id"] == attribution.LICENCE
    assert meta["boundaries"] == attribution.BOUNDARIES
    assert meta["url"] == _permalink(html) and meta["release_ids"]
    assert set(meta["citation"]) == {"de", "en"}
    assert len(doc["rows"]) == 22 and len(doc["columns"]) == len(doc["rows"][0])
    assert [row[1] for row in doc["rows"][:21]] == [n for _r, n, _v in _map_table(html)]


def test_the_map_offers_bibtex_and_csl_json_of_its_pinned_view(client):
    from pybtex.database import parse_string

    html = _html(client.get(MAP))
    bib = client.get(_link(html, "bib"))
    assert bib.status_code == 200
    entry = next(iter(parse_string(bib.get_data(as_text=True), "bibtex").entries.values()))
    assert entry.fields["url"] == _permalink(html)
    csl = client.get(_link(html, "csl-json"))
    assert json.loads(csl.data)[0]["URL"] == _permalink(html)


def test_the_english_map_cites_in_english_too(client):
    html = _html(client.get(MAP + "&lang=en"))
    assert "lang=en" in _permalink(html)
    header, columns, _rows = _csv_rows(client.get(_link(html, "csv")).data)
    assert columns[:3] == ["Rank", "Municipality", "AGS"] or columns[0] != "Rang"
    assert header[2].startswith("Cite: ") and "accessed" in header[2]


def test_the_map_image_carries_the_citation(client):
    html = _html(client.get(MAP))
    svg = client.get("/karte.svg?indikator=bev_insgesamt&jahr=2015").get_data(as_text=True)
    assert "abgerufen am" in svg and "accessed" not in svg  # the image's language
    assert "stand=" in svg and attribution.LICENCE in svg
    assert _permalink(html).split("?", 1)[1].replace("&", "&amp;") in svg
    ranking = client.get(RANKING.replace("/rangfolge?", "/rangfolge.svg?")).get_data(as_text=True)
    assert "abgerufen am" in ranking and "stand=" in ranking
    english = client.get("/karte.svg?indikator=bev_insgesamt&jahr=2015&lang=en").get_data(
        as_text=True
    )
    assert "accessed" in english and "abgerufen am" not in english


# --- ranking and time series ----------------------------------------------------------------


def test_the_ranking_csv_has_exactly_the_rows_of_its_table(client):
    page = client.get(RANKING)
    html = _html(page)
    shown = re.findall(r'<tr data-ags="(\d+)" data-verdict', html)
    r = client.get(_link(html, "csv"))
    assert r.status_code == 200
    header, _columns, rows = _csv_rows(r.data)
    assert [row[2] for row in rows[:-1]] == shown and len(shown) == 21
    assert rows[-1][2] == "03241"
    assert header[1].startswith("Zitieren: ") and attribution.LICENCE in header[1]
    doc = client.get(_link(html, "json")).get_json()
    assert [row[2] for row in doc["rows"]] == [*shown, "03241"]


def test_the_time_series_csv_has_its_table_and_citation(client):
    html = _html(client.get(SERIES))
    r = client.get(_link(html, "csv"))
    assert r.status_code == 200
    header, columns, rows = _csv_rows(r.data)
    assert columns[1:4] == ["Region Hannover", "Hannover", "Lehrte"]
    assert header[1].startswith("Zitieren: ") and header[2].startswith("Cite: ")
    years = re.findall(r'<tr data-year="(\d{4})"', html)
    assert [row[0] for row in rows] == years and years
    assert "stand=" in _permalink(html)


def test_the_scatter_csv_has_the_rows_of_its_table(client):
    html = _html(client.get("/streuung"))
    shown = re.findall(r'<tr data-ags="(\d{8})"', html)
    r = client.get(_link(html, "csv"))
    assert r.status_code == 200
    header, _columns, rows = _csv_rows(r.data)
    assert [row[1] for row in rows[: len(shown)]] == shown and len(shown) == 21
    assert header[1].startswith("Zitieren: ") and attribution.LICENCE in header[1]
    assert json.loads(client.get(_link(html, "csl-json")).data)[0]["type"] == "dataset"


def test_the_comparison_offers_its_data_with_the_citation(client):
    html = _html(client.get("/vergleich/03241001/03241011"))
    r = client.get(_link(html, "csv"))
    assert r.status_code == 200
    header, _columns, rows = _csv_rows(r.data)
    assert rows and header[1].startswith("Zitieren: ") and header[2].startswith("Cite: ")
    assert client.get(_link(html, "json")).get_json()["metadata"]["citation"]["en"]


# --- pinned views ---------------------------------------------------------------------------


def test_a_pinned_map_keeps_its_values_after_a_new_release(fresh_app, tmp_path):
    client = fresh_app.test_client()
    html = _html(client.get(MAP))
    permalink = _permalink(html)
    pinned_path = permalink.split("//", 1)[1].split("/", 1)[1]
    before = client.get("/" + pinned_path)
    assert before.status_code == 200
    table_before = _html(before).split('<section class="karte-table"', 1)[1].split("</section>")[0]
    data_url = _link(_html(before), "csv")
    csv_before = client.get(data_url)
    assert "max-age=31536000" in csv_before.headers["Cache-Control"]
    assert "immutable" in csv_before.headers["Cache-Control"]
    assert "Es gibt neuere Daten" not in _html(before)
    assert "Das sind auch die aktuellen Daten" in _html(before)

    korrektur = tmp_path / "korrektur.csv"
    korrektur.write_text("ags,indicator,year,value\n03241001,bev_insgesamt,2015,540000\n")
    result = invoke(fresh_app, "load-release", str(korrektur), "--label", "korrektur-2026")
    assert result.exit_code == 0, result.output

    after = client.get("/" + pinned_path)
    assert after.status_code == 200
    table_after = _html(after).split('<section class="karte-table"', 1)[1].split("</section>")[0]
    assert table_after == table_before  # byte-identical values
    assert "540.000" not in _html(after)
    assert client.get(data_url).data == csv_before.data
    # The pinned page says that newer data exist and links to the current map.
    assert "Es gibt neuere Daten" in _html(after)
    current = re.search(r'<strong>Es gibt neuere Daten.</strong> <a href="([^"]+)"', _html(after))
    assert current and "stand=" not in current.group(1)
    live = _html(client.get(current.group(1).replace("&amp;", "&")))
    assert "540.000" in live and "Zitierter Datenstand" not in live


def test_pinned_ranking_and_time_series_keep_their_values(fresh_app, tmp_path):
    client = fresh_app.test_client()
    ranking_url = "/rangfolge?indikator=bev_insgesamt&jahr=2015"
    pinned = {}
    for url in (ranking_url, SERIES):
        link = _permalink(_html(client.get(url)))
        assert "stand=" in link
        path = "/" + link.split("//", 1)[1].split("/", 1)[1]
        pinned[path] = client.get(_link(_html(client.get(path)), "csv")).data
    korrektur = tmp_path / "korrektur.csv"
    korrektur.write_text("ags,indicator,year,value\n03241001,bev_insgesamt,2015,540000\n")
    result = invoke(fresh_app, "load-release", str(korrektur), "--label", "korrektur-2026")
    assert result.exit_code == 0, result.output
    for path, body in pinned.items():
        page = _html(client.get(path))
        assert client.get(_link(page, "csv")).data == body
        assert "Es gibt neuere Daten" in page and "540.000" not in page
    assert "540.000" in _html(client.get(ranking_url))


@pytest.mark.parametrize(
    ("stand", "status", "words"),
    [
        ("abc", 400, "stand"),
        ("1..2", 400, "stand"),
        ("01", 400, "stand"),
        ("2.1", 400, "aufsteigend"),
        ("1.1", 400, "aufsteigend"),
        ("1" * 40, 400, "stand"),
        (".".join(str(i) for i in range(1, 60)), 400, "stand"),
        ("<script>", 400, "stand"),
        ("99999", 404, "99999"),
    ],
)
def test_hostile_or_unknown_pins_are_refused(client, stand, status, words):
    r = client.get(f"{MAP}&stand={stand}")
    assert r.status_code == status
    assert words in _html(r)
    assert "<script>" not in _html(r).split("<main", 1)[-1] or stand != "<script>"


def test_a_pin_and_a_named_release_exclude_each_other(client):
    html = _html(client.get(MAP))
    stand = re.search(r"stand=([0-9.]+)", _permalink(html)).group(1)
    r = client.get(f"{MAP}&stand={stand}&release=1")
    assert r.status_code == 400
