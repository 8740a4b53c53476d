"""Citable frozen views of the page families beyond the map and the ranking (issue #31 part 3).

On the real test database: the Kommune profile (/kommune/<ags>) offers "Zitieren" with a
permalink pinned by `stand=`; its CSV/XLSX/JSON/BibTeX/CSL-JSON and its image carry the
citation. A pinned profile captured before a new release shows byte-identical content after
`sozmon load-release` (values, Region, Land, Germany, ranks, benchmarks, spines, trends, the
comparison group, the Sozialindex block, the header's Zensus figures, the notes), its exports
too, and says that newer data exist; the live profile shows the new numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from pybtex.database import parse_string

from tests.conftest import invoke

HANNOVER, OTHER = "03241001", "03241011"
PROFILE = f"/kommune/{HANNOVER}"
COMPARISON = f"/vergleich/{HANNOVER}/{OTHER}"
AREA = "/gebiet/03254"  # Landkreis Hildesheim: an area beyond the home region
SCATTER = "/streuung?x=svb_quote&y=bev_anteil_65plus&jahr=2015"
MULTIPLES = "/karte/jahre?indikator=sgb2_u15_quote_inkar&jahre=2021,2022"
TERRITORY = (
    "/karte?gebiet=03&ebene=kreis&indikator=bev_zensus22&jahr=2022"  # Niedersachsen's Kreise
)
NOTE = "Neue Kita am Standort Linden eröffnet"


def _html(r) -> str:
    return r.get_data(as_text=True)


def _permalink(html: str) -> str:
    found = re.search(r'class="cite-link" type="text" readonly value="([^"]+)"', html)
    assert found
    return found.group(1).replace("&amp;", "&")


def _path(url: str) -> str:
    """The site-relative part of an absolute URL."""
    return "/" + url.split("//", 1)[1].split("/", 1)[1]


def _link(html: str, pattern: str) -> str:
    found = re.search(r'href="([^"]*' + pattern + r'[^"]*)"', html)
    assert found, pattern
    return found.group(1).replace("&amp;", "&")


def _main(html: str) -> str:
    """The page's content without the pinned view's own note (the one part that may change)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r'<p class="pinned-note" role="note">.*?</p>\n', "", main, flags=re.S)
    # the comparison's and the scatter plot's charts number their ids per process
    # and its map (app.render.charts, app.render.scatter_chart, the map)
    return _ids(main)


def _ids(text: str) -> str:
    return re.sub(r"\b(chart-t|sc|sm)\d+", r"\1", text)


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def test_the_profile_cites_itself_pinned_in_every_export(client):
    html = _html(client.get(PROFILE))
    permalink = _permalink(html)
    stand = re.search(r"[?&]stand=([0-9.]+)", permalink)
    assert stand and permalink.startswith("http")
    assert "Zitierter Datenstand" not in html  # the live page is not pinned
    # the data links are the pinned state's
    csv_url = _link(html, "format=csv")
    assert f"stand={stand.group(1)}" in csv_url
    rows = _csv(client.get(csv_url).data)
    header = [r[0] for r in rows[: rows.index([])]]
    assert any(h.startswith("Zitieren: ") and permalink in h for h in header)
    assert any(h.startswith("Cite: ") for h in header)
    # every indicator row of the page is in the CSV
    ids_page = set(re.findall(r'<tr id="row-([a-z0-9_]+)"', html))
    blank = rows.index([])
    id_col = rows[blank + 1].index("Kennzahl-ID")
    assert ids_page and ids_page == {r[id_col] for r in rows[blank + 2 :]}
    meta = client.get(_link(html, "format=json")).get_json()["metadata"]
    assert permalink in meta["citation"]["de"] and permalink in meta["citation"]["en"]
    bib = parse_string(
        client.get(csv_url.replace("format=csv", "format=bib")).data.decode(), "bibtex"
    )
    (entry,) = bib.entries.values()
    assert entry.fields["url"] == permalink
    csl = json.loads(client.get(csv_url.replace("format=csv", "format=csl-json")).data)
    assert csl[0]["URL"] == permalink
    # the image of the spines carries the pinned citation and the pinned state
    svg_url = _link(html, "einordnung.svg")
    assert f"stand={stand.group(1)}" in svg_url
    svg = _html(client.get(svg_url))
    assert "stand=" + stand.group(1) in svg and "abgerufen am" in svg
    # the printed profile (its PDF) names the citation too
    assert re.search(r'<span class="print-only">Zitieren: .*stand=' + stand.group(1), html)


def test_the_small_multiples_cite_themselves_pinned_in_every_export(client):
    html = _html(client.get(MULTIPLES))
    permalink = _permalink(html)
    stand = re.search(r"[?&]stand=([0-9.]+)", permalink)
    assert stand and "jahre=2021,2022" in permalink.replace("%2C", ",")
    assert "Zitierter Datenstand" not in html
    # the year toggles and the image links of the pinned page keep the pin
    pinned = _html(client.get(_path(permalink)))
    assert "Zitierter Datenstand" in pinned
    toggles = re.findall(r'<li><a href="([^"]*jahre=[^"]*)"', pinned)
    assert toggles and all(f"stand={stand.group(1)}" in t for t in toggles)
    assert f"stand={stand.group(1)}" in _link(pinned, "jahre.svg")
    # the CSV: the citation lines, then one row per Kommune and shown year as on the page
    csv_url = _link(html, "format=csv")
    assert f"stand={stand.group(1)}" in csv_url
    rows = _csv(client.get(csv_url).data)
    blank = rows.index([])
    header = [r[0] for r in rows[:blank]]
    assert any(h.startswith("Zitieren: ") and permalink in h for h in header)
    assert any(h.startswith("Cite: ") for h in header)
    body = rows[blank + 2 :]
    kommunen = re.findall(
        r'<tr(?: class="in-gruppe")?><th scope="row"><a href="[^"]*">([^<]+)</a>', html
    )
    assert len(kommunen) == 21
    assert [r[0] for r in body[: 2 * 21 : 2]] == kommunen
    assert {r[2] for r in body} == {"2021", "2022"}
    # a value of the page's table is in the CSV (German CSV: the page's decimal comma)
    de_text = client.get(csv_url.replace("format=csv", "format=csv-de")).data.decode("utf-8-sig")
    first = re.search(r'<td class="num">([0-9.,]+)', html).group(1)  # 1st Kommune, 1st year
    line = next(x for x in de_text.splitlines() if x.lstrip('"').startswith(kommunen[0]))
    assert f";{first};" in line or f';"{first}";' in line, (first, line)
    meta = client.get(_link(html, "format=json")).get_json()["metadata"]
    assert permalink in meta["citation"]["de"] and permalink in meta["citation"]["en"]
    bib = parse_string(
        client.get(csv_url.replace("format=csv", "format=bib")).data.decode(), "bibtex"
    )
    (entry,) = bib.entries.values()
    assert entry.fields["url"] == permalink
    # the image carries the citation
    svg = _html(client.get(_link(html, "jahre.svg")))
    assert "abgerufen am" in svg and "stand=" + stand.group(1) in svg


def test_a_territory_map_cites_itself_pinned_in_every_export(client):
    html = _html(client.get(TERRITORY))
    permalink = _permalink(html)
    stand = re.search(r"[?&]stand=([0-9.]+)", permalink).group(1)
    assert "gebiet=03" in permalink and "ebene=kreis" in permalink
    pinned = _html(client.get(_path(permalink)))
    assert "Zitierter Datenstand" in pinned
    # the year links (repainted in place) and the image keep the pin; the form does not:
    # another indicator or territory is a live view
    years = re.findall(r'<a href="([^"]*)" data-year', pinned)
    assert years and all(f"stand={stand}" in y for y in years)
    assert f"stand={stand}" in _link(pinned, "karte.svg")
    assert 'name="stand"' not in pinned
    # the repaint of a pinned map carries the pinned note and citation; a live one none
    farben = client.get(_path(permalink).replace("/karte?", "/karte/farben?")).get_json()
    assert "Zitierter Datenstand" in farben["legend"] and f"stand={stand}" in farben["url"]
    live = client.get(TERRITORY.replace("/karte?", "/karte/farben?")).get_json()
    assert "Zitierter Datenstand" not in live["legend"]
    # the CSV: citation lines, every Kreis of the table, the Land's own value last
    rows = _csv(client.get(_link(html, "format=csv")).data)
    blank = rows.index([])
    assert any(h[0].startswith("Zitieren: ") and permalink in h[0] for h in rows[:blank])
    body = rows[blank + 2 :]
    page_rows = re.findall(r"<td>(\d{5})</td>", html)
    assert page_rows and [r[2] for r in body[: len(page_rows)]] == page_rows
    assert body[-1][2] == "03"
    # the embed offers the same pinned view; the image carries the citation
    embed = _html(client.get(_path(permalink).replace("/karte?", "/embed/karte?")))
    assert "Zitierter Datenstand" in embed and _permalink(embed) == permalink
    svg = _html(client.get(_link(pinned, "karte.svg")))
    assert "abgerufen am" in svg and f"stand={stand}" in svg


def test_the_english_profile_cites_in_english_and_stays_english(client):
    html = _html(client.get(PROFILE + "?lang=en"))
    permalink = _permalink(html)
    assert "lang=en" in permalink and "stand=" in permalink
    assert "Cite" in html and _html(client.get(_path(permalink))).count('lang="en"') >= 1


def _notes_csv(tmp_path) -> str:
    path = tmp_path / "notizen.csv"
    path.write_text(
        "ags,indikator,thema,jahr_von,jahr_bis,kategorie,text_de,text_en,quelle\n"
        f"{HANNOVER},bev_insgesamt,,2015,,einrichtung,{NOTE},New day-care centre,"
        "https://www.hannover.de\n",
        encoding="utf-8",
    )
    return str(path)


# The pinned families: live URL, the exports their page links (pattern of the link). XLSX is
# not compared byte by byte: the file records when it was written.
FAMILIES = {
    PROFILE: ("format=csv", "format=json", "format=bib", "einordnung.svg"),
    COMPARISON: ("format=csv", "format=json", "format=csl-json"),
    AREA: ("format=csv", "format=json", "format=bib"),
    SCATTER: ("format=csv", "format=json", "streuung.svg"),
    MULTIPLES: ("format=csv", "format=json", "format=bib", "jahre.svg"),
    TERRITORY: ("format=csv", "format=json", "format=csl-json", "karte.svg", "/embed/karte"),
}


def test_pinned_pages_keep_every_part_after_a_new_release(fresh_app, tmp_path):
    client = fresh_app.test_client()
    captured = {}
    for url, exports in FAMILIES.items():
        live_before = _html(client.get(url))
        path = _path(_permalink(live_before))
        page = client.get(path)
        assert page.status_code == 200, path
        html = _html(page)
        assert "Zitierter Datenstand" in html and "Das sind auch die aktuellen Daten" in html
        files = {}
        for pattern in exports:
            link = _link(html, pattern)
            assert "stand=" in link, link
            files[link] = client.get(link).data
        captured[url] = (live_before, path, html, files)

    # A new release changes what every part of the pages reads: Hannover's headline values
    # (rows, benchmarks, spines, group medians, trends, the comparison's difference), its
    # Zensus population (header), the Sozialindex's indicator in both its years, a structural
    # variable of the similar Kommunen, another Kommune's value (ranks); and a new public note.
    korrektur = tmp_path / "korrektur.csv"
    korrektur.write_text(
        "ags,indicator,year,value\n"
        f"{HANNOVER},bev_zensus22,2022,999999\n"
        f"{HANNOVER},sgb2_u15_quote_inkar,2021,5.0\n"
        f"{HANNOVER},sgb2_u15_quote_inkar,2022,60.0\n"
        f"{HANNOVER},bev_anteil_u18,2022,40.0\n"
        f"{OTHER},sgb2_u15_quote_inkar,2022,1.0\n"
        f"{HANNOVER},svb_quote,2015,77.7\n"
        "03254,bev_zensus22,2022,123456\n"
    )
    result = invoke(fresh_app, "load-release", str(korrektur), "--label", "korrektur-2026")
    assert result.exit_code == 0, result.output
    result = invoke(fresh_app, "notes-import", "notizen-2026", _notes_csv(tmp_path), "--new-draft")
    assert result.exit_code == 0, result.output
    assert invoke(fresh_app, "publish", "notizen-2026").exit_code == 0

    for url, (live_before, path, html, files) in captured.items():
        live = _html(client.get(url))
        assert live != live_before, url  # the live page shows the new data
        after = client.get(path)
        assert after.status_code == 200
        page_after = _html(after)
        # kept for a look at a difference (pytest keeps the last runs' tmp_path)
        name = re.sub(r"\W+", "_", url)
        (tmp_path / f"{name}.before.html").write_text(_main(html), encoding="utf-8")
        (tmp_path / f"{name}.after.html").write_text(_main(page_after), encoding="utf-8")
        assert _main(page_after) == _main(html), url  # every part byte-identical
        assert NOTE not in page_after
        for link, body in files.items():
            again = client.get(link).data
            if "/embed/" in link:  # the pinned embed: its own note says that newer data exist
                again, body = (
                    re.sub(rb'<p class="pinned-note" role="note">.*?</p>', b"", x, flags=re.S)
                    for x in (again, body)
                )
            if ".svg" in link:  # the scatter plot's image numbers its ids per process too
                again, body = (_ids(x.decode("utf-8")).encode("utf-8") for x in (again, body))
            assert again == body, link
        # the pinned page says that newer data exist and links to the live one
        current = re.search(r'<strong>Es gibt neuere Daten.</strong> <a href="([^"]+)"', page_after)
        assert current and "stand=" not in current.group(1), url
        assert _main(_html(client.get(current.group(1).replace("&amp;", "&")))) == _main(live)
        # the live page's permalink now pins the new releases too
        assert _permalink(live) != _permalink(live_before)
    for url, new in (
        (PROFILE, "999.999"),
        (PROFILE, NOTE),
        (COMPARISON, NOTE),
        (AREA, "123.456"),
        (SCATTER, "77,7"),
        (MULTIPLES, "60,0"),
        (TERRITORY, "123.456"),
        (TERRITORY.replace("/karte?", "/embed/karte?"), "123.456"),
    ):
        assert new in _html(client.get(url)), url
        pinned_path = (
            captured[url][1]
            if url in captured
            else captured[TERRITORY][1].replace("/karte?", "/embed/karte?")
        )
        assert new not in _html(client.get(pinned_path)), url


@pytest.mark.parametrize(
    ("stand", "status", "words"),
    [("abc", 400, "stand"), ("2.1", 400, "aufsteigend"), ("99999", 404, "99999")],
)
def test_hostile_or_unknown_pins_of_a_profile_are_refused(client, stand, status, words):
    for url in (
        PROFILE,
        f"{PROFILE}/einordnung.svg",
        COMPARISON,
        AREA,
        SCATTER,
        MULTIPLES,
        MULTIPLES.replace("/jahre?", "/jahre.svg?"),
        MULTIPLES.replace("/jahre?", "/jahre/daten?"),
        TERRITORY,
        TERRITORY.replace("/karte?", "/embed/karte?"),
        TERRITORY.replace("/karte?", "/karte.svg?"),
        TERRITORY.replace("/karte?", "/karte/daten?"),
        TERRITORY.replace("/karte?", "/karte/farben?"),
    ):
        url += "&" if "?" in url else "?"
        r = client.get(f"{url}stand={stand}")
        assert r.status_code == status, url
        assert words in _html(r)


def test_a_pin_and_a_named_release_exclude_each_other(client):
    for url in (PROFILE, COMPARISON, SCATTER, MULTIPLES, TERRITORY):
        stand = re.search(r"stand=([0-9.]+)", _permalink(_html(client.get(url)))).group(1)
        sep = "&" if "?" in url else "?"
        assert client.get(f"{url}{sep}stand={stand}&release=1").status_code == 400, url
