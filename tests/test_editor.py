"""The editors' area: login (hash, CSRF, lockout, cookie flags), upload, preview, publish, diff."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import EDITOR_PASSWORD, invoke
from tests.test_import_corpus import full_checksum
from tests.test_releases import SMALL, small_release

DATA = Path(__file__).parent / "data"
PASSWORD = EDITOR_PASSWORD


def token(client, path: str = "/redaktion/anmelden") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, name: str = "redaktion", password: str = PASSWORD, **extra):
    return client.post(
        "/redaktion/anmelden",
        data={"name": name, "password": password, "csrf_token": token(client), **extra},
    )


@pytest.fixture
def site(fresh_app):
    """A fresh database with one editor."""
    result = invoke(fresh_app, "editor-add", "redaktion", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    return fresh_app


def test_password_is_stored_hashed_and_must_be_long(site):
    with site.extensions["sozmon_engine"].connect() as c:
        stored = c.scalar(text("SELECT password_hash FROM editor WHERE name = 'redaktion'"))
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    short = invoke(site, "editor-add", "kurz", "--password", "abc")
    assert short.exit_code == 1 and "mindestens 12 Zeichen" in short.output
    prompted = site.test_cli_runner().invoke(
        args=["editor-add", "zweite"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert prompted.exit_code == 0 and "Redakteur zweite gespeichert" in prompted.output


def test_login_sets_a_secure_session_cookie(site):
    client = site.test_client()
    r = login(client, next="/redaktion/")
    assert r.status_code == 302 and r.headers["Location"] == "/redaktion/"
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/redaktion/")
    assert page.status_code == 200 and "demo-2024-2" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_every_editors_page_is_never_stored(site):
    """Every GET route of the editors' blueprints (those without a path parameter) says
    `no-store`, logged in or not: a shared cache must never hand a draft to the public."""
    from app.editors.blueprint import no_store

    rules = [
        r
        for r in site.url_map.iter_rules()
        if r.rule.startswith("/redaktion") and "GET" in r.methods and not r.arguments
    ]
    blueprints = {r.endpoint.split(".")[0] for r in rules}
    assert {"editor", "berichte_editor", "mapping", "sozialindex_editor"} <= blueprints
    for bp in blueprints:
        assert no_store in site.blueprints[bp].after_request_funcs[None], bp
    client = site.test_client()
    for rule in rules:
        assert client.get(rule.rule).headers["Cache-Control"] == "no-store", rule.rule
    assert login(client).status_code == 302
    for rule in rules:
        r = client.get(rule.rule)
        assert r.headers["Cache-Control"] == "no-store", (rule.rule, r.status_code)


def test_wrong_password_is_refused_and_counted(site):
    client = site.test_client()
    r = login(client, password="falsch-falsch-falsch")
    assert r.status_code == 401
    assert "Name oder Passwort ist falsch" in r.get_data(as_text=True)
    assert client.get("/redaktion/").status_code == 302  # still anonymous
    unknown = login(client, name="niemand")
    assert unknown.status_code == 401  # same answer for an unknown name
    with site.extensions["sozmon_engine"].connect() as c:
        assert c.scalar(text("SELECT count(*) FROM login_failure")) == 2


def test_post_without_or_with_wrong_csrf_token_is_refused(site):
    client = site.test_client()
    r = client.post("/redaktion/anmelden", data={"name": "redaktion", "password": PASSWORD})
    assert r.status_code == 400 and "Sicherheitstoken" in r.get_data(as_text=True)
    token(client)
    r = client.post(
        "/redaktion/anmelden",
        data={"name": "redaktion", "password": PASSWORD, "csrf_token": "geraten"},
    )
    assert r.status_code == 400
    assert client.get("/redaktion/").status_code == 302
    assert login(client).status_code == 302  # with the token it works
    # a logged-in editor's POST needs the token too
    r = client.post("/redaktion/abmelden")
    assert r.status_code == 400
    assert client.get("/redaktion/").status_code == 200


def test_lockout_after_five_failures_holds_for_the_right_password(site):
    client = site.test_client()
    for _ in range(5):
        assert login(client, password="falsch-falsch-falsch").status_code == 401
    r = login(client)
    assert r.status_code == 429 and "15 Minuten gesperrt" in r.get_data(as_text=True)
    assert client.get("/redaktion/").status_code == 302
    # the lock is on the account: another name from the same address is still checked
    # (spraying across accounts is throttled per address, see test_hardening)
    assert login(client, name="andere").status_code == 401
    # from another address the locked account stays locked
    other = site.test_client()
    ok = other.post(
        "/redaktion/anmelden",
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
        data={"name": "redaktion", "password": PASSWORD, "csrf_token": token(other)},
    )
    assert ok.status_code == 429  # … but not while the name itself is locked
    with site.extensions["sozmon_engine"].begin() as c:  # 15 minutes later
        c.execute(text("UPDATE login_failure SET failed_at = failed_at - interval '16 minutes'"))
    assert login(client).status_code == 302


def test_login_does_not_redirect_to_other_sites(site):
    r = login(site.test_client(), next="//evil.example/x")
    assert r.headers["Location"] == "/redaktion/"


def test_editor_pages_need_login(site):
    client = site.test_client()
    r = client.get("/redaktion/release/1")
    assert r.status_code == 302 and "/redaktion/anmelden" in r.headers["Location"]
    assert client.get("/redaktion/vergleich?a=1&b=2").status_code == 302


def upload(client, files: list[Path], label: str, catalogue: Path | None = None):
    data = {
        "label": label,
        "csrf_token": token(client, "/redaktion/"),
        "files": [(f.open("rb"), f.name) for f in files],
    }
    if catalogue:
        data["catalogue"] = (catalogue.open("rb"), catalogue.name)
    return client.post("/redaktion/hochladen", data=data, content_type="multipart/form-data")


def test_bad_upload_shows_the_full_report_and_changes_nothing(site):
    client = site.test_client()
    login(client)
    before = full_checksum(site)
    r = upload(
        client,
        [DATA / "bad_releases" / "unknown_ags.csv", DATA / "bad_releases" / "merged_header.xlsx"],
        "kaputt",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "nichts gespeichert" in html
    assert "unknown_ags.csv" in html and "/tmp/" not in html  # the editor's file names
    assert "AGS &#39;03241099&#39; ist in den Gebietsgrenzen nicht vorhanden" in html
    assert "verbundene Zellen in der Kopfzeile (C1:D1)" in html and "Werte" in html
    assert 'download="pruefbericht.csv"' in html
    after = full_checksum(site)
    assert {k: v for k, v in after.items() if k != "login_failure"} == {
        k: v for k, v in before.items() if k != "login_failure"
    }


def test_upload_preview_publish_and_diff_in_the_browser(site, tmp_path):
    client = site.test_client()
    login(client)
    path = small_release(tmp_path / "klein.csv", SMALL)
    r = upload(client, [path], "2025-1")
    assert r.status_code == 302
    preview_url = r.headers["Location"]
    rid = int(preview_url.rsplit("/", 1)[1])
    html = client.get(preview_url + "?indikator=sgb2_quote&jahr=2023").get_data(as_text=True)
    assert "Entwurf" in html and "Jetzt veröffentlichen" in html
    assert "4 Werte werden geheim gehalten" in html  # the plan before publishing
    assert "sekundär" in html
    # anonymous users cannot see the draft
    assert site.test_client().get(preview_url).status_code == 302
    r = client.post(
        f"/redaktion/release/{rid}/veroeffentlichen",
        data={"csrf_token": token(client, "/redaktion/")},
    )
    assert r.status_code == 302
    assert "4 Werte geheim gehalten" in client.get("/redaktion/").get_data(as_text=True)
    html = client.get(preview_url + "?indikator=sgb2_quote&jahr=2023").get_data(as_text=True)
    preview = html.split("Was dieses Release auf den Seiten ändert")[0]
    assert preview.count("geheim</td>") == 4  # value and numerator of the two withheld Kommunen
    demo = next(
        int(m)
        for m in re.findall(
            r'/redaktion/release/(\d+)"', client.get("/redaktion/").get_data(as_text=True)
        )
        if int(m) != rid
    )
    diff = client.get(f"/redaktion/vergleich?a={demo}&b={rid}")
    assert diff.status_code == 200 and "geändert" in diff.get_data(as_text=True)
    dl = client.get(f"/redaktion/vergleich?a={demo}&b={rid}&format=csv")
    assert dl.mimetype == "text/csv" and "attachment" in dl.headers["Content-Disposition"]
    assert "geheim" in dl.get_data(as_text=True)
    bad = client.get("/redaktion/vergleich?a=1&b=999999")
    assert bad.status_code == 400 and "zwei vorhandene Releases" in bad.get_data(as_text=True)
    assert client.get("/redaktion/release/999999").status_code == 404


def test_public_site_has_no_post_forms_and_stays_anonymous(client):
    html = client.get("/").get_data(as_text=True)
    assert 'method="post"' not in html.lower()
    # a POST to a read-only page stays a 405 (the CSRF check only guards routed POSTs)
    assert client.post("/").status_code == 405
