"""Import GENESIS tables (Regionaldatenbank) as a real release, through the mapping file.

`indicators/data/genesis_mapping.csv` says per indicator which table columns make its
numerator (terms joined by " + ", optionally minus other terms) and denominator, the factor
(100 for %, 1000 for ‰), the year offset of the denominator and, for long tables with a fourth
label column, which rows count. `indicators/data/genesis_tables.csv` lists every column path
each known table has: a header that differs from it (a changed header, a column path that is
not in the mapping) is refused.

Sums are built from the data rows by key, so the value of a Kreis, a Land or the Bund is
Σ numerator / Σ denominator over its Gemeinden (or Kreise) — including the rows of Gemeinden
that have merged since, so that totals are whole — never an average of rates.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, text

from geodata.levels import BUND_AGS
from geodata.report import LoadError, Problem
from indicators.bulk import copy_values
from indicators.genesis import GenesisTable, parse_genesis
from indicators.loaders import create_release

DATA = Path(__file__).parent / "data"
MAPPING = DATA / "genesis_mapping.csv"
TABLES = DATA / "genesis_tables.csv"
KINDS = ("count", "ratio", "mean", "balance")
SOURCE = "Statistische Ämter des Bundes und der Länder, Regionaldatenbank Deutschland"
LICENCE = "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)"
# A flag of a part decides the flag of the result: secret wins over "no value" reasons.
FLAG_ORDER = (".", "x", "/", "...")


@dataclass(frozen=True)
class Term:
    """One table column of a mapping line."""

    table: str
    label: str


@dataclass
class MappingLine:
    """How one indicator is computed from table columns."""

    indicator: str
    kind: str
    numerator: list[Term]
    minus: list[Term]
    denominator: list[Term]
    factor: float
    offset: int
    row_filter: str | None
    line: int

    def tables(self) -> list[str]:
        """Every table this line reads, in order of first use."""
        out: list[str] = []
        for t in (*self.numerator, *self.minus, *self.denominator):
            if t.table not in out:
                out.append(t.table)
        return out


@dataclass
class GenesisReport:
    """What an import did and what it left out (every key is listed, nothing is silent)."""

    release_id: int | None = None
    values: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    indicators: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str, str, str]] = field(default_factory=list)  # file, key, name, why
    unmatched: list[tuple[str, str, str]] = field(default_factory=list)  # file, ags, name
    outside: int = 0  # Gemeinde keys outside the chosen territory (used for totals only)
    incomplete: int = 0  # totals not stored because a part was secret or missing
    over_100: list[tuple[str, str, int, float]] = field(default_factory=list)  # shares > 100 %


def _terms(raw: str, file: str, line: int, col: str, problems: list[Problem]) -> list[Term]:
    out = []
    for part in (p.strip() for p in raw.split(" + ")) if raw.strip() else []:
        table, sep, label = part.partition(":")
        if not sep or not label:
            problems.append(Problem(file, line, col, f"kein 'Tabelle:Spaltenpfad': {part!r}"))
            continue
        out.append(Term(table.strip(), label.strip()))
    return out


def read_mapping(path: Path = MAPPING) -> list[MappingLine]:
    """The mapping lines, or LoadError naming row and column of every fault."""
    name = str(path)
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";")
    problems: list[Problem] = []
    lines: list[MappingLine] = []
    for n, r in enumerate(reader, start=2):
        if r.get("kind") not in KINDS:
            problems.append(Problem(name, n, "kind", f"{r.get('kind')!r}, erwartet {KINDS}"))
        num = _terms(r.get("numerator") or "", name, n, "numerator", problems)
        minus = _terms(r.get("minus") or "", name, n, "minus", problems)
        den = _terms(r.get("denominator") or "", name, n, "denominator", problems)
        if not num:
            problems.append(Problem(name, n, "numerator", "leer"))
        if r.get("kind") in ("ratio", "mean", "balance") and not den:
            problems.append(Problem(name, n, "denominator", "leer, aber für diese Art nötig"))
        try:
            factor, offset = float(r["factor"]), int(r["denominator_year_offset"] or 0)
        except (TypeError, ValueError):
            problems.append(Problem(name, n, "factor", "keine Zahl"))
            continue
        lines.append(
            MappingLine(
                r["indicator"],
                r["kind"],
                num,
                minus,
                den,
                factor,
                offset,
                r.get("row_filter") or None,
                n,
            )
        )
    if problems:
        raise LoadError(problems)
    return lines


def read_expected(path: Path = TABLES) -> dict[str, list[str]]:
    """Per known table code the column paths its header must have, in file order."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";"):
        out[r["table"]].append(r["label"])
    return dict(out)


def check_header(table: GenesisTable, expected: dict[str, list[str]]) -> list[Problem]:
    """A table's column paths against the known ones: unknown table, new or missing paths."""
    header_row = len(table.title) + 2  # first header row, as a spreadsheet numbers it
    if table.code not in expected:
        return [Problem(table.file, 1, 1, f"Tabelle {table.code} ist nicht im Mapping")]
    known = set(expected[table.code])
    seen = {c.label for c in table.columns}
    problems = [
        Problem(
            table.file,
            header_row,
            c.index + 1,
            f"Spaltenpfad nicht im Mapping: {c.label!r} (Kopf verändert?)",
        )
        for c in table.columns
        if c.label not in known
    ]
    problems += [
        Problem(table.file, header_row, None, f"Kopf verändert: Spalte {label!r} fehlt")
        for label in expected[table.code]
        if label not in seen
    ]
    return problems


# Sums: (table, label, key, year, row) → [sum, flag]; key is an area key at any level.
Sums = dict[tuple[str, str, str, int, str | None], list]


def _targets(ags: str, level: str) -> list[str]:
    """The keys a data row adds to: itself, its Kreis (for Gemeinden), its Land, the Bund."""
    if level == "gemeinde":
        return [ags, ags[:5], ags[:2], BUND_AGS]
    return [ags, ags[:2], BUND_AGS]


def _add(sums: Sums, key: tuple, value: float | None, flag: str | None) -> None:
    entry = sums.setdefault(key, [0.0, None])
    if value is None:
        old = entry[1]
        if old is None or FLAG_ORDER.index(flag) < FLAG_ORDER.index(old):
            entry[1] = flag
    else:
        entry[0] += value


def build_sums(table: GenesisTable, row_filter: str | None) -> Sums:
    """Sum every cell of a table into its own key and every key above it."""
    sums: Sums = {}
    kreis_table = table.level == "kreis"
    for c in table.cells:
        if c.sex not in (None, row_filter or "Insgesamt"):
            continue
        key = (table.code, c.column.label, c.ags, c.year, row_filter)
        _add(sums, key, c.value, c.flag if c.value is None else None)
        # Kreis tables also hold a few Gemeinden (e.g. Hannover): part of their Kreis' row, so
        # they are stored for themselves but never added again to Kreis, Land or Bund.
        if kreis_table and c.level == "gemeinde":
            continue
        for t in _targets(c.ags, c.level)[1:]:
            _add(
                sums,
                (table.code, c.column.label, t, c.year, row_filter),
                c.value,
                c.flag if c.value is None else None,
            )
    return sums


def _mean_sums(mean: GenesisTable, weight: GenesisTable, m: MappingLine) -> Sums:
    """Σ(mean × weight) by key, for weighted means (mean age × population)."""
    wl = m.denominator[0].label
    weights = {
        (c.ags, c.year): c.value
        for c in weight.cells
        if c.column.label == wl and c.sex in (None, "Insgesamt")
    }
    sums: Sums = {}
    label = m.numerator[0].label
    for c in mean.cells:
        if c.column.label != label or c.sex not in (None, "Insgesamt"):
            continue
        w = weights.get((c.ags, c.year))
        if w == 0:  # a Gemeinde without inhabitants (merged away that year) weighs nothing
            continue
        value = None if c.value is None or w is None else c.value * w
        for t in _targets(c.ags, c.level):
            _add(
                sums,
                (mean.code, label, t, c.year, None),
                value,
                c.flag or ("/" if w is None else None),
            )
    return sums


def _combine(sums: Sums, terms: list[Term], key: str, year: int, rf: str | None):
    """Σ of the terms at key and year: (value, flag); (None, None) when a term has no row."""
    total, flag = 0.0, None
    for t in terms:
        entry = sums.get((t.table, t.label, key, year, rf)) or sums.get(
            (t.table, t.label, key, year, None)
        )
        if entry is None:
            return None, None
        total += entry[0]
        if entry[1] is not None and (
            flag is None or FLAG_ORDER.index(entry[1]) < FLAG_ORDER.index(flag)
        ):
            flag = entry[1]
    return total, flag


POPULATION = ("12411-01-01-5-B", "Insgesamt")


def sums_population(sums: Sums) -> dict[tuple[str, int], float]:
    """(key, year) → population on 31.12., where the population table was loaded."""
    return {
        (k[2], k[3]): v[0]
        for k, v in sums.items()
        if (k[0], k[1]) == POPULATION and k[4] is None and v[1] is None
    }


def compute(m: MappingLine, sums: Sums) -> Iterable[dict]:
    """Value rows of one indicator for every key and year its numerator has."""
    first = m.numerator[0]
    keys = {(k[2], k[3]) for k in sums if k[0] == first.table and k[1] == first.label}
    for ags, year in sorted(keys):
        num, nflag = _combine(sums, m.numerator, ags, year, m.row_filter)
        if num is None:
            continue
        if m.minus:
            sub, sflag = _combine(sums, m.minus, ags, year, m.row_filter)
            if sub is None:
                continue
            num, nflag = num - sub, nflag or sflag
        den, dflag = (None, None)
        if m.denominator:
            den, dflag = _combine(sums, m.denominator, ags, year + m.offset, None)
            if den is None:
                continue
            if den == 0 and not (nflag or dflag):
                continue  # a Gemeinde that did not exist that year ('-' everywhere)
        flag = nflag or dflag
        row = {
            "indicator_id": m.indicator,
            "ags": ags,
            "year": year,
            "value": None,
            "numerator": None,
            "denominator": den,
            "suppressed": flag == ".",
            "flag": flag,
        }
        if flag is None:
            if m.kind == "count":
                row["value"] = num
            else:
                row["value"] = num / den * m.factor
                # A balance (in minus out) is no count of persons: no numerator to protect.
                row["numerator"] = None if m.kind == "balance" else num
        if flag is not None:
            row["denominator"] = None
        if row["value"] is not None and not math.isfinite(row["value"]):
            continue
        yield row


def _copy_chunks(rows: list[dict]) -> Iterable[bytes]:
    def cell(v) -> str:
        if v is None:
            return "\\N"
        if isinstance(v, bool):
            return "t" if v else "f"
        return str(v)

    cols = (
        "indicator_id",
        "ags",
        "year",
        "value",
        "numerator",
        "denominator",
        "suppressed",
        "flag",
    )
    buf: list[str] = []
    for r in rows:
        buf.append("\t".join(cell(r[c]) for c in cols))
        if len(buf) >= 20000:
            yield ("\n".join(buf) + "\n").encode()
            buf = []
    if buf:
        yield ("\n".join(buf) + "\n").encode()


def import_genesis(
    conn: Connection,
    paths: list[Path],
    label: str,
    *,
    territory: str | None = None,
    allow_unmatched: bool = False,
    levels: set[str] | None = None,
    note: str = "",
    mapping: Path = MAPPING,
    expected: Path = TABLES,
) -> GenesisReport:
    """Parse, check and map GENESIS files into a new draft release; caller commits/publishes.

    territory: an AGS prefix (e.g. '03241') — Gemeinden outside it are used for the totals of
    Kreise, Länder and the Bund but not stored themselves; None stores every matched Gemeinde.
    levels: store only values of areas at these levels (e.g. {'gemeinde'} to add Germany's
    Gemeinden beside a release that already holds the Kreise, Länder and the Bund).
    """
    problems: list[Problem] = []
    tables: dict[str, GenesisTable] = {}
    known = read_expected(expected)
    for p in paths:
        try:
            t = parse_genesis(p)
        except LoadError as err:
            problems += err.problems
            continue
        problems += check_header(t, known)
        if t.code in tables:
            problems.append(
                Problem(str(p), 1, 1, f"Tabelle {t.code} doppelt (auch {tables[t.code].file})")
            )
        tables[t.code] = t
    if problems:
        raise LoadError(problems)
    lines = [m for m in read_mapping(mapping) if all(c in tables for c in m.tables())]
    if not lines:
        raise LoadError(
            [
                Problem(
                    str(paths[0]),
                    None,
                    None,
                    "Keine Kennzahl des Mappings lässt sich aus diesen Tabellen bilden",
                )
            ]
        )
    indicators = set(conn.scalars(text("SELECT id FROM indicator")))
    unknown = [m for m in lines if m.indicator not in indicators]
    if unknown:
        raise LoadError(
            [
                Problem(
                    str(mapping), m.line, "indicator", f"Kennzahl {m.indicator!r} fehlt im Katalog"
                )
                for m in unknown
            ]
        )

    report = GenesisReport(tables=sorted(tables))
    areas = dict(conn.execute(text("SELECT ags, level FROM area")).all())
    for t in tables.values():
        report.skipped += [(t.file, k, n, why) for k, n, why in t.skipped]
        seen: set[str] = set()
        for c in t.cells:
            if c.ags in seen:
                continue
            seen.add(c.ags)
            if c.ags in areas:
                continue
            if c.level == "gemeinde" and territory and not c.ags.startswith(territory):
                report.outside += 1
                continue
            report.unmatched.append((t.file, c.ags, c.name))
    if report.unmatched and not allow_unmatched:
        raise LoadError(
            [
                Problem(
                    f,
                    None,
                    "Schlüssel",
                    f"{ags} ({name}) passt zu keinem Gebiet der geladenen"
                    " Grenzen (Gebietsstand); mit --allow-unmatched nur für Summen verwenden",
                )
                for f, ags, name in report.unmatched
            ]
        )

    sums: Sums = {}
    for t in tables.values():
        for rf in {None} | {m.row_filter for m in lines if t.code in m.tables()}:
            sums.update(build_sums(t, rf))
    # A Gemeinde that did not exist in a year carries '-' (0) in every cell of that year: with a
    # population of 0 it gets no values at all that year (not a count of 0).
    pop = sums_population(sums)
    rows: list[dict] = []
    for m in lines:
        if m.kind == "mean":
            msum = _mean_sums(tables[m.numerator[0].table], tables[m.denominator[0].table], m)
            sums.update(msum)
        for r in compute(m, sums):
            level = areas.get(r["ags"])
            if level is None or pop.get((r["ags"], r["year"]), 1) == 0:
                continue
            if level in ("gemeinde",) and territory and not r["ags"].startswith(territory):
                continue
            if levels is not None and level not in levels:
                continue
            if r["value"] is None and r["flag"] is None:
                report.incomplete += 1
                continue
            rows.append(r)
            report.by_level[level] = report.by_level.get(level, 0) + 1
        report.indicators.append(m.indicator)

    units = dict(conn.execute(text("SELECT id, unit FROM indicator")).all())
    report.over_100 = [
        (r["indicator_id"], r["ags"], r["year"], r["value"])
        for r in rows
        if units[r["indicator_id"]] == "%" and r["value"] is not None and not 0 <= r["value"] <= 100
    ]
    release_id = create_release(conn, label, note=note or _note(tables))
    copy_values(conn, release_id, _copy_chunks(rows), columns=_COPY_COLUMNS, check_shares=False)
    conn.execute(
        text(
            "INSERT INTO release_source (release_id, indicator_id, tables, source, note)"
            " VALUES (:r, :i, :t, :s, :n)"
        ),
        [
            {
                "r": release_id,
                "i": m.indicator,
                "t": ", ".join(m.tables()),
                "s": f"{SOURCE}, Tabelle {', '.join(m.tables())}; {LICENCE}",
                "n": "\n\n".join(f"{c}: {tables[c].footer}" for c in m.tables()),
            }
            for m in lines
        ],
    )
    report.release_id, report.values = release_id, len(rows)
    return report


_COPY_COLUMNS = "indicator_id, ags, year, value, numerator, denominator, suppressed, flag"


def _note(tables: dict[str, GenesisTable]) -> str:
    """The release note (one line, it travels in HTTP headers): source, licence, tables, Stand.

    Each table's own footer (notes and licence as published) is kept in release_source.note.
    """
    stands = sorted({t.stand for t in tables.values() if t.stand})
    return (
        f"Amtliche Werte: {SOURCE} ({len(tables)} Tabellen: {', '.join(sorted(tables))};"
        f" Stand {stands[-1] if stands else 'unbekannt'}); {LICENCE}"
    )
