"""Issue #30, other territories (docs/ops/kreisindex.md), on the Germany fixture (real PostGIS):
the Sozialindex of another Kreis' Gemeinden on the territory maps' component, its report
directive, and the benchmark switch of territory maps (`vergleich_mit=kreis|land|bund`), each
verdict recomputed here from the values API with an own Wilson interval."""

from __future__ import annotations

import html as htmllib
import json
import math
import re
from dataclasses import replace

import pytest
from sqlalchemy import text

from app.berichte.render import render
from app.berichte.values import published_release_ids
from indicators.releases import publish
from indicators.social_index import (
    DYNAMICS_CLASSES,
    STATUS_CLASSES,
    IndexIndicator,
    load_definition,
)
from indicators.social_index_store import create_definition_draft, definition_body
from tests.conftest import app_on_clone
from tests.test_api_paging import walk_values

HILDESHEIM = "03254"
IND = "bev_anteil_65plus"  # GENESIS 12411-02-03-5-B: share with numerator and denominator
MAP = f"/karte?gebiet={HILDESHEIM}&ebene=gemeinde&indikator={IND}&jahr=2015"
Z95 = 1.959963984540054


@pytest.fixture(scope="module")
def kreis_app(germany_template):
    """A copy of the Germany fixture whose index definition in force (published with a
    release, as the office does it) is the share of people 65+ of 2015 (counts published), so
    Kreis Hildesheim's Gemeinden get status classes."""
    for application in app_on_clone(germany_template):
        d = replace(
            load_definition(),
            key="test-65plus",
            indicators=(IndexIndicator(IND, 1),),
            status_year=2015,
            dynamics_from=2014,
            dynamics_to=2015,
        )
        with application.extensions["sozmon_engine"].begin() as conn:
            rid = create_definition_draft(conn, "index-65plus", "test")
            # Stored as save_definition stores it, without its check: the fixture has one year
            # of Gemeinde values (2015), so no dynamics (every Gemeinde names the gap).
            conn.execute(
                text(
                    "INSERT INTO index_definition (release_id, key, body, created_by)"
                    " VALUES (:r, :k, CAST(:b AS jsonb), 'test')"
                ),
                {"r": rid, "k": d.key, "b": json.dumps(definition_body(d))},
            )
            publish(conn, "index-65plus", 10**9, "test")
        yield application


@pytest.fixture
def kc(kreis_app):
    return kreis_app.test_client()


def _gebiet_data(page: str) -> dict:
    raw = re.search(r'<script type="application/json" id="gebiet-data">(.*?)</script>', page, re.S)
    assert raw, "no map data"
    return json.loads(raw.group(1))


def gemeinden(app, kreis: str) -> list[str]:
    with app.extensions["sozmon_engine"].connect() as c:
        return list(
            c.scalars(
                text(
                    "SELECT ags FROM area WHERE level IN ('gemeinde', 'kommune')"
                    " AND ags LIKE :k || '%' ORDER BY ags"
                ),
                {"k": kreis},
            )
        )


# --- 1. the Kreis' index map ---------------------------------------------------------------


def test_the_kreis_index_map_colours_every_gemeinde_by_its_classes(kc, kreis_app):
    api = kc.get(f"/api/v1/sozialindex?gebiet={HILDESHEIM}").get_json()
    assert api["gebiet"] == HILDESHEIM and api["definition"]["key"] == "test-65plus"
    by_ags = {r["ags"]: r for r in api["data"]}
    assert sum(1 for r in api["data"] if r["status_class"]) > 10
    resp = kc.get(f"/sozialindex?gebiet={HILDESHEIM}")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    # the territory maps' component, its outlines from /karte/umrisse of the Kreis' Gemeinden
    assert 'id="gebiet-map"' in page and "js/karte-gebiet" in page
    shapes = re.search(r'data-shapes="([^"]+)"', page).group(1)
    assert f"gebiet={HILDESHEIM}" in shapes and "ebene=gemeinde" in shapes
    outlines = kc.get(htmllib.unescape(shapes)).get_json()
    data = _gebiet_data(page)
    ags = gemeinden(kreis_app, HILDESHEIM)
    assert data["ags"] == ags and set(outlines) == set(ags)
    assert set(by_ags) == set(ags)
    colours = {"hoch": "#ffffb2", "mittel": "#fecc5c", "niedrig": "#fd8d3c"}
    colours["sehr_niedrig"] = "#e31a1c"
    assert data["colors"] == [colours[c] for c in STATUS_CLASSES]
    for i, a in enumerate(ags):
        row = by_ags[a]
        k = data["k"][i]
        if row["status_class"] is None:
            assert k == "." and "kein Index" in data["labels"][i]
        else:
            assert data["colors"][int(k)] == colours[row["status_class"]], a
        h = {"negativ": "n", "positiv": "p"}.get(row["dynamics_class"] or "", ".")
        assert data["hatch"][i] == h, a
    # the 12-group bivariate legend counts the Gemeinden of each group
    legend = page.split('id="sozialindex-legend"', 1)[1].split("</table>", 1)[0]
    for sc in STATUS_CLASSES:
        for dc in DYNAMICS_CLASSES:
            n = sum(1 for r in api["data"] if r["status_class"] == sc and r["dynamics_class"] == dc)
            cell = legend.split(f'data-group="{sc}/{dc}"', 1)[1].split("</td>", 1)[0]
            assert (f"{n} Gemeinden" if n != 1 else "1 Gemeinde") in cell, (sc, dc, cell)
    assert "Karte der 12 Gruppen: Gemeinden des Kreises" in page
    # the home region keeps its own map (SVG of the Kommunen), no Leaflet
    home = kc.get("/sozialindex").get_data(as_text=True)
    assert 'id="gebiet-map"' not in home and 'class="sozialindex-map"' in home
    en = kc.get(f"/sozialindex?gebiet={HILDESHEIM}&lang=en").get_data(as_text=True)
    assert "Map of the 12 groups: municipalities of the district" in en


def test_the_kreis_directive_is_the_api_index(kreis_app, kc):
    with (
        kreis_app.test_request_context("/?lang=de"),
        kreis_app.extensions["sozmon_engine"].connect() as c,
    ):
        out = render(c, f"{{{{sozialindex gebiet={HILDESHEIM}}}}}", published_release_ids(c))
        bad = render(c, "{{sozialindex gebiet=99999}}\n\n{{sozialindex gebiet=0325}}", None)
        home = render(c, "{{sozialindex gebiet=03241}}", published_release_ids(c))
    assert not out.errors, out.errors
    html = str(out.html)
    assert "Gemeinden des Kreises" in html and '<th scope="col">Gemeinde</th>' in html
    api = kc.get(f"/api/v1/sozialindex?gebiet={HILDESHEIM}").get_json()
    rows = re.findall(
        r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>', html
    )
    assert len(rows) == len(api["data"]) > 10
    labels = {"sehr_niedrig": "sehr niedrig"}
    for (name, status, dynamics, _note), r in zip(rows, api["data"], strict=True):
        assert htmllib.unescape(name) == r["name"]
        assert status == (labels.get(r["status_class"], r["status_class"]) or "–")
        assert dynamics == (r["dynamics_class"] or "–")
    assert len(bad.errors) == 2 and "Unbekannter Kreis" in bad.errors[0][2]
    assert "Gebietsschlüssel" in bad.errors[1][2]
    assert not home.errors and "Gemeinden des Kreises" not in str(home.html)


# --- 2. the benchmark switch of territory maps -----------------------------------------------


def _rows(client, ags: list[str], year: int = 2015) -> dict[str, dict]:
    out = {}
    for i in range(0, len(ags), 50):  # the API takes at most 50 keys
        url = f"/api/v1/values?indikator={IND}&jahr={year}&ags={','.join(ags[i : i + 50])}"
        out.update({v["ags"]: v for v in walk_values(client, url)})
    return out


def _wilson(k: float, n: float) -> tuple[float, float]:
    p, z2 = k / n, Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


def _expected(row: dict | None, ref: float | None) -> str:
    """Own recomputation: significantly above / below / not different / not assessable."""
    if row is None or row.get("value") is None:
        return "nicht bewertbar (kein Wert)"
    if row.get("numerator") is None or row.get("denominator") is None:
        return "nicht bewertbar (keine Fallzahlen)"
    if ref is None:
        return "nicht bewertbar (kein Wert des Vergleichsgebiets)"
    lo, hi = _wilson(row["numerator"], row["denominator"])
    return "über" if lo > ref else "unter" if hi < ref else "nicht signifikant"


def _table(page: str) -> dict[str, str]:
    """Key → the verdict cell of the territory map's table (every page of it)."""
    return dict(
        re.findall(
            r"<td>(\d{8})</td>\s*<td class=\"num\">.*?</td>\s*<td data-verdict=\"[^\"]*\">(.*?)</td>",
            page,
            re.S,
        )
    )


@pytest.mark.parametrize(
    ("choice", "bench", "name"),
    [
        ("kreis", HILDESHEIM, "Hildesheim"),
        ("land", "03", "Niedersachsen"),
        ("bund", "DG", "Deutschland"),
    ],
)
def test_territory_map_verdicts_against_the_benchmarks_own_row(kc, kreis_app, choice, bench, name):
    ags = gemeinden(kreis_app, HILDESHEIM)
    own = _rows(kc, ags)
    ref_row = _rows(kc, [bench]).get(bench)
    assert ref_row is not None and ref_row["value"] is not None, bench  # the source's own row
    resp = kc.get(f"{MAP}&vergleich_mit={choice}")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    data = _gebiet_data(page)
    assert data["ags"] == ags
    cells = _table(page)
    assert set(cells) == set(ags)
    seen = set()
    for i, a in enumerate(ags):
        want = _expected(own.get(a), ref_row["value"])
        got = htmllib.unescape(cells[a])
        seen.add(want)
        if want in ("über", "unter"):
            assert got.startswith(f"signifikant {want} ") and name in got, (a, got)
        elif want == "nicht signifikant":
            assert got.startswith("nicht signifikant verschieden von"), (a, got)
        else:
            assert got == want, (a, got, want)
        assert got in data["labels"][i]  # the tooltip says the verdict too
    assert len(seen) >= 2, seen  # the test would see a map of one verdict only
    # the legend names the benchmark and its value from the source row (not a sum of parts)
    legend = page.split('id="gebiet-legend"', 1)[1].split("</aside>", 1)[0]
    assert "Vergleich mit" in legend and f'data-ags="{bench}"' in legend, legend[:3000]
    decimals = 1
    value = f"{ref_row['value']:.{decimals}f}".replace(".", ",")
    assert value in legend.split(f'data-ags="{bench}"', 1)[1].split("</li>", 1)[0]
    # the choice is kept: the select, the embed, the image export, the citation, the repaint
    assert f'<option value="{choice}" selected>' in page
    assert f"vergleich_mit={choice}" in page.split('id="embed-code"', 1)[1].split("</textarea>")[0]
    permalink = re.search(r'class="cite-link" type="text" readonly value="([^"]+)"', page)
    assert permalink and f"vergleich_mit={choice}" in htmllib.unescape(permalink.group(1))
    exports = re.findall(r'href="([^"]*/karte\.(?:svg|png)\?[^"]*)"', page)
    assert exports and all(f"vergleich_mit={choice}" in htmllib.unescape(u) for u in exports)
    embed_url = (
        htmllib.unescape(re.search(r'id="embed-preview" href="([^"]+)"', page).group(1))
        if 'id="embed-preview" href' in page
        else htmllib.unescape(re.search(r'href="([^"]+)" id="embed-preview"', page).group(1))
    )
    assert f"vergleich_mit={choice}" in embed_url
    embed = kc.get(embed_url)
    assert embed.status_code == 200 and "Vergleich mit" in embed.get_data(as_text=True), embed_url
    svg_resp = kc.get(htmllib.unescape(exports[0]))
    assert svg_resp.status_code == 200, exports
    svg = svg_resp.get_data(as_text=True)
    assert "Vergleich mit" in svg, exports
    # the data download carries the verdicts (the citation's data links keep the choice)
    csv = kc.get(f"/karte/daten?{MAP.split('?', 1)[1]}&vergleich_mit={choice}&format=csv")
    assert csv.status_code == 200
    text_csv = csv.get_data(as_text=True)
    assert "Vergleich mit" in text_csv
    for a in ags:
        line = next(ln for ln in text_csv.splitlines() if f",{a}," in ln)
        assert htmllib.unescape(cells[a]) in line, (a, line)
    farben = kc.get(f"/karte/farben?{MAP.split('?', 1)[1]}&vergleich_mit={choice}").get_json()
    assert farben["data"]["k"] == data["k"] and f"vergleich_mit={choice}" in farben["url"]


def test_rates_without_counts_are_not_assessable_and_bad_choices_refused(kc, kreis_app):
    with kreis_app.extensions["sozmon_engine"].connect() as c:
        # an INKAR rate of the Kreise (no numerators or denominators published)
        ind = c.scalar(
            text(
                "SELECT v.indicator_id FROM shown_value v WHERE v.ags LIKE '03___'"
                " AND length(v.ags) = 5 AND v.release_label LIKE 'inkar%' AND v.value IS NOT NULL"
                " AND v.numerator IS NULL GROUP BY v.indicator_id"
                " HAVING count(DISTINCT v.ags) > 30 ORDER BY v.indicator_id LIMIT 1"
            )
        )
        year = c.scalar(
            text("SELECT max(year) FROM shown_value WHERE indicator_id = :i AND ags = '03'"),
            {"i": ind},
        )
    assert ind is not None and year is not None
    page = kc.get(
        f"/karte?gebiet=03&ebene=kreis&indikator={ind}&jahr={year}&vergleich_mit=land"
    ).get_data(as_text=True)
    verdicts = re.findall(r'<td data-verdict="[^"]*">(.*?)</td>', page)
    assert verdicts and all(
        v in ("nicht bewertbar (keine Fallzahlen)", "nicht bewertbar (kein Wert)") for v in verdicts
    ), set(verdicts)
    assert "nicht bewertbar (keine Fallzahlen)" in verdicts
    assert "nicht bewertbar (keine Fallzahlen)" in page.split('id="gebiet-legend"', 1)[1]
    # a Kreis is not compared with itself; unknown choices: 400 naming the allowed ones
    for q, status in (
        (f"/karte?gebiet=03&ebene=kreis&indikator={ind}&vergleich_mit=kreis", 400),
        (f"{MAP}&vergleich_mit=welt", 400),
        (f"{MAP}&vergleich_mit=region", 400),
    ):
        r = kc.get(q)
        assert r.status_code == status, q
        assert "vergleich_mit=bund" in r.get_data(as_text=True)
    # without the parameter: the map by value, as before
    plain = kc.get(MAP).get_data(as_text=True)
    assert "data-verdict" not in plain and '<option value="" selected' not in plain
    en = kc.get(f"{MAP}&vergleich_mit=land&lang=en").get_data(as_text=True)
    assert "significantly" in en or "not significantly different" in en


def test_a_lands_gemeinden_against_their_own_kreise(kc, kreis_app):
    """Niedersachsen's Gemeinden with `kreis`: each against the row of the Kreis it lies in;
    the legend links the Kreise's own map instead of listing dozens of values."""
    url = f"/karte?gebiet=03&ebene=gemeinde&indikator={IND}&jahr=2015&vergleich_mit=kreis"
    page = kc.get(url).get_data(as_text=True)
    cells = {}
    for p in range(1, 12):
        part = kc.get(f"{url}&seite={p}")
        if part.status_code != 200:
            break
        cells.update(_table(part.get_data(as_text=True)))
    ags = gemeinden(kreis_app, "03")
    assert set(cells) == set(ags)
    sample = [a for a in ags if a.startswith(("03254", "03241", "03403", "03159"))]
    own = _rows(kc, sample)
    kreise = _rows(kc, sorted({a[:5] for a in sample}))
    names = {}
    with kreis_app.extensions["sozmon_engine"].connect() as c:
        for k in kreise:
            names[k] = c.scalar(text("SELECT name FROM area WHERE ags = :a"), {"a": k})
    for a in sample:
        ref = kreise.get(a[:5])
        want = _expected(own.get(a), None if ref is None else ref["value"])
        got = htmllib.unescape(cells[a])
        if want in ("über", "unter"):
            assert got == f"signifikant {want} {names[a[:5]]}", (a, got)
        elif want == "nicht signifikant":
            assert got == f"nicht signifikant verschieden von {names[a[:5]]}", (a, got)
        else:
            assert got == want, (a, got)
    legend = page.split('id="gebiet-legend"', 1)[1].split("</aside>", 1)[0]
    assert "dem eigenen Kreis" in legend and "legend-bench-list" not in legend
    link = re.search(r'id="gebiet-bench">.*?<a href="([^"]+)"', legend, re.S).group(1)
    assert "ebene=kreis" in link and kc.get(htmllib.unescape(link)).status_code == 200
    svg = kc.get(url.replace("/karte?", "/karte.svg?"))
    assert svg.status_code == 200 and "Vergleichswerte: die eigenen Zeilen" in svg.get_data(
        as_text=True
    )
