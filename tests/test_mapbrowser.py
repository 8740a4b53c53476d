"""Adding a table in the editors' area (issue #28): upload, inspect, map in a form, preview on a
map, save as draft — and the draft is the one `sozmon import-genesis --mapping` makes.

On PostGIS (the home region and the catalogue, no values), with the real held-out table
22543-01-02-4-B (tests/data/genesis_unseen/). Each data directory is the test's own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from geodata.attribution import LICENCE, STATISTICAL_OFFICES
from indicators.genesis_mapping import USER_DIR
from indicators.mapping_form import FormRow, field_errors, mapping_text
from tests import test_genesis_mapping as gm
from tests.conftest import invoke
from tests.test_editor import PASSWORD, login
from tests.test_genesis_mapping import KITA_MAPPING, UNSEEN, raw_long

# The home region and the catalogue, no values; a data directory of the test's own.
data_dir = gm.data_dir
region_app = gm.region_app

CODE = "22543-01-02-4-B"
ROW1 = {
    "z1-indicator": "kindertagespflege_kinder",
    "z1-kind": "count",
    "z1-numerator": f"{CODE}:Betreute Kinder",
    "z1-factor": "1",
    "z1-denominator_year_offset": "0",
    "z1-row_filter": "Tagespflege",
}


@pytest.fixture
def site(region_app):
    r = invoke(region_app, "editor-add", "redaktion", "--password", PASSWORD)
    assert r.exit_code == 0, r.output
    return region_app


@pytest.fixture
def editor(site):
    client = site.test_client()
    assert login(client).status_code == 302
    return client


def csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def upload(client, path: Path = UNSEEN) -> str:
    """Upload a table; the URL of its mapping page."""
    with path.open("rb") as fh:
        r = client.post(
            "/redaktion/tabelle/",
            data={"datei": (fh, path.name), "csrf_token": csrf(client, "/redaktion/tabelle/")},
            content_type="multipart/form-data",
        )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    return r.headers["Location"]


def post(client, url: str, **fields: str):
    return client.post(url, data={"csrf_token": csrf(client, url), **fields})


def state(app, data_dir: Path) -> tuple:
    """What a refused form must leave as it was: releases, values, catalogue, audit, files."""
    with app.extensions["sozmon_engine"].connect() as c:
        db = tuple(
            c.scalar(text(f"SELECT count(*) FROM {t}"))
            for t in ("release", "value", "indicator", "audit_log")
        )
    return db, sorted(p.name for p in (data_dir / USER_DIR).iterdir())


def all_values(app, label: str) -> list[tuple]:
    """Every stored column of a release's values but the release id, sorted."""
    with app.extensions["sozmon_engine"].connect() as c:
        return sorted(
            c.execute(
                text(
                    "SELECT v.indicator_id, v.ags, v.year, v.value, v.numerator, v.denominator,"
                    " v.suppressed, v.flag FROM value v JOIN release r ON r.id = v.release_id"
                    " WHERE r.label = :l"
                ),
                {"l": label},
            ).all()
        )


def test_the_page_shows_what_the_table_holds(editor):
    url = upload(editor)
    html = editor.get(url).get_data(as_text=True)
    for fragment in (
        CODE,
        "01.03.2016",
        "Tageseinrichtung | Tagespflege | Insgesamt (ohne Doppelzählungen)",
        "Betreute Kinder / Altersgruppe / unter 3 Jahre",
        "unbekannt: die Tabelle ist noch nicht im Mapping",
        "17 Schlüssel, 1 passen zu Gebieten, 16 nicht",  # Kreise: only the Region is loaded
        "„-“: 18",
        'id="z6-indicator"',  # one row per column path (6)
    ):
        assert fragment in html, fragment
    assert 'id="z7-indicator"' not in html


def test_a_mapping_made_in_the_browser_makes_the_same_draft_as_the_command_line(
    editor, site, data_dir, tmp_path
):
    url = upload(editor)
    before = state(site, data_dir)
    r = post(editor, url, label="kita-browser", fremde="1", aktion="vorschau", **ROW1)
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html[:3000]
    assert "Vorschau: nichts gespeichert" in html and "<svg" in html
    assert "1 von 21 Kommunen mit Wert" in html  # Hannover's Gemeinde row
    assert state(site, data_dir) == before  # the preview was rolled back
    r = post(editor, url, label="kita-browser", fremde="1", aktion="speichern", **ROW1)
    assert r.status_code == 302 and "/redaktion/release/" in r.headers["Location"]
    saved = data_dir / USER_DIR / f"{CODE}.csv"
    assert saved.exists()
    cli_mapping = tmp_path / "kita.csv"
    cli_mapping.write_text(KITA_MAPPING, encoding="utf-8")
    r = invoke(
        site,
        "import-genesis",
        str(UNSEEN),
        "--mapping",
        str(cli_mapping),
        "--label",
        "kita-cli",
        "--allow-unmatched",
        "--draft",
    )
    assert r.exit_code == 0, r.output
    browser, cli = all_values(site, "kita-browser"), all_values(site, "kita-cli")
    assert browser == cli and len(browser) == 2  # the Region's Kreis row and Hannover's row
    got = {(i, a, y): v for i, a, y, v, *_ in browser}
    assert got[("kindertagespflege_kinder", "03241", 2016)] == raw_long(
        UNSEEN, "01.03.2016", "03241", "Tagespflege", 4
    )
    # The saved mapping is in the data directory: the next export loads without --mapping.
    r = invoke(site, "import-genesis", str(UNSEEN), "--label", "kita-next", "--allow-unmatched")
    assert r.exit_code == 0, r.output
    assert [v[1:] for v in all_values(site, "kita-next")] == [v[1:] for v in cli]
    with site.extensions["sozmon_engine"].connect() as c:
        actions = list(
            c.scalars(text("SELECT action FROM audit_log WHERE release_label = 'kita-browser'"))
        )
        status = c.scalar(text("SELECT status FROM release WHERE label = 'kita-browser'"))
    assert sorted(actions) == ["import", "mapping_save"] and status == "draft"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"z1-numerator": f"{CODE}:Betreute Kinder / gibt es nicht"},
            "z1-numerator",
            f"Spaltenpfad &#39;Betreute Kinder / gibt es nicht&#39; gibt es in Tabelle {CODE} nicht",
        ),
        ({"z1-indicator": ""}, "z1-indicator", "leer: die Kennung einer Kennzahl"),
        ({"z1-kind": "summe"}, "z1-kind", "&#39;summe&#39;: eine von count"),
        (
            {"z1-indicator": "gibt_es_nicht"},
            "z1-indicator",
            "Kennzahl &#39;gibt_es_nicht&#39; fehlt im Katalog",
        ),
        ({"z1-row_filter": "Keine solche Zeile"}, "z1-row_filter", "Keine solche Zeile"),
        (
            {
                "neu-id": "kita_neu",
                "neu-topic": "bildung",
                "neu-name_de": "Neu",
                "neu-unit": "Furlong",
                "neu-decimals": "0",
                "neu-polarity": "neutral",
                "neu-definition_de": "Eine Definition",
                "neu-source": "Regionaldatenbank",
                "neu-licence": LICENCE,
            },
            "neu-unit",
            "unbekannte Einheit &#39;Furlong&#39;",
        ),
        ({"label": ""}, "label", "leer: ein Label"),
    ],
)
def test_bad_input_is_answered_422_next_to_its_field_and_nothing_is_stored(
    editor, site, data_dir, fields, field, message
):
    url = upload(editor)
    before = state(site, data_dir)
    for aktion in ("vorschau", "speichern"):
        r = post(
            editor, url, **{"label": "kita-x", "fremde": "1", "aktion": aktion, **ROW1, **fields}
        )
        html = r.get_data(as_text=True)
        assert r.status_code == 422, html[:2000]
        error = re.search(rf'<span class="field-error" id="{field}-fehler">([^<]*)</span>', html)
        assert error is not None, html[html.find('role="alert"') :][:1500]
        assert message in error.group(1), error.group(1)
        assert f'id="{field}" name="{field}" aria-invalid="true"' in html
        assert state(site, data_dir) == before


def test_a_new_indicator_is_described_in_the_form_and_stored_with_the_draft(editor, site, data_dir):
    url = upload(editor)
    topic = _a_topic(site)
    new = {
        "neu-id": "kindertagespflege_tagespflege_2011",
        "neu-topic": topic,
        "neu-name_de": "Kinder in Kindertagespflege (ab 2011)",
        "neu-name_en": "Children in child-minding (from 2011)",
        "neu-unit": "Anzahl",
        "neu-decimals": "0",
        "neu-polarity": "neutral",
        "neu-definition_de": "Betreute Kinder in öffentlich geförderter Kindertagespflege am 1. März.",
        "neu-source": f"{STATISTICAL_OFFICES}, Tabelle 22543-01-02-4-B",
        "neu-licence": LICENCE,
    }
    row = {**ROW1, "z1-indicator": new["neu-id"]}
    r = post(editor, url, label="kita-neu", fremde="1", aktion="speichern", **row, **new)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    with site.extensions["sozmon_engine"].connect() as c:
        ind = c.execute(
            text("SELECT unit, source, first_year FROM indicator WHERE id = :i"),
            {"i": new["neu-id"]},
        ).one()
        actions = sorted(
            c.scalars(text("SELECT action FROM audit_log WHERE release_label = 'kita-neu'"))
        )
    assert ind.unit == "Anzahl" and f"Lizenz: {LICENCE}" in ind.source and ind.first_year == 2016
    assert actions == ["catalogue_add", "import", "mapping_save"]
    values = all_values(site, "kita-neu")
    assert {v[0] for v in values} == {new["neu-id"]} and len(values) == 2


def _a_topic(app) -> str:
    with app.extensions["sozmon_engine"].connect() as c:
        return c.scalar(text("SELECT id FROM topic ORDER BY sort, id LIMIT 1"))


def test_an_office_file_is_inspected_and_not_kept(editor, site, data_dir):
    office = Path(__file__).parent / "data" / "releases" / "long_utf8_comma.csv"
    before = state(site, data_dir)
    with office.open("rb") as fh:
        r = editor.post(
            "/redaktion/tabelle/",
            data={"datei": (fh, office.name), "csrf_token": csrf(editor, "/redaktion/tabelle/")},
            content_type="multipart/form-data",
        )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "eigene Release-Datei" in html and "langform" in html
    assert state(site, data_dir) == before


def test_the_pages_need_a_login_and_the_csrf_token(site):
    client = site.test_client()
    r = client.get("/redaktion/tabelle/")
    assert r.status_code == 302 and "/redaktion/anmelden" in r.headers["Location"]
    assert login(client).status_code == 302
    url = upload(client)
    r = client.post(url, data={"label": "kita-x", "aktion": "speichern", **ROW1})
    assert r.status_code == 400
    assert client.get("/redaktion/tabelle/" + "0" * 32).status_code == 404


def test_form_problems_go_to_their_rows_fields():
    rows = [FormRow("a", {}), FormRow("b", {"indicator": "x", "kind": "count"})]
    fm = mapping_text(CODE, "T", ["a", "b"], rows, "redaktion")
    (line,) = fm.row_of_line
    assert fm.text.splitlines()[line - 1].startswith("x;count;")
    from geodata.report import Problem

    errors = field_errors(
        [Problem("f.csv", line, "factor", "leer"), Problem("f.csv", 3, "label", "doppelt")],
        "f.csv",
        fm,
    )
    assert errors.fields == {"z2-factor": ["leer"]} and errors.general == ["doppelt"]


@pytest.fixture
def app_role_site(fresh_app, tmp_path):
    """The web app as the role sozmon_app (owns nothing, migration 0013) on a copy of the loaded
    database, with a data directory of the test's own: as the server runs it."""
    from sqlalchemy.engine import make_url

    from tests.conftest import admin_sql, as_app_role, make_app

    assert invoke(fresh_app, "editor-add", "redaktion", "--password", PASSWORD).exit_code == 0
    name = make_url(fresh_app.config["DATABASE_URL"]).database
    admin_sql(f'REVOKE CREATE, TEMPORARY ON DATABASE "{name}" FROM PUBLIC')
    admin_sql(f'GRANT TEMPORARY ON DATABASE "{name}" TO sozmon_app')
    folder = tmp_path / "data"
    (folder / USER_DIR).mkdir(parents=True)
    application = make_app(
        name,
        DATABASE_URL=as_app_role(fresh_app.config["DATABASE_URL"]),
        DATA_DIR=folder,
        CACHE_DIR=str(tmp_path / "cache"),
    )
    yield application, folder
    application.extensions["sozmon_engine"].dispose()


def test_preview_and_save_work_as_the_web_apps_role(app_role_site):
    application, folder = app_role_site
    client = application.test_client()
    assert login(client).status_code == 302
    url = upload(client)
    r = post(client, url, label="kita-rolle", fremde="1", aktion="vorschau", **ROW1)
    assert r.status_code == 200, r.get_data(as_text=True)[:2000]
    r = post(client, url, label="kita-rolle", fremde="1", aktion="speichern", **ROW1)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert (folder / USER_DIR / f"{CODE}.csv").exists()
    got = {(a, y): v for _i, a, y, v, *_ in all_values(application, "kita-rolle")}
    for key in ("03241", "03241001"):  # in the default partition: the role makes no tables
        assert got[(key, 2016)] == raw_long(UNSEEN, "01.03.2016", key, "Tagespflege", 4)
    with application.extensions["sozmon_engine"].connect() as c:
        parts = set(
            c.scalars(
                text(
                    "SELECT v.tableoid::regclass::text FROM value v JOIN release r"
                    " ON r.id = v.release_id WHERE r.label = 'kita-rolle'"
                )
            )
        )
    assert parts == {"value_default"}
