"""Real Regionalstatistik data end to end: stored values against the files, layering, levels.

Expected numbers are read from the original files here with the csv module, independently of
indicators/genesis.py, or are sums of the files' rows: no number is copied from a file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import DATA_DIR, GERMANY_GPKG, invoke
from tests.test_import_corpus import (  # noqa: F401 (fixtures)
    baseline,
    corpus_app,
    written_since,
)

RS = DATA_DIR / "regionalstatistik"
LABEL = "regionalstatistik-2017"
pytestmark = pytest.mark.skipif(not RS.is_dir(), reason="regionalstatistik/ not available")


def _rows(code: str) -> list[list[str]]:
    with (RS / f"{code}.csv").open(encoding="utf-8") as fh:
        return list(csv.reader(fh, delimiter=";"))


def _num(cell: str) -> float:
    return 0.0 if cell == "-" else float(cell.replace(",", "."))


def wide_value(code: str, key: str, period: str, label: str) -> float:
    """A wide table's cell: the column whose header rows hold the period and then the label."""
    rows = _rows(code)
    period_row = next(i for i, r in enumerate(rows) if period in r)
    col = next(
        j
        for j, c in enumerate(rows[period_row])
        if c == period and rows[period_row + 1][j] == label
    )
    row = next(r for r in rows if r[0] == key)
    return _num(row[col])


def long_value(code: str, period: str, key: str, col: int) -> float:
    """A long table's cell: the row of the period and key, the col-th field."""
    row = next(r for r in _rows(code) if r[:2] == [period, key])
    return _num(row[col])


def gemeinde_sum(code: str, prefix: str, col: int) -> float:
    """Σ over every Gemeinde row (8-digit keys, or 10/11-digit Verband members) of a prefix.

    A Gemeindeverband has an 8-digit key that starts its members' 11-digit keys: an aggregate,
    left out. Twin rows of a Gemeinde that changed its Verband carry '-' (0) where it was not.
    """
    rows = [r for r in _rows(code) if r and r[0].isdigit()]
    verbaende = {r[0][:8] for r in rows if len(r[0]) == 11}
    total = 0.0
    for r in rows:
        key = r[0]
        if len(key) not in (8, 10, 11) or not key.startswith(prefix):
            continue
        if len(key) == 8 and key in verbaende:
            continue
        total += _num(r[col]) if r[col] not in (".", "x", "/", "...") else 0.0
    return total


def shown(conn, indicator: str, ags: str, year: int):
    return conn.execute(
        text(
            "SELECT value, numerator, denominator, synthetic, release_label, flag, suppressed"
            " FROM shown_value WHERE indicator_id = :i AND ags = :a AND year = :y"
        ),
        {"i": indicator, "a": ags, "y": year},
    ).first()


def test_barsinghausen_population_and_birth_rate_2015(conn):
    pop = wide_value("12411-01-01-5-B", "03241002", "31.12.2015", "Insgesamt")
    births = wide_value("12612-01-01-5-B", "03241002", "2015", "Insgesamt")
    p = shown(conn, "bev_insgesamt", "03241002", 2015)
    assert p.value == pop and not p.synthetic and p.release_label == LABEL
    b = shown(conn, "bev_geburtenrate", "03241002", 2015)
    assert b.value == pytest.approx(births / pop * 1000)
    assert (b.numerator, b.denominator) == (births, pop)


def test_region_mindestsicherungsquote_from_22811_and_population(conn):
    recipients = long_value("22811-01-01-4-B", "31.12.2015", "03241", 3)
    pop = gemeinde_sum("12411-01-01-5-B", "03241", 2)  # column 2 = 31.12.2015 / Insgesamt
    r = shown(conn, "mindestsicherung_quote", "03241", 2015)
    assert r.numerator == recipients and r.denominator == pop
    assert r.value == pytest.approx(recipients / pop * 100)


def test_land_and_bund_are_sums_of_all_rows(conn):
    # Kreis table: Niedersachsen = Σ of its Kreise (5-digit keys), Bund = Σ of all Kreise.
    rows = [r for r in _rows("22811-01-01-4-B") if r[:1] == ["31.12.2015"] and len(r[1]) == 5]
    land = sum(_num(r[3]) for r in rows if r[1].startswith("03"))
    bund = sum(_num(r[3]) for r in rows if r[3] not in (".", "x", "/", "..."))
    assert shown(conn, "mindestsicherung_quote", "03", 2015).numerator == land
    assert shown(conn, "mindestsicherung_quote", "DG", 2015).numerator == bund
    # Gemeinde table: the Land's population includes Gemeinden merged since 2015.
    assert shown(conn, "bev_insgesamt", "03", 2015).value == gemeinde_sum(
        "12411-01-01-5-B", "03", 2
    )


def test_at_least_25_real_indicators_for_every_kommune(conn):
    counts = conn.execute(
        text(
            "SELECT v.ags, count(DISTINCT v.indicator_id) FROM shown_value v"
            " JOIN area a ON a.ags = v.ags AND a.level = 'kommune'"
            " WHERE NOT v.synthetic GROUP BY v.ags"
        )
    ).all()
    assert len(counts) == 21
    assert min(n for _a, n in counts) >= 25


def test_a_real_series_is_never_continued_by_synthetic_values(conn):
    # The demo release also holds bev_insgesamt 2015 and 2020 for Barsinghausen; the real one
    # is shown for 2015, and 2020 (no real value) stays empty: a series is real or synthetic.
    both = conn.execute(
        text(
            "SELECT r.synthetic FROM value v JOIN release r ON r.id = v.release_id"
            " WHERE v.indicator_id = 'bev_insgesamt' AND v.ags = '03241002' AND v.year = 2015"
        )
    ).scalars()
    assert sorted(both) == [False, True]
    assert not shown(conn, "bev_insgesamt", "03241002", 2015).synthetic
    assert shown(conn, "bev_insgesamt", "03241002", 2020) is None


def test_secret_values_are_withheld_not_missing(conn):
    n = conn.scalar(
        text("SELECT count(*) FROM value WHERE flag = '.' AND suppressed AND value IS NULL")
    )
    assert n > 0
    assert not conn.scalar(text("SELECT count(*) FROM value WHERE flag = '.' AND NOT suppressed"))


def test_profile_shows_real_population_with_source(client):
    page = client.get("/kommune/03241002").get_data(as_text=True)
    pop = wide_value("12411-01-01-5-B", "03241002", "31.12.2015", "Insgesamt")
    # The profile shows the newest population (GV-ISys 2023); 2015 is in its time series.
    series = client.get("/zeitreihe?indikator=bev_insgesamt&kommunen=03241002")
    assert f"{int(pop):,}".replace(",", ".") in series.get_data(as_text=True)
    assert "amtlich" in page and "12411-01-01-5-B" in page
    assert "Niedersachsen" in page and "Deutschland" in page


def test_region_profile_has_land_bund_and_rank_among_kreise(client):
    page = client.get("/kommune/03241").get_data(as_text=True)
    assert "Niedersachsen" in page and "Deutschland" in page
    assert "Kreisen" in page


def test_map_of_real_indicator_has_no_synthetic_banner(client):
    page = client.get("/karte?indikator=bev_geburtenrate&jahr=2015").get_data(as_text=True)
    assert "badge-synthetic" not in page
    assert "amtlich" in page


def test_one_row_release_layers_instead_of_shadowing(fresh_app, tmp_path):
    ind = "sgb2_u15_quote_inkar"  # real for all 21 Kommunen (INKAR 2022)
    count = f"SELECT count(*) FROM shown_value WHERE indicator_id = '{ind}' AND year = 2022"
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        before = c.scalar(text(count))
        old = shown(c, ind, "03241001", 2022).value
    f = tmp_path / "korrektur.csv"
    f.write_text(f"ags,indicator,year,value\n03241002,{ind},2022,7.5\n", encoding="utf-8")
    assert invoke(fresh_app, "import", str(f), "--label", "korrektur-1").exit_code == 0
    d = invoke(fresh_app, "diff", "korrektur-1")  # what the draft would change on the pages
    assert d.exit_code == 0 and "1 Werte geändert, 0 neu" in d.output and "7.5" in d.output
    assert invoke(fresh_app, "publish", "korrektur-1").exit_code == 0
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        assert c.scalar(text(count)) == before  # every other Kommune still shown
        assert shown(c, ind, "03241002", 2022).value == 7.5
        assert shown(c, ind, "03241001", 2022).value == old
    page = fresh_app.test_client().get(f"/karte?indikator={ind}&jahr=2022")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("7,5") >= 1


def test_a_real_value_ends_the_synthetic_series_of_its_indicator(fresh_app, tmp_path):
    # One real value for a synthetic-only indicator: its demo series is no longer shown at
    # all, so the map never puts the real value beside invented ones.
    ind = "armutsgefaehrdung_quote"
    count = f"SELECT count(*), bool_or(synthetic) FROM shown_value WHERE indicator_id = '{ind}'"
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        n, synthetic = c.execute(text(count)).one()
        assert n > 200 and synthetic
    f = tmp_path / "amtlich.csv"
    f.write_text(f"ags,indicator,year,value\n03241002,{ind},2020,17.5\n", encoding="utf-8")
    assert invoke(fresh_app, "import", str(f), "--label", "amtlich-1").exit_code == 0
    assert invoke(fresh_app, "publish", "amtlich-1").exit_code == 0
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        assert c.execute(text(count)).one() == (1, False)


def test_germany_boundaries_never_change_the_kommunen(fresh_app):
    if not GERMANY_GPKG.exists():
        pytest.skip("Germany boundaries not available")
    r = invoke(
        fresh_app, "load-boundaries", str(GERMANY_GPKG), "--level", "gemeinde", "--no-region"
    )
    assert r.exit_code == 0, r.output
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        levels = dict(
            c.execute(
                text("SELECT level, count(*) FROM area WHERE ags LIKE '03241%' GROUP BY level")
            ).all()
        )
    assert levels == {"kommune": 21, "region": 1}
    assert fresh_app.test_client().get("/kommune/03241001").status_code == 200


def _import(app, *files: Path, extra: tuple[str, ...] = ()):
    return invoke(app, "import-genesis", *map(str, files), "--label", "t-genesis", *extra)


def test_unmatched_keys_refused_without_allow_unmatched(corpus_app, baseline):  # noqa: F811
    # On the module's one database: nothing written (written_since), every row's md5 at the end.
    r = _import(
        corpus_app,
        RS / "22811-01-01-4-B.csv",
        RS / "12411-01-01-5-B.csv",
        extra=("--gebiet", "03241"),
    )
    assert r.exit_code == 1
    assert "passt zu keinem Gebiet" in r.output and "03152" in r.output  # Göttingen, merged 2016
    assert written_since(corpus_app, baseline.mark) == baseline.counts


def _tampered(tmp_path: Path, code: str, old: str, new: str, count: int = 1) -> Path:
    text_ = (RS / f"{code}.csv").read_text(encoding="utf-8")
    assert old in text_
    out = tmp_path / f"{code}.csv"
    out.write_text(text_.replace(old, new, count), encoding="utf-8")
    return out


@pytest.mark.parametrize(
    ("code", "old", "new", "fragment"),
    [
        # a changed header: a column path that is not in the mapping
        ("22811-01-01-4-B", "zusammen;erwerbsf.", "insgesamt;erwerbsf.", "nicht im Mapping"),
        (
            "12411-01-01-5-B",
            "GENESIS-Tabelle: 12411-01-01-5-B",
            "GENESIS-Tabelle: 99999-01-01-5-B",
            "nicht im Mapping",
        ),
    ],
)
def test_changed_header_refused_db_unchanged(
    corpus_app,  # noqa: F811
    baseline,  # noqa: F811
    tmp_path,
    code,
    old,
    new,
    fragment,
):
    # On the module's one database: nothing written (written_since), every row's md5 at the end.
    bad = _tampered(tmp_path, code, old, new)
    r = _import(corpus_app, bad, RS / "12411-01-01-5-B.csv", extra=("--allow-unmatched",))
    assert r.exit_code == 1, r.output
    assert fragment in r.output and bad.name in r.output
    assert written_since(corpus_app, baseline.mark) == baseline.counts


def _bad_genesis() -> list[tuple[str, str]]:
    from tests.test_genesis import corpus

    return corpus()


@pytest.mark.parametrize(("name", "fragment"), _bad_genesis())
def test_bad_genesis_file_refused_by_the_command_db_unchanged(
    corpus_app,  # noqa: F811
    baseline,  # noqa: F811
    name,
    fragment,
):
    # Nothing written (written_since); the md5 of every row at the module's end (baseline).
    bad = Path(__file__).parent / "data" / "bad_genesis" / name
    r = _import(corpus_app, bad, extra=("--allow-unmatched",))
    assert r.exit_code == 1
    # file, row and column as in the corpus table, in the command's own output
    assert name in r.output and fragment.split(": ", 1)[0] in r.output
    assert written_since(corpus_app, baseline.mark) == baseline.counts


# Honest totals (issue 25): a Kreis, Land or Bund value is the source's own row where a table
# has one; only where none exists is it summed, and then a withheld part makes it 'u', never '.'.
ALO = "13211-02-05-4-B"


def kreis_rows(code: str, period: str) -> list[list[str]]:
    """The 5-digit Kreis rows of a long Kreis table for one period."""
    return [r for r in _rows(code) if r[:1] == [period] and len(r[1]) == 5]


def test_region_unemployment_2016_is_the_kreis_row_not_the_gemeinde_sum(conn):
    kreis_row = long_value(ALO, "2016", "03241", 3)
    assert kreis_row == 45750
    assert gemeinde_sum("13211-01-03-5-B", "03241", 2) != kreis_row  # 45,748: rounded parts
    r = shown(conn, "alo_anzahl", "03241", 2016)
    assert (r.value, r.flag, r.suppressed, r.synthetic) == (kreis_row, None, False, False)
    # The Kreis table's own years (2012–2016) for the Region and its Gemeinde row Hannover.
    assert shown(conn, "alo_anzahl", "03241", 2013).value == long_value(ALO, "2013", "03241", 3)
    assert shown(conn, "alo_anzahl", "03241001", 2013).value == long_value(
        ALO, "2013", "03241001", 3
    )
    assert shown(conn, "alo_anzahl", "03241", 2011) is None  # before the series: not loaded


def test_germany_and_niedersachsen_unemployment_2016_are_sums_of_kreis_rows(conn):
    rows = kreis_rows(ALO, "2016")
    bund = sum(_num(r[3]) for r in rows)
    land = sum(_num(r[3]) for r in rows if r[1].startswith("03"))
    for ags, expected in (("DG", bund), ("03", land)):
        r = shown(conn, "alo_anzahl", ags, 2016)
        assert (r.value, r.flag, r.suppressed) == (expected, None, False), ags


def test_no_total_of_unemployment_2016_is_secret(conn):
    flags = conn.execute(
        text(
            "SELECT v.ags, v.flag FROM shown_value v JOIN area a ON a.ags = v.ags"
            " WHERE v.indicator_id = 'alo_anzahl' AND v.year = 2016"
            " AND a.level IN ('kreis', 'land', 'bund', 'region')"
            " AND (v.flag IS NOT NULL OR v.suppressed)"
        )
    ).all()
    assert [f for f in flags if f.flag == "."] == []
    n = conn.scalar(
        text(
            "SELECT count(*) FROM shown_value v JOIN area a ON a.ags = v.ags"
            " WHERE v.indicator_id = 'alo_anzahl' AND v.year = 2016 AND a.level = 'land'"
            " AND v.value IS NOT NULL"
        )
    )
    assert n == 16


def test_published_unemployment_rate_for_kreise_only(conn):
    # Column 12: Arbeitslosenquote bez. auf alle zivilen Erwerbspersonen (1-based 12 → index 11).
    for year in range(2012, 2017):
        r = shown(conn, "alo_quote", "03241", year)
        assert r.value == pytest.approx(long_value(ALO, str(year), "03241", 11)), year
        assert not r.synthetic
    # Rates are never summed, and the '.' of Hannover's row is no secret of the city.
    for ags in ("03", "DG", "03241001"):
        r = shown(conn, "alo_quote", ags, 2016)
        assert r is None or r.synthetic, ags


def test_share_of_foreigners_among_the_unemployed(conn):
    row = next(r for r in _rows(ALO) if r[:2] == ["2014", "03241"])
    r = shown(conn, "auslaender_alo_anteil", "03241", 2014)
    assert r.value == pytest.approx(_num(row[4]) / _num(row[3]) * 100)
    assert r.numerator == _num(row[4]) and r.denominator == _num(row[3])


def test_incomplete_totals_name_their_parts_and_the_api_says_so(conn, client):
    rows = conn.execute(
        text(
            "SELECT v.indicator_id, v.ags, v.year, v.value, v.suppressed, iv.parts"
            " FROM value v JOIN incomplete_value iv USING (release_id, indicator_id, ags, year)"
            " WHERE v.flag = 'u'"
        )
    ).all()
    assert rows, "the real files hold sums over withheld Gemeinden (e.g. svb_quote)"
    assert all(r.value is None and not r.suppressed and r.parts for r in rows)
    assert not conn.scalar(
        text(
            "SELECT count(*) FROM value v WHERE v.flag = 'u' AND NOT EXISTS (SELECT 1 FROM"
            " incomplete_value iv WHERE (iv.release_id, iv.indicator_id, iv.ags, iv.year)"
            " = (v.release_id, v.indicator_id, v.ags, v.year))"
        )
    )
    r = next(r for r in rows if len(r.ags) == 5)  # the API takes Kreis and Gemeinde keys
    body = client.get(f"/api/v1/values?indikator={r.indicator_id}&ags={r.ags}&jahr={r.year}")
    assert body.status_code == 200, body.get_data(as_text=True)
    data = body.get_json()["data"]
    mine = [d for d in data if not d["synthetic"]]
    assert mine and mine[0]["flag"] == "u" and mine[0]["missing_parts"] == r.parts
