"""The chosen benchmark on the comparison page's charts and downloads, and on a cited map
(issue #30, remaining parts; branch bench3).

Real PostGIS, the real-data template (no demo values) unless a test says otherwise; every
expected value is read from `shown_value` or recomputed here (tests/test_benchmark.py's own
Wilson/Byar), never taken from the code under test.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import text

from tests.conftest import app_on_clone, invoke
from tests.test_benchmark import (
    HANNOVER,
    MIXED_IND,
    cell,
    expected_verdict,
    indicator_with_land_verdicts,
    mixed_app,  # noqa: F401  (the fixture: demo database with real Land/Bund values)
)

A, B = "03241001", "03241005"
VERDICT_DE = {
    "better": "signifikant besser",
    "similar": "ähnlich",
    "worse": "signifikant schlechter",
    "higher": "signifikant höher",
    "lower": "signifikant niedriger",
    "not_assessable": "nicht bewertbar",
}


def _with_charts(client, url: str) -> str:
    """The comparison page with every topic's charts, as a reader who opens them all sees it:
    the page, then each topic's chart fragment (they load when opened; issue #27)."""
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    parts = [html]
    for src in re.findall(r'data-src="([^"]+/diagramme/[^"]+)"', html):
        frag = client.get(src.replace("&amp;", "&"))
        assert frag.status_code == 200, src
        parts.append(frag.get_data(as_text=True))
    return "\n".join(parts)


def _chart(html: str, ind: str) -> str:
    found = re.search(rf'<figure class="compare-chart" id="chart-{ind}">.*?</figure>', html, re.S)
    assert found, ind
    return found.group(0)


def _chart_table(chart: str) -> tuple[list[str], dict[int, list[str]]]:
    """The chart's data table: the line names and per year the cells (as shown)."""
    head = re.findall(r"<th>([^<]*)</th>", chart.split("<thead>", 1)[1].split("</thead>")[0])
    body = chart.split("<tbody>", 1)[1].split("</tbody>")[0]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        year = int(re.search(r"<th>(\d{4})", tr).group(1))
        rows[year] = [html_lib.unescape(c) for c in re.findall(r"<td>([^<]*)</td>", tr)]
    return [html_lib.unescape(h) for h in head[1:]], rows


def _de(value: float, decimals: int) -> str:
    """A number as the page writes it in German (1.234,5)."""
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _names(conn) -> tuple[str, str]:
    names = dict(
        conn.execute(
            text("SELECT ags, name FROM area WHERE ags IN (:a, :b)"), {"a": A, "b": B}
        ).all()
    )
    return names[A], names[B]


def _indicator_without_land(conn) -> str:
    """A share both Kommunen have in some year while Niedersachsen has no value at all."""
    found = conn.scalar(
        text(
            "SELECT k.indicator_id FROM shown_value k JOIN indicator i ON i.id = k.indicator_id"
            " WHERE k.ags = ANY(:ab) AND k.value IS NOT NULL AND i.unit = '%'"
            " AND NOT EXISTS (SELECT 1 FROM shown_value l WHERE l.indicator_id = k.indicator_id"
            "  AND l.ags = '03' AND l.value IS NOT NULL)"
            " GROUP BY 1 HAVING count(DISTINCT k.ags) = 2 ORDER BY 1 LIMIT 1"
        ),
        {"ab": [A, B]},
    )
    assert found, "every share of the two Kommunen has a Land value: no gap to show"
    return found


def test_the_comparison_charts_draw_the_chosen_benchmark(real_app):
    client = real_app.test_client()
    with real_app.app_context():
        from app.web.db import get_conn

        conn = get_conn()
        ind, _year = indicator_with_land_verdicts(conn)
        decimals = conn.scalar(text("SELECT decimals FROM indicator WHERE id = :i"), {"i": ind})
        land = {
            r.year: r.value
            for r in conn.execute(
                text(
                    "SELECT year, value FROM shown_value WHERE indicator_id = :i AND ags = '03'"
                    " AND value IS NOT NULL AND NOT suppressed"
                ),
                {"i": ind},
            )
        }
        own_years = set(
            conn.scalars(
                text(
                    "SELECT DISTINCT year FROM shown_value WHERE indicator_id = :i"
                    " AND ags = ANY(:ab) AND value IS NOT NULL"
                ),
                {"i": ind, "ab": [A, B]},
            )
        )
        gap = _indicator_without_land(conn)
    html = _with_charts(client, f"/vergleich/{A}/{B}?vergleich_mit=land")
    chart = _chart(html, ind)
    names, rows = _chart_table(chart)
    assert names[0] == "Niedersachsen", names
    assert re.search(r"<title[^>]*>[^<]*Niedersachsen", chart)  # the chart's name says so
    # the Land's line: its shown values, in A's and B's years only (none filled in)
    lo, hi = min(own_years), max(own_years)
    assert set(rows) == own_years | {y for y in land if lo <= y <= hi}
    drawn = {y: cells[0] for y, cells in rows.items()}
    for y, shown in drawn.items():
        if y in land:
            assert shown == _de(land[y], decimals), y
        else:
            assert shown in ("", "–"), (y, shown)
    assert any(y in land for y in drawn), "the Land's line has no value in the chart"
    # by default the chart draws the Region (as before), Germany with `bund`
    own_page = _with_charts(client, f"/vergleich/{A}/{B}")
    own = _chart(own_page, ind)
    assert _chart_table(own)[0][0] == "Region Hannover"
    bund = _chart(_with_charts(client, f"/vergleich/{A}/{B}?vergleich_mit=bund"), ind)
    assert _chart_table(bund)[0][0] == "Deutschland"
    # where the Land's source has no value at all: said in the chart, nothing drawn
    missing = _chart(html, gap)
    assert "Niedersachsen: nicht verfügbar" in missing
    assert all(c[0] in ("", "–") for c in _chart_table(missing)[1].values())
    # by default the gap's chart draws no Land line at all
    assert "Niedersachsen" not in _chart(own_page, gap)
    en = _with_charts(client, f"/vergleich/{A}/{B}?vergleich_mit=land&lang=en")
    assert "Niedersachsen: not available" in _chart(en, gap)


def test_the_comparison_download_has_both_verdicts_against_the_chosen_benchmark(real_app):
    client = real_app.test_client()
    with real_app.app_context():
        from app.web.db import get_conn

        conn = get_conn()
        ind, _year = indicator_with_land_verdicts(conn)
        gap = _indicator_without_land(conn)
        name_a, name_b = _names(conn)
        dec = conn.scalar(text("SELECT decimals FROM indicator WHERE id = :i"), {"i": ind})
        body = client.get(f"/vergleich/{A}/{B}?vergleich_mit=land&format=json").get_json()
        cols = body["columns"]
        col = {c: k for k, c in enumerate(cols)}
        for side in (name_a, name_b):
            for what in (
                "Vergleich mit Niedersachsen",
                "Grund",
                "Vergleichswert Niedersachsen",
                "Quelle des Vergleichswerts",
            ):
                assert f"{side}: {what}" in col, (side, what, cols)
        rows = [r for r in body["rows"] if r[col["Kennzahl-ID"]] == ind]
        page = client.get(f"/vergleich/{A}/{B}?vergleich_mit=land").get_data(as_text=True)
        tr = re.search(rf'<tr id="row-{ind}".*?</tr>', page, re.S).group(0)
        year = int(re.search(r'data-label="Jahr">(\d{4})<', tr).group(1))
        land = cell(conn, ind, "03", year)
        judged = [r for r in rows if r[col["Jahr"]] == year]
        assert len(judged) == 1
        (row,) = judged
        for ags, side in ((A, name_a), (B, name_b)):
            expected = expected_verdict(conn, ind, ags, year, "03")
            assert row[col[f"{side}: Vergleich mit Niedersachsen"]] == VERDICT_DE[expected]
            assert row[col[f"{side}: Vergleichswert Niedersachsen"]] == pytest.approx(
                round(land.value, dec), abs=10**-6
            )
            assert row[col[f"{side}: Quelle des Vergleichswerts"]] == land.release_label
        # the other years of the indicator carry no verdict (it is made for the page's year)
        assert all(r[col[f"{name_a}: Vergleich mit Niedersachsen"]] == "" for r in rows if r != row)
        # the Region's download judges against the Region's value
        own = client.get(f"/vergleich/{A}/{B}?format=json").get_json()
        ocol = {c: k for k, c in enumerate(own["columns"])}
        orow = next(
            r for r in own["rows"] if r[ocol["Kennzahl-ID"]] == ind and r[ocol["Jahr"]] == year
        )
        region = cell(conn, ind, HANNOVER, year)
        assert orow[ocol[f"{name_a}: Vergleichswert Region Hannover"]] == pytest.approx(
            round(region.value, dec), abs=10**-6
        )
        assert (
            orow[ocol[f"{name_a}: Vergleich mit der Region"]]
            == VERDICT_DE[expected_verdict(conn, ind, A, year, HANNOVER)]
        )
        # no Land value at all: not judged, the value "nicht verfügbar", never filled in
        grow = [r for r in body["rows"] if r[col["Kennzahl-ID"]] == gap]
        judged = [r for r in grow if r[col[f"{name_a}: Vergleich mit Niedersachsen"]]]
        assert judged and all(
            r[col[f"{name_a}: Vergleich mit Niedersachsen"]] == "nicht bewertbar"
            and r[col[f"{name_a}: Vergleichswert Niedersachsen"]] == "nicht verfügbar"
            and "kein Wert des Vergleichsgebiets" in r[col[f"{name_a}: Grund"]]
            for r in judged
        )
    # CSV and XLSX carry the same columns
    csv = client.get(f"/vergleich/{A}/{B}?vergleich_mit=land&format=csv").get_data(as_text=True)
    assert f"{name_a}: Vergleich mit Niedersachsen" in csv
    xlsx = client.get(f"/vergleich/{A}/{B}?vergleich_mit=land&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    en = client.get(f"/vergleich/{A}/{B}?vergleich_mit=bund&format=json&lang=en").get_json()
    assert f"{name_a}: Comparison with Germany" in en["columns"]
    assert f"{name_a}: Benchmark value Germany" in en["columns"]


def test_a_synthetic_value_against_a_real_benchmark_stays_not_assessable(mixed_app):  # noqa: F811
    """Demo mode: the Kommunen's Beispieldaten beside the Land's real values (the mixed_app of
    tests/test_benchmark.py): the download says "nicht bewertbar" (mixed_synthetic) for both,
    the chart draws the Land's real line and does not mark it as Beispieldaten."""
    client = mixed_app.test_client()
    with mixed_app.app_context():
        from app.web.db import get_conn

        name_a, name_b = _names(get_conn())
    body = client.get(f"/vergleich/{A}/{B}?vergleich_mit=land&format=json").get_json()
    col = {c: k for k, c in enumerate(body["columns"])}
    rows = [
        r
        for r in body["rows"]
        if r[col["Kennzahl-ID"]] == MIXED_IND and r[col[f"{name_a}: Vergleich mit Niedersachsen"]]
    ]
    assert rows
    for r in rows:
        for side in (name_a, name_b):
            assert r[col[f"{side}: Vergleich mit Niedersachsen"]] == "nicht bewertbar"
            assert "Beispieldaten" in r[col[f"{side}: Grund"]]
    html = _with_charts(client, f"/vergleich/{A}/{B}?vergleich_mit=land")
    chart = _chart(html, MIXED_IND)
    names, table = _chart_table(chart)
    assert names[0] == "Niedersachsen"
    assert any(c[0] == "15,0" for c in table.values())
    # the Land's points are real (filled), the Kommunen's Beispieldaten (hollow)
    circles = re.findall(r"<title>Niedersachsen \d{4}: [^<]*</title>", chart)
    assert circles and not any("Beispieldaten" in c for c in circles)
    assert re.search(rf"<title>{name_a} \d{{4}}: [^<]*Beispieldaten", chart)


# --- a cited map against the Land ----------------------------------------------------------


@pytest.fixture
def real_clone(real_template):
    """An app on its own copy of the real-data database (the test publishes a release)."""
    yield from app_on_clone(real_template, DEMO=False)


def _permalink(html: str) -> str:
    found = re.search(r'class="cite-link" type="text" readonly value="([^"]+)"', html)
    assert found
    return found.group(1).replace("&amp;", "&")


def test_a_cited_map_against_the_land_keeps_its_verdicts_after_a_new_land_value(
    real_clone, tmp_path
):
    """Capture the permalink of a verdict map against Niedersachsen, publish a release that
    changes only the Land's value, reload: the cited map's verdicts, colours and benchmark value
    are those of the cited releases; the current map follows the new value."""
    client = real_clone.test_client()
    with real_clone.app_context():
        from app.web.db import get_conn

        conn = get_conn()
        ind, year = indicator_with_land_verdicts(conn)
        land = cell(conn, ind, "03", year)
        land_release = conn.scalar(
            text("SELECT id FROM release WHERE label = :l"), {"l": land.release_label}
        )
    url = f"/karte?indikator={ind}&jahr={year}&farben=vergleich&vergleich_mit=land"
    live = client.get(url).get_data(as_text=True)
    permalink = _permalink(live)
    assert "vergleich_mit=land" in permalink
    stand = re.search(r"stand=([0-9.]+)", permalink).group(1)
    pinned_path = "/" + permalink.split("//", 1)[1].split("/", 1)[1]
    parts_url = pinned_path.replace("/karte?", "/karte/teile?")
    before = client.get(parts_url).get_json()
    page_before = client.get(pinned_path).get_data(as_text=True)
    assert "Niedersachsen" in before["parts"]["findings"]
    # the pin names the Land's release (a range or a list of ids)
    from indicators.pinning import parse_ids

    assert land_release in parse_ids(stand), (stand, land_release)

    # a new release with only the Land's value, far above every Kommune's interval
    new_value = 99.9 if land.value < 50 else 0.1
    korrektur = tmp_path / "land.csv"
    korrektur.write_text(f"ags,indicator,year,value\n03,{ind},{year},{new_value}\n")
    result = invoke(real_clone, "load-release", str(korrektur), "--label", "land-korrektur")
    assert result.exit_code == 0, result.output

    after = client.get(parts_url).get_json()
    assert {a: v["color"] for a, v in after["areas"].items()} == {
        a: v["color"] for a, v in before["areas"].items()
    }
    assert after["parts"]["findings"] == before["parts"]["findings"]
    page_after = client.get(pinned_path).get_data(as_text=True)
    assert "Es gibt neuere Daten" in page_after
    assert _de(new_value, 1) not in after["parts"]["findings"]
    # the current map judges against the new value: its colours differ
    now = client.get(url.replace("/karte?", "/karte/teile?")).get_json()
    assert {a: v["color"] for a, v in now["areas"].items()} != {
        a: v["color"] for a, v in before["areas"].items()
    }
    legend = re.findall(r'data-verdict="([^"]+)"', page_before)
    assert legend == re.findall(r'data-verdict="([^"]+)"', page_after)
