"""Fokusberichte on a real PostGIS: rendering, errors in place, sanitising, pinning, editors."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from sqlalchemy import text

from app.api import openapi
from app.berichte.render import render
from app.berichte.values import published_release_ids
from app.cli.reports import EXAMPLE
from geodata import attribution
from tests.conftest import invoke
from tests.test_editor import PASSWORD, login, token

SLUG = EXAMPLE["slug"]
URL = f"/berichte/{SLUG}"


def rendered(app, body: str, ids="published", compare=None):
    """Render a body in a German request context on the app's database."""
    with app.test_request_context("/"), app.extensions["sozmon_engine"].connect() as c:
        pinned = published_release_ids(c) if ids == "published" else ids
        return render(c, body, pinned, compare)


def test_shown_value_in_is_the_views_rule_on_the_published_releases(conn):
    ids = published_release_ids(conn)
    for a, b in (("shown_value", "shown_value_in(:ids)"), ("shown_value_in(:ids)", "shown_value")):
        diff = conn.scalar(
            text(f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT SELECT * FROM {b}) x"),
            {"ids": ids},
        )
        assert diff == 0
    # Restricted to one release, it is that release's values only.
    zensus = conn.scalar(text("SELECT id FROM release WHERE label = 'zensus-2022'"))
    labels = set(
        conn.scalars(text("SELECT DISTINCT release_label FROM shown_value_in(:i)"), {"i": [zensus]})
    )
    assert labels == {"zensus-2022"}


def test_numbers_are_german_with_unit_and_change(app):
    out = rendered(
        app,
        (
            "A {{zahl indikator=bev_insgesamt gebiet=03241 jahr=2015}} B"
            " {{zahl indikator=mindestsicherung_quote gebiet=03241 jahr=2015}} C"
            " {{veraenderung indikator=mindestsicherung_quote gebiet=03241 von=2011 bis=2015}} D"
            " {{veraenderung indikator=bev_insgesamt gebiet=03241 von=2011 bis=2015}} E"
            " {{veraenderung indikator=bev_insgesamt gebiet=03241 von=2011 bis=2015 art=prozent}}"
        ),
    )
    html = str(out.html)
    assert not out.errors and not out.synthetic
    nums = re.findall(r'<span class="zahl">([^<]*)</span>', html)
    with app.extensions["sozmon_engine"].connect() as c:

        def v(ind: str, year: int) -> float:
            return c.scalar(
                text(
                    "SELECT value FROM shown_value WHERE indicator_id = :i AND ags = '03241'"
                    " AND year = :y"
                ),
                {"i": ind, "y": year},
            )

        m11, m15 = v("mindestsicherung_quote", 2011), v("mindestsicherung_quote", 2015)
        p11, p15 = v("bev_insgesamt", 2011), v("bev_insgesamt", 2015)

    def de(x: float, fmt: str) -> str:
        return format(x, fmt).replace(",", "_").replace(".", ",").replace("_", ".")

    # Regionaldatenbank: 1,144,481 inhabitants (2015); Mindestsicherungsquote 13.10 % (2015);
    # changes from 2011, the first year on the Zensus 2011 basis (a break at 2011).
    assert nums == [
        "1.144.481",
        "13,1 %",
        de(m15 - m11, "+,.1f") + " Pp.",
        de(p15 - p11, "+,.0f"),
        de((p15 / p11 - 1) * 100, "+,.1f") + " %",
    ]
    across = rendered(
        app, "{{veraenderung indikator=bev_insgesamt gebiet=03241 von=2010 bis=2015}}"
    )
    assert "Zeitreihenbruch 2011" in str(across.html)  # never a number across the break
    assert out.labels == {"regionalstatistik-2017"}
    with app.test_request_context("/?lang=en"), app.extensions["sozmon_engine"].connect() as c:
        en = str(render(c, "{{zahl indikator=bev_insgesamt gebiet=03241 jahr=2015}}", None).html)
    # The author's sentence is German: its number stays German on the English page (issue #29).
    assert "1.144.481" in en and "1,144,481" not in en


def test_figures_have_their_data_tables_and_sources(app):
    out = rendered(
        app,
        (
            "{{karte indikator=bev_dichte jahr=2015}}\n\n"
            "{{zeitreihe indikator=mindestsicherung_quote gebiete=03241,03241001 von=2010 bis=2015}}\n\n"
            "{{vergleich indikatoren=sgb2_quote,mindestsicherung_quote gebiete=03241001,03241,03,DG jahr=2015}}\n\n"
            "{{rangfolge indikator=mindestsicherung_quote jahr=2015 ebene=kreis land=03}}"
        ),
    )
    html = str(out.html)
    assert not out.errors, out.errors
    figures = html.split('<figure class="bericht-figur')[1:]
    assert len(figures) == 4
    karte, reihe, vergleich, rang = figures
    assert karte.count("<path d=") == 22  # 21 Kommunen + the Region's outline
    assert karte.count('<tr><th scope="row">') == 21 and "Region Hannover" in karte
    assert attribution.BOUNDARIES in karte and "Tabelle 12411-01-01-5-B" in karte
    assert "<svg" in reihe and reihe.count('<tr><th scope="row">20') == 6  # 2010–2015
    assert "Beispieldaten" not in reihe  # only real values in 2010–2015
    assert vergleich.count('<tr><th scope="row">') == 4 and "Deutschland" in vergleich
    # The 45 Kreise of Niedersachsen including the Region Hannover (level 'region'), except
    # the Landkreis Göttingen in its borders of 2016, which has no value for 2015.
    assert rang.count("<tr") == 44 + 1 and 'class="region"' in rang and "Göttingen" not in rang
    assert "<p>" not in html.replace("<p class=", "")  # block directives replace their paragraph


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        (
            "{{zahl indikator=gibts_nicht gebiet=03241 jahr=2015}}",
            "Unbekannter Indikator 'gibts_nicht'",
        ),
        (
            "{{zahl indikator=bev_insgesamt gebiet=03241999 jahr=2015}}",
            "Unbekanntes Gebiet 03241999",
        ),
        ("{{zahl indikator=bev_insgesamt gebiet=03241 jahr=1999}}", "kein Wert für 1999"),
        ("{{karte indikator=sgb2_quote jahr=2001}}", "kein Wert für 2001"),
        ("{{zeitreihe indikator=bev_insgesamt gebiete=03241,99999}}", "Unbekanntes Gebiet 99999"),
        (
            "{{vergleich indikatoren=sgb2_quote,nix gebiete=03241 jahr=2015}}",
            "Unbekannter Indikator 'nix'",
        ),
        ("{{zahl indikator=bev_insgesamt gebiet=03241 jahr=2015", "nicht mit }} geschlossen"),
        ("{{diagramm indikator=bev_insgesamt}}", "Unbekannte Direktive"),
    ],
)
def test_bad_directives_show_an_error_at_their_place(app, directive, message):
    out = rendered(app, f"Davor.\n\n{directive}\n\nDahinter.")
    assert len(out.errors) == 1 and message in out.errors[0][2], out.errors
    html = str(out.html)
    before, error, after = html.index("Davor"), html.index('id="fehler-1"'), html.index("Dahinter")
    assert before < error < after and message.split("'")[0] in html


def test_a_block_directive_inside_a_sentence_is_an_error(app):
    out = rendered(app, "Siehe {{karte indikator=bev_dichte jahr=2015}} hier.")
    assert out.errors and "allein in einem Absatz" in out.errors[0][2]
    assert '<span class="direktive-fehler"' in str(out.html)  # no block inside a paragraph


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">klick</a>',
    "[klick](javascript:alert(1))",
    "[klick](JaVaScRiPt:alert(1))",
    "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![bild](https://example.org/x.png)",
    "<iframe src=https://example.org></iframe>",
    "<svg onload=alert(1)><circle/></svg>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    "<style>body{display:none}</style>",
    "<object data=x></object><embed src=x>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<form action=https://example.org><input name=x></form>",
    '<details open ontoggle="alert(1)">x</details>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<p onmouseover=alert(1)>x</p>",
    "<meta http-equiv=refresh content=0;url=https://example.org>",
]


@pytest.mark.parametrize("payload", XSS)
def test_html_and_script_in_the_text_are_removed(app, payload):
    html = str(rendered(app, f"Text {payload} Ende\n\n{payload}").html).lower()
    tags = re.findall(r"<[a-z][^>]*>", html)
    assert {re.match(r"<([a-z0-9]+)", t).group(1) for t in tags} <= {"p", "a"}, tags
    attributes = " ".join(tags)
    for bad in ("javascript:", "data:", "on", "style=", "src="):
        assert not re.search(rf"\s{bad}|[\"=]{bad}", attributes), (bad, tags)
    assert "Text".lower() in html and "ende" in html  # the text around it stays


def test_directive_parameters_are_escaped(app):
    out = rendered(app, '{{karte indikator=bev_dichte jahr=2015 titel="<script>x</script>"}}')
    html = str(out.html)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_example_report_is_published_by_load_all(client):
    listing = client.get("/berichte").get_data(as_text=True)
    assert EXAMPLE["title"] in listing and "Mindestsicherung" in listing
    page = client.get(URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Datenstand" in html and "regionalstatistik-2017" in html
    assert "direktive-fehler" not in html and "badge-synthetic" not in html
    assert "mit aktuellen Daten ansehen" in html and f"{URL}.pdf" in html
    assert '<span class="zahl">1.144.481</span>' in html
    assert attribution.BOUNDARIES in html and attribution.STATISTICAL_OFFICES in html
    again = invoke(client.application, "load-example-report")
    assert again.exit_code == 0 and "schon geladen" in again.output


def test_every_number_of_the_example_comes_from_a_directive():
    from app.cli.reports import EXAMPLE_BODY

    prose = re.sub(r"\{\{.*?\}\}", "", EXAMPLE_BODY.read_text(encoding="utf-8"), flags=re.S)
    # Years name the period; any other figure would be typed in.
    assert not [
        n for n in re.findall(r"\d+(?:[.,]\d+)*", prose) if not re.fullmatch(r"20[01]\d", n)
    ]


def test_unknown_report_and_version_are_404(client):
    assert client.get("/berichte/gibt-es-nicht").status_code == 404
    assert client.get(f"{URL}?version=99").status_code == 404


def test_api_lists_reports_as_documented(client):
    r = client.get("/api/v1/berichte")
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    body = r.get_json()
    with client.application.app_context():  # titled after the app's home region
        doc = openapi.document()
    schema = {**doc["components"]["schemas"]["ReportList"], "components": doc["components"]}
    jsonschema.validate(body, schema)
    (item,) = [x for x in body["data"] if x["slug"] == SLUG]
    assert item["title"] == EXAMPLE["title"] and item["url"].endswith(URL)
    assert item["release_ids"] and "{{zahl" in item["markdown"]
    assert body["licence"]["id"] == attribution.LICENCE
    assert any(attribution.BOUNDARIES in a for a in body["attribution"])
    assert client.get("/api/v1/berichte?thema=wohnen").get_json()["count"] == 0
    assert client.get("/api/v1/berichte?thema=mindestsicherung").get_json()["count"] >= 1
    bad = client.get("/api/v1/berichte?sortierung=neu")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    one = client.get(f"/api/v1/berichte/{SLUG}")
    assert one.status_code == 200 and one.get_json()["data"][0]["slug"] == SLUG
    again = client.get("/api/v1/berichte", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and r.headers["Cache-Control"].startswith("public")
    missing = client.get("/api/v1/berichte/gibt-es-nicht")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_atom_feed_lists_new_reports(client):
    r = client.get("/berichte/feed.atom")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(r.data)
    entries = root.findall("a:entry", ns)
    titles = [e.find("a:title", ns).text for e in entries]
    assert EXAMPLE["title"] in titles
    link = entries[titles.index(EXAMPLE["title"])].find("a:link", ns).get("href")
    assert link.endswith(URL) and root.find("a:updated", ns).text


@pytest.fixture
def site(fresh_app):
    """A fresh database with one editor."""
    assert invoke(fresh_app, "editor-add", "redaktion", "--password", PASSWORD).exit_code == 0
    return fresh_app


def _count(app, sql: str) -> int:
    with app.extensions["sozmon_engine"].connect() as c:
        return c.scalar(text(sql))


FORM = {
    "slug": "test-bericht",
    "topic_id": "bevoelkerung",
    "title": "Testbericht",
    "summary": "Kurz.",
    "body": "Es sind {{zahl indikator=bev_insgesamt gebiet=03241 jahr=2015}}.",
}


def test_only_editors_write_and_every_post_needs_the_csrf_token(site):
    anon = site.test_client()
    assert anon.get("/redaktion/berichte/").status_code == 302
    assert anon.get("/redaktion/berichte/neu").headers["Location"].startswith("/redaktion/anmelden")
    tok = token(anon)
    r = anon.post("/redaktion/berichte/neu", data={**FORM, "csrf_token": tok})
    assert r.status_code == 302 and "/redaktion/anmelden" in r.headers["Location"]
    assert (
        anon.post("/redaktion/berichte/1/veroeffentlichen", data={"csrf_token": tok}).status_code
        == 302
    )
    editor = site.test_client()
    login(editor)
    assert editor.post("/redaktion/berichte/neu", data=FORM).status_code == 400
    assert (
        editor.post("/redaktion/berichte/neu", data={**FORM, "csrf_token": "x"}).status_code == 400
    )
    assert _count(site, "SELECT count(*) FROM report WHERE slug = 'test-bericht'") == 0


def test_write_preview_publish_keeps_versions_and_logs(site):
    c = site.test_client()
    login(c)
    tok = token(c, "/redaktion/berichte/neu")
    bad = {
        **FORM,
        "body": "Fehler: {{zahl indikator=gibts_nicht gebiet=03241 jahr=2015}}",
        "csrf_token": tok,
    }
    r = c.post("/redaktion/berichte/neu", data=bad)
    assert r.status_code == 302
    edit_url = r.headers["Location"].split("#")[0]
    rid = int(edit_url.rstrip("/").rsplit("/", 1)[1])
    page = c.get(edit_url).get_data(as_text=True)
    assert "Unbekannter Indikator" in page and 'id="fehler-1"' in page and "disabled" in page
    r = c.post(f"/redaktion/berichte/{rid}/veroeffentlichen", data={"csrf_token": tok})
    assert "Nicht veröffentlicht" in c.get(edit_url).get_data(as_text=True)
    assert _count(site, "SELECT count(*) FROM report_version") == 1  # only the example
    assert c.get("/berichte/test-bericht").status_code == 404

    c.post(edit_url, data={**FORM, "csrf_token": tok})
    r = c.post(f"/redaktion/berichte/{rid}/veroeffentlichen", data={"csrf_token": tok})
    assert r.status_code == 302 and r.headers["Location"] == "/berichte/test-bericht"
    assert "1.144.481" in c.get("/berichte/test-bericht").get_data(as_text=True)
    c.post(edit_url, data={**FORM, "title": "Testbericht, zweite Fassung", "csrf_token": tok})
    c.post(f"/redaktion/berichte/{rid}/veroeffentlichen", data={"csrf_token": tok})
    newest = c.get("/berichte/test-bericht").get_data(as_text=True)
    first = c.get("/berichte/test-bericht?version=1").get_data(as_text=True)
    assert "zweite Fassung" in newest and "Version 2" in newest
    assert "zweite Fassung" not in first.split("<h1")[1].split("</h1>")[0]
    moved = c.post(edit_url, data={**FORM, "slug": "anders", "csrf_token": tok})
    assert moved.status_code == 422 and "bleibt" in moved.get_data(as_text=True)
    log = _count(
        site,
        "SELECT count(*) FROM audit_log WHERE action = 'report_publish'"
        " AND release_label = 'test-bericht'",
    )
    saves = _count(site, "SELECT count(*) FROM audit_log WHERE action = 'report_save'")
    assert log == 2 and saves == 3
    assert "Bericht veröffentlicht" in c.get("/redaktion/").get_data(as_text=True)


def test_a_report_stays_pinned_after_a_new_release_and_marks_changes(fresh_app, tmp_path):
    client = fresh_app.test_client()
    before = client.get(URL).get_data(as_text=True)
    assert '<span class="zahl">532.163</span>' in before
    csv = tmp_path / "korrektur.csv"
    csv.write_text("ags,indicator,year,value\n03241001,bev_insgesamt,2015,540000\n")
    result = invoke(fresh_app, "load-release", str(csv), "--label", "korrektur-2026")
    assert result.exit_code == 0, result.output
    pinned = client.get(URL).get_data(as_text=True)
    assert '<span class="zahl">532.163</span>' in pinned and "540.000" not in pinned
    assert "korrektur-2026" not in pinned and 'class="geaendert"' not in pinned
    current = client.get(f"{URL}?daten=aktuell").get_data(as_text=True)
    assert "korrektur-2026" in current
    marks = re.findall(r'<mark class="geaendert">(.*?)</mark>', current)
    # The number in the text, the change 2011→2015 derived from it, and the series' table
    # cell; the Region's own figures are other values and stay unmarked.
    assert len(marks) == 3
    assert sum("540.000" in m and "bei Veröffentlichung: 532.163" in m for m in marks) == 2
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        h11 = c.scalar(
            text(
                "SELECT value FROM shown_value WHERE indicator_id = 'bev_insgesamt'"
                " AND ags = '03241001' AND year = 2011"
            )
        )
    new, old = f"{540000 - h11:+,.0f}".replace(",", "."), f"{532163 - h11:+,.0f}".replace(",", ".")
    assert any(new in m and f"bei Veröffentlichung: {old}" in m for m in marks)
    assert "3 Zahlen haben sich seit der Veröffentlichung geändert" in current


def test_the_readme_example_renders_without_errors(app):
    from tests.conftest import ROOT

    readme = (ROOT / "docs" / "berichte.md").read_text(encoding="utf-8")
    after = readme.split("\n## Fokusberichte\n", 1)[1]
    found = re.search(r"```markdown\n(.*?)```", after, re.S)
    block = found.group(1)
    section = after[: found.end()] + after[found.end() :].split("\n## ", 1)[0]
    out = rendered(app, block)
    assert not out.errors, out.errors
    assert str(out.html).count('<figure class="bericht-figur') == 4
    for name in ("zahl", "veraenderung", "karte", "zeitreihe", "vergleich", "rangfolge"):
        assert "{{" + name in section  # every directive is documented


def test_the_top_heading_level_of_the_text_becomes_h2(app):
    html = str(rendered(app, "# Eins\n\n## Zwei\n\ntext").html)
    assert "<h2>Eins</h2>" in html and "<h3>Zwei</h3>" in html and "<h1>" not in html
    html = str(rendered(app, "## Eins\n\n### Zwei").html)
    assert "<h2>Eins</h2>" in html and "<h3>Zwei</h3>" in html


def test_a_directive_in_a_link_address_is_an_error_not_markup(app):
    out = rendered(app, "[Link]({{zahl indikator=bev_insgesamt gebiet=03241 jahr=2015}}) Text")
    html = str(out.html)
    assert out.errors and "Link-Adressen" in out.errors[0][2]
    assert "BERICHT" not in html and 'href="<' not in html
    tags = re.findall(r"<a [^>]*>", html)
    pattern = r'<a (href="[^"<>]*" )?rel="noopener noreferrer">'
    assert tags and all(re.fullmatch(pattern, t) for t in tags), tags
