"""The GENESIS mapping as data: which table columns make which indicator, read from files.

Three kinds of lines, each a `;`-separated CSV with its own header (the shipped files in
`indicators/data/` hold one kind each; any mapping file may hold several, one block per kind,
blocks separated by an empty line; lines starting with `#` are comments):

- `table;label` — every column path a table's header has (`genesis_tables.csv`): a header that
  differs is refused, a table without such lines is not in the mapping;
- `indicator;kind;numerator;minus;denominator;factor;denominator_year_offset;row_filter;years`
  — how one indicator is computed (`genesis_mapping.csv`, docs/genesis.md);
- `gemeinde_column;kreis_column;years` — a Kreis table column whose Kreis rows stand for the
  Kreis sums of a Gemeinde column (`genesis_kreis_rows.csv`).

Where they come from, in order: the shipped files (the defaults), then every `*.csv` in the data
directory's `mappings/genesis/` (USER_DIR), then each `--mapping FILE` of the command. A table
whose column paths a later level lists is *replaced* there: the earlier levels' lines that read
it are dropped (its shipped indicators too, unless the new file maps them again). Lines that
read a table the later level does not list are added (a new indicator from a known table).
Every fault of a file is reported at once, by file, row and column (`MappingError`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geodata.report import LoadError, Problem
from indicators.genesis import CODE

DATA = Path(__file__).parent / "data"
MAPPING = DATA / "genesis_mapping.csv"
TABLES = DATA / "genesis_tables.csv"
KREIS_ROWS = DATA / "genesis_kreis_rows.csv"
SHIPPED = (TABLES, MAPPING, KREIS_ROWS)
SHIPPED_DIR = DATA
# Under the data directory (setting DATA_DIR): the office's own mapping files.
USER_DIR = Path("mappings") / "genesis"
KINDS = ("count", "ratio", "mean", "balance", "published")
KIND_HELP = (
    "count (Anzahl: Summe der Zählerspalten), ratio (Zähler / Nenner × factor), mean "
    "(Mittelwert, gewichtet mit der Nennerspalte), balance (Zähler − minus, je Nenner × "
    "factor), published (eine veröffentlichte Quote, nur aus eigenen Zeilen)"
)
COLUMNS = {
    "tables": ("table", "label"),
    "mapping": (
        "indicator",
        "kind",
        "numerator",
        "minus",
        "denominator",
        "factor",
        "denominator_year_offset",
        "row_filter",
        "years",
    ),
    "kreis_rows": ("gemeinde_column", "kreis_column", "years"),
}
REQUIRED = {
    "tables": ("table", "label"),
    "mapping": ("indicator", "kind", "numerator", "factor"),
    "kreis_rows": ("gemeinde_column", "kreis_column"),
}
INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]*$")
YEARS = re.compile(r"^(\d{4})?\s*-\s*(\d{4})?$|^(\d{4})$")


class MappingError(LoadError):
    """A mapping file with faults: every one named by file, row and column; nothing loaded."""


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
    file: str = str(MAPPING)

    def tables(self) -> list[str]:
        """Every table this line reads, in order of first use."""
        out: list[str] = []
        for t in (*self.numerator, *self.minus, *self.denominator):
            if t.table not in out:
                out.append(t.table)
        return out


@dataclass(frozen=True)
class KreisRow:
    """A Kreis table column whose rows are the values of a Gemeinde column's Kreise."""

    gemeinde: Term
    kreis: Term
    years: tuple[int, int] | None
    line: int
    file: str = str(KREIS_ROWS)

    def tables(self) -> list[str]:
        """The two tables of the pair."""
        return [self.gemeinde.table, self.kreis.table]


@dataclass
class MappingFile:
    """What one file says: column paths per table, indicator lines, Kreis row pairs."""

    file: str
    tables: dict[str, list[str]] = field(default_factory=dict)
    table_rows: dict[str, int] = field(default_factory=dict)  # table → its first line
    lines: list[MappingLine] = field(default_factory=list)
    kreis_rows: list[KreisRow] = field(default_factory=list)


@dataclass
class GenesisMapping:
    """The mapping in force: shipped defaults, the data directory's files, --mapping files."""

    tables: dict[str, list[str]]  # table → its column paths, in file order
    table_files: dict[str, str]  # table → the file that lists its column paths
    lines: list[MappingLine]
    kreis_rows: list[KreisRow]
    files: list[str]  # every file read, in order
    replaced: dict[str, str] = field(default_factory=dict)  # table → file that replaced it
    user_dir: Path | None = None  # the data directory's mapping folder (for messages)

    def knows(self, code: str) -> bool:
        """Whether the table's column paths are in the mapping."""
        return code in self.tables

    def lines_of(self, code: str) -> list[MappingLine]:
        """The indicator lines that read this table."""
        return [m for m in self.lines if code in m.tables()]


def _years(
    raw: str, file: str, line: int, col: str, problems: list[Problem]
) -> tuple[int, int] | None:
    """'2012-2016' → (2012, 2016); '2012-' from 2012 on; '-2010' up to 2010; '2015' that year;
    empty → None (every year of the table)."""
    raw = raw.strip()
    if not raw:
        return None
    m = YEARS.match(raw)
    if m and m.group(3):
        return int(m.group(3)), int(m.group(3))
    if m and (m.group(1) or m.group(2)):
        first, last = int(m.group(1) or 0), int(m.group(2) or 9999)
        if first <= last:
            return first, last
    problems.append(
        Problem(file, line, col, f"{raw!r}: erwartet z. B. 2012-2016, 2012- (ab 2012) oder 2015")
    )
    return None


def _terms(raw: str, file: str, line: int, col: str, problems: list[Problem]) -> list[Term]:
    out = []
    for part in (p.strip() for p in raw.split(" + ")) if raw.strip() else []:
        table, sep, label = part.partition(":")
        table, label = table.strip(), label.strip()
        if not sep or not label:
            problems.append(
                Problem(
                    file,
                    line,
                    col,
                    f"kein 'Tabelle:Spaltenpfad': {part!r}",
                    None,
                    "z. B. 12411-01-01-5-B:Insgesamt; mehrere mit ' + '",
                )
            )
            continue
        if not CODE.match(table):
            problems.append(
                Problem(
                    file,
                    line,
                    col,
                    f"{table!r} ist kein GENESIS-Tabellencode",
                    None,
                    "z. B. 12411-01-01-5-B",
                )
            )
            continue
        out.append(Term(table, label))
    return out


def _blocks(path: Path, problems: list[Problem]) -> list[list[tuple[int, list[str]]]]:
    """The file's blocks (split at empty lines, comments left out): (line number, cells)."""
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        problems.append(Problem(name, None, None, f"Datei nicht lesbar: {exc}"))
        return []
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                name, None, None, f"nicht UTF-8 (Byte an Stelle {exc.start}): als UTF-8 speichern"
            )
        )
        return []
    blocks: list[list[tuple[int, list[str]]]] = [[]]
    for n, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if line.lstrip().startswith("#"):
            continue
        if not line.replace(";", "").strip():
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append((n, next(csv.reader([line], delimiter=";"))))
    return [b for b in blocks if b]


def _kind_of(header: list[str]) -> str | None:
    names = set(header)
    if "indicator" in names:
        return "mapping"
    if "gemeinde_column" in names or "kreis_column" in names:
        return "kreis_rows"
    if "table" in names or "label" in names:
        return "tables"
    return None


def read_mapping_file(path: Path) -> MappingFile:
    """One mapping file (any of its three kinds of blocks), or MappingError naming every fault."""
    name = str(path)
    problems: list[Problem] = []
    out = MappingFile(name)
    for block in _blocks(Path(path), problems):
        (hn, raw_header), rows = block[0], block[1:]
        header = [h.strip().lower() for h in raw_header]
        kind = _kind_of(header)
        if kind is None:
            forms = " | ".join(";".join(c) for c in COLUMNS.values())
            hint = (
                " (Trennzeichen ist ';')" if len(raw_header) == 1 and "," in raw_header[0] else ""
            )
            problems.append(
                Problem(
                    name,
                    hn,
                    None,
                    f"Kopfzeile nicht erkannt: {';'.join(raw_header)[:80]!r}{hint}",
                    None,
                    forms,
                )
            )
            continue
        bad = [h for h in header if h and h not in COLUMNS[kind]]
        missing = [c for c in REQUIRED[kind] if c not in header]
        for h in bad:
            problems.append(
                Problem(name, hn, h, "unbekannte Spalte", None, ";".join(COLUMNS[kind]))
            )
        for c in missing:
            problems.append(Problem(name, hn, c, "Spalte fehlt", None, ";".join(COLUMNS[kind])))
        if bad or missing:
            continue
        for n, cells in rows:
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                problems.append(
                    Problem(
                        name,
                        n,
                        None,
                        f"{len(cells)} Felder, die Kopfzeile hat {len(header)} (ein ';' zu viel?)",
                    )
                )
                continue
            r = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
            if kind == "tables":
                _table_row(out, r, n, problems)
            elif kind == "mapping":
                _mapping_row(out, r, n, problems)
            else:
                _kreis_row(out, r, n, problems)
    if problems:
        raise MappingError(problems)
    return out


def _table_row(out: MappingFile, r: dict[str, str], n: int, problems: list[Problem]) -> None:
    table, label = r["table"], r["label"]
    if not CODE.match(table):
        problems.append(
            Problem(
                out.file,
                n,
                "table",
                f"{table!r} ist kein GENESIS-Tabellencode",
                None,
                "z. B. 12411-01-01-5-B",
            )
        )
        return
    if not label:
        problems.append(
            Problem(out.file, n, "label", "leer: der Spaltenpfad, wie sozmon inspect ihn zeigt")
        )
        return
    labels = out.tables.setdefault(table, [])
    out.table_rows.setdefault(table, n)
    if label in labels:
        problems.append(Problem(out.file, n, "label", f"{label!r} doppelt für Tabelle {table}"))
        return
    labels.append(label)


def _mapping_row(out: MappingFile, r: dict[str, str], n: int, problems: list[Problem]) -> None:
    name = out.file
    before = len(problems)
    indicator, kind = r["indicator"], r["kind"]
    if not indicator:
        problems.append(
            Problem(
                name,
                n,
                "indicator",
                "leer: die Kennung einer Kennzahl des "
                "Katalogs eintragen (Liste: /kennzahlen) oder die Zeile löschen",
            )
        )
    elif not INDICATOR_ID.match(indicator):
        problems.append(
            Problem(
                name,
                n,
                "indicator",
                f"{indicator!r} ist keine Kennung",
                None,
                "Kleinbuchstaben, Ziffern, '_', z. B. bev_insgesamt",
            )
        )
    if kind not in KINDS:
        what = "leer" if not kind else repr(kind)
        problems.append(
            Problem(name, n, "kind", f"{what}: eine von {', '.join(KINDS)}", None, KIND_HELP)
        )
    num = _terms(r["numerator"], name, n, "numerator", problems)
    minus = _terms(r.get("minus", ""), name, n, "minus", problems)
    den = _terms(r.get("denominator", ""), name, n, "denominator", problems)
    if not r["numerator"]:
        problems.append(Problem(name, n, "numerator", "leer: Tabelle:Spaltenpfad des Zählers"))
    if kind in ("ratio", "mean", "balance") and not den and not r.get("denominator"):
        problems.append(Problem(name, n, "denominator", f"leer, aber für {kind!r} nötig"))
    if kind == "published" and (len(num) != 1 or den or minus):
        problems.append(
            Problem(name, n, "numerator", "'published' liest genau eine Spalte, sonst nichts")
        )
    if kind == "count" and den:
        problems.append(Problem(name, n, "denominator", "'count' hat keinen Nenner"))
    factor, offset = 1.0, 0
    raw_factor = r["factor"].replace(",", ".")
    try:
        factor = float(raw_factor)
    except ValueError:
        what = "leer" if not raw_factor else f"keine Zahl: {r['factor']!r}"
        problems.append(Problem(name, n, "factor", what, None, "1, 100 für %, 1000 für ‰"))
    raw_offset = r.get("denominator_year_offset", "")
    try:
        offset = int(raw_offset or 0)
    except ValueError:
        problems.append(
            Problem(
                name,
                n,
                "denominator_year_offset",
                f"keine ganze Zahl: {raw_offset!r}",
                None,
                "0 oder -1 (Vorjahr)",
            )
        )
    years = _years(r.get("years", ""), name, n, "years", problems)
    if len(problems) > before:
        return
    out.lines.append(
        MappingLine(
            indicator,
            kind,
            num,
            minus,
            den,
            factor,
            offset,
            r.get("row_filter") or None,
            n,
            years,
            name,
        )
    )


def _kreis_row(out: MappingFile, r: dict[str, str], n: int, problems: list[Problem]) -> None:
    name = out.file
    before = len(problems)
    gem = _terms(r["gemeinde_column"], name, n, "gemeinde_column", problems)
    kreis = _terms(r["kreis_column"], name, n, "kreis_column", problems)
    years = _years(r.get("years", ""), name, n, "years", problems)
    if len(problems) > before:
        return
    if len(gem) != 1 or len(kreis) != 1:
        problems.append(Problem(name, n, None, "je genau eine Gemeinde- und Kreisspalte"))
        return
    out.kreis_rows.append(KreisRow(gem[0], kreis[0], years, n, name))


def user_files(data_dir: Path | None) -> list[Path]:
    """The data directory's mapping files (DATA_DIR/mappings/genesis/*.csv), sorted by name."""
    if data_dir is None:
        return []
    folder = data_dir / USER_DIR
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


def load_mapping(
    data_dir: Path | None = None,
    extra: Sequence[Path] = (),
    *,
    shipped: Sequence[Path] = SHIPPED,
) -> GenesisMapping:
    """The mapping in force: the shipped files, then DATA_DIR/mappings/genesis/*.csv, then the
    `extra` files (--mapping), each level replacing the tables it lists (module docstring).

    MappingError names every fault of every file: a line that cannot be read, a table or column
    path a line names that no `table;label` line lists, a table listed differently by two files
    of one level.
    """
    levels = [list(shipped), user_files(data_dir), list(extra)]
    problems: list[Problem] = []
    read: list[list[MappingFile]] = []
    for files in levels:
        got = []
        for f in files:
            try:
                got.append(read_mapping_file(Path(f)))
            except MappingError as err:
                problems += err.problems
        read.append(got)
    if problems:
        raise MappingError(problems)
    tables: dict[str, list[str]] = {}
    table_files: dict[str, str] = {}
    owner: dict[str, int] = {}
    replaced: dict[str, str] = {}
    for level, files_read in enumerate(read):
        here: dict[str, MappingFile] = {}
        for mf in files_read:
            for code, labels in mf.tables.items():
                other = here.get(code)
                if other is not None and other.tables[code] != labels:
                    problems.append(
                        Problem(
                            mf.file,
                            mf.table_rows[code],
                            "label",
                            f"Tabelle {code} hat hier andere Spaltenpfade als in {other.file}"
                            " (Zeile {}): eine der beiden Listen entfernen".format(
                                other.table_rows[code]
                            ),
                        )
                    )
                here.setdefault(code, mf)
        for code, mf in here.items():
            if code in owner:
                replaced[code] = mf.file
            tables[code], table_files[code], owner[code] = mf.tables[code], mf.file, level
    lines: list[MappingLine] = []
    pairs: list[KreisRow] = []
    for level, files_read in enumerate(read):
        for mf in files_read:
            # A line of an earlier level that reads a table a later level lists anew was made
            # for the old header: it goes (the later file maps the table as it wants).
            lines += [m for m in mf.lines if all(owner.get(t, level) <= level for t in m.tables())]
            pairs += [
                p for p in mf.kreis_rows if all(owner.get(t, level) <= level for t in p.tables())
            ]
    for m in lines:
        for col, terms in (
            ("numerator", m.numerator),
            ("minus", m.minus),
            ("denominator", m.denominator),
        ):
            problems += _term_problems(terms, tables, m.file, m.line, col)
    for p in pairs:
        problems += _term_problems([p.gemeinde], tables, p.file, p.line, "gemeinde_column")
        problems += _term_problems([p.kreis], tables, p.file, p.line, "kreis_column")
    if problems:
        raise MappingError(problems)
    names = [mf.file for files_read in read for mf in files_read]
    folder = data_dir / USER_DIR if data_dir is not None else None
    return GenesisMapping(tables, table_files, lines, pairs, names, replaced, folder)


def _term_problems(
    terms: Iterable[Term], tables: dict[str, list[str]], file: str, line: int, col: str
) -> list[Problem]:
    out = []
    for t in terms:
        if t.table not in tables:
            out.append(
                Problem(
                    file,
                    line,
                    col,
                    f"Tabelle {t.table} hat keine Spaltenliste: ihre "
                    "'table;label'-Zeilen fehlen (sozmon inspect DATEI schreibt sie)",
                )
            )
        elif t.label not in tables[t.table]:
            known = "; ".join(tables[t.table][:8]) + (" …" if len(tables[t.table]) > 8 else "")
            out.append(
                Problem(
                    file,
                    line,
                    col,
                    f"Spaltenpfad {t.label!r} gibt es in Tabelle {t.table} nicht",
                    None,
                    known,
                )
            )
    return out
