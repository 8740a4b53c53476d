"""Early-warning alerts (issue #31): written at publish, shown on /was-ist-neu, in the Atom
feeds per Kommune and per indicator and in the API; e-mailed through a real SMTP server."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import text

from indicators.catalogue import CATALOGUE_COLUMNS
from tests.conftest import invoke
from tests.smtp_server import smtp_server

KOMMUNEN = [f"032410{n:02d}" for n in range(1, 22)]
IND = "alarm_quote"
RAISED = "03241005"
ATOM = "{http://www.w3.org/2005/Atom}"
# The new indicator's catalogue row, in the order of the catalogue's columns.
CATALOGUE = dict(
    zip(
        CATALOGUE_COLUMNS,
        [
            IND,
            "bevoelkerung",
            "Alarmquote (Test)",
            "Alert rate (test)",
            "%",
            "1",
            "higher_worse",
            "2020",
            "Testkennzahl der Meldungen.",
            "Test indicator of the alerts.",
            "Test",
            "Fälle",
            "Personen",
        ],
        strict=True,
    )
)


def release_csv(path: Path, year: int, raise_to: int | None = None) -> Path:
    """Kommune i: numerator 40 + i of 1000 + 100 i (RAISED: raise_to); the Region their sum."""
    nums = {a: 40 + i for i, a in enumerate(KOMMUNEN)}
    if raise_to is not None:
        nums[RAISED] = raise_to
    dens = {a: 1000 + 100 * i for i, a in enumerate(KOMMUNEN)}
    rows = [[a, IND, year, round(nums[a] / dens[a] * 100, 4), nums[a], dens[a]] for a in KOMMUNEN]
    n, d = sum(nums.values()), sum(dens.values())
    rows.append(["03241", IND, year, round(n / d * 100, 4), n, d])
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [["ags", "indicator", "year", "value", "numerator", "denominator"], *rows]
        )
    return path


def publish(app, tmp_path: Path, label: str, year: int, raise_to: int | None = None) -> str:
    args = ["import", str(release_csv(tmp_path / f"{label}.csv", year, raise_to)), "--label", label]
    if label == "alarm-1":
        cat = tmp_path / "katalog.csv"
        with cat.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(CATALOGUE))
            w.writeheader()
            w.writerow(CATALOGUE)
        args += ["--catalogue", str(cat)]
    r = invoke(app, *args)
    assert r.exit_code == 0, r.output
    r = invoke(app, "publish", label)
    assert r.exit_code == 0, r.output
    return r.output


def stored(app, label: str) -> list[dict]:
    with app.extensions["sozmon_engine"].connect() as c:
        return [
            dict(r._mapping)
            for r in c.execute(
                text(
                    "SELECT a.id, a.kind, a.ags, a.indicator_id, a.year, a.ref_year, a.old_value,"
                    " a.new_value, a.lower, a.upper FROM alert a JOIN release r"
                    " ON r.id = a.release_id WHERE r.label = :l ORDER BY a.id"
                ),
                {"l": label},
            )
        ]


def feed_ids(client, path: str) -> list[str]:
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    root = ET.fromstring(r.data)
    return [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]


@pytest.fixture
def published(fresh_app, tmp_path):
    """alarm-1 (a new indicator, 2021), alarm-2 (2022: RAISED's value beyond its interval),
    alarm-3 (2022 unchanged), one confirmed and one unconfirmed subscriber for RAISED."""
    publish(fresh_app, tmp_path, "alarm-1", 2021)
    for email in ("rat@example.org", "unbestaetigt@example.org"):
        r = invoke(fresh_app, "alerts", "subscribe", email, "--kommune", RAISED)
        assert r.exit_code == 0, r.output
        token = r.output.strip().rsplit(" ", 1)[1]
        if email.startswith("rat"):
            assert invoke(fresh_app, "alerts", "confirm", "--", token).exit_code == 0
    assert "; 1 Meldungen" in publish(fresh_app, tmp_path, "alarm-2", 2022, raise_to=80)
    assert "; 0 Meldungen" in publish(fresh_app, tmp_path, "alarm-3", 2022, raise_to=80)
    return fresh_app


def test_a_raise_beyond_the_interval_is_exactly_one_alert_everywhere(published):
    # the new indicator: one alert, for the Region
    first = stored(published, "alarm-1")
    assert [(a["kind"], a["ags"], a["indicator_id"]) for a in first] == [("neu", "03241", IND)]
    # the raise: exactly one alert, RAISED's, with the interval of its 2021 value (44 of 1400)
    (alert,) = stored(published, "alarm-2")
    assert (alert["kind"], alert["ags"], alert["indicator_id"]) == ("intervall", RAISED, IND)
    assert (alert["year"], alert["ref_year"]) == (2022, 2021)
    assert alert["old_value"] == pytest.approx(44 / 1400 * 100, abs=1e-3)
    assert alert["new_value"] == pytest.approx(80 / 1400 * 100, abs=1e-3)
    assert alert["lower"] < alert["old_value"] < alert["upper"] < alert["new_value"]
    # the same values again: nothing
    assert stored(published, "alarm-3") == []

    client = published.test_client()
    anchor = f"alarm-{alert['id']}"
    page = client.get(f"/was-ist-neu?indikator={IND}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    items = re.findall(r'<li id="(alarm-\d+)"', html)
    assert items == [anchor, f"alarm-{first[0]['id']}"]  # newest publish first
    assert "über dem 95-%-Intervall" in html and "2022: 5,7 %" in html
    whole = client.get("/was-ist-neu").get_data(as_text=True)
    assert f'id="{anchor}"' in whole and 'href="/was-ist-neu"' in whole  # and in the navigation
    english = client.get(f"/was-ist-neu?indikator={IND}&lang=en").get_data(as_text=True)
    assert "What's new?" in english and "above the 95 % interval" in english

    # the Kommune's feed and the indicator's feed
    kommune = feed_ids(client, f"/was-ist-neu/kommune/{RAISED}.atom")
    assert [i for i in kommune if i.endswith(anchor)] and all(
        not i.endswith(f"alarm-{first[0]['id']}") for i in kommune
    )
    other = feed_ids(client, "/was-ist-neu/kommune/03241001.atom")
    assert not [i for i in other if i.endswith(anchor)]
    indicator = feed_ids(client, f"/was-ist-neu/kennzahl/{IND}.atom")
    assert [i.rsplit("#", 1)[1] for i in indicator] == [anchor, f"alarm-{first[0]['id']}"]

    # the API: the same list
    body = client.get(f"/api/v1/alerts?indikator={IND}").get_json()
    assert [(a["kind"], a["ags"], a["year"]) for a in body["data"]] == [
        ("intervall", RAISED, 2022),
        ("neu", "03241", 2021),
    ]
    assert body["count"] == 2 and body["data"][0]["release_label"] == "alarm-2"
    assert "5,7 %" in body["data"][0]["text_de"] and "5.7 %" in body["data"][0]["text_en"]
    assert client.get(f"/api/v1/alerts?ags={RAISED}").get_json()["data"][0]["id"] == alert["id"]
    assert "/alerts" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_unknown_filters_are_404(published):
    client = published.test_client()
    assert client.get("/was-ist-neu?kommune=09162000").status_code == 404
    assert client.get("/was-ist-neu/kennzahl/gibt_es_nicht.atom").status_code == 404
    assert client.get("/api/v1/alerts?ags=x").status_code == 400


def test_withdrawing_a_release_removes_its_alerts(published):
    assert len(stored(published, "alarm-2")) == 1
    r = invoke(published, "rollback", "alarm-2")
    assert r.exit_code == 0, r.output
    assert stored(published, "alarm-2") == []
    body = published.test_client().get(f"/api/v1/alerts?indikator={IND}").get_json()
    assert [a["kind"] for a in body["data"]] == ["neu"]


def test_the_queue_is_sent_through_a_local_smtp_server(published):
    # nothing is sent without a configured server, and the queue stays
    published.config["SMTP_HOST"] = ""
    r = invoke(published, "alerts", "send")
    assert r.exit_code == 0 and "nichts gesendet" in r.output
    with smtp_server() as (port, mailbox):
        published.config.update(
            SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_FROM="sm@example.org"
        )
        r = invoke(published, "alerts", "send")
        assert r.exit_code == 0, r.output
        assert "1 Bestätigungen und 1 Meldungs-E-Mails gesendet" in r.output
        by_to = {m.recipients[0]: m for m in mailbox.messages}
        assert sorted(by_to) == ["rat@example.org", "unbestaetigt@example.org"]
        confirmation = by_to["unbestaetigt@example.org"].message
        assert "bestätigen" in confirmation["Subject"]
        digest = by_to["rat@example.org"].message
        assert digest["From"] == "sm@example.org" and "1 neue Meldungen" in digest["Subject"]
        body = digest.get_content()
        (alert,) = stored(published, "alarm-2")
        assert "Wert außerhalb des Intervalls" in body and f"#alarm-{alert['id']}" in body
        # sent once: a second run has nothing left
        r = invoke(published, "alerts", "send")
        assert "0 Bestätigungen und 0 Meldungs-E-Mails gesendet" in r.output
        assert len(mailbox.messages) == 2


def test_the_web_apps_role_writes_and_withdraws_alerts(app_role_app, tmp_path):
    """An editor's publish runs as sozmon_app (owns nothing): it may write the alerts and queue
    them, and a withdrawal may delete them (0013's default privileges cover the 0017 tables)."""
    from indicators import releases

    as_app, owner = app_role_app
    publish(owner, tmp_path, "alarm-1", 2021)
    r = invoke(owner, "alerts", "subscribe", "rat@example.org", "--kommune", RAISED)
    assert (
        invoke(owner, "alerts", "confirm", "--", r.output.strip().rsplit(" ", 1)[1]).exit_code == 0
    )
    r = invoke(
        owner, "import", str(release_csv(tmp_path / "a2.csv", 2022, 80)), "--label", "alarm-2"
    )
    assert r.exit_code == 0, r.output
    with as_app.extensions["sozmon_engine"].begin() as c:
        assert c.scalar(text("SELECT current_user")) == "sozmon_app"
        assert releases.publish(c, "alarm-2", 3, by="redaktion")["alerts"] == 1
        queued = c.scalar(text("SELECT count(*) FROM alert_delivery WHERE sent_at IS NULL"))
        assert queued == 1
    assert [a["ags"] for a in stored(owner, "alarm-2")] == [RAISED]
    with as_app.extensions["sozmon_engine"].begin() as c:
        releases.rollback(c, "alarm-2")
    assert stored(owner, "alarm-2") == []


# --- the public sign-up (double opt-in), unsubscribing, paging -------------------------------

HERE = {"Origin": "http://localhost"}


def subscriptions(app) -> list[dict]:
    with app.extensions["sozmon_engine"].connect() as c:
        return [
            dict(r._mapping)
            for r in c.execute(
                text(
                    "SELECT email, ags, indicator_id, lang, token, confirmed_at IS NOT NULL AS ok"
                    " FROM alert_subscription ORDER BY id"
                )
            )
        ]


def sign_up(client, email: str, headers=HERE, **form):
    data = {"email": email, "kommune": RAISED, "indikator": "", "sprache": "de", **form}
    return client.post("/was-ist-neu/abonnieren", data=data, headers=headers)


def send(app) -> list:
    with smtp_server() as (port, mailbox):
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
        r = invoke(app, "alerts", "send")
        assert r.exit_code == 0, r.output
    return mailbox.messages


def link_path(body: str, part: str) -> str:
    (url,) = re.findall(rf"https?://\S+/was-ist-neu/{part}/[\w-]+(?:\?lang=en)?", body)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_public_sign_up_sends_one_confirmation_and_nothing_more(published):
    client = published.test_client()
    page = client.get("/was-ist-neu")
    html = page.get_data(as_text=True)
    # the form is on the cached public page (no session token in it: the Origin is checked)
    assert 'action="/was-ist-neu/abonnieren"' in html and 'type="email"' in html
    assert "csrf_token" not in html and page.headers["Cache-Control"].startswith("public")
    before = len(subscriptions(published))

    # a cross-site form, or a POST that says nothing about where it comes from: refused
    assert sign_up(client, "neu@example.org", headers={}).status_code == 400
    evil = {"Origin": "https://evil.example"}
    assert sign_up(client, "neu@example.org", headers=evil).status_code == 400
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert sign_up(client, "neu@example.org", headers=cross).status_code == 400
    null = {"Origin": "null", "Sec-Fetch-Site": "cross-site"}
    assert sign_up(client, "neu@example.org", headers=null).status_code == 400
    # what the form must carry
    assert sign_up(client, "kein-at-zeichen").status_code == 400
    assert sign_up(client, "neu@example.org", kommune="").status_code == 400
    assert sign_up(client, "neu@example.org", kommune="09162000").status_code == 404
    assert len(subscriptions(published)) == before

    r = sign_up(client, "neu@example.org", headers={"Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200 and "no-store" in r.headers["Cache-Control"]
    assert "Danke" in r.get_data(as_text=True)
    # its language link is a GET of the form's address: back to the form, in English
    back = published.test_client().get("/was-ist-neu/abonnieren?lang=en")
    assert back.status_code == 302
    assert back.headers["Location"].endswith("/was-ist-neu?lang=en#abonnieren")
    # the same again: the same answer, stored once
    again = sign_up(client, "NEU@example.org").get_data(as_text=True)
    assert again.replace("NEU@", "neu@") == r.get_data(as_text=True)
    new = [s for s in subscriptions(published) if s["email"].lower() == "neu@example.org"]
    assert len(new) == 1 and not new[0]["ok"] and len(new[0]["token"]) >= 40

    # the queue: one confirmation e-mail (besides the fixture's own), no alert
    mails = send(published)
    to_new = [m.message for m in mails if m.recipients == ["neu@example.org"]]
    assert len(to_new) == 1 and "bestätigen" in to_new[0]["Subject"]
    body = to_new[0].get_content()
    confirm = link_path(body, "bestaetigen")
    assert to_new[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link_path(body, "abbestellen") in to_new[0]["List-Unsubscribe"]
    # a GET (a mail scanner opening every link) changes nothing; the button does
    page = client.get(confirm)
    assert page.status_code == 200 and "Abonnement bestätigen" in page.get_data(as_text=True)
    assert not [s for s in subscriptions(published) if s["email"] == "neu@example.org"][0]["ok"]
    assert client.post(confirm, headers=evil).status_code == 400
    assert client.post(confirm, headers=HERE).status_code == 200
    assert [s for s in subscriptions(published) if s["email"] == "neu@example.org"][0]["ok"]
    # nothing sent twice, and nothing else queued
    assert [m for m in send(published) if m.recipients == ["neu@example.org"]] == []
    assert client.get("/was-ist-neu/bestaetigen/falsch").status_code == 404


def test_an_address_gets_at_most_three_confirmations_a_day_and_all_at_most_the_limit(published):
    client = published.test_client()
    ids = [IND, "", IND, ""]
    kommunen = [RAISED, "03241001", "03241001", "03241002"]
    for ags, ind in zip(kommunen, ids, strict=True):
        assert sign_up(client, "viel@example.org", kommune=ags, indikator=ind).status_code == 200
    assert len([s for s in subscriptions(published) if s["email"] == "viel@example.org"]) == 3
    # over all addresses: the hourly limit answers 503 and stores nothing
    pending = len([s for s in subscriptions(published) if not s["ok"]])
    published.config["ALERT_SIGNUPS_PER_HOUR"] = pending
    assert sign_up(client, "noch@example.org").status_code == 503
    assert "noch@example.org" not in {s["email"] for s in subscriptions(published)}


def test_every_mail_has_a_one_click_unsubscribe(published):
    client = published.test_client()
    mails = {m.recipients[0]: m.message for m in send(published)}
    digest = mails["rat@example.org"]
    path = link_path(digest.get_content(), "abbestellen")
    assert digest["List-Unsubscribe"].strip() == f"<http://localhost{path}>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page = client.get(path)
    assert page.status_code == 200 and "Abbestellen" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "rat@example.org" in {s["email"] for s in subscriptions(published)}
    # RFC 8058: the mail program's POST, without any Origin
    one_click = {"List-Unsubscribe": "One-Click"}
    assert client.post(path, data={}).status_code == 400  # neither one-click nor same-origin
    assert client.post(path, data=one_click).status_code == 200
    assert "rat@example.org" not in {s["email"] for s in subscriptions(published)}
    assert client.post(path, data=one_click).status_code == 200  # twice: gone either way
    assert client.get(path).status_code == 404


def test_addresses_never_confirmed_are_deleted_after_a_week(published):
    client = published.test_client()
    assert sign_up(client, "alt@example.org").status_code == 200
    assert sign_up(client, "frisch@example.org").status_code == 200
    with published.extensions["sozmon_engine"].begin() as c:
        c.execute(
            text(
                "UPDATE alert_subscription SET created_at = now() - interval '8 days'"
                " WHERE email IN ('alt@example.org', 'rat@example.org')"
            )
        )
    with smtp_server() as (port, _mailbox):
        published.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
        r = invoke(published, "alerts", "send")
    assert "1 unbestätigte Anmeldungen" in r.output, r.output
    left = {s["email"] for s in subscriptions(published)}
    # the old unconfirmed one is gone; the fresh one and the old confirmed one stay
    assert "alt@example.org" not in left and {"frisch@example.org", "rat@example.org"} <= left


def test_the_english_confirmation_leads_to_english_pages(published):
    client = published.test_client()
    r = client.post(
        "/was-ist-neu/abonnieren?lang=en",
        data={"email": "en@example.org", "kommune": "", "indikator": IND, "sprache": "en"},
        headers=HERE,
    )
    assert r.status_code == 200 and "Thank you" in r.get_data(as_text=True)
    (mail,) = [m.message for m in send(published) if m.recipients == ["en@example.org"]]
    confirm = link_path(mail.get_content(), "bestaetigen")
    assert confirm.endswith("?lang=en")
    assert "Confirm the subscription" in client.get(confirm).get_data(as_text=True)


def test_alerts_are_paged_on_the_page_in_the_feeds_and_the_api(published, monkeypatch):
    from app.pages.data import alerts as data

    monkeypatch.setattr(data, "PAGE_SIZE", 1)
    client = published.test_client()
    first = client.get(f"/was-ist-neu?indikator={IND}").get_data(as_text=True)
    second = client.get(f"/was-ist-neu?indikator={IND}&seite=2").get_data(as_text=True)
    one = re.findall(r'<li id="(alarm-\d+)"', first)
    two = re.findall(r'<li id="(alarm-\d+)"', second)
    assert len(one) == len(two) == 1 and one != two
    assert "Seite 1 von 2" in first and 'rel="next"' in first
    assert f"/was-ist-neu?indikator={IND}&amp;seite=2" in first
    assert client.get(f"/was-ist-neu?indikator={IND}&seite=3").status_code == 404
    assert client.get("/was-ist-neu?seite=0").status_code == 400

    # the feed: RFC 5005's next link, the next page has the other entry
    r = client.get(f"/was-ist-neu/kennzahl/{IND}.atom")
    root = ET.fromstring(r.data)
    links = {ln.get("rel"): ln.get("href") for ln in root.findall(f"{ATOM}link")}
    assert links["next"].endswith(f"/was-ist-neu/kennzahl/{IND}.atom?seite=2")
    nxt = links["next"].split("://", 1)[1].split("/", 1)[1]
    ids = feed_ids(client, "/" + nxt)
    assert [i.rsplit("#", 1)[1] for i in ids] == two
    assert "next" not in {ln.get("rel") for ln in ET.fromstring(client.get("/" + nxt).data)}

    # the API: offset and limit, the URL of the next page
    body = client.get(f"/api/v1/alerts?indikator={IND}&limit=1").get_json()
    assert "data" in body, body
    assert (body["count"], body["total"], body["offset"], body["limit"]) == (1, 2, 0, 1)
    assert f"alarm-{body['data'][0]['id']}" == one[0]
    follow = body["next"].split("://", 1)[1].split("/", 1)[1]
    rest = client.get("/" + follow).get_json()
    assert f"alarm-{rest['data'][0]['id']}" == two[0] and rest["next"] is None
    assert client.get("/api/v1/alerts?limit=501").status_code == 400
    assert client.get("/api/v1/alerts?limit=0").status_code == 400
    assert client.get("/api/v1/alerts?offset=x").status_code == 400
