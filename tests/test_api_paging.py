"""/api/v1/values as JSON and GeoJSON in pages: `limit`/`offset`, `count_total`, `next`/`prev`."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest

from app.api.openapi import PAGE_DEFAULT, PAGE_MAX
from tests.test_api import API, assert_problem, get_json

# One indicator and year for every area of the loaded database: several pages of PAGE rows.
QUERY = "indikator=bev_insgesamt&jahr=2015"
PAGE = 100


def _local(url: str) -> str:
    """The test client's path and query of an absolute `next`/`prev` URL."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def walk_values(client, url: str) -> list[dict]:
    """Every row of a /values JSON request, following `next` (for tests that need them all)."""
    rows: list[dict] = []
    next_url: str | None = url
    while next_url:
        r = client.get(next_url)
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
        rows += r.get_json()["data"]
        next_url = _local(r.get_json()["next"]) if r.get_json()["next"] else None
    return rows


def _key(row: dict) -> tuple[str, str, str]:
    return (row["indicator"], row["ags"], str(row["year"]))


def test_walking_next_gives_exactly_the_rows_of_the_unpaged_csv(client):
    csv_text = client.get(f"{API}/values?{QUERY}&format=csv").get_data(as_text=True)
    expected = [_key(r) for r in csv.DictReader(io.StringIO(csv_text))]
    assert len(expected) > 2 * PAGE, "the query must span several pages"
    rows, url, pages, seen_prev = [], f"{API}/values?{QUERY}&limit={PAGE}", 0, []
    while url:
        r = client.get(url)
        body = r.get_json()
        assert r.status_code == 200
        assert body["count"] == len(body["data"]) <= PAGE
        assert body["count_total"] == len(expected)
        assert body["offset"] == len(rows) and body["limit"] == PAGE
        # the area pages of `links` are those of this page's rows
        assert set(body["links"]) == {d["ags"] for d in body["data"]}
        if body["next"]:  # the neighbours also as RFC 8288 links
            assert f'<{body["next"]}>; rel="next"' in r.headers["Link"]
            # every other parameter kept
            q = parse_qs(urlsplit(body["next"]).query)
            assert q["indikator"] == ["bev_insgesamt"] and q["jahr"] == ["2015"]
        seen_prev.append(body["prev"])
        rows += body["data"]
        url = _local(body["next"]) if body["next"] else None
        pages += 1
    assert pages == -(-len(expected) // PAGE)
    assert [_key(r) for r in rows] == expected
    assert seen_prev[0] is None and all(seen_prev[1:])
    # prev of the second page is the first page: the unpaged URL's parameters, no offset
    assert "offset" not in parse_qs(urlsplit(seen_prev[1]).query)


def test_prev_walks_back_and_a_page_past_the_end_is_empty(client):
    total = get_json(client, f"{API}/values?{QUERY}&limit=1")["count_total"]
    past = get_json(client, f"{API}/values?{QUERY}&limit={PAGE}&offset={total + 10}")
    assert past["data"] == [] and past["count"] == 0 and past["count_total"] == total
    assert past["next"] is None
    # prev from beyond the end is the last full page before the end
    assert parse_qs(urlsplit(past["prev"]).query)["offset"] == [str(total - PAGE)]
    last = get_json(client, _local(past["prev"]))
    assert last["count"] == PAGE and last["next"] is None


def test_defaults_and_the_csv_stays_whole(client):
    body = get_json(client, f"{API}/values?{QUERY}")
    assert body["limit"] == PAGE_DEFAULT and body["offset"] == 0 and body["prev"] is None
    # limit/offset do not cut the bulk downloads
    whole = client.get(f"{API}/values?{QUERY}&format=csv").get_data(as_text=True)
    cut = client.get(f"{API}/values?{QUERY}&format=csv&limit=5&offset=3").get_data(as_text=True)
    assert whole == cut


def test_geojson_pages_too(client):
    body = client.get(f"{API}/values?{QUERY}&format=geojson&limit=3&offset=2").get_json()
    assert body["count"] == len(body["features"]) == 3
    assert body["offset"] == 2 and body["prev"] and body["next"]
    assert parse_qs(urlsplit(body["next"]).query)["format"] == ["geojson"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        f"limit={PAGE_MAX + 1}",
        "limit=abc",
        "limit=1.5",
        "limit=",
        "offset=-1",
        "offset=x",
        "limit=10&limit=20",
    ],
)
def test_bad_limit_or_offset_is_a_400_problem(client, query):
    body = assert_problem(client.get(f"{API}/values?{QUERY}&{query}"), 400, "invalid-parameter")
    assert body["parameter"] in ("limit", "offset")
    assert body["parameter"] in body["detail"]
