"""Profile, comparison and time series: numbers against the database, ranks, bad input, queries."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import event, text

from geodata import attribution
from indicators.errors import InvalidChoice, UnknownChoice
from indicators.profile import change, compare, profile, time_series

HANNOVER, GARBSEN, LEHRTE, REGION = "03241001", "03241005", "03241011", "03241"
# one indicator per polarity: higher_worse, higher_better, neutral
# Indicators without real values, so the demo release is what is shown for them.
CHECKED = ("alo_sgb2_anteil", "kaufkraft_index", "einpersonenhh_anteil")


def demo_values(conn, indicator: str, year: int | None = None) -> dict[str, float]:
    """Values of an indicator in the demo release (latest year unless given), straight from SQL."""
    year = year or conn.scalar(
        text(
            "SELECT max(year) FROM value v JOIN release r ON r.id = v.release_id"
            " WHERE r.label = 'demo-2024-2' AND indicator_id = :i"
        ),
        {"i": indicator},
    )
    rows = conn.execute(
        text(
            "SELECT ags, value FROM value v JOIN release r ON r.id = v.release_id"
            " WHERE r.label = 'demo-2024-2' AND indicator_id = :i AND year = :y"
        ),
        {"i": indicator, "y": year},
    )
    return dict(rows.all())


def expected_rank(conn, indicator: str, ags: str) -> int:
    """Rank 1 = best among the 21 Kommunen (neutral: highest), computed here in Python."""
    vals = {a: v for a, v in demo_values(conn, indicator).items() if len(a) == 8}
    polarity = conn.scalar(text("SELECT polarity FROM indicator WHERE id = :i"), {"i": indicator})
    if polarity == "higher_worse":
        return 1 + sum(v < vals[ags] for v in vals.values())
    return 1 + sum(v > vals[ags] for v in vals.values())


def cells(page_html: str, indicator: str) -> dict[str, str]:
    """Text of the numeric cells (by class) of an indicator's table row."""
    row = re.search(rf'<tr id="row-{indicator}".*?</tr>', page_html, re.S).group(0)
    out = {}
    for cls, content in re.findall(r'<td class="num ([\w-]+)[^"]*"[^>]*>(.*?)</td>', row, re.S):
        out[cls] = html.unescape(re.sub(r"<[^>]+>", "", content)).strip()
    return out


def de(value: float, decimals: int) -> str:
    """German number without thousands separators (the test values are below 1000)."""
    return f"{value:.{decimals}f}".replace(".", ",")


# ---------------------------------------------------------------- query functions


def test_profile_values_region_difference_and_rank_match_the_database(conn):
    p = profile(conn, HANNOVER, region=REGION)
    rows = {r["indicator"].id: r for t in p["topics"] for r in t["rows"]}
    assert len(rows) == conn.scalar(text("SELECT count(*) FROM indicator"))
    for ind in CHECKED:
        vals = demo_values(conn, ind)
        r = rows[ind]
        assert r["value"] == pytest.approx(vals[HANNOVER])
        assert r["region"] == pytest.approx(vals[REGION])
        assert r["diff"] == pytest.approx(vals[HANNOVER] - vals[REGION])
        assert r["rank"] == expected_rank(conn, ind, HANNOVER)
        assert r["ranked_of"] == 21
        assert r["release"]["synthetic"] is True
    # the one real indicator comes from the Zensus release
    assert rows["bev_zensus22"]["release"]["label"] == "zensus-2022"
    assert rows["bev_zensus22"]["release"]["synthetic"] is False


def test_rank_one_is_the_best_value_for_each_polarity(conn):
    for ind, best in (
        ("alo_sgb2_anteil", min),
        ("kaufkraft_index", max),
        ("einpersonenhh_anteil", max),
    ):
        vals = {a: v for a, v in demo_values(conn, ind).items() if len(a) == 8}
        top = best(vals, key=vals.get)
        assert (
            profile(conn, top, region=REGION)["topics"]
            and next(
                r
                for t in profile(conn, top, region=REGION)["topics"]
                for r in t["rows"]
                if r["indicator"].id == ind
            )["rank"]
            == 1
        )


def test_change_over_the_chosen_period(conn):
    p = profile(conn, LEHRTE, year_from=2014, year_to=2020, region=REGION)
    r = next(
        r for t in p["topics"] for r in t["rows"] if r["indicator"].id == "armutsgefaehrdung_quote"
    )
    v14, v20 = (
        demo_values(conn, "armutsgefaehrdung_quote", 2014)[LEHRTE],
        demo_values(conn, "armutsgefaehrdung_quote", 2020)[LEHRTE],
    )
    assert r["change_points"] == pytest.approx(v20 - v14)
    assert r["change_percent"] == pytest.approx((v20 - v14) / v14 * 100)
    # an indicator without a value in the first year has no change, not a wrong one
    late = next(
        r for t in p["topics"] for r in t["rows"] if r["indicator"].id == "wohnungslose_quote"
    )
    assert late["change_points"] is None and late["change_percent"] is None
    assert change(None, 3.0) == (None, None)
    assert change(0.0, 3.0) == (3.0, None)  # no per cent of zero


def test_region_profile_is_ranked_among_the_kreise(conn):
    p = profile(conn, REGION, region=REGION)
    assert p["is_region"]
    rows = {r["indicator"].id: r for t in p["topics"] for r in t["rows"]}
    # Synthetic-only indicators have no Kreis values: no rank. Real ones rank among the Kreise.
    assert rows["kaufkraft_index"]["rank"] is None
    pop = rows["bev_insgesamt"]
    kreise = dict(
        conn.execute(
            text(
                "SELECT v.ags, v.value FROM shown_value v JOIN area a ON a.ags = v.ags"
                " WHERE a.level IN ('kreis', 'region') AND v.indicator_id = 'bev_insgesamt'"
                " AND v.year = :y AND v.value IS NOT NULL"
            ),
            {"y": pop["year"]},
        ).all()
    )
    assert pop["ranked_of"] == len(kreise) > 300
    assert pop["rank"] == 1 + sum(v > kreise[REGION] for v in kreise.values())  # neutral: highest
    assert pop["land"] is not None and pop["bund"] > pop["land"] > pop["value"]


def test_profile_takes_few_queries(app):
    """All values, ranks and series in a handful of SQL statements, not one per indicator."""
    statements = []
    engine = app.extensions["sozmon_engine"]

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with engine.connect() as c:
            profile(c, HANNOVER, region=REGION)
            compare(c, HANNOVER, GARBSEN, region=REGION)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Two of them read the series breaks, one per call; two the comparison's verdicts of A and
    # B against the benchmark (one per side, issue #30).
    assert len(statements) <= 24


@pytest.mark.parametrize(
    ("call", "field", "status"),
    [
        (lambda c: profile(c, "99999999", region=REGION), "ags", 404),
        (lambda c: profile(c, "<script>", region=REGION), "ags", 404),
        (
            lambda c: profile(c, HANNOVER, year_from=2020, year_to=2015, region=REGION),
            "period",
            400,
        ),
        (lambda c: profile(c, HANNOVER, year_from=1990, region=REGION), "period", 400),
        (lambda c: profile(c, HANNOVER, year_to=2099, region=REGION), "period", 400),
        (lambda c: profile(c, HANNOVER, release_id=999, region=REGION), "release", 404),
        (lambda c: compare(c, HANNOVER, HANNOVER, region=REGION), "same", 400),
        (lambda c: compare(c, "99999999", HANNOVER, region=REGION), "ags", 404),
        (lambda c: time_series(c, "gibt_es_nicht", [], region=REGION), "indikator", 404),
        (
            lambda c: time_series(c, "armutsgefaehrdung_quote", ["03241099"], region=REGION),
            "kommunen",
            400,
        ),
        (
            lambda c: time_series(
                c, "armutsgefaehrdung_quote", [HANNOVER, HANNOVER], region=REGION
            ),
            "kommunen",
            400,
        ),
        (
            lambda c: time_series(
                c, "armutsgefaehrdung_quote", [HANNOVER], mode="log", region=REGION
            ),
            "darstellung",
            400,
        ),
    ],
)
def test_query_functions_refuse_invalid_choices(conn, call, field, status):
    with pytest.raises(InvalidChoice) as err:
        call(conn)
    # The class carries the status: 404 names something that does not exist (UnknownChoice).
    assert err.value.field == field and err.value.status == status
    assert isinstance(err.value, UnknownChoice) == (status == 404)


def test_time_series_absolute_and_index(conn):
    ts = time_series(conn, "armutsgefaehrdung_quote", [HANNOVER, GARBSEN], region=REGION)
    assert [ln["ags"] for ln in ts["lines"]] == [REGION, HANNOVER, GARBSEN]
    assert len(ts["years"]) >= 10
    first, last = ts["years"][0], ts["years"][-1]
    h = dict(ts["lines"][1]["points"])
    assert h[last] == pytest.approx(demo_values(conn, "armutsgefaehrdung_quote", last)[HANNOVER])
    idx = time_series(conn, "armutsgefaehrdung_quote", [HANNOVER], mode="index", region=REGION)
    hi = dict(idx["lines"][1]["points"])
    assert hi[first] == pytest.approx(100)
    assert hi[last] == pytest.approx(h[last] / h[first] * 100)


# ---------------------------------------------------------------- pages


def test_profile_page_shows_the_database_numbers(client, conn):
    page = client.get(f"/kommune/{HANNOVER}").get_data(as_text=True)
    # Demo mode: a note explains the marks, each synthetic row says Beispieldaten.
    assert 'class="demo-note' in page and '<span class="badge-synthetic">Beispieldaten' in page
    assert attribution.BOUNDARIES in page
    pop = conn.scalar(
        text("SELECT value FROM value WHERE indicator_id = 'bev_zensus22' AND ags = :a"),
        {"a": HANNOVER},
    )
    assert f"{round(pop):,}".replace(",", ".") in page
    assert "Zensus 2022" in page
    for ind in CHECKED:
        vals = demo_values(conn, ind)
        c = cells(page, ind)
        assert c["value"].startswith(de(vals[HANNOVER], 1))
        assert c["region"].startswith(de(vals[REGION], 1))
        assert c["rank"].startswith(f"{expected_rank(conn, ind, HANNOVER)} von 21")
    assert "(neutral)" in cells(page, "einpersonenhh_anteil")["rank"]
    assert "(neutral)" not in cells(page, "alo_sgb2_anteil")["rank"]


def test_profile_period_is_in_the_url(client, conn):
    page = client.get(f"/kommune/{LEHRTE}?von=2014&bis=2020").get_data(as_text=True)
    v14, v20 = (
        demo_values(conn, "armutsgefaehrdung_quote", 2014)[LEHRTE],
        demo_values(conn, "armutsgefaehrdung_quote", 2020)[LEHRTE],
    )
    shown = (
        cells(page, "armutsgefaehrdung_quote")["change"].split(" Pp.")[0] + " Pp."
    )  # then the change in %
    assert shown.replace("+", "").replace("±", "") == de(round(v20 - v14, 1) + 0.0, 1) + " Pp."
    assert "Veränderung 2014–2020" in page
    assert "<option selected>2014</option>" in page


def test_region_profile_and_locator_map(client):
    r = client.get(f"/kommune/{REGION}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Region Hannover" in page and "Rang unter den Kreisen" in page
    assert page.count('<path d="M') >= 22  # 21 Kommunen and the Region outline in the locator


def test_zensus_release_alone_shows_no_synthetic_banner(client, conn):
    zensus = conn.scalar(text("SELECT id FROM release WHERE label = 'zensus-2022'"))
    page = client.get(f"/kommune/{HANNOVER}?release={zensus}").get_data(as_text=True)
    assert "badge-synthetic" not in page and '<span class="badge-official">amtlich' in page
    assert 'id="row-bev_zensus22"' in page and 'id="row-armutsgefaehrdung_quote"' not in page


def test_profile_in_english(client):
    page = client.get(f"/kommune/{HANNOVER}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Share of population under 18" in page


def test_kommunen_index_lists_all_areas(client):
    page = client.get("/kommunen").get_data(as_text=True)
    assert page.count('href="/kommune/0324') == 22


def test_comparison_page(client, conn):
    page = client.get(f"/vergleich/{HANNOVER}/{GARBSEN}").get_data(as_text=True)
    for ind in CHECKED:
        vals = demo_values(conn, ind)
        c = cells(page, ind)
        assert c["value-a"].startswith(de(vals[HANNOVER], 1))
        assert c["value-b"].startswith(de(vals[GARBSEN], 1))
        assert c["region"].startswith(de(vals[REGION], 1))
    # the lower At-risk-of-poverty rate is the better one and is highlighted
    sgb = demo_values(conn, "armutsgefaehrdung_quote")
    better = "value-a" if sgb[HANNOVER] < sgb[GARBSEN] else "value-b"
    row = re.search(r'<tr id="row-armutsgefaehrdung_quote".*?</tr>', page, re.S).group(0)
    assert f"{better} better" in row and "(günstiger)" in row
    assert f'href="/vergleich/{GARBSEN}/{HANNOVER}"' in page  # swap
    # the charts load per topic (tests/test_compare_charts.py): one fragment per topic, each
    # indicator's chart in its topic's
    topics = re.findall(r'data-src="(/vergleich/[^"]+/diagramme/[^"]+)"', page)
    drawn = sum(
        client.get(html.unescape(u)).get_data(as_text=True).count('<svg class="chart"')
        for u in topics
    )
    assert '<svg class="chart"' not in page
    assert drawn == conn.scalar(text("SELECT count(*) FROM indicator"))


def test_comparison_pickers_lead_to_the_permalink(client):
    r = client.get(f"/vergleich?a={HANNOVER}&b={LEHRTE}")
    assert r.status_code == 302 and r.headers["Location"].endswith(
        f"/vergleich/{HANNOVER}/{LEHRTE}"
    )


def test_time_series_page(client, conn):
    r = client.get(f"/zeitreihe?indikator=armutsgefaehrdung_quote&kommunen={HANNOVER},{GARBSEN}")
    page = r.get_data(as_text=True)
    last = demo_values(conn, "armutsgefaehrdung_quote")
    row = re.search(r'<tr data-year="2024">.*?</tr>', page, re.S).group(0)
    tds = [html.unescape(x) for x in re.findall(r'<td class="num">(.*?)</td>', row)]
    assert tds == [de(last[a], 1) + " %" for a in (REGION, HANNOVER, GARBSEN)]
    assert client.get("/zeitreihe").status_code == 200
    idx = client.get(
        f"/zeitreihe?indikator=armutsgefaehrdung_quote&kommunen={HANNOVER}&darstellung=index"
    )
    assert re.search(
        r'<tr data-year="2012"><th scope="row">2012[^<]*(<span[^>]*>[^<]*</span>)?</th>'
        r'<td class="num">100,0</td>',
        idx.get_data(as_text=True),
    )
    # the checkbox form's repeated parameters work as well as the comma list
    rep = client.get(
        f"/zeitreihe?indikator=armutsgefaehrdung_quote&kommunen={HANNOVER}&kommunen={GARBSEN}"
    )
    assert rep.get_data(as_text=True).count('data-ags="0324') == 3


@pytest.mark.parametrize(
    ("url", "code", "choice"),
    [
        ("/kommune/99999999", 404, "/kommune/03241001"),
        ("/kommune/%3Cscript%3E", 404, "/kommune/03241"),
        (f"/kommune/{HANNOVER}?von=1990", 400, f"/kommune/{HANNOVER}"),
        (f"/kommune/{HANNOVER}?von=abc", 400, f"/kommune/{HANNOVER}"),
        (f"/kommune/{HANNOVER}?release=999", 404, "release="),
        (f"/kommune/{HANNOVER}?format=pdf", 400, "format=xlsx"),
        (f"/vergleich/{HANNOVER}/{HANNOVER}", 400, f"/vergleich/{HANNOVER}/{GARBSEN}"),
        ("/vergleich/99999999/03241001", 404, f"/kommune/{GARBSEN}"),
        (f"/vergleich/{HANNOVER}/x'--", 404, f"/kommune/{GARBSEN}"),
        ("/zeitreihe?indikator=gibt_es_nicht", 404, "/zeitreihe?indikator=armutsgefaehrdung_quote"),
        ("/zeitreihe?indikator=armutsgefaehrdung_quote&kommunen=1,2", 400, "kommunen=03241005"),
        ("/zeitreihe?indikator=armutsgefaehrdung_quote&darstellung=log", 400, "darstellung=index"),
    ],
)
def test_bad_input_gives_a_german_error_page_with_choices(client, url, code, choice):
    r = client.get(url)
    assert r.status_code == code
    page = r.get_data(as_text=True)
    assert f"Fehler {code}" in page and "Gültige Auswahl" in page
    assert choice in html.unescape(page)


@pytest.mark.parametrize(
    ("url", "message", "kept"),
    [
        (
            f"/kommune/{HANNOVER}?von=2020&bis=2015",
            "muss vor „bis“",
            "<option selected>2015</option>",
        ),
        (
            f"/kommune/{HANNOVER}?von=2020&bis=2020",
            "muss vor „bis“",
            "<option selected>2020</option>",
        ),
        (
            "/zeitreihe?kommunen=" + ",".join(f"032410{i:02d}" for i in range(1, 10)),
            "Höchstens 7 Kommunen",
            'value="03241009" checked',
        ),
        (
            f"/vergleich?a={HANNOVER}&b={HANNOVER}",
            "zwei verschiedene Kommunen",
            f'value="Hannover ({HANNOVER})"',
        ),
    ],
)
def test_form_faults_are_explained_beside_the_form_with_the_choices_kept(
    client, url, message, kept
):
    r = client.get(url)
    assert r.status_code in (200, 400)
    page = html.unescape(r.get_data(as_text=True))
    assert 'class="form-error' in page and message in page
    assert kept in page
    assert "Veränderung 2020–2020" not in page


def test_withheld_values_read_geheim_on_pages_and_downloads(fresh_app):
    from sqlalchemy import text as sql

    from indicators.precomputed import refresh

    with fresh_app.extensions["sozmon_engine"].begin() as c:
        c.execute(
            sql(
                "UPDATE value SET suppressed = true, value = NULL, numerator = NULL"
                " WHERE indicator_id = 'alo_sgb2_anteil' AND year = 2024 AND ags = '03241018'"
            )
        )
        # A change by hand: the kept figures follow it as after `sozmon precompute`.
        refresh(c, ["alo_sgb2_anteil"])
    client = fresh_app.test_client()
    html = client.get("/kommune/03241018").get_data(as_text=True)
    row = html[html.index("alo_sgb2_anteil") :]
    assert "geheim" in row[:3000]
    assert "geheim" in client.get("/vergleich/03241018/03241001").get_data(as_text=True)
    csv_text = client.get("/kommune/03241018?format=csv").get_data(as_text=True)
    line = next(ln for ln in csv_text.splitlines() if ",alo_sgb2_anteil," in ln)
    assert "geheim" in line
    series_url = "/zeitreihe?indikator=alo_sgb2_anteil&kommunen=03241018"
    page = client.get(series_url).get_data(as_text=True)
    assert 'data-year="2024"' in page and "geheim" in page[page.index('data-year="2024"') :][:600]
    series_csv = client.get(series_url + "&format=csv").get_data(as_text=True)
    assert "geheim" in next(ln for ln in series_csv.splitlines() if ln.startswith("2024"))
