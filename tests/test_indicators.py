"""Catalogue and release loading against the real database, including every bad-input case."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import text

from tests.conftest import ZENSUS_CSV, db_checksum, invoke

HEADER = "ags,indicator,year,value,numerator,denominator\n"


def write(tmp_path: Path, name: str, body: str) -> Path:
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def test_catalogue_covers_the_topic_fields(conn):
    counts = dict(
        conn.execute(text("SELECT topic_id, count(*) FROM indicator GROUP BY topic_id")).all()
    )
    assert set(counts) == {
        "bevoelkerung",
        "mindestsicherung",
        "einkommen",
        "arbeit",
        "pflege",
        "kinder",
        "gesundheit",
        "migration",
        "wohnen",
    }
    # The catalogue of the design (115) and the INKAR 2024 codes (52 new, 5 mapped onto it).
    assert 160 <= sum(counts.values()) <= 180
    empty = conn.scalar(
        text("SELECT count(*) FROM indicator WHERE length(definition_de) < 40 OR source = ''")
    )
    assert empty == 0


def test_valid_release_loads_csv_and_xlsx(fresh_app, tmp_path):
    csv_path = write(tmp_path, "ok.csv", "03241001,sgb2_quote,2025,12.5,50,400\n")
    r = invoke(fresh_app, "load-release", str(csv_path), "--label", "2025-1")
    assert r.exit_code == 0, r.output
    wb = Workbook()
    ws = wb.active
    ws.append(["ags", "indicator", "year", "value"])
    ws.append(["03241002", "kaufkraft_ew", 2025, 25123.5])
    xlsx = tmp_path / "ok.xlsx"
    wb.save(xlsx)
    r = invoke(fresh_app, "load-release", str(xlsx), "--label", "2025-1b")
    assert r.exit_code == 0, r.output
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        rows = c.execute(
            text(
                "SELECT r.label, v.ags, v.value, v.numerator FROM value v JOIN release r"
                " ON r.id = v.release_id WHERE r.label LIKE '2025-1%' ORDER BY r.label"
            )
        ).all()
    assert rows == [("2025-1", "03241001", 12.5, 50.0), ("2025-1b", "03241002", 25123.5, None)]


def test_german_csv_dialect_is_read(fresh_app, tmp_path):
    p = tmp_path / "de.csv"
    p.write_bytes(
        "ags;indicator;year;value\n03241001;kaufkraft_ew;2025;24.512,5\n".encode("cp1252")
    )
    r = invoke(fresh_app, "load-release", str(p), "--label", "de-1")
    assert r.exit_code == 0, r.output
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        v = c.scalar(
            text(
                "SELECT value FROM value v JOIN release r ON r.id = v.release_id"
                " WHERE r.label = 'de-1'"
            )
        )
    assert v == 24512.5


BAD = [
    (
        "unknown_ags.csv",
        "03241099,sgb2_quote,2020,10,1,10\n",
        "Zeile 2, Spalte ags: AGS '03241099'",
    ),
    (
        "unknown_ind.csv",
        "03241001,gibts_nicht,2020,10,1,10\n",
        "Zeile 2, Spalte indicator: unbekannter",
    ),
    (
        "dup.csv",
        "03241001,sgb2_quote,2020,10,1,10\n03241001,sgb2_quote,2020,11,1,10\n",
        "Zeile 3, Spalte indicator: doppelt: sgb2_quote/03241001/2020 schon in Zeile 2",
    ),
    ("text.csv", "03241001,sgb2_quote,2020,zehn,,\n", "Zeile 2, Spalte value: keine Zahl: 'zehn'"),
    (
        "year_low.csv",
        "03241001,sgb2_quote,1989,10,,\n",
        "Zeile 2, Spalte year: Jahr 1989 liegt nicht in 1990–2100",
    ),
    ("year_high.csv", "03241001,sgb2_quote,2101,10,,\n", "Zeile 2, Spalte year: Jahr 2101"),
    ("year_text.csv", "03241001,sgb2_quote,20x0,10,,\n", "Zeile 2, Spalte year: kein Jahr"),
    (
        "rate.csv",
        "03241001,sgb2_quote,2020,100.5,,\n",
        "Zeile 2, Spalte value: Anteil 100.5 liegt nicht in 0–100",
    ),
    (
        "numden.csv",
        "03241001,sgb2_quote,2020,10,20,10\n",
        "Zeile 2, Spalte numerator: Zähler 20.0 größer als Nenner",
    ),
    (
        "negative.csv",
        "03241001,sgb2_quote,2020,10,-1,10\n",
        "Zeile 2, Spalte numerator: negative Anzahl",
    ),
    ("width.csv", "03241001,sgb2_quote,2020\n", "Zeile 2: 3 statt 6 Felder"),
]


@pytest.mark.parametrize(("name", "body", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_release_is_refused_and_changes_nothing(fresh_app, tmp_path, name, body, expected):
    path = write(tmp_path, name, body)
    before = db_checksum(fresh_app)
    r = invoke(fresh_app, "load-release", str(path), "--label", "bad-1")
    assert r.exit_code != 0
    assert f"{path}, {expected}" in r.output
    assert db_checksum(fresh_app) == before


def test_every_problem_is_reported_at_once(fresh_app, tmp_path):
    # Seven bad rows, each named. The third and the seventh also share a key: rows are streamed
    # and only rows that pass the row checks are staged, where SQL finds duplicates (issue #26:
    # bounded memory), so that duplicate is reported once the two rows' own problems are fixed.
    body = "".join(b[1] for b in BAD[:8] if b[0] != "dup.csv")
    path = write(tmp_path, "many.csv", body)
    before = db_checksum(fresh_app)
    r = invoke(fresh_app, "load-release", str(path), "--label", "bad-2")
    assert r.exit_code != 0
    assert "7 Problem(e) gefunden" in r.output
    for row in range(2, 9):
        assert f"Zeile {row}, Spalte" in r.output
    assert db_checksum(fresh_app) == before


def test_missing_file_and_missing_column(fresh_app, tmp_path):
    before = db_checksum(fresh_app)
    r = invoke(fresh_app, "load-release", str(tmp_path / "fehlt.csv"), "--label", "x")
    assert r.exit_code != 0 and "fehlt.csv: Datei nicht gefunden" in r.output
    p = tmp_path / "cols.csv"
    p.write_text("ags,indicator,value\n03241001,sgb2_quote,1\n")
    r = invoke(fresh_app, "load-release", str(p), "--label", "x")
    assert r.exit_code != 0 and "Zeile 1, Spalte year: Pflichtspalte fehlt" in r.output
    assert db_checksum(fresh_app) == before


def test_existing_label_is_refused(fresh_app, tmp_path):
    path = write(tmp_path, "ok.csv", "03241001,sgb2_quote,2025,12.5,50,400\n")
    before = db_checksum(fresh_app)
    r = invoke(fresh_app, "load-release", str(path), "--label", "demo-2024-2")
    assert r.exit_code != 0 and "existiert bereits" in r.output
    assert db_checksum(fresh_app) == before


def test_bad_catalogue_is_refused(fresh_app, tmp_path):
    src = (Path(__file__).parents[1] / "indicators" / "data" / "catalogue.csv").read_text()
    lines = src.splitlines()
    lines[2] = lines[2].replace(",neutral,", ",sehr_gut,", 1)
    bad = tmp_path / "catalogue.csv"
    bad.write_text("\n".join(lines) + "\n")
    before = db_checksum(fresh_app)
    r = invoke(fresh_app, "load-catalogue", str(bad))
    assert r.exit_code != 0 and "Zeile 3, Spalte polarity: 'sehr_gut'" in r.output
    assert db_checksum(fresh_app) == before


def test_zensus_values_match_the_source_file(conn):
    import csv

    with ZENSUS_CSV.open(encoding="utf-8-sig") as fh:
        src = {
            r["1_variable_attribute_code"][:5] + r["1_variable_attribute_code"][-3:]: int(
                r["value"]
            )
            for r in csv.DictReader(fh, delimiter=";")
            if r["1_variable_attribute_code"].startswith("03241")
        }
    rows = dict(
        conn.execute(
            text(
                "SELECT v.ags, v.value FROM value v JOIN release r ON r.id = v.release_id"
                " WHERE r.label = 'zensus-2022' AND v.indicator_id = 'bev_zensus22'"
            )
        ).all()
    )
    assert len(src) == 21
    assert {a: int(v) for a, v in rows.items() if a.startswith("03241") and a != "03241"} == src
    assert rows["03241"] == sum(src.values())
    # Land and Bund: the sum of every Zensus Gemeinde with their key (Germany's own row agrees).
    with ZENSUS_CSV.open(encoding="utf-8-sig") as fh:
        every = [r for r in csv.DictReader(fh, delimiter=";")]
    gem = [r for r in every if r["1_variable_code"] == "GEOGM4"]
    assert rows["03"] == sum(
        int(r["value"]) for r in gem if r["1_variable_attribute_code"][:2] == "03"
    )
    germany = next(int(r["value"]) for r in every if r["1_variable_code"] == "GEODL1")
    # The Bund is the sum of its Gemeinden too; Germany's own row differs by a few thousand
    # (areas outside any Gemeinde), well under 0.1 %.
    assert rows["DG"] == sum(int(r["value"]) for r in gem)
    assert abs(rows["DG"] - germany) / germany < 0.001
    assert rows["03241001"] == 513291  # Hannover, Zensus 2022
    synthetic = conn.scalar(text("SELECT synthetic FROM release WHERE label = 'zensus-2022'"))
    assert synthetic is False


def test_cli_help_lists_the_data_commands(app):
    r = app.test_cli_runner().invoke(args=["--help"])
    for cmd in (
        "load-boundaries",
        "load-catalogue",
        "load-release",
        "load-zensus",
        "demo-release",
        "load-all",
        "db",
    ):
        assert cmd in r.output
    r = app.test_cli_runner().invoke(args=["load-boundaries", "--help"])
    assert "repair" in r.output and "--ags-prefix" in r.output
