"""Characterisation harness: every page family's response, byte for byte, on a fixed database.

The safety net for refactors (issue #27): a pure code move must give the same responses. Each URL
in PAGES is requested on a copy of the demo-mode template database the suite builds
(`loaded_template`, i.e. `sozmon load-all` in demo mode) and its status, headers and body are
compared with the committed file under tests/pages/expected/<family>/. A difference fails with
the URL, the expectation's path and a unified diff.

Update after an intentional change, then review with git diff (docs/development.md):

    SOZMON_UPDATE_PAGES=1 .venv/bin/pytest tests/pages

What is recorded per URL (a file of text: the request, then the response):
- the status and every response header, sorted by name (their order carries no meaning), except
  Content-Length (the body is compared itself);
- the body. HTML, CSV and other line-structured text as the exact bytes. Single-line bodies are
  shown in a readable form with the sha256 of the exact bytes in the header, so bytes are still
  compared exactly and a diff shows where: JSON indented, SVG/XML broken between tags. PNG as
  its sha256 (cairosvg draws the same bytes every time).

What is normalised, and why (each one weakens the net; keep the list short):
1. The database (pin_database), before any page is requested: every timestamp (releases,
   data epoch, reports, outlines, audit log, the editor's) becomes 2025-01-15 12:00 UTC plus one
   minute per distinct earlier instant (order and ties kept) — they are the load's wall-clock
   time and show as "Stand", Last-Modified, dates in JSON and feeds; the data epoch's counter
   (in ETags) becomes 1; "cli:<OS user>" in the who-did-it columns becomes "cli:loader".
   Each release's summary of changes (editor pages) is computed again by `sozmon diff LABEL`:
   the load and a page view keep one only if it takes less than a time budget.
2. Element ids drawn from process-wide counters (chart-tN, rank-tN, fig-N, scN-, smN-) are
   renumbered 1, 2, … per body in order of appearance: their numbers count what the process
   drew before (other tests, the load), not what the request asked for.
3. PDF (the stored report): only its page count and title. load-all printed it with Chromium,
   and the bytes carry the print time and the load's date in the text; the same report's HTML
   (stored with it) is compared exactly.
4. XLSX: openpyxl writes the save time into the file (docProps and zip entries), so the bytes
   differ each time; compared instead as every sheet's cells (value, number format, bold).
5. Set-Cookie: Expires= (now + one year) and the signed session value (carries a timestamp) are
   replaced by placeholders; the cookie's name and flags are kept.
6. The editor pages use a session made by a real login whose CSRF token is then set to a fixed
   string (otherwise random per session and printed in every form).
Nothing else is normalised in bodies: asset URLs carry content hashes of the files (not of their
place), so moving a module moves none of them.

Each URL is requested with a fresh client (no cookies carried over: ?lang=en sets a cookie that
would otherwise turn every later page English).
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import clone_database, drop_database, invoke, make_app

EXPECTED = Path(__file__).parent / "expected"
UPDATE = os.environ.get("SOZMON_UPDATE_PAGES") == "1"
UPDATE_HINT = "SOZMON_UPDATE_PAGES=1 .venv/bin/pytest tests/pages"
REPORT = "bevoelkerung-und-mindestsicherung-2010-2015"
EDITOR, EDITOR_PASSWORD = "harness", "fest-vereinbartes-kennwort"
CSRF = "harness-fixed-csrf-token"

# Who asks: "public" (no cookie), "anon" (anonymous session with a fixed CSRF token, for the
# login form), "editor" (logged in).
PUBLIC, ANON, EDITOR_SESSION = "public", "anon", "editor"

# (family, URL[, who]). The family is the folder under expected/.
PAGES: list[tuple[str, str] | tuple[str, str, str]] = [
    # Start page, accessibility statement, search.
    ("start", "/"),
    ("start", "/?lang=en"),
    ("start", "/barrierefreiheit"),
    ("start", "/suche?q=lehrte"),
    ("start", "/suche?q=xyzzy"),
    # Catalogue of indicators.
    ("kennzahlen", "/kennzahlen"),
    ("kennzahlen", "/kennzahlen?lang=en"),
    # The map: home region, other territories, time, colours, outlines.
    ("karte", "/karte"),
    ("karte", "/karte?lang=en"),
    ("karte", "/karte?indikator=bev_insgesamt&jahr=2012"),
    (
        "karte",
        "/karte?indikator=armutsgefaehrdung_quote&jahr=2024&klassen=jenks&farben=divergierend",
    ),
    ("karte", "/karte?indikator=bev_dichte_inkar&von=2010&bis=2020"),
    ("karte", "/karte?indikator=armutsgefaehrdung_quote&gruppe=03241011"),
    ("karte", "/karte?gebiet=03&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015"),
    ("karte", "/karte?gebiet=DG&ebene=land&indikator=bev_anteil_65plus&jahr=2015&lang=en"),
    ("karte", "/karte/jahre?indikator=armutsgefaehrdung_quote"),
    ("karte", "/karte/teile?indikator=armutsgefaehrdung_quote&jahr=2024"),
    ("karte", "/karte/farben?gebiet=03&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015"),
    ("karte", "/karte/umrisse?gebiet=03&ebene=kreis"),
    ("karte", "/karte?indikator=gibt_es_nicht"),
    ("karte", "/karte?indikator=armutsgefaehrdung_quote&jahr=1900"),
    ("karte", "/karte?indikator=bev_insgesamt&von=2008&bis=2015"),
    ("karte", "/karte?indikator=bev_insgesamt&jahr=2012&stand=2.1"),
    ("karte", "/karte?indikator=bev_insgesamt&jahr=2012&stand=99999"),
    # Embeddable maps and charts.
    ("embed", "/embed/karte?lang=en"),
    ("embed", "/embed/karte?indikator=armutsgefaehrdung_quote&jahr=2020"),
    ("embed", "/embed/karte?gebiet=03&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015&lang=en"),
    ("embed", "/embed/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024"),
    (
        "embed",
        "/embed/streuung?x=bev_dichte_inkar&y=sgb2_u15_quote_inkar&jahr=2022&auswahl=03241011",
    ),
    # Kommunen and their profiles.
    ("kommune", "/kommunen"),
    ("kommune", "/kommunen?lang=en"),
    ("kommune", "/kommune/03241011"),
    ("kommune", "/kommune/03241099"),
    # Comparison of two Kommunen.
    ("vergleich", "/vergleich"),
    ("vergleich", "/vergleich?a=03241001&b=03241011"),
    ("vergleich", "/vergleich/03241011/03241005?lang=en"),
    ("vergleich", "/vergleich/03241011/03241011"),
    # Time series.
    ("zeitreihe", "/zeitreihe"),
    (
        "zeitreihe",
        "/zeitreihe?indikator=bev_insgesamt&kommunen=03241001,03241005&darstellung=index",
    ),
    ("zeitreihe", "/zeitreihe?indikator=armutsgefaehrdung_quote&lang=en"),
    ("zeitreihe", "/zeitreihe?indikator=gibt_es_nicht"),
    # Ranking.
    ("rangfolge", "/rangfolge"),
    ("rangfolge", "/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024&sortierung=name"),
    ("rangfolge", "/rangfolge?indikator=bev_dichte_inkar&jahr=2020&lang=en"),
    ("rangfolge", "/rangfolge?indikator=armutsgefaehrdung_quote&sortierung=quatsch"),
    # Scatter plot.
    ("streuung", "/streuung"),
    ("streuung", "/streuung?x=bev_dichte_inkar&y=sgb2_u15_quote_inkar&jahr=2022&auswahl=03241011"),
    ("streuung", "/streuung?gruppe=03241011&lang=en"),
    ("streuung", "/streuung?x=svb_quote&y=bev_anteil_65plus&jahr=2020"),
    # Disparities.
    ("disparitaeten", "/disparitaeten"),
    ("disparitaeten", "/disparitaeten?von=2012&bis=2024&lang=en"),
    ("disparitaeten", "/disparitaeten/armutsgefaehrdung_quote?jahr=2024"),
    ("disparitaeten", "/disparitaeten/armutsgefaehrdung_quote/cluster?jahr=2024"),
    ("disparitaeten", "/disparitaeten/gibt_es_nicht"),
    ("sozialindex", "/sozialindex"),
    ("sozialindex", "/sozialindex?lang=en"),
    ("sozialindex", "/api/v1/sozialindex"),
    # What's new (alerts of the loaded releases), its feeds, its API.
    ("alerts", "/was-ist-neu"),
    ("alerts", "/was-ist-neu?kommune=03241001&lang=en"),
    ("alerts", "/was-ist-neu/kommune/03241001.atom"),
    ("alerts", "/was-ist-neu/kennzahl/bev_insgesamt.atom"),
    ("alerts", "/api/v1/alerts?indikator=bev_insgesamt"),
    # Profiles of any area and the area search.
    ("gebiet", "/gebiet/03241"),
    ("gebiet", "/gebiet/03"),
    ("gebiet", "/gebiet/DG?lang=en"),
    ("gebiet", "/gebiet/99"),
    ("gebiet", "/suche/gebiet?q=hild"),
    # Fokusberichte.
    ("berichte", "/berichte"),
    ("berichte", "/berichte?lang=en"),
    ("berichte", f"/berichte/{REPORT}"),
    ("berichte", f"/berichte/{REPORT}?lang=en"),
    ("berichte", f"/berichte/{REPORT}?daten=aktuell"),
    ("berichte", f"/berichte/{REPORT}.pdf"),
    ("berichte", "/berichte/feed.atom"),
    ("berichte", "/berichte/nicht-da"),
    # The API's human-readable documentation.
    ("daten", "/daten"),
    # Downloads: the pages' tables and the API's files.
    ("downloads", "/kommune/03241011?format=csv"),
    ("downloads", "/kommune/03241011?format=xlsx&lang=en"),
    ("downloads", "/vergleich/03241011/03241005?format=csv-de"),
    ("downloads", "/zeitreihe?indikator=bev_insgesamt&kommunen=03241001,03241005&format=csv"),
    ("downloads", "/zeitreihe?indikator=bev_insgesamt&format=xlsx"),
    ("downloads", "/zeitreihe?indikator=bev_insgesamt&format=json"),
    ("downloads", "/karte/daten?indikator=bev_insgesamt&jahr=2012&format=csv"),
    ("downloads", "/karte/daten?indikator=armutsgefaehrdung_quote&jahr=2024&format=json&lang=en"),
    ("downloads", "/karte/daten?indikator=bev_insgesamt&jahr=2012&format=bib"),
    ("downloads", "/karte/daten?indikator=bev_insgesamt&jahr=2012&format=csl-json"),
    ("downloads", "/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024&format=csv"),
    ("downloads", "/api/v1/indicators?format=csv"),
    ("downloads", "/api/v1/values?indikator=bev_dichte_inkar&jahr=2020&format=csv"),
    ("downloads", "/api/v1/values?indikator=armutsgefaehrdung_quote&ags=03241011&format=csv-de"),
    ("downloads", "/api/v1/values?indikator=bev_dichte_inkar&jahr=2020&format=xlsx"),
    ("downloads", "/api/v1/values?indikator=bev_dichte_inkar&ags=03241011&format=geojson"),
    ("downloads", "/api/v1/releases/zensus-2022/datapackage.json"),
    ("downloads", "/api/v1/dcat.rdf"),
    # Image exports.
    ("bilder", "/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2020"),
    ("bilder", "/karte.png?indikator=armutsgefaehrdung_quote&jahr=2020"),
    ("bilder", "/karte.svg?indikator=bev_insgesamt&jahr=2012&lang=en"),
    ("bilder", "/karte.svg?indikator=bev_dichte_inkar&von=2010&bis=2020"),
    ("bilder", "/karte.svg?gebiet=03&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015"),
    ("bilder", "/karte/jahre.svg?indikator=armutsgefaehrdung_quote&jahre=2016,2020,2024"),
    ("bilder", "/kommune/03241011/einordnung.svg"),
    ("bilder", "/zeitreihe.svg?indikator=bev_insgesamt&kommunen=03241001,03241005"),
    ("bilder", "/zeitreihe.png?indikator=armutsgefaehrdung_quote&lang=en"),
    ("bilder", "/rangfolge.svg?indikator=armutsgefaehrdung_quote&jahr=2024"),
    ("bilder", "/rangfolge.png?indikator=bev_dichte_inkar&jahr=2020&lang=en"),
    (
        "bilder",
        "/streuung.svg?x=bev_dichte_inkar&y=sgb2_u15_quote_inkar&jahr=2022&auswahl=03241011",
    ),
    ("bilder", "/disparitaeten/armutsgefaehrdung_quote/cluster.svg?jahr=2024"),
    ("bilder", "/disparitaeten/armutsgefaehrdung_quote/streuung.svg?jahr=2024"),
    ("bilder", "/disparitaeten/armutsgefaehrdung_quote/vergleich.png?jahr=2024&lang=en"),
    # The open data API (JSON) and its OpenAPI document.
    ("api", "/api/v1/"),
    ("api", "/api/v1/openapi.json"),
    ("api", "/api/v1/topics"),
    ("api", "/api/v1/indicators/armutsgefaehrdung_quote"),
    ("api", "/api/v1/indicators/bev_dichte?release=gemeindeverzeichnis-2023"),
    ("api", "/api/v1/areas"),
    ("api", "/api/v1/areas/03241011"),
    ("api", "/api/v1/benchmarks?indikator=armutsgefaehrdung_quote&jahr=2024"),
    ("api", "/api/v1/change?indikator=bev_dichte_inkar&von=2010&bis=2020"),
    ("api", "/api/v1/intervals?indikator=armutsgefaehrdung_quote&jahr=2024"),
    ("api", "/api/v1/mapdata?indikator=bev_anteil_65plus&jahr=2015&ebene=kreis&land=03"),
    ("api", "/api/v1/neighbours?ags=03241011"),
    ("api", "/api/v1/releases"),
    ("api", "/api/v1/streuung?x=bev_dichte_inkar&y=sgb2_u15_quote_inkar&jahr=2022"),
    ("api", "/api/v1/trends?indikator=armutsgefaehrdung_quote&ags=03241"),
    ("api", "/api/v1/values?indikator=bev_dichte_inkar&jahr=2020"),
    ("api", "/api/v1/berichte"),
    ("api", f"/api/v1/berichte/{REPORT}"),
    ("api", "/api/v1/indicators/gibt_es_nicht"),
    ("api", "/api/v1/benchmarks?indikator=armutsgefaehrdung_quote"),
    ("api", "/api/v1/values?jahr=abc"),
    ("api", "/api/v1/gibt-es-nicht"),
    # Error pages.
    ("fehler", "/gibt-es-nicht"),
    ("fehler", "/gibt-es-nicht?lang=en"),
    ("fehler", "/karte?indikator=armutsgefaehrdung_quote&jahr=abc"),
    ("fehler", "/redaktion/abmelden"),
    ("fehler", "/redaktion/release/99999999999"),
    # The editors' area: anonymous, then logged in.
    ("redaktion", "/redaktion/"),
    ("redaktion", "/redaktion/anmelden", ANON),
    ("redaktion", "/redaktion/", EDITOR_SESSION),
    ("redaktion", "/redaktion/release/6", EDITOR_SESSION),
    ("redaktion", "/redaktion/release/3?lang=en", EDITOR_SESSION),
    ("redaktion", "/redaktion/vergleich?a=2&b=3", EDITOR_SESSION),
    ("redaktion", "/redaktion/vergleich?a=2&b=3&format=csv", EDITOR_SESSION),
    ("redaktion", "/redaktion/berichte/", EDITOR_SESSION),
    ("redaktion", "/redaktion/berichte/1", EDITOR_SESSION),
    ("redaktion", "/redaktion/berichte/neu", EDITOR_SESSION),
    ("redaktion", "/redaktion/import/1", EDITOR_SESSION),
    ("redaktion", "/redaktion/tabelle/", EDITOR_SESSION),
    ("redaktion", "/redaktion/tabelle/?lang=en", EDITOR_SESSION),
]


def _param(entry: tuple) -> tuple[str, str, str]:
    family, url, *rest = entry
    return family, url, rest[0] if rest else PUBLIC


CASES = [_param(e) for e in PAGES]


def _slug(url: str) -> str:
    """A file name for a URL: path and query, anything but letters, digits, '.', '-' as '_'."""
    path, _, query = url.partition("?")
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", f"{path.strip('/') or 'index'} {query}")
    return name.strip("_")


def expected_path(family: str, url: str, who: str = PUBLIC) -> Path:
    prefix = "" if who == PUBLIC else f"{who}__"
    return EXPECTED / family / f"{prefix}{_slug(url)}.txt"


# ---------------------------------------------------------------------------------------------
# The fixed database


# Midday: the same calendar day in any time zone a page may convert to.
PIN_BASE = "2025-01-15 12:00:00+00"
LOADER = "cli:loader"


def _columns(conn, where: str) -> list[tuple[str, str]]:
    return conn.execute(
        text(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_schema, table_name)"
            " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
            f" AND {where} ORDER BY 1, 2"
        )
    ).all()


def pin_database(conn) -> None:
    """Make the wall-clock and the machine's traces in the database fixed.

    Every timestamp becomes PIN_BASE plus one minute per distinct earlier instant (order and
    ties kept: pinning twice changes nothing pinned, later instants follow); the data epoch's
    counter becomes 1; 'cli:<OS user>' in the who-did-it columns becomes LOADER. Triggers are
    off (session_replication_role): they would bump the data epoch, and the audit log is
    append-only.
    """
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    stamps = _columns(conn, "c.data_type = 'timestamp with time zone'")
    union = " UNION ".join(f'SELECT "{c}" AS t FROM "{t}"' for t, c in stamps)
    conn.execute(
        text(
            "CREATE TEMP TABLE harness_pin ON COMMIT DROP AS"
            f" SELECT t, timestamptz '{PIN_BASE}' + (dense_rank() OVER (ORDER BY t) - 1)"
            f" * interval '1 minute' AS pinned FROM ({union}) u WHERE t IS NOT NULL"
        )
    )
    for table, column in stamps:
        conn.execute(
            text(
                f'UPDATE "{table}" x SET "{column}" = p.pinned FROM harness_pin p'
                f' WHERE x."{column}" = p.t'
            )
        )
    actors = _columns(
        conn,
        "c.data_type IN ('text', 'character varying')"
        " AND (c.column_name LIKE '%\\_by' OR c.column_name = 'editor')",
    )
    for table, column in actors:
        conn.execute(
            text(f'UPDATE "{table}" SET "{column}" = :l WHERE "{column}" LIKE \'cli:%\''),
            {"l": LOADER},
        )
    conn.execute(text("UPDATE data_epoch SET n = 1"))


@pytest.fixture(scope="module")
def pages_site(loaded_template: str) -> Iterator[tuple]:
    """(app, editor session) on a copy of the loaded template made fixed (pin_database), with
    one editor who logged in through the login form (the session's CSRF token then fixed)."""
    name = clone_database(loaded_template)
    setup = make_app(name)
    engine = setup.extensions["sozmon_engine"]
    try:
        result = invoke(setup, "editor-add", EDITOR, "--password", EDITOR_PASSWORD)
        assert result.exit_code == 0, result.output
        client = setup.test_client()
        form = client.get("/redaktion/anmelden").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        login = client.post(
            "/redaktion/anmelden",
            data={"name": EDITOR, "password": EDITOR_PASSWORD, "csrf_token": token},
        )
        assert login.status_code == 302, login.get_data(as_text=True)
        with client.session_transaction() as s:
            session = dict(s)
        session["csrf"] = CSRF
        # Each release's summary of changes (editor pages): the load and a page view store one
        # only within a time budget, and its basis holds publication times. Dropped, the times
        # pinned, each computed again by `sozmon diff LABEL` (no budget), then its time pinned.
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM release_changes"))
            pin_database(conn)
            labels = conn.scalars(text("SELECT label FROM release ORDER BY id")).all()
        for label in labels:
            result = invoke(setup, "diff", label)
            assert result.exit_code == 0, result.output
        with engine.begin() as conn:
            pin_database(conn)
    finally:
        engine.dispose()
    # A new app: nothing cached from before the pinning. Citations name an access date: fixed
    # (SOZMON_CITATION_DATE), the day of the pinned timestamps, so bytes do not follow the calendar.
    app = make_app(name, CITATION_DATE="2025-01-15")
    yield app, session
    app.extensions["sozmon_engine"].dispose()
    drop_database(name)


def fetch(site: tuple, url: str, who: str = PUBLIC):
    """GET the URL with a fresh client: no cookie, an anonymous or the editor's session."""
    app, editor_session = site
    client = app.test_client()
    if who != PUBLIC:
        with client.session_transaction() as s:
            s.update(editor_session if who == EDITOR_SESSION else {"csrf": CSRF})
    return client.get(url)


# ---------------------------------------------------------------------------------------------
# Recording a response as text


SKIPPED_HEADERS = {"content-length"}
_COOKIE_EXPIRES = re.compile(r"Expires=[^;]+")
_SESSION_VALUE = re.compile(r"^session=[^;]*")
_BETWEEN_TAGS = re.compile(rb">(?=<)")
JSON_TYPES = ("application/json", "application/geo+json", "application/problem+json")
MARKUP_TYPES = ("image/svg+xml", "application/rdf+xml", "application/atom+xml")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header_lines(resp) -> list[str]:
    lines = []
    for name in sorted({k for k, _ in resp.headers}, key=str.lower):
        if name.lower() in SKIPPED_HEADERS:
            continue
        for value in resp.headers.getlist(name):
            if name.lower() == "set-cookie":
                value = _COOKIE_EXPIRES.sub("Expires=<one year on>", value)
                value = _SESSION_VALUE.sub("session=<signed>", value)
            lines.append(f"{name}: {value}")
    return lines


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _xlsx_cells(data: bytes) -> bytes:
    """Every sheet's cells with value, number format and bold (the file's bytes carry times)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        out.append(f"== sheet {ws.title!r} ({ws.max_row} rows x {ws.max_column} columns)")
        for row in ws.iter_rows():
            cells = []
            for cell in row:
                if cell.value is None:
                    continue
                extra = "" if cell.number_format == "General" else f" [{cell.number_format}]"
                bold = " [bold]" if cell.font is not None and cell.font.b else ""
                cells.append(f"{cell.coordinate}={cell.value!r}{extra}{bold}")
            if cells:
                out.append(" | ".join(cells))
    return ("\n".join(out) + "\n").encode()


def _pdf_view(data: bytes) -> tuple[str, bytes]:
    """A stored report's PDF: its pages and title (its bytes carry the print time and the date
    of the load, printed by Chromium when load-all stored it)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    title = (reader.metadata or {}).get("/Title")
    return f"body: PDF of {len(reader.pages)} pages, title {title!r} (bytes not compared)", b""


# Element ids drawn from process-wide counters (charts, rank charts, scatter plots, report
# figures): their numbers depend on what the process drew before, not on the request.
_COUNTED_IDS = re.compile(rb"\b(chart-t|rank-t|fig-|sc(?=[0-9]+-)|sm(?=[0-9]+-))([0-9]+)\b")


def renumber_ids(data: bytes) -> bytes:
    """Number each kind of counted id 1, 2, … in order of first appearance in this body."""
    seen: dict[tuple[bytes, bytes], int] = {}
    per_kind: dict[bytes, int] = {}

    def number(m: re.Match) -> bytes:
        key = (m.group(1), m.group(2))
        if key not in seen:
            per_kind[m.group(1)] = seen[key] = per_kind.get(m.group(1), 0) + 1
        return m.group(1) + str(seen[key]).encode()

    return _COUNTED_IDS.sub(number, data)


def body_view(resp) -> tuple[str, bytes]:
    """(a description line, the body as recorded) — see the module's docstring."""
    data = resp.get_data()
    mime = (resp.mimetype or "").lower()
    if not mime.startswith("image/png") and mime not in ("application/pdf", XLSX_TYPE):
        data = renumber_ids(data)
    raw = f"body: sha256 {_sha(data)}, {len(data)} bytes"
    if mime == "image/png":
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        return f"{raw}, PNG {width}x{height}", b""
    if mime == "application/pdf":
        return _pdf_view(data)
    if mime == XLSX_TYPE:
        return "body: XLSX (bytes carry the save time), cells below", _xlsx_cells(data)
    if mime in JSON_TYPES:
        try:
            shown = json.dumps(json.loads(data), indent=1, ensure_ascii=False) + "\n"
        except ValueError:
            return "body: exact bytes below (not JSON)", data
        return f"{raw}; shown indented", shown.encode()
    if mime in MARKUP_TYPES:
        return f"{raw}; shown with a line break between tags", _BETWEEN_TAGS.sub(b">\n", data)
    return "body: exact bytes below", data


def record(url: str, resp, who: str = PUBLIC) -> bytes:
    """The text that is compared and committed for one response."""
    described, body = body_view(resp)
    who_line = "" if who == PUBLIC else f" (as {who})"
    head = [f"GET {url}{who_line}", f"status: {resp.status}", *_header_lines(resp), described]
    return ("\n".join(head) + "\n\n").encode() + body


# ---------------------------------------------------------------------------------------------
# Comparing


def _display_lines(data: bytes) -> list[str]:
    """Lines for a readable diff: long lines cut after tags, commas and semicolons."""
    out = []
    for line in data.decode("utf-8", "replace").split("\n"):
        if len(line) <= 160:
            out.append(line)
        else:
            out.extend(re.split(r"(?<=[>,;])", line))
    return out


def difference(url: str, path: Path, expected: bytes | None, actual: bytes) -> str | None:
    """None when equal, else a message with the URL, the file and a unified diff."""
    if expected == actual:
        return None
    if expected is None:
        return f"{url}: no expectation {path} — record it with {UPDATE_HINT}"
    diff = list(
        difflib.unified_diff(
            _display_lines(expected),
            _display_lines(actual),
            f"expected ({path.relative_to(EXPECTED.parent.parent.parent)})",
            "actual",
            lineterm="",
            n=2,
        )
    )
    shown = "\n".join(line[:300] for line in diff[:80])
    more = f"\n… {len(diff) - 80} more diff lines" if len(diff) > 80 else ""
    if not diff:
        shown = "(the same lines; the bytes differ in line endings or invalid UTF-8)"
    return (
        f"{url} differs from {path.name}:\n{shown}{more}\n"
        f"If the change is intended: {UPDATE_HINT} and review git diff."
    )


def check(url: str, path: Path, actual: bytes) -> None:
    """Compare with the committed file, or (update mode) write it."""
    expected = path.read_bytes() if path.exists() else None
    if UPDATE:
        if expected != actual:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(actual)
            pytest.skip(f"rewrote {path.relative_to(EXPECTED.parent.parent.parent)}")
        return
    message = difference(url, path, expected, actual)
    if message:
        pytest.fail(message, pytrace=False)


@pytest.mark.parametrize(
    ("family", "url", "who"),
    CASES,
    ids=[f"{f}:{u}" + ("" if w == PUBLIC else f"[{w}]") for f, u, w in CASES],
)
def test_page_is_unchanged(pages_site, family: str, url: str, who: str):
    resp = fetch(pages_site, url, who)
    check(url, expected_path(family, url, who), record(url, resp, who))


def test_every_expectation_belongs_to_a_url():
    """No two URLs share a file and no file is left from a URL no longer listed (update mode
    deletes them)."""
    wanted = [expected_path(*c) for c in CASES]
    assert len(set(wanted)) == len(wanted), "two URLs map to the same expectation file"
    stale = sorted(set(EXPECTED.rglob("*.txt")) - set(wanted))
    if UPDATE:
        for path in stale:
            path.unlink()
        return
    assert not stale, f"expectations without a URL in PAGES: {stale}"


# ---------------------------------------------------------------------------------------------
# The net can tear: a changed byte, header or status is reported with the URL and a diff


def test_a_changed_byte_is_reported_with_url_and_diff(pages_site):
    url = "/kennzahlen"
    resp = fetch(pages_site, url)
    path = expected_path("kennzahlen", url)
    good = record(url, resp)
    assert difference(url, path, good, record(url, fetch(pages_site, url))) is None
    resp.set_data(resp.get_data().replace(b"Kennzahlen", b"KEnnzahlen", 1))  # one byte
    message = difference(url, path, good, record(url, resp))
    assert message is not None and message.startswith(f"{url} differs from {path.name}")
    assert "-" in message and "+" in message and "KEnnzahlen" in message
    assert UPDATE_HINT in message


def test_a_changed_status_or_header_is_reported(pages_site):
    url = "/api/v1/topics"
    resp = fetch(pages_site, url)
    good = record(url, resp)
    resp.headers["Cache-Control"] = "no-store"
    message = difference(url, expected_path("api", url), good, record(url, resp))
    assert message is not None and "+Cache-Control: no-store" in message
    resp.status_code = 203
    assert "+status: 203" in difference(url, expected_path("api", url), good, record(url, resp))


def test_binary_bodies_are_compared_by_content():
    """PNG by hash, XLSX by cells: a change in content shows, the save time does not."""
    from flask import Response
    from openpyxl import Workbook

    png = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + (3).to_bytes(4, "big") + (2).to_bytes(4, "big")
    a = record("/x.png", Response(png + b"A", mimetype="image/png"))
    b = record("/x.png", Response(png + b"B", mimetype="image/png"))
    assert a != b and b"PNG 3x2" in a

    def xlsx(value):
        wb = Workbook()
        wb.active.append(["Kommune", value])
        out = io.BytesIO()
        wb.save(out)
        return Response(out.getvalue(), mimetype=XLSX_TYPE)

    assert record("/t.xlsx", xlsx(1.5)) == record("/t.xlsx", xlsx(1.5))
    assert b"B1=1.5" in record("/t.xlsx", xlsx(1.5))
    assert record("/t.xlsx", xlsx(1.5)) != record("/t.xlsx", xlsx(2.5))
