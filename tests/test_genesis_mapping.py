"""The GENESIS mapping as data (issue #28): mapping files in the data directory and --mapping,
`sozmon inspect`, the fast refusal of an unknown table, the next year of a known table, the
cache of computed rows.

The unseen table is a real one the shipped mapping does not know: an excerpt of
22543-01-02-4-B (Kindertagespflege from 2011, tests/data/genesis_unseen/README.md). Expected
numbers are read from the files here with the csv module, never from the importer. No file
inside the code tree is written: mappings go into temporary data directories.
"""

from __future__ import annotations

import csv
import json
import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from geodata.errors import DomainError
from geodata.report import LoadError
from indicators.genesis import parse_genesis
from indicators.genesis_import import check_files
from indicators.genesis_inspect import inspect_table, skeleton
from indicators.genesis_mapping import (
    MAPPING,
    USER_DIR,
    MappingError,
    load_mapping,
    read_mapping_file,
)
from tests.conftest import (
    DATA_DIR,
    app_on_clone,
    invoke,
)

HERE = Path(__file__).parent
UNSEEN = HERE / "data" / "genesis_unseen" / "22543-01-02-4-B.csv"
RS = DATA_DIR / "regionalstatistik"
COLUMNS = (
    "indicator;kind;numerator;minus;denominator;factor;denominator_year_offset;row_filter;years"
)
KITA_MAPPING = (
    "table;label\n"
    + "".join(
        f"22543-01-02-4-B;{label}\n"
        for label in (
            "Betreute Kinder",
            "Betreute Kinder / Altersgruppe / unter 3 Jahre",
            "Betreute Kinder / Altersgruppe / 3 bis unter 6 Jahre",
            "Betreute Kinder / Altersgruppe / 6 bis unter 14 Jahre",
            "Kinder, Herkunft mind. 1 Elternteil ausländisch",
            "Kinder mit Mittagsverpflegung",
        )
    )
    + "\n"
    + COLUMNS
    + "\n"
    + "kindertagespflege_kinder;count;22543-01-02-4-B:Betreute Kinder;;;1;0;Tagespflege;\n"
)


def raw_long(path: Path, period: str, key: str, row_label: str | None, col: int) -> float:
    """A long table's cell from the file itself: the row of period, key (and 4th label)."""
    with path.open(encoding="utf-8") as fh:
        for r in csv.reader(fh, delimiter=";"):
            if r[:2] == [period, key] and (row_label is None or r[3] == row_label):
                return 0.0 if r[col] == "-" else float(r[col].replace(",", "."))
    raise AssertionError(f"no row {period} {key} {row_label} in {path}")


# ---------------------------------------------------------------------------- pure: the files


def test_the_shipped_mapping_is_valid_and_every_column_path_exists():
    m = load_mapping()
    assert len(m.tables) >= 25 and len(m.lines) >= 40 and len(m.kreis_rows) == 7
    assert not m.knows("22543-01-02-4-B") and m.knows("22543-01-01-4-B")
    assert m.user_dir is None and m.replaced == {}


def test_a_faulty_mapping_file_is_refused_naming_file_row_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "# a comment line\n"
        "table;label\n"
        "22543-01-02-4-B;Betreute Kinder\n"
        "2254-01;Betreute Kinder\n"  # row 4: no table code
        "\n"
        f"{COLUMNS}\n"
        ";;22543-01-02-4-B:Betreute Kinder;;;;0;Tagespflege;\n"  # row 7: blanks left
        "kita_x;sum;22543-01-02-4-B:Betreute Kinder;;;eins;0;;2016-2011\n"  # row 8
        "\n"
        "table;lable\n",  # row 10: a typo in the header
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as exc:
        read_mapping_file(bad)
    err = exc.value
    assert isinstance(err, LoadError) and isinstance(err, DomainError) and err.status == 422
    where = {(p.row, p.column) for p in err.problems}
    assert {(4, "table"), (7, "indicator"), (7, "kind"), (7, "factor")} <= where
    assert {(8, "kind"), (8, "factor"), (8, "years"), (10, "lable")} <= where
    assert all(p.file == str(bad) for p in err.problems)
    blank = next(p for p in err.problems if (p.row, p.column) == (7, "indicator"))
    assert "leer" in blank.message and "Zeile löschen" in blank.message


def test_a_user_mapping_replaces_the_shipped_one_for_its_tables_and_adds_lines(tmp_path):
    data = tmp_path / "data"
    (data / USER_DIR).mkdir(parents=True)
    # 22543-01-01-4-B listed anew (one column path only): its shipped line goes, the new one
    # is kept; a line on a table the user does not list (12411-01-01-5-B) is added.
    (data / USER_DIR / "a.csv").write_text(
        "table;label\n22543-01-01-4-B;Betreute Kinder\n\n"
        f"{COLUMNS}\n"
        "kita_neu;count;22543-01-01-4-B:Betreute Kinder;;;1;0;Tagespflege;\n"
        "bev_neu;count;12411-01-01-5-B:weiblich;;;1;0;;2012-\n",
        encoding="utf-8",
    )
    m = load_mapping(data)
    assert m.replaced == {"22543-01-01-4-B": str(data / USER_DIR / "a.csv")}
    assert m.tables["22543-01-01-4-B"] == ["Betreute Kinder"]
    reading = {x.indicator for x in m.lines_of("22543-01-01-4-B")}
    assert reading == {"kita_neu"}  # kindertagespflege_kinder (shipped) is gone
    bev = next(x for x in m.lines if x.indicator == "bev_neu")
    assert bev.years == (2012, 9999) and bev.file.endswith("a.csv") and bev.line == 6
    assert any(x.indicator == "bev_insgesamt" for x in m.lines)  # the rest stays
    # --mapping comes last: it replaces the data directory's mapping of the same table.
    extra = tmp_path / "b.csv"
    extra.write_text(
        "table;label\n22543-01-01-4-B;Betreute Kinder\n22543-01-01-4-B;Tagespflegepersonen\n",
        encoding="utf-8",
    )
    m2 = load_mapping(data, [extra])
    assert m2.replaced["22543-01-01-4-B"] == str(extra)
    assert not m2.lines_of("22543-01-01-4-B")  # kita_neu was made for the older list


def test_column_paths_of_a_line_must_be_listed_for_its_table(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text(
        f"{COLUMNS}\n"
        "x_eins;count;12411-01-01-5-B:Insgesammt;;;1;0;;\n"  # a typo in a column path
        "x_zwei;count;99999-01-01-5-B:Insgesamt;;;1;0;;\n",  # a table nobody lists
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as exc:
        load_mapping(None, [f])
    msgs = {(p.row, p.column): p.message for p in exc.value.problems}
    assert "'Insgesammt' gibt es in Tabelle 12411-01-01-5-B nicht" in msgs[(2, "numerator")]
    assert "99999-01-01-5-B hat keine Spaltenliste" in msgs[(3, "numerator")]


def test_two_files_of_one_level_listing_a_table_differently_are_refused(tmp_path):
    data = tmp_path / "data"
    (data / USER_DIR).mkdir(parents=True)
    (data / USER_DIR / "a.csv").write_text("table;label\n22543-01-02-4-B;X\n", encoding="utf-8")
    (data / USER_DIR / "b.csv").write_text("table;label\n22543-01-02-4-B;Y\n", encoding="utf-8")
    with pytest.raises(MappingError) as exc:
        load_mapping(data)
    assert "andere Spaltenpfade als in" in str(exc.value)


def test_an_unknown_table_is_refused_from_the_header_in_under_a_second():
    files = sorted(RS.glob("*.csv")) + [UNSEEN]
    t0 = time.process_time()
    mapping = load_mapping()
    _heads, problems, changed = check_files(files, mapping)
    cpu = time.process_time() - t0
    assert cpu <= 1.0, f"{cpu:.2f} s CPU for {len(files)} headers"
    assert not changed and len(problems) == 1
    msg = problems[0].message
    assert problems[0].file == str(UNSEEN) and "22543-01-02-4-B ist nicht im Mapping" in msg
    assert f"sozmon inspect {UNSEEN} --skeleton" in msg and "--mapping" in msg


def test_the_skeleton_of_an_unseen_table_reads_back_as_its_mapping(tmp_path):
    table = parse_genesis(UNSEEN)
    ins = inspect_table(table, load_mapping(), [], None, None)
    assert ins.status == "unknown" and ins.flags["-"] == 18
    text_ = skeleton(ins)
    out = tmp_path / "s.csv"
    out.write_text(text_, encoding="utf-8")
    with pytest.raises(MappingError):  # as written: indicator, kind and factor are blank
        read_mapping_file(out)
    filled = _fill(text_, "kindertagespflege_kinder", "count", "1", "Tagespflege")
    out.write_text(filled, encoding="utf-8")
    got = read_mapping_file(out)
    assert got.tables["22543-01-02-4-B"] == table.labels
    assert [(x.indicator, x.row_filter) for x in got.lines] == [
        ("kindertagespflege_kinder", "Tagespflege")
    ]


def test_the_skeleton_of_a_known_table_holds_its_current_lines(tmp_path):
    code = "13211-02-05-4-B"
    table = parse_genesis(RS / f"{code}.csv")
    mapping = load_mapping()
    out = tmp_path / "known.csv"
    out.write_text(skeleton(inspect_table(table, mapping, [], None, None)), encoding="utf-8")
    again = load_mapping(None, [out])  # replaces the shipped mapping of the table by itself
    assert again.replaced == {code: str(out)}
    assert [x.indicator for x in again.lines_of(code)] == [
        x.indicator for x in mapping.lines_of(code)
    ]
    assert [x.years for x in again.lines_of(code)] == [(2012, 9999)]
    # Its Kreis-row pairs come along: replaced by themselves, not dropped.
    pairs = [(x.gemeinde, x.kreis, x.years) for x in again.kreis_rows]
    assert pairs == [(x.gemeinde, x.kreis, x.years) for x in mapping.kreis_rows]
    assert all(x.file == str(out) for x in again.kreis_rows)


def _fill(text_: str, indicator: str, kind: str, factor: str, row_filter: str) -> str:
    """The skeleton with its first indicator line filled and the other ones deleted."""
    out, done = [], False
    for line in text_.splitlines():
        if line.startswith(";;"):
            if done:
                continue
            cells = line.split(";")
            cells[0], cells[1], cells[5], cells[7] = indicator, kind, factor, row_filter
            line, done = ";".join(cells), True
        out.append(line)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------- on PostGIS, through the CLI


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory of the test's own (mappings/genesis/ empty)."""
    d = tmp_path / "data"
    (d / USER_DIR).mkdir(parents=True)
    return d


@pytest.fixture
def region_app(region_template: str, data_dir: Path, tmp_path: Path):
    yield from app_on_clone(
        region_template, DATA_DIR=data_dir, CACHE_DIR=str(tmp_path / "cache"), DEMO=False
    )


def _values(app, label: str) -> dict[tuple[str, str, int], float | None]:
    with app.extensions["sozmon_engine"].connect() as c:
        rows = c.execute(
            text(
                "SELECT v.indicator_id, v.ags, v.year, v.value FROM value v"
                " JOIN release r ON r.id = v.release_id WHERE r.label = :l"
            ),
            {"l": label},
        ).all()
    return {(i, a, y): v for i, a, y, v in rows}


def _releases(app) -> int:
    with app.extensions["sozmon_engine"].connect() as c:
        return c.scalar(text("SELECT count(*) FROM release"))


def test_unknown_table_refused_by_the_command_before_any_parse_with_report(
    region_app, tmp_path, monkeypatch
):
    import indicators.genesis_import as gi

    def no_parse(*_a, **_k):
        raise AssertionError("parsed although the table is unknown")

    monkeypatch.setattr(gi, "parse_genesis", no_parse)
    report = tmp_path / "report.json"
    before = _releases(region_app)
    t0 = time.perf_counter()
    r = invoke(
        region_app,
        "import-genesis",
        str(RS / "12411-01-01-5-B.csv"),
        str(UNSEEN),
        "--label",
        "kita",
        "--report",
        str(report),
    )
    took = time.perf_counter() - t0
    assert r.exit_code == 1
    assert "22543-01-02-4-B ist nicht im Mapping" in r.output
    assert "sozmon inspect" in r.output and "--skeleton" in r.output and "--mapping" in r.output
    assert str(region_app.config["DATA_DIR"] / USER_DIR) in r.output
    got = json.loads(report.read_text(encoding="utf-8"))
    assert got["refused"] is True and got["values"] == 0 and got["seconds"] <= took
    (p,) = got["problems"]
    assert (p["file"], p["row"], p["column"]) == (str(UNSEEN), 1, "1")
    assert _releases(region_app) == before


def test_a_mapping_in_the_data_directory_loads_an_unseen_table(region_app, data_dir, tmp_path):
    (data_dir / USER_DIR / "kita.csv").write_text(KITA_MAPPING, encoding="utf-8")
    report = tmp_path / "report.json"
    r = invoke(
        region_app,
        "import-genesis",
        str(UNSEEN),
        "--label",
        "kita-2016",
        "--allow-unmatched",
        "--report",
        str(report),
    )
    assert r.exit_code == 0, r.output
    got = _values(region_app, "kita-2016")
    # The Region's own Kreis row and Hannover's Gemeinde row, as the file has them.
    for key in ("03241", "03241001"):
        assert got[("kindertagespflege_kinder", key, 2016)] == raw_long(
            UNSEEN, "01.03.2016", key, "Tagespflege", 4
        )
    assert got[("kindertagespflege_kinder", "03241", 2016)] == 2589  # read by eye, once
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert rep["refused"] is False and rep["tables"] == ["22543-01-02-4-B"]
    assert str(data_dir / USER_DIR / "kita.csv") in rep["mapping_files"]
    assert MAPPING.read_text(encoding="utf-8").count("22543-01-02") == 0  # code tree unchanged


def test_inspect_shows_the_table_and_its_skeleton_loads_after_filling(region_app, tmp_path):
    out = tmp_path / "kita.csv"
    r = invoke(region_app, "inspect", str(UNSEEN), "--skeleton", str(out))
    assert r.exit_code == 0, r.output
    for fragment in (
        "GENESIS-Tabelle 22543-01-02-4-B",
        "Zeiträume: 01.03.2016",
        "Tageseinrichtung | Tagespflege | Insgesamt (ohne Doppelzählungen)",
        "Betreute Kinder / Altersgruppe / unter 3 Jahre  [Anzahl]",
        "'-': 18",
        "unbekannt: die Tabelle ist nicht im Mapping",
    ):
        assert fragment in r.output, fragment
    # Keys against the database (only the home region is loaded here): the Region and
    # Hannover match, the other Kreise do not.
    assert "Gemeinden: 1 Schlüssel, 1 passen zu Gebieten (Datenbank), 0 nicht" in r.output
    assert "Kreise: 17 Schlüssel, 1 passen zu Gebieten (Datenbank), 16 nicht" in r.output
    out.write_text(
        _fill(
            out.read_text(encoding="utf-8"), "kindertagespflege_kinder", "count", "1", "Tagespflege"
        ),
        encoding="utf-8",
    )
    r = invoke(
        region_app,
        "import-genesis",
        str(UNSEEN),
        "--mapping",
        str(out),
        "--label",
        "kita-skeleton",
        "--allow-unmatched",
    )
    assert r.exit_code == 0, r.output
    got = _values(region_app, "kita-skeleton")
    assert got[("kindertagespflege_kinder", "03241001", 2016)] == raw_long(
        UNSEEN, "01.03.2016", "03241001", "Tagespflege", 4
    )


def test_inspect_of_an_office_release_file(region_app, tmp_path):
    f = tmp_path / "amt.csv"
    f.write_text(
        "ags,indicator,year,value\n03241001,bev_insgesamt,2024,1\n03241999,kein_indikator,2024,2\n",
        encoding="utf-8",
    )
    r = invoke(region_app, "inspect", str(f))
    assert r.exit_code == 0, r.output
    assert "Form: langform; 2 Zeilen" in r.output
    assert "davon im Katalog 1, unbekannt 1 (kein_indikator)" in r.output
    assert "davon ohne Gebiet 1 (03241999)" in r.output


def test_a_bad_mapping_file_is_refused_with_its_rows_in_the_report(region_app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(KITA_MAPPING.replace(";count;", ";;"), encoding="utf-8")
    report = tmp_path / "report.json"
    r = invoke(
        region_app,
        "import-genesis",
        str(UNSEEN),
        "--mapping",
        str(bad),
        "--label",
        "kita",
        "--report",
        str(report),
    )
    assert r.exit_code == 1 and f"{bad}, Zeile 10, Spalte kind" in r.output
    (p,) = json.loads(report.read_text(encoding="utf-8"))["problems"]
    assert (p["file"], p["row"], p["column"]) == (str(bad), 10, "kind")


def test_two_lines_giving_one_indicator_the_same_years_are_refused(region_app, tmp_path):
    f = tmp_path / "twice.csv"
    f.write_text(
        KITA_MAPPING
        + "kindertagespflege_kinder;count;22543-01-02-4-B:Betreute Kinder;;;1;0;Tageseinrichtung;\n",
        encoding="utf-8",
    )
    r = invoke(
        region_app,
        "import-genesis",
        str(UNSEEN),
        "--mapping",
        str(f),
        "--label",
        "k",
        "--allow-unmatched",
    )
    assert r.exit_code == 1
    assert "Zeile 11, Spalte years" in r.output and "Zeile 10 (z. B." in r.output


def test_a_row_filter_that_the_table_does_not_have_is_refused(region_app, tmp_path):
    f = tmp_path / "rf.csv"
    f.write_text(KITA_MAPPING.replace(";Tagespflege;", ";;"), encoding="utf-8")
    r = invoke(
        region_app,
        "import-genesis",
        str(UNSEEN),
        "--mapping",
        str(f),
        "--label",
        "k",
        "--allow-unmatched",
    )
    assert r.exit_code == 1
    assert "keine Zeilen 'Insgesamt'" in r.output
    assert "Tageseinrichtung | Tagespflege | Insgesamt (ohne Doppelzählungen)" in r.output


# ------------------------------------------------------------------- the next year of a table


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def next_year_long(src: Path, out: Path, old: str, new: str, keys: set[str], bump: float) -> None:
    """A newer export of a long table: the rows of `keys` for `old`, and the same rows again
    for `new` with every number raised by `bump` (a derived file, for the test only)."""
    lines = _lines(src)
    first = next(i for i, x in enumerate(lines) if x.split(";")[0] == old)
    foot = next(i for i, x in enumerate(lines) if x.startswith("__________"))
    rows = [x for x in lines[first:foot] if x.split(";")[:1] == [old] and x.split(";")[1] in keys]

    def raised(line: str) -> str:
        cells = line.split(";")
        for i in range(3, len(cells)):
            if cells[i] not in ("-", ".", "x", "/", "..."):
                value = float(cells[i].replace(",", ".")) + bump
                cells[i] = f"{value:.1f}".replace(".", ",") if "," in cells[i] else f"{value:.0f}"
        return ";".join([new, *cells[1:]])

    out.write_text(
        "\n".join(lines[:first] + [raised(x) for x in rows] + rows + lines[foot:]),
        encoding="utf-8",
    )


def next_year_wide(src: Path, out: Path, new: str, keys: set[str], bump: int) -> None:
    """A newer export of a wide table whose header has period × (Insgesamt, männlich,
    weiblich): a `new` period in front, each row's newest three numbers raised by `bump`."""
    lines = _lines(src)
    period_row = next(i for i, x in enumerate(lines) if x.startswith(";;31.12."))
    foot = next(i for i, x in enumerate(lines) if x.startswith("__________"))
    head = [x + ";;;" for x in lines[1:period_row]]
    period = lines[period_row].split(";")
    labels = lines[period_row + 1].split(";")
    rows = []
    for x in lines[period_row + 2 : foot]:
        cells = x.split(";")
        if cells[0] in keys:
            rows.append(";".join(cells[:2] + [str(int(c) + bump) for c in cells[2:5]] + cells[2:]))
    out.write_text(
        "\n".join(
            [lines[0], *head]
            + [";".join(period[:2] + [new] * 3 + period[2:])]
            + [";".join(labels[:2] + labels[2:5] + labels[2:])]
            + rows
            + lines[foot:]
        ),
        encoding="utf-8",
    )


def test_the_next_year_of_a_known_table_loads_into_the_same_indicators(region_app, tmp_path):
    kommunen = {f"03241{n:03d}" for n in range(1, 22)}
    long_ = tmp_path / "13211-02-05-4-B.csv"
    next_year_long(RS / "13211-02-05-4-B.csv", long_, "2016", "2017", {"03241"}, 0.4)
    wide = tmp_path / "12411-01-01-5-B.csv"
    next_year_wide(RS / "12411-01-01-5-B.csv", wide, "31.12.2016", kommunen, 7)
    for f in (long_, wide):  # the derived files are what GENESIS would export
        parse_genesis(f)
    r = invoke(
        region_app,
        "import-genesis",
        str(long_),
        str(wide),
        "--label",
        "regionalstatistik-2018",
        "--allow-unmatched",
        "--gebiet",
        "03241",
    )
    assert r.exit_code == 0, r.output
    got = _values(region_app, "regionalstatistik-2018")
    rate = "Arbeitslosenquote bez. auf alle zivile Erwerbsp."
    col = _lines(RS / "13211-02-05-4-B.csv")[5].split(";").index(rate)
    assert got[("alo_quote", "03241", 2016)] == pytest.approx(
        raw_long(RS / "13211-02-05-4-B.csv", "2016", "03241", None, col)
    )
    assert got[("alo_quote", "03241", 2017)] == pytest.approx(
        raw_long(long_, "2017", "03241", None, col)
    )
    assert got[("alo_quote", "03241", 2017)] == pytest.approx(
        got[("alo_quote", "03241", 2016)] + 0.4
    )
    # The population of 31.12.2016: each Kommune's new column, the Region their sum.
    new = {
        r_[0]: float(r_[2])
        for r_ in csv.reader(wide.open(encoding="utf-8"), delimiter=";")
        if r_[:1] and r_[0] in kommunen
    }
    assert got[("bev_insgesamt", "03241001", 2016)] == new["03241001"]
    assert got[("bev_insgesamt", "03241", 2016)] == sum(new.values())
    assert ("bev_insgesamt", "03241001", 2015) in got  # the older years come along


# --------------------------------------------------------------------------------- the cache


def test_the_computed_rows_are_kept_and_used_while_nothing_changed(region_app, data_dir, tmp_path):
    (data_dir / USER_DIR / "kita.csv").write_text(KITA_MAPPING, encoding="utf-8")
    reports = []
    for n, label in enumerate(("k1", "k2", "k3")):
        if n == 2:  # another mapping: another key, computed anew
            (data_dir / USER_DIR / "kita.csv").write_text(
                KITA_MAPPING.replace(";1;0;Tagespflege;", ";1;0;Tagespflege;2016"),
                encoding="utf-8",
            )
        report = tmp_path / f"{label}.json"
        r = invoke(
            region_app,
            "import-genesis",
            str(UNSEEN),
            "--label",
            label,
            "--allow-unmatched",
            "--report",
            str(report),
        )
        assert r.exit_code == 0, r.output
        reports.append(json.loads(report.read_text(encoding="utf-8")))
    assert [bool(x["cached"]) for x in reports] == [False, True, False]
    assert list((tmp_path / "cache" / "genesis").glob("genesis-*.pickle"))
    first = {k[1:]: v for k, v in _values(region_app, "k1").items()}
    assert first == {k[1:]: v for k, v in _values(region_app, "k2").items()}
    assert first == {k[1:]: v for k, v in _values(region_app, "k3").items()}


def test_with_a_data_directory_mapping_the_table_passes_the_header_check(tmp_path):
    # A data directory with the table among its Regionalstatistik files (as load-all reads
    # them) and its mapping in mappings/genesis/: known, header as listed.
    d = tmp_path / "data"
    (d / "regionalstatistik").mkdir(parents=True)
    shutil.copy(UNSEEN, d / "regionalstatistik")
    (d / USER_DIR).mkdir(parents=True)
    (d / USER_DIR / "kita.csv").write_text(KITA_MAPPING, encoding="utf-8")
    m = load_mapping(d)
    heads, problems, changed = check_files(sorted((d / "regionalstatistik").glob("*.csv")), m)
    assert not problems and not changed and list(heads) == ["22543-01-02-4-B"]
