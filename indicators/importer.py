"""Import a release from the office's files (long or wide form, CSV or XLSX) as a draft."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from geodata.report import LoadError, Problem
from indicators.ingest import Draft, Staged, write_draft
from indicators.labels import LABEL_EXPECTED, label_problem
from indicators.loaders import (
    OPTIONAL_VALUE_COLUMNS,
    VALUE_COLUMNS,
    Progress,
    ValueChecker,
    no_progress,
    upsert_indicators,
    validate_catalogue,
)
from indicators.releases import draft_written
from indicators.tables import (
    NumberError,
    Table,
    iter_csv,
    iter_xlsx,
    parse_number,
    xlsx_archive_problems,
)
from indicators.text import FORMULA_START, defuse
from indicators.validate import Policy

MAX_BYTES = 20 * 1024 * 1024  # config IMPORT_MAX_BYTES; checked before a file is parsed
LONG_COLUMNS = (*VALUE_COLUMNS, *OPTIONAL_VALUE_COLUMNS)
# The office's German headings are accepted too.
ALIASES = {
    "jahr": "year",
    "wert": "value",
    "indikator": "indicator",
    "kennzahl": "indicator",
    "zähler": "numerator",
    "zaehler": "numerator",
    "nenner": "denominator",
    "gemeindeschlüssel": "ags",
}
YEAR_COLUMN = re.compile(r"^(19|20)\d\d$")
EXPECTED = {
    "ags": "AGS einer Kommune (03241001–03241021) oder der Region (03241)",
    "indicator": "Kennung eines Indikators aus dem Katalog",
    "year": "Jahr als ganze Zahl",
    "value": "Zahl (Dezimalpunkt oder -komma)",
    "numerator": "Zahl ≥ 0, höchstens der Nenner",
    "denominator": "Zahl ≥ 0",
}


MAX_PROBLEMS = 1000  # kept and shown; more are counted (a file of bad rows stays small)


@dataclass
class Validated:
    """What was read from a release's files: the count of clean rows (waiting in the
    transaction's staging table), catalogue rows and the problems (the first MAX_PROBLEMS)."""

    count: int = 0
    catalogue: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    more: int = 0  # problems beyond MAX_PROBLEMS: counted, not kept
    more_file: str = ""

    def add(self, found: Iterable[Problem]) -> None:
        for p in found:
            if len(self.problems) < MAX_PROBLEMS:
                self.problems.append(p)
            else:
                self.more_file = self.more_file or p.file
                self.more += 1


BY_MESSAGE = (
    ("doppelt", "jeder Wert (Indikator, AGS, Jahr) nur einmal"),
    ("statt", "gleich viele Felder wie Spaltenüberschriften (Dezimalkomma in Anführungszeichen?)"),
)


def with_expected(p: Problem) -> Problem:
    """The problem with a default 'expected' (by message, else by column) where it has none."""
    if p.expected:
        return p
    expected = next((e for start, e in BY_MESSAGE if start in p.message), None)
    if p.message == "Pflichtspalte fehlt":
        expected = f"eine Spalte {p.column!r}"
    # Only a named column has a default (a numbered one, of a GENESIS file, never comes here).
    col = p.column if isinstance(p.column, str) else None
    if col and YEAR_COLUMN.match(col):
        col = "value"
    expected = expected or EXPECTED.get(col or "")
    return dataclasses.replace(p, expected=expected) if expected else p


def size_problems(path: Path, max_bytes: int) -> list[Problem]:
    """A missing file or one above the size limit, found before reading a byte of it."""
    if not path.is_file():
        return [Problem(str(path), None, None, "Datei nicht gefunden")]
    size = path.stat().st_size
    if size > max_bytes:
        mb = f"{size / 1e6:.1f}".replace(".", ",")
        return [
            Problem(
                str(path),
                None,
                None,
                f"Datei ist zu groß ({mb} MB)",
                expected=f"höchstens {max_bytes / 1e6:.0f} MB",
            )
        ]
    if size == 0:
        return [Problem(str(path), None, None, "Datei ist leer")]
    return []


def _xlsx_sheet_files(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet XML member → sheet title, from workbook.xml and its relationships."""
    wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {m[0]: m[1] for m in re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels)}
    targets |= {m[1]: m[0] for m in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    out = {}
    for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
        target = targets.get(rid, "").lstrip("/")
        out[target if target.startswith("xl/") else "xl/" + target] = name
    return out


def merged_header_problems(path: Path) -> list[Problem]:
    """Merged cells in a sheet's first row hide column names (openpyxl reads them as empty)."""
    problems = []
    try:
        with zipfile.ZipFile(path) as zf:
            sheets = _xlsx_sheet_files(zf)
            for member, title in sheets.items():
                # Streamed in chunks: mergeCells sits after the (possibly large) sheetData.
                tail = ""
                with zf.open(member) as fh:
                    while chunk := fh.read(1 << 20):
                        buf = tail + chunk.decode("utf-8", "replace")
                        for ref in re.findall(r'<mergeCell ref="([A-Z]+1:[A-Z]+\d+)"', buf):
                            problems.append(
                                Problem(
                                    str(path),
                                    1,
                                    ref.split(":")[0][:-1],
                                    f"verbundene Zellen in der Kopfzeile ({ref})",
                                    title,
                                    "eine Spaltenüberschrift je Zelle, Verbund aufheben",
                                )
                            )
                        tail = buf[-200:]
    except (zipfile.BadZipFile, KeyError, OSError):
        return []  # read_xlsx reports an unreadable workbook with its own message
    return sorted(set(problems), key=lambda p: (p.sheet or "", p.column or ""))


def read_tables(path: Path) -> list[Table]:
    """Every sheet of an XLSX (empty ones skipped) or the one table of a CSV, rows in lists."""
    tables = []
    for t in stream_tables(path):
        t.rows = list(t.rows)
        tables.append(t)
    return tables


def stream_tables(path: Path) -> Iterator[Table]:
    """Every sheet of an XLSX (empty ones skipped) or the one table of a CSV, each table's rows
    read while they are consumed: consume one table before asking for the next."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        yield iter_csv(path)
        return
    if problems := xlsx_archive_problems(path) or merged_header_problems(path):
        raise LoadError(problems)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
        names = wb.sheetnames
        wb.close()
    except Exception as exc:  # zip/xml errors: not a workbook
        raise LoadError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    f"keine lesbare XLSX-Datei: {exc}",
                    expected="Excel-Arbeitsmappe (.xlsx)",
                )
            ]
        ) from exc
    problems, found = [], 0
    for name in names:
        try:
            table = iter_xlsx(path, name)
        except LoadError as err:
            problems.extend(err.problems)
            continue
        found += 1
        yield table
    if not found:
        raise LoadError(problems or [Problem(str(path), None, None, "keine Tabellenblätter")])


def normalise(table: Table) -> Table:
    """Header in lower case with German aliases mapped; rows keyed the same way."""
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in table.header]
    if header == table.header:
        return table
    mapping = dict(zip(table.header, header, strict=True))
    rows = ((n, {mapping.get(k, k): v for k, v in r.items()}) for n, r in table.rows)
    return Table(table.file, header, rows, table.sheet, table.decimal)


def shape_problems(table: Table) -> list[Problem]:
    """Wrong delimiter, empty or duplicate headings, columns that belong to neither form."""

    def bad(col: str | None, msg: str, expected: str) -> Problem:
        return Problem(table.file, 1, col, msg, table.sheet, expected)

    h = table.header
    if len(h) == 1:
        sep = next((s for s in ("\t", "|", " ") if s in h[0]), None)
        what = {"\t": "Tabulator", "|": "'|'", " ": "Leerzeichen"}.get(sep or "", "keines")
        return [
            bad(
                None,
                f"Trennzeichen nicht erkannt (gefunden: {what}); nur eine Spalte",
                "',' oder ';' zwischen den Spalten",
            )
        ]
    out = [
        bad(f"{i + 1}. Spalte", "Spaltenüberschrift ist leer", "ein Spaltenname")
        for i, c in enumerate(h)
        if not c
    ]
    out += [
        bad(c, "Spalte doppelt", "jede Spalte einmal")
        for c in sorted({c for c in h if c and h.count(c) > 1})
    ]
    allowed: tuple[str, ...]
    if is_long(h):
        allowed, form = LONG_COLUMNS, "Langform: " + ", ".join(LONG_COLUMNS)
    else:
        allowed, form = ("ags", "indicator"), "Breitform: ags, indicator und je Jahr eine Spalte"
        if not any(YEAR_COLUMN.match(c) for c in h):
            out.append(
                bad("year", "weder Spalte 'year' (Langform) noch Jahresspalten (Breitform)", form)
            )
    for c in h:
        if c and c not in allowed and not (allowed[0] == "ags" and YEAR_COLUMN.match(c)):
            out.append(bad(c, f"unerwartete Spalte {c!r}", form))
    return out


def formula_problems(table: Table) -> list[Problem]:
    """Text cells a spreadsheet would run as a formula (=HYPERLINK(…), +cmd, @SUM…)."""
    return [p for n, r in table.rows for p in row_formula_problems(table, n, r)]


def row_formula_problems(table: Table, n: int, r: dict[str, str]) -> list[Problem]:
    """formula_problems of one row."""
    out = []
    for col, cell in r.items():
        if not col.startswith("__") and cell and cell.startswith(FORMULA_START):
            try:
                parse_number(cell)  # "-3,5" is a number, not a formula
            except NumberError:
                pass  # number-like ("-1,234"): the value check says what is wrong with it
            except ValueError:
                out.append(
                    Problem(
                        table.file,
                        n,
                        col,
                        f"Text sieht aus wie eine Formel: {cell[:60]!r}",
                        table.sheet,
                        "Text ohne führendes =, +, -, @",
                    )
                )
    return out


def is_long(header: list[str]) -> bool:
    """Long form has a year or value column; wide form has one column per year instead."""
    return "year" in header or "value" in header


def long_rows(header: list[str], r: dict[str, str]) -> list[dict[str, str]]:
    """One row in long form: itself, or a wide row unpivoted (one per filled year column)."""
    if is_long(header):
        return [r]
    return [
        {
            "ags": r.get("ags", ""),
            "indicator": r.get("indicator", ""),
            "year": y,
            "value": r[y],
            "__value_column__": y,
            "__year_column__": y,
        }
        for y in header
        if YEAR_COLUMN.match(y) and r.get(y, "") != ""  # an empty cell is missing, not zero
    ]


STAGE = "import_stage"
_STAGE_COLUMNS = "seq, f, sheet, line, col, indicator_id, ags, year, value, numerator, denominator"


def _create_stage(conn: Connection) -> None:
    """The transaction's staging table for clean rows (a temporary table, gone at its end)."""
    conn.execute(text(f"DROP TABLE IF EXISTS pg_temp.{STAGE}"))
    conn.execute(
        text(
            f"CREATE TEMP TABLE {STAGE} (seq int, f int, sheet text, line int, col text,"
            " indicator_id text, ags text, year int, value float8, numerator float8,"
            " denominator float8) ON COMMIT DROP"
        )
    )


def _stage_table(cur: Any, t: Table, fi: int, check: ValueChecker, v: Validated) -> None:
    """Check one table row by row; clean rows go to the staging table by COPY (streamed)."""
    v.add(shape_problems(t))
    if len(t.header) == 1:  # wrong delimiter: every row would only repeat that
        return
    long_header = t.header if is_long(t.header) else list(VALUE_COLUMNS)
    missing = [c for c in VALUE_COLUMNS if c not in long_header]
    v.add(Problem(t.file, 1, c, "Pflichtspalte fehlt", t.sheet) for c in missing)
    check = check.use(Table(t.file, long_header, [], t.sheet, t.decimal))
    with cur.copy(f"COPY {STAGE} ({_STAGE_COLUMNS}) FROM STDIN") as cp:
        try:
            for n, r in t.rows:
                if "__width__" in r:
                    v.add(
                        [
                            Problem(
                                t.file,
                                n,
                                None,
                                f"{r['__width__']} statt {len(t.header)} Felder",
                                t.sheet,
                            )
                        ]
                    )
                    continue
                v.add(row_formula_problems(t, n, r))
                if missing:
                    continue
                for lr in long_rows(t.header, r):
                    row, found = check(n, lr)
                    if found or row is None:
                        v.add(found)
                        continue
                    v.count += 1
                    cp.write_row(
                        (
                            v.count,
                            fi,
                            t.sheet,
                            n,
                            lr.get("__year_column__", "year"),
                            row["indicator_id"],
                            row["ags"],
                            row["year"],
                            row["value"],
                            row["numerator"],
                            row["denominator"],
                        )
                    )
        except LoadError as err:  # unreadable further on (CSV quote left open, broken XML)
            v.add(err.problems)


def _duplicate_problems(conn: Connection, v: Validated) -> None:
    """The same (indicator, AGS, year) twice, in one table or across files and sheets.

    A unique index finds out whether there are any (and serves the year checks after);
    only then are they listed.
    """
    try:
        with conn.begin_nested():
            conn.execute(
                text(f"CREATE UNIQUE INDEX {STAGE}_key ON {STAGE} (indicator_id, ags, year)")
            )
            return
    except IntegrityError:
        pass
    conn.execute(text(f"CREATE INDEX {STAGE}_key ON {STAGE} (indicator_id, ags, year)"))
    dups = conn.execute(
        text(
            "SELECT s.f, s.sheet, s.line, s.indicator_id, s.ags, s.year,"
            " o.f AS of, o.sheet AS osheet, o.line AS oline"
            f" FROM (SELECT seq, f, sheet, line, indicator_id, ags, year, min(seq) OVER"
            f" (PARTITION BY indicator_id, ags, year) AS first FROM {STAGE}) s"
            f" JOIN {STAGE} o ON o.seq = s.first WHERE s.seq <> s.first ORDER BY s.seq LIMIT :n"
        ),
        {"n": MAX_PROBLEMS + 1},
    ).all()
    for d in dups:
        key = f"{d.indicator_id}/{d.ags}/{d.year}"
        if (d.f, d.sheet) == (d.of, d.osheet):
            msg, expected = f"doppelt: {key} schon in Zeile {d.oline}", None
        else:
            msg = (
                f"doppelt: {key} auch in {v.files[d.of]}"
                + (f", Blatt {d.osheet}" if d.osheet else "")
                + f", Zeile {d.oline}"
            )
            expected = "jeder Wert nur einmal"
        v.add([Problem(v.files[d.f], d.line, "indicator", msg, d.sheet, expected)])


def _year_problems(conn: Connection, v: Validated, first: dict[str, int]) -> None:
    """Years before an indicator's first year, and gaps in a series (releases are complete);
    set-based on the staging table (its key index exists: _duplicate_problems)."""
    groups = (
        "WITH g AS (SELECT indicator_id, ags, min(year) AS mn, max(year) AS mx, count(*) AS n"
        f" FROM {STAGE} GROUP BY indicator_id, ags)"
    )
    loc = "s.f, s.sheet, s.line, s.col"
    found: list[tuple[Any, ...]] = []
    for r in conn.execute(
        text(
            f"{groups} SELECT g.indicator_id, g.ags, g.mn, fy.y::int AS fy, {loc} FROM g"
            " JOIN jsonb_each_text(CAST(:first AS jsonb)) AS fy(id, y) ON fy.id = g.indicator_id"
            f" CROSS JOIN LATERAL (SELECT * FROM {STAGE} s WHERE s.indicator_id = g.indicator_id"
            " AND s.ags = g.ags AND s.year = g.mn LIMIT 1) s"
            " WHERE g.mn < fy.y::int ORDER BY g.indicator_id, g.ags LIMIT :n"
        ),
        {"first": json.dumps(first), "n": MAX_PROBLEMS},
    ):
        msg = f"Jahr {r.mn} liegt vor dem ersten Jahr des Indikators {r.indicator_id} ({r.fy})"
        found.append(
            (
                (r.indicator_id, r.ags, 0),
                Problem(v.files[r.f], r.line, r.col, msg, r.sheet, f"ab {r.fy}"),
            )
        )
    for r in conn.execute(
        text(
            f"{groups} SELECT g.indicator_id, g.ags, m.missing, {loc} FROM g"
            " CROSS JOIN LATERAL (SELECT array_agg(y ORDER BY y) AS missing"
            " FROM generate_series(g.mn, g.mx) AS y WHERE NOT EXISTS (SELECT 1"
            f" FROM {STAGE} x WHERE x.indicator_id = g.indicator_id AND x.ags = g.ags"
            " AND x.year = y)) m"
            f" CROSS JOIN LATERAL (SELECT * FROM {STAGE} s WHERE s.indicator_id = g.indicator_id"
            " AND s.ags = g.ags AND s.year > m.missing[1] ORDER BY s.year LIMIT 1) s"
            " WHERE g.n < g.mx - g.mn + 1 ORDER BY g.indicator_id, g.ags LIMIT :n"
        ),
        {"n": MAX_PROBLEMS},
    ):
        msg = f"Jahreslücke bei {r.indicator_id}/{r.ags}: {', '.join(map(str, r.missing))} fehlt"
        expected = "lückenlose Jahre (ein vollständiger Datenstand)"
        found.append(
            (
                (r.indicator_id, r.ags, 1),
                Problem(v.files[r.f], r.line, r.col, msg, r.sheet, expected),
            )
        )
    v.add(p for _, p in sorted(found, key=lambda x: x[0]))
    for r in conn.execute(
        text(
            f"WITH y AS (SELECT DISTINCT indicator_id, year FROM {STAGE}),"
            " gi AS (SELECT indicator_id, min(year) AS mn, max(year) AS mx, count(*) AS n"
            " FROM y GROUP BY indicator_id)"
            f" SELECT gi.indicator_id, m.missing, {loc} FROM gi"
            " CROSS JOIN LATERAL (SELECT array_agg(yy ORDER BY yy) AS missing"
            " FROM generate_series(gi.mn, gi.mx) AS yy WHERE NOT EXISTS (SELECT 1 FROM y"
            " WHERE y.indicator_id = gi.indicator_id AND y.year = yy)) m"
            f" CROSS JOIN LATERAL (SELECT * FROM {STAGE} s WHERE s.indicator_id = gi.indicator_id"
            " AND s.year = gi.mn ORDER BY s.seq LIMIT 1) s"
            " WHERE gi.n < gi.mx - gi.mn + 1 ORDER BY gi.indicator_id LIMIT :n"
        ),
        {"n": MAX_PROBLEMS},
    ):
        msg = f"Jahreslücke bei {r.indicator_id}: kein Wert für {', '.join(map(str, r.missing))}"
        v.add([Problem(v.files[r.f], r.line, r.col, msg, r.sheet, "lückenlose Jahre")])


def _read(path: Path, max_bytes: int, v: Validated) -> list[Table]:
    """A catalogue file (small): every table with its rows in lists."""
    v.files.append(str(path))
    if found := size_problems(path, max_bytes):
        v.add(found)
        return []
    try:
        tables = [normalise(t) for t in read_tables(path)]
    except LoadError as err:
        v.add(err.problems)
        return []
    for t in tables:
        t.rows = list(t.rows)
        v.add(formula_problems(t))
    return tables


def validate_release(
    conn: Connection, paths: list[Path], catalogue: Path | None = None, max_bytes: int = MAX_BYTES
) -> Validated:
    """Read and check every file; all problems are collected (the first MAX_PROBLEMS kept).

    The files are streamed row by row: clean rows go by COPY into a temporary staging table
    of the caller's transaction (nothing else is written), so memory does not grow with the
    file; duplicates and year gaps are then found set-based in the database.
    """
    v = Validated()
    extra_units: dict[str, str] = {}
    first: dict[str, int] = {
        i: y for i, y in conn.execute(text("SELECT id, first_year FROM indicator"))
    }
    if catalogue is not None:
        for t in _read(catalogue, max_bytes, v):
            rows, found = validate_catalogue(conn, t)
            v.add(found)
            v.catalogue.extend(rows)
            # From the raw rows: a faulty catalogue must not turn every value into a second error.
            extra_units |= {r["id"]: r.get("unit", "") for _, r in t.rows if r.get("id")}
            first |= {
                r["id"]: r["first_year"] for r in rows if isinstance(r.get("first_year"), int)
            }
    _create_stage(conn)
    check = ValueChecker(conn, Table("", list(VALUE_COLUMNS), []), extra_units)
    raw: Any = conn.connection.dbapi_connection  # psycopg's own connection: COPY
    with raw.cursor() as cur:
        for path in paths:
            fi = len(v.files)
            v.files.append(str(path))
            if found := size_problems(path, max_bytes):
                v.add(found)
                continue
            try:
                for t in stream_tables(path):
                    _stage_table(cur, normalise(t), fi, check, v)
            except LoadError as err:
                v.add(err.problems)
    if v.count:
        conn.execute(text(f"ANALYZE {STAGE}"))
        _duplicate_problems(conn, v)
        if not v.problems:
            _year_problems(conn, v, first)
    if not v.problems and not v.count:
        v.add(
            [
                Problem(
                    v.files[0] if v.files else "",
                    None,
                    None,
                    "keine Werte in der Datei",
                    expected="mindestens eine Zeile mit einem Wert",
                )
            ]
        )
    if v.more:
        v.problems.append(
            Problem(
                v.more_file,
                None,
                None,
                f"… und {v.more} weitere Probleme (nicht einzeln aufgeführt)",
                expected="die aufgeführten beheben und erneut prüfen",
            )
        )
    v.problems = [with_expected(p) for p in v.problems]
    return v


def import_release(
    conn: Connection,
    paths: list[Path],
    label: str,
    *,
    catalogue: Path | None = None,
    note: str = "",
    synthetic: bool = False,
    created_by: str | None = None,
    max_bytes: int = MAX_BYTES,
    progress: Progress = no_progress,
) -> tuple[int, Validated]:
    """Validate, then write the release as a DRAFT in the caller's one transaction.

    Nothing is written unless every file is clean, so a refused import leaves every table (and
    every sequence) as it was. Catalogue changes wait in release.catalogue until publish; only
    indicators new to the catalogue are inserted now, because the draft's values refer to them.
    """
    problem = label_problem(label)  # before the files are read: a bad label costs nothing
    if problem is not None:
        raise LoadError([Problem("label", None, None, str(problem), expected=LABEL_EXPECTED)])
    if conn.scalar(text("SELECT 1 FROM release WHERE label = :l"), {"l": label}):
        raise LoadError(
            [
                Problem(
                    label,
                    None,
                    None,
                    f"Release {label!r} existiert bereits",
                    expected="ein neues Label",
                )
            ]
        )
    v = validate_release(conn, paths, catalogue, max_bytes)
    if v.problems:
        raise LoadError(v.problems)
    known = set(conn.scalars(text("SELECT id FROM indicator")))
    new = [r for r in v.catalogue if r["id"] not in known]
    if new:
        upsert_indicators(conn, new, partial=True)
    release_id, _n = write_draft(
        conn,
        Draft(
            label,
            origin=", ".join(v.files),
            note=note,
            synthetic=synthetic,
            policy=Policy.OFFICE,
            created_by=created_by,
            catalogue=v.catalogue or None,
        ),
        Staged(STAGE, v.count, progress),
    )
    # Statistics and the draft page's change summary, once, now (issue #26).
    draft_written(conn, release_id)
    return release_id, v


def renamed(problems: Iterable[Problem], names: dict[str, str]) -> list[Problem]:
    """Problems naming files as the editor knows them (stored path → uploaded name), in the
    file column and in messages that name another file (duplicates across files)."""
    out = []
    for p in problems:
        msg = p.message
        for path, name in names.items():
            msg = msg.replace(path, name)
        out.append(dataclasses.replace(p, file=names.get(p.file, p.file), message=msg))
    return out


REPORT_FIELDS = ("file", "sheet", "row", "column", "message", "expected")


def report_csv(problems: Iterable[Problem]) -> str:
    """The validation report as CSV text (';', as German Excel opens it)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(REPORT_FIELDS)
    for p in problems:
        d = p.as_dict()
        w.writerow([defuse("" if d[k] is None else d[k]) for k in REPORT_FIELDS])
    return buf.getvalue()


def write_report(problems: list[Problem], path: Path, files: list[str] | None = None) -> None:
    """Write the report as .json (with a summary) or otherwise as CSV."""
    if path.suffix.lower() == ".json":
        doc = {
            "ok": not problems,
            "files": files or [],
            "count": len(problems),
            "problems": [p.as_dict() for p in problems],
        }
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        path.write_text(report_csv(problems), encoding="utf-8-sig")
