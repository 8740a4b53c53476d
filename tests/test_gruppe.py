"""Comparison groups (?gruppe=<ags>) on map and profile; named releases on scatter and ranking."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

from app.render.maps import DIMMED_OPACITY, GROUP_OUTLINE
from indicators.neighbour_queries import similar_kommunen
from indicators.ranking import group_ranks

LEHRTE = "03241011"
MAP = "/karte?indikator=armutsgefaehrdung_quote&jahr=2024"


def _html(client, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.get_data(as_text=True)[:400])
    return r.get_data(as_text=True)


def _group(conn, ags: str = LEHRTE) -> list[dict]:
    return similar_kommunen(conn)["neighbours"][ags]


# --- the domain ------------------------------------------------------------------------------


def test_group_ranks_rank_only_the_members_by_polarity():
    values = {"a": 10.0, "b": 5.0, "c": 7.0, "d": None, "x": 1.0}
    members = frozenset({"a", "b", "c", "d"})
    assert group_ranks(values, members, "higher_worse") == {"a": 3, "b": 1, "c": 2, "d": None}
    assert group_ranks(values, members, "higher_better") == {"a": 1, "b": 3, "c": 2, "d": None}
    assert group_ranks(values, frozenset(), "higher_worse") == {}


# --- the map ---------------------------------------------------------------------------------


def test_map_with_a_group_outlines_and_names_its_members(client, conn):
    neighbours = _group(conn)
    members = {LEHRTE, *(n["ags"] for n in neighbours)}
    html = _html(client, f"{MAP}&gruppe={LEHRTE}")
    line = re.search(r'<p class="karte-gruppe-line".*?</p>', html, re.S).group(0)
    assert "Vergleichsgruppe" in line and "Lehrte und ihre 5 ähnlichsten Kommunen" in line
    for n in neighbours:
        assert n["name"] in line
    # the way back: the same map without the group
    remove = re.search(r'href="([^"]+)">Vergleichsgruppe entfernen', line).group(1)
    assert "gruppe" not in remove and "indikator=armutsgefaehrdung_quote" in remove
    # the map's features: members outlined, the others dimmed
    features = json.loads(re.search(r"geo_json_kommunen_add\((\{.*?\})\);", html, re.S).group(1))
    flags = {f["id"]: f["properties"]["group"] for f in features["features"]}
    assert {a for a, g in flags.items() if g} == members
    assert all(g is False for a, g in flags.items() if a not in members)
    assert f'"weight": {GROUP_OUTLINE["weight"]}' in html
    # the table: the group's rows marked, ranks 1..6 within the group
    rows = re.findall(r'<tr class="in-gruppe">.*?</tr>', html, re.S)
    assert len(rows) == 6
    ranks = sorted(int(m) for m in re.findall(r">(\d) von 6<", "".join(rows)))
    assert ranks == [1, 2, 3, 4, 5, 6]
    assert "Rang in der Vergleichsgruppe" in html
    # the select keeps the choice; permalink and embed code carry the group
    assert f'<option value="{LEHRTE}" selected>' in html
    embed_code = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert f"gruppe={LEHRTE}" in embed_code


def test_map_without_group_has_no_group_marks(client):
    html = _html(client, MAP)
    assert "karte-gruppe-line" not in html and 'class="in-gruppe"' not in html
    assert '"group": null' in html and '"group": true' not in html
    assert '<option value="" selected>' in html  # the group select offers "keine"


def test_embed_and_parts_honour_the_group(client, conn):
    members = {LEHRTE, *(n["ags"] for n in _group(conn))}
    html = _html(
        client, f"/embed/karte?indikator=armutsgefaehrdung_quote&jahr=2024&gruppe={LEHRTE}"
    )
    assert "Lehrte und ihre 5 ähnlichsten Kommunen" in html
    assert "Vergleichsgruppe entfernen" not in html  # no way out of the frame's state
    full = re.search(r'href="([^"]+)"[^>]*>Vollständige Ansicht', html).group(1)
    assert parse_qs(urlsplit(full.replace("&amp;", "&")).query)["gruppe"] == [LEHRTE]
    d = client.get(
        f"/karte/teile?indikator=armutsgefaehrdung_quote&jahr=2015&gruppe={LEHRTE}"
    ).get_json()
    assert {a for a, v in d["areas"].items() if v["group"]} == members
    assert "in-gruppe" in d["parts"]["table"] and f"gruppe={LEHRTE}" in d["embed_url"]
    # a change map keeps the group too
    html = _html(
        client, f"/karte?indikator=armutsgefaehrdung_quote&von=2015&bis=2024&gruppe={LEHRTE}"
    )
    assert html.count('<tr class="in-gruppe">') == 6
    assert f'name="gruppe" value="{LEHRTE}"' in _html(client, f"{MAP}&gruppe={LEHRTE}")


def test_unknown_group_is_a_400_with_the_groups_as_links(client):
    html = _html(client, f"{MAP}&gruppe=03241", 400)
    assert "ähnlichen Kommunen" in html
    assert f"gruppe={LEHRTE}" in html and "indikator=armutsgefaehrdung_quote" in html
    assert client.get("/embed/karte?gruppe=nope").status_code == 400


def test_group_changes_the_etag(client):
    a = client.get(MAP).headers["ETag"]
    b = client.get(f"{MAP}&gruppe={LEHRTE}").headers["ETag"]
    assert a != b


# --- the profile -----------------------------------------------------------------------------


def test_profile_offers_the_group_on_map_and_scatter_and_its_median(client, conn):
    html = _html(client, f"/kommune/{LEHRTE}")
    assert f'href="/karte?gruppe={LEHRTE}"' in html
    assert f'href="/streuung?gruppe={LEHRTE}"' in html
    assert "Ähnliche Kommunen" in html and 'class="num group"' in html
    # the Armutsgefährdungsquote's row: the median of the six values and Lehrte's rank among them
    from indicators.ranking_queries import group_values

    row = re.search(r'<tr id="row-armutsgefaehrdung_quote".*?</tr>', html, re.S).group(0)
    year = int(re.search(r'<span class="year">(\d{4})</span>', row).group(1))
    members = sorted([LEHRTE, *(n["ags"] for n in _group(conn))])
    values = group_values(conn, {"armutsgefaehrdung_quote": year}, members)[
        "armutsgefaehrdung_quote"
    ]
    assert len(values) == 6
    median = sorted(values.values())[2:4]
    shown = re.search(r"Median ([\d.,]+)", row).group(1)
    assert shown == f"{sum(median) / 2:.1f}".replace(".", ",")
    rank = 1 + sum(1 for v in values.values() if v < values[LEHRTE])  # higher is worse
    assert f"Rang {rank} von 6" in row
    # absolute counts: no group comparison
    count_row = re.search(r'<tr id="row-bev_insgesamt".*?</tr>', html, re.S)
    if count_row:
        assert "Median" not in count_row.group(0)
    # the links land on the map with the group, and on the scatter's selection
    assert client.get(f"/karte?gruppe={LEHRTE}").status_code == 200
    assert client.get(f"/streuung?gruppe={LEHRTE}").status_code == 303


def test_region_profile_has_no_group_column(client):
    html = _html(client, "/kommune/03241")
    assert 'class="num group"' not in html and "gruppe=" not in html


# --- named releases on scatter and ranking ---------------------------------------------------

KOMMUNEN = [f"032410{n:02d}" for n in range(1, 22)]
RANK = "/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024"
SCATTER = "/streuung?x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=2024"


def test_named_releases_on_ranking_and_scatter(fresh_app, tmp_path):
    from sqlalchemy import text

    from tests.conftest import invoke

    lines = ["ags,indicator,year,value"]
    for i, a in enumerate(KOMMUNEN):
        lines += [
            f"{a},armutsgefaehrdung_quote,2024,{55.1 + i / 10:.1f}",
            f"{a},sgb2_15_64_quote,2024,{33.1 + i / 10:.1f}",
        ]
    path = tmp_path / "neu.csv"
    path.write_text("\n".join(lines) + "\n")
    assert invoke(fresh_app, "load-release", str(path), "--label", "2025-1").exit_code == 0
    client = fresh_app.test_client()
    assert "55,1" in _html(client, RANK)  # published: the newest values
    assert invoke(fresh_app, "rollback").exit_code == 0  # now withdrawn, still readable by id
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        rid = c.scalar(text("SELECT id FROM release WHERE label = '2025-1'"))
    newest, named = _html(client, RANK), _html(client, f"{RANK}&release={rid}")
    assert "55,1" not in newest and "release-note" not in newest
    assert "55,1" in named and "2025-1" in named and "zurückgezogen" in named
    assert f'name="release" value="{rid}"' in named  # the form keeps the release
    assert "55,1" in _html(
        client, f"/embed/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024&release={rid}"
    )
    svg = _html(client, f"/rangfolge.svg?indikator=armutsgefaehrdung_quote&jahr=2024&release={rid}")
    assert "2025-1" in svg and "55,1" in svg
    # the scatter: both axes from the named release
    newest, named = _html(client, SCATTER), _html(client, f"{SCATTER}&release={rid}")
    assert "33,1" not in newest and "55,1" not in newest
    assert "33,1" in named and "55,1" in named and "zurückgezogen" in named
    permalink = re.search(r'id="permalink" readonly value="([^"]+)"', named).group(1)
    assert f"release={rid}" in permalink
    assert "55,1" in _html(
        client,
        f"/embed/streuung?x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=2024&release={rid}",
    )
    svg = _html(
        client,
        f"/streuung.svg?x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=2024&release={rid}",
    )
    assert "2025-1" in svg
    # a group of the scatter keeps the release
    r = client.get(f"{SCATTER}&release={rid}&gruppe={LEHRTE}")
    assert r.status_code == 303 and f"release={rid}" in r.headers["Location"]
    # a named release without the indicator: its indicators, or the newest data
    html = _html(client, f"/rangfolge?indikator=alo_sgb2_anteil&release={rid}", 404)
    assert (
        "/rangfolge?indikator=alo_sgb2_anteil&quot;" in html
        or 'href="/rangfolge?indikator=alo_sgb2_anteil"' in html
    )
    # a draft is no public release
    draft = tmp_path / "draft.csv"
    draft.write_text("ags,indicator,year,value\n03241001,armutsgefaehrdung_quote,2024,77.7\n")
    assert invoke(fresh_app, "load-release", str(draft), "--label", "d-1", "--draft").exit_code == 0
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        did = c.scalar(text("SELECT id FROM release WHERE label = 'd-1'"))
    assert client.get(f"{RANK}&release={did}").status_code == 404
    assert client.get(f"{SCATTER}&release={did}").status_code == 404


def test_unknown_release_is_a_404_with_a_link_to_the_newest(client):
    html = _html(client, f"{RANK}&release=424242", 404)
    assert "424242" in html and 'href="/rangfolge?indikator=armutsgefaehrdung_quote"' in html
    html = _html(client, f"{SCATTER}&release=424242", 404)
    assert "424242" in html and "neuesten Datenstand" in html
    assert 'href="/streuung?x=sgb2_15_64_quote&amp;y=armutsgefaehrdung_quote&amp;jahr=2024"' in html
    for url in (
        "/embed/rangfolge?release=424242",
        "/rangfolge.svg?release=424242",
        "/embed/streuung?release=424242",
        "/streuung.svg?release=424242",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"{RANK}&release=abc").status_code == 400
    assert client.get(f"{SCATTER}&release=abc").status_code == 400


def test_map_image_outlines_the_group(client):
    svg = _html(client, f"/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2024&gruppe={LEHRTE}")
    assert svg.count('fill="none" stroke="#000000"') == 6
    assert svg.count('fill-opacity="0.35"') == 15
    assert "Vergleichsgruppe" in svg and "Lehrte und ihre 5" in svg
    plain = _html(client, "/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2024")
    assert 'fill="none" stroke="#000000"' not in plain and "Vergleichsgruppe" not in plain


def test_change_map_image_outlines_the_group(client):
    svg = _html(
        client, f"/karte.svg?indikator=armutsgefaehrdung_quote&von=2015&bis=2024&gruppe={LEHRTE}"
    )
    assert svg.count('fill="none" stroke="#000000"') == 6 and "Lehrte und ihre 5" in svg


# --- the small multiples ----------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"
MULTIPLES = "/karte/jahre?indikator=armutsgefaehrdung_quote&jahre=2020,2024"


def _drawn_group(root: ET.Element) -> tuple[list[str], list[str], list[str]]:
    """Names of the Kommunen outlined as a group, drawn paler and drawn plain, once per map.

    A Kommune's area carries its name in <title> ("Name, 2024: value"); a group outline is an
    unfilled path in GROUP_OUTLINE's colour over the same geometry.
    """
    areas = [p for p in root.iter(f"{SVG}path") if p.find(f"{SVG}title") is not None]
    name_of = {p.get("d"): p.find(f"{SVG}title").text.rsplit(", ", 1)[0] for p in areas}
    outlined = [
        name_of[p.get("d")]
        for p in root.iter(f"{SVG}path")
        if p.get("fill") == "none" and p.get("stroke") == GROUP_OUTLINE["color"]
    ]
    paler = [name_of[p.get("d")] for p in areas if p.get("fill-opacity") == str(DIMMED_OPACITY)]
    plain = [name_of[p.get("d")] for p in areas if p.get("fill-opacity") is None]
    return outlined, paler, plain


def test_small_multiples_draw_the_group_and_keep_it_in_their_links(client, conn):
    names = {n["name"] for n in _group(conn)} | {"Lehrte"}
    html = _html(client, f"{MULTIPLES}&gruppe={LEHRTE}")
    maps = re.findall(r'<svg class="bericht-karte".*?</svg>', html, re.S)
    assert len(maps) == 2
    for svg in maps:  # each year's map: the six outlined above the rest, the 15 others paler
        outlined, paler, plain = _drawn_group(ET.fromstring(svg))
        assert len(outlined) == 6 and set(outlined) == names
        assert len(paler) == 15 and not set(paler) & names
        assert sorted(plain) == sorted(names)
    # the group named above the maps, with the way back; the table marks its rows
    line = re.search(r'<p class="karte-gruppe-line".*?</p>', html, re.S).group(0)
    assert "Lehrte und ihre 5 ähnlichsten Kommunen" in line
    remove = re.search(r'href="([^"]+)">Vergleichsgruppe entfernen', line).group(1)
    assert "gruppe" not in remove and "jahre=2020" in remove.replace("%2C", ",")
    assert html.count('<tr class="in-gruppe">') == 6
    # every link of the page keeps the group: year toggles, interactive map, image export
    toggles = re.findall(r'<nav class="jahre-wahl".*?</nav>', html, re.S)[0]
    hrefs = re.findall(r'href="([^"]+)"', toggles)
    assert hrefs and all(f"gruppe={LEHRTE}" in h for h in hrefs)
    interactive = re.search(r'href="([^"]+)">Interaktive Karte', html).group(1)
    assert f"gruppe={LEHRTE}" in interactive
    exports = re.findall(r'href="(/karte/jahre\.(?:svg|png)[^"]+)"', html)
    assert len(exports) == 2 and all(f"gruppe={LEHRTE}" in h for h in exports)
    # the map page's link to the small multiples keeps it too
    change = _html(
        client, f"/karte?indikator=armutsgefaehrdung_quote&von=2015&bis=2024&gruppe={LEHRTE}"
    )
    more = re.search(r'href="([^"]+)">Alle Jahre als kleine Karten', change).group(1)
    assert f"gruppe={LEHRTE}" in more
    # without a group nothing is outlined or paler; the ETag differs
    plain_html = _html(client, MULTIPLES)
    for svg in re.findall(r'<svg class="bericht-karte".*?</svg>', plain_html, re.S):
        outlined, paler, plain = _drawn_group(ET.fromstring(svg))
        assert outlined == [] and paler == [] and len(plain) == 21
    assert "karte-gruppe-line" not in plain_html and "in-gruppe" not in plain_html
    a = client.get(MULTIPLES).headers["ETag"]
    assert a != client.get(f"{MULTIPLES}&gruppe={LEHRTE}").headers["ETag"]
    assert client.get(f"{MULTIPLES}&gruppe=nope").status_code == 400


def test_small_multiples_image_draws_the_group(client, conn):
    names = {n["name"] for n in _group(conn)} | {"Lehrte"}
    r = client.get(
        f"/karte/jahre.svg?indikator=armutsgefaehrdung_quote&jahre=2020,2022,2024&gruppe={LEHRTE}"
    )
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    root = ET.fromstring(r.data)
    outlined, paler, plain = _drawn_group(root)
    assert len(outlined) == 3 * 6 and set(outlined) == names
    assert len(paler) == 3 * 15 and not set(paler) & names
    words = " ".join(t.strip() for t in root.itertext() if t.strip())
    assert "Vergleichsgruppe" in words and "Lehrte und ihre 5" in words
    plain = client.get("/karte/jahre.svg?indikator=armutsgefaehrdung_quote&jahre=2020,2022,2024")
    outlined, paler, _plain = _drawn_group(ET.fromstring(plain.data))
    assert outlined == [] and paler == [] and "Vergleichsgruppe" not in plain.get_data(as_text=True)
    png = client.get(
        f"/karte/jahre.png?indikator=armutsgefaehrdung_quote&jahre=2020,2024&gruppe={LEHRTE}"
    )
    assert png.status_code == 200 and png.mimetype == "image/png"


def test_small_multiples_error_link_keeps_the_group(client):
    r = client.get(f"/karte/jahre?indikator=armutsgefaehrdung_quote&jahre=1900&gruppe={LEHRTE}")
    assert r.status_code == 404
    back = re.findall(r'href="(/karte/jahre\?[^"]+)"', r.get_data(as_text=True))
    assert any(f"gruppe={LEHRTE}" in h for h in back), back
