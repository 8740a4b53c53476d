"""The change map's data one click away (issue #29) and cited pinned (issue #31): /karte?von=&bis=
offers "Daten (CSV)", XLSX, JSON of exactly its table's rows with the citation and "Zitieren";
`stand=` pins the page, its download and its image. And the territory map's pin, asked per
release (EXISTS), keeps the values the rule over every area gave.

Real PostGIS, the loaded (demo-mode) template.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import text

from geodata.queries import get_area
from indicators.gebiet_queries import scope_areas, scope_release_ids, scope_values, scope_years
from tests.conftest import invoke

CHANGE = "/karte?indikator=sgb2_u15_quote_inkar&von=2021&bis=2022"
HANNOVER = "03241001"


def _html(r) -> str:
    return r.get_data(as_text=True)


def _link(html: str, pattern: str) -> str:
    found = re.search(r'href="([^"]*' + pattern + r'[^"]*)"', html)
    assert found, pattern
    return found.group(1).replace("&amp;", "&")


def _permalink(html: str) -> str:
    found = re.search(r'class="cite-link" type="text" readonly value="([^"]+)"', html)
    assert found
    return found.group(1).replace("&amp;", "&")


def _path(url: str) -> str:
    return "/" + url.split("//", 1)[1].split("/", 1)[1]


def _table(html: str) -> str:
    return html.split('<section class="karte-table"', 1)[1].split("</section>", 1)[0]


def _rows(html: str) -> list[tuple[str, ...]]:
    """(rank, name, value from, value to, change) as data-sort of every row of the table body."""
    body = _table(html).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(
        r'<tr[^>]*>\s*<td class="num" data-sort="([^"]*)">.*?<td data-sort="([^"]*)">.*?'
        r'<td class="num" data-sort="([^"]*)">.*?<td class="num" data-sort="([^"]*)">.*?'
        r'<td class="num" data-sort="([^"]*)">',
        body,
        re.S,
    )


def _csv_rows(body: bytes) -> tuple[list[str], list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    blank = rows.index([])
    return [r[0] for r in rows[:blank]], rows[blank + 1], rows[blank + 2 :]


def _same_number(cell: str, shown: str) -> None:
    """The CSV's number is the page's value rounded to the CSV's decimals ('' both: none)."""
    if shown == "":
        assert cell in ("", "–", "keine Daten") or not re.fullmatch(r"-?[\d.]+", cell), cell
        return
    places = len(cell.split(".", 1)[1]) if "." in cell else 0
    assert float(cell) == pytest.approx(round(float(shown), places), abs=1e-9), (cell, shown)


def test_the_change_maps_csv_is_its_table_with_the_citation(client):
    page = client.get(CHANGE)
    assert page.status_code == 200
    html = _html(page)
    shown = _rows(html)
    assert len(shown) == 21
    # "Daten dieser Ansicht" and "Zitieren" on the page, pinned like the one-year map's
    assert "Daten (CSV)" in html and "<summary>Zitieren</summary>" in html
    permalink = _permalink(html)
    assert "von=2021" in permalink and "bis=2022" in permalink and "stand=" in permalink
    r = client.get(_link(html, "format=csv"))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    header, columns, rows = _csv_rows(r.data)
    assert columns[:3] == ["Rang", "Kommune", "AGS"]
    assert "2021" in columns[3] and "2022" in columns[4] and columns[5].startswith("Veränderung")
    assert columns[6:8] == ["Datenstand 2021", "Datenstand 2022"]
    kommunen, region = rows[:-1], rows[-1]
    assert [(k[0], k[1]) for k in kommunen] == [(s[0], s[1]) for s in shown]
    for k, s in zip(kommunen, shown, strict=True):
        for cell, value in zip(k[3:6], s[2:5], strict=True):
            _same_number(cell, value)
        assert k[6] and k[7]  # each year's release
        assert k[8] in ("amtlich", "Beispieldaten")  # demo mode: every value says which
    assert region[2] == "03241" and region[0] == ""
    # the citation in German and English heads the file, with the page's pinned permalink
    assert header[1].startswith("Zitieren: ") and header[2].startswith("Cite: ")
    assert permalink in header[1] and permalink in header[2]
    assert "Veränderung 2021–2022" in header[0]
    # XLSX and JSON of the same rows
    xlsx = client.get(_link(html, "format=xlsx"))
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.mimetype
    body = json.loads(client.get(_link(html, "format=json")).data)
    assert body["columns"] == columns
    assert [row[2] for row in body["rows"]] == [r[2] for r in rows]
    assert permalink in json.dumps(body["metadata"], ensure_ascii=False)
    # the English page: English citation and columns
    en = _html(client.get(CHANGE + "&lang=en"))
    assert "Data (CSV)" in en and "lang=en" in _permalink(en)


def test_the_change_maps_csv_ends_with_the_chosen_benchmarks_row(client):
    """Against the Land the page's table ends with the Region's and the Land's change: so does
    its CSV (the data link keeps the choice)."""
    html = _html(client.get(CHANGE + "&vergleich_mit=land"))
    link = _link(html, "format=csv")
    assert "vergleich_mit=land" in link
    _header, _columns, rows = _csv_rows(client.get(link).data)
    assert [r[2] for r in rows[-2:]] == ["03241", "03"]
    foot = _table(html).split("<tfoot>", 1)[1]
    assert 'data-ags="03"' in foot and rows[-1][1] in foot


def test_the_change_map_image_carries_the_citation(client):
    html = _html(client.get(CHANGE))
    svg = _html(client.get(_link(html, "karte.svg")))
    assert "abgerufen am" in svg and "stand=" in svg and "von=2021" in svg


def test_a_pinned_change_map_keeps_its_numbers_after_a_new_release(fresh_app, tmp_path):
    client = fresh_app.test_client()
    live_before = _html(client.get(CHANGE))
    path = _path(_permalink(live_before))
    before = client.get(path)
    assert before.status_code == 200
    html = _html(before)
    assert "Zitierter Datenstand" in html and "Das sind auch die aktuellen Daten" in html
    # every link of the pinned view keeps the pin: data, image, the year's map
    files = {}
    for pattern in ("format=csv", "format=json", "format=bib", "karte.svg"):
        link = _link(html, pattern)
        assert "stand=" in link, link
        files[link] = client.get(link)
    assert "stand=" in _link(html, r"jahr=2022")
    # the pinned embed: the same pinned view with its note
    embed_path = path.replace("/karte?", "/embed/karte?")
    embed_before = _html(client.get(embed_path))
    assert "Zitierter Datenstand" in embed_before
    assert "immutable" in files[_link(html, "format=csv")].headers["Cache-Control"]

    korrektur = tmp_path / "korrektur.csv"
    korrektur.write_text(
        "ags,indicator,year,value\n"
        f"{HANNOVER},sgb2_u15_quote_inkar,2021,5.0\n"
        f"{HANNOVER},sgb2_u15_quote_inkar,2022,60.0\n"
    )
    result = invoke(fresh_app, "load-release", str(korrektur), "--label", "korrektur-2026")
    assert result.exit_code == 0, result.output

    after = _html(client.get(path))
    assert _table(after) == _table(html)  # byte-identical numbers
    for link, body in files.items():
        assert client.get(link).data == body.data, link
    assert "Es gibt neuere Daten" in after
    current = re.search(r'<strong>Es gibt neuere Daten.</strong> <a href="([^"]+)"', after)
    assert current and "stand=" not in current.group(1)
    live = _html(client.get(current.group(1).replace("&amp;", "&")))
    assert "60,0" in live and "60,0" not in _table(after)
    assert _permalink(live) != _permalink(live_before)  # the live view pins the new release
    embed_after = _html(client.get(embed_path))
    assert "Es gibt neuere Daten" in embed_after
    live_embed = _html(client.get(CHANGE.replace("/karte?", "/embed/karte?")))
    assert "+55,0" in live_embed and "+55,0" not in embed_after  # Hannover: 5,0 → 60,0
    live_csv = client.get(_link(live, "format=csv")).data
    assert live_csv != files[_link(html, "format=csv")].data


# --- the territory map's pin (review finding) ------------------------------------------------

# The rule over every area and year (the lookup before): the releases whose values win.
_RULE_IDS = """
SELECT DISTINCT v.release_id FROM shown_value_in(CAST(:ids AS int[])) v
WHERE v.indicator_id = :i AND ((length(v.ags) = :len AND v.ags LIKE :p || '%') OR v.ags = :own)
ORDER BY v.release_id
"""
_LEN = {"land": 2, "kreis": 5, "gemeinde": 8}


@pytest.mark.parametrize(
    ("gebiet", "ebene", "indicator"),
    [
        ("03", "kreis", "bev_zensus22"),
        ("03", "kreis", "sgb2_u15_quote_inkar"),
        ("DG", "land", "bev_anteil_65plus"),
        ("03241", "gemeinde", "bev_insgesamt"),
    ],
)
def test_the_territory_pin_per_release_keeps_every_value(conn, gebiet, ebene, indicator):
    territory = get_area(conn, gebiet)
    prefix = "" if gebiet == "DG" else gebiet
    rule = tuple(
        conn.scalars(
            text(_RULE_IDS),
            {"ids": None, "i": indicator, "len": _LEN[ebene], "p": prefix, "own": gebiet},
        )
    )
    pin = scope_release_ids(conn, indicator, territory, ebene, None)
    assert rule and set(rule) <= set(pin)
    # within the pin (and within its own ids again) the same
    assert scope_release_ids(conn, indicator, territory, ebene, pin) == pin
    areas = scope_areas(conn, territory, ebene)
    years = scope_years(conn, indicator, territory, ebene, None)
    assert years
    for year in years:
        live = scope_values(conn, indicator, year, territory, ebene, None, areas)
        by_rule = scope_values(conn, indicator, year, territory, ebene, rule, areas)
        pinned = scope_values(conn, indicator, year, territory, ebene, pin, areas)
        shown = [(v, s, f) for v, s, f in zip(live.value, live.suppressed, live.flag, strict=True)]
        for other in (by_rule, pinned):
            assert [
                (v, s, f) for v, s, f in zip(other.value, other.suppressed, other.flag, strict=True)
            ] == shown, year
            labels = [other.releases[r][0] if r is not None else None for r in other.release]
            assert labels == [live.releases[r][0] if r is not None else None for r in live.release]


def test_the_territory_pin_names_no_release_the_rule_never_shows(conn):
    """The demo release holds the Region's value of bev_anteil_65plus, but the indicator is
    real: its values are never shown (the rule, migration 0014), so the pin does not name it."""
    territory = get_area(conn, "03")
    pin = scope_release_ids(conn, "bev_anteil_65plus", territory, "kreis", None)
    synthetic = set(conn.scalars(text("SELECT id FROM release WHERE synthetic")))
    assert synthetic and not synthetic & set(pin)
