"""The directives `befunde` and `sozialindex` of Fokusberichte (issue #30), on a real PostGIS:
the same sentences and classes as the profile, the map and the index page show, errors at
their place, German and English, and pinned to the report's releases."""

from __future__ import annotations

import html as htmllib
import re

from markupsafe import escape

from app.berichte.directives import Directive, split
from app.berichte.render import render
from app.berichte.values import published_release_ids
from tests.conftest import invoke

KOMMUNE = "03241001"  # Hannover, Landeshauptstadt


def rendered(app, body: str, ids="published", compare=None, lang="de"):
    """Render a body in a request context of the language on the app's database."""
    with (
        app.test_request_context(f"/?lang={lang}", headers={"Accept-Language": lang}),
        app.extensions["sozmon_engine"].connect() as c,
    ):
        pinned = published_release_ids(c) if ids == "published" else ids
        return render(c, body, pinned, compare)


def items(html: str) -> list[str]:
    """The sentences of the (first) findings list, as text."""
    found = re.search(r'<ul class="findings-list">(.*?)</ul>', html, re.S)
    assert found, html[:2000]
    return [htmllib.unescape(s) for s in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


def test_parameters_are_checked_before_any_data_is_read():
    def one(text: str) -> Directive:
        (d,) = [p for p in split(text) if isinstance(p, Directive)]
        return d

    ok = one("{{befunde gebiet=03241001 vergleich=land}}")
    assert ok.error is None and ok.block and ok.params == {"gebiet": KOMMUNE, "vergleich": "land"}
    assert one("{{befunde indikator=sgb2_quote jahr=2015}}").error is None
    assert one("{{sozialindex}}").error is None and one("{{sozialindex}}").block
    for text, message in [
        ("{{befunde}}", "entweder gebiet"),
        ("{{befunde gebiet=03241001 indikator=sgb2_quote jahr=2015}}", "entweder gebiet"),
        ("{{befunde indikator=sgb2_quote}}", "auch jahr"),
        ("{{befunde gebiet=03241001 vergleich=welt}}", "möglich sind region, land, bund"),
        ("{{sozialindex jahr=2015}}", "kennt den Parameter 'jahr'"),
    ]:
        d = one(text)
        assert d.error is not None and message in d.error, (text, d.error)


def test_befunde_of_a_kommune_are_the_profiles_sentences(app):
    client = app.test_client()
    for choice in ("region", "land"):
        out = rendered(app, f"{{{{befunde gebiet={KOMMUNE} vergleich={choice}}}}}")
        assert not out.errors, out.errors
        page = client.get(f"/kommune/{KOMMUNE}?vergleich_mit={choice}").get_data(as_text=True)
        section = page.split('id="findings-h"', 1)[1].split("</section>", 1)[0]
        expected = [
            htmllib.unescape(s)
            for s in re.findall(r"<li>(.*?)</li>", section.split("findings-list", 1)[1], re.S)
        ]
        got = items(str(out.html))
        assert got == expected and got, (choice, got[:2], expected[:2])
        assert "Befunde: Hannover" in str(out.html)
    land = items(str(rendered(app, f"{{{{befunde gebiet={KOMMUNE} vergleich=land}}}}").html))
    region = items(str(rendered(app, f"{{{{befunde gebiet={KOMMUNE}}}}}").html))
    assert land != region and any("Niedersachsen" in s for s in land)


def test_befunde_of_a_map_are_the_maps_sentences(app):
    body = "{{befunde indikator=mindestsicherung_quote jahr=2015}}"
    out = rendered(app, body)
    assert not out.errors, out.errors
    page = app.test_client().get("/karte?indikator=mindestsicherung_quote&jahr=2015")
    text = page.get_data(as_text=True).split("Die Karte in Sätzen", 1)[1]
    expected = htmllib.unescape(re.search(r"<p>(.*?)</p>", text, re.S).group(1))
    assert " ".join(items(str(out.html))) == expected
    assert "Signifikant" in expected  # the sentences group the Kommunen by the test's outcome
    assert out.labels  # the values' releases are named among the report's sources


def test_errors_are_reported_at_their_place(app):
    out = rendered(
        app,
        "{{befunde gebiet=03241999}}\n\n{{befunde gebiet=03241}}\n\n"
        "{{befunde indikator=gibt_es_nicht jahr=2015}}\n\n"
        "{{befunde indikator=mindestsicherung_quote jahr=1995}}",
    )
    messages = [m for _n, _s, m in out.errors]
    assert len(messages) == 4, messages
    assert "Unbekanntes Gebiet 03241999" in messages[0]
    assert "keine Kommune" in messages[1]
    assert "Unbekannter Indikator 'gibt_es_nicht'" in messages[2]
    assert "kein Wert für 1995" in messages[3]
    assert str(out.html).count('class="direktive-fehler"') == 4


def test_sozialindex_table_matches_the_index_api(app):
    out = rendered(app, "{{sozialindex}}")
    assert not out.errors, out.errors
    html = str(out.html)
    api = app.test_client().get("/api/v1/sozialindex").get_json()
    rows = re.findall(
        r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>', html
    )
    assert len(rows) == len(api["data"]) == 21
    labels = {"sehr_niedrig": "sehr niedrig"}
    for row, a in zip(rows, api["data"], strict=True):
        assert htmllib.unescape(row[0]) == a["name"]
        assert row[1] == labels.get(a["status_class"], a["status_class"])
        assert row[2] == a["dynamics_class"]
        assert ("besonderer Aufmerksamkeitsbedarf" in row[3]) == a["attention"]
    d = api["definition"]
    assert f"Status {d['status_year']}" in html
    assert f"Dynamik {d['dynamics_from']}–{d['dynamics_to']}" in html


def test_both_directives_in_english(app):
    out = rendered(app, f"{{{{befunde gebiet={KOMMUNE}}}}}\n\n{{{{sozialindex}}}}", lang="en")
    html = str(out.html)
    assert not out.errors, out.errors
    assert "Findings: Hannover" in html and "Befunde:" not in html
    assert "Definition: status" in html and "Kommune</th>" not in html
    assert "signifikant" not in " ".join(items(html))


def test_pinned_directives_keep_their_text_after_a_new_release(fresh_app, tmp_path):
    body = (
        f"{{{{befunde gebiet={KOMMUNE}}}}}\n\n"
        "{{befunde indikator=mindestsicherung_quote jahr=2015}}\n\n{{sozialindex}}"
    )
    api = fresh_app.test_client().get("/api/v1/sozialindex").get_json()
    d = api["definition"]
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        ids = published_release_ids(c)
    before = rendered(fresh_app, body, ids)
    assert not before.errors, before.errors
    # A correction: Hannover's Mindestsicherungsquote 2015, and every index indicator's value
    # of the status year of a Kommune of class "mittel" at the need end, far beyond the other
    # Kommunen (its status class changes).
    other = next(r for r in api["data"] if r["status_class"] == "mittel")
    lines = [f"{KOMMUNE},mindestsicherung_quote,2015,55.5"] + [
        f"{other['ags']},{i['id']},{d['status_year']},{95.0 if i['direction'] > 0 else 0.1}"
        for i in d["indicators"]
    ]
    csv = tmp_path / "korrektur.csv"
    csv.write_text("ags,indicator,year,value\n" + "\n".join(lines) + "\n")
    result = invoke(fresh_app, "load-release", str(csv), "--label", "korrektur-2026")
    assert result.exit_code == 0, result.output
    after = rendered(fresh_app, body, ids)
    assert str(after.html) == str(before.html)  # pinned: the report's text is unchanged
    live = rendered(fresh_app, body, None)
    assert str(live.html) != str(before.html)
    compared = rendered(fresh_app, body, None, compare=ids)
    marks = re.findall(r'<mark class="geaendert">(.*?)</mark>', str(compared.html), re.S)
    assert compared.changed == len(marks) >= 2
    assert all("bei Veröffentlichung" in m for m in marks)
    new = fresh_app.test_client().get("/api/v1/sozialindex").get_json()
    moved = next(r for r in new["data"] if r["ags"] == other["ags"])
    assert moved["status_class"] != "mittel"
    row = f'<th scope="row">{escape(other["name"])}</th><td colspan="3"><mark class="geaendert">'
    assert row in str(compared.html)  # its row in the index table is marked
