"""Hardening for the public internet (issue 13): each test failed on the code before the fix."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import stat
import threading
import time
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import make_url, text

from app import instance_secret_key
from indicators import tables
from tests.conftest import invoke, make_app
from tests.test_editor import PASSWORD, login, token, upload
from tests.test_import_corpus import full_checksum

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def site(fresh_app):
    """A fresh database with one editor."""
    result = invoke(fresh_app, "editor-add", "redaktion", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    return fresh_app


def db(application):
    return application.extensions["sozmon_engine"]


# --- 3. secret key readable by its owner only ------------------------------------------------


def test_secret_key_file_is_private(tmp_path):
    app = Flask("k", instance_path=str(tmp_path / "instance"))
    key = instance_secret_key(app)
    path = tmp_path / "instance" / "secret_key"
    assert len(key) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # a key left world-readable by an older version is narrowed
    assert instance_secret_key(app) == key and stat.S_IMODE(path.stat().st_mode) == 0o600


# --- 4. open redirect after login; CR/LF in next ---------------------------------------------

BYPASSES = [
    "//evil.example/x",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "/\u3000/evil.example",
    "/\u2028/evil.example",
    "https://evil.example",
    "http:evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "data:text/html,x",
    "evil.example",
    "/redaktion/\r\nSet-Cookie: x=1",
    "",
]


@pytest.mark.parametrize("target", BYPASSES)
def test_login_never_redirects_off_site(site, target):
    r = login(site.test_client(), next=target)
    assert r.status_code == 302 and r.headers["Location"] == "/redaktion/"


def test_next_from_the_login_link_is_checked_after_decoding(site):
    client = site.test_client()
    html = client.get("/redaktion/anmelden?next=/%09/evil.example").get_data(as_text=True)
    sent = re.search(r'name="next" value="([^"]*)"', html).group(1)
    r = client.post(
        "/redaktion/anmelden",
        data={"name": "redaktion", "password": PASSWORD, "csrf_token": token(client), "next": sent},
    )
    assert r.headers["Location"] == "/redaktion/"


def test_a_path_on_the_site_is_kept(site):
    r = login(site.test_client(), next="/karte?indikator=sgb2_quote&jahr=2023")
    assert r.headers["Location"] == "/karte?indikator=sgb2_quote&jahr=2023"


# --- 5. Host header ---------------------------------------------------------------------------


def test_foreign_host_header_is_refused_and_poisons_nothing(client):
    evil = client.get("/karte?indikator=sgb2_quote", headers={"Host": "evil.example"})
    assert evil.status_code == 400
    assert "evil.example" not in evil.get_data(as_text=True)
    assert client.get("/api/v1/topics", headers={"Host": "evil.example"}).status_code == 400
    page = client.get("/karte?indikator=sgb2_quote").get_data(as_text=True)
    assert "evil.example" not in page
    assert "http://localhost/embed/karte?indikator=sgb2_quote" in page


def test_absolute_links_come_from_public_url(fresh_app):
    name = make_url(fresh_app.config["DATABASE_URL"]).database
    app = make_app(name, PUBLIC_URL="https://sozialmonitoring.example.de/")
    try:
        client = app.test_client()
        base = "https://sozialmonitoring.example.de"
        page = client.get("/karte?indikator=sgb2_quote", base_url=base).get_data(as_text=True)
        assert f"{base}/embed/karte?indikator=sgb2_quote" in page
        # only the public host is answered
        assert client.get("/karte?indikator=sgb2_quote").status_code == 400
        assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    finally:
        db(app).dispose()


# --- 6. revocable sessions, absolute lifetime -------------------------------------------------


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_logout_revokes_the_old_cookie(site):
    client = site.test_client()
    login(client)
    stolen = _cookie(client)
    assert _with_cookie(site, stolen).get("/redaktion/").status_code == 200
    r = client.post("/redaktion/abmelden", data={"csrf_token": token(client, "/redaktion/")})
    assert r.status_code == 302
    assert _with_cookie(site, stolen).get("/redaktion/").status_code == 302


def test_removing_an_editor_or_a_new_password_ends_sessions(site):
    client = site.test_client()
    login(client)
    cookie = _cookie(client)
    assert invoke(site, "editor-add", "redaktion", "--password", PASSWORD + "-neu").exit_code == 0
    assert _with_cookie(site, cookie).get("/redaktion/").status_code == 302
    login(client, password=PASSWORD + "-neu")
    cookie = _cookie(client)
    removed = invoke(site, "editor-remove", "redaktion")
    assert removed.exit_code == 0 and "entfernt" in removed.output
    assert _with_cookie(site, cookie).get("/redaktion/").status_code == 302
    unknown = invoke(site, "editor-remove", "niemand")
    assert unknown.exit_code == 1 and "niemand" in unknown.output


def test_session_has_an_absolute_lifetime(site):
    client = site.test_client()
    login(client)
    page = client.get("/redaktion/")
    assert page.status_code == 200
    assert "Set-Cookie" not in page.headers  # a request does not extend the session
    with client.session_transaction() as s:
        s["login_at"] = time.time() - 8 * 3600 - 60  # logged in 8 h 1 min ago, active since
    assert client.get("/redaktion/").status_code == 302


# --- 7. lockout per account, throttle per address, atomic, through a trusted proxy ------------


def test_made_up_names_do_not_lock_out_the_real_editor(site):
    client = site.test_client()
    for _ in range(5):
        assert login(client, name="ausgedacht").status_code == 401
    assert login(client, name="ausgedacht").status_code == 429
    assert login(client).status_code == 302  # same address, real account: not locked


def test_one_address_is_throttled_across_names(site):
    client = site.test_client()
    for i in range(20):
        assert login(client, name=f"name{i}").status_code == 401
    assert login(client).status_code == 429
    other = site.test_client()
    ok = other.post(
        "/redaktion/anmelden",
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
        data={"name": "redaktion", "password": PASSWORD, "csrf_token": token(other)},
    )
    assert ok.status_code == 302


def test_parallel_tries_never_overshoot_the_limit(site):
    clients = [site.test_client() for _ in range(8)]
    tokens = [token(c) for c in clients]
    barrier = threading.Barrier(8)
    codes: list[int] = []

    def attempt(i: int) -> None:
        barrier.wait()
        r = clients[i].post(
            "/redaktion/anmelden",
            data={"name": "redaktion", "password": "falsch-falsch-falsch", "csrf_token": tokens[i]},
        )
        codes.append(r.status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [401] * 5 + [429] * 3
    with db(site).connect() as c:
        assert c.scalar(text("SELECT count(*) FROM login_failure")) == 5


def test_client_address_through_a_trusted_proxy(fresh_app):
    name = make_url(fresh_app.config["DATABASE_URL"]).database
    # the test client's peer is 127.0.0.1: here that is the proxy (scripts/serve uses a socket)
    app = make_app(name, TRUSTED_PROXY_HOPS=1, TRUSTED_PROXY_ADDRS=frozenset({"127.0.0.1"}))
    try:
        assert invoke(app, "editor-add", "redaktion", "--password", PASSWORD).exit_code == 0
        for i in range(20):
            c = app.test_client()
            r = c.post(
                "/redaktion/anmelden",
                headers={"X-Forwarded-For": "203.0.113.5"},
                data={"name": f"n{i}", "password": "x", "csrf_token": token(c)},
            )
            assert r.status_code == 401
        c = app.test_client()
        r = c.post(
            "/redaktion/anmelden",
            headers={"X-Forwarded-For": "203.0.113.5"},
            data={"name": "redaktion", "password": PASSWORD, "csrf_token": token(c)},
        )
        assert r.status_code == 429  # that client is throttled …
        r = c.post(
            "/redaktion/anmelden",
            headers={"X-Forwarded-For": "198.51.100.9"},
            data={"name": "redaktion", "password": PASSWORD, "csrf_token": token(c)},
        )
        assert r.status_code == 302  # … another client behind the same proxy is not
        with db(app).connect() as conn:
            ips = set(conn.scalars(text("SELECT ip FROM login_failure")))
        assert ips == {"203.0.113.5"}
    finally:
        db(app).dispose()


# --- 8. XLSX decompression bomb, corrupt sheet XML --------------------------------------------


def _xlsx_with_sheet(path: Path, sheet_xml: bytes) -> Path:
    """A real workbook whose first sheet's XML is replaced."""
    wb = Workbook()
    ws = wb.active
    ws.append(["ags", "indicator", "year", "value"])
    ws.append(["03241001", "sgb2_quote", 2025, 10.5])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml(data) if callable(sheet_xml) else sheet_xml
            dst.writestr(info.filename, data, compresslevel=9)
    return path


def test_xlsx_bomb_is_refused_before_parsing(site, tmp_path):
    # 64 MB of whitespace inside the sheet: about 64 KB packed (ratio ~1000 : 1)
    bomb = _xlsx_with_sheet(
        tmp_path / "bombe.xlsx",
        lambda x: x.replace(b"</worksheet>", b" " * (64 << 20) + b"</worksheet>"),
    )
    assert bomb.stat().st_size < 1 << 20
    client = site.test_client()
    login(client)
    before = full_checksum(site)
    started = time.monotonic()
    r = upload(client, [bomb], "bombe")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Zip-Bombe" in html and "bombe.xlsx" in html
    assert time.monotonic() - started < 5
    after = full_checksum(site)
    assert {k: v for k, v in after.items() if k not in ("login_failure", "audit_log")} == {
        k: v for k, v in before.items() if k not in ("login_failure", "audit_log")
    }


def test_xlsx_unpacked_size_is_limited(site, tmp_path, monkeypatch):
    path = _xlsx_with_sheet(tmp_path / "gross.xlsx", lambda x: x)
    monkeypatch.setattr(tables, "XLSX_MAX_UNPACKED", 2000)
    r = invoke(site, "import", str(path), "--label", "gross")
    assert r.exit_code == 1 and "entpackt zu groß" in r.output


def test_corrupt_sheet_xml_gets_a_german_message(site, tmp_path):
    broken = _xlsx_with_sheet(
        tmp_path / "kaputt.xlsx", lambda x: x[: x.index(b"</sheetData>") - 20]
    )
    client = site.test_client()
    login(client)
    r = upload(client, [broken], "kaputt")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "beschädigt" in html and "kaputt.xlsx" in html


# --- 9. NUL bytes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/karte?indikator=%00",
        "/embed/karte?indikator=a%00b",
        "/disparitaeten/%00",
        "/kommunen/%00",
        "/api/v1/values?indikator=%00",
        "/karte?a%00=1",
    ],
)
def test_nul_byte_is_a_bad_request(client, url):
    r = client.get(url)
    assert r.status_code == 400
    if url.startswith("/api/"):
        assert r.headers["Content-Type"] == "application/problem+json"
    else:
        assert "Nullzeichen" in r.get_data(as_text=True)


# --- 10. CSP without inline scripts, Permissions-Policy ---------------------------------------


def _inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, flags=re.S)


@pytest.mark.parametrize("url", ["/karte?indikator=sgb2_quote", "/embed/karte", "/", "/daten"])
def test_csp_allows_only_hashed_inline_scripts(client, url):
    for _ in range(2):  # built, then served from the page cache: same header
        r = client.get(url)
        assert r.status_code == 200
        csp = r.headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        html = r.get_data(as_text=True)
        assert not re.search(r"<[^>]+\son[a-z]+=", html)  # no inline event handlers
        for script in _inline_scripts(html):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in script_src
        policy = r.headers["Permissions-Policy"]
        assert "geolocation=()" in policy and "camera=()" in policy


# --- 11. small defaults and messages ------------------------------------------------------------


def test_serve_keeps_the_session_cookie_secure():
    serve = (ROOT / "scripts" / "serve").read_text()
    assert not re.search(r"SESSION_COOKIE_SECURE[^\n]*:-0", serve)


def test_too_large_upload_is_answered_in_german(site):
    client = site.test_client()
    login(client)
    site.config["MAX_CONTENT_LENGTH"] = 10_000
    data = {
        "label": "gross",
        "csrf_token": token(client, "/redaktion/"),
        "files": [(io.BytesIO(b"x" * 20_000), "gross.csv")],
    }
    r = client.post("/redaktion/hochladen", data=data, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 413 and "zu groß" in html and "Request Entity" not in html


def test_api_405_detail_is_german(client):
    r = client.post("/api/v1/topics")
    body = r.get_json(force=True)
    assert r.status_code == 405 and "nicht erlaubt" in body["detail"]
    assert "The method" not in body["detail"]


# --- operations: audit log ----------------------------------------------------------------------


def test_audit_log_records_editors_actions_and_shows_them(site, tmp_path):
    from tests.test_releases import SMALL, small_release

    client = site.test_client()
    login(client)
    r = upload(client, [small_release(tmp_path / "klein.csv", SMALL)], "2025-1")
    assert r.status_code == 302
    rid = int(r.headers["Location"].rsplit("/", 1)[-1])
    r = client.post(
        f"/redaktion/release/{rid}/veroeffentlichen",
        data={"csrf_token": token(client, "/redaktion/")},
    )
    assert r.status_code == 302
    assert invoke(site, "rollback", "2025-1", "--force").exit_code == 0
    upload(client, [small_release(tmp_path / "klein2.csv", SMALL)], "2025-2")
    assert invoke(site, "discard-draft", "2025-2").exit_code == 0
    with db(site).connect() as c:
        rows = c.execute(text("SELECT editor, action, release_label FROM audit_log ORDER BY id"))
        log = [tuple(r) for r in rows]
    # The site's editor was added on the command line: that is logged first (issue #26).
    assert log[0][0].startswith("cli") and log[0][1:] == ("editor_add", None)
    log = log[1:]
    assert log[:3] == [
        ("redaktion", "login", None),
        ("redaktion", "import", "2025-1"),
        ("redaktion", "publish", "2025-1"),
    ]
    assert log[3][1:] == ("rollback", "2025-1") and log[3][0].startswith("cli")
    assert log[4] == ("redaktion", "import", "2025-2")
    assert log[5][1:] == ("discard", "2025-2")
    html = client.get("/redaktion/").get_data(as_text=True)
    assert "Protokoll" in html and "veröffentlicht" in html and "verworfen" in html
    client.post("/redaktion/abmelden", data={"csrf_token": token(client, "/redaktion/")})
    with db(site).connect() as c:
        assert c.scalar(text("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")) == "logout"
