"""Destatis' Gemeindeverzeichnis (GV-ISys) extracts: the real files, sums, broken copies, breaks."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from geodata import attribution
from geodata.report import LoadError
from indicators.gv_isys import load_gv, read_gv
from tests.conftest import DATA_DIR, app_on_clone, db_checksum, invoke

GV_DIR = DATA_DIR / "gemeindeverzeichnis"
FILES = {2017: GV_DIR / "31122017_Auszug_GV.xlsx", 2023: GV_DIR / "31122023_Auszug_GV.xlsx"}
BREAKS = Path(__file__).parents[1] / "indicators" / "data" / "series_breaks.csv"
pytestmark = pytest.mark.skipif(
    not all(p.exists() for p in FILES.values()), reason=f"no GV-ISys extracts in {GV_DIR}"
)


@functools.cache
def sheet_rows(year: int) -> list[tuple]:
    """The data sheet's rows as published (independent of the loader: fixed positions)."""
    wb = openpyxl.load_workbook(FILES[year], read_only=True, data_only=True)
    rows = list(wb.worksheets[1].iter_rows(values_only=True))
    wb.close()
    return rows


def gemeinden(year: int) -> dict[str, tuple]:
    """AGS → (name, area, total, male, female, density) of the Satzart-60 records."""
    out = {}
    for r in sheet_rows(year):
        if r[0] == "60":
            out.setdefault(r[2] + r[3] + r[4] + r[6], r[7:13])
    return out


def values(conn, year: int, ags: str) -> dict[str, float]:
    rows = conn.execute(
        text(
            "SELECT v.indicator_id, v.value FROM value v JOIN release r ON r.id = v.release_id"
            " WHERE r.label = :l AND v.ags = :a"
        ),
        {"l": f"gemeindeverzeichnis-{year}", "a": ags},
    )
    return dict(rows.all())


@pytest.fixture(scope="module")
def real_conn(real_app):
    with real_app.extensions["sozmon_engine"].connect() as c:
        yield c


@pytest.fixture
def fresh_real(real_template: str):
    """An app on its own copy of the default install (real data only), for tests that write."""
    yield from app_on_clone(real_template, DEMO=False)


# --- the real files as loaded by load-all ----------------------------------------------------


def test_hannover_2023_is_the_fortschreibung_not_the_zensus(real_conn):
    v = values(real_conn, 2023, "03241001")
    assert v["bev_insgesamt"] == 548186
    assert v["flaeche"] == 204.3
    assert round(v["bev_dichte"]) == 2683 and round(v["bev_frauen_anteil"], 2) == 51.07
    # The Zensus 2022 count is a value of its own (release zensus-2022), 2022 only.
    zensus = real_conn.execute(
        text(
            "SELECT v.indicator_id, v.value FROM value v JOIN release r ON r.id = v.release_id"
            " WHERE r.label = 'zensus-2022' AND v.ags = '03241001' AND v.year = 2022"
        )
    ).all()
    assert dict(zensus) == {"bev_zensus22": 513291, "bev_insgesamt": 513291}
    source = real_conn.scalar(
        text(
            "SELECT s.source FROM release_source s JOIN release r ON r.id = s.release_id"
            " WHERE r.label = 'zensus-2022' AND s.indicator_id = 'bev_insgesamt'"
        )
    )
    assert "Zensus 2022, Tabelle 1000A-0000" in source and attribution.LICENCE in source


@pytest.mark.parametrize("year", [2017, 2023])
def test_the_21_kommunen_and_the_region_match_the_file(real_conn, year):
    src = {a: r for a, r in gemeinden(year).items() if a.startswith("03241")}
    assert len(src) == 21
    for ags, (_name, area, total, _male, female, density) in src.items():
        v = values(real_conn, year, ags)
        assert v["bev_insgesamt"] == total, ags
        assert v["flaeche"] == area, ags
        assert v["bev_frauen_anteil"] == pytest.approx(female / total * 100), ags
        # The published density is rounded from unrounded areas.
        assert abs(v["bev_dichte"] - density) <= 0.5 + 1e-9, ags
    region = values(real_conn, year, "03241")
    assert region["bev_insgesamt"] == sum(r[2] for r in src.values())
    assert region["flaeche"] == pytest.approx(sum(r[1] for r in src.values()))
    assert region["bev_frauen_anteil"] == pytest.approx(
        sum(r[4] for r in src.values()) / region["bev_insgesamt"] * 100
    )
    assert region["bev_dichte"] == pytest.approx(region["bev_insgesamt"] / region["flaeche"])


# Destatis' published totals of the Fortschreibung (Zensus 2011 basis) on 31.12.
PUBLISHED = {
    (2017, "DG"): 82_792_351,
    (2017, "03"): 7_962_775,
    (2023, "DG"): 84_669_326,
    (2023, "03"): 8_161_981,
}


@pytest.mark.parametrize("year", [2017, 2023])
def test_niedersachsen_and_the_bund_are_sums_over_the_gemeinden(real_conn, year):
    src = gemeinden(year)
    nds = values(real_conn, year, "03")
    bund = values(real_conn, year, "DG")
    assert nds["bev_insgesamt"] == sum(r[2] for a, r in src.items() if a[:2] == "03")
    assert bund["bev_insgesamt"] == sum(r[2] for r in src.values())
    assert (nds["bev_insgesamt"], bund["bev_insgesamt"]) == (
        PUBLISHED[(year, "03")],
        PUBLISHED[(year, "DG")],
    )
    assert bund["flaeche"] == pytest.approx(sum(r[1] for r in src.values()), abs=0.01)
    # Every Kreis of the file, too: Hannover's Kreis is the Region.
    kreis = values(real_conn, year, "03254")  # Landkreis Hildesheim
    assert kreis["bev_insgesamt"] == sum(r[2] for a, r in src.items() if a[:5] == "03254")


def test_repeated_records_of_2017_are_counted_once(real_conn):
    # The 2017 file repeats the record of a Bavarian Kreis' gemeindefreie Gebiete (…444) once
    # per area: counted each time, Bavaria would grow by ~700 km² (published: 70,542 km²).
    repeated = [
        r for r in sheet_rows(2017) if r[0] == "60" and r[2] + r[3] + r[4] + r[6] == "09471444"
    ]
    assert len(repeated) == 4 and len({r[8] for r in repeated}) == 1
    assert values(real_conn, 2017, "09")["flaeche"] == pytest.approx(70541.89, abs=0.01)
    assert len(read_gv(FILES[2017]).repeated) == 8


def test_releases_name_source_licence_and_sums(real_conn):
    for year in FILES:
        rel = real_conn.execute(
            text("SELECT id, status, synthetic, note FROM release WHERE label = :l"),
            {"l": f"gemeindeverzeichnis-{year}"},
        ).one()
        assert rel.status == "published" and rel.synthetic is False
        assert "Summen über alle Gemeinden" in rel.note and "\n" not in rel.note
        src = real_conn.execute(
            text("SELECT indicator_id, source, note FROM release_source WHERE release_id = :r"),
            {"r": rel.id},
        ).all()
        assert {s.indicator_id for s in src} == {
            "bev_insgesamt",
            "bev_dichte",
            "flaeche",
            "bev_frauen_anteil",
        }
        for s in src:
            assert s.source.startswith(attribution.GEMEINDEVERZEICHNIS.format(year=year))
            assert attribution.LICENCE in s.source
            assert "Summen über alle Gemeinden" in s.note and "Zensus 2011" in s.note
            assert "Fußnoten der Datei" in s.note and "ALKIS" in s.note


# --- broken copies --------------------------------------------------------------------------


def small_copy(path: Path, year: int = 2023, change=None) -> Path:
    """A small extract: the real title and header, Niedersachsen's and the Region's records
    and the real footnotes; change(rows) edits the rows (lists of cells) before saving."""
    rows = [list(r) for r in sheet_rows(2023)]
    first = next(i for i, r in enumerate(rows) if r[0] in ("10", "40", "50", "60"))
    notes = next(i for i, r in enumerate(rows) if str(r[0] or "").startswith("Quelle"))
    keep = rows[:first]
    keep += [
        r for r in rows[first:notes] if r[0] == "10" and r[2] == "03" or r[2:5] == ["03", "2", "41"]
    ]
    keep += rows[notes:]
    keep[0][0] = keep[0][0].replace("2023", str(year))
    if change:
        change(keep)
    wb = openpyxl.Workbook()
    wb.active.title = "Inhalt"
    wb.active["A4"] = "Statistisches Bundesamt"
    ws = wb.create_sheet("Onlineprodukt_Gemeinden31122023")
    for r in keep:
        ws.append(r)
    wb.save(path)
    return path


def row_of(rows: list[list], ags: str) -> int:
    """The spreadsheet row number of a Gemeinde record in the rows of small_copy."""
    return 1 + next(
        i for i, r in enumerate(rows) if r[0] == "60" and r[2] + r[3] + r[4] + r[6] == ags
    )


def test_a_small_copy_reads_like_the_original(tmp_path):
    gv = read_gv(small_copy(tmp_path / "gv.xlsx", year=2018))
    assert gv.year == 2018 and gv.sheet == "Onlineprodukt_Gemeinden31122023"
    assert len(gv.gemeinden) == 21 and gv.kreise == {"03241": "Region Hannover"}
    assert gv.laender == {"03": "Niedersachsen"} and gv.footnotes[0].startswith("Quelle")


def test_a_changed_header_label_is_refused_with_sheet_row_and_column(tmp_path):
    header = {}

    def rename(rows):
        at = next(i for i, r in enumerate(rows) if r[0] == "Satz-art")
        col = rows[at + 1].index("insgesamt")
        rows[at + 1][col] = "gesamt"
        header.update(row=at + 2)

    path = small_copy(tmp_path / "gv.xlsx", change=rename)
    with pytest.raises(LoadError) as err:
        read_gv(path)
    (p,) = err.value.problems
    assert (p.file, p.sheet, p.row) == (str(path), "Onlineprodukt_Gemeinden31122023", header["row"])
    assert p.column == "J–M (Bevölkerung)" and "'insgesamt'" in p.message


def test_text_in_a_number_cell_is_refused_with_sheet_row_and_column(tmp_path):
    where = {}

    def spoil(rows):
        n = row_of(rows, "03241002")
        rows[n - 1][9] = "34.955"  # the population as text, with a thousands point
        rows[row_of(rows, "03241005") - 1][8] = None  # an empty area
        where.update(row=n, area_row=row_of(rows, "03241005"))

    path = small_copy(tmp_path / "gv.xlsx", change=spoil)
    with pytest.raises(LoadError) as err:
        read_gv(path)
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {
        (where["row"], "J (Bevölkerung insgesamt)"),
        (where["area_row"], "I (Fläche km2)"),
    }
    assert all(p.file == str(path) and p.sheet for p in err.value.problems)
    assert "'34.955'" in str(err.value)


def test_a_bad_file_changes_nothing_even_after_a_good_one(fresh_real, tmp_path):
    good = small_copy(tmp_path / "good.xlsx", year=2018)

    def spoil(rows):
        rows[row_of(rows, "03241001") - 1][11] = "viele"

    bad = small_copy(tmp_path / "bad.xlsx", year=2019, change=spoil)
    before = db_checksum(fresh_real)
    r = invoke(fresh_real, "load-gv", str(good), str(bad))
    assert r.exit_code == 1
    assert "nichts geändert" in r.output and str(bad) in r.output
    assert "Blatt Onlineprodukt_Gemeinden31122023" in r.output
    assert "Spalte L (Bevölkerung weiblich): keine gültige Zahl: 'viele'" in r.output
    assert db_checksum(fresh_real) == before


def test_unmatched_and_missing_keys_are_reported(fresh_real, tmp_path):
    def edit(rows):
        extra = list(rows[row_of(rows, "03241021") - 1])
        extra[6], extra[7] = "099", "Testgemeinde"
        rows[row_of(rows, "03241021") - 1] = extra  # 03241021 gone, 03241099 instead

    path = small_copy(tmp_path / "gv.xlsx", year=2018, change=edit)
    engine = fresh_real.extensions["sozmon_engine"]
    with engine.connect() as conn, conn.begin() as tx:
        rep = load_gv(conn, path)
        assert rep.unmatched == [("03241099", "Testgemeinde")] and rep.outside == 0
        assert "03241021" in rep.missing and rep.by_level["kommune"] == 20
        # The Region's total is whole: the unmatched Gemeinde counts in it.
        assert values(conn, 2018, "03241")["bev_insgesamt"] == sum(
            r[2] for a, r in gemeinden(2023).items() if a.startswith("03241")
        )
        tx.rollback()


# --- series breaks ---------------------------------------------------------------------------


def test_series_breaks_are_loaded_with_the_catalogue(real_conn):
    rows = {
        (r["indicator_id"], int(r["year"])) for r in csv.DictReader(BREAKS.open(encoding="utf-8"))
    }
    db = set(real_conn.execute(text("SELECT indicator_id, year FROM series_break")).all())
    assert db == rows

    def years(indicator: str) -> list[int]:
        return sorted(y for i, y in db if i == indicator)

    assert {2011, 2022, 2023} <= set(years("bev_insgesamt"))
    assert years("alo_anteil") == [2012]  # population of the year before as denominator
    sgb2 = {i for i in real_conn.scalars(text("SELECT id FROM indicator WHERE id LIKE 'sgb2_%'"))}
    assert sgb2 and all(2023 in years(i) for i in sgb2)
    reason = real_conn.scalar(
        text("SELECT reason_en FROM series_break WHERE indicator_id = 'sgb2_quote' AND year = 2023")
    )
    assert "Bürgergeld" in reason


def test_load_catalogue_makes_the_table_the_file(fresh_real, tmp_path):
    lines = BREAKS.read_text(encoding="utf-8").splitlines()
    one = tmp_path / "breaks.csv"
    one.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    r = invoke(fresh_real, "load-catalogue", "--breaks", str(one))
    assert r.exit_code == 0 and "1 Reihenbrüche" in r.output
    with fresh_real.extensions["sozmon_engine"].connect() as c:
        assert c.execute(text("SELECT indicator_id, year FROM series_break")).all() == [
            ("bev_insgesamt", 2011)
        ]
    bad = tmp_path / "bad.csv"
    bad.write_text(lines[0] + "\ngibt_es_nicht,2011,Grund,reason\nbev_dichte,20x1,,\n")
    r = invoke(fresh_real, "load-catalogue", "--breaks", str(bad))
    assert r.exit_code == 1
    assert "Zeile 2, Spalte indicator_id: unbekannter Indikator 'gibt_es_nicht'" in r.output
    assert "Zeile 3, Spalte year" in r.output and "Zeile 3, Spalte reason_de: leer" in r.output
    with fresh_real.extensions["sozmon_engine"].connect() as c:
        assert c.scalar(text("SELECT count(*) FROM series_break")) == 1
