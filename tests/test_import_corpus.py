"""The malformed-release corpus: every file refused with its message, the database untouched."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import text

from geodata.report import Problem
from tests.conftest import clone_database, drop_database, invoke, make_app

DATA = Path(__file__).parent / "data"
BAD, GOOD = DATA / "bad_releases", DATA / "releases"


def corpus() -> list[tuple[str, str]]:
    """(file, expected fragment) from the table in bad_releases/README.md."""
    out = []
    for line in (BAD / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 3 and "." in cells[0] and cells[0] != "file":
            out.append((cells[0], cells[2]))
    return out


TABLES_SQL = (
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    " AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys' ORDER BY table_name"
)


def full_checksum(app) -> dict[str, str]:
    """md5 of every table's rows plus every sequence's position: 'byte for byte as it was'."""
    out = {}
    with app.extensions["sozmon_engine"].connect() as c:
        tables = c.scalars(text(TABLES_SQL)).all()
        for t in tables:
            out[t] = c.scalar(
                text(
                    f"SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{t}\" x"
                )
            )
        for s in c.scalars(text("SELECT sequencename FROM pg_sequences")).all():
            out["seq:" + s] = str(c.scalar(text(f'SELECT last_value FROM "{s}"')))
    assert {"value", "release", "indicator", "editor", "login_failure"} <= set(out)
    return out


def write_mark(app) -> str:
    """The id of a new transaction (32 bits, as xmin holds it): every row a later transaction
    inserts or updates carries a newer xmin."""
    with app.extensions["sozmon_engine"].begin() as c:
        return str(int(c.scalar(text("SELECT pg_current_xact_id()::text"))) % 2**32)


def rows_written(c, table: str, mark: str) -> tuple[int, int]:
    """A table's row count and how many of its visible rows a transaction after `mark` wrote."""
    sql = (
        f'SELECT count(*), count(*) FILTER (WHERE age(xmin) < age(CAST(:m AS xid))) FROM "{table}"'
    )
    n, new = c.execute(text(sql), {"m": mark}).one()
    return n, new


def written_since(app, mark: str) -> dict[str, object]:
    """Per table its row count and how many of its rows a transaction after `mark` wrote, per
    sequence its position: equal to the values at `mark` exactly when no write was committed
    since (an insert or update leaves a row with a newer xmin, a delete one row fewer).

    A fraction of full_checksum's cost (no row is cast to text, sorted and hashed: 0.3 s
    against 10 s per call under load), and stricter where it differs: rewriting a row with
    the same content counts as a change. full_checksum still proves the database byte for
    byte as it was, once at the end of the module (the fixture `baseline`).
    """
    out: dict[str, object] = {}
    with app.extensions["sozmon_engine"].connect() as c:
        for t in c.scalars(text(TABLES_SQL)).all():
            out[t] = rows_written(c, t, mark)
        for s in c.scalars(text("SELECT sequencename FROM pg_sequences")).all():
            out["seq:" + s] = str(c.scalar(text(f'SELECT last_value FROM "{s}"')))
    assert {"value", "release", "indicator", "editor", "login_failure"} <= set(out)
    return out


class Baseline(NamedTuple):
    """The shared database as it was: its rows' md5 (full_checksum), a write mark and what
    written_since answers for it."""

    md5: dict[str, str]
    mark: str
    counts: dict[str, object]


@pytest.fixture(scope="module")
def corpus_app(loaded_template):
    """One database for the whole corpus: every refused import must leave it unchanged."""
    name = clone_database(loaded_template)
    app = make_app(name)
    yield app
    app.extensions["sozmon_engine"].dispose()
    drop_database(name)


@pytest.fixture(scope="module")
def baseline(corpus_app) -> Iterator[Baseline]:
    """Each refused import is checked with written_since (cheap); at the end of the module the
    md5 of every row proves the database byte for byte as it was after all of them."""
    md5 = full_checksum(corpus_app)
    mark = write_mark(corpus_app)
    b = Baseline(md5, mark, written_since(corpus_app, mark))
    assert all(n == 0 for v in b.counts.values() if isinstance(v, tuple) for n in v[1:])
    yield b
    assert full_checksum(corpus_app) == md5


def test_the_cheap_check_sees_a_committed_write(corpus_app, baseline):
    """written_since can fail: an insert, an update and a delete are each seen (shown inside a
    transaction that is rolled back; its own rows carry its newer xid)."""
    engine = corpus_app.extensions["sozmon_engine"]
    for sql in (
        "INSERT INTO login_failure (id, name, ip) VALUES (-1, 'x', 'x')",  # no sequence used
        "UPDATE indicator SET sort = sort WHERE id = 'sgb2_quote'",
        "DELETE FROM value WHERE ctid = (SELECT min(ctid) FROM value)",
    ):
        with engine.connect() as c:
            c.execute(text(sql))
            got = {
                t: rows_written(c, t, baseline.mark)
                for t in ("login_failure", "indicator", "value")
            }
            c.rollback()
        assert got != {t: baseline.counts[t] for t in got}, sql
    assert written_since(corpus_app, baseline.mark) == baseline.counts


def test_corpus_is_big_enough_and_complete():
    listed = {f for f, _ in corpus()}
    on_disk = {p.name for p in BAD.iterdir() if p.name != "README.md"}
    assert len(listed) >= 30
    assert listed == on_disk, f"not in README: {on_disk - listed}; missing: {listed - on_disk}"


@pytest.mark.parametrize(("name", "fragment"), corpus(), ids=[f for f, _ in corpus()])
def test_bad_file_is_refused_and_changes_nothing(corpus_app, baseline, tmp_path, name, fragment):
    if name.startswith("catalogue_"):
        args = [str(GOOD / "values_new_indicator.csv"), "--catalogue", str(BAD / name)]
    else:
        args = [str(BAD / name)]
    report = tmp_path / "bericht.json"
    result = invoke(corpus_app, "import", *args, "--label", "kaputt", "--report", str(report))
    assert result.exit_code == 1, result.output
    assert "nichts geändert" in result.output
    assert fragment in result.output, result.output
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["ok"] is False and doc["count"] >= 1
    assert any(fragment in str(Problem(**p)) for p in doc["problems"])  # the file says it too
    assert written_since(corpus_app, baseline.mark) == baseline.counts


def test_file_above_size_limit_is_refused_before_parsing(corpus_app, baseline, tmp_path):
    big = tmp_path / "riesig.csv"
    line = b"03241001,sgb2_quote,2023,12.5,100,800\n"
    with big.open("wb") as fh:
        fh.write(b"ags,indicator,year,value,numerator,denominator\n")
        fh.write(line * (50 * 1024 * 1024 // len(line) + 1))
    assert big.stat().st_size > 50 * 1024 * 1024
    result = invoke(corpus_app, "import", str(big), "--label", "riesig")
    assert result.exit_code == 1
    assert "Datei ist zu groß (52,4 MB)" in result.output
    assert "höchstens 21 MB" in result.output  # 20 MiB
    assert written_since(corpus_app, baseline.mark) == baseline.counts


def test_every_problem_is_listed_at_once_with_file_row_column(corpus_app, baseline, tmp_path):
    f = tmp_path / "viele.csv"
    f.write_text(
        "ags;indicator;year;value;numerator;denominator\n"
        "03241001;sgb2_quote;2023;12,5;100;800\n"
        "03241099;sgb2_quote;2023;12,5;100;800\n"  # unknown AGS
        "03241002;sgb2_qoute;2023;12,5;100;800\n"  # unknown indicator
        "03241003;sgb2_quote;20x3;12,5;100;800\n"  # bad year
        "03241004;sgb2_quote;2023;112,5;100;800\n",  # rate > 100
        encoding="cp1252",
    )
    report = tmp_path / "bericht.csv"
    result = invoke(
        corpus_app,
        "import",
        str(f),
        str(BAD / "utf16.csv"),
        "--label",
        "viele",
        "--report",
        str(report),
    )
    assert result.exit_code == 1
    text_ = report.read_text(encoding="utf-8-sig")
    lines = text_.splitlines()
    assert lines[0] == "file;sheet;row;column;message;expected"
    assert len(lines) == 1 + 5
    assert ";3;ags;AGS '03241099'" in text_
    assert ";4;indicator;unbekannter Indikator 'sgb2_qoute'" in text_
    assert ";5;year;kein Jahr: '20x3'" in text_
    assert ";6;value;Anteil 112.5 liegt nicht in 0–100" in text_
    assert "utf16.csv;;;;Zeichenkodierung nicht lesbar" in text_
    assert written_since(corpus_app, baseline.mark) == baseline.counts


@pytest.mark.parametrize(
    "files",
    [
        ["long_utf8_comma.csv"],
        ["long_cp1252_semicolon.csv"],
        ["wide_semicolon.csv"],
        ["long.xlsx"],
        ["wide.xlsx"],
        ["long_utf8_comma.csv", "wide_semicolon.csv", "long.xlsx", "wide.xlsx"],
    ],
)
def test_office_dialects_are_accepted_as_draft(fresh_app, files):
    result = invoke(fresh_app, "import", *(str(GOOD / f) for f in files), "--label", "2025-1")
    assert result.exit_code == 0, result.output
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        rel = c.execute(text("SELECT id, status FROM release WHERE label = '2025-1'")).one()
        assert rel.status == "draft"
        n = c.scalar(text("SELECT count(*) FROM value WHERE release_id = :r"), {"r": rel.id})
        v = c.scalar(
            text(
                "SELECT value FROM value WHERE release_id = :r AND ags = '03241001'"
                " AND year = 2023 ORDER BY indicator_id LIMIT 1"
            ),
            {"r": rel.id},
        )
    expected = {
        "long_utf8_comma.csv": 44,
        "long_cp1252_semicolon.csv": 44,
        "wide_semicolon.csv": 66,
        "long.xlsx": 44,
        "wide.xlsx": 66,
    }
    assert n == sum(expected[f] for f in files)
    assert v == pytest.approx(303 / 5030 * 100, abs=1e-3)  # same number in every dialect


def test_cp1252_decimal_comma_values_equal_utf8_values(fresh_app):
    for label, f in (("a", "long_utf8_comma.csv"), ("b", "long_cp1252_semicolon.csv")):
        assert invoke(fresh_app, "import", str(GOOD / f), "--label", label).exit_code == 0
    result = invoke(fresh_app, "diff", "a", "b")
    assert "0 geändert, 0 neu, 0 entfallen" in result.output


def test_catalogue_with_new_indicator(fresh_app, tmp_path):
    report = tmp_path / "ok.json"
    result = invoke(
        fresh_app,
        "import",
        str(GOOD / "values_new_indicator.csv"),
        "--catalogue",
        str(GOOD / "catalogue_new.csv"),
        "--label",
        "neu",
        "--report",
        str(report),
    )
    assert result.exit_code == 0, result.output
    assert json.loads(report.read_text())["ok"] is True
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        name = c.scalar(text("SELECT name_de FROM indicator WHERE id = 'neu_testquote'"))
        last = c.scalar(text("SELECT max(sort) FROM indicator"))
        sort = c.scalar(text("SELECT sort FROM indicator WHERE id = 'neu_testquote'"))
    assert name == "Testquote"
    assert sort == last  # a new indicator goes to the end; the others keep their order
