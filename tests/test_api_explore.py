"""API: /trends (recent trend with significance) and /neighbours (similar Kommunen)."""

from __future__ import annotations

import pytest
from scipy.stats import chi2

from tests.test_api import API, assert_problem, get_json


def _score_test(points, proportion: bool) -> float:
    """χ² of the trend score test written out independently of indicators.trends."""
    t = [y for y, _, _ in points]
    o = [x for _, x, _ in points]
    n = [d for _, _, d in points]
    p = sum(o) / sum(n)
    u = sum(ti * (oi - ni * p) for ti, oi, ni in zip(t, o, n, strict=True))
    tbar = sum(ni * ti for ti, ni in zip(t, n, strict=True)) / sum(n)
    var = (p * (1 - p) if proportion else p) * sum(
        ni * (ti - tbar) ** 2 for ti, ni in zip(t, n, strict=True)
    )
    return u * u / var


def test_trend_of_a_rate_from_the_last_five_real_years(client):
    body = get_json(client, f"{API}/trends?indikator=bev_geburtenrate&ags=03241001")
    (row,) = body["data"]
    values = get_json(client, f"{API}/values?indikator=bev_geburtenrate&ags=03241001")["data"]
    real = sorted(
        (v["year"], v["numerator"], v["denominator"])
        for v in values
        if not v["synthetic"] and v["numerator"] is not None
    )
    assert len(real) >= 5
    last5 = real[-5:]
    assert row["years"] == [y for y, _, _ in last5]
    assert (row["method"], row["unit"], row["synthetic"]) == ("poisson-score", "‰", False)
    x2 = _score_test(last5, proportion=False)
    assert row["chi2"] == pytest.approx(x2)
    assert row["p"] == pytest.approx(chi2.sf(x2, 1))
    assert row["significant"] == (row["p"] < 0.05)
    assert row["direction"] in ("steigend", "fallend")
    assert body["synthetic"] is False


def test_trend_of_a_share_uses_cochran_armitage(client):
    body = get_json(client, f"{API}/trends?indikator=mindestsicherung_quote&ags=03241001")
    (row,) = body["data"]
    assert row["method"] == "cochran-armitage" and row["reason"] is None
    assert isinstance(row["significant"], bool)


def test_no_counts_is_not_assessable(client):
    body = get_json(client, f"{API}/trends?indikator=bev_zensus22&ags=03241001")
    (row,) = body["data"]
    assert (row["direction"], row["significant"], row["p"], row["reason"]) == (
        None,
        None,
        None,
        "unit",
    )


def test_trends_default_areas_are_region_and_kommunen(client):
    body = get_json(client, f"{API}/trends?indikator=bev_geburtenrate")
    assert {r["ags"] for r in body["data"]} == {"03241"} | {f"032410{n:02d}" for n in range(1, 22)}


@pytest.mark.parametrize(
    ("query", "status", "needle"),
    [
        ("indikator=gibtsnicht", 404, "/api/v1/indicators"),
        ("ags=03241999", 404, "/api/v1/areas"),
        ("ags=abc", 400, "ags"),
        ("jahr=2015", 400, "Erlaubt: indikator, ags, release"),
        ("release=gibtsnicht", 404, "/api/v1/releases"),
    ],
)
def test_trends_bad_input(client, query, status, needle):
    body = assert_problem(client.get(f"{API}/trends?{query}"), status)
    assert needle in body["detail"]


def test_neighbours_of_a_kommune(client):
    body = get_json(client, f"{API}/neighbours?ags=03241001&k=3")
    assert body["k"] == 3 and body["count"] == 3
    assert [r["rank"] for r in body["data"]] == [1, 2, 3]
    d = [r["distance"] for r in body["data"]]
    assert d == sorted(d) and all(x > 0 for x in d)
    assert "03241001" not in {r["neighbour_ags"] for r in body["data"]}
    ids = [v["id"] for v in body["variables"]]
    assert "bev_dichte" in ids and len(ids) >= 2
    # Real values only: the variables come from the official release, never the demo release.
    assert body["synthetic"] is False
    assert all(v["release"] and "demo" not in v["release"] for v in body["variables"])


def test_neighbours_are_symmetric_in_distance(client):
    rows = get_json(client, f"{API}/neighbours?k=20")["data"]
    dist = {(r["ags"], r["neighbour_ags"]): r["distance"] for r in rows}
    assert len(dist) == 21 * 20
    assert all(dist[(a, b)] == dist[(b, a)] for a, b in dist)


@pytest.mark.parametrize(
    ("query", "status", "needle"),
    [
        ("k=0", 400, "möglich: 1, 2"),
        ("k=x", 400, "möglich: 1, 2"),
        ("ags=03241", 404, "Erlaubt: 03241001"),
        ("ags=03241999", 404, "Erlaubt: 03241001"),
    ],
)
def test_neighbours_bad_input(client, query, status, needle):
    body = assert_problem(client.get(f"{API}/neighbours?{query}"), status)
    assert needle in body["detail"]
