"""Scatter plot of two indicators: regression by hand, queries, page, embed, image, API."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import jsonschema
import numpy as np
import pytest
from scipy import stats

from app.api.openapi import document
from geodata import attribution
from indicators.scatter import (
    InvalidSelection,
    bubble_radius,
    check_selection,
    least_squares,
)
from indicators.scatter_queries import indicator_years, pair_years, scatter
from tests.test_api import API, assert_problem, get_json

LEHRTE, GARBSEN, HANNOVER = "03241011", "03241005", "03241001"
KOMMUNEN = [f"032410{n:02d}" for n in range(1, 22)]
REAL = "/streuung?x=svb_quote&y=bev_anteil_65plus"  # both real for every Kommune in 2015


# --- the domain: numbers worked out by hand ------------------------------------------------


def test_least_squares_by_hand():
    # x̄ = 2.5, ȳ = 3.5; Sxx = 5, Syy = 5, Sxy = 4 → slope 0.8, intercept 3.5 − 0.8·2.5 = 1.5,
    # r = 4/√(5·5) = 0.8, R² = 0.64. With 2 degrees of freedom the t-test gives p = 1 − |r|.
    reg = least_squares([1, 2, 3, 4], [2, 3, 5, 4])
    assert (reg.slope, reg.intercept, reg.n) == (pytest.approx(0.8), pytest.approx(1.5), 4)
    assert reg.r == pytest.approx(0.8) and reg.r2 == pytest.approx(0.64)
    assert reg.p == pytest.approx(0.2)
    assert reg.at(10) == pytest.approx(9.5)


def test_least_squares_agrees_with_scipy_and_sign_of_a_falling_cloud():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 20, 21)
    y = 30 - 0.7 * x + rng.normal(0, 2, 21)
    reg, ref = least_squares(x, y), stats.linregress(x, y)
    assert reg.slope == pytest.approx(ref.slope) and reg.intercept == pytest.approx(ref.intercept)
    assert reg.r == pytest.approx(ref.rvalue) and reg.p == pytest.approx(ref.pvalue)
    assert reg.r < 0 and reg.r2 == pytest.approx(ref.rvalue**2)


def test_least_squares_undefined_cases():
    assert least_squares([1, 2], [1, 2]) is None  # two points: a line always fits
    assert least_squares([3, 3, 3], [1, 2, 3]) is None  # no spread in x: no slope
    flat = least_squares([1, 2, 3], [5, 5, 5])  # no spread in y: flat line, r undefined
    assert (flat.slope, flat.intercept, flat.r, flat.r2, flat.p) == (0.0, 5.0, None, None, None)
    perfect = least_squares([1, 2, 3], [2, 4, 6])
    assert perfect.r == pytest.approx(1.0) and perfect.p == 0.0
    with pytest.raises(ValueError):
        least_squares([1, 2, 3], [1, 2])


def test_bubble_area_is_proportional_to_population():
    big = bubble_radius(400_000, 400_000, 30, 3)
    quarter = bubble_radius(100_000, 400_000, 30, 3)
    assert big == 30 and quarter == pytest.approx(15)  # a quarter of the area: half the radius
    assert (quarter / big) ** 2 == pytest.approx(0.25)
    assert bubble_radius(10, 400_000, 30, 3) == 3  # never invisible
    assert bubble_radius(None, 400_000, 30, 3) == 3


def test_selection_is_checked_and_deduplicated():
    assert check_selection([f"{LEHRTE},{GARBSEN}", LEHRTE], KOMMUNEN, 21) == [LEHRTE, GARBSEN]
    assert check_selection([], KOMMUNEN, 21) == [] and check_selection([","], KOMMUNEN, 21) == []
    with pytest.raises(InvalidSelection) as err:
        check_selection(["03241001,99999999"], KOMMUNEN, 21)
    assert err.value.unknown == ["99999999"]
    with pytest.raises(InvalidSelection):
        check_selection([",".join(KOMMUNEN + [KOMMUNEN[0]])], KOMMUNEN, 21)
    with pytest.raises(InvalidSelection):
        check_selection(["03241"], KOMMUNEN, 21)  # the Region is no Kommune


# --- queries on the loaded database --------------------------------------------------------


def test_scatter_points_regression_and_population(conn):
    s = scatter(conn, "sgb2_15_64_quote", "armutsgefaehrdung_quote", 2024)
    assert len(s.points) == 21 and s.region is not None and s.region.ags == "03241"
    drawn = s.drawn
    xs, ys = [p.x.value for p in drawn], [p.y.value for p in drawn]
    slope, intercept = np.polyfit(xs, ys, 1)
    assert s.regression.slope == pytest.approx(slope)
    assert s.regression.intercept == pytest.approx(intercept)
    assert s.regression.r == pytest.approx(np.corrcoef(xs, ys)[0, 1])
    assert s.regression.n == len(drawn)
    # Dots are sized by the population of the same year, else the newest before it (the real
    # series ends in 2023; no synthetic population is shown beside it).
    assert all(
        p.population.indicator == "bev_insgesamt" and p.population.year <= 2024 for p in s.points
    )
    assert not any(p.population.synthetic for p in s.points)
    assert max(s.points, key=lambda p: p.population.value).name.startswith("Hannover")
    assert s.synthetic  # 2024 values are Beispieldaten


def test_default_year_prefers_real_values_and_provenance_names_tables(conn):
    s = scatter(conn, "svb_quote", "bev_anteil_65plus", None)
    assert s.year == 2015 and s.years == [2015]
    assert not s.synthetic and s.releases == ["regionalstatistik-2017"]
    assert "13111-02-02-5-B" in s.provenance["svb_quote"][0]["tables"]
    assert s.provenance["bev_insgesamt"][0]["release"] == "regionalstatistik-2017"


def test_no_regression_through_real_against_synthetic_values(conn):
    # Demo mode: a real x (INKAR child poverty) against a synthetic y has dots, marked, but no
    # line — no figure combines the two kinds.
    s = scatter(conn, "sgb2_u15_quote_inkar", "armutsgefaehrdung_quote", 2022)
    assert len(s.drawn) == 21 and s.mixed and s.kinds_mixed and s.regression is None
    same = scatter(conn, "sgb2_15_64_quote", "armutsgefaehrdung_quote", 2022)
    assert not same.kinds_mixed and same.regression is not None


def test_pair_years_are_the_common_years(conn):
    years = indicator_years(conn)
    assert pair_years(years, "bev_zensus22", "bev_insgesamt") == [2022]
    assert pair_years(years, "bev_zensus22", "nope") == []


# --- the page ------------------------------------------------------------------------------


def _html(client, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.get_data(as_text=True)[:400])
    return r.get_data(as_text=True)


def test_page_draws_every_kommune_in_chart_and_map_with_table(client):
    html = _html(client, REAL)
    assert "<h1" in html and "2015" in html
    # Two drawings (wide and narrow) of 21 dots, one map with 21 shapes, one table row each.
    assert len(re.findall(r'<circle class="dot[^"]*" data-ags="', html)) == 42
    assert len(re.findall(r'<path class="map-shape[^"]*" data-ags="', html)) == 21
    assert len(re.findall(r'<tr data-ags="', html)) == 21
    assert html.count('class="region-mark"') == 2  # the Region, marked distinctly
    assert 'class="fit"' in html  # the least-squares line
    assert "R²" in html and "13111-02-02-5-B" in html and attribution.LICENCE in html
    assert (
        "Beispieldaten"
        not in html.split('<section class="streuung-sources"')[1].split("</section>")[0]
    )
    # Only the pair's years are offered.
    years = re.search(r'<select id="jahr" name="jahr">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'value="(\d{4})"', years) == ["2015"]  # the pair's one common year
    assert 'href="/streuung"' in html  # in the main navigation


def test_selection_in_the_url_marks_dots_map_rows_and_checkboxes(client):
    html = _html(client, f"{REAL}&jahr=2015&auswahl={LEHRTE},{GARBSEN}")
    for ags in (LEHRTE, GARBSEN):
        assert f'class="dot is-selected" data-ags="{ags}"' in html
        assert f'class="map-shape is-selected" data-ags="{ags}"' in html
        assert f'<tr data-ags="{ags}" class="is-selected">' in html
        assert f'value="{ags}" checked' in html
    assert f'class="dot is-selected" data-ags="{HANNOVER}"' not in html
    assert "Ausgewählt: Garbsen, Lehrte" in html
    # Permalink and embed code keep the selection (sorted, so one selection is one address).
    assert f"auswahl={GARBSEN}%2C{LEHRTE}" in html or f"auswahl={GARBSEN},{LEHRTE}" in html
    assert "/embed/streuung?" in html


def test_comparison_group_redirects_to_the_permalink(client):
    r = client.get(f"{REAL}&jahr=2015&gruppe={LEHRTE}")
    assert r.status_code == 303
    chosen = re.search(r"auswahl=([0-9%C,]+)", r.headers["Location"]).group(1)
    chosen = chosen.replace("%2C", ",").split(",")
    assert LEHRTE in chosen and len(chosen) == 6 and chosen == sorted(chosen)
    r = client.get(f"/embed/streuung?x=svb_quote&y=bev_anteil_65plus&gruppe={LEHRTE}")
    assert r.status_code == 303 and r.headers["Location"].startswith("/embed/streuung?")
    html = _html(client, f"{REAL}&gruppe=03241", 400)
    assert "ähnlichen Kommunen" in html


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        (
            "x=nope&y=armutsgefaehrdung_quote",
            404,
            ["nope", "x-Achse", "/streuung?y=armutsgefaehrdung_quote&amp;x=sgb2_15_64_quote"],
        ),
        (
            "x=sgb2_15_64_quote&y=nope",
            404,
            ["nope", "y-Achse", "x=sgb2_15_64_quote&amp;y=armutsgefaehrdung_quote"],
        ),
        (
            "x=sgb2_15_64_quote&y=sgb2_15_64_quote",
            400,
            ["dieselbe Kennzahl", "y=armutsgefaehrdung_quote"],
        ),
        (
            "x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=zwei",
            400,
            ["keine gültige Jahreszahl", "jahr=2024"],
        ),
        (
            "x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=1999",
            404,
            ["im Jahr 1999", "Gemeinsame Jahre: 2012", "jahr=2012"],
        ),
        ("x=bev_zensus22&y=efh_anteil", 404, ["kein gemeinsames Jahr", "y=bev_insgesamt"]),
        ("auswahl=03241001,12345678", 400, ["12345678", "auswahl=03241011"]),
        ("auswahl=" + ",".join(KOMMUNEN * 2), 400, ["Höchstens 21 Kommunen"]),
        ("auswahl=%3Cscript%3Ealert(1)%3C/script%3E", 400, ["&lt;script&gt;"]),
        ("x=%27%3B+DROP+TABLE+value%3B--&y=armutsgefaehrdung_quote", 404, ["DROP TABLE"]),
        ("jahr=2024%0A", 400, ["keine gültige Jahreszahl"]),
        ("jahr=99999999999999999999", 400, ["keine gültige Jahreszahl"]),
    ],
)
def test_bad_input_gets_a_4xx_naming_the_choices(client, query, status, words):
    html = _html(client, f"/streuung?{query}", status)
    assert "Gültige Auswahl" in html
    for w in words:
        assert w in html, w
    assert "<script>alert" not in html


def test_bad_input_in_english(client):
    html = _html(client, "/streuung?x=sgb2_15_64_quote&y=sgb2_15_64_quote&lang=en", 400)
    assert "the same indicator" in html and "Gültige Auswahl" not in html


def test_english_page(client):
    html = _html(client, f"{REAL}&lang=en&auswahl={LEHRTE}")
    assert "Least-squares line" in html and "Scatter plot" in html and "Selected: Lehrte" in html
    assert "Gerade der kleinsten Quadrate" not in html and "Einwohnerzahl" not in html


def test_embed_may_be_framed_and_keeps_the_selection(client):
    r = client.get(f"/embed/streuung?x=svb_quote&y=bev_anteil_65plus&auswahl={LEHRTE}")
    assert r.status_code == 200
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in r.headers
    html = r.get_data(as_text=True)
    assert f'class="dot is-selected" data-ags="{LEHRTE}"' in html
    assert attribution.LICENCE in html and "site-header" not in html
    page = client.get(REAL)
    assert page.headers["X-Frame-Options"] == "DENY"


def test_svg_image_is_a_standalone_document_with_source_and_licence(client):
    r = client.get(
        f"/streuung.svg?x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=2024&auswahl={LEHRTE}"
    )
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert "attachment" in r.headers["Content-Disposition"]
    assert (
        "streuung-sgb2_15_64_quote-armutsgefaehrdung_quote-2024.svg"
        in r.headers["Content-Disposition"]
    )
    root = ET.fromstring(r.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t.strip() for t in root.itertext())
    for words in (
        "Armutsgefährdungsquote",
        "SGB-II-Quote der 15-",
        "2024",
        "r = 0,",
        "R² = 0,",
        "Quelle",
        f"Lizenz: {attribution.LICENCE}",
        attribution.BOUNDARIES,
        "Beispieldaten",
        "Lehrte",
    ):
        assert words in text, words
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert len(root.findall(".//s:circle[@data-ags]", ns)) == 21
    # Only the selection is labelled in the image (no stylesheet hides the others there).
    labels = " ".join("".join(t.itertext()) for t in root.iterfind(".//s:text", ns))
    assert "Lehrte" in labels and "Garbsen" not in labels
    en = client.get(
        "/streuung.svg?x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=2024&lang=en"
    ).get_data(as_text=True)
    assert f"Licence: {attribution.LICENCE}" in en and "Sample data" in en
    assert client.get("/streuung.svg?x=nope&y=armutsgefaehrdung_quote").status_code == 404


# --- API -------------------------------------------------------------------------------------


def _validate(app, body: dict, ref: str) -> None:
    with app.app_context():  # the document is titled after the app's home region
        doc = document()
    jsonschema.validate(
        body, {"$ref": f"#/components/schemas/{ref}", "components": doc["components"]}
    )


def test_api_points_and_regression_match_the_page(client, conn):
    body = get_json(
        client, f"{API}/streuung?x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=2024"
    )
    _validate(client.application, body, "Scatter")
    assert body["count"] == 22 and body["year"] == 2024 and body["synthetic"] is True
    s = scatter(conn, "sgb2_15_64_quote", "armutsgefaehrdung_quote", 2024)
    assert body["regression"]["r"] == pytest.approx(s.regression.r)
    assert body["regression"]["r2"] == pytest.approx(s.regression.r2)
    kommunen = [r for r in body["data"] if r["level"] == "kommune"]
    xs, ys = [r["x"] for r in kommunen], [r["y"] for r in kommunen]
    assert body["regression"]["slope"] == pytest.approx(np.polyfit(xs, ys, 1)[0])
    assert [r["level"] for r in body["data"]].count("region") == 1
    assert body["licence"]["id"] == attribution.LICENCE and "hinweis" in body
    real = get_json(client, f"{API}/streuung?x=svb_quote&y=bev_anteil_65plus")
    _validate(client.application, real, "Scatter")
    assert real["year"] == 2015 and real["synthetic"] is False
    assert all(r["x_synthetic"] is False for r in real["data"])
    assert math.isfinite(real["regression"]["p"])


@pytest.mark.parametrize(
    ("query", "status", "slug"),
    [
        ("y=armutsgefaehrdung_quote", 400, "invalid-parameter"),
        ("x=sgb2_15_64_quote&y=sgb2_15_64_quote", 400, "invalid-parameter"),
        ("x=nope&y=armutsgefaehrdung_quote", 404, "not-found"),
        ("x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=1999", 404, "not-found"),
        ("x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=zwei", 400, "invalid-parameter"),
        ("x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&foo=1", 400, "unknown-parameter"),
        ("x=bev_zensus22&y=efh_anteil", 404, "not-found"),
    ],
)
def test_api_errors_are_problems(client, query, status, slug):
    body = assert_problem(client.get(f"{API}/streuung?{query}"), status, slug)
    if "jahr=1999" in query:
        assert body["allowed"][0] == 2012


# --- a named release in the API and the dots' population ----------------------------------

PAIR = "x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=2024"
NUMBER = re.compile(r"-?[\d.]+(?:,\d+)?")


def _load(app, tmp_path, label: str, rows: list[str], *flags: str) -> int:
    """Load a release from CSV rows (ags,indicator,year,value); its id."""
    from sqlalchemy import text

    from tests.conftest import invoke

    path = tmp_path / f"{label}.csv"
    path.write_text("\n".join(["ags,indicator,year,value", *rows]) + "\n")
    result = invoke(app, "load-release", str(path), "--label", label, *flags)
    assert result.exit_code == 0, result.output
    with app.extensions["sozmon_engine"].connect() as c:
        return c.scalar(text("SELECT id FROM release WHERE label = :l"), {"l": label})


def _pair_rows(x0: float, y0: float) -> list[str]:
    return [
        line
        for i, a in enumerate(KOMMUNEN)
        for line in (
            f"{a},sgb2_15_64_quote,2024,{x0 + i / 10:.1f}",
            f"{a},armutsgefaehrdung_quote,2024,{y0 + i / 10:.1f}",
        )
    ]


def _german(text_: str) -> float | None:
    """A number as the page writes it ("1.234,5 %"), None for none."""
    m = NUMBER.search(text_)
    return float(m.group(0).replace(".", "").replace(",", ".")) if m else None


def _page_table(html: str) -> dict[str, tuple]:
    """The page's table: AGS → (x, y, population, population year)."""
    rows = re.findall(
        r'<tr data-ags="(\d+)"[^>]*>\s*<th scope="row">[^<]*</th>\s*<td class="num">([^<]*)</td>'
        r'\s*<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>',
        html,
    )
    out = {}
    for ags, x, y, pop in rows:
        year = re.search(r"\((\d{4})\)", pop)
        out[ags] = (_german(x), _german(y), _german(pop.split("(")[0]), year and int(year[1]))
    return out


def _api_table(body: dict) -> dict[str, tuple]:
    """The API's rows as the page rounds them: AGS → (x, y, population, population year)."""

    def rounded(v: float | None, decimals: int) -> float | None:
        return None if v is None else round(v, decimals)

    dx, dy = body["x"]["decimals"], body["y"]["decimals"]
    return {
        r["ags"]: (
            rounded(r["x"], dx),
            rounded(r["y"], dy),
            rounded(r["population"], 0),
            r["population_year"],
        )
        for r in body["data"]
        if r["level"] == "kommune"
    }


def test_api_takes_a_named_release_like_the_page_and_dots_follow_it(fresh_app, tmp_path):
    pop_rows = [f"{a},bev_insgesamt,2024,{10000 + 1000 * i}" for i, a in enumerate(KOMMUNEN)]
    pop_rows.append(f"03241,bev_insgesamt,2024,{sum(10000 + 1000 * i for i in range(21))}")
    named = _load(fresh_app, tmp_path, "2025-1", _pair_rows(33.1, 55.1) + pop_rows)
    client = fresh_app.test_client()
    from tests.conftest import invoke

    assert invoke(fresh_app, "rollback").exit_code == 0  # withdrawn: readable by id only
    body = get_json(client, f"{API}/streuung?{PAIR}&release={named}")
    _validate(fresh_app, body, "Scatter")
    assert body["release"] == "2025-1"
    assert any("2025-1" in a and "zurückgezogen" in a for a in body["attribution"])
    api = _api_table(body)
    for i, a in enumerate(KOMMUNEN):
        assert api[a][:2] == (pytest.approx(33.1 + i / 10), pytest.approx(55.1 + i / 10))
        # the dots' population from the same named release, not from the newest
        assert api[a][2:] == (10000 + 1000 * i, 2024)
    assert {r["population_release"] for r in body["data"] if r["level"] == "kommune"} == {"2025-1"}
    # the page with the same release shows the same values, without a population note
    html = client.get(f"/streuung?{PAIR}&release={named}").get_data(as_text=True)
    assert _page_table(html) == api
    assert "population-note" not in html
    assert (
        f"/api/v1/streuung?x=sgb2_15_64_quote&amp;y=armutsgefaehrdung_quote&amp;jahr=2024&amp;release={named}"
        in html
    )
    # without the release: the newest values and population
    newest = get_json(client, f"{API}/streuung?{PAIR}")
    assert newest["release"] is None
    assert all(r[2] != 10000 + 1000 * i for i, r in enumerate(_api_table(newest).values()))
    assert _page_table(client.get(f"/streuung?{PAIR}").get_data(as_text=True)) == _api_table(newest)
    # the ETag holds the release: the newest answer's ETag is no 304 for the named one
    tag = client.get(f"{API}/streuung?{PAIR}").headers["ETag"]
    again = client.get(f"{API}/streuung?{PAIR}&release={named}", headers={"If-None-Match": tag})
    assert again.status_code == 200 and again.headers["ETag"] != tag
    same = client.get(
        f"{API}/streuung?{PAIR}&release={named}", headers={"If-None-Match": again.headers["ETag"]}
    )
    assert same.status_code == 304

    # a release without population for the year: those dots from the newest data, and a note
    bare = _load(fresh_app, tmp_path, "2025-2", _pair_rows(40.1, 60.1))
    assert invoke(fresh_app, "rollback").exit_code == 0
    body = get_json(client, f"{API}/streuung?{PAIR}&release={bare}")
    assert body["release"] == "2025-2"
    api = _api_table(body)
    assert api[KOMMUNEN[0]][:2] == (pytest.approx(40.1), pytest.approx(60.1))
    newest_pop = {a: r[2:] for a, r in _api_table(newest).items()}
    assert {a: r[2:] for a, r in api.items()} == newest_pop
    assert "2025-2" not in {r["population_release"] for r in body["data"]}
    html = client.get(f"/streuung?{PAIR}&release={bare}").get_data(as_text=True)
    note = re.search(r'<p class="release-note population-note"[^>]*>(.*?)</p>', html, re.S)
    assert note and "„2025-2“ enthält keine Einwohnerzahlen für 2024" in note.group(1)
    assert "neuesten Datenstand" in note.group(1)
    assert _page_table(html) == api
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        s = scatter(c, "sgb2_15_64_quote", "armutsgefaehrdung_quote", 2024, release_id=bare)
        assert set(KOMMUNEN) <= set(s.population_newest)
        assert (
            scatter(
                c, "sgb2_15_64_quote", "armutsgefaehrdung_quote", 2024, release_id=named
            ).population_newest
            == []
        )
        assert (
            scatter(c, "sgb2_15_64_quote", "armutsgefaehrdung_quote", 2024).population_newest == []
        )


def test_api_release_drafts_only_for_editors(fresh_app, tmp_path):
    from tests.conftest import invoke
    from tests.test_editor import PASSWORD, login

    draft = _load(fresh_app, tmp_path, "d-1", _pair_rows(77.1, 88.1), "--draft")
    url = f"{API}/streuung?{PAIR}&release={draft}"
    anonymous = fresh_app.test_client()
    body = assert_problem(anonymous.get(url), 404, "release-unavailable")
    assert body["parameter"] == "release"  # answered exactly like an unknown release
    assert anonymous.get(f"/streuung?{PAIR}&release={draft}").status_code == 404
    assert invoke(fresh_app, "editor-add", "redaktion", "--password", PASSWORD).exit_code == 0
    editor = fresh_app.test_client()
    assert login(editor).status_code == 302
    r = editor.get(url)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    body = r.get_json()
    assert body["release"] == "d-1" and "Entwurf" in " ".join(body["attribution"])
    assert _api_table(body)[KOMMUNEN[0]][:2] == (pytest.approx(77.1), pytest.approx(88.1))
    assert "no-store" in r.headers["Cache-Control"] and "public" not in r.headers["Cache-Control"]
    page = editor.get(f"/streuung?{PAIR}&release={draft}").get_data(as_text=True)
    assert {a: v[:2] for a, v in _page_table(page).items()} == {
        a: v[:2] for a, v in _api_table(body).items()
    }
    # still hidden from the public after an editor looked
    assert_problem(anonymous.get(url), 404, "release-unavailable")


def test_api_unknown_release_is_a_404_linking_the_newest(client):
    body = assert_problem(client.get(f"{API}/streuung?{PAIR}&release=424242"), 404)
    assert body["type"].endswith("#problem-release-unavailable")
    assert body["parameter"] == "release" and "424242" in body["detail"]
    assert (
        body["newest"] == f"{API}/streuung?x=sgb2_15_64_quote&y=armutsgefaehrdung_quote&jahr=2024"
    )
    assert body["newest"] in body["detail"]
    assert get_json(client, body["newest"])["release"] is None


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "0",
        "007",
        "-1",
        "1.5",
        "1 OR 1=1",
        "1;DROP TABLE release",
        "9999999999",
        "zensus-2022",
        "",
    ],
)
def test_api_invalid_release_is_a_400(client, value):
    from urllib.parse import quote

    r = client.get(f"{API}/streuung?{PAIR}&release={quote(value)}")
    body = assert_problem(r, 400, "invalid-parameter")
    assert body["parameter"] == "release"


def test_named_release_without_the_pair_links_to_the_newest_scatter(fresh_app, tmp_path):
    """A release that lacks the default pair: the 404 offers the same pair with the newest data."""
    import html as html_lib

    other = _load(
        fresh_app, tmp_path, "nur-krippe", [f"{a},krippe_quote,2024,30.5" for a in KOMMUNEN]
    )
    client = fresh_app.test_client()
    page = client.get(f"/streuung?release={other}")
    assert page.status_code == 404
    body = page.get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">Streudiagramm mit dem neuesten Datenstand</a>', body)
    assert link, body
    href = html_lib.unescape(link.group(1))
    assert "release" not in href and "x=" in href and "y=" in href
    assert client.get(href).status_code == 200
