"""Real Regionalstatistik data end to end: stored values against the files, layering, levels.

Expected numbers are read from the original files here with the csv module, independently of
indicators/genesis.py, or are sums of the files' rows: no number is copied from a file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import DATA_DIR, GERMANY_GPKG, db_checksum, invoke
from tests.test_import_corpus import corpus_app, full_checksum  # noqa: F401, F811 (fixture)

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


def test_real_beats_synthetic_per_cell_and_demo_fills_the_rest(conn):
    # The demo release also holds bev_insgesamt 2015 for Barsinghausen; the real one is shown.
    both = conn.execute(
        text(
            "SELECT r.synthetic FROM value v JOIN release r ON r.id = v.release_id"
            " WHERE v.indicator_id = 'bev_insgesamt' AND v.ags = '03241002' AND v.year = 2015"
        )
    ).scalars()
    assert sorted(both) == [False, True]
    assert not shown(conn, "bev_insgesamt", "03241002", 2015).synthetic
    # 2020 has no real value: the demo fills it, marked synthetic.
    assert shown(conn, "bev_insgesamt", "03241002", 2020).synthetic


def test_secret_values_are_withheld_not_missing(conn):
    n = conn.scalar(
        text("SELECT count(*) FROM value WHERE flag = '.' AND suppressed AND value IS NULL")
    )
    assert n > 0
    assert not conn.scalar(text("SELECT count(*) FROM value WHERE flag = '.' AND NOT suppressed"))


def test_profile_shows_real_population_with_source(client):
    page = client.get("/kommune/03241002").get_data(as_text=True)
    pop = wide_value("12411-01-01-5-B", "03241002", "31.12.2015", "Insgesamt")
    assert f"{int(pop):,}".replace(",", ".") in page
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
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        before = c.scalar(
            text(
                "SELECT count(*) FROM shown_value WHERE indicator_id = 'sgb2_quote' AND year = 2020"
            )
        )
        old = shown(c, "sgb2_quote", "03241001", 2020).value
    f = tmp_path / "korrektur.csv"
    f.write_text("ags,indicator,year,value\n03241002,sgb2_quote,2020,7.5\n", encoding="utf-8")
    assert invoke(fresh_app, "import", str(f), "--label", "korrektur-1").exit_code == 0
    d = invoke(fresh_app, "diff", "korrektur-1")  # what the draft would change on the pages
    assert d.exit_code == 0 and "1 Werte geändert, 0 neu" in d.output and "7.5" in d.output
    assert invoke(fresh_app, "publish", "korrektur-1").exit_code == 0
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        after = c.scalar(
            text(
                "SELECT count(*) FROM shown_value WHERE indicator_id = 'sgb2_quote' AND year = 2020"
            )
        )
        assert after == before  # every other Kommune still shown
        assert shown(c, "sgb2_quote", "03241002", 2020).value == 7.5
        assert shown(c, "sgb2_quote", "03241001", 2020).value == old
    page = fresh_app.test_client().get("/karte?indikator=sgb2_quote&jahr=2020")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("7,5") >= 1


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


def test_unmatched_keys_refused_without_allow_unmatched(fresh_app):
    before = db_checksum(fresh_app)
    r = _import(
        fresh_app,
        RS / "22811-01-01-4-B.csv",
        RS / "12411-01-01-5-B.csv",
        extra=("--gebiet", "03241"),
    )
    assert r.exit_code == 1
    assert "passt zu keinem Gebiet" in r.output and "03152" in r.output  # Göttingen, merged 2016
    assert db_checksum(fresh_app) == before


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
def test_changed_header_refused_db_unchanged(fresh_app, tmp_path, code, old, new, fragment):
    before = full_checksum(fresh_app)
    bad = _tampered(tmp_path, code, old, new)
    r = _import(fresh_app, bad, RS / "12411-01-01-5-B.csv", extra=("--allow-unmatched",))
    assert r.exit_code == 1, r.output
    assert fragment in r.output and bad.name in r.output
    assert full_checksum(fresh_app) == before


def _bad_genesis() -> list[tuple[str, str]]:
    from tests.test_genesis import corpus

    return corpus()


@pytest.mark.parametrize(("name", "fragment"), _bad_genesis())
def test_bad_genesis_file_refused_by_the_command_db_unchanged(corpus_app, name, fragment):  # noqa: F811
    bad = Path(__file__).parent / "data" / "bad_genesis" / name
    before = full_checksum(corpus_app)
    r = _import(corpus_app, bad, extra=("--allow-unmatched",))
    assert r.exit_code == 1
    # file, row and column as in the corpus table, in the command's own output
    assert name in r.output and fragment.split(": ", 1)[0] in r.output
    assert full_checksum(corpus_app) == before
