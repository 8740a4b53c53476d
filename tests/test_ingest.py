"""One pipeline (issue #28): one catalogue validator and one row validator for every source, one
write_draft(), catalogue files in the data directory, GV-ISys of another 31.12.

On PostGIS (the home region's boundaries and the catalogue: the `region` template), through
the CLI as the office runs it.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from geodata.errors import InvalidContent
from geodata.report import LoadError
from indicators import demo, inkar
from indicators.genesis_mapping import USER_DIR
from indicators.ingest import CATALOGUE_DIR, Draft, write_draft
from indicators.units import UNITS
from indicators.validate import Policy, catalogue_problems, value_problems
from tests.conftest import DATA_DIR, app_on_clone, invoke

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "indicators" / "data" / "catalogue.csv"
RS = DATA_DIR / "regionalstatistik"
ZENSUS = DATA_DIR / "indicators" / "zensus2022_1000A-0000_bevoelkerung_gemeinden.csv"
GV_2023 = DATA_DIR / "gemeindeverzeichnis" / "31122023_Auszug_GV.xlsx"
GV_NEXT = Path(__file__).parent / "data" / "gv_next_year" / "31122024_Auszug_GV.xlsx"
OFFICE = Path(__file__).parent / "data" / "releases" / "long_utf8_comma.csv"
BAD_UNIT = "Prozentpunkte pro Woche"
NEW_ID = "kitapflege_test_quote"


# ------------------------------------------------------------------ the validators themselves


def test_the_units_module_refuses_the_bad_unit():
    assert BAD_UNIT not in UNITS  # else every test below proves nothing


def test_catalogue_validator_names_file_row_and_column():
    row = {"unit": BAD_UNIT, "polarity": "gut", "decimals": "9"}
    found = {p.column: p for p in catalogue_problems("k.csv", 7, row)}
    assert set(found) == {"unit", "polarity", "decimals"}
    assert found["unit"].message == f"unbekannte Einheit {BAD_UNIT!r}"
    assert (found["unit"].file, found["unit"].row) == ("k.csv", 7)
    assert (
        catalogue_problems("k.csv", 2, {"unit": "%", "polarity": "neutral", "decimals": "1"}) == []
    )


def test_row_validator_policies():
    # An office file is refused for an implausible value; a published table keeps it.
    assert value_problems("%", 104.0, 104.0, 100.0) == [
        ("value", "Anteil 104.0 liegt nicht in 0–100 (Einheit %)"),
        ("numerator", "Zähler 104.0 größer als Nenner 100.0"),
    ]
    assert value_problems("%", 104.0, 104.0, 100.0, Policy.PUBLISHED) == []
    assert value_problems("Personen", -3.0, policy=Policy.PUBLISHED) == []
    assert value_problems("Personen", -3.0) == [
        ("value", "negative Anzahl: -3.0 (Einheit Personen)")
    ]
    # What is no value at all is refused from every source.
    nan = float("nan")
    assert value_problems("%", nan, policy=Policy.PUBLISHED) == [
        ("value", "keine endliche Zahl: nan")
    ]


# ------------------------------------------------------------------ on PostGIS


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    (d / USER_DIR).mkdir(parents=True)
    (d / CATALOGUE_DIR).mkdir(parents=True)
    return d


@pytest.fixture
def app(region_template: str, data_dir: Path, tmp_path: Path):
    yield from app_on_clone(
        region_template, DATA_DIR=data_dir, CACHE_DIR=str(tmp_path / "cache"), DEMO=False
    )


def _state(app) -> tuple:
    """What a refused load must leave as it was: releases, values, the catalogue."""
    with app.extensions["sozmon_engine"].connect() as c:
        return (
            c.scalar(text("SELECT count(*) FROM release")),
            c.scalar(text("SELECT count(*) FROM value")),
            c.execute(text("SELECT id, unit, sort FROM indicator ORDER BY id")).all(),
            c.scalar(
                text("SELECT last_value FROM pg_sequences WHERE sequencename = 'release_id_seq'")
            ),
        )


def _catalogue_row(**changes: str) -> dict[str, str]:
    with SHIPPED.open(encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["id"] == "sgb2_quote")
    return {**row, "id": NEW_ID, "name_de": "Testquote Kindertagespflege", **changes}


def _write_catalogue(path: Path, *rows: dict[str, str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


# Every source as its command runs it (the demo generator is `demo-release`, the office's
# files `import` and `load-release`).
COMMANDS = {
    "office import": ("import", str(OFFICE), "--label", "buero-1"),
    "office load-release": ("load-release", str(OFFICE), "--label", "buero-2"),
    "GENESIS": (
        "import-genesis",
        str(RS / "12411-01-01-5-B.csv"),
        "--label",
        "rs",
        "--allow-unmatched",
    ),
    "INKAR": ("load-inkar", str(DATA_DIR / "inkar")),
    "GV-ISys": ("load-gv", str(GV_2023)),
    "Zensus": ("load-zensus", str(ZENSUS)),
    "demo": ("demo-release",),
    "load-catalogue": ("load-catalogue",),
    "load-all": ("load-all", "--no-germany"),
}


def _refused_for_the_unit(result, file: Path, row: int) -> None:
    assert result.exit_code not in (0, None), result.output
    line = f"{file}, Zeile {row}, Spalte unit: unbekannte Einheit {BAD_UNIT!r}"
    assert line in result.output, result.output


@pytest.mark.parametrize("source", list(COMMANDS))
def test_a_bad_unit_in_the_data_directory_catalogue_is_refused_alike_by_every_source(
    app, data_dir, source
):
    bad = _write_catalogue(
        data_dir / CATALOGUE_DIR / "neu.csv",
        _catalogue_row(),
        _catalogue_row(id="x2", unit=BAD_UNIT),
    )
    before = _state(app)
    result = invoke(app, *COMMANDS[source])
    _refused_for_the_unit(result, bad, 3)
    assert _state(app) == before


def test_a_bad_unit_is_refused_alike_in_each_source_s_own_catalogue(app, tmp_path):
    """The catalogue a source brings itself: load-catalogue's file, the office's --catalogue,
    INKAR's mapping (it repeats the unit), the demo generator's parameters."""
    before = _state(app)
    bad = _write_catalogue(tmp_path / "katalog.csv", _catalogue_row(unit=BAD_UNIT))
    _refused_for_the_unit(invoke(app, "load-catalogue", str(bad)), bad, 2)
    _refused_for_the_unit(
        invoke(app, "import", str(OFFICE), "--label", "b-1", "--catalogue", str(bad)), bad, 2
    )
    mapping = tmp_path / "inkar_mapping.csv"
    lines = inkar.MAPPING.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(";")
    cells[4] = BAD_UNIT
    mapping.write_text("\n".join([lines[0], ";".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    params = tmp_path / "demo_catalogue.csv"
    with SHIPPED.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["unit"] = BAD_UNIT
    _write_catalogue(params, *rows)
    with app.extensions["sozmon_engine"].begin() as c:
        for load_it in (
            lambda: inkar.load_inkar(c, DATA_DIR / "inkar", "inkar-x", mapping_path=mapping),
            lambda: demo.generate(c, params_path=params),
        ):
            with pytest.raises(LoadError) as err:
                load_it()
            assert isinstance(err.value, InvalidContent) and err.value.status == 422
            unit = [p for p in err.value.problems if p.column == "unit"]
            assert unit and unit[0].message == f"unbekannte Einheit {BAD_UNIT!r}", (
                err.value.problems
            )
            assert unit[0].file in (str(mapping), str(params)) and unit[0].row == 2
    assert _state(app) == before


@pytest.mark.parametrize("source", ["GENESIS", "GV-ISys", "Zensus", "office load-release"])
def test_a_bad_unit_stored_in_the_catalogue_is_refused_by_write_draft(app, source):
    """A unit in the `indicator` table that the validator refuses (written past it, e.g. by
    SQL) stops every source in write_draft, naming the catalogue, the indicator and the column."""
    with app.extensions["sozmon_engine"].begin() as c:
        c.execute(text("UPDATE indicator SET unit = :u"), {"u": BAD_UNIT})
    before = _state(app)
    result = invoke(app, *COMMANDS[source])
    assert result.exit_code not in (0, None), result.output
    assert "Katalog (Tabelle indicator), Spalte unit: " in result.output, result.output
    assert f"unbekannte Einheit {BAD_UNIT!r}" in result.output
    assert _state(app) == before


def test_write_draft_refuses_a_value_that_is_no_number_and_writes_nothing(app):
    before = _state(app)
    with app.extensions["sozmon_engine"].connect() as c, c.begin():
        rows = [("bev_insgesamt", "03241001", 2020, float("inf"), None, None)]
        with pytest.raises(LoadError) as err:
            write_draft(c, Draft("x-1", origin="quelle.csv"), rows)
    (p,) = err.value.problems
    assert (p.file, p.row, p.column) == ("quelle.csv", 1, "value")
    assert "keine endliche Zahl" in p.message
    assert _state(app) == before


# ------------------------------------------------------------------ catalogue in DATA_DIR


def test_a_new_indicator_and_its_mapping_need_no_file_in_the_code_tree(app, data_dir, tmp_path):
    """A new indicator in DATA_DIR/mappings/catalogue/ and a mapping line for it in
    DATA_DIR/mappings/genesis/: import-genesis loads it (and load-catalogue keeps it)."""
    _write_catalogue(
        data_dir / CATALOGUE_DIR / "kita.csv",
        _catalogue_row(
            unit="Personen", decimals="0", first_year="2008", name_de="Kinder in Kindertagespflege"
        ),
    )
    # The same table's total, under the new indicator (a second series from one column).
    mapping = tmp_path / "neu.csv"
    mapping.write_text(
        "indicator;kind;numerator;minus;denominator;factor;denominator_year_offset;row_filter;years\n"
        f"{NEW_ID};count;12411-01-01-5-B:Insgesamt;;;1;0;;\n",
        encoding="utf-8",
    )
    r = invoke(
        app,
        "import-genesis",
        str(RS / "12411-01-01-5-B.csv"),
        "--label",
        "rs-neu",
        "--allow-unmatched",
        "--mapping",
        str(mapping),
    )
    assert r.exit_code == 0, r.output
    with app.extensions["sozmon_engine"].connect() as c:
        name, sort = c.execute(
            text("SELECT name_de, sort FROM indicator WHERE id = :i"), {"i": NEW_ID}
        ).one()
        assert name == "Kinder in Kindertagespflege"
        assert sort == c.scalar(text("SELECT max(sort) FROM indicator"))  # new: at the end
        same = c.execute(
            text(
                "SELECT count(*), count(*) FILTER (WHERE a.value = b.value) FROM value a"
                " JOIN value b USING (release_id, ags, year) JOIN release r ON r.id = a.release_id"
                " WHERE r.label = 'rs-neu' AND a.indicator_id = :i"
                " AND b.indicator_id = 'bev_insgesamt'"
            ),
            {"i": NEW_ID},
        ).one()
    assert same[0] > 0 and same[0] == same[1]  # every value of the new series as the table's
    # load-catalogue (as load-all runs it) keeps the data directory's indicator.
    assert invoke(app, "load-catalogue").exit_code == 0
    with app.extensions["sozmon_engine"].connect() as c:
        assert c.scalar(text("SELECT name_de FROM indicator WHERE id = :i"), {"i": NEW_ID})


def test_one_indicator_in_two_catalogue_files_of_the_data_directory_is_refused(app, data_dir):
    first = _write_catalogue(data_dir / CATALOGUE_DIR / "a.csv", _catalogue_row())
    second = _write_catalogue(data_dir / CATALOGUE_DIR / "b.csv", _catalogue_row())
    before = _state(app)
    r = invoke(app, "load-catalogue")
    assert r.exit_code == 1, r.output
    assert f"{second}, Zeile 2, Spalte id: {NEW_ID!r} schon in {first}" in r.output
    assert _state(app) == before


# ------------------------------------------------------------------ GV-ISys of another 31.12.


def test_the_gv_extract_of_another_reference_date_loads_into_the_same_indicators(app, data_dir):
    """A derived extract of 31.12.2024 (tests/data/make_gv_next_year.py): recognised by its
    name in DATA_DIR/gemeindeverzeichnis (as load-all finds it) and loaded as
    gemeindeverzeichnis-2024 into the same four indicators, values as in the file."""
    import openpyxl

    from app.cli.gv import gv_files

    (data_dir / "gemeindeverzeichnis").mkdir()
    shutil.copy(GV_NEXT, data_dir / "gemeindeverzeichnis" / GV_NEXT.name)
    found = gv_files(data_dir)
    assert list(found) == ["gemeindeverzeichnis-2024"]
    r = invoke(app, "load-gv", str(found["gemeindeverzeichnis-2024"]))
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(GV_NEXT, read_only=True)
    raw = {
        row[2] + row[3] + row[4] + row[6]: row
        for row in wb.worksheets[1].iter_rows(values_only=True)
        if row[0] == "60"
    }
    wb.close()
    with app.extensions["sozmon_engine"].connect() as c:
        stored = c.execute(
            text(
                "SELECT v.indicator_id, v.ags, v.year, v.value FROM value v"
                " JOIN release r ON r.id = v.release_id"
                " WHERE r.label = 'gemeindeverzeichnis-2024' AND r.status = 'published'"
            )
        ).all()
    assert {i for i, *_ in stored} == {
        "bev_insgesamt",
        "bev_dichte",
        "flaeche",
        "bev_frauen_anteil",
    }
    assert {y for _i, _a, y, _v in stored} == {2024}
    values = {(i, a): v for i, a, _y, v in stored}
    assert len(raw) == 21
    for ags, row in raw.items():
        assert values["bev_insgesamt", ags] == row[9]
        assert values["flaeche", ags] == pytest.approx(row[8])
        assert values["bev_frauen_anteil", ags] == pytest.approx(row[11] / row[9] * 100)
    assert values["bev_insgesamt", "03241"] == sum(row[9] for row in raw.values())
