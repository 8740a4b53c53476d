"""Absolute URLs keep scheme, host and port behind nginx (issue #29): redirects, the embed code,
the image footer and the report PDF on the default install (a port other than 80), and
PUBLIC_URL still wins when it is set."""

from __future__ import annotations

import http.client
import io
import re
from urllib.parse import urljoin, urlsplit

import pytest
from pypdf import PdfReader

from tests.conftest import clone_database, drop_database, invoke, make_app, server_url, with_db
from tests.served import Editor, get, served_test
from tests.test_outputs import FORM

PASSWORD = "richtig-langes-passwort"
MAP = "/karte?indikator=armutsgefaehrdung_quote&jahr=2020"


@pytest.fixture(scope="module")
def stack(loaded_template):
    """scripts/serve on a free port (as the default install's :5000), one editor."""
    name = clone_database(loaded_template)
    app = make_app(name)
    assert invoke(app, "editor-add", "redaktion", "--password", PASSWORD).exit_code == 0
    app.extensions["sozmon_engine"].dispose()
    try:
        with served_test(with_db(server_url(), name)) as info:
            yield info
    finally:
        drop_database(name)


def _head(base: str, path: str, host: str | None = None) -> tuple[int, dict]:
    """One request, redirects not followed: status and headers (lower-case names)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("HEAD", path, headers={"Host": host} if host else {})
    r = conn.getresponse()
    r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}


def test_redirects_keep_the_port(stack):
    front = stack["front"]
    port = urlsplit(front).port
    assert port and port != 80
    status, h = _head(front, "/redaktion")
    assert status in (301, 302, 308), (status, h)
    target = urlsplit(urljoin(front + "/redaktion", h["location"]))
    assert (target.hostname, target.port) == ("127.0.0.1", port), h["location"]
    # Another trusted name for the same server keeps its own name and port.
    status, h = _head(front, "/redaktion", host=f"localhost:{port}")
    target = urlsplit(urljoin(f"http://localhost:{port}/redaktion", h["location"]))
    assert (target.hostname, target.port) == ("localhost", port), h["location"]
    # The API's redirect too (/api/v1 → its documentation or index).
    status, h = _head(front, "/api/v1")
    if status in (301, 302, 308):
        target = urlsplit(urljoin(front + "/api/v1", h["location"]))
        assert target.port == port, h["location"]


def test_embed_code_and_image_footer_cite_the_port(stack):
    front = stack["front"]
    status, _h, body = get(front + MAP, {"Accept-Encoding": "identity"})
    assert status == 200
    html = body.decode()
    code = re.search(r'<textarea id="embed-code"[^>]*>([^<]*)</textarea>', html).group(1)
    assert f"src=&#34;{front}/embed/karte?" in code or f'src="{front}/embed/karte?' in code.replace(
        "&quot;", '"'
    ), code
    # The cached copy (nginx's page cache, keyed by host and port) says the same.
    _s, h2, again = get(front + MAP, {"Accept-Encoding": "identity"})
    assert again == body and h2.get("x-cache") in ("HIT", "REVALIDATED", "UPDATING", "MISS")
    status, _h, svg = get(front + "/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2020")
    assert status == 200
    assert f"{front}/karte?indikator=armutsgefaehrdung_quote" in svg.decode(), svg[-1500:]
    status, _h, png = get(front + "/karte.png?indikator=armutsgefaehrdung_quote&jahr=2020")
    assert status == 200 and png[:8] == b"\x89PNG\r\n\x1a\n"  # drawn from that same SVG


def test_report_pdf_published_through_nginx_cites_the_port(stack):
    front = stack["front"]
    editor = Editor(front)
    editor.login("redaktion", PASSWORD)
    page = editor.post("/redaktion/berichte/neu", "/redaktion/berichte/neu", **FORM)
    rid = re.search(r"/redaktion/berichte/(\d+)/veroeffentlichen", page).group(1)
    editor.post(f"/redaktion/berichte/{rid}/veroeffentlichen", f"/redaktion/berichte/{rid}")
    status, h, body = get(front + f"/berichte/{FORM['slug']}.pdf")
    assert status == 200 and h["content-type"] == "application/pdf", (status, body[:300])
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    # The version's line names its page with the address the editor published from.
    cited = re.findall(r"https?://[\w.:-]+/berichte/" + FORM["slug"], re.sub(r"\s+", "", text))
    assert cited and all(urlsplit(u).port == urlsplit(front).port for u in cited), text[:1500]


def test_public_url_wins(app):
    """With PUBLIC_URL set, absolute links name it whatever Host the request came with."""
    app.config["PUBLIC_URL"] = "https://sozialmonitoring.example.de"
    trusted = app.config["TRUSTED_HOSTS"]
    app.config["TRUSTED_HOSTS"] = [*trusted, "sozialmonitoring.example.de"]
    try:
        html = app.test_client().get(MAP, headers={"Host": "127.0.0.1:5000"}).get_data(True)
        svg = app.test_client().get(
            "/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2020",
            headers={"Host": "127.0.0.1:5000"},
        )
    finally:
        app.config["PUBLIC_URL"] = ""
        app.config["TRUSTED_HOSTS"] = trusted
    assert "https://sozialmonitoring.example.de/embed/karte?" in html
    assert "127.0.0.1:5000/embed" not in html
    assert "https://sozialmonitoring.example.de/karte?" in svg.get_data(True)
