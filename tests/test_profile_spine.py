"""Profile spine charts, the trend in the comparison and in the profile's downloads."""

from __future__ import annotations

import csv
import io
import re

from indicators.classify import VERDICT_COLOURS

HANNOVER, LEHRTE, GARBSEN, REGION = "03241001", "03241011", "03241005", "03241"

ROW_RE = re.compile(r'<tr id="row-([a-z0-9_]+)"[^>]*>(.*?)</tr>', re.S)


def _rows(page: str) -> dict[str, str]:
    return dict(ROW_RE.findall(page))


def _num(text: str) -> float:
    """'12,3 %' → 12.3 (German format as on the page)."""
    m = re.search(r"-?[\d.]+(?:,\d+)?", text.replace("\u2212", "-"))
    return float(m.group(0).replace(".", "").replace(",", "."))


def test_spine_per_row_matches_value_region_and_verdict(client, conn):
    page = client.get(f"/kommune/{LEHRTE}").get_data(as_text=True)
    rows = _rows(page)
    polarity = dict(
        conn.execute(__import__("sqlalchemy").text("SELECT id, polarity FROM indicator")).all()
    )
    seen = 0
    for ind, html in rows.items():
        m = re.search(r'<svg class="spine".*?</svg>', html, re.S)
        if not m:
            continue
        svg = m.group(0)
        seen += 1
        verdict = re.search(r'<td class="benchmark"[^>]*data-verdict="(\w+)"', html).group(1)
        assert f'data-verdict="{verdict}"' in svg
        assert f'fill="{VERDICT_COLOURS[verdict]}"' in svg.split("spine-marker", 1)[1]
        value = _num(re.search(r'<td class="num value"[^>]*>(.*?)<span', html, re.S).group(1))
        region = _num(re.search(r'<td class="num region"[^>]*>(.*?)</td>', html, re.S).group(1))
        x_marker = float(re.search(r'class="spine-marker" cx="([\d.]+)"', svg).group(1))
        x_region = float(re.search(r'class="spine-region" d="M([\d.]+),', svg).group(1))
        flipped = polarity[ind] == "higher_worse"
        assert ('data-flipped="true"' in svg) == flipped
        if abs(value - region) > 0.15:  # clear of rounding in the shown numbers
            right = value > region if not flipped else value < region
            assert (x_marker > x_region) == right, (ind, value, region, x_marker, x_region)
        # The light range (min–max of the 21) holds the marker.
        rx = re.search(r'class="spine-range" x="([\d.]+)" y="[^"]+" width="([\d.]+)"', svg)
        lo, width = float(rx.group(1)), float(rx.group(2))
        assert lo - 0.6 <= x_marker <= lo + width + 0.6
        assert 'aria-label="Einordnung unter den 21 Kommunen' in svg
    assert seen > 40
    # Counts get no spine; the legend explains the picture once.
    assert '<svg class="spine"' not in rows["bev_insgesamt"]
    assert 'id="spine-note"' in page


def test_region_profile_has_no_spines(client):
    page = client.get(f"/kommune/{REGION}").get_data(as_text=True)
    assert 'class="spine"' not in page and 'id="spine-note"' not in page


def test_profile_rank_links_to_the_ranking(client):
    page = client.get(f"/kommune/{LEHRTE}").get_data(as_text=True)
    assert re.search(r'href="/rangfolge\?indikator=armutsgefaehrdung_quote&amp;jahr=\d{4}"', page)


def test_profile_downloads_carry_the_trend(client):
    body = client.get(f"/kommune/{LEHRTE}?format=csv").get_data(as_text=True)
    lines = body.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Thema,"))
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[start:]))))
    assert {"Trend (letzte fünf Jahre)", "Trend signifikant", "Trend p-Wert"} <= set(rows[0])
    api = client.get(f"/api/v1/trends?ags={LEHRTE}").get_json()["data"]
    by_ind = {t["indicator"]: t for t in api}
    for r in rows:
        t = by_ind.get(r["Kennzahl-ID"])
        if t is None or t["direction"] is None:
            assert r["Trend (letzte fünf Jahre)"] == "nicht bewertbar"
        else:
            assert r["Trend (letzte fünf Jahre)"] == t["direction"]
            assert r["Trend signifikant"] == ("ja" if t["significant"] else "nein")
    xlsx = client.get(f"/kommune/{LEHRTE}?format=xlsx&lang=en")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    header = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "Topic")
    assert "Trend (last five years)" in header and "Trend significant" in header


def test_comparison_shows_both_trends(client):
    page = client.get(f"/vergleich/{LEHRTE}/{GARBSEN}").get_data(as_text=True)
    api = client.get(f"/api/v1/trends?ags={LEHRTE},{GARBSEN}").get_json()["data"]
    by = {(t["indicator"], t["ags"]): t for t in api}
    rows = _rows(page)
    assert rows
    for ind, html in rows.items():
        for side, ags in (("a", LEHRTE), ("b", GARBSEN)):
            cell = re.search(rf'<td class="trend trend-{side}"[^>]*? data-trend="(\w+)"', html)
            t = by.get((ind, ags))
            assert cell.group(1) == (t["direction"] if t and t["direction"] else "not_assessable")
