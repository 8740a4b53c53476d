"""Import a release from the office's files (long or wide form, CSV or XLSX) as a draft."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, text

from geodata.report import LoadError, Problem
from indicators.labels import LABEL_EXPECTED, label_problem
from indicators.loaders import (
    OPTIONAL_VALUE_COLUMNS,
    VALUE_COLUMNS,
    Progress,
    _no_progress,
    create_release,
    insert_values,
    upsert_indicators,
    validate_catalogue,
    validate_values,
)
from indicators.releases import draft_written
from indicators.tables import (
    NumberError,
    Table,
    parse_number,
    read_csv,
    read_xlsx,
    xlsx_archive_problems,
)
from indicators.text import FORMULA_START, defuse
from indicators.units import UNITS

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


@dataclass
class Validated:
    """Everything read from a release's files: clean rows, catalogue rows and all problems."""

    rows: list[dict] = field(default_factory=list)
    catalogue: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


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
    col = "value" if p.column and YEAR_COLUMN.match(p.column) else p.column
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
    """Every sheet of an XLSX (empty ones skipped) or the one table of a CSV."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return [read_csv(path)]
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
    tables, problems = [], []
    for name in names:
        try:
            tables.append(read_xlsx(path, name))
        except LoadError as err:
            problems.extend(err.problems)
    if not tables:
        raise LoadError(problems or [Problem(str(path), None, None, "keine Tabellenblätter")])
    return tables


def normalise(table: Table) -> Table:
    """Header in lower case with German aliases mapped; rows keyed the same way."""
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in table.header]
    if header == table.header:
        return table
    mapping = dict(zip(table.header, header, strict=True))
    rows = [(n, {mapping.get(k, k): v for k, v in r.items()}) for n, r in table.rows]
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
    out = []
    for n, r in table.rows:
        for col, cell in r.items():
            if not col.startswith("__") and cell and cell.startswith(FORMULA_START):
                try:
                    parse_number(cell)  # "-3,5" is a number, not a formula
                except NumberError:
                    pass  # number-like ("-1,234"): validate_values says what is wrong with it
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


def to_long(table: Table) -> Table:
    """Wide form (one column per year) unpivoted to long rows; long form unchanged."""
    if is_long(table.header):
        return table
    years = [c for c in table.header if YEAR_COLUMN.match(c)]
    rows = []
    for n, r in table.rows:
        if "__width__" in r:
            rows.append((n, r))
            continue
        for y in years:
            if r.get(y, "") != "":  # an empty cell is a missing value, not a zero
                rows.append(
                    (
                        n,
                        {
                            "ags": r.get("ags", ""),
                            "indicator": r.get("indicator", ""),
                            "year": y,
                            "value": r[y],
                            "__value_column__": y,
                            "__year_column__": y,
                        },
                    )
                )
    return Table(table.file, list(VALUE_COLUMNS), rows, table.sheet, table.decimal)


def year_problems(
    rows: list[dict], where: dict[tuple, Problem], first: dict[str, int]
) -> list[Problem]:
    """Years before an indicator's first year, and gaps in a series (releases are complete)."""
    out = []
    by_ind: dict[str, set[int]] = defaultdict(set)
    by_area: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in rows:
        by_ind[r["indicator_id"]].add(r["year"])
        by_area[r["indicator_id"], r["ags"]].add(r["year"])

    def at(key: tuple, msg: str, expected: str) -> Problem:
        p = where[key]
        return Problem(p.file, p.row, p.column, msg, p.sheet, expected)

    for (ind, ags), years in sorted(by_area.items()):
        if ind in first and min(years) < first[ind]:
            out.append(
                at(
                    (ind, ags, min(years)),
                    f"Jahr {min(years)} liegt vor dem ersten Jahr"
                    f" des Indikators {ind} ({first[ind]})",
                    f"ab {first[ind]}",
                )
            )
        missing = sorted(set(range(min(years), max(years) + 1)) - years)
        if missing:
            after = min(y for y in years if y > missing[0])
            out.append(
                at(
                    (ind, ags, after),
                    f"Jahreslücke bei {ind}/{ags}: {', '.join(map(str, missing))} fehlt",
                    "lückenlose Jahre (ein vollständiger Datenstand)",
                )
            )
    for ind, years in sorted(by_ind.items()):
        missing = sorted(set(range(min(years), max(years) + 1)) - years)
        if missing:
            key = next(k for k in where if k[0] == ind and k[2] == min(years))
            out.append(
                at(
                    key,
                    f"Jahreslücke bei {ind}: kein Wert für {', '.join(map(str, missing))}",
                    "lückenlose Jahre",
                )
            )
    return out


def _year_key(raw: str | None) -> int | str | None:
    """The year as validate_values parses it ("02023" and "2023" are the same year)."""
    try:
        return int(raw or "")
    except ValueError:
        return raw


def _read(path: Path, max_bytes: int, v: Validated) -> list[Table]:
    v.files.append(str(path))
    if found := size_problems(path, max_bytes):
        v.problems.extend(found)
        return []
    try:
        tables = [normalise(t) for t in read_tables(path)]
    except LoadError as err:
        v.problems.extend(err.problems)
        return []
    for t in tables:
        v.problems.extend(formula_problems(t))
    return tables


def validate_release(
    conn: Connection, paths: list[Path], catalogue: Path | None = None, max_bytes: int = MAX_BYTES
) -> Validated:
    """Read and check every file (nothing is written); all problems are collected."""
    v = Validated()
    extra_units: dict[str, str] = {}
    first = dict(conn.execute(text("SELECT id, first_year FROM indicator")).all())
    if catalogue is not None:
        for t in _read(catalogue, max_bytes, v):
            rows, found = validate_catalogue(conn, t)
            v.problems.extend(found)
            for n, r in t.rows:
                if r.get("unit") and r["unit"] not in UNITS:
                    v.problems.append(
                        Problem(
                            t.file,
                            n,
                            "unit",
                            f"unbekannte Einheit {r['unit']!r}",
                            t.sheet,
                            ", ".join(UNITS),
                        )
                    )
            v.catalogue.extend(rows)
            # From the raw rows: a faulty catalogue must not turn every value into a second error.
            extra_units |= {r["id"]: r.get("unit", "") for _, r in t.rows if r.get("id")}
            first |= {
                r["id"]: r["first_year"] for r in rows if isinstance(r.get("first_year"), int)
            }
    seen: dict[tuple, Problem] = {}
    for path in paths:
        for t in _read(path, max_bytes, v):
            v.problems.extend(shape_problems(t))
            if len(t.header) == 1:  # wrong delimiter: every row would only repeat that
                continue
            long = to_long(t)
            where = {}
            for n, r in long.rows:
                col = r.get("__year_column__", "year")
                where[(r.get("indicator"), r.get("ags"), _year_key(r.get("year")))] = Problem(
                    long.file, n, col, "", long.sheet
                )
            clean, found = validate_values(conn, long, extra_units)
            v.problems.extend(found)
            for r in clean:
                key = (r["indicator_id"], r["ags"], r["year"])
                here = where[(r["indicator_id"], r["ags"], r["year"])]
                if key in seen:  # the same value in two files or sheets of one release
                    other = seen[key]
                    v.problems.append(
                        Problem(
                            here.file,
                            here.row,
                            "indicator",
                            f"doppelt: {'/'.join(map(str, key))} auch in {other.file}"
                            + (f", Blatt {other.sheet}" if other.sheet else "")
                            + f", Zeile {other.row}",
                            here.sheet,
                            "jeder Wert nur einmal",
                        )
                    )
                    continue
                seen[key] = here
                v.rows.append(r)
    if not v.problems:
        v.problems.extend(year_problems(v.rows, seen, first))
    if not v.problems and not v.rows:
        v.problems.append(
            Problem(
                v.files[0] if v.files else "",
                None,
                None,
                "keine Werte in der Datei",
                expected="mindestens eine Zeile mit einem Wert",
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
    progress: Progress = _no_progress,
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
    release_id = create_release(conn, label, synthetic=synthetic, note=note)
    conn.execute(
        text("UPDATE release SET created_by = :by, catalogue = CAST(:cat AS jsonb) WHERE id = :id"),
        {
            "by": created_by,
            "cat": json.dumps(v.catalogue) if v.catalogue else None,
            "id": release_id,
        },
    )
    insert_values(conn, release_id, v.rows, progress)
    # Statistics and the draft page's change summary, once, now (issue #26).
    draft_written(conn, release_id)
    return release_id, v


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
