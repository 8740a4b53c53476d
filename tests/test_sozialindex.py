"""The Sozialindex on a loaded database: an independent recomputation from /api/v1/values (numpy,
not the module's functions) matches the API and the page; real values only, in demo mode too."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.test_api_paging import walk_values

APPS = ["app", "real_app"]  # demo mode (synthetic values loaded) and a default install


@pytest.fixture(params=APPS)
def client(request):
    return request.getfixturevalue(request.param).test_client()


def recompute(values: list[dict], kommunen: list[str], definition: dict) -> dict[str, dict]:
    """Status and dynamics classes by the published method, from the API's values."""
    inds = [(i["id"], i["direction"]) for i in definition["indicators"]]
    y, y0, y1 = definition["status_year"], definition["dynamics_from"], definition["dynamics_to"]
    x = {(r["indicator"], r["ags"], r["year"]): r["value"] for r in values}

    def standardise(m: np.ndarray) -> np.ndarray:  # columns: indicators; rows: Kommunen
        ok = ~np.isnan(m)
        mean = np.array([m[ok[:, j], j].mean() for j in range(m.shape[1])])
        sd = np.array([m[ok[:, j], j].std(ddof=0) for j in range(m.shape[1])])
        return np.where(sd > 0, (m - mean) / np.where(sd > 0, sd, 1), 0.0)

    def get(i: str, a: str, year: int) -> float:
        v = x.get((i, a, year))
        return np.nan if v is None else float(v)

    sign = np.array([d for _, d in inds], dtype=float)
    status = np.array([[get(i, a, y) for i, _ in inds] for a in kommunen])
    change = np.array([[get(i, a, y1) - get(i, a, y0) for i, _ in inds] for a in kommunen])
    out = {}
    for name, m in (("status", status), ("dynamics", change)):
        z = standardise(m) * sign
        idx = z.mean(axis=1)  # NaN where any indicator is missing
        have = ~np.isnan(idx)
        score = np.full(len(kommunen), np.nan)
        score[have] = (idx[have] - idx[have].mean()) / idx[have].std(ddof=0)
        out[name] = dict(zip(kommunen, score, strict=True))
    t, dt = definition["status_thresholds"], definition["dynamics_thresholds"]
    result = {}
    for a in kommunen:
        s, d = out["status"][a], out["dynamics"][a]
        sc = dc = None
        if not np.isnan(s):
            sc = (
                "sehr_niedrig"
                if s >= t["sehr_niedrig"]
                else "niedrig"
                if s >= t["niedrig"]
                else "hoch"
                if s <= t["hoch"]
                else "mittel"
            )
        if not np.isnan(d):
            dc = "negativ" if d >= dt["negativ"] else "positiv" if d <= dt["positiv"] else "stabil"
        result[a] = {
            "status_score": s,
            "status_class": sc,
            "dynamics_score": d,
            "dynamics_class": dc,
        }
    return result


def test_index_matches_an_independent_recomputation(client):
    body = client.get("/api/v1/sozialindex").get_json()
    d = body["definition"]
    assert body["synthetic"] is False
    kommunen = [r["ags"] for r in body["data"]]
    assert len(kommunen) == 21
    ids = ",".join(i["id"] for i in d["indicators"])
    years = ",".join(
        str(y) for y in sorted({d["status_year"], d["dynamics_from"], d["dynamics_to"]})
    )
    url = f"/api/v1/values?indikator={ids}&jahr={years}&ags={','.join(kommunen)}"
    vals = walk_values(client, url)  # JSON comes in pages
    real = [v for v in vals if not v["synthetic"] and v["ags"] in kommunen]
    expected = recompute(real, kommunen, d)
    page = client.get("/sozialindex").get_data(as_text=True)
    for row in body["data"]:
        e = expected[row["ags"]]
        assert row["status_class"] == e["status_class"], row["name"]
        assert row["dynamics_class"] == e["dynamics_class"], row["name"]
        for k in ("status_score", "dynamics_score"):
            if np.isnan(e[k]):
                assert row[k] is None
            else:
                assert row[k] == pytest.approx(e[k], abs=1e-4)
        # the page shows the same class for the Kommune (or says it has none)
        tr = re.search(rf'<tr data-ags="{row["ags"]}">(.*?)</tr>', page, re.S)
        assert tr is not None
        assert f'data-class="{row["status_class"] or ""}"' in tr.group(1)
        assert f'data-class="{row["dynamics_class"] or ""}"' in tr.group(1)
    # On the real data every Kommune has both classes (INKAR 2021 and 2022 are complete).
    assert all(r["status_class"] and r["dynamics_class"] for r in body["data"])


def test_index_is_the_same_in_demo_mode_and_a_default_install(app, real_app):
    demo = app.test_client().get("/api/v1/sozialindex").get_json()
    real = real_app.test_client().get("/api/v1/sozialindex").get_json()
    assert demo["data"] == real["data"]
    assert demo["synthetic"] is False and "hinweis" not in demo


def test_an_area_without_values_says_why(real_app):
    from indicators.social_index import compute, load_definition
    from indicators.social_index_queries import index_inputs

    d = load_definition()
    with real_app.extensions["sozmon_engine"].connect() as conn:
        areas = index_inputs(conn, d)
    # drop one Kommune's 2022 child poverty value: no status index, and the gap is named
    first = areas[0]
    gone = {k: v for k, v in first.values.items() if k != (d.indicator_ids[0], d.status_year)}
    areas[0] = type(first)(first.ags, first.name, gone)
    idx = compute(d, areas)
    assert idx.areas[0].status_class is None
    assert [(g.indicator, g.year) for g in idx.areas[0].status_gaps] == [
        (d.indicator_ids[0], d.status_year)
    ]
    assert idx.status is not None and idx.status.n == 20


def test_page_in_both_languages_lists_every_kommune_and_the_method(client):
    de = client.get("/sozialindex").get_data(as_text=True)
    assert de.count('<tr data-ags="') == 21
    assert "Die 12 Gruppen" in de and "Beispiel Schritt für Schritt" in de
    en = client.get("/sozialindex?lang=en").get_data(as_text=True)
    assert "The 12 groups" in en and "Worked example" in en
    assert 'href="/sozialindex"' in de  # in the navigation


def test_synthetic_values_never_enter_the_index(app):
    """In demo mode shown_value holds synthetic values for indicators without real ones: an
    index defined on such an indicator has no class anywhere and names every gap."""
    from dataclasses import replace

    from sqlalchemy import text

    from indicators.social_index import IndexIndicator, load_definition
    from indicators.social_index_queries import social_index

    with app.extensions["sozmon_engine"].connect() as conn:
        y0, y1, n = conn.execute(
            text(
                "SELECT min(year), max(year), count(*) FROM shown_value"
                " WHERE indicator_id = 'sgb2_15_64_quote' AND synthetic"
            )
        ).one()
        assert n > 0 and y0 < y1  # the demo shows synthetic values of it
        d = replace(
            load_definition(),
            indicators=(IndexIndicator("sgb2_15_64_quote", 1),),
            status_year=y1,
            dynamics_from=y0,
            dynamics_to=y1,
        )
        idx = social_index(conn, d)
    assert len(idx.areas) == 21
    assert all(a.status_class is None and a.dynamics_class is None for a in idx.areas)
    assert all(len(a.status_gaps) == 1 for a in idx.areas)
    assert idx.status is None and idx.dynamics is None


def test_the_map_legend_is_bivariate_and_a_table(client):
    """The 12 groups: colour (status) and pattern (dynamics) on the map, and a legend table with
    each group's number of Kommunen as its text alternative, matching the API."""
    body = client.get("/api/v1/sozialindex").get_json()
    page = client.get("/sozialindex").get_data(as_text=True)
    legend = re.search(r'<table class="ranking bivariate-legend".*?</table>', page, re.S).group(0)
    cells = re.findall(r'<td data-group="([a-z_]+/[a-z]+)">.*?</svg> (\d+) Kommunen?</td>', legend)
    assert len(cells) == 12
    expected = {g: 0 for g, _ in cells}
    for row in body["data"]:
        expected[row["group"]] += 1
    assert {g: int(n) for g, n in cells} == expected
    assert sum(expected.values()) == 21
    # every cell's swatch shows the pattern of its dynamics class (none for "stabil")
    for cell in re.findall(r'<td data-group="[a-z_]+/([a-z]+)">(.*?)</td>', legend):
        dyn, html = cell
        pattern = {"negativ": "si-neg-s", "positiv": "si-pos-s"}.get(dyn)
        assert (pattern is None and "url(#" not in html) or f"url(#{pattern})" in html
    # on the map a Kommune with negative or positive dynamics carries its pattern
    patterned = re.findall(r'data-dynamics="([a-z]+)"', page)
    assert sorted(patterned) == sorted(
        r["dynamics_class"] for r in body["data"] if r["dynamics_class"] in ("negativ", "positiv")
    )
    en = client.get("/sozialindex?lang=en").get_data(as_text=True)
    assert "Map legend: status (colour) × dynamics (pattern)" in en and "hatched" in en


def test_significance_is_not_claimed_without_counts(client):
    """INKAR publishes rates only: no z-score has an interval, none is called (not) significant,
    and the page says the indicators cannot be checked."""
    body = client.get("/api/v1/sozialindex").get_json()
    assert not any(i["counts_published"] for i in body["indicators"])
    for row in body["data"]:
        assert set(row["z_significant"]) == {i["id"] for i in body["definition"]["indicators"]}
        assert all(v is None for v in row["z_significant"].values())
        assert all(v is None for v in row["status_z_interval"].values())
        assert row["class_not_significant"] is False
    page = client.get("/sozialindex").get_data(as_text=True)
    assert "weder auf kleine Fallzahlen noch auf signifikante z-Werte prüfbar" in page
    assert "data-not-significant" not in page
