"""Citable frozen views of the Sozialindex and the disparities' cluster map (issue #31): the
page /sozialindex and /api/v1/sozialindex accept `stand=<ids>`, the cluster page has its own
"Zitieren" box.

On the real test database: the live Sozialindex page cites itself pinned to the releases of its
indicators' values and of its definition; the pinned page computes the same index from exactly
those releases (`shown_value_in(ids)`) and with the definition in force in them; after
`sozmon load-release` changes a Kommune's value of an index indicator, and after a release
publishes another definition, the pinned page and API keep every number and the definition, say
that newer data exist and link to the live page, which shows the new numbers.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from pybtex.database import parse_string
from sqlalchemy import text

from indicators import social_index_store
from indicators.social_index import load_definition
from tests.conftest import invoke
from tests.test_kreisindex import HILDESHEIM, kreis_app  # noqa: F401  (the fixture)
from tests.test_pinned_disparities import (
    INDICATOR,
    first_link,
    main_part,
    ok_html,
    permalink_of,
    site_path,
    stand_of,
    unpinned,
)

PAGE = "/sozialindex"
API = "/api/v1/sozialindex"
HANNOVER = "03241001"
CLUSTER = f"/disparitaeten/{INDICATOR}/cluster?jahr=2024"


def _row(html: str, ags: str) -> str:
    """One Kommune's row of the index table."""
    found = re.search(r'<tr data-ags="' + ags + r'">.*?</tr>', html, flags=re.S)
    assert found, ags
    return found.group(0)


def _same(html: str) -> str:
    """A page's content as the pinned and the live page share it: without the pinned note and
    without the links' and the permalink's pin (and the blank line the note leaves)."""
    return re.sub(r"\n\s*\n", "\n", unpinned(main_part(html)))


def _api_numbers(body: dict) -> dict:
    """An API answer's numbers and definition (the envelope names the releases)."""
    return {k: body[k] for k in ("definition", "indicators", "gebiet", "count", "data")}


def test_the_sozialindex_cites_itself_pinned(client):
    html = ok_html(client.get(PAGE))
    assert "Zitierter Datenstand" not in html
    permalink = permalink_of(html)
    stand = stand_of(permalink)
    assert site_path(permalink) == f"{PAGE}?stand={stand}"
    # both citation lines hold the permalink; BibTeX and CSL-JSON cite it
    box = html.split('<details class="cite">', 1)[1].split("</details>", 1)[0]
    lines = re.findall(r'<p lang="(de|en)" class="cite-line" data-lang="\1">(.*?)</p>', box, re.S)
    assert [lang for lang, _ in lines] == ["de", "en"]
    assert all(permalink.replace("&", "&amp;") in line.replace("<wbr>", "") for _, line in lines)
    assert "Sozialindex" in lines[0][1] and "abgerufen am" in lines[0][1]
    bib = client.get(first_link(html, "format=bib"))
    assert bib.status_code == 200 and "stand=" in first_link(html, "format=bib")
    (entry,) = parse_string(bib.data.decode(), "bibtex").entries.values()
    assert entry.fields["url"] == permalink
    csl = json.loads(client.get(first_link(html, "format=csl-json")).data)
    assert csl[0]["URL"] == permalink
    # the live page's API link stays live; other formats are refused
    assert f'href="{API}"' in html
    assert client.get(f"{PAGE}?format=csv").status_code == 400

    # The pinned page: the same index, its note, its API link pinned, the same permalink.
    pinned = ok_html(client.get(site_path(permalink)))
    assert "Zitierter Datenstand" in pinned and "Das sind auch die aktuellen Daten" in pinned
    assert f'href="{API}?stand={stand}"' in pinned
    assert permalink_of(pinned) == permalink
    assert _same(pinned) == _same(html)
    # English: cited in English, the permalink keeps the language
    en = ok_html(client.get(f"{PAGE}?lang=en"))
    assert "lang=en" in permalink_of(en) and f"stand={stand}" in permalink_of(en)
    assert "Cited data state" in ok_html(client.get(site_path(permalink_of(en))))

    # The API pinned: the same numbers as live, cacheable for good.
    live = client.get(API)
    r = client.get(f"{API}?stand={stand}")
    assert r.status_code == 200 and "immutable" in r.headers["Cache-Control"]
    assert "immutable" not in live.headers.get("Cache-Control", "")
    assert _api_numbers(r.get_json()) == _api_numbers(live.get_json())


def test_the_cluster_map_cites_itself_pinned(client):
    html = ok_html(client.get(CLUSTER))
    permalink = permalink_of(html)
    stand = stand_of(permalink)
    # pinned as the indicator's detail page (the same releases)
    detail = ok_html(client.get(f"/disparitaeten/{INDICATOR}?jahr=2024"))
    assert stand == stand_of(permalink_of(detail))
    assert f"/disparitaeten/{INDICATOR}/cluster?jahr=2024" in permalink
    assert "Zitierter Datenstand" not in html and "Räumliche Cluster" in html
    (entry,) = parse_string(
        client.get(first_link(html, "format=bib")).data.decode(), "bibtex"
    ).entries.values()
    assert entry.fields["url"] == permalink
    assert json.loads(client.get(first_link(html, "format=csl-json")).data)[0]["URL"] == permalink
    lines = re.findall(r'class="cite-line" data-lang="(?:de|en)">(.*?)</p>', html, re.S)
    assert len(lines) == 2 and all("Gebietsgrenzen" in x or "Boundaries" in x for x in lines)
    # the pinned page: the same map and table, its note, the same permalink
    pinned = ok_html(client.get(site_path(permalink)))
    assert "Das sind auch die aktuellen Daten" in pinned
    assert permalink_of(pinned) == permalink
    hidden = r'\n  <input type="hidden" name="stand" value="[0-9.]+">'  # the year form's pin
    assert re.sub(hidden, "", _same(pinned)) == _same(html)
    # its image carries its citation line (the pinned permalink)
    for image in (first_link(pinned, "cluster.svg"), first_link(html, "cluster.svg")):
        svg = client.get(image)
        assert svg.status_code == 200, image
        body = svg.get_data(as_text=True)
        assert "abgerufen am" in body and permalink.replace("&", "&amp;") in body, image
    en = ok_html(client.get(CLUSTER + "&lang=en"))
    svg = client.get(first_link(en, "cluster.svg")).get_data(as_text=True)
    assert "accessed" in svg and "lang=en" in permalink_of(en)


def _publish_definition(app, label: str) -> None:
    """A release that carries another index definition only (other thresholds), published."""
    d = replace(load_definition(), key="index-pin-probe", status_low=0.5, status_high=-0.5)
    with app.extensions["sozmon_engine"].begin() as conn:
        rid = social_index_store.create_definition_draft(conn, label, None)
        social_index_store.save_definition(conn, rid, social_index_store.definition_body(d), None)
    result = invoke(app, "publish", label)
    assert result.exit_code == 0, result.output


def test_a_pinned_sozialindex_keeps_its_numbers_and_definition(fresh_app, tmp_path):
    client = fresh_app.test_client()
    live_before = ok_html(client.get(PAGE))
    path = site_path(permalink_of(live_before))
    stand = stand_of(path)
    pinned_before = ok_html(client.get(path))
    api_path = first_link(pinned_before, API)
    assert api_path == f"{API}?stand={stand}"
    api_before = client.get(api_path).data
    bib_before = client.get(first_link(pinned_before, "format=bib")).data
    live_api_before = client.get(API).get_json()

    # A new release: Hannover's value of an index indicator in the status year.
    with fresh_app.extensions["sozmon_engine"].connect() as conn:
        old = conn.scalar(
            text(
                "SELECT value FROM shown_value WHERE ags = :a"
                " AND indicator_id = 'sgb2_personen_quote' AND year = 2022"
            ),
            {"a": HANNOVER},
        )
    assert old is not None
    korrektur = tmp_path / "korrektur.csv"
    korrektur.write_text(
        f"ags,indicator,year,value\n{HANNOVER},sgb2_personen_quote,2022,{float(old) * 3:.1f}\n"
    )
    result = invoke(fresh_app, "load-release", str(korrektur), "--label", "korrektur-index")
    assert result.exit_code == 0, result.output

    live = ok_html(client.get(PAGE))
    assert _row(live, HANNOVER) != _row(live_before, HANNOVER)  # the live index changed
    assert stand_of(permalink_of(live)) != stand  # the new release is in the live pin
    after = ok_html(client.get(path))
    (tmp_path / "before.html").write_text(main_part(pinned_before), encoding="utf-8")
    (tmp_path / "after.html").write_text(main_part(after), encoding="utf-8")
    assert main_part(after) == main_part(pinned_before)  # every number byte-identical
    assert client.get(api_path).data == api_before
    assert client.get(first_link(after, "format=bib")).data == bib_before
    assert client.get(API).get_json()["data"] != live_api_before["data"]
    current = re.search(r'<strong>Es gibt neuere Daten.</strong> <a href="([^"]+)"', after)
    assert current and "stand=" not in current.group(1)
    assert main_part(ok_html(client.get(current.group(1).replace("&amp;", "&")))) == main_part(live)

    # A release with another definition: the live page uses it, the pinned page keeps its own.
    _publish_definition(fresh_app, "index-pin-def")
    live2 = ok_html(client.get(PAGE))
    assert "index-pin-probe" in live2 and "Definition des Releases index-pin-def" in live2
    assert client.get(API).get_json()["definition"]["key"] == "index-pin-probe"
    live2_path = site_path(permalink_of(live2))
    assert stand_of(live2_path) != stand_of(
        site_path(permalink_of(live))
    )  # the definition's release
    assert main_part(ok_html(client.get(path))) == main_part(pinned_before)
    assert client.get(api_path).data == api_before
    # the definition's release pins the new definition: its pinned page is the live page
    pinned2 = ok_html(client.get(live2_path))
    assert "index-pin-probe" in pinned2 and "Das sind auch die aktuellen Daten" in pinned2
    assert _same(pinned2) == _same(live2)
    # the profile's Sozialindex block reads the definition too: its pin names the release
    with fresh_app.extensions["sozmon_engine"].connect() as conn:
        rid = conn.scalar(text("SELECT id FROM release WHERE label = 'index-pin-def'"))
    assert str(rid) in stand_of(live2_path).split(".")
    profile = permalink_of(ok_html(client.get(f"/kommune/{HANNOVER}")))
    assert str(rid) in stand_of(profile).split(".")
    # a pin before the definition's release uses the definition in force then (the shipped)
    before_def = ok_html(client.get(site_path(permalink_of(live))))
    assert "index-pin-probe" not in before_def and "Es gibt neuere Daten" in before_def


@pytest.mark.parametrize(
    ("stand", "status", "words"),
    [("abc", 400, "stand"), ("2.1", 400, "aufsteigend"), ("99999", 404, "99999")],
)
def test_hostile_or_unknown_pins_of_the_sozialindex_are_refused(client, stand, status, words):
    for url in (
        f"{PAGE}?stand={stand}",
        f"{PAGE}?format=bib&stand={stand}",
        f"{API}?stand={stand}" if stand != "2.1" else f"{CLUSTER}&stand={stand}",
        f"{CLUSTER}&format=csl-json&stand={stand}",
    ):
        r = client.get(url)
        assert r.status_code == status, url
        assert words in r.get_data(as_text=True), url
    assert client.get(f"{PAGE}?lang=en&stand={stand}").status_code == status
    assert client.get(f"{API}?stand=1&stand=2").status_code == 400
    if stand == "2.1":  # the API takes the ids in any order: the same as the canonical pin
        a, b = client.get(f"{API}?stand=2.1"), client.get(f"{API}?stand=1.2")
        assert a.status_code == b.status_code == 200 and a.get_json() == b.get_json()


def test_a_kreis_index_is_pinned_to_its_gemeinden_and_definition(kreis_app):  # noqa: F811
    """Another Kreis' Gemeinden (the Germany fixture, its definition published with a
    release): the permalink keeps `gebiet` and names the definition's release; the pinned
    page and API equal the live ones."""
    client = kreis_app.test_client()
    url = f"{PAGE}?gebiet={HILDESHEIM}"
    html = ok_html(client.get(url))
    permalink = permalink_of(html)
    assert f"gebiet={HILDESHEIM}" in permalink
    with kreis_app.extensions["sozmon_engine"].connect() as conn:
        rid = conn.scalar(text("SELECT id FROM release WHERE label = 'index-65plus'"))
    assert str(rid) in stand_of(permalink).split(".")
    pinned = ok_html(client.get(site_path(permalink)))
    assert "Das sind auch die aktuellen Daten" in pinned and "test-65plus" in pinned
    assert _same(pinned) == _same(html)
    api = first_link(pinned, API)
    assert f"gebiet={HILDESHEIM}" in api and f"stand={stand_of(permalink)}" in api
    live_api, pinned_api = client.get(f"{API}?gebiet={HILDESHEIM}"), client.get(api)
    assert pinned_api.status_code == 200
    assert _api_numbers(pinned_api.get_json()) == _api_numbers(live_api.get_json())
    assert pinned_api.get_json()["gebiet"] == HILDESHEIM
