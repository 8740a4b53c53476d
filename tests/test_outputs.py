"""Expensive outputs are made once (issue #26): stored report PDFs, image keys, render budget."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from app.berichte import pdf
from tests.conftest import invoke
from tests.test_editor import PASSWORD, login, token

FORM = {
    "slug": "pdf-bericht",
    "topic_id": "bevoelkerung",
    "title": "PDF-Bericht",
    "summary": "Kurz.",
    "body": "Es sind {{zahl indikator=bev_insgesamt gebiet=03241 jahr=2015}}.",
}


@pytest.fixture
def site(fresh_app):
    """A fresh database with one editor."""
    assert invoke(fresh_app, "editor-add", "redaktion", "--password", PASSWORD).exit_code == 0
    return fresh_app


def _sql(app, sql: str, **params):
    with app.extensions["sozmon_engine"].begin() as c:
        result = c.execute(text(sql), params)
        return result.fetchall() if result.returns_rows else []


def _publish_twice(app) -> None:
    c = app.test_client()
    login(c)
    tok = token(c, "/redaktion/berichte/neu")
    r = c.post("/redaktion/berichte/neu", data={**FORM, "csrf_token": tok})
    edit = r.headers["Location"].split("#")[0]
    rid = int(edit.rstrip("/").rsplit("/", 1)[1])
    for title in ("PDF-Bericht", "PDF-Bericht, zweite Fassung"):
        c.post(edit, data={**FORM, "title": title, "csrf_token": tok})
        r = c.post(f"/redaktion/berichte/{rid}/veroeffentlichen", data={"csrf_token": tok})
        assert r.status_code == 302 and r.headers["Location"] == "/berichte/pdf-bericht"


def test_published_pdfs_are_printed_at_publish_and_readers_never_start_chromium(site):
    before = pdf.LAUNCHES
    _publish_twice(site)
    assert pdf.LAUNCHES - before == 4  # 2 versions × de, en: printed by the publish requests
    kept = _sql(
        site,
        "SELECT o.version, o.lang, length(o.pdf) FROM report_output o JOIN report r"
        " ON r.id = o.report_id WHERE r.slug = 'pdf-bericht' ORDER BY 1, 2",
    )
    assert [(v, lang) for v, lang, _n in kept] == [(1, "de"), (1, "en"), (2, "de"), (2, "en")]
    assert all(n > 1000 for _v, _l, n in kept)

    # The probe: every version × language × Host × unknown parameters, 8 at a time.
    urls = [
        (host, f"/berichte/pdf-bericht.pdf?{version}lang={lang}&bust={i}")
        for i, host in enumerate(["localhost", "127.0.0.1"] * 2)
        for version in ("", "version=1&", "version=2&")
        for lang in ("de", "en")
    ]
    assert len(urls) == 24
    launches = pdf.LAUNCHES

    def fetch(item):
        host, url = item
        r = site.test_client().get(url, base_url=f"http://{host}")
        return url, r.status_code, r.mimetype, r.data

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(fetch, urls))
    assert pdf.LAUNCHES == launches, "an anonymous request started Chromium"
    assert all(code == 200 and mime == "application/pdf" for _u, code, mime, _b in answers)
    by_key: dict[tuple, set] = {}
    for url, _c, _m, body in answers:
        key = ("version=1" in url, "lang=en" in url)
        by_key.setdefault(key, set()).add(body)
    assert all(len(bodies) == 1 for bodies in by_key.values())  # one stored PDF per key

    # A missing PDF: readers get a 503 with Retry-After (still no Chromium); an editor prints it.
    _sql(site, "UPDATE report_output SET pdf = NULL WHERE version = 2 AND lang = 'en'")
    r = site.test_client().get("/berichte/pdf-bericht.pdf?lang=en")
    assert r.status_code == 503 and r.headers["Retry-After"] == "60"
    assert "being prepared" in r.get_data(as_text=True)
    assert pdf.LAUNCHES == launches
    editor = site.test_client()
    login(editor)
    assert editor.get("/berichte/pdf-bericht.pdf?lang=en").status_code == 200
    assert pdf.LAUNCHES > launches
    assert site.test_client().get("/berichte/pdf-bericht.pdf?lang=en").status_code == 200


def test_report_outputs_command_prints_what_is_missing(site):
    _sql(site, "DELETE FROM report_output")
    before = pdf.LAUNCHES
    result = invoke(site, "report-outputs")
    assert result.exit_code == 0, result.output
    assert pdf.LAUNCHES - before == 2  # the example report: one version, de and en
    assert invoke(site, "report-outputs").output.startswith("0 PDF")
