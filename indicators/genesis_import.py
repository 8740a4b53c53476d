"""Import GENESIS tables (Regionaldatenbank) as a real release, through the mapping file.

`indicators/data/genesis_mapping.csv` says per indicator which table columns make its
numerator (terms joined by " + ", optionally minus other terms) and denominator, the factor
(100 for %, 1000 for ‰), the year offset of the denominator and, for long tables with a fourth
label column, which rows count. `indicators/data/genesis_tables.csv` lists every column path
each known table has: a header that differs from it (a changed header, a column path that is
not in the mapping) is refused.

Honest totals: an area's value comes from the source's own row for it wherever a loaded table
has one — a Gemeinde's row, a Kreis row of a `-4-B` table (`genesis_kreis_rows.csv` names the
Kreis column that stands for a Gemeinde column, e.g. 13211-02-05-4-B's "Arbeitslose" for
13211-01-03-5-B's "Arbeitslose insgesamt"). Only where no row exists is a Kreis, Land or Bund
value summed over its parts (Gemeinden or Kreise, including the rows of Gemeinden merged since,
so that totals are whole): Σ numerator / Σ denominator, never an average of rates. A withheld
part ('.', '/', '...') makes such a sum 'u' (unvollständig) and `incomplete_value` names the
parts; never '.' — the source keeps no secret at that level. A part marked 'x' (not
applicable, e.g. an uninhabited gemeindefreies Gebiet) adds nothing. Published rates (kind
'published') are stored only from the source's own rows: rates cannot be summed.
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

from geodata import attribution
from geodata.levels import BUND_AGS
from geodata.report import LoadError, Problem
from indicators.bulk import copy_values
from indicators.genesis import GenesisTable, parse_genesis
from indicators.loaders import SourceNote, create_release, write_sources

DATA = Path(__file__).parent / "data"
MAPPING = DATA / "genesis_mapping.csv"
TABLES = DATA / "genesis_tables.csv"
KREIS_ROWS = DATA / "genesis_kreis_rows.csv"
KINDS = ("count", "ratio", "mean", "balance", "published")
# Flags of the terms of one value: secret wins over "incomplete" and the "no value" reasons.
FLAG_ORDER = (".", "u", "x", "/", "...")
# A part with one of these has a value that is not known: a sum over it is incomplete ('u').
WITHHELD_PART = frozenset({".", "/", "..."})


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
    years: tuple[int, int] | None = None  # only these years (first, last), e.g. one series

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
    incomplete: int = 0  # values not stored because a term had no value and no flag
    unvollstaendig: int = 0  # totals stored as 'u': summed over parts, one of them withheld
    kreis_rows: int = 0  # Kreis, Land and Bund values taken from Kreis rows (not Gemeinde sums)
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
        if r.get("kind") == "published" and (len(num) != 1 or den or minus):
            problems.append(
                Problem(name, n, "numerator", "'published' liest genau eine Spalte, sonst nichts")
            )
        try:
            factor, offset = float(r["factor"]), int(r["denominator_year_offset"] or 0)
        except (TypeError, ValueError):
            problems.append(Problem(name, n, "factor", "keine Zahl"))
            continue
        years = _years(r.get("years") or "", name, n, problems)
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
                years,
            )
        )
    if problems:
        raise LoadError(problems)
    return lines


def _years(raw: str, file: str, line: int, problems: list[Problem]) -> tuple[int, int] | None:
    """'2012-2016' → (2012, 2016); empty → None (every year of the table)."""
    if not raw.strip():
        return None
    first, _, last = raw.strip().partition("-")
    if not (first.isdigit() and last.isdigit() and int(first) <= int(last)):
        problems.append(Problem(file, line, "years", f"{raw!r}, erwartet z. B. 2012-2016"))
        return None
    return int(first), int(last)


@dataclass(frozen=True)
class KreisRow:
    """A Kreis table column whose rows are the values of a Gemeinde column's Kreise."""

    gemeinde: Term
    kreis: Term
    years: tuple[int, int] | None
    line: int


def read_kreis_rows(path: Path = KREIS_ROWS) -> list[KreisRow]:
    """The Gemeinde → Kreis column pairs, or LoadError naming row and column of every fault."""
    name = str(path)
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";")
    problems: list[Problem] = []
    out = []
    for n, r in enumerate(reader, start=2):
        gem = _terms(r.get("gemeinde_column") or "", name, n, "gemeinde_column", problems)
        kreis = _terms(r.get("kreis_column") or "", name, n, "kreis_column", problems)
        years = _years(r.get("years") or "", name, n, problems)
        if len(gem) != 1 or len(kreis) != 1:
            problems.append(Problem(name, n, None, "je genau eine Gemeinde- und Kreisspalte"))
            continue
        out.append(KreisRow(gem[0], kreis[0], years, n))
    if problems:
        raise LoadError(problems)
    return out


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


# Sums: (table, label, key, year, row) → Entry; key is an area key at any level. An entry is a
# list [total, flag, parts, live, own] (lists: millions of them, built in one pass):
#   own row   — the source's row for that key: [value or 0, flag, None, True, True];
#   sum       — over the parts below the key: flag 'x' if an 'x' part was seen, parts the
#               withheld parts ("AGS Name"), live whether a part of an existing row had a number.
Sums = dict[tuple[str, str, str, int, str | None], list]
Value = tuple[float, str | None, list[str]]


def _targets(ags: str, level: str) -> list[str]:
    """The keys a data row adds to: itself, its Kreis (for Gemeinden), its Land, the Bund."""
    if level == "gemeinde":
        return [ags, ags[:5], ags[:2], BUND_AGS]
    return [ags, ags[:2], BUND_AGS]


def _part(sums: Sums, key: tuple, value: float | None, flag: str | None, live: bool, who) -> None:
    """Add one part to the sum at key; who() names a withheld part ("03241005 Garbsen")."""
    entry = sums.get(key)
    if entry is None:
        entry = sums[key] = [0.0, None, None, False, False]
    if value is not None:
        entry[0] += value
        if live:
            entry[3] = True
    elif flag in WITHHELD_PART:
        if entry[2] is None:
            entry[2] = []
        entry[2].append(who())
    elif flag == "x":
        entry[1] = "x"


def entry_value(entry: list) -> Value | None:
    """(value, flag, withheld parts) of an entry; None where no area existed under the key.

    A sum is 'u' when a part was withheld, a number when some existing part had one, 'x' when
    every part was 'x', and nothing when every part was a row of '-' only (the key did not
    exist that year, e.g. a Kreis formed later).
    """
    total, flag, parts, live, own = entry
    if own:
        return total, flag, []
    if parts:
        return total, "u", parts
    if live:
        return total, None, []
    if flag == "x":
        return total, "x", []
    return None


def live_rows(table: GenesisTable) -> set[tuple[str, int, str | None]]:
    """(AGS, year, 4th label) of the rows with a cell other than '-'.

    A row of '-' only is an area that did not exist under that key that year (a Kreis formed or
    merged later, a Gemeinde of another Verband): it is no source row and no part of a sum.
    """
    return {(c.ags, c.year, c.sex) for c in table.cells if c.flag != "-"}


def build_sums(table: GenesisTable, row_filter: str | None, live: set | None = None) -> Sums:
    """Each cell as its key's own row, and as a part of every key above it."""
    live = live_rows(table) if live is None else live
    sums: Sums = {}
    kreis_table, code = table.level == "kreis", table.code
    want = row_filter or "Insgesamt"
    for c in table.cells:
        if c.sex is not None and c.sex != want:
            continue
        is_live = (c.ags, c.year, c.sex) in live
        # A Kreis row of '-' only: the Kreis did not exist that year (e.g. 03159 Göttingen
        # before 2017), so it is no row of its own; its parts may still sum to a value.
        if c.level == "kreis" and not is_live:
            continue
        label, value = c.column.label, c.value
        flag = c.flag if value is None else None
        sums[(code, label, c.ags, c.year, row_filter)] = [value or 0.0, flag, None, True, True]
        # Kreis tables also hold a few Gemeinden (e.g. Hannover): part of their Kreis' row, so
        # they are stored for themselves but never added again to Kreis, Land or Bund.
        if kreis_table and c.level == "gemeinde":
            continue
        who = (lambda c=c: f"{c.ags} {c.name}") if flag in WITHHELD_PART else None
        for t in _targets(c.ags, c.level)[1:]:
            _part(sums, (code, label, t, c.year, row_filter), value, flag, is_live, who)
    return sums


def use_kreis_rows(sums: Sums, pairs: list[KreisRow], tables: dict[str, GenesisTable]) -> int:
    """Put each Kreis table's own Kreis rows (and its Land and Bund sums of Kreis rows) in
    place of the Gemeinde sums of the paired Gemeinde column; its few Gemeinde rows fill
    years the Gemeinde table lacks. Returns how many Kreis values now come from a Kreis row."""
    n = 0
    for pair in pairs:
        gem, kreis = pair.gemeinde, pair.kreis
        if gem.table not in tables or kreis.table not in tables:
            continue
        first, last = pair.years or (0, 9999)
        for c in tables[kreis.table].cells:
            if c.column.label != kreis.label or c.sex is not None or not first <= c.year <= last:
                continue
            keys = (c.ags, c.ags[:2], BUND_AGS) if c.level == "kreis" else (c.ags,)
            for k in keys:
                entry = sums.get((kreis.table, kreis.label, k, c.year, None))
                if entry is None:  # a Kreis row of '-' only: the Gemeinde sum stays
                    continue
                target = (gem.table, gem.label, k, c.year, None)
                if c.level == "gemeinde" and target in sums:
                    continue  # the Gemeinde table's own row stays
                sums[target] = entry
                n += k == c.ags and c.level == "kreis"
    return n


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
        flag = None if value is not None else (c.flag or "/")
        own, *above = _targets(c.ags, c.level)
        sums[(mean.code, label, own, c.year, None)] = [value or 0.0, flag, None, True, True]
        who = lambda c=c: f"{c.ags} {c.name}"  # noqa: E731
        for t in above:
            _part(sums, (mean.code, label, t, c.year, None), value, flag, True, who)
    return sums


def _combine(
    sums: Sums, terms: list[Term], key: str, year: int, rf: str | None
) -> Value | tuple[None, None, list]:
    """Σ of the terms at key and year: (value, flag, withheld parts); None when a term has
    no row there."""
    total, flag, parts = 0.0, None, []
    for t in terms:
        entry = sums.get((t.table, t.label, key, year, rf)) or sums.get(
            (t.table, t.label, key, year, None)
        )
        got = None if entry is None else entry_value(entry)
        if got is None:
            return None, None, []
        total += got[0]
        if got[1] is not None and (
            flag is None or FLAG_ORDER.index(got[1]) < FLAG_ORDER.index(flag)
        ):
            flag = got[1]
        parts += got[2]
    return total, flag, parts


POPULATION = ("12411-01-01-5-B", "Insgesamt")


def sums_population(sums: Sums) -> dict[tuple[str, int], float]:
    """(key, year) → population on 31.12., where the population table was loaded."""
    out = {}
    for k, v in sums.items():
        if (k[0], k[1]) == POPULATION and k[4] is None:
            got = entry_value(v)
            if got is not None and got[1] is None:
                out[(k[2], k[3])] = got[0]
    return out


def _published(m: MappingLine, sums: Sums, ags: str, year: int) -> dict | None:
    """A published value (a rate) from the key's own row only: rates are never summed."""
    t = m.numerator[0]
    entry = sums.get((t.table, t.label, ags, year, m.row_filter)) or sums.get(
        (t.table, t.label, ags, year, None)
    )
    if entry is None or not entry[4]:
        return None
    value, flag = entry[0], entry[1]
    # The Gemeinde rows of a Kreis table carry '.' for rates the BA computes for Kreise only:
    # no value of the Gemeinde, not a secret one.
    if flag is not None and len(ags) == 8:
        return None
    return {
        "indicator_id": m.indicator,
        "ags": ags,
        "year": year,
        "value": value * m.factor if flag is None else None,
        "numerator": None,
        "denominator": None,
        "suppressed": flag == ".",
        "flag": flag,
        "parts": "",
    }


def key_index(sums: Sums) -> dict[tuple[str, str], set[tuple[str, int]]]:
    """(table, column) → its (key, year) pairs: one pass over the sums for every indicator."""
    out: dict[tuple[str, str], set[tuple[str, int]]] = defaultdict(set)
    for k in sums:
        out[(k[0], k[1])].add((k[2], k[3]))
    return out


def compute(m: MappingLine, sums: Sums, index: dict | None = None) -> Iterable[dict]:
    """Value rows of one indicator for every key and year its numerator has.

    A row flagged 'u' (a sum with a withheld part) has no value and names the parts in
    row["parts"]; every other row has parts "".
    """
    first = m.numerator[0]
    if index is None:
        index = key_index(sums)
    keys = index.get((first.table, first.label), set())
    lo, hi = m.years or (0, 9999)
    for ags, year in sorted(keys):
        if not lo <= year <= hi:
            continue
        if m.kind == "published":
            if (row := _published(m, sums, ags, year)) is not None:
                yield row
            continue
        num, nflag, parts = _combine(sums, m.numerator, ags, year, m.row_filter)
        if num is None:
            continue
        if m.minus:
            sub, sflag, sparts = _combine(sums, m.minus, ags, year, m.row_filter)
            if sub is None:
                continue
            num, nflag, parts = num - sub, _first_flag(nflag, sflag), parts + sparts
        den, dflag = (None, None)
        if m.denominator:
            den, dflag, dparts = _combine(sums, m.denominator, ags, year + m.offset, None)
            if den is None:
                continue
            if den == 0 and not (nflag or dflag):
                continue  # a Gemeinde that did not exist that year ('-' everywhere)
            parts = parts + dparts
        flag = _first_flag(nflag, dflag)
        row = {
            "indicator_id": m.indicator,
            "ags": ags,
            "year": year,
            "value": None,
            "numerator": None,
            "denominator": den,
            "suppressed": flag == ".",
            "flag": flag,
            "parts": ", ".join(sorted(set(parts))) if flag == "u" else "",
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


def _first_flag(a: str | None, b: str | None) -> str | None:
    """The flag that decides a value of two terms (FLAG_ORDER: secret first)."""
    if a is None or b is None:
        return a or b
    return a if FLAG_ORDER.index(a) <= FLAG_ORDER.index(b) else b


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
    kreis_rows: Path = KREIS_ROWS,
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
        live = live_rows(t)
        for rf in {None} | {m.row_filter for m in lines if t.code in m.tables()}:
            sums.update(build_sums(t, rf, live))
    report.kreis_rows = use_kreis_rows(sums, read_kreis_rows(kreis_rows), tables)
    # A Gemeinde that did not exist in a year carries '-' (0) in every cell of that year: with a
    # population of 0 it gets no values at all that year (not a count of 0).
    pop = sums_population(sums)
    rows: list[dict] = []
    index = key_index(sums)
    for m in lines:
        if m.kind == "mean":
            msum = _mean_sums(tables[m.numerator[0].table], tables[m.denominator[0].table], m)
            sums.update(msum)
            for k in msum:
                index[(k[0], k[1])].add((k[2], k[3]))
        for r in compute(m, sums, index):
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
            report.unvollstaendig += r["flag"] == "u"
        report.indicators.append(m.indicator)

    units = dict(conn.execute(text("SELECT id, unit FROM indicator")).all())
    report.over_100 = [
        (r["indicator_id"], r["ags"], r["year"], r["value"])
        for r in rows
        if units[r["indicator_id"]] == "%" and r["value"] is not None and not 0 <= r["value"] <= 100
    ]
    release_id = create_release(conn, label, note=note or _note(tables))
    copy_values(conn, release_id, _copy_chunks(rows), columns=_COPY_COLUMNS, check_shares=False)
    write_sources(
        conn,
        release_id,
        (
            SourceNote(
                m.indicator,
                ", ".join(m.tables()),
                f"{attribution.REGIONALDATENBANK}, Tabelle {', '.join(m.tables())};"
                f" {attribution.LICENCE_FULL}",
                "\n\n".join(f"{c}: {tables[c].footer}" for c in m.tables()),
            )
            for m in lines
        ),
    )
    incomplete = [
        {"r": release_id, "i": r["indicator_id"], "a": r["ags"], "y": r["year"], "p": r["parts"]}
        for r in rows
        if r["flag"] == "u"
    ]
    if incomplete:
        conn.execute(
            text(
                "INSERT INTO incomplete_value (release_id, indicator_id, ags, year, parts)"
                " VALUES (:r, :i, :a, :y, :p)"
            ),
            incomplete,
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
        f"Amtliche Werte: {attribution.REGIONALDATENBANK} ({len(tables)} Tabellen:"
        f" {', '.join(sorted(tables))}; Stand {stands[-1] if stands else 'unbekannt'});"
        f" {attribution.LICENCE_FULL}"
    )
