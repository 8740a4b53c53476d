"""Import GENESIS tables (Regionaldatenbank) as a real release, through the mapping.

The mapping (`indicators.genesis_mapping`: the shipped files in `indicators/data/`, the data
directory's `mappings/genesis/*.csv`, `--mapping FILE`) says per indicator which table columns
make its numerator (terms joined by " + ", optionally minus other terms) and denominator, the
factor (100 for %, 1000 for ‰), the year offset of the denominator and, for long tables with a
fourth label column, which rows count; and lists every column path each known table has. Each
file's code and header are checked against it first, from the lines above the data (a few
milliseconds): an unknown table or a header that differs (a changed header, a column path that
is not in the mapping) is refused before any file is parsed, saying what to do.

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

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from sqlalchemy import Connection, text

from geodata import attribution
from geodata.levels import BUND_AGS
from geodata.report import LoadError, Problem
from indicators.genesis import GenesisHead, GenesisTable, parse_genesis, read_head
from indicators.genesis_cache import Computed, ComputedCache, Row, TableMeta, cache_key
from indicators.genesis_mapping import (
    KREIS_ROWS,
    MAPPING,
    TABLES,
    GenesisMapping,
    KreisRow,
    MappingError,
    MappingLine,
    Term,
    load_mapping,
    read_mapping_file,
)
from indicators.ingest import Draft, write_draft
from indicators.loaders import SourceNote

KINDS = ("count", "ratio", "mean", "balance", "published")
# Flags of the terms of one value: secret wins over "incomplete" and the "no value" reasons.
FLAG_ORDER = (".", "u", "x", "/", "...")
# A part with one of these has a value that is not known: a sum over it is incomplete ('u').
WITHHELD_PART = frozenset({".", "/", "..."})


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
    # Indicators of the mapping that read a loaded table but also one that was not loaded.
    not_formed: list[tuple[str, list[str]]] = field(default_factory=list)  # indicator, missing
    mapping_files: list[str] = field(default_factory=list)
    replaced: dict[str, str] = field(default_factory=dict)  # table → the file mapping it now
    cached: list[str] = field(default_factory=list)  # tables whose sums came from the cache


def read_mapping(path: Path = MAPPING) -> list[MappingLine]:
    """The indicator lines of one mapping file, or MappingError naming row and column of every
    fault (column paths are checked by load_mapping, against the tables' lists)."""
    return read_mapping_file(path).lines


def read_kreis_rows(path: Path = KREIS_ROWS) -> list[KreisRow]:
    """The Gemeinde → Kreis column pairs of one file, or MappingError."""
    return read_mapping_file(path).kreis_rows


def read_expected(path: Path = TABLES) -> dict[str, list[str]]:
    """Per known table code the column paths its header must have, in file order."""
    return read_mapping_file(path).tables


def unknown_table_problem(head: GenesisHead, mapping: GenesisMapping) -> Problem:
    """The refusal of a table the mapping does not know, saying exactly what to do."""
    where = f" noch in {mapping.user_dir}" if mapping.user_dir else ""
    return Problem(
        head.file,
        1,
        "1",
        f"Tabelle {head.code} ist nicht im Mapping (weder mitgeliefert{where} noch mit --mapping"
        f" angegeben). So kommt sie hinein: 1. `sozmon inspect {head.file} --skeleton"
        f" {head.code}.csv` zeigt, was die Tabelle enthält, und schreibt ein Mapping-Gerüst;"
        " 2. darin je gewünschter Kennzahl indicator, kind und factor ausfüllen, die übrigen"
        f" Zeilen löschen; 3. erneut laden mit `--mapping {head.code}.csv`"
        + (
            f" (oder die Datei nach {mapping.user_dir}/ legen: dann liest jeder Lauf sie, auch"
            " load-all)"
            if mapping.user_dir
            else ""
        )
        + ".",
    )


def check_header(
    table: GenesisHead | GenesisTable, expected: dict[str, list[str]] | GenesisMapping
) -> list[Problem]:
    """A table's column paths against the known ones: unknown table, new or missing paths."""
    mapping = expected if isinstance(expected, GenesisMapping) else None
    known_tables = expected.tables if isinstance(expected, GenesisMapping) else expected
    # A parsed table keeps no header row: after the title lines and the code line.
    header_row = table.header_row if isinstance(table, GenesisHead) else len(table.title) + 2
    if table.code not in known_tables:
        if mapping is not None and isinstance(table, GenesisHead):
            return [unknown_table_problem(table, mapping)]
        return [Problem(table.file, 1, "1", f"Tabelle {table.code} ist nicht im Mapping")]
    known = set(known_tables[table.code])
    seen = {c.label for c in table.columns}
    problems = [
        Problem(
            table.file,
            header_row,
            str(c.index + 1),
            f"Spaltenpfad nicht im Mapping: {c.label!r} (Kopf verändert?)",
        )
        for c in table.columns
        if c.label not in known
    ]
    problems += [
        Problem(table.file, header_row, None, f"Kopf verändert: Spalte {label!r} fehlt")
        for label in known_tables[table.code]
        if label not in seen
    ]
    if problems:
        listed = mapping.table_files.get(table.code) if mapping is not None else None
        problems.append(
            Problem(
                table.file,
                header_row,
                None,
                f"Tabelle {table.code}: der Kopf weicht vom Mapping ab"
                + (f" ({listed})" if listed else "")
                + f". `sozmon inspect {table.file} --skeleton {table.code}.csv` zeigt die"
                " Spaltenpfade und schreibt ein Mapping mit ihnen (die bisherigen Kennzahlen"
                " der Tabelle darin); angepasst mit --mapping angeben: es ersetzt das Mapping"
                " dieser Tabelle.",
            )
        )
    return problems


@dataclass(slots=True)
class Entry:
    """What Sums holds for one key: the source's own row for it, or the sum of its parts.

    own row — Entry(value or 0, flag, None, True, True);
    sum     — flag 'x' if an 'x' part was seen, parts the withheld parts ("AGS Name"), live
              whether a part of an existing row had a number.
    """

    total: float
    flag: str | None
    parts: list[str] | None
    live: bool
    own: bool


# (table, column label, key, year, row filter); the key is an area key at any level.
SumKey = tuple[str, str, str, int, str | None]
# Sums: every key's Entry (millions of them, built in one pass).
Sums = dict[SumKey, Entry]
# (value, flag, withheld parts) of an entry.
Value = tuple[float, str | None, list[str]]


def _targets(ags: str, level: str) -> list[str]:
    """The keys a data row adds to: itself, its Kreis (for Gemeinden), its Land, the Bund."""
    if level == "gemeinde":
        return [ags, ags[:5], ags[:2], BUND_AGS]
    return [ags, ags[:2], BUND_AGS]


def _part(
    sums: Sums,
    key: SumKey,
    value: float | None,
    flag: str | None,
    live: bool,
    withheld: str | None,
) -> None:
    """Add one part to the sum at key; withheld names a part whose flag is in WITHHELD_PART
    ("03241005 Garbsen"), else it is None."""
    entry = sums.get(key)
    if entry is None:
        entry = sums[key] = Entry(0.0, None, None, False, False)
    if value is not None:
        entry.total += value
        if live:
            entry.live = True
    elif withheld is not None:
        if entry.parts is None:
            entry.parts = []
        entry.parts.append(withheld)
    elif flag == "x":
        entry.flag = "x"


def entry_value(entry: Entry) -> Value | None:
    """(value, flag, withheld parts) of an entry; None where no area existed under the key.

    A sum is 'u' when a part was withheld, a number when some existing part had one, 'x' when
    every part was 'x', and nothing when every part was a row of '-' only (the key did not
    exist that year, e.g. a Kreis formed later).
    """
    if entry.own:
        return entry.total, entry.flag, []
    if entry.parts:
        return entry.total, "u", entry.parts
    if entry.live:
        return entry.total, None, []
    if entry.flag == "x":
        return entry.total, "x", []
    return None


def live_rows(table: GenesisTable) -> set[tuple[str, int, str | None]]:
    """(AGS, year, 4th label) of the rows with a cell other than '-'.

    A row of '-' only is an area that did not exist under that key that year (a Kreis formed or
    merged later, a Gemeinde of another Verband): it is no source row and no part of a sum.
    """
    return {(c.ags, c.year, c.sex) for c in table.cells if c.flag != "-"}


def build_sums(
    table: GenesisTable,
    row_filter: str | None,
    live: set[tuple[str, int, str | None]] | None = None,
) -> Sums:
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
        sums[(code, label, c.ags, c.year, row_filter)] = Entry(value or 0.0, flag, None, True, True)
        # Kreis tables also hold a few Gemeinden (e.g. Hannover): part of their Kreis' row, so
        # they are stored for themselves but never added again to Kreis, Land or Bund.
        if kreis_table and c.level == "gemeinde":
            continue
        withheld = f"{c.ags} {c.name}" if flag in WITHHELD_PART else None
        for t in _targets(c.ags, c.level)[1:]:
            _part(sums, (code, label, t, c.year, row_filter), value, flag, is_live, withheld)
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
        sums[(mean.code, label, own, c.year, None)] = Entry(value or 0.0, flag, None, True, True)
        withheld = f"{c.ags} {c.name}" if flag in WITHHELD_PART else None
        for t in above:
            _part(sums, (mean.code, label, t, c.year, None), value, flag, True, withheld)
    return sums


def _combine(sums: Sums, terms: list[Term], key: str, year: int, rf: str | None) -> Value | None:
    """Σ of the terms at key and year: (value, flag, withheld parts); None when a term has
    no row there."""
    total, flag, parts = 0.0, None, []
    for t in terms:
        entry = sums.get((t.table, t.label, key, year, rf)) or sums.get(
            (t.table, t.label, key, year, None)
        )
        got = None if entry is None else entry_value(entry)
        if got is None:
            return None
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
    out: dict[tuple[str, int], float] = {}
    for k, v in sums.items():
        if (k[0], k[1]) == POPULATION and k[4] is None:
            got = entry_value(v)
            if got is not None and got[1] is None:
                out[(k[2], k[3])] = got[0]
    return out


class ValueRow(TypedDict):
    """One value of an indicator for a key and year, as `compute` yields it."""

    indicator_id: str
    ags: str
    year: int
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool
    flag: str | None
    parts: str  # the withheld parts of a 'u' value ("AGS Name, …"), else ""


def _published(m: MappingLine, sums: Sums, ags: str, year: int) -> ValueRow | None:
    """A published value (a rate) from the key's own row only: rates are never summed."""
    t = m.numerator[0]
    entry = sums.get((t.table, t.label, ags, year, m.row_filter)) or sums.get(
        (t.table, t.label, ags, year, None)
    )
    if entry is None or not entry.own:
        return None
    value, flag = entry.total, entry.flag
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


def compute(
    m: MappingLine, sums: Sums, index: dict[tuple[str, str], set[tuple[str, int]]] | None = None
) -> Iterable[ValueRow]:
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
            if (published := _published(m, sums, ags, year)) is not None:
                yield published
            continue
        got = _combine(sums, m.numerator, ags, year, m.row_filter)
        if got is None:
            continue
        num, nflag, parts = got
        if m.minus:
            got = _combine(sums, m.minus, ags, year, m.row_filter)
            if got is None:
                continue
            sub, sflag, sparts = got
            num, nflag, parts = num - sub, _first_flag(nflag, sflag), parts + sparts
        den: float | None = None
        dflag: str | None = None
        if m.denominator:
            got = _combine(sums, m.denominator, ags, year + m.offset, None)
            if got is None:
                continue
            den, dflag, dparts = got
            if den == 0 and not (nflag or dflag):
                continue  # a Gemeinde that did not exist that year ('-' everywhere)
            parts = parts + dparts
        flag = _first_flag(nflag, dflag)
        row: ValueRow = {
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
            elif den is None:  # read_mapping refuses such a line; one made in code may not
                raise ValueError(f"Kennzahl {m.indicator!r}: {m.kind!r} ohne Nenner")
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


def table_meta(t: GenesisTable) -> TableMeta:
    """What the import keeps of a parsed table beside its rows."""
    keys: dict[str, tuple[str, str, str]] = {}
    for c in t.cells:
        if c.ags not in keys:
            keys[c.ags] = (c.ags, c.level, c.name)
    return TableMeta(t.code, t.file, t.footer, t.stand, list(t.skipped), list(keys.values()))


def compute_all(
    tables: dict[str, GenesisTable], lines: list[MappingLine], pairs: list[KreisRow]
) -> Computed:
    """Every line's rows for every key and year of the tables (before they are matched to the
    loaded areas): the part of an import that depends on the files and the mapping only."""
    sums: Sums = {}
    for t in tables.values():
        live = live_rows(t)
        for rf in {None} | {m.row_filter for m in lines if t.code in m.tables()}:
            sums.update(build_sums(t, rf, live))
    kreis_rows = use_kreis_rows(sums, pairs, tables)
    # A Gemeinde that did not exist in a year carries '-' (0) in every cell of that year: with a
    # population of 0 it gets no values at all that year (not a count of 0).
    pop = sums_population(sums)
    index = key_index(sums)
    out: list[list[Row]] = []
    for m in lines:
        if m.kind == "mean":
            msum = _mean_sums(tables[m.numerator[0].table], tables[m.denominator[0].table], m)
            sums.update(msum)
            for k in msum:
                index[(k[0], k[1])].add((k[2], k[3]))
        out.append(
            [
                (
                    r["ags"],
                    r["year"],
                    r["value"],
                    r["numerator"],
                    r["denominator"],
                    r["flag"],
                    r["parts"],
                )
                for r in compute(m, sums, index)
                if pop.get((r["ags"], r["year"]), 1) != 0
            ]
        )
    return Computed({c: table_meta(t) for c, t in tables.items()}, out, kreis_rows)


def check_files(
    paths: list[Path], mapping: GenesisMapping
) -> tuple[dict[str, GenesisHead], list[Problem], list[Problem]]:
    """Every file's code and header against the mapping, from the lines above its data (a few
    milliseconds a file): (heads, problems that refuse at once — an unreadable header, an
    unknown table, a table given twice —, a known table's header that differs)."""
    problems: list[Problem] = []
    changed: list[Problem] = []
    heads: dict[str, GenesisHead] = {}
    for p in paths:
        try:
            h = read_head(p)
        except LoadError as err:
            problems += err.problems
            continue
        if mapping.knows(h.code):
            changed += check_header(h, mapping)
        else:
            problems += check_header(h, mapping)
        if h.code in heads:
            problems.append(
                Problem(str(p), 1, "1", f"Tabelle {h.code} doppelt (auch {heads[h.code].file})")
            )
        heads[h.code] = h
    return heads, problems, changed


def usable_lines(
    heads: dict[str, GenesisHead], mapping: GenesisMapping
) -> tuple[list[MappingLine], list[tuple[str, list[str]]]]:
    """The lines every table of which is loaded; and (indicator, missing tables) of those that
    read a loaded table but also one that is not."""
    lines, partial = [], []
    for m in mapping.lines:
        missing = [t for t in m.tables() if t not in heads]
        if not missing:
            lines.append(m)
        elif len(missing) < len(m.tables()):
            partial.append((m.indicator, missing))
    return lines, partial


def _nothing_to_form(heads: dict[str, GenesisHead], mapping: GenesisMapping) -> list[Problem]:
    """Why no indicator can be formed: per table, no line reads it or its lines need others."""
    out = []
    for code, h in heads.items():
        need = {t for m in mapping.lines_of(code) for t in m.tables() if t not in heads}
        if not mapping.lines_of(code):
            msg = (
                f"Tabelle {code}: keine Kennzahl des Mappings liest sie (Zeilen"
                " 'indicator;kind;numerator;…' für sie fehlen; sozmon inspect schreibt ein Gerüst)"
            )
        else:
            msg = (
                f"Tabelle {code}: ihre Kennzahlen brauchen auch {', '.join(sorted(need))}"
                " (mit laden)"
            )
        out.append(Problem(h.file, None, None, msg))
    return out


def _row_filter_problems(
    lines: list[MappingLine], tables: dict[str, GenesisTable]
) -> list[Problem]:
    """Rows of a 4th label column (sex, kind of care) a line selects must exist in the table."""
    out = []
    for m in lines:
        for col, terms, rf in (
            ("numerator", m.numerator + m.minus, m.row_filter),
            ("denominator", m.denominator, None),
        ):
            for code in dict.fromkeys(t.table for t in terms):
                t = tables[code]
                if t.label_columns != 4:
                    continue
                want = rf or "Insgesamt"
                if want not in t.row_labels:
                    out.append(
                        Problem(
                            m.file,
                            m.line,
                            "row_filter" if col == "numerator" else col,
                            f"Tabelle {code} hat keine Zeilen {want!r} in ihrer 4. Spalte"
                            + ("" if rf else " (row_filter leer: dann gilt 'Insgesamt')"),
                            None,
                            " | ".join(t.row_labels),
                        )
                    )
    return out


def import_genesis(
    conn: Connection,
    paths: list[Path],
    label: str,
    *,
    territory: str | None = None,
    allow_unmatched: bool = False,
    levels: set[str] | None = None,
    note: str = "",
    mapping: GenesisMapping | None = None,
    cache: ComputedCache | None = None,
) -> GenesisReport:
    """Parse, check and map GENESIS files into a new draft release; caller commits/publishes.

    territory: an AGS prefix (e.g. '03241') — Gemeinden outside it are used for the totals of
    Kreise, Länder and the Bund but not stored themselves; None stores every matched Gemeinde.
    levels: store only values of areas at these levels (e.g. {'gemeinde'} to add Germany's
    Gemeinden beside a release that already holds the Kreise, Länder and the Bund).
    mapping: the mapping in force (load_mapping: shipped, data directory, --mapping); default
    the shipped one. Every file's code and header are checked against it before any file is
    parsed: an unknown table is refused at once, saying what to do.
    cache: where computed rows are kept by the hash of files, mapping and code
    (genesis_cache), or None to compute them anew.
    """
    mapping = mapping if mapping is not None else load_mapping()
    # An unknown table (or a header that cannot be read) is refused from the header alone.
    heads, problems, changed = check_files(paths, mapping)
    if problems:
        raise LoadError(problems)
    lines, partial = usable_lines(heads, mapping)
    indicators = set(conn.scalars(text("SELECT id FROM indicator")))
    unknown = [
        Problem(
            m.file,
            m.line,
            "indicator",
            f"Kennzahl {m.indicator!r} fehlt im Katalog (neue Kennzahlen zuerst mit"
            " sozmon load-catalogue DATEI anlegen)",
        )
        for m in lines
        if m.indicator not in indicators
    ]
    key = None
    if cache is not None and lines and not changed and not unknown:
        key = cache_key(
            [Path(heads[c].file) for c in sorted(heads)],
            [
                [vars(m) | {"file": None, "line": None} for m in lines],
                [(p.gemeinde, p.kreis, p.years) for p in mapping.kreis_rows],
                [(c, mapping.tables[c]) for c in sorted(heads)],
            ],
        )
    computed = cache.get(key) if cache is not None and key is not None else None
    if computed is None:
        # Every other fault is reported with the files' own (a known table's changed header
        # beside the data rows' problems), as the files are parsed.
        tables: dict[str, GenesisTable] = {}
        for code, h in heads.items():
            try:
                tables[code] = parse_genesis(h.file)
            except LoadError as err:
                problems += err.problems
        if problems or changed:
            raise LoadError(problems + changed)
        if not lines:
            raise LoadError(_nothing_to_form(heads, mapping))
        if unknown:
            raise MappingError(unknown)
        if rf_problems := _row_filter_problems(lines, tables):
            raise MappingError(rf_problems)
        computed = compute_all(tables, lines, mapping.kreis_rows)
        del tables  # the cells: the rows are what is used from here on
        if cache is not None and key is not None:
            cache.put(key, computed)

    report = GenesisReport(
        tables=sorted(computed.tables),
        not_formed=partial,
        mapping_files=mapping.files,
        replaced=dict(mapping.replaced),
        cached=sorted(computed.tables) if computed.cached else [],
        kreis_rows=computed.kreis_rows,
    )
    areas: dict[str, str] = dict(conn.execute(text("SELECT ags, level FROM area")).all())
    for t in computed.tables.values():
        report.skipped += [(t.file, k, n, why) for k, n, why in t.skipped]
        for ags, level, name in t.keys:
            if ags in areas:
                continue
            if level == "gemeinde" and territory and not ags.startswith(territory):
                report.outside += 1
                continue
            report.unmatched.append((t.file, ags, name))
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

    rows: list[ValueRow] = []
    # An indicator mapped by two lines (e.g. one series from two tables) must not get two
    # values for one area and year: the lines' years must not overlap.
    shared = {i for i, n in Counter(m.indicator for m in lines).items() if n > 1}
    first_line: dict[tuple[str, str, int], MappingLine] = {}
    clashes: dict[tuple[int, int], tuple[MappingLine, MappingLine, str, int]] = {}
    for m, line_rows in zip(lines, computed.rows, strict=True):
        for ags, year, value, numerator, denominator, flag, parts in line_rows:
            area_level = areas.get(ags)
            if area_level is None:
                continue
            if area_level == "gemeinde" and territory and not ags.startswith(territory):
                continue
            if levels is not None and area_level not in levels:
                continue
            if value is None and flag is None:
                report.incomplete += 1
                continue
            if m.indicator in shared:
                prev = first_line.setdefault((m.indicator, ags, year), m)
                if prev is not m:
                    clashes.setdefault((id(prev), id(m)), (prev, m, ags, year))
                    continue
            rows.append(
                {
                    "indicator_id": m.indicator,
                    "ags": ags,
                    "year": year,
                    "value": value,
                    "numerator": numerator,
                    "denominator": denominator,
                    "suppressed": flag == ".",
                    "flag": flag,
                    "parts": parts,
                }
            )
            report.by_level[area_level] = report.by_level.get(area_level, 0) + 1
            report.unvollstaendig += flag == "u"
        report.indicators.append(m.indicator)

    if clashes:
        raise MappingError(
            [
                Problem(
                    m.file,
                    m.line,
                    "years",
                    f"Kennzahl {m.indicator!r}: Werte für dieselben Gebiete und Jahre wie"
                    f" {prev.file}, Zeile {prev.line} (z. B. {ags} {year}); die Jahre der"
                    " beiden Zeilen mit der Spalte years trennen (z. B. 2011- und -2010)",
                )
                for prev, m, ags, year in clashes.values()
            ]
        )
    units: dict[str, str] = dict(conn.execute(text("SELECT id, unit FROM indicator")).all())
    report.over_100 = [
        (r["indicator_id"], r["ags"], r["year"], r["value"])
        for r in rows
        if units[r["indicator_id"]] == "%" and r["value"] is not None and not 0 <= r["value"] <= 100
    ]
    # Shares over 100 are published so (two sources in one quotient): stored as computed and
    # listed (over_100), as the published policy of the row validator has it.
    release_id, _n = write_draft(
        conn,
        Draft(
            label,
            origin=", ".join(sorted(computed.tables)),
            note=note or _note(computed.tables),
            flags=True,
        ),
        [
            (
                r["indicator_id"],
                r["ags"],
                r["year"],
                r["value"],
                r["numerator"],
                r["denominator"],
                r["suppressed"],
                r["flag"],
            )
            for r in rows
        ],
        (
            SourceNote(
                m.indicator,
                ", ".join(m.tables()),
                f"{attribution.REGIONALDATENBANK}, Tabelle {', '.join(m.tables())};"
                f" {attribution.LICENCE_FULL}",
                "\n\n".join(f"{c}: {computed.tables[c].footer}" for c in m.tables()),
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


def _note(tables: dict[str, TableMeta]) -> str:
    """The release note (one line, it travels in HTTP headers): source, licence, tables, Stand.

    Each table's own footer (notes and licence as published) is kept in release_source.note.
    """
    stands = sorted({t.stand for t in tables.values() if t.stand})
    return (
        f"Amtliche Werte: {attribution.REGIONALDATENBANK} ({len(tables)} Tabellen:"
        f" {', '.join(sorted(tables))}; Stand {stands[-1] if stands else 'unbekannt'});"
        f" {attribution.LICENCE_FULL}"
    )
