"""Profile: the trend column and the similar Kommunen agree with the API and say what they are."""

from __future__ import annotations

import re

HANNOVER, LEHRTE, REGION = "03241001", "03241011", "03241"


def _trend_cells(page: str) -> dict[str, str]:
    """Indicator id → the trend cell's HTML."""
    out = {}
    for ind, cell in re.findall(
        r'<tr id="row-([a-z0-9_]+)"[^>]*>.*?(<td class="trend".*?</td>)', page, re.S
    ):
        out[ind] = cell
    return out


def test_every_profile_row_has_a_trend_cell_matching_the_api(client):
    page = client.get(f"/kommune/{LEHRTE}").get_data(as_text=True)
    rows = re.findall(r'<tr id="row-([a-z0-9_]+)"', page)
    cells = _trend_cells(page)
    assert set(cells) == set(rows) and rows
    assert all(
        'role="cell"' in c and 'data-label="Trend (letzte fünf Jahre)"' in c for c in cells.values()
    )
    api = client.get(f"/api/v1/trends?ags={LEHRTE}").get_json()["data"]
    by_ind = {r["indicator"]: r for r in api}
    seen = {"assessed": 0, "not": 0}
    for ind, cell in cells.items():
        t = by_ind.get(ind)
        if t is None or t["direction"] is None:
            assert 'data-trend="not_assessable"' in cell and "nicht bewertbar" in cell
            seen["not"] += 1
            continue
        assert f'data-trend="{t["direction"]}"' in cell
        assert f'data-significant="{str(t["significant"]).lower()}"' in cell
        assert t["direction"] in cell
        assert ("nicht signifikant" in cell) == (not t["significant"])
        seen["assessed"] += 1
    assert seen["assessed"] and seen["not"]


def test_count_indicator_trend_is_not_assessable_with_reason(client):
    page = client.get(f"/kommune/{HANNOVER}").get_data(as_text=True)
    cell = _trend_cells(page)["bev_zensus22"]
    assert "nicht bewertbar" in cell and "kein Anteil und keine Rate" in cell


def test_similar_kommunen_on_the_profile_match_the_api(client):
    page = client.get(f"/kommune/{HANNOVER}").get_data(as_text=True)
    listed = re.findall(r'<li data-ags="(\d{8})">', page)
    api = client.get(f"/api/v1/neighbours?ags={HANNOVER}").get_json()
    assert listed == [r["neighbour_ags"] for r in api["data"]] and len(listed) == 5
    assert HANNOVER not in listed
    for ags in listed:
        assert f'href="/vergleich/{HANNOVER}/{ags}"' in page
    assert "(logarithmiert)" in page
    assert "euklidischer Abstand" in page


def test_region_profile_has_trends_but_no_similar_kommunen(client):
    page = client.get(f"/kommune/{REGION}").get_data(as_text=True)
    assert 'class="trend"' in page
    assert "similar-h" not in page


def test_english_profile_translates_trend_and_similar(client):
    page = client.get(f"/kommune/{LEHRTE}?lang=en").get_data(as_text=True)
    assert "Similar municipalities" in page and "Trend (last five years)" in page
    cells = " ".join(_trend_cells(page).values())
    assert "nicht bewertbar" not in cells and "not assessable" in cells
    assert re.search(r"(rising|falling|unchanged), <span", cells)
