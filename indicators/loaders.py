"""Load the indicator catalogue and releases (long form) with a report of every problem."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from geodata.report import LoadError, Problem
from indicators.catalogue import (
    CATALOGUE_COLUMNS,
    INTEGER_COLUMNS,
    REQUIRED_TEXT_COLUMNS,
    table_column,
)
from indicators.labels import LABEL_EXPECTED, label_problem
from indicators.tables import NumberError, Table, parse_number, read_table
from indicators.units import COUNT_UNITS
from indicators.validate import YEAR_MAX, YEAR_MIN, Policy, catalogue_problems, value_problems

TOPIC_COLUMNS = ("id", "name_de", "name_en", "sort")
VALUE_COLUMNS = ("ags", "indicator", "year", "value")
OPTIONAL_VALUE_COLUMNS = ("numerator", "denominator")
__all__ = ["YEAR_MAX", "YEAR_MIN"]  # the row validator's bounds, read here by the loaders

Progress = Callable[[Iterable[Any]], Iterable[Any]]


def no_progress(items: Iterable[Any]) -> Iterable[Any]:
    return items


def _missing_columns(table: Table, required: Iterable[str]) -> list[Problem]:
    missing = [c for c in required if c not in table.header]
    return [Problem(table.file, 1, c, "Pflichtspalte fehlt", table.sheet) for c in missing]


def _width_problems(table: Table) -> list[Problem]:
    return [
        Problem(table.file, n, None, f"{r['__width__']} statt {len(table.header)} Felder")
        for n, r in table.rows
        if "__width__" in r
    ]


def load_topics(conn: Connection, path: Path) -> int:
    """Upsert topics from a CSV (id, name_de, name_en, sort); caller commits."""
    table = read_table(path)
    problems = _missing_columns(table, TOPIC_COLUMNS) or _width_problems(table)
    if problems:
        raise LoadError(problems)
    rows = []
    for n, r in table.rows:
        if not r["id"]:
            problems.append(Problem(table.file, n, "id", "leer"))
        try:
            sort = int(r["sort"] or 0)
        except ValueError:
            problems.append(Problem(table.file, n, "sort", f"keine ganze Zahl: {r['sort']!r}"))
            continue
        rows.append({**{k: r[k] for k in TOPIC_COLUMNS[:3]}, "sort": sort})
    if problems:
        raise LoadError(problems)
    conn.execute(
        text(
            "INSERT INTO topic (id, name_de, name_en, sort) VALUES (:id, :name_de, :name_en, :sort)"
            " ON CONFLICT (id) DO UPDATE SET name_de = EXCLUDED.name_de,"
            " name_en = EXCLUDED.name_en, sort = EXCLUDED.sort"
        ),
        rows,
    )
    return len(rows)


def load_catalogue(conn: Connection, path: Path) -> int:
    """Validate and upsert indicators; every problem is reported at once; caller commits."""
    rows, problems = validate_catalogue(conn, read_table(path))
    if problems:
        raise LoadError(problems)
    return upsert_indicators(conn, rows)


def validate_catalogue(
    conn: Connection, table: Table
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Check catalogue rows (columns, topics, polarity, numbers); return rows and all problems."""
    problems = _missing_columns(table, CATALOGUE_COLUMNS) or _width_problems(table)
    if problems:
        return [], problems
    topics = set(conn.scalars(text("SELECT id FROM topic")))
    seen: dict[str, int] = {}
    rows = []
    for sort, (n, r) in enumerate(table.rows):

        def bad(col: str, msg: str, n: int = n) -> None:
            problems.append(Problem(table.file, n, col, msg, table.sheet))

        if not r["id"]:
            bad("id", "leer")
        elif r["id"] in seen:
            bad("id", f"doppelt (schon in Zeile {seen[r['id']]})")
        seen.setdefault(r["id"], n)
        if r["topic"] not in topics:
            bad("topic", f"unbekanntes Thema {r['topic']!r}")
        # Unit, polarity, decimals: the one catalogue validator (INKAR's mapping, the demo's
        # parameters and the data directory's catalogue files go through it too).
        problems.extend(catalogue_problems(table.file, n, r, table.sheet))
        for col in REQUIRED_TEXT_COLUMNS:
            if not r[col]:
                bad(col, "leer")
        ints = {}
        for col in INTEGER_COLUMNS:
            try:
                ints[col] = int(r[col])
            except ValueError:
                if col != "decimals":  # reported by catalogue_problems
                    bad(col, f"keine ganze Zahl: {r[col]!r}")
        if "first_year" in ints and not YEAR_MIN <= ints["first_year"] <= YEAR_MAX:
            bad("first_year", f"{ints['first_year']} liegt nicht in {YEAR_MIN}–{YEAR_MAX}")
        rows.append({**{c: r[c] for c in CATALOGUE_COLUMNS}, **ints, "sort": sort})
    return rows, problems


_TABLE_COLUMNS = [table_column(c) for c in CATALOGUE_COLUMNS]
_UPSERT = (
    f"INSERT INTO indicator ({', '.join(_TABLE_COLUMNS)}, sort)"
    f" VALUES ({', '.join(':' + c for c in CATALOGUE_COLUMNS)}, :sort)"
    " ON CONFLICT (id) DO UPDATE SET"
    f" {', '.join(f'{c} = EXCLUDED.{c}' for c in _TABLE_COLUMNS if c != 'id')},"
    " sort = CASE WHEN :partial THEN indicator.sort ELSE EXCLUDED.sort END"
)


def upsert_indicators(conn: Connection, rows: list[dict[str, Any]], partial: bool = False) -> int:
    """Insert or update indicators; partial (a release's few new/changed ones) keeps the order."""
    if partial:  # existing indicators keep their place, new ones go to the end
        start = conn.scalar(text("SELECT coalesce(max(sort), -1) + 1 FROM indicator"))
        rows = [{**r, "sort": start + i} for i, r in enumerate(rows)]
    conn.execute(text(_UPSERT), [{**r, "partial": partial} for r in rows])
    return len(rows)


def validate_values(
    conn: Connection, table: Table, extra_units: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Check long-form rows against areas and catalogue; return clean rows and all problems.

    extra_units: indicators (id → unit) of a catalogue that comes with the release.
    """
    problems = _missing_columns(table, VALUE_COLUMNS) or _width_problems(table)
    if problems:
        return [], problems
    check = ValueChecker(conn, table, extra_units)
    seen: dict[tuple[Any, ...], int] = {}
    clean: list[dict[str, Any]] = []
    for n, r in table.rows:
        row, found = check(n, r)
        key = (r["indicator"], r["ags"], row["year"] if row else _int_or_none(r["year"]))
        if key in seen:
            found.append(
                check.problem(
                    n,
                    r,
                    "indicator",
                    f"doppelt: {'/'.join(map(str, key))} schon in Zeile {seen[key]}",
                )
            )
        else:
            seen[key] = n
        problems.extend(found)
        if not found and row is not None:
            clean.append(row)
    return clean, problems


def _int_or_none(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None


class ValueChecker:
    """Checks one long-form row at a time (constant memory: the importer streams big files).

    Duplicates across rows are not its business (the importer finds them set-based).
    """

    def __init__(
        self, conn: Connection, table: Table, extra_units: dict[str, str] | None = None
    ) -> None:
        self.table = table
        self.areas = set(conn.scalars(text("SELECT ags FROM area")))
        self.units = dict(conn.execute(text("SELECT id, unit FROM indicator")).all())
        self.units.update(extra_units or {})
        self.has_nd = [c for c in OPTIONAL_VALUE_COLUMNS if c in table.header]

    def use(self, table: Table) -> ValueChecker:
        """The same checker (areas, units) for another table's rows."""
        other = copy.copy(self)
        other.table = table
        other.has_nd = [c for c in OPTIONAL_VALUE_COLUMNS if c in table.header]
        return other

    def problem(self, n: int, r: dict[str, Any], col: str, msg: str) -> Problem:
        # Rows unpivoted from wide form name their source column (e.g. "2019").
        t = self.table
        return Problem(t.file, n, r.get(f"__{col}_column__", col), msg, t.sheet)

    def __call__(self, n: int, r: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
        """The clean row (indicator_id, ags, year, value, numerator, denominator) or problems."""
        row_problems: list[Problem] = []
        units, table = self.units, self.table

        def bad(col: str, msg: str) -> None:
            row_problems.append(self.problem(n, r, col, msg))

        ags, ind = r["ags"], r["indicator"]
        if ags not in self.areas:
            bad("ags", f"AGS {ags!r} ist in den Gebietsgrenzen nicht vorhanden")
        if ind not in units:
            bad("indicator", f"unbekannter Indikator {ind!r}")
        try:
            year = int(r["year"])
            if not YEAR_MIN <= year <= YEAR_MAX:
                bad("year", f"Jahr {year} liegt nicht in {YEAR_MIN}–{YEAR_MAX}")
        except ValueError:
            year = None
            bad("year", f"kein Jahr: {r['year']!r}")
        nums: dict[str, float | None] = {}
        for col in ("value", *self.has_nd):
            raw = r.get(col, "")
            if raw == "" and col != "value":
                nums[col] = None
                continue
            try:
                number = parse_number(raw, table.decimal)
            except NumberError as exc:
                bad(col, str(exc))
                continue
            except ValueError:
                bad(col, f"keine Zahl: {raw!r}")
                continue
            nums[col] = number
            # Counts of people or things are whole numbers (1,5 Personen is a typo or a rate).
            whole = col != "value" or units.get(ind) in COUNT_UNITS
            if whole and not number.is_integer():
                what = (
                    "Zähler und Nenner sind Anzahlen" if col != "value" else f"Einheit {units[ind]}"
                )
                bad(col, f"keine ganze Zahl: {raw!r} ({what})")
        v = nums.get("value")
        num, den = nums.get("numerator"), nums.get("denominator")
        for col, msg in value_problems(units.get(ind), v, num, den, Policy.OFFICE):
            bad(col, msg)
        if row_problems:
            return None, row_problems
        row = {
            "indicator_id": ind,
            "ags": ags,
            "year": year,
            "value": v,
            "numerator": num,
            "denominator": den,
        }
        return row, row_problems


def create_release(
    conn: Connection,
    label: str,
    *,
    synthetic: bool = False,
    note: str = "",
) -> int:
    """Insert a release row as a draft and return its id.

    Every release goes live only through indicators.releases.publish() (one path, with
    small-number protection and the catalogue changes), never by being created published.
    """
    problem = label_problem(label)  # every path that creates a release passes here
    if problem is not None:
        raise LoadError([Problem("label", None, None, str(problem), expected=LABEL_EXPECTED)])
    if conn.scalar(text("SELECT 1 FROM release WHERE label = :l"), {"l": label}):
        raise LoadError([Problem(label, None, None, f"Release {label!r} existiert bereits")])
    return int(
        conn.execute(
            text(
                "INSERT INTO release (label, status, published_at, note, synthetic)"
                " VALUES (:label, :status, :published_at, :note, :synthetic) RETURNING id"
            ),
            {
                "label": label,
                "status": "draft",
                "published_at": None,
                "note": note,
                "synthetic": synthetic,
            },
        ).scalar_one()
    )


@dataclass(frozen=True)
class SourceNote:
    """Where a release's values of one indicator come from (a row of release_source)."""

    indicator_id: str
    tables: str  # table codes or file and column, e.g. "12411-01-01-5-B"
    source: str  # the attribution as the licence asks for it
    note: str = ""  # the source's own notes (footer, footnotes, remarks)


def write_sources(conn: Connection, release_id: int, notes: Iterable[SourceNote]) -> None:
    """Record where the release's values of each indicator come from (one writer for all
    loaders: GENESIS, Zensus, INKAR, Gemeindeverzeichnis)."""
    rows = [
        {"r": release_id, "i": n.indicator_id, "t": n.tables, "s": n.source, "n": n.note}
        for n in notes
    ]
    if rows:
        conn.execute(
            text(
                "INSERT INTO release_source (release_id, indicator_id, tables, source, note)"
                " VALUES (:r, :i, :t, :s, :n)"
            ),
            rows,
        )


BREAK_COLUMNS = ("indicator_id", "year", "reason_de", "reason_en")


def load_series_breaks(conn: Connection, path: Path) -> int:
    """Replace the series breaks by the file's (upsert, rows no longer in it removed); caller
    commits. Every problem (unknown indicator, year, empty reason, duplicate) at once."""
    table = read_table(path)
    problems = _missing_columns(table, BREAK_COLUMNS) or _width_problems(table)
    if problems:
        raise LoadError(problems)
    indicators = set(conn.scalars(text("SELECT id FROM indicator")))
    seen: dict[tuple[str, int], int] = {}
    rows = []
    for n, r in table.rows:

        def bad(col: str, msg: str, n: int = n) -> None:
            problems.append(Problem(table.file, n, col, msg, table.sheet))

        if r["indicator_id"] not in indicators:
            bad("indicator_id", f"unbekannter Indikator {r['indicator_id']!r}")
        if not r["reason_de"]:
            bad("reason_de", "leer")
        try:
            year = int(r["year"])
        except ValueError:
            bad("year", f"kein Jahr: {r['year']!r}")
            continue
        if not YEAR_MIN <= year <= YEAR_MAX:
            bad("year", f"Jahr {year} liegt nicht in {YEAR_MIN}–{YEAR_MAX}")
        key = (r["indicator_id"], year)
        if key in seen:
            bad("year", f"doppelt (schon in Zeile {seen[key]})")
        seen.setdefault(key, n)
        rows.append({**{c: r[c] for c in BREAK_COLUMNS}, "year": year})
    if problems:
        raise LoadError(problems)
    from indicators.breaks import series_breaks
    from indicators.precomputed import refresh_trends

    before = series_breaks(conn)
    # Remove what the file no longer has, then upsert: the table is exactly the file.
    conn.execute(
        text(
            "DELETE FROM series_break s WHERE NOT EXISTS (SELECT 1 FROM"
            " jsonb_to_recordset(CAST(:rows AS jsonb)) AS f(indicator_id text, year int)"
            " WHERE f.indicator_id = s.indicator_id AND f.year = s.year)"
        ),
        {
            "rows": json.dumps(
                [{"indicator_id": r["indicator_id"], "year": r["year"]} for r in rows]
            )
        },
    )
    if rows:
        conn.execute(
            text(
                "INSERT INTO series_break (indicator_id, year, reason_de, reason_en)"
                " VALUES (:indicator_id, :year, :reason_de, :reason_en)"
                " ON CONFLICT (indicator_id, year) DO UPDATE SET reason_de = EXCLUDED.reason_de,"
                " reason_en = EXCLUDED.reason_en"
            ),
            rows,
        )
    # The kept trends count the years since the newest break: those of the indicators whose
    # breaks changed are computed again (issue #32), in the caller's transaction.
    after = series_breaks(conn)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if changed:
        refresh_trends(conn, changed)
    return len(rows)
