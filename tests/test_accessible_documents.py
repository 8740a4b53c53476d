"""Accessible documents (issue #33): the Fokusbericht PDFs are tagged, with language, metadata,
an outline and a text alternative for every figure; every SVG export names and describes itself,
and the page offers the same description beside its image links.

Real PostGIS (the loaded template) and real Chromium: load-all prints the example report's PDFs
(de, en) with the same code as a publish (`app.berichte.outputs.build`).
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pikepdf
import pytest
from markupsafe import Markup, escape

from app.cli.reports import EXAMPLE, EXAMPLE_BODY
from app.render import figure_text
from app.render.figure_text import Shown
from tests.conftest import invoke
from tests.test_editor import PASSWORD, login, token

URL = f"/berichte/{EXAMPLE['slug']}"
SVG_NS = "{http://www.w3.org/2000/svg}"
SECTIONS = re.findall(r"^## (.+)$", EXAMPLE_BODY.read_text(encoding="utf-8"), re.M)
PUBLISHER = "Sozialmonitoring Region Hannover"
DRAWING_OPS = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh"}


def _elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element of the tree, depth first."""
    found: list[pikepdf.Dictionary] = []

    def walk(e) -> None:
        if isinstance(e, pikepdf.Array):
            for k in e:
                walk(k)
        elif isinstance(e, pikepdf.Dictionary) and "/S" in e:
            found.append(e)
            if "/K" in e:
                walk(e.K)

    walk(pdf.Root.StructTreeRoot.K)
    return found


def _outline(pdf: pikepdf.Pdf) -> list[str]:
    with pdf.open_outline() as outline:
        titles: list[str] = []

        def walk(items) -> None:
            for item in items:
                titles.append(item.title)
                walk(item.children)

        walk(outline.root)
        return titles


def _unmarked_drawing(pdf: pikepdf.Pdf) -> int:
    """Text shown or paths painted outside any marked content (neither tagged nor artifact)."""
    count = 0
    for page in pdf.pages:
        depth = 0
        for _operands, op in pikepdf.parse_content_stream(page):
            name = str(op)
            depth += name in ("BDC", "BMC")
            depth -= name == "EMC"
            count += depth == 0 and name in DRAWING_OPS
    return count


@pytest.fixture(scope="module", params=["de", "en"])
def report_pdf(request, app):
    """The example report's stored PDF in a language, opened with pikepdf, and its page."""
    client = app.test_client()
    r = client.get(f"{URL}.pdf?lang={request.param}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    page = client.get(f"{URL}?lang={request.param}").get_data(as_text=True)
    with pikepdf.open(io.BytesIO(r.data)) as pdf:
        yield request.param, pdf, page, r.data


def test_the_pdf_is_tagged_in_its_language(report_pdf):
    lang, pdf, _page, _body = report_pdf
    assert "/StructTreeRoot" in pdf.Root
    assert bool(pdf.Root.MarkInfo.Marked)
    assert str(pdf.Root.Lang) == {"de": "de-DE", "en": "en"}[lang]
    kinds = {str(e.S) for e in _elements(pdf)}
    # headings, paragraphs, lists, tables with header cells, figures
    assert {"/H1", "/H2", "/P", "/L", "/LI", "/Table", "/TH", "/TD", "/Figure"} <= kinds
    # Header, footer and the boxes' borders are artifacts: nothing drawn is left unmarked.
    assert _unmarked_drawing(pdf) == 0


def test_every_page_numbers_itself_in_the_reports_language(report_pdf):
    from pypdf import PdfReader

    lang, _pdf, _page, body = report_pdf
    pages = PdfReader(io.BytesIO(body)).pages
    said = {"de": "Seite {} von {}", "en": "Page {} of {}"}[lang]
    for i, p in enumerate(pages, 1):
        assert said.format(i, len(pages)) in p.extract_text(), (lang, i)


def test_pdfinfo_says_tagged(report_pdf):
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils (pdfinfo) not installed")
    _lang, _pdf, _page, body = report_pdf
    info = subprocess.run(["pdfinfo", "-"], input=body, capture_output=True, check=True).stdout
    lines = info.decode("utf-8", "replace")
    assert re.search(r"^Tagged:\s+yes$", lines, re.M), lines
    assert re.search(r"^Author:\s+" + PUBLISHER + "$", lines, re.M), lines
    assert re.search(r"^Metadata Stream:\s+yes$", lines, re.M), lines


def test_the_pdf_has_title_author_and_language_in_its_metadata(report_pdf):
    lang, pdf, _page, _body = report_pdf
    assert str(pdf.docinfo["/Title"]) == EXAMPLE["title"]
    assert str(pdf.docinfo["/Author"]) == PUBLISHER
    assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
    with pdf.open_metadata() as xmp:
        assert xmp["dc:title"] == EXAMPLE["title"]
        assert list(xmp["dc:creator"]) == [PUBLISHER]
        assert set(xmp["dc:language"]) == {str(pdf.Root.Lang)}
        assert xmp["dc:description"] == EXAMPLE["summary"]


def test_every_figure_has_its_alternative_text_and_no_figure_hides_a_table(report_pdf):
    lang, pdf, page, _body = report_pdf
    figures = [e for e in _elements(pdf) if e.S == pikepdf.Name.Figure]
    assert len(figures) == 3  # two time series and a map; comparison and ranking are tables
    alts = [str(f.get("/Alt", "")) for f in figures]
    assert all(a.strip() and "<" not in a for a in alts), alts  # text, no markup
    # The same text as the report page's aria-label: made in one place, from the data.
    labels = [html.unescape(a) for a in re.findall(r'<svg [^>]*aria-label="([^"]+)"', page)]
    assert sorted(alts) == sorted(a for a in labels if a != "Legende" and a != "Legend")
    chart, map_ = (
        ("Liniendiagramm", "Karte der 21 Kommunen")
        if lang == "de"
        else (
            "Line chart",
            "Map of the 21 municipalities",
        )
    )
    [m] = [a for a in alts if a.startswith(map_)]
    assert "Bevölkerungsdichte" in m or "Population density" in m
    assert "2015" in m and "5 " in m  # year, five classes
    assert ("Höchster Wert: Hannover" if lang == "de" else "Highest value: Hannover") in m
    lines = [a for a in alts if a.startswith(chart)]
    assert len(lines) == 2 and all("2010" in a and "2015" in a for a in lines)
    assert any("Region Hannover" in a and "Niedersachsen" in a for a in lines)
    # A <figure> (caption, picture, table) is a grouping, not a picture.
    for f in figures:
        kids = f.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        assert not any(isinstance(k, pikepdf.Dictionary) and "/S" in k for k in kids)


def test_the_outline_has_the_reports_headings(report_pdf):
    lang, pdf, _page, _body = report_pdf
    end = "Quellen und Lizenzen" if lang == "de" else "Sources and licences"
    assert _outline(pdf) == [EXAMPLE["title"], *SECTIONS, end]


def test_a_publish_prints_each_language_in_its_own_language(fresh_app):
    """The publish request prints de and en: each in its language (Flask-Babel keeps the locale
    on the app context's `g`, which the printing shared with the request until each language got
    an app context of its own), each tagged with its /Lang and described figures."""
    assert invoke(fresh_app, "editor-add", "redaktion", "--password", PASSWORD).exit_code == 0
    c = fresh_app.test_client()
    login(c)
    tok = token(c, "/redaktion/berichte/neu")
    form = {
        "slug": "karte",
        "topic_id": "bevoelkerung",
        "title": "Karte",
        "summary": "Eine Karte.",
        "body": "## Dichte\n\n{{karte indikator=bev_dichte jahr=2015}}\n",
        "csrf_token": tok,
    }
    r = c.post("/redaktion/berichte/neu", data=form)
    rid = int(r.headers["Location"].split("#")[0].rstrip("/").rsplit("/", 1)[1])
    r = c.post(f"/redaktion/berichte/{rid}/veroeffentlichen", data={"csrf_token": tok})
    assert r.status_code == 302
    reader = fresh_app.test_client()
    for lang, tag, words in (("de", "de-DE", "Karte der 21 Kommunen"), ("en", "en", "Map of the")):
        r = reader.get(f"/berichte/karte.pdf?lang={lang}")
        assert r.status_code == 200
        with pikepdf.open(io.BytesIO(r.data)) as pdf:
            assert str(pdf.Root.Lang) == tag
            [figure] = [e for e in _elements(pdf) if e.S == pikepdf.Name.Figure]
            assert str(figure.Alt).startswith(words)
            assert _outline(pdf)[:2] == ["Karte", "Dichte"]


# --- SVG exports and the text beside the download links ---------------------------------------

Q = "indikator=armutsgefaehrdung_quote"
EXPORTS = [
    (f"/karte?{Q}&jahr=2024", f"/karte.svg?{Q}&jahr=2024"),
    (f"/karte?{Q}&von=2016&bis=2024", f"/karte.svg?{Q}&von=2016&bis=2024"),
    (
        "/karte?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015",
        "/karte.svg?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015",
    ),
    (f"/karte/jahre?{Q}", f"/karte/jahre.svg?{Q}"),
    ("/zeitreihe?indikator=bev_insgesamt", "/zeitreihe.svg?indikator=bev_insgesamt"),
    (
        "/disparitaeten/armutsgefaehrdung_quote?jahr=2024",
        "/disparitaeten/armutsgefaehrdung_quote/vergleich.svg?jahr=2024",
    ),
    (
        "/disparitaeten/armutsgefaehrdung_quote?jahr=2024",
        "/disparitaeten/armutsgefaehrdung_quote/streuung.svg",
    ),
    (
        "/disparitaeten/armutsgefaehrdung_quote/cluster?jahr=2024",
        "/disparitaeten/armutsgefaehrdung_quote/cluster.svg?jahr=2024",
    ),
    ("/kommune/03241010", "/kommune/03241010/einordnung.svg"),
    (f"/rangfolge?{Q}&jahr=2024", f"/rangfolge.svg?{Q}&jahr=2024"),
    (
        "/streuung?x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=2024",
        "/streuung.svg?x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=2024",
    ),
]


def _beside_links(page: str) -> list[str]:
    """The image descriptions a page shows beside its download links."""
    found = re.findall(
        r'<p class="bildtext"><span class="bildtext-titel">[^<]*</span> (.*?)</p>', page, re.S
    )
    # German names on English pages are marked <span lang="de">: the text without the tags
    return [html.unescape(re.sub(r"<[^>]+>", "", t)) for t in found]


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("page_url, svg_url", EXPORTS)
def test_every_svg_export_names_and_describes_itself_as_its_page_does(
    client, page_url, svg_url, lang
):
    sep = "&" if "?" in svg_url else "?"
    r = client.get(f"{svg_url}{sep}lang={lang}")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    root = ET.fromstring(r.data)
    assert root.get("role") == "img"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
    ids = root.get("aria-labelledby", "").split()
    title, desc = root.find(f"{SVG_NS}title"), root.find(f"{SVG_NS}desc")
    assert title is not None and desc is not None
    assert ids == [title.get("id"), desc.get("id")]
    assert (title.text or "").strip() and (desc.text or "").strip()
    page = client.get(f"{page_url}{'&' if '?' in page_url else '?'}lang={lang}")
    texts = _beside_links(page.get_data(as_text=True))
    assert texts, "no description beside the image links"
    # The <desc> starts with what the picture shows: the sentence the page shows.
    assert any(desc.text.startswith(t) for t in texts), (desc.text[:200], texts)
    kind = ("Karte", "Liniendiagramm", "Balkendiagramm", "Streudiagramm", "Einordnung")
    if lang == "en":
        kind = ("Map", "map", "Line chart", "Bar chart", "Scatter plot", "Where ")
    assert any(k in desc.text.split(".")[0] for k in kind), desc.text[:120]


# --- the sentences themselves ----------------------------------------------------------------


def test_a_map_names_classes_and_the_highest_and_lowest_areas(app):
    shown = [Shown("A", 3.0, "3 %"), Shown("B", 1.0, "1 %"), Shown("C", None, "geheim")]
    with app.test_request_context("/"):
        text = figure_text.map_text(
            "Quote (%)", "2024", shown, [("1 – 2 %", 1), ("2 – 3 %", 1), ("keine Daten", 1)]
        )
    assert text == (
        "Karte der 3 Kommunen: Quote (%), 2024. 3 Klassen: 1 – 2 % (1 Kommune);"
        " 2 – 3 % (1 Kommune); keine Daten (1 Kommune)."
        " Höchster Wert: A (3 %); niedrigster Wert: B (1 %)."
    )


def test_ties_are_named_together_and_no_value_is_said(app):
    tied = [Shown(n, 5.0 if n in "ABCDE" else 1.0, "x") for n in "ABCDEF"]
    with app.test_request_context("/?lang=en"):
        assert "Highest value: A, B, C and 2 more (x); lowest value: F (x)." in (
            figure_text.extremes(tied)
        )
        assert figure_text.extremes([Shown("A", None, "–")]) == "No area has a value."
        assert figure_text.extremes([Shown("A", 2.0, "2"), Shown("B", 2.0, "2")]) == (
            "All with a value have 2."
        )


def test_a_chart_names_each_line_with_its_first_and_last_value(app):
    lines = [("Region", [(2010, None), (2011, 1.0), (2012, 2.5)]), ("Nichts", [(2010, None)])]
    with app.test_request_context("/"):
        text = figure_text.lines_text("Quote (%)", [2010, 2011, 2012], lines, str, [2011])
    assert text == (
        "Liniendiagramm: Quote (%), 2010–2012. 2 Linien: Region von 1.0 (2011) bis 2.5 (2012);"
        " Nichts keine Werte. Zeitreihenbruch 2011: Werte davor und danach sind nicht"
        " vergleichbar."
    )


def test_german_names_are_marked_as_german_on_english_pages_only(app):
    shown = [Shown("Hannover", 2.0, "2 %"), Shown("Kassel, Stadt", 1.0, "1 %")]
    with app.test_request_context("/?lang=en"):
        text = figure_text.map_text("Rate (%)", "2024", shown, [], names=["Deutschland"])
        assert str(text).endswith(
            "Highest value: Hannover (2 %); lowest value: Kassel, Stadt (1 %)."
        )
        marked = str(Markup("{}").format(text))
        assert '<span lang="de">Hannover</span> (2 %)' in marked
        assert '<span lang="de">Kassel, Stadt</span>' in marked
    with app.test_request_context("/"):
        text = figure_text.map_text("Quote (%)", "2024", shown, [])
        assert str(Markup("{}").format(text)) == str(escape(text))  # a German page: no spans
