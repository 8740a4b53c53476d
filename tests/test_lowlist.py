"""Issue #26's low list: release labels, CSV injection, integer overflow, HSTS, passwords."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import text

from geodata.report import LoadError
from indicators.loaders import create_release
from tests.conftest import app_on_clone, invoke
from tests.test_editor import PASSWORD, login, token
from tests.test_releases import SMALL, small_release

HYPERLINK = '=HYPERLINK("http://example.invalid/x","Klick")'
BAD_LABELS = [HYPERLINK, "zeile\r\numbruch", "x" * 61, "-2025", "@SUMME(A1)", " 2025", "tab\tlabel"]


@pytest.fixture
def site(fresh_app):
    assert invoke(fresh_app, "editor-add", "redaktion", "--password", PASSWORD).exit_code == 0
    return fresh_app


def releases(application) -> list[str]:
    with application.extensions["sozmon_engine"].connect() as c:
        return list(c.scalars(text("SELECT label FROM release ORDER BY id")))


def test_cli_refuses_bad_release_labels(fresh_app, tmp_path):
    path = small_release(tmp_path / "klein.csv", SMALL)
    before = releases(fresh_app)
    for label in BAD_LABELS:
        for cmd in ("load-release", "import"):
            r = invoke(fresh_app, cmd, str(path), "--label", label)
            assert r.exit_code != 0, (cmd, label, r.output)
            assert "Label" in r.output and "Traceback" not in r.output, r.output
    assert releases(fresh_app) == before


def test_good_labels_pass_with_umlauts_and_the_domain_refuses_bad_ones(fresh_app, tmp_path):
    path = small_release(tmp_path / "klein.csv", SMALL)
    label = "Frühjahr 2025 (vorläufig) / Stand 03.04."
    r = invoke(fresh_app, "load-release", str(path), "--label", label, "--draft")
    assert r.exit_code == 0, r.output
    assert label in releases(fresh_app)
    with fresh_app.extensions["sozmon_engine"].begin() as c, pytest.raises(LoadError) as err:
        create_release(c, "x" * 61)  # every importer (GENESIS, INKAR, Zensus) passes here
    assert "höchstens 60" in str(err.value.problems[0])


def test_upload_form_refuses_bad_labels_with_a_400(site, tmp_path):
    path = small_release(tmp_path / "klein.csv", SMALL)
    client = site.test_client()
    login(client)
    before = releases(site)
    for label in (HYPERLINK, "a" * 61):
        r = client.post(
            "/redaktion/hochladen",
            data={
                "label": label,
                "csrf_token": token(client, "/redaktion/"),
                "files": [(path.open("rb"), path.name)],
            },
            content_type="multipart/form-data",
        )
        assert r.status_code == 400, r.status_code
        assert "Label" in r.get_data(as_text=True)
    english = client.post(
        "/redaktion/hochladen?lang=en",
        data={
            "label": HYPERLINK,
            "csrf_token": token(client, "/redaktion/"),
            "files": [(path.open("rb"), path.name)],
        },
        content_type="multipart/form-data",
    )
    assert english.status_code == 400 and "label" in english.get_data(as_text=True).lower()
    assert releases(site) == before


def test_old_hostile_labels_neither_break_nor_inject_downloads(site, tmp_path):
    """Labels from before the rule (an old database) reach the API CSV and the diff."""
    path = small_release(tmp_path / "klein.csv", SMALL)
    assert invoke(site, "load-release", str(path), "--label", "2025-1").exit_code == 0
    with site.extensions["sozmon_engine"].begin() as c:
        c.execute(text("UPDATE release SET label = :l WHERE label = '2025-1'"), {"l": HYPERLINK})
        c.execute(text("UPDATE release SET label = 'alt\r\n\"x' WHERE label = 'demo-2024-2'"))
        ids = dict(c.execute(text("SELECT label, id FROM release")).all())
    client = site.test_client()

    # The API's standard CSV: text cells that start like a formula are defused.
    r = client.get("/api/v1/values?indikator=sgb2_quote&jahr=2024&format=csv")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert rows and {x["release"] for x in rows} == {"'" + HYPERLINK}
    for fmt in ("csv", "csv-de"):
        body = client.get(f"/api/v1/values?indikator=sgb2_quote&jahr=2024&format={fmt}").data
        assert b"\n=HYPERLINK" not in body and b",=HYPERLINK" not in body
        assert b";=HYPERLINK" not in body
    # Negative numbers stay numbers (only text is defused).
    assert not any(v.startswith("'-") for x in rows for v in x.values() if v)

    # The editors' diff: no 500 for a CR/LF label, a sane file name, defused column names.
    login(client)
    a, b = ids['alt\r\n"x'], ids[HYPERLINK]
    page = client.get(f"/redaktion/vergleich?a={a}&b={b}")
    assert page.status_code == 200
    dl = client.get(f"/redaktion/vergleich?a={a}&b={b}&format=csv")
    assert dl.status_code == 200
    disposition = dl.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert re.fullmatch(
        r'attachment; filename="[A-Za-z0-9._()+-]+"(; filename\*=UTF-8\'\'\S+)?', disposition
    ), disposition
    header = next(csv.reader(io.StringIO(dl.get_data(as_text=True))))
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in header), header


def test_integer_parameters_beyond_int32_are_4xx(site):
    client = site.test_client()
    huge = "99999999999999999999"
    r = client.get(f"/berichte/nicht-da?version={huge}")
    assert r.status_code in (400, 404) and "version" in r.get_data(as_text=True)
    assert client.get("/berichte/nicht-da?version=2147483648").status_code in (400, 404)
    login(client)
    assert client.get(f"/redaktion/release/{huge}").status_code == 404
    assert client.get("/redaktion/release/2147483648").status_code == 404
    assert client.get(f"/redaktion/vergleich?a={huge}&b=1").status_code == 400
    assert client.get("/redaktion/vergleich?a=x&b=1").status_code == 400
    with site.extensions["sozmon_engine"].connect() as c:
        rid = c.scalar(text("SELECT min(id) FROM release"))
    assert client.get(f"/redaktion/release/{rid}?jahr={huge}").status_code == 400
    assert client.get(f"/redaktion/berichte/{huge}").status_code == 404


def test_hsts_only_on_https(loaded_template):
    for application in app_on_clone(
        loaded_template, TRUSTED_PROXY_HOPS=1, TRUSTED_PROXY_ADDRS=frozenset({"127.0.0.1"})
    ):
        client = application.test_client()
        plain = client.get("/redaktion/anmelden")
        assert "Strict-Transport-Security" not in plain.headers
        secure = client.get("/redaktion/anmelden", base_url="https://localhost")
        assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
        proxied = client.get("/redaktion/anmelden", headers={"X-Forwarded-Proto": "https"})
        assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000"
    for application in app_on_clone(loaded_template, HSTS_MAX_AGE=0):
        r = application.test_client().get("/redaktion/anmelden", base_url="https://localhost")
        assert "Strict-Transport-Security" not in r.headers


REFUSED = [
    ("kurz", "mindestens 12 Zeichen"),
    ("aaaaaaaaaaaaaa", "einzigen, wiederholten Zeichen"),
    ("meine-redaktion-2025", "Benutzernamen"),
    ("Passwort1234", "zu verbreitet"),
    ("Sonnenschein2024!", "zu verbreitet"),
    ("123456789012", "zu verbreitet"),
    ("qwertzuiop123", "zu verbreitet"),
    ("hallohallohallo", "zu verbreitet"),
    ("abcabcabcabc", "zu verbreitet"),
]


def test_password_rule(fresh_app):
    for password, reason in REFUSED:
        r = invoke(fresh_app, "editor-add", "redaktion", "--password", password)
        assert r.exit_code == 1 and reason in r.output, (password, r.output)


def test_good_passwords_pass(fresh_app):
    for pw in ("Lindenblatt fällt leise", "richtig-langes-passwort", "7 Zwerge hinter Bergen"):
        assert invoke(fresh_app, "editor-add", "redaktion", "--password", pw).exit_code == 0
