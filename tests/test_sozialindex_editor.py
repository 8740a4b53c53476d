"""Sozialindex definitions edited in /redaktion/sozialindex (issue #30): stored in a draft,
shown once it is published, gone with a rollback; refused definitions store nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from indicators import social_index_store
from indicators.social_index import load_definition
from tests.conftest import editor_site, invoke
from tests.test_api_paging import walk_values
from tests.test_editor import login
from tests.test_notes import csrf
from tests.test_sozialindex import recompute

SHIPPED = load_definition()


@pytest.fixture(scope="module")
def site(loaded_template):
    """Its own copy of the demo-mode database with one editor (the tests publish releases)."""
    yield from editor_site(loaded_template)


def engine(site):
    return site.extensions["sozmon_engine"]


def editor(site):
    client = site.test_client()
    assert login(client).status_code == 302
    return client


def form(client, **fields) -> dict[str, str]:
    page = client.get("/redaktion/sozialindex/").get_data(as_text=True)
    data = {
        "release_id": "",
        "label": "",
        "key": "index-probe",
        "name_de": "Probeindex",
        "name_en": "Probe index",
        "indikator_1": "sgb2_personen_quote",
        "richtung_1": "-1",
        "status_year": "2021",
        "dynamics_from": "2021",
        "dynamics_to": "2022",
        "status_very_low": "1,2",
        "status_low": "0.5",
        "status_high": "−0.5",
        "dynamics_negative": "0.5",
        "dynamics_positive": "-0.5",
        "min_cases": "20",
        "min_base": "300",
        "csrf_token": csrf(page),
    }
    return {**data, **fields}


def counts(site) -> tuple[int, int, int]:
    with engine(site).connect() as c:
        return (
            c.scalar(text("SELECT count(*) FROM index_definition")),
            c.scalar(text("SELECT count(*) FROM release")),
            c.scalar(text("SELECT count(*) FROM audit_log WHERE action LIKE 'index%'")),
        )


def test_refused_definitions_say_why_and_store_nothing(site):
    client = editor(site)
    before = counts(site)
    with engine(site).connect() as c:
        taken = c.scalar(text("SELECT label FROM release ORDER BY id LIMIT 1"))
    for change, expect in (
        ({"indikator_1": "gibt_es_nicht"}, "„gibt_es_nicht“ gibt es nicht"),
        # in demo mode this indicator has synthetic values only
        ({"indikator_1": "sgb2_15_64_quote"}, "nur synthetische Werte"),
        ({"status_year": "1990"}, "hat 1990 keine echten Werte der Kommunen"),
        ({"dynamics_from": "2022", "dynamics_to": "2021"}, "dynamics_from muss vor"),
        ({"status_low": "zwei"}, "„zwei“ ist keine Zahl"),
        ({"status_low": "2"}, "status_very_low &gt; status_low &gt; status_high"),
        ({"richtung_1": "0"}, "Richtung muss 1 oder −1"),
        ({"indikator_1": ""}, "keine Indikatoren"),
        ({"label": ""}, "Bitte einen Entwurf wählen"),
        ({"label": taken}, "existiert bereits"),
    ):
        fields = {"label": "index-refused", **change}
        r = client.post("/redaktion/sozialindex/", data=form(client, **fields))
        html = r.get_data(as_text=True)
        assert r.status_code == 422, change
        assert expect in html, (change, html[html.find("form-error") :][:300])
        assert 'aria-invalid="true"' in html, change
        assert counts(site) == before, change  # not even the new draft
    # a published release's definition is not changed in place
    with engine(site).connect() as c:
        published = c.scalar(text("SELECT id FROM release WHERE status = 'published' LIMIT 1"))
    r = client.post("/redaktion/sozialindex/", data=form(client, release_id=str(published)))
    assert r.status_code == 422 and "nur in einem Entwurf" in r.get_data(as_text=True)
    assert counts(site) == before


def test_a_definition_counts_only_while_its_release_is_published(site):
    client = editor(site)
    anon = site.test_client()
    assert anon.get("/api/v1/sozialindex").get_json()["definition"]["key"] == SHIPPED.key
    r = client.post("/redaktion/sozialindex/", data=form(client, label="index-2025-1"))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with engine(site).connect() as c:
        rid = c.scalar(text("SELECT id FROM release WHERE label = 'index-2025-1'"))
        stored = social_index_store.release_definition(c, rid)
    assert stored is not None and stored.status == "draft"
    assert stored.definition.indicator_ids == ("sgb2_personen_quote",)
    assert stored.definition.indicators[0].direction == -1
    assert stored.definition.status_high == -0.5 and stored.definition.status_very_low == 1.2
    # a draft's definition is not shown
    body = anon.get("/api/v1/sozialindex").get_json()
    assert body["definition"]["key"] == SHIPPED.key and body["definition"]["release"] is None
    assert "mitgelieferte Definition" in anon.get("/sozialindex").get_data(as_text=True)
    # published: page and API use it, and the classes follow the new rule (recomputed apart)
    page = client.get(f"/redaktion/release/{rid}").get_data(as_text=True)
    published = client.post(
        f"/redaktion/release/{rid}/veroeffentlichen", data={"csrf_token": csrf(page)}
    )
    assert published.status_code == 302
    body = anon.get("/api/v1/sozialindex").get_json()
    d = body["definition"]
    assert (d["key"], d["release"], d["status_year"]) == ("index-probe", "index-2025-1", 2021)
    assert d["indicators"] == [{"id": "sgb2_personen_quote", "direction": -1}]
    assert d["status_thresholds"] == {"sehr_niedrig": 1.2, "niedrig": 0.5, "hoch": -0.5}
    kommunen = [row["ags"] for row in body["data"]]
    url = f"/api/v1/values?indikator=sgb2_personen_quote&jahr=2021,2022&ags={','.join(kommunen)}"
    real = [v for v in walk_values(anon, url) if not v["synthetic"]]
    expected = recompute(real, kommunen, d)
    for row in body["data"]:
        e = expected[row["ags"]]
        assert row["status_class"] == e["status_class"] is not None, row["name"]
        assert row["dynamics_class"] == e["dynamics_class"] is not None, row["name"]
        assert row["status_score"] == pytest.approx(e["status_score"], abs=1e-4)
    # the narrower rule puts more Kommunen outside "mittel" than the shipped one would
    assert sum(row["status_class"] != "mittel" for row in body["data"]) >= 6
    html = anon.get("/sozialindex").get_data(as_text=True)
    assert "Definition des Releases index-2025-1" in html and "Probeindex" in html
    en = anon.get("/sozialindex?lang=en").get_data(as_text=True)
    assert "Definition of release index-2025-1" in en and "Probe index" in en
    # the audit log names the definition; a published release's definition cannot be deleted
    with engine(site).connect() as c:
        actions = list(
            c.scalars(
                text("SELECT action FROM audit_log WHERE release_label = :l ORDER BY id"),
                {"l": "index-2025-1"},
            )
        )
    assert actions == ["index_save", "publish"]
    gone = client.post(f"/redaktion/sozialindex/{rid}/loeschen", data={"csrf_token": csrf(page)})
    assert gone.status_code == 409
    assert anon.get("/api/v1/sozialindex").get_json()["definition"]["key"] == "index-probe"
    # withdrawn: the shipped definition again; published again: back
    assert invoke(site, "rollback", "index-2025-1", "--force").exit_code == 0
    assert anon.get("/api/v1/sozialindex").get_json()["definition"]["key"] == SHIPPED.key
    assert invoke(site, "publish", "index-2025-1").exit_code == 0
    assert anon.get("/api/v1/sozialindex").get_json()["definition"]["key"] == "index-probe"
    assert invoke(site, "rollback", "index-2025-1", "--force").exit_code == 0


def test_a_draft_definition_can_be_replaced_and_deleted(site):
    client = editor(site)
    r = client.post("/redaktion/sozialindex/", data=form(client, label="index-2025-2"))
    assert r.status_code == 302
    with engine(site).connect() as c:
        rid = c.scalar(text("SELECT id FROM release WHERE label = 'index-2025-2'"))
    # into the same draft again: replaced, not a second row
    r = client.post(
        "/redaktion/sozialindex/", data=form(client, release_id=str(rid), key="index-probe-2")
    )
    assert r.status_code == 302
    with engine(site).connect() as c:
        keys = list(
            c.scalars(text("SELECT key FROM index_definition WHERE release_id = :r"), {"r": rid})
        )
    assert keys == ["index-probe-2"]
    listing = client.get("/redaktion/sozialindex/").get_data(as_text=True)
    assert "index-probe-2" in listing and "index-2025-2" in listing
    gone = client.post(f"/redaktion/sozialindex/{rid}/loeschen", data={"csrf_token": csrf(listing)})
    assert gone.status_code == 302
    with engine(site).connect() as c:
        assert (
            c.scalar(
                text("SELECT count(*) FROM index_definition WHERE release_id = :r"), {"r": rid}
            )
            == 0
        )
    assert invoke(site, "discard-draft", "index-2025-2").exit_code == 0


def test_anonymous_visitors_cannot_edit(site):
    anon = site.test_client()
    r = anon.get("/redaktion/sozialindex/")
    assert r.status_code == 302 and "/redaktion/anmelden" in r.headers["Location"]
