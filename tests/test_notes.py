"""Kontextnotizen (issue #31, part 1): drafted and published with a release, shown where the number
is (profile row, time-series point, map tooltip, downloads, API), plain text everywhere."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from indicators import notes
from tests.conftest import editor_site, invoke
from tests.test_editor import login

HANNOVER = "03241001"
NOTE_DE = "Erstaufnahmeeinrichtung am Standort Oldenburger Allee eröffnet"
NOTE_EN = "Initial reception centre opened"
SOURCE = "https://www.hannover.de/fluechtlinge"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> =HYPERLINK("http://evil")'


@pytest.fixture(scope="module")
def site(loaded_template):
    """Its own copy of the loaded database with one editor (the tests below change data)."""
    yield from editor_site(loaded_template)


def engine(site):
    return site.extensions["sozmon_engine"]


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def editor_client(site):
    client = site.test_client()
    assert login(client).status_code == 302
    return client


def add_form(client, release_id: int, **fields) -> object:
    page = client.get(f"/redaktion/release/{release_id}").get_data(as_text=True)
    data = {
        "ags": HANNOVER,
        "indicator_id": "i:bev_insgesamt",
        "year_from": "2015",
        "year_to": "",
        "category": "einrichtung",
        "text_de": NOTE_DE,
        "text_en": NOTE_EN,
        "source_url": SOURCE,
        "csrf_token": csrf(page),
        **fields,
    }
    return client.post(f"/redaktion/release/{release_id}/notizen", data=data)


def release_id(site, label: str) -> int:
    with engine(site).connect() as c:
        return c.scalar(text("SELECT id FROM release WHERE label = :l"), {"l": label})


def test_check_refuses_what_a_public_note_must_not_be(site):
    base = notes.NoteInput(HANNOVER, "bev_insgesamt", None, 2015, None, "einrichtung", NOTE_DE)
    with engine(site).connect() as c:
        ok = notes.check_note(c, base)
        assert (ok.year_to, ok.text_de) == (2015, NOTE_DE)
        # control characters and line breaks become one plain line
        assert (
            notes.check_note(
                c, base.__class__(**{**vars(base), "text_de": "a\nb\x00\u200bc"})
            ).text_de
            == "a bc"
        )
        for change, field in (
            ({"source_url": "javascript:alert(1)"}, "source_url"),
            ({"source_url": "data:text/html,<b>x</b>"}, "source_url"),
            ({"source_url": "https://x.example/" + "a" * 500}, "source_url"),
            ({"text_de": "x" * 501}, "text_de"),
            ({"text_de": "  "}, "text_de"),
            ({"text_en": "y" * 501}, "text_en"),
            ({"category": "sonstiges"}, "category"),
            ({"ags": "99999999"}, "ags"),
            ({"indicator_id": "gibt_es_nicht"}, "indicator_id"),
            ({"topic_id": "bevoelkerung"}, "indicator_id"),  # both: one or the other
            ({"year_from": 2016, "year_to": 2015}, "year_from"),
            ({"year_from": None}, "year_from"),
        ):
            with pytest.raises(notes.NoteError) as err:
                notes.check_note(c, notes.NoteInput(**{**vars(base), **change}))
            assert err.value.field == field, change
            assert err.value.status == 422


def test_the_table_refuses_a_script_link_even_past_the_checks(site):
    with engine(site).connect() as c:
        draft = notes.create_notes_draft(c, "constraint-probe", "test")
        for url in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "https://a b"):
            with pytest.raises(IntegrityError):
                with c.begin_nested():
                    c.execute(
                        text(
                            "INSERT INTO context_note (release_id, ags, indicator_id, year_from,"
                            " year_to, category, text_de, source_url)"
                            " VALUES (:r, :a, 'bev_insgesamt', 2015, 2015, 'ereignis', 'x', :u)"
                        ),
                        {"r": draft, "a": HANNOVER, "u": url},
                    )
        c.rollback()


def test_a_note_is_public_only_while_its_release_is_published(site):
    client = editor_client(site)
    page = client.get("/redaktion/").get_data(as_text=True)
    r = client.post(
        "/redaktion/notizen/entwurf", data={"label": "notizen-2025-1", "csrf_token": csrf(page)}
    )
    assert r.status_code == 302
    rid = release_id(site, "notizen-2025-1")
    # refused: shown again with the reason, the form keeps what was typed, nothing stored
    bad = add_form(client, rid, source_url="javascript:alert(1)")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "http:// oder https://" in html and NOTE_DE in html
    assert add_form(client, rid).status_code == 302
    listed = client.get(f"/redaktion/release/{rid}").get_data(as_text=True)
    assert NOTE_DE in listed and "Oldenburger" in listed
    # a draft's note is not public
    anon = site.test_client()
    assert NOTE_DE not in anon.get(f"/kommune/{HANNOVER}").get_data(as_text=True)
    page = client.get(f"/redaktion/release/{rid}").get_data(as_text=True)
    assert (
        client.post(
            f"/redaktion/release/{rid}/veroeffentlichen", data={"csrf_token": csrf(page)}
        ).status_code
        == 302
    )
    assert NOTE_DE in anon.get(f"/kommune/{HANNOVER}").get_data(as_text=True)
    # the audit log has the note and the publish
    with engine(site).connect() as c:
        actions = list(
            c.scalars(
                text("SELECT action FROM audit_log WHERE release_label = :l ORDER BY id"),
                {"l": "notizen-2025-1"},
            )
        )
    assert actions == ["import", "note_add", "publish"]
    # a published release's notes cannot be changed (withdraw it instead)
    nid = int(re.search(r'id="notiz-(\d+)"', listed).group(1))
    page = client.get(f"/redaktion/release/{rid}").get_data(as_text=True)
    gone = client.post(
        f"/redaktion/release/{rid}/notizen/{nid}/loeschen", data={"csrf_token": csrf(page)}
    )
    assert gone.status_code == 302
    assert NOTE_DE in anon.get(f"/kommune/{HANNOVER}").get_data(as_text=True)
    # rollback: gone from every page; published again: back
    assert invoke(site, "rollback", "notizen-2025-1", "--force").exit_code == 0
    assert NOTE_DE not in anon.get(f"/kommune/{HANNOVER}").get_data(as_text=True)
    api = anon.get(f"/api/v1/values?indikator=bev_insgesamt&ags={HANNOVER}&jahr=2015").get_json()
    assert api["data"][0]["notes"] == []
    assert invoke(site, "publish", "notizen-2025-1").exit_code == 0


def test_the_note_is_shown_where_the_number_is(site):
    """The issue's test: Hannover's bev_insgesamt 2015, published above."""
    anon = site.test_client()
    # the profile row of the indicator
    html = anon.get(f"/kommune/{HANNOVER}").get_data(as_text=True)
    row = re.search(r'<tr id="row-bev_insgesamt".*?</tr>', html, re.S).group(0)
    assert NOTE_DE in row and "2015" in row and f'href="{SOURCE}"' in row
    assert "Einrichtung" in row
    other = re.search(r'<tr id="row-(?!bev_insgesamt)[a-z0-9_]+".*?</tr>', html, re.S).group(0)
    assert NOTE_DE not in other
    # English page: the English text, marked as such
    en = site.test_client().get(f"/kommune/{HANNOVER}?lang=en").get_data(as_text=True)
    assert f'<span lang="en">{NOTE_EN}</span>' in en
    # the time series: a marker on Hannover's 2015 point, its title the note; the list below
    ts = anon.get(f"/zeitreihe?indikator=bev_insgesamt&kommunen={HANNOVER}").get_data(as_text=True)
    markers = re.findall(r'<g class="chart-note" data-year="(\d+)"><title>([^<]*)</title>', ts)
    assert markers and {y for y, _t in markers} == {"2015"}
    assert all(t.startswith("Hannover") and NOTE_DE in t for _y, t in markers)
    assert 'id="ts-notes"' in ts and f'href="{SOURCE}"' in ts
    # without Hannover's line: no marker (the Region has no note)
    assert 'class="chart-note"' not in anon.get("/zeitreihe?indikator=bev_insgesamt").get_data(
        as_text=True
    )
    # the map of 2015: Hannover's tooltip and accessible name; 2017 and other areas: none
    areas = anon.get("/karte/teile?indikator=bev_insgesamt&jahr=2015").get_json()["areas"]
    assert NOTE_DE in areas[HANNOVER]["label"] and NOTE_DE in areas[HANNOVER]["aria"]
    assert not any(NOTE_DE in a["label"] for k, a in areas.items() if k != HANNOVER)
    later = anon.get("/karte/teile?indikator=bev_insgesamt&jahr=2017").get_json()["areas"]
    assert NOTE_DE not in later[HANNOVER]["label"]
    karte = anon.get("/karte?indikator=bev_insgesamt&jahr=2015").get_data(as_text=True)
    assert NOTE_DE in karte  # the map's data and its table
    # the comparison: the row names whose note it is; its CSV has the note in 2015's row
    cmp = anon.get(f"/vergleich/{HANNOVER}/03241002").get_data(as_text=True)
    cmp_row = re.search(r'<tr id="row-bev_insgesamt".*?</tr>', cmp, re.S).group(0)
    assert NOTE_DE in cmp_row and "Hannover" in cmp_row
    cmp_csv = anon.get(f"/vergleich/{HANNOVER}/03241002?format=csv").get_data(as_text=True)
    cmp_rows = list(csv.reader(io.StringIO(cmp_csv.lstrip("\ufeff"))))
    cmp_head = next(r for r in cmp_rows if "Kennzahl-ID" in r)
    col = cmp_head.index("Kontextnotizen")
    noted = [r for r in cmp_rows if len(r) > col and NOTE_DE in r[col]]
    assert [(r[2], r[4]) for r in noted] == [("bev_insgesamt", "2015")]
    # the API: a notes field on the 2015 row only
    api = anon.get(f"/api/v1/values?indikator=bev_insgesamt&ags={HANNOVER}").get_json()
    by_year = {r["year"]: r["notes"] for r in api["data"]}
    assert [n["text_de"] for n in by_year[2015]] == [NOTE_DE]
    assert by_year[2015][0] | {"id": 0} == {
        "id": 0,
        "release": "notizen-2025-1",
        "ags": HANNOVER,
        "indicator": "bev_insgesamt",
        "topic": None,
        "year_from": 2015,
        "year_to": 2015,
        "category": "einrichtung",
        "text_de": NOTE_DE,
        "text_en": NOTE_EN,
        "source_url": SOURCE,
    }
    assert all(v == [] for y, v in by_year.items() if y != 2015)
    # the API's CSV: a notes column, one cell
    body = anon.get(f"/api/v1/values?indikator=bev_insgesamt&ags={HANNOVER}&format=csv").get_data(
        as_text=True
    )
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    cells = {r["year"]: r["notes"] for r in rows}
    assert cells["2015"] == f"2015 Einrichtung: {NOTE_DE} ({SOURCE})"
    assert cells["2017"] == ""
    # the profile's CSV: a column with the row's notes
    prof = anon.get(f"/kommune/{HANNOVER}?format=csv").get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(prof.lstrip("\ufeff"))))
    header = next(r for r in lines if "Kennzahl-ID" in r)
    bev = next(r for r in lines if len(r) > 2 and r[2] == "bev_insgesamt")
    assert NOTE_DE in bev[header.index("Kontextnotizen")]
    # the time series' CSV: the note in its year's row
    ts_csv = anon.get(
        f"/zeitreihe?indikator=bev_insgesamt&kommunen={HANNOVER}&format=csv"
    ).get_data(as_text=True)
    ts_rows = list(csv.reader(io.StringIO(ts_csv.lstrip("\ufeff"))))
    head = next(r for r in ts_rows if r and r[0] == "Jahr")
    y2015 = next(r for r in ts_rows if r and r[0] == "2015")
    assert NOTE_DE in y2015[head.index("Kontextnotizen")]


def test_the_note_in_the_ranking_and_the_images(site):
    """Hannover's 2015 note (published above) in the ranking's row and its CSV, and as a
    footnote line of the map's and the time series' SVG and PNG; not in other years."""
    anon = site.test_client()
    html = anon.get("/rangfolge?indikator=bev_insgesamt&jahr=2015").get_data(as_text=True)
    row = re.search(rf'<tr data-ags="{HANNOVER}".*?</tr>', html, re.S).group(0)
    assert NOTE_DE in row and f'href="{SOURCE}"' in row
    others = re.findall(r'<tr data-ags="(?!03241001)\d+".*?</tr>', html, re.S)
    assert others and not any(NOTE_DE in r for r in others)
    later = anon.get("/rangfolge?indikator=bev_insgesamt&jahr=2017").get_data(as_text=True)
    assert NOTE_DE not in later
    english = site.test_client()  # (?lang=en sets a cookie: a client of its own)
    en = english.get("/rangfolge?indikator=bev_insgesamt&jahr=2015&lang=en").get_data(as_text=True)
    assert f'<span lang="en">{NOTE_EN}</span>' in en
    body = anon.get("/rangfolge?indikator=bev_insgesamt&jahr=2015&format=csv").get_data(
        as_text=True
    )
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    head = next(r for r in rows if "AGS" in r)
    col = head.index("Kontextnotizen")
    noted = [r for r in rows if len(r) > col and NOTE_DE in r[col]]
    assert [r[head.index("AGS")] for r in noted] == [HANNOVER]
    # no notes that year: no column (the download stays as it was)
    body = anon.get("/rangfolge?indikator=bev_insgesamt&jahr=2017&format=csv").get_data(
        as_text=True
    )
    assert "Kontextnotizen" not in body

    footnote = f"Hannover – Notiz 2015 (Einrichtung): {NOTE_DE} ({SOURCE})"
    svg = anon.get("/karte.svg?indikator=bev_insgesamt&jahr=2015").get_data(as_text=True)
    assert svg.count(footnote) == 2  # drawn once, and in <desc>
    assert NOTE_DE not in anon.get("/karte.svg?indikator=bev_insgesamt&jahr=2017").get_data(
        as_text=True
    )
    en_svg = english.get("/karte.svg?indikator=bev_insgesamt&jahr=2015&lang=en").get_data(
        as_text=True
    )
    assert f"Hannover – Note 2015 (Facility): {NOTE_EN}" in en_svg
    ts = f"/zeitreihe.svg?indikator=bev_insgesamt&kommunen={HANNOVER}"
    assert anon.get(ts).get_data(as_text=True).count(footnote) == 2
    assert NOTE_DE not in anon.get("/zeitreihe.svg?indikator=bev_insgesamt").get_data(as_text=True)
    png = anon.get(ts.replace(".svg", ".png"))
    assert png.status_code == 200 and png.mimetype == "image/png"


def test_a_hostile_note_renders_inert(site, tmp_path):
    """Script tags are text on every page; a script link is refused before it is stored."""
    csv_text = (
        "ags,indikator,jahr_von,kategorie,text_de,quelle\n"
        f'{HANNOVER},bev_insgesamt,2014,ereignis,"{HOSTILE.replace(chr(34), chr(34) * 2)}",https://ok.example/?a=<b>\n'
    )
    path = str(tmp_path / "hostile.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(csv_text)
    refused = str(tmp_path / "refused.csv")
    with open(refused, "w", encoding="utf-8") as f:
        f.write(csv_text.replace("https://ok.example/?a=<b>", "javascript:alert(1)"))
    bad = invoke(site, "notes-import", "feindlich", refused, "--new-draft")
    assert bad.exit_code == 1 and "Zeile 2" in bad.output and "http://" in bad.output
    assert release_id(site, "feindlich") is None  # all or nothing: not even the draft
    ok = invoke(site, "notes-import", "feindlich", path, "--new-draft")
    assert ok.exit_code == 0, ok.output
    assert invoke(site, "publish", "feindlich").exit_code == 0
    anon = site.test_client()
    for url in (
        f"/kommune/{HANNOVER}",
        f"/zeitreihe?indikator=bev_insgesamt&kommunen={HANNOVER}",
        "/karte?indikator=bev_insgesamt&jahr=2014",
    ):
        html = anon.get(url).get_data(as_text=True)
        assert '<script>alert("x")' not in html and "<img src=x" not in html, url
        assert "onerror=alert(1)>" not in html.replace("&gt;", "!"), url
        assert ("&lt;script&gt;" in html) or ("\\u003cscript\\u003e" in html), url
        assert 'href="https://ok.example/?a=&lt;b&gt;"' in html or "\\u003cb" in html, url
    # the map's tooltip is text for the map script (textNode), escaped for the page's <script>
    parts = anon.get("/karte/teile?indikator=bev_insgesamt&jahr=2014").get_json()
    assert "<script>" in parts["areas"][HANNOVER]["label"]  # JSON: the text as it is
    # the API: plain text as stored; CSV: a cell a spreadsheet does not run
    api = anon.get(f"/api/v1/values?indikator=bev_insgesamt&ags={HANNOVER}&jahr=2014").get_json()
    assert api["data"][0]["notes"][0]["text_de"] == HOSTILE
    formula = invoke(site, "notes-import", "formel", path, "--new-draft")
    assert formula.exit_code == 0
    with engine(site).begin() as c:
        c.execute(
            text("UPDATE context_note SET text_de = '=HYPERLINK(1)' WHERE release_id = :r"),
            {"r": release_id(site, "formel")},
        )
    assert invoke(site, "publish", "formel").exit_code == 0
    body = anon.get(
        f"/api/v1/values?indikator=bev_insgesamt&ags={HANNOVER}&jahr=2014&format=csv"
    ).get_data(as_text=True)
    cell = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))[0]["notes"]
    assert not cell.startswith(("=", "+", "-", "@"))
    assert json.dumps(api)  # the answer is valid JSON with the hostile text inside


def test_notes_csv_and_listing_on_the_command_line(site, tmp_path):
    path = str(tmp_path / "topic.csv")
    with engine(site).connect() as c:
        topic = c.scalar(text("SELECT topic_id FROM indicator WHERE id = 'bev_insgesamt'"))
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            "ags;thema;jahr_von;jahr_bis;kategorie;text_de\n"
            f"{HANNOVER};{topic};2017;2022;Gebietsänderung;Grenze geändert\n"
        )
    assert invoke(site, "notes-import", "thema-2025", path, "--new-draft").exit_code == 0
    listed = invoke(site, "notes", "thema-2025")
    assert (
        listed.exit_code == 0
        and "Grenze geändert" in listed.output
        and "2017–2022" in listed.output
    )
    assert invoke(site, "publish", "thema-2025").exit_code == 0
    api = (
        site.test_client()
        .get(f"/api/v1/values?indikator=bev_insgesamt&ags={HANNOVER}&jahr=2015,2017,2022,2023")
        .get_json()
    )
    by_year = {r["year"]: [n["text_de"] for n in r["notes"]] for r in api["data"]}
    assert by_year[2017] == ["Grenze geändert"] and by_year[2022] == ["Grenze geändert"]
    assert "Grenze geändert" not in by_year[2023] and "Grenze geändert" not in by_year[2015]


def test_fokusbericht_directive_lists_the_notes_live_and_pinned(site):
    from app.berichte.render import render

    body = "Vorab.\n\n{{notizen gebiet=03241001 indikator=bev_insgesamt von=2014 bis=2015}}\n"
    with site.test_request_context("/"), engine(site).connect() as c:
        live = render(c, body, None)
        assert live.errors == []
        html = str(live.html)
        assert NOTE_DE in html and f'href="{SOURCE}"' in html
        assert "&lt;script&gt;" in html and "<script" not in html  # the hostile note, inert
        pinned = str(render(c, body, [release_id(site, "notizen-2025-1")]).html)
        assert NOTE_DE in pinned and "&lt;script&gt;" not in pinned  # only the pinned release's
        assert "Keine Kontextnotizen." in str(render(c, body, [1]).html)  # a data release
        bad = render(c, "{{notizen gebiet=99999999}}", None)
        assert bad.errors and "Unbekanntes Gebiet" in bad.errors[0][2]
