"""The benchmark switch (Region, Land, Germany) and the plain-language findings (issue #30).

Every claim of every sentence over every Kommune × indicator of the real-data template is checked
against an independent recomputation of its test (Wilson/Byar interval in numpy here, not the
module's) and against the trend test's outcome; the pages keep the choice in their links.
"""

from __future__ import annotations

import math
import re

import pytest
from sqlalchemy import text

from indicators import benchmarks
from indicators.errors import InvalidChoice
from indicators.precomputed import refresh

Z = 1.959963984540054
RATE_SCALE = {"‰": 1e3, "je 10.000": 1e4, "je 100.000": 1e5}
HANNOVER = "03241"


def interval(num: float, den: float, unit: str) -> tuple[float, float] | None:
    """The 95 % interval, recomputed: Wilson for %, Byar for rates (None: no test)."""
    if unit == "%":
        if den <= 0 or num < 0 or num > den:
            return None
        p, z2 = num / den, Z * Z
        c = (p + z2 / (2 * den)) / (1 + z2 / den)
        h = Z / (1 + z2 / den) * math.sqrt(p * (1 - p) / den + z2 / (4 * den * den))
        return max(0.0, c - h) * 100, min(1.0, c + h) * 100
    if unit in RATE_SCALE:
        if den <= 0 or num < 0:
            return None
        lo = 0.0 if num == 0 else num * (1 - 1 / (9 * num) - Z / (3 * math.sqrt(num))) ** 3
        x1 = num + 1
        hi = x1 * (1 - 1 / (9 * x1) + Z / (3 * math.sqrt(x1))) ** 3
        s = RATE_SCALE[unit] / den
        return max(0.0, lo) * s, hi * s
    return None


def test_choice_is_validated():
    assert benchmarks.parse_choice(None) == "region"
    assert benchmarks.parse_choice("") == "region"
    for c in benchmarks.CHOICES:
        assert benchmarks.parse_choice(c) == c
    for bad in ("kreis", "Land", "niedersachsen", "1"):
        with pytest.raises(InvalidChoice) as err:
            benchmarks.parse_choice(bad)
        assert err.value.field == "vergleich_mit" and err.value.status == 400


@pytest.mark.parametrize(
    "url",
    ["/kommune/03241001?vergleich_mit=kreis", "/karte?vergleich_mit=kreis&farben=vergleich"],
)
def test_unknown_benchmark_is_a_400_naming_the_choices(real_app, url):
    r = real_app.test_client().get(url)
    body = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "ist kein Vergleichsmaßstab" in body
    for c in benchmarks.CHOICES:
        assert f"vergleich_mit={c}" in body


def _kommunen(conn) -> list[str]:
    return list(conn.scalars(text("SELECT ags FROM area WHERE level = 'kommune' ORDER BY ags")))


def cell(conn, ind: str, ags: str, year: int):
    return conn.execute(
        text(
            "SELECT value, numerator, denominator, suppressed, release_label FROM shown_value"
            " WHERE indicator_id = :i AND ags = :a AND year = :y"
        ),
        {"i": ind, "a": ags, "y": year},
    ).first()


@pytest.mark.parametrize("choice", benchmarks.CHOICES)
def test_every_sentence_claims_only_what_its_test_supports(real_app, choice):
    from app.render.findings import finding_sentence
    from app.web.db import get_conn
    from indicators.findings import profile_findings
    from indicators.profile import profile
    from indicators.trend_queries import area_trends

    checked = significant = trends_significant = 0
    for lang in ("de", "en"):
        with real_app.test_request_context(f"/?lang={lang}"):
            conn = get_conn()
            comp = benchmarks.comparator(conn, choice, HANNOVER)
            for k in _kommunen(conn):
                p = profile(conn, k, region=HANNOVER, against=comp)
                trends = {i: t for (i, _a), t in area_trends(conn, [k]).items()}
                for f in profile_findings(p, trends):
                    s = finding_sentence(f)
                    assert s.startswith(f.name + ": "), s
                    checked += 1
                    d = f.difference
                    if d is not None:
                        own = cell(conn, f.indicator.id, k, f.year)
                        ref = cell(conn, f.indicator.id, comp.ags, f.year)
                        ref_value = None if ref is None or ref.suppressed else ref.value
                        assert f.benchmark_value == ref_value, (k, f.indicator.id)
                        ci = (
                            interval(own.numerator, own.denominator, f.indicator.unit)
                            if own.numerator is not None and own.denominator is not None
                            else None
                        )
                        if ci is None or ref_value is None:
                            expected = None
                        else:
                            lo, hi = ci
                            expected = (
                                "above"
                                if lo > ref_value
                                else "below"
                                if hi < ref_value
                                else "within"
                            )
                        assert (d.direction if d.method else None) == expected, (
                            k,
                            f.indicator.id,
                            s,
                        )
                        if ref_value is not None and d.method:
                            # a benchmark value is never shown without its source
                            assert f.benchmark_source == ref.release_label
                            assert ref.release_label in s
                    above = ("signifikant über", "significantly above")
                    below = ("signifikant unter", "significantly below")
                    said_above = any(w in s for w in above)
                    said_below = any(w in s for w in below)
                    assert said_above == bool(d and d.method and d.direction == "above"), s
                    assert said_below == bool(d and d.method and d.direction == "below"), s
                    if said_above or said_below:
                        significant += 1
                        # the claim names its test
                        assert (
                            "95 %-Konfidenzintervall nach" in s or "95 % confidence interval" in s
                        )
                        assert "Wilson" in s or "Byar" in s
                    t = trends.get(f.indicator.id)
                    sig_trend = bool(t and t["direction"] and t["significant"])
                    said_trend = ", signifikant (" in s or ", significant (" in s
                    assert said_trend == sig_trend, s
                    if t and t["direction"]:
                        assert any(
                            n in s
                            for n in (
                                "Cochran-Armitage-Trendtest",
                                "Poisson-Score-Test",
                                "Cochran–Armitage trend test",
                                "Poisson score test",
                            )
                        ), s
                        trends_significant += sig_trend
                    else:  # no trend test ran: the sentence says nothing about a trend
                        assert "seit " not in s and "since " not in s, s
    # the check covered real claims of both kinds, not an empty set
    assert checked > 21 * 20
    assert significant > 0 and trends_significant > 0


def _verdicts(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr id="row-([^"]+)"[^>]*>.*?data-verdict="([^"]+)"', html, re.S))


def test_switching_to_the_land_changes_the_profile_and_keeps_the_choice(real_app):
    client = real_app.test_client()
    with real_app.app_context():
        from app.web.db import get_conn

        kommunen = _kommunen(get_conn())
    changed = []
    for k in kommunen:
        region = client.get(f"/kommune/{k}").get_data(as_text=True)
        land = client.get(f"/kommune/{k}?vergleich_mit=land")
        assert land.status_code == 200
        html = land.get_data(as_text=True)
        a, b = _verdicts(region), _verdicts(html)
        changed += [(k, i) for i in a if i in b and a[i] != b[i]]
        assert "Vergleich mit Niedersachsen" in html
        # the switch: a labelled radio group in a GET form, the choice checked
        assert re.search(r"<legend>Vergleichen mit</legend>", html)
        assert 'name="vergleich_mit" value="land" checked' in html
        # the period form keeps the choice
        assert '<input type="hidden" name="vergleich_mit" value="land">' in html
    assert changed, "Niedersachsen as benchmark changed no verdict on any profile"


def indicator_with_land_verdicts(conn) -> tuple[str, int]:
    """A share with counts for the Kommunen and a Land value in the same year."""
    row = conn.execute(
        text(
            "SELECT k.indicator_id, k.year FROM shown_value k JOIN indicator i ON i.id ="
            " k.indicator_id JOIN shown_value l ON l.indicator_id = k.indicator_id"
            " AND l.year = k.year AND l.ags = '03' AND l.value IS NOT NULL"
            " WHERE k.ags LIKE '03241___' AND k.numerator IS NOT NULL AND i.unit = '%'"
            " GROUP BY 1, 2 HAVING count(*) = 21 ORDER BY 2 DESC, 1 LIMIT 1"
        )
    ).first()
    assert row is not None, "no share with counts and a Land value in the real data"
    return row.indicator_id, row.year


def test_switching_the_map_changes_colours_and_the_text_keeps_the_source(real_app):
    client = real_app.test_client()
    with real_app.app_context():
        from app.web.db import get_conn

        ind, year = indicator_with_land_verdicts(get_conn())
    base = f"/karte/teile?indikator={ind}&jahr={year}&farben=vergleich"
    region = client.get(base).get_json()
    land = client.get(base + "&vergleich_mit=land").get_json()
    colours = {a: v["color"] for a, v in region["areas"].items()}
    assert colours != {a: v["color"] for a, v in land["areas"].items()}
    text_land = land["parts"]["findings"]
    assert "Vergleich mit Niedersachsen" in text_land and "Quelle:" in text_land
    assert "Vergleich mit der Region" in region["parts"]["findings"]
    page = client.get(f"/karte?indikator={ind}&jahr={year}&farben=vergleich&vergleich_mit=land")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # the drawn map itself (its script carries the colours) follows the choice, not a cache
    own = client.get(f"/karte?indikator={ind}&jahr={year}&farben=vergleich").get_data(as_text=True)
    scripts = [re.findall(r"<script>(.*?)</script>", h, re.S)[-1] for h in (own, html)]
    assert scripts[0] != scripts[1]
    assert '<option value="land" selected>' in html
    year_links = re.findall(r'<nav class="karte-years".*?</nav>', html, re.S)[0]
    assert year_links.count("vergleich_mit=land") >= 1
    assert "Urteil gegenüber Niedersachsen" in html
    en = client.get(
        f"/karte/teile?indikator={ind}&jahr={year}&farben=vergleich&vergleich_mit=bund&lang=en"
    )
    assert "Compared with Germany" in en.get_json()["parts"]["findings"]


def test_profile_summary_in_both_languages(real_app):
    client = real_app.test_client()
    de = client.get("/kommune/03241005").get_data(as_text=True)
    en = client.get("/kommune/03241005?lang=en").get_data(as_text=True)
    assert "Befunde in Sätzen" in de and "Findings in sentences" in en
    items_de = re.findall(r'<ul class="findings-list">(.*?)</ul>', de, re.S)
    items_en = re.findall(r'<ul class="findings-list">(.*?)</ul>', en, re.S)
    assert items_de and items_en
    assert items_de[0].count("<li>") == items_en[0].count("<li>") > 0


def test_a_fokusbericht_draft_starts_from_the_findings(fresh_app):
    from tests.conftest import invoke
    from tests.test_editor import PASSWORD, login

    assert invoke(fresh_app, "editor-add", "redaktion", "--password", PASSWORD).exit_code == 0
    client = fresh_app.test_client()
    profile = client.get("/kommune/03241005?vergleich_mit=land").get_data(as_text=True)
    link = "/redaktion/berichte/neu?befunde=03241005&amp;vergleich_mit=land"
    assert link in profile
    anon = client.get(link.replace("&amp;", "&"))
    assert anon.status_code == 302  # editors only
    login(client)
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    body = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', form, re.S).group(1)
    assert "Vergleich mit Niedersachsen: Garbsen" in body
    items = [line for line in body.splitlines() if line.startswith("- Garbsen: ")]
    summary = re.search(r'<ul class="findings-list">(.*?)</ul>', profile, re.S).group(1)
    assert len(items) == summary.count("<li>") > 0
    assert client.get("/redaktion/berichte/neu?befunde=03241&vergleich_mit=land").status_code == 400
    assert client.get("/redaktion/berichte/neu?befunde=0324100x").status_code == 404
    assert client.get("/redaktion/berichte/neu?befunde=03241005&vergleich_mit=x").status_code == 400


# --- demo mode: a synthetic value is never judged against a real one (and vice versa) --------

MIXED_DE = "Beispieldaten werden nicht mit echten Werten verglichen"
MIXED_EN = "sample data are not compared with real values"


def test_the_test_refuses_to_set_a_synthetic_value_against_a_real_one():
    from indicators import ranking, stats
    from indicators.intervals import AreaInterval, Interval

    args = dict(numerator=50, denominator=100, unit="%", polarity="higher_worse")
    # 50 % (interval about 40–60 %) against 10 %: significantly above when both are one kind
    for own, ref in ((True, True), (False, False), (None, False), (True, None)):
        b = stats.benchmark(**args, region_value=10.0, synthetic=own, reference_synthetic=ref)
        assert (b.verdict, b.direction) == ("worse", "above"), (own, ref)
    for own, ref in ((True, False), (False, True)):
        b = stats.benchmark(**args, region_value=10.0, synthetic=own, reference_synthetic=ref)
        assert (b.verdict, b.reason, b.direction) == ("not_assessable", "mixed_synthetic", None)
    # a missing benchmark value keeps its own reason
    b = stats.benchmark(**args, region_value=None, synthetic=True, reference_synthetic=None)
    assert b.reason == "no_region"
    area = AreaInterval("1", "A", "kommune", 50.0, False, Interval(40.0, 60.0, "wilson"), None)
    for own in (True, False):
        a = AreaInterval(**{**vars(area), "synthetic": own})
        assert ranking.verdict(a, 10.0, "higher_worse", own)[0] == "worse"
        assert ranking.verdict(a, 10.0, "higher_worse", not own) == (
            "not_assessable",
            None,
            "mixed_synthetic",
        )


def _kind(conn, ind: str, ags: str, year: int) -> bool | None:
    row = conn.execute(
        text(
            "SELECT synthetic FROM shown_value WHERE indicator_id = :i AND ags = :a AND year = :y"
            " AND value IS NOT NULL AND NOT suppressed"
        ),
        {"i": ind, "a": ags, "y": year},
    ).first()
    return None if row is None else row.synthetic


MIXED_IND = "armutsgefaehrdung_quote"  # Beispieldaten for the Kommunen (with counts) in demo mode


@pytest.fixture
def mixed_app(fresh_app):
    """The demo database with real Land and Bund values of a share whose Kommunen have only
    Beispieldaten: an install with demo mode and INKAR's Länder/Bund series has such pairs (the
    suite's data does not). Stored in the real INKAR release, before the first request."""
    with fresh_app.extensions["sozmon_engine"].begin() as c:
        c.execute(text("SELECT set_config('sozmon.demo', 'on', true)"))
        assert c.scalar(
            text(
                "SELECT bool_and(synthetic) FROM shown_value WHERE indicator_id = :i"
                " AND ags LIKE '03241___'"
            ),
            {"i": MIXED_IND},
        )
        n = c.execute(
            text(
                "INSERT INTO value (release_id, indicator_id, ags, year, value)"
                " SELECT r.id, :i, g.ags, y, g.v FROM release r,"
                " (VALUES ('03', 15.0), ('DG', 16.5)) g(ags, v), generate_series(2012, 2024) y"
                " WHERE r.label = 'inkar-2024' AND NOT r.synthetic"
            ),
            {"i": MIXED_IND},
        ).rowcount
        # A change by hand: the kept figures (profile_value, 0020) follow it as after
        # `sozmon precompute`.
        refresh(c, [MIXED_IND])
    assert n == 26
    return fresh_app


def test_demo_mode_never_judges_a_synthetic_value_against_a_real_benchmark(mixed_app):
    """Every Kommune × indicator of the demo database against the Land and Germany: where one
    value is Beispieldaten and the other real, the verdict is "nicht bewertbar" with its reason,
    no difference is computed, the sentence says why and claims nothing significant."""
    from app.render.findings import finding_sentence
    from app.web.db import get_conn
    from indicators.findings import profile_findings
    from indicators.profile import profile

    mixed = same = 0
    for lang, reason in (("de", MIXED_DE), ("en", MIXED_EN)):
        with mixed_app.test_request_context(f"/?lang={lang}"):
            conn = get_conn()
            for choice in ("land", "bund"):
                comp = benchmarks.comparator(conn, choice, HANNOVER)
                for k in _kommunen(conn):
                    p = profile(conn, k, region=HANNOVER, against=comp)
                    rows = {r["indicator"].id: r for t in p["topics"] for r in t["rows"]}
                    for f in profile_findings(p, {}):
                        if f.difference is None or f.benchmark_value is None:
                            continue
                        own = _kind(conn, f.indicator.id, k, f.year)
                        ref = _kind(conn, f.indicator.id, comp.ags, f.year)
                        row = rows[f.indicator.id]
                        s = finding_sentence(f)
                        if own is not None and ref is not None and own != ref:
                            mixed += 1
                            assert f.difference.reason == "mixed_synthetic", (k, f.indicator.id)
                            assert row["benchmark"]["verdict"] == "not_assessable"
                            assert row["bench_diff"] is None
                            assert reason in s, s
                            assert "signifikant" not in s and "significant" not in s, s
                        else:
                            same += 1
                            assert f.difference.reason != "mixed_synthetic", (k, f.indicator.id)
    # the mixed pairs are judged nowhere, the pairs of one kind still are
    assert mixed >= 2 * 2 * 21 and same > 0, (mixed, same)
    # the profile page: the row's verdict cell and no spine chart around the real value
    html = (
        mixed_app.test_client().get("/kommune/03241005?vergleich_mit=land").get_data(as_text=True)
    )
    row = re.search(rf'<tr id="row-{MIXED_IND}".*?</tr>', html, re.S).group(0)
    assert 'data-verdict="not_assessable"' in row and MIXED_DE in row
    assert "spine-box" not in row


def test_demo_map_ranking_and_api_judge_no_synthetic_value_against_a_real_one(mixed_app):
    client = mixed_app.test_client()
    q = f"indikator={MIXED_IND}&jahr=2024"
    parts = client.get(f"/karte/teile?{q}&farben=vergleich&vergleich_mit=land").get_json()
    assert "Nicht bewertbar (" + MIXED_DE in parts["parts"]["findings"]
    assert "Signifikant" not in parts["parts"]["findings"]
    assert {a["color"] for a in parts["areas"].values()} == {_na_colour()}
    ranked = client.get(f"/rangfolge?{q}&vergleich_mit=land").get_data(as_text=True)
    verdicts = set(re.findall(r'<tr data-ags="03241\d{3}" data-verdict="([^"]+)"', ranked))
    assert verdicts == {"not_assessable"}
    assert MIXED_DE in ranked
    api = client.get(f"/api/v1/benchmarks?{q}&vergleich_mit=bund").get_json()["data"]
    assert len(api) == 21
    assert {r["reason"] for r in api} == {"mixed_synthetic"}
    assert all(r["benchmark_synthetic"] is False and r["benchmark_value"] == 16.5 for r in api)
    english = mixed_app.test_client()
    english.get("/?lang=en")  # the API's language is the one chosen on the pages (cookie)
    en = english.get(f"/api/v1/benchmarks?{q}&vergleich_mit=land").get_json()["data"]
    assert all(MIXED_EN in r["sentence"] for r in en)
    # against the Region (synthetic as well in demo mode) the same Kommunen are judged
    own = client.get(f"/api/v1/benchmarks?{q}").get_json()["data"]
    assert any(r["verdict"] != "not_assessable" for r in own)


def _na_colour() -> str:
    from indicators.classify import VERDICT_COLOURS

    return VERDICT_COLOURS["not_assessable"]


# --- the switch on the ranking and in the API ------------------------------------------------


def expected_verdict(conn, ind: str, ags: str, year: int, ref_ags: str) -> str:
    """The verdict of one area recomputed here against the benchmark area's shown value."""
    polarity = conn.scalar(text("SELECT polarity FROM indicator WHERE id = :i"), {"i": ind})
    unit = conn.scalar(text("SELECT unit FROM indicator WHERE id = :i"), {"i": ind})
    ref = cell(conn, ind, ref_ags, year)
    words = {
        "higher_worse": {"above": "worse", "below": "better"},
        "higher_better": {"above": "better", "below": "worse"},
        "neutral": {"above": "higher", "below": "lower"},
    }[polarity]
    own = cell(conn, ind, ags, year)
    ci = (
        interval(own.numerator, own.denominator, unit)
        if own is not None and own.numerator is not None and own.denominator is not None
        else None
    )
    if ci is None or ref is None or ref.suppressed or ref.value is None:
        return "not_assessable"
    if ci[0] > ref.value:
        return words["above"]
    if ci[1] < ref.value:
        return words["below"]
    return "similar"


def _expected_verdicts(conn, ind: str, year: int, ref_ags: str) -> tuple[dict, float]:
    """AGS → the verdict recomputed here against the benchmark area's shown value."""
    ref = cell(conn, ind, ref_ags, year)
    assert ref is not None and not ref.suppressed
    return {k: expected_verdict(conn, ind, k, year, ref_ags) for k in _kommunen(conn)}, ref.value


def test_the_api_judges_against_the_chosen_benchmark(real_app):
    client = real_app.test_client()
    with real_app.app_context():
        from app.web.db import get_conn

        conn = get_conn()
        ind, year = indicator_with_land_verdicts(conn)
        expected, land_value = _expected_verdicts(conn, ind, year, "03")
        land_source = cell(conn, ind, "03", year).release_label
        region_value = cell(conn, ind, HANNOVER, year).value
    base = f"/api/v1/benchmarks?indikator={ind}&jahr={year}"
    region = client.get(base).get_json()["data"]
    land = client.get(base + "&vergleich_mit=land")
    assert land.status_code == 200
    rows = land.get_json()["data"]
    assert {r["ags"]: r["verdict"] for r in rows} == expected
    for r in rows:
        assert (r["vergleich_mit"], r["benchmark_ags"], r["benchmark_name"]) == (
            "land",
            "03",
            "Niedersachsen",
        )
        assert r["benchmark_value"] == land_value and r["benchmark_source"] == land_source
        assert r["region_value"] == region_value
        assert "Niedersachsen" in r["sentence"] and f"Quelle: {land_source}" in r["sentence"]
    assert {r["ags"]: r["verdict"] for r in region} != expected
    assert all(r["vergleich_mit"] == "region" and r["benchmark_ags"] == HANNOVER for r in region)
    bad = client.get(base + "&vergleich_mit=kreis")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    problem = bad.get_json()
    assert problem["allowed"] == ["region", "land", "bund"]
    assert "vergleich_mit" in problem["detail"]
    doc = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p for p in doc["paths"]["/benchmarks"]["get"]["parameters"]}
    assert params["vergleich_mit"]["schema"]["enum"] == ["region", "land", "bund"]


def test_the_ranking_judges_and_draws_against_the_chosen_benchmark(real_app):
    client = real_app.test_client()
    with real_app.app_context():
        from app.web.db import get_conn

        conn = get_conn()
        ind, year = indicator_with_land_verdicts(conn)
        expected, land_value = _expected_verdicts(conn, ind, year, "03")
    url = f"/rangfolge?indikator={ind}&jahr={year}"
    html = client.get(url + "&vergleich_mit=land").get_data(as_text=True)
    own = client.get(url).get_data(as_text=True)
    verdicts = dict(re.findall(r'<tr data-ags="(03241\d{3})" data-verdict="([^"]+)"', html))
    assert verdicts == expected
    assert dict(re.findall(r'<tr data-ags="(03241\d{3})" data-verdict="([^"]+)"', own)) != expected
    # the reference line is the Land's value, named; the table heads and footers say so
    assert re.search(rf'class="region-line" data-value="{re.escape(str(land_value))}"', html)
    assert "Vergleich mit Niedersachsen</th>" in html
    assert '<tr data-ags="03" class="region-row">' in html
    # the choice is kept: the form's select and every view of the same state
    assert '<option value="land" selected>' in html
    for endpoint in ("/rangfolge.svg", "/rangfolge.png", "/embed/rangfolge"):
        assert re.search(rf'href="{endpoint}\?[^"]*vergleich_mit=land', html), endpoint
    svg = client.get(f"/rangfolge.svg?indikator={ind}&jahr={year}&vergleich_mit=land")
    assert "Gestrichelte Linie: Wert von Niedersachsen." in svg.get_data(as_text=True)
    csv = client.get(url + "&vergleich_mit=land&format=csv").get_data(as_text=True)
    assert "Vergleich mit Niedersachsen" in csv and "Niedersachsen;03" in csv.replace(",", ";")
    en = client.get(url + "&vergleich_mit=bund&lang=en").get_data(as_text=True)
    assert "Comparison with Germany</th>" in en
    bad = real_app.test_client().get(  # German (the client above chose English)
        url + "&vergleich_mit=kreis"
    )
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "ist kein Vergleichsmaßstab" in body
    for c in benchmarks.CHOICES:
        assert f"vergleich_mit={c}" in body


def test_the_comparison_judges_both_areas_against_the_chosen_benchmark(real_app):
    client = real_app.test_client()
    a, b = "03241001", "03241005"
    with real_app.app_context():
        from app.web.db import get_conn

        conn = get_conn()
        ind, _year = indicator_with_land_verdicts(conn)
        pages = {
            c: client.get(
                f"/vergleich/{a}/{b}" + ("" if c == "region" else f"?vergleich_mit={c}")
            ).get_data(as_text=True)
            for c in ("region", "land")
        }
        found = {}
        for choice, html in pages.items():
            row = re.search(rf'<tr id="row-{ind}".*?</tr>', html, re.S).group(0)
            year = int(re.search(r'data-label="Jahr">(\d{4})<', row).group(1))
            got = dict(re.findall(r'class="verdict verdict-(a|b)"[^>]*data-verdict="([^"]+)"', row))
            ref = HANNOVER if choice == "region" else "03"
            assert got == {
                "a": expected_verdict(conn, ind, a, year, ref),
                "b": expected_verdict(conn, ind, b, year, ref),
            }, choice
            found[choice] = got
    html = pages["land"]
    assert "Vergleich mit Niedersachsen</th>" in html
    assert "Vergleich mit der Region</th>" in pages["region"]
    assert '<option value="land" selected>' in html
    # the swap link and the profile links keep the choice
    assert re.search(rf'id="swap" href="/vergleich/{b}/{a}\?vergleich_mit=land"', html)
    assert f'href="/kommune/{a}?vergleich_mit=land"' in html
    # the verdicts differ somewhere on the page between the Region and the Land
    all_verdicts = {
        c: re.findall(r'class="verdict verdict-[ab]"[^>]*data-verdict="([^"]+)"', h)
        for c, h in pages.items()
    }
    assert all_verdicts["region"] != all_verdicts["land"]
    en = client.get(f"/vergleich/{a}/{b}?vergleich_mit=bund&lang=en").get_data(as_text=True)
    assert "Comparison with Germany</th>" in en
    bad = real_app.test_client().get(  # German (the client above chose English)
        f"/vergleich/{a}/{b}?vergleich_mit=kreis"
    )
    assert bad.status_code == 400 and "ist kein Vergleichsmaßstab" in bad.get_data(as_text=True)


def test_a_change_map_shows_the_chosen_benchmarks_change_and_keeps_the_choice(real_app):
    from app.render.formatting import fmt_signed

    client = real_app.test_client()
    with real_app.test_request_context("/"):
        from app.web.db import get_conn

        conn = get_conn()
        pairs = conn.execute(
            text(
                "SELECT a.indicator_id, a.year AS y0, b.year AS y1, a.value AS v0, b.value AS v1,"
                " i.decimals, i.unit FROM shown_value a JOIN shown_value b"
                " ON b.indicator_id = a.indicator_id AND b.ags = a.ags AND b.year = a.year + 1"
                " JOIN indicator i ON i.id = a.indicator_id"
                " WHERE a.ags = '03' AND i.unit = '%' AND a.value IS NOT NULL"
                " AND b.value IS NOT NULL AND NOT a.suppressed AND NOT b.suppressed"
                " AND NOT a.synthetic AND NOT b.synthetic AND EXISTS (SELECT 1 FROM shown_value k"
                "  WHERE k.indicator_id = a.indicator_id AND k.year = a.year"
                "  AND k.ags LIKE '03241___')"
                " ORDER BY b.year DESC, a.indicator_id"
            )
        ).all()
        assert pairs, "no share with Land values in two consecutive years"
        shown = 0
        for p in pairs[:5]:
            url = f"/karte?indikator={p.indicator_id}&von={p.y0}&bis={p.y1}"
            r = client.get(url + "&vergleich_mit=land")
            if r.status_code != 200:
                continue  # e.g. a series break between the two years: no change map
            html = r.get_data(as_text=True)
            label = fmt_signed(p.v1 - p.v0, p.decimals, p.unit)
            assert f"Niedersachsen: <strong>{label}</strong>" in html, (p, label)
            assert re.search(r'<tr class="benchmark-row" data-ags="03">', html)
            # the change form keeps the choice; the default change map has no such row
            assert '<input type="hidden" name="vergleich_mit" value="land">' in html
            assert "benchmark-row" not in client.get(url).get_data(as_text=True)
            shown += 1
            break
        assert shown, "no change map with a Land value could be drawn"


def test_small_multiples_show_the_chosen_benchmarks_values_and_keep_the_choice(real_app):
    from app.render.formatting import fmt_value

    client = real_app.test_client()
    with real_app.test_request_context("/"):
        from app.web.db import get_conn

        ind, year = indicator_with_land_verdicts(get_conn())
        land = cell(get_conn(), ind, "03", year)
        dec, unit = (
            get_conn()
            .execute(text("SELECT decimals, unit FROM indicator WHERE id = :i"), {"i": ind})
            .one()
        )
        label = fmt_value(land.value, dec, unit)
    url = f"/karte/jahre?indikator={ind}&jahre={year}"
    r = client.get(url + "&vergleich_mit=land")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    row = re.search(r'<tr class="benchmark-row">(.*?)</tr>', html, re.S).group(1)
    assert "Niedersachsen" in row and label in row
    assert re.search(r'href="/karte\?[^"]*vergleich_mit=land[^"]*">Interaktive Karte', html)
    assert "benchmark-row" not in client.get(url).get_data(as_text=True)
    en = client.get(url + "&vergleich_mit=bund&lang=en").get_data(as_text=True)
    assert re.search(r'<tr class="benchmark-row"><th scope="row">Germany</th>', en)
    bad = real_app.test_client().get(  # German (the client above chose English)
        url + "&vergleich_mit=kreis"
    )
    assert bad.status_code == 400 and "ist kein Vergleichsmaßstab" in bad.get_data(as_text=True)
