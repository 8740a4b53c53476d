"""The walk's list of issue #29 on the real test database: the disparities pages' data one click
away (the CSV's rows are the page's table), the comparison offers no difference of counts, the
"Was ist neu?" list groups an indicator's first values and names the Region."""

from __future__ import annotations

import csv
import io
import re

import pytest

from geodata import attribution

OVERVIEW = "/disparitaeten?von=2016&bis=2024"
DETAIL = "/disparitaeten/armutsgefaehrdung_quote?jahr=2024"


def _html(r) -> str:
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def _csv_rows(body: bytes) -> tuple[list[str], list[str], list[list[str]]]:
    """Header lines (before the empty row), the column row and the data rows of a page CSV."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    blank = rows.index([])
    return [r[0] for r in rows[:blank]], rows[blank + 1], rows[blank + 2 :]


def _link(html: str, fmt: str, extra: str = "") -> str:
    found = re.search(r'href="([^"]*' + extra + r'[^"]*format=' + re.escape(fmt) + r')"', html)
    assert found, fmt
    return found.group(1).replace("&amp;", "&")


def _num(text: str) -> float:
    """A number as the German page shows it ("1.234,5" → 1234.5, "−0,3" → -0.3)."""
    return float(text.replace("−", "-").replace(".", "").replace(",", ".").rstrip(" %"))


def _overview_rows(html: str) -> list[tuple[str, str, str, str]]:
    """(indicator id, start value, end value, verdict text) of the ranking table's rows."""
    body = html.split('<table class="ranking">', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    rows = re.findall(
        r'<tr data-indicator="([^"]+)">.*?</th>\s*<td class="num">([^<]*)</td>\s*'
        r'<td class="num">([^<]*)</td>.*?<td class="spread-verdict"[^>]*>(.*?)</td>',
        body,
        re.S,
    )
    return [(i, a, b, re.sub(r"<[^>]+>", "", v).strip()) for i, a, b, v in rows]


def test_the_disparity_overview_csv_has_exactly_the_rows_of_its_table(client):
    html = _html(client.get(OVERVIEW))
    shown = _overview_rows(html)
    assert len(shown) > 5
    skipped = re.findall(r'<li data-indicator="([^"]+)">', html)
    r = client.get(_link(html, "csv"))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    header, columns, rows = _csv_rows(r.data)
    assert columns[:6] == ["Rang", "Kennzahl", "Kennzahl-ID", "Einheit", "2016", "2024"]
    ranked, rest = rows[: len(shown)], rows[len(shown) :]
    # Same indicators in the same order with the same ranks, values and verdicts.
    assert [row[2] for row in ranked] == [i for i, *_ in shown]
    assert [row[0] for row in ranked] == [str(k) for k in range(1, len(shown) + 1)]
    for row, (_i, a, b, verdict) in zip(ranked, shown, strict=True):
        assert float(row[4]) == pytest.approx(_num(a)) and float(row[5]) == pytest.approx(_num(b))
        assert row[9] == verdict
    # Then the indicators the page lists as not assessable, without a rank.
    assert [row[2] for row in rest] == skipped
    assert all(row[0] == "" and row[9].startswith("nicht bewertbar: ") for row in rest)
    # The citation heads the file: its URL names the period and the measure.
    assert header[1].startswith("Zitieren: ") and header[2].startswith("Cite: ")
    assert "von=2016&bis=2024&mass=cv_weighted" in header[1]
    assert attribution.LICENCE in header[1]
    doc = client.get(_link(html, "json")).get_json()
    assert [row[2] for row in doc["rows"][: len(shown)]] == [i for i, *_ in shown]
    assert set(doc["metadata"]["citation"]) == {"de", "en"}


def test_the_default_disparity_overview_cites_its_period(client):
    html = _html(client.get("/disparitaeten"))
    assert 'class="cite-line"' in html and "Daten (CSV)" in html
    link = _link(html, "csv")
    assert re.search(r"von=\d{4}&bis=\d{4}", link), link  # the default period, named


def test_the_english_disparity_overview_has_english_data(client):
    html = _html(client.get(OVERVIEW + "&lang=en"))
    header, columns, rows = _csv_rows(client.get(_link(html, "csv")).data)
    assert columns[:4] == ["Rank", "Indicator", "Indicator ID", "Unit"], columns
    assert header[2].startswith("Cite: ") and "lang=en" in header[2]
    assert rows and "nicht bewertbar" not in " ".join(r[9] for r in rows)


def test_the_disparity_detail_csv_has_the_rows_of_its_two_tables(client):
    html = _html(client.get(DETAIL))
    shown = re.findall(r'<tr data-ags="(\d{8})">', html)
    assert len(shown) == 21
    r = client.get(_link(html, "csv"))
    assert r.status_code == 200
    header, columns, rows = _csv_rows(r.data)
    assert columns[:2] == ["Kommune", "AGS"]
    assert [row[1] for row in rows[:-1]] == shown
    assert rows[-1][0] == "Regionswert" and rows[-1][5] == "Bezugswert"
    verdicts = re.findall(r'<span class="verdict-text">([^<]+)</span>', html)
    assert [row[5] for row in rows[:-1]] == verdicts
    assert header[1].startswith("Zitieren: ") and "jahr=2024" in header[1]
    # The spreads per year: the second table's rows, its own link.
    years = re.findall(r'<tr data-year="(\d{4})">', html)
    spreads = client.get(_link(html, "csv", "tabelle=streuung"))
    assert spreads.status_code == 200
    s_header, s_columns, s_rows = _csv_rows(spreads.data)
    assert s_columns[0] == "Jahr" and s_columns[4] == "VK gewichtet"
    assert [row[0] for row in s_rows] == years and years
    assert any(h.startswith("Zitieren: ") for h in s_header)


def test_the_comparison_offers_no_difference_of_counts(client):
    html = _html(client.get("/vergleich/03241001/03241011"))
    row = html.split('id="row-bev_insgesamt"', 1)[1].split("</tr>", 1)[0]
    diff = re.search(r'<td class="num diff"[^>]*>(.*?)</td>', row, re.S).group(1)
    assert "keine Differenz bei Anzahlen" in diff and re.search(r"\d", diff) is None
    share = html.split('id="row-armutsgefaehrdung_quote"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r'<td class="num diff"[^>]*>[^<]*\d', share)  # shares keep theirs
    _h, columns, rows = _csv_rows(client.get(_link(html, "csv")).data)
    col = next(k for k, c in enumerate(columns) if c.startswith("Differenz"))
    counts = [r for r in rows if r[2] == "bev_insgesamt"]
    assert counts and all(r[col] == "" for r in counts)
    assert any(r[col] for r in rows if r[2] == "armutsgefaehrdung_quote")


# --- "Was ist neu?": a publish's new indicators as one alert, the Region named ----------------


def test_a_publishs_new_indicators_are_one_alert_on_page_and_feed(fresh_app, tmp_path):
    from tests.conftest import invoke
    from tests.test_alerts import CATALOGUE, KOMMUNEN, feed_ids

    inds = ["alarm_quote", "alarm_quote_zwei"]
    cat = tmp_path / "katalog.csv"
    with cat.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(CATALOGUE))
        w.writeheader()
        w.writerow(CATALOGUE)
        w.writerow({**CATALOGUE, "id": inds[1], "name_de": "Zweite Alarmquote (Test)"})
    values = tmp_path / "werte.csv"
    with values.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["ags", "indicator", "year", "value", "numerator", "denominator"])
        for ind in inds:
            for i, a in enumerate(KOMMUNEN):
                out.writerow([a, ind, 2021, round(40 / (1000 + i) * 100, 4), 40, 1000 + i])
            out.writerow(["03241", ind, 2021, 4.0, 840, 21000])
    r = invoke(fresh_app, "import", str(values), "--label", "neu-1", "--catalogue", str(cat))
    assert r.exit_code == 0, r.output
    r = invoke(fresh_app, "publish", "neu-1")
    assert r.exit_code == 0, r.output

    client = fresh_app.test_client()
    html = _html(client.get("/was-ist-neu"))
    section = html.split("Release neu-1", 1)[1].split("</section>", 1)[0]
    grouped = re.findall(r'<li id="alarm-neu-(\d+)">', section)
    assert len(grouped) == 1, section
    assert (
        "2 neue Kennzahlen:" in section and "Erstmals amtliche Werte für 2 Kennzahlen." in section
    )
    assert "Alarmquote (Test)" in section and "Zweite Alarmquote (Test)" in section
    # The way to all of an area's alerts names the area (the Region here), never "diese Kommune".
    assert "alle für Region Hannover" in section and "diese Kommune" not in html
    english = _html(client.get("/was-ist-neu?lang=en"))
    assert "2 new indicators:" in english
    # The feed has the page's entries: one for both, linking to the page's group.
    members = re.findall(r'<li id="alarm-(\d+)">', section)
    assert len(members) == 2
    ids = [i.rsplit("#", 1)[1] for i in feed_ids(client, "/was-ist-neu/feed.atom")]
    assert f"alarm-neu-{grouped[0]}" in ids
    assert not {f"alarm-{m}" for m in members} & set(ids)
    root = client.get("/was-ist-neu/feed.atom").get_data(as_text=True)
    assert root.count("Alarmquote (Test)") + root.count("Alert rate (test)") >= 2  # both named
    # The API keeps one row per indicator (its filter and the subscriptions are per indicator).
    body = client.get("/api/v1/alerts").get_json()
    new = [a for a in body["data"] if a["kind"] == "neu" and a["release_label"] == "neu-1"]
    assert sorted(a["indicator_id"] for a in new) == inds


# --- the map offers only years with a number to show ------------------------------------------


def test_a_year_of_signs_only_is_no_map_year(fresh_app):
    from sqlalchemy import text

    ind = "armutsgefaehrdung_quote"
    client = fresh_app.test_client()
    # Every Kommune's 2015 value becomes a sign ("..." not yet available), the Region keeps its.
    with fresh_app.extensions["sozmon_engine"].begin() as c:
        n = c.execute(
            text(
                "UPDATE value SET value = NULL, numerator = NULL, denominator = NULL, flag = '...'"
                " WHERE indicator_id = :i AND year = 2015 AND length(ags) = 8"
            ),
            {"i": ind},
        ).rowcount
    assert n >= 21  # (before the first page: the app reads the values once per data version)
    # A change by hand in SQL: the map reads the kept home rows, which follow it after
    # `sozmon precompute` (publish and rollback refresh them; docs/ops/precompute.md).
    from tests.conftest import invoke

    assert invoke(fresh_app, "precompute").exit_code == 0
    html = _html(client.get(f"/karte?indikator={ind}&jahr=2016"))
    years = re.search(r'data-years="([^"]+)"', html).group(1).split(",")
    assert "2015" not in years and "2016" in years
    links = re.findall(
        r'<li><a href="[^"]*jahr=(\d{4})[^"]*"', html.split('class="karte-years"')[1]
    )
    assert "2015" not in links and links == years
    assert client.get(f"/karte?indikator={ind}&jahr=2015").status_code == 404


def test_the_comparison_groups_dimmed_areas_are_in_the_legend(client):
    html = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2024&gruppe=03241001"))
    legend = html.split('<div class="karte-legend"', 1)[1].split("</div>", 1)[0]
    assert "Vergleichsgruppe (schwarz umrandet)" in legend
    assert "übrige Kommunen (blasser" in legend and 'fill-opacity="0.35"' in legend
    plain = _html(client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2024"))
    assert "Vergleichsgruppe (schwarz umrandet)" not in plain
    english = _html(
        client.get("/karte?indikator=armutsgefaehrdung_quote&jahr=2024&gruppe=03241001&lang=en")
    )
    assert "Comparison group (outlined in black)" in english


def test_a_year_of_signs_only_is_no_territory_map_year(fresh_app):
    """The Kreis/Land maps (`gebiet=`) follow the same rule as the Kommunen map: a year in which
    every Kreis has only a sign ("..." not yet available) is not offered."""
    from sqlalchemy import text

    ind = "bev_anteil_65plus"
    url = f"/karte?gebiet=03&ebene=kreis&indikator={ind}&jahr=2015"
    with fresh_app.extensions["sozmon_engine"].begin() as c:
        # 2015's rows of Niedersachsen's Kreise once more as 2011, each with a sign only.
        n = c.execute(
            text(
                "INSERT INTO value SELECT (jsonb_populate_record(NULL::value, to_jsonb(v)"
                " || jsonb_build_object('year', 2011, 'value', NULL, 'numerator', NULL,"
                " 'denominator', NULL, 'flag', '...'))).*"
                " FROM value v WHERE indicator_id = :i AND year = 2015 AND length(ags) = 5"
                " AND ags LIKE '03%'"
            ),
            {"i": ind},
        ).rowcount
    assert n >= 40  # Niedersachsen's Kreise (before the first page: values read per data version)
    html = _html(fresh_app.test_client().get(url))
    shown = re.findall(r'data-year="(\d{4})"', html.split('id="gebiet-years"')[1].split("</ul>")[0])
    assert "2011" not in shown and "2015" in shown, shown
