"""Series breaks (table series_break): no line, change, trend or index crosses one."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import text

from app.render import charts
from indicators.breaks import (
    Break,
    break_between,
    breaks_within,
    first_year_after_break,
    same_segment,
    segment_of,
    segment_years,
    series_breaks,
)
from indicators.precomputed import refresh_trends
from tests.conftest import app_on_clone

REASON_DE = "Zensus 2011: neue Basis der Bevölkerungsfortschreibung"
REASON_EN = "Census 2011: new basis of the population update"
B2011 = Break(2011, REASON_DE, REASON_EN)


@pytest.fixture(scope="module")
def broken(loaded_template):
    """An app on its own database copy with a break of bev_insgesamt at 2011."""
    for application in app_on_clone(loaded_template):
        with application.extensions["sozmon_engine"].begin() as c:
            # only this break (the shipped series_breaks.csv has more): a world the tests know
            c.execute(text("DELETE FROM series_break"))
            c.execute(
                text("INSERT INTO series_break VALUES ('bev_insgesamt', 2011, :de, :en)"),
                {"de": REASON_DE, "en": REASON_EN},
            )
        yield application


@pytest.fixture
def bclient(broken):
    return broken.test_client()


def _path_ds(svg: str) -> list[str]:
    """The d attribute of every drawn data line (stroke-width 2.2) of one chart."""
    return re.findall(
        r'<path d="([^"]*)" fill="none" stroke="#[0-9a-f]{6}" stroke-width="2.2"', svg
    )


def _xs(d: str) -> list[list[float]]:
    """Per subpath (M …) its x coordinates."""
    return [
        [float(p.split(",")[0]) for p in re.findall(r"[-\d.]+,[-\d.]+", sub)]
        for sub in d.split("M")[1:]
    ]


# --- pure helpers ----------------------------------------------------------------------------


def test_segments_and_breaks_between_years():
    bs = (Break(2011, "a", "a"), Break(2022, "b", ""))
    assert [segment_of(y, bs) for y in (2010, 2011, 2021, 2022, 2024)] == [0, 1, 1, 2, 2]
    assert same_segment(2012, 2021, bs) and not same_segment(2010, 2011, bs)
    assert break_between(2010, 2015, bs) == bs[0]
    assert break_between(2015, 2010, bs) == bs[0]  # either order
    assert break_between(2011, 2021, bs) is None  # from the break's year on: comparable
    assert break_between(2009, 2024, bs) == bs[0]  # the first of two
    years = list(range(2008, 2025))
    assert segment_years(years, bs) == [2022, 2023, 2024]
    assert segment_years(years, bs, 2015) == list(range(2011, 2022))
    assert segment_years(years, ()) == years
    assert breaks_within([2012, 2013], bs) == []  # a break before the first year splits nothing
    assert first_year_after_break([2008, 2010, 2012, 2023], bs) == {2012: bs[0], 2023: bs[1]}
    assert bs[1].reason("en") == "b"  # no English reason stored: the German one
    assert bs[0].as_dict() == {"year": 2011, "reason_de": "a", "reason_en": "a"}


def test_line_chart_never_joins_points_across_a_break(broken):
    with broken.test_request_context():
        _check_line_chart()


def _check_line_chart():
    pts = [(y, float(y - 2000)) for y in range(2008, 2016)]
    lines = [{"name": "A", "points": pts, "color": "#123456", "dash": ""}]
    years = list(range(2008, 2016))
    plain = str(charts.line_chart(lines, years))
    same = str(charts.line_chart(lines, years, breaks=[]))  # no break: as before
    assert re.sub(r"chart-t\d+", "", plain) == re.sub(r"chart-t\d+", "", same)
    assert plain.count("chart-break") == 0 and len(_xs(_path_ds(plain)[0])) == 1
    svg = str(charts.line_chart(lines, years, breaks=[2011]))
    subpaths = _xs(_path_ds(svg)[0])
    assert len(subpaths) == 2
    rule_x = float(re.search(r'class="chart-break"><path d="M([\d.]+),', svg).group(1))
    # Every subpath lies on one side of the rule: none crosses it.
    assert all(max(xs) < rule_x or min(xs) > rule_x for xs in subpaths)
    assert "Bruch 2011" in svg
    # A break outside the drawn years splits nothing and draws no rule.
    assert str(charts.line_chart(lines, years, breaks=[2030])).count("chart-break") == 0
    spark = str(charts.sparkline(pts, "x", breaks=[2011]))
    assert spark.count("M") == 2 and str(charts.sparkline(pts, "x")).count("M") == 1


def test_series_breaks_query(broken):
    with broken.extensions["sozmon_engine"].connect() as c:
        assert series_breaks(c) == {"bev_insgesamt": (B2011,)}
        assert series_breaks(c, ["sgb2_quote"]) == {}


# --- time series ----------------------------------------------------------------------------


def test_time_series_page_draws_the_break_as_a_gap_with_a_note(bclient):
    html = bclient.get("/zeitreihe?indikator=bev_insgesamt&kommunen=03241001").get_data(True)
    wide = html.split('<div class="chart-wide">')[1].split("</svg>")[0]
    rule_x = float(re.search(r'class="chart-break"><path d="M([\d.]+),', wide).group(1))
    ds = _path_ds(wide)
    assert len(ds) == 2  # the Region and one Kommune
    for d in ds:
        subpaths = _xs(d)
        assert len(subpaths) == 2
        assert all(max(xs) < rule_x or min(xs) > rule_x for xs in subpaths)
    assert f"Zeitreihenbruch 2011: {REASON_DE}" in html
    row = re.search(r'<tr data-year="2011"[^>]*>.*?</tr>', html, re.S).group(0)
    assert 'class="ts-break-row"' in row and "nach Zeitreihenbruch 2011" in row
    assert "ts-break-row" not in re.search(r'<tr data-year="2012"[^>]*>', html).group(0)
    en = bclient.get("/zeitreihe?indikator=bev_insgesamt&lang=en").get_data(True)
    assert f"Series break 2011: {REASON_EN}" in en and "after series break 2011" in en


def test_index_starts_at_100_again_after_the_break(bclient):
    csv_text = bclient.get(
        "/zeitreihe?indikator=bev_insgesamt&darstellung=index&format=csv"
    ).get_data(True)
    rows = list(csv.reader(io.StringIO(csv_text)))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Jahr")
    data = {int(r[0]): r for r in rows[head + 1 :] if r and r[0].isdigit()}
    assert float(data[min(data)][1]) == 100.0
    assert float(data[2011][1]) == 100.0  # the first year after the break
    assert float(data[2012][1]) != 100.0


def test_series_downloads_carry_the_break(bclient):
    csv_text = bclient.get("/zeitreihe?indikator=bev_insgesamt&format=csv").get_data(True)
    rows = list(csv.reader(io.StringIO(csv_text)))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Jahr")
    assert rows[head][-1] == "Zeitreihenbruch"
    data = {int(r[0]): r for r in rows[head + 1 :] if r and r[0].isdigit()}
    assert data[2011][-1] == f"Zeitreihenbruch 2011: {REASON_DE}"
    assert data[2012][-1] == "" and data[2010][-1] == ""
    assert any(f"Zeitreihenbruch 2011: {REASON_DE}" in " ".join(r) for r in rows[:head])
    xlsx = bclient.get("/zeitreihe?indikator=bev_insgesamt&format=xlsx")
    assert xlsx.status_code == 200
    # A series without a break: no such column.
    other = bclient.get("/zeitreihe?indikator=sgb2_quote&format=csv").get_data(True)
    assert "Zeitreihenbruch" not in other


def test_chart_image_shows_the_gap_and_the_note(bclient):
    svg = bclient.get("/zeitreihe.svg?indikator=bev_insgesamt").get_data(True)
    assert "chart-break" in svg and f"Zeitreihenbruch 2011: {REASON_DE}" in svg
    for d in _path_ds(svg):
        assert len(_xs(d)) == 2
    assert bclient.get("/zeitreihe.png?indikator=bev_insgesamt").status_code == 200


def test_pages_without_a_break_show_none(bclient):
    html = bclient.get("/zeitreihe?indikator=sgb2_quote").get_data(True)
    assert "chart-break" not in html and "Zeitreihenbruch" not in html


# --- changes --------------------------------------------------------------------------------


def _profile_row(html: str, indicator: str) -> str:
    return re.search(rf'<tr id="row-{indicator}".*?</tr>', html, re.S).group(0)


def test_profile_change_never_spans_the_break(bclient):
    html = bclient.get("/kommune/03241001?von=2009&bis=2014").get_data(True)
    cell = re.search(r'<td class="num change".*?</td>', _profile_row(html, "bev_insgesamt"), re.S)
    assert f"Zeitreihenbruch 2011: {REASON_DE}" in cell.group(0)
    assert not re.search(
        r"[+−-]\s?\d", re.sub(r"<[^>]+>|2011|Zeitreihenbruch[^<]*", "", cell.group(0))
    )
    # Other indicators keep their change in the same period.
    other = re.search(r'<td class="num change".*?</td>', _profile_row(html, "sgb2_quote"), re.S)
    assert "Zeitreihenbruch" not in other.group(0)
    # Within the segment after the break: a number.
    after = bclient.get("/kommune/03241001?von=2012&bis=2015").get_data(True)
    cell = re.search(r'<td class="num change".*?</td>', _profile_row(after, "bev_insgesamt"), re.S)
    assert "Zeitreihenbruch" not in cell.group(0) and "change-pct" in cell.group(0)
    # The sparkline is cut at the break and says so.
    spark = re.search(r'<svg class="sparkline".*?</svg>', _profile_row(html, "bev_insgesamt"), re.S)
    assert "Zeitreihenbruch 2011" in spark.group(0)
    assert re.search(r'stroke="#00507d" stroke-width="1.8"', spark.group(0))
    d = re.search(r'<path d="([^"]*)" fill="none" stroke="#00507d"', spark.group(0)).group(1)
    assert d.count("M") == 2
    en = bclient.get("/kommune/03241001?von=2009&bis=2014&lang=en").get_data(True)
    assert f"Series break 2011: {REASON_EN}" in _profile_row(en, "bev_insgesamt")


def test_profile_download_names_the_break_instead_of_a_change(bclient):
    csv_text = bclient.get("/kommune/03241001?von=2009&bis=2014&format=csv").get_data(True)
    row = next(r for r in csv.reader(io.StringIO(csv_text)) if "bev_insgesamt" in r)
    assert f"Zeitreihenbruch 2011: {REASON_DE}" in row


def test_change_map_refuses_a_period_across_the_break(bclient):
    r = bclient.get("/karte?indikator=bev_insgesamt&von=2009&bis=2014")
    assert r.status_code == 400
    body = r.get_data(True)
    assert f"Zeitreihenbruch 2011: {REASON_DE}" in body
    # The offered periods lie within the newest segment (2011–2015).
    offered = re.findall(
        r'href="/karte\?indikator=bev_insgesamt&amp;von=(\d+)&amp;bis=(\d+)"', body
    )
    assert offered and all(int(a) >= 2011 for a, _b in offered)
    assert bclient.get("/karte?indikator=bev_insgesamt&von=2012&bis=2015").status_code == 200
    # The change form presets "von" to the first year of the newest segment.
    page = bclient.get("/karte?indikator=bev_insgesamt").get_data(True)
    von = page.split('<select id="von"')[1].split("</select>")[0]
    assert re.search(r'<option value="2011" selected>', von)
    assert "Zeitreihenbruch 2011" in page


def test_change_api_returns_no_change_across_the_break(bclient):
    body = bclient.get("/api/v1/change?indikator=bev_insgesamt&von=2009&bis=2014").get_json()
    assert body["series_break"] == B2011.as_dict()
    assert body["breaks"] == [B2011.as_dict()]
    assert body["data"] and all(r["change"] is None and r["rank"] is None for r in body["data"])
    assert any(r["value_von"] is not None for r in body["data"])
    within = bclient.get("/api/v1/change?indikator=bev_insgesamt&von=2012&bis=2015").get_json()
    assert within["series_break"] is None
    assert any(r["change"] is not None for r in within["data"])


def test_api_answers_carry_the_breaks(bclient):
    ind = bclient.get("/api/v1/indicators/bev_insgesamt").get_json()["data"][0]
    assert ind["breaks"] == [B2011.as_dict()]
    other = bclient.get("/api/v1/indicators/sgb2_quote").get_json()["data"][0]
    assert other["breaks"] == []
    values = bclient.get("/api/v1/values?indikator=bev_insgesamt&ags=03241").get_json()
    assert values["breaks"] == {"bev_insgesamt": [B2011.as_dict()]}
    trends = bclient.get("/api/v1/trends?indikator=bev_insgesamt&ags=03241").get_json()
    assert trends["breaks"] == {"bev_insgesamt": [B2011.as_dict()]}


def test_trends_ignore_the_years_before_the_break(broken):
    client = broken.test_client()
    ind = "alleinerziehende_anteil"  # a share with counts and five years
    before = client.get(f"/api/v1/trends?indikator={ind}&ags=03241").get_json()["data"][0]
    assert len(before["years"]) == 5 and before["direction"] is not None
    cut = before["years"][2]  # three years remain: still a trend, on those three only
    with broken.extensions["sozmon_engine"].begin() as c:
        c.execute(
            text("INSERT INTO series_break VALUES (:i, :y, 'SGB II → Bürgergeld', '')"),
            {"i": ind, "y": cut},
        )
        # The trends are kept (area_trend, 0024): a change of the breaks by hand recomputes
        # them, as indicators.loaders.load_series_breaks does (`sozmon load-catalogue`).
        refresh_trends(c, [ind])
    try:
        after = client.get(f"/api/v1/trends?indikator={ind}&ags=03241").get_json()["data"][0]
        assert after["years"] == before["years"][2:]
        assert after["direction"] is not None
        cut2 = before["years"][-1]
        with broken.extensions["sozmon_engine"].begin() as c:
            c.execute(
                text("UPDATE series_break SET year = :y WHERE indicator_id = :i"),
                {"i": ind, "y": cut2},
            )
            refresh_trends(c, [ind])
        one = client.get(f"/api/v1/trends?indikator={ind}&ags=03241").get_json()["data"][0]
        assert one["years"] == [cut2] and one["reason"] == "too_few"
    finally:
        with broken.extensions["sozmon_engine"].begin() as c:
            c.execute(text("DELETE FROM series_break WHERE indicator_id = :i"), {"i": ind})
            refresh_trends(c, [ind])


def test_disparities_over_a_break_are_not_assessable(broken):
    client = broken.test_client()
    ind = "alleinerziehende_anteil"
    years = client.get(f"/api/v1/indicators/{ind}").get_json()["data"][0]["years"]
    a, b = years[0], years[-1]
    assert f">{_name(client, ind)}</a>:" not in _not_assessable(client, a, b)
    with broken.extensions["sozmon_engine"].begin() as c:
        c.execute(
            text("INSERT INTO series_break VALUES (:i, :y, 'Bürgergeld', 'Citizen''s income')"),
            {"i": ind, "y": b},
        )
    try:
        section = _not_assessable(client, a, b)
        assert f"Zeitreihenbruch {b}: Bürgergeld" in section
        detail = client.get(f"/disparitaeten/{ind}").get_data(True)
        assert "chart-break" in detail and f"Zeitreihenbruch {b}: Bürgergeld" in detail
    finally:
        with broken.extensions["sozmon_engine"].begin() as c:
            c.execute(text("DELETE FROM series_break WHERE indicator_id = :i"), {"i": ind})


def _name(client, ind: str) -> str:
    return client.get(f"/api/v1/indicators/{ind}").get_json()["data"][0]["name_de"]


def _not_assessable(client, a: int, b: int) -> str:
    html = client.get(f"/disparitaeten?von={a}&bis={b}").get_data(True)
    return html.split('id="na-h"')[1].split("</section>")[0] if 'id="na-h"' in html else ""


# --- reports --------------------------------------------------------------------------------


def test_report_directives_never_cross_the_break(broken):
    from app.berichte.render import render
    from app.berichte.values import published_release_ids

    with broken.test_request_context("/"), broken.extensions["sozmon_engine"].connect() as c:
        out = render(
            c,
            "A {{veraenderung indikator=bev_insgesamt gebiet=03241 von=2010 bis=2015}} B"
            " {{veraenderung indikator=bev_insgesamt gebiet=03241 von=2012 bis=2015}}\n\n"
            "{{zeitreihe indikator=bev_insgesamt gebiete=03241}}",
            published_release_ids(c),
        )
    html = str(out.html)
    assert not out.errors
    nums = re.findall(r'<span class="zahl">([^<]*)</span>', html)
    assert nums[0] == f"Zeitreihenbruch 2011: {REASON_DE}"
    assert nums[1].startswith(("+", "−"))
    assert "chart-break" in html and '<ul class="brueche">' in html
    for d in _path_ds(html):
        assert len(_xs(d)) == 2
