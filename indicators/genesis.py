"""Read Regionalstatistik (GENESIS) CSV exports exactly as published: header, keys, values, footer.

Pure parsing, no Flask and no database: `parse_genesis` turns one export into a `GenesisTable`
of cells keyed by normalised AGS, or raises `GenesisError` listing every problem found.
docs/genesis.md describes the format and every rule applied here.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal, NamedTuple, NoReturn

from geodata.report import LoadError, Problem

FOOTER_LINE = re.compile(r"^_{10,};*\s*$")
CODE_LINE = re.compile(r"^GENESIS-Tabelle: (\S+)$")
# 12411-01-01-5-B: statistic, table number, regional depth (4 = Kreise, 5 = Gemeinden), variant.
CODE = re.compile(r"^\d{5}-\d{2}-\d{2}-(\d)(?:-[A-Z])?$")
TABLE_LEVELS = {"4": "kreis", "5": "gemeinde"}
PERIOD = re.compile(r"^(?:(\d{2})\.(\d{2})\.)?(\d{4})$")
# A title line holding only the table's period, e.g. "31.12.2015", "2015" or "Jahr: 2016".
TITLE_PERIOD = re.compile(r"^(?:(?:Jahr|Stichtag|Berichtsjahr|Schuljahr)\s*:\s*)?([\d.]+)$")
STICHTAG = re.compile(r"Stichtag\s+(\d{1,2}\.\d{1,2}\.(?:\d{4})?)")
STAND = re.compile(r"^Stand:\s*(.*)$")
# Unit rows ("Anzahl", "qkm", "Jahre", "EUR", "1000 qm") close some headers; they are not part
# of a column's path (see docs/genesis.md).
UNITS = frozenset(
    {
        "Anzahl",
        "qkm",
        "Jahre",
        "EUR",
        "1000 qm",
        "%",
        "Prozent",
        "Tsd.",
        "1000",
        "1000 EUR",
        "Tsd. EUR",
        "ha",
        "km",
        "qm",
        "m²",
        "Tage",
        "Personen",
    }
)
# GENESIS special values: value (None = no value) and flag kept with the cell.
SPECIAL = {
    "-": (0.0, "-"),
    ".": (None, "."),
    "x": (None, "x"),
    "/": (None, "/"),
    "...": (None, "..."),
}
SPECIAL_MEANING = {
    "-": "nichts vorhanden (0)",
    ".": "Zahlenwert unbekannt oder geheim zu halten",
    "x": "Tabellenfach gesperrt, weil Aussage nicht sinnvoll",
    "/": "keine Angabe, da Zahlenwert nicht sicher genug",
    "...": "Angabe fällt später an",
}
NUMBER = re.compile(r"^-?\d+(?:,\d+)?$")
THOUSANDS = re.compile(r"^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
SPACED = re.compile(r"\d[\s\u00a0\u202f\u2009]+\d")
SAMTGEMEINDE_NAME = re.compile(r"(,\s*(Samtgemeinde|Verbandsgem(\.|einde)?)$)|^Samtgemeinde\s")
MAX_PROBLEMS = 100


@dataclass(frozen=True)
class GenesisProblem(Problem):
    """One reason to refuse a file; row and column are 1-based as a spreadsheet shows them.

    A Problem (same fields, text and plain-data form) whose column is a number, never a name;
    no sheet and no expected value.
    """

    column: int | None

    def to_problem(self) -> Problem:
        """The same as a geodata.report.Problem (column as text), for the import report."""
        col = None if self.column is None else str(self.column)
        return Problem(self.file, self.row, col, self.message, None, self.expected)


class GenesisError(LoadError):
    """Raised with every problem found in a GENESIS export; nothing of it is usable."""

    def __init__(self, problems: list[GenesisProblem]):
        # A copy typed as LoadError's list[Problem] (a list of the subclass is not one).
        super().__init__(list[Problem](problems))


@dataclass(frozen=True)
class GenesisColumn:
    """One value column: its path through the header rows (period and unit rows left out)."""

    index: int  # 0-based CSV column
    path: tuple[str, ...]
    label: str  # " / ".join(path)
    unit: str | None = None  # from the unit row ("Anzahl", "qkm", …) if the header has one
    period: str | None = None  # from a period header row (wide tables with several periods)


class GenesisCell(NamedTuple):
    """One value of one Gemeinde or Kreis, period and column, after twin rows are combined.

    A NamedTuple (immutable like the frozen dataclass it was): a table has up to 720,000 cells,
    and a tuple is made (and unpickled from the parse cache) about three times as fast.
    """

    key: str  # raw key of the row the value was taken from
    ags: str  # 8-digit Gemeinde AGS or 5-digit Kreis key
    level: str  # "gemeinde" | "kreis"
    name: str
    year: int
    period: str  # as written in the file
    column: GenesisColumn
    sex: str | None  # long layout: value of the 4th label column (sex or kind of care)
    value: float | None  # None where the file has no value ('.', 'x', '/', '...')
    flag: str | None  # None for numbers, else the special value as written
    row: int  # 1-based line of the file


@dataclass
class GenesisTable:
    """Everything read from one GENESIS export."""

    file: str
    code: str
    title: list[str]
    statistic: str
    stichtag: str | None
    layout: str  # "wide" | "long"
    level: str  # "gemeinde" | "kreis" (from the table code; cells carry their own level)
    columns: list[GenesisColumn]
    periods: list[str]
    years: list[int]
    cells: list[GenesisCell]
    footer: str
    stand: str | None
    skipped: list[tuple[str, str, str]]
    integer_table: bool
    measure: str | None = None  # title line naming the measure, e.g. "Bevölkerungsstand (Anzahl)"
    header_rows: list[list[str]] = field(default_factory=list)  # raw header rows, label cells cut
    label_columns: int = 2  # leading columns that are not values (key, name; period, extra)
    row_labels: list[str] = field(default_factory=list)  # long layout: values of the 4th column
    data_rows: int = 0  # data lines in the file (before twin rows are combined)
    twins: dict[str, tuple[str, ...]] = field(default_factory=dict)  # AGS → raw keys, if > 1

    @property
    def labels(self) -> list[str]:
        """Distinct column labels in file order (one per variable, periods folded)."""
        return list(dict.fromkeys(c.label for c in self.columns))


class _Problems:
    """Collects problems up to MAX_PROBLEMS; counts the rest."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[GenesisProblem] = []
        self.more = 0

    def add(self, row: int | None, column: int | None, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(GenesisProblem(self.file, row, column, message))
        else:
            self.more += 1

    def error(self) -> GenesisError:
        """Every problem found so far, the ones over MAX_PROBLEMS counted in a last one."""
        items = list(self.items)
        if self.more:
            items.append(GenesisProblem(self.file, None, None, f"… und {self.more} weitere"))
        return GenesisError(items)

    def raise_if_any(self) -> None:
        if self.items:
            raise self.error()

    def refuse(self, row: int | None, column: int | None, message: str) -> NoReturn:
        """Add a problem and raise every problem found so far."""
        self.add(row, column, message)
        raise self.error()


def period_year(period: str) -> int | None:
    """Year of a GENESIS period ('31.12.2015', '2015'); None if it is not a valid period."""
    m = PERIOD.match(period)
    if not m:
        return None
    year = int(m.group(3))
    if not 1900 <= year <= 2100:
        return None
    if m.group(1):
        try:
            date(year, int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    return year


# classify_key's answer: a Gemeinde or Kreis and its AGS, or no area and why not.
AreaKey = tuple[Literal["gemeinde", "kreis"], str, None]
NoAreaKey = tuple[Literal["skip", "unknown"], None, str]
# A value cell parsed: (value, flag, is_integer); see _parse_value.
Parsed = tuple[float | None, str | None, bool]
# A period of the file and its year.
Dated = tuple[str, int]


def _dated(period: str | None) -> Dated | None:
    """(period, year) of a valid GENESIS period, else None."""
    year = None if period is None else period_year(period)
    return None if period is None or year is None else (period, year)


def _wide_periods(columns: list[GenesisColumn], title_period: str | None) -> list[Dated] | None:
    """Per value column of a wide table, its period and year: from the period header row, else
    the title's period; None if a column has neither."""
    title = _dated(title_period)
    out = []
    for col in columns:
        dated = _dated(col.period) or title
        if dated is None:
            return None
        out.append(dated)
    return out


def classify_key(
    key: str, name: str, table_level_hint: str | None, verband_keys: frozenset[str] | None = None
) -> AreaKey | NoAreaKey:
    """(kind, ags, skip_reason) of a row key; kind 'gemeinde'/'kreis', 'skip' or 'unknown'.

    verband_keys: the 8-digit prefixes of the file's 11-digit keys (`verband_prefixes`); an
    8-digit key is a Samtgemeinde exactly when members of it appear. Without it (None), an
    8-digit key named like a Samtgemeinde counts as one. For 'unknown', skip_reason says why.
    """
    if not key.isdigit() or not key.isascii():
        return "unknown", None, f"Schlüssel {key!r} ist keine Ziffernfolge"
    n = len(key)
    if n == 5:
        if key.startswith("11") and key != "11000":
            return "skip", None, "Berliner Bezirk (Teil von 11000000 Berlin)"
        if table_level_hint == "gemeinde":
            return "unknown", None, f"5-stelliger Kreisschlüssel {key} in einer Gemeindetabelle"
        return "kreis", key, None
    if n == 8:
        if verband_keys is None:
            is_verband = bool(SAMTGEMEINDE_NAME.search(name))
        else:
            is_verband = key in verband_keys
        if is_verband:
            return "skip", None, "Gemeindeverband (Samtgemeinde): Summe seiner Mitgliedsgemeinden"
        return "gemeinde", key, None
    if n == 7 and table_level_hint != "kreis":
        return "skip", None, "Gemeindeverband (Verbandsgemeinde): Summe seiner Mitgliedsgemeinden"
    if n in (10, 11) and table_level_hint != "kreis":
        return "gemeinde", key[:5] + key[-3:], None
    return "unknown", None, f"Schlüssel {key} mit {n} Ziffern: Gebietsebene unbekannt"


def verband_prefixes(keys: set[str] | list[str]) -> frozenset[str]:
    """8-digit Samtgemeinde keys: the first 8 digits of the 11-digit member keys."""
    return frozenset(k[:8] for k in keys if len(k) == 11)


def _parse_value(raw: str) -> Parsed | str:
    """(value, flag, is_integer) of a cell, or a German message why it is not a value."""
    special = SPECIAL.get(raw)
    if special is not None:
        return special[0], special[1], True
    if NUMBER.match(raw):
        if "," in raw:
            return float(raw.replace(",", ".")), None, False
        return float(raw), None, True
    if raw == "":
        return "Zelle ist leer (GENESIS schreibt '-', '.', 'x', '/' oder '...')"
    if THOUSANDS.match(raw):
        return (
            f"Zahl mit Tausenderpunkt {raw!r}: GENESIS schreibt Zahlen ohne Trennzeichen, "
            "der Wert ist mehrdeutig (Datei nachbearbeitet?)"
        )
    if SPACED.search(raw):
        return f"Leerzeichen in Zahl {raw!r}: mehrdeutig, Datei nachbearbeitet?"
    if re.fullmatch(r"-?\d+\.\d+", raw):
        return f"Dezimalpunkt in {raw!r}: GENESIS schreibt Dezimalkomma"
    return f"keine Zahl und kein GENESIS-Sonderzeichen (-, ., x, /, ...): {raw!r}"


def _decode(raw: bytes) -> str:
    """UTF-8 (the published copies), else Windows-1252 (GENESIS' own download encoding)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")  # UnicodeDecodeError for bytes undefined there


def is_genesis(path_or_text: Path | str) -> bool:
    """True if the file (or text) starts with the line 'GENESIS-Tabelle: …'."""
    if isinstance(path_or_text, str) and (
        "\n" in path_or_text or path_or_text.lstrip("\ufeff").startswith("GENESIS-Tabelle:")
    ):
        head = path_or_text
    else:
        try:
            with open(path_or_text, "rb") as fh:
                head = fh.read(64).decode("utf-8", "ignore")
        except OSError:
            return False
    return head.lstrip("\ufeff").startswith("GENESIS-Tabelle:")


def _split_footer(text: str, probs: _Problems) -> tuple[str, list[str]]:
    """Body text (up to the '__________' line) and the footer lines after it."""
    # Split on "\n" only, as the CSV reader counts lines (splitlines() also splits on U+2028 …).
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        if FOOTER_LINE.match(line):
            return "\n".join(lines[:i]), lines[i + 1 :]
    probs.add(None, None, "Fußzeile fehlt: keine Zeile '__________' (Datei abgeschnitten?)")
    return text, []


def _footer(lines: list[str]) -> tuple[str, str | None]:
    """Footer text (notes and licence, quotes undone) and the 'Stand' of the export."""
    parts: list[str] = []
    stand = None
    for cells in csv.reader(io.StringIO("\n".join(lines)), delimiter=";"):
        text = ";".join(cells).rstrip(";")
        if m := STAND.match(text):
            stand = m.group(1).strip()
        if text.strip():
            parts.append(text)
    return "\n".join(parts), stand


@dataclass
class _Head:
    code: str = ""
    level: str = ""
    title: list[str] = field(default_factory=list)
    statistic: str = ""
    measure: str | None = None
    title_period: str | None = None
    stichtag: str | None = None


def _read_title(titles: list[tuple[int, str]], head: _Head, probs: _Problems) -> None:
    """Split the title lines into title, statistic, measure and period."""
    lines = [t for _, t in titles]
    at = next((i for i, t in enumerate(lines) if "regionale ebenen" in t.lower()), None)
    if at is None:
        probs.add(
            titles[0][0] if titles else 2,
            1,
            "Kopf verändert: keine Titelzeile mit 'regionale Ebenen'",
        )
        return
    j = at + 1
    while j < len(lines) and lines[j].startswith("(") and lines[j].endswith(")"):
        j += 1
    head.title = lines[:j]
    if j >= len(lines):
        probs.add(titles[-1][0], 1, "Kopf verändert: Zeile mit der Statistik fehlt")
        return
    head.statistic = lines[j]
    rest = []
    for row, line in titles[j + 1 :]:
        if m := TITLE_PERIOD.match(line):
            if head.title_period is not None or period_year(m.group(1)) is None:
                probs.add(row, 1, f"Zeitraum nicht lesbar: {line!r}")
            else:
                head.title_period = m.group(1)
        else:
            rest.append(line)
    head.measure = " ".join(rest) or None
    if m := STICHTAG.search(" ".join(head.title)):
        head.stichtag = m.group(1)


def _split_rows(
    rows: list[tuple[int, list[str]]], probs: _Problems
) -> tuple[list[tuple[int, str]], list[tuple[int, list[str]]], list[tuple[int, list[str]]], int]:
    """Title lines, header rows and data rows of the body; the width of the table."""
    width = len(rows[1][1]) if len(rows) > 1 else 0
    titles: list[tuple[int, str]] = []
    headers: list[tuple[int, list[str]]] = []
    data: list[tuple[int, list[str]]] = []
    for line_no, cells in rows[1:]:
        if len(cells) != width:
            what = "Datenzeile" if data else "Kopfzeile"
            probs.add(line_no, None, f"{what} hat {len(cells)} statt {width} Felder")
            continue
        if cells[0] != "" and not any(cells[1:]):
            if headers or data:
                probs.add(line_no, 1, f"unerwartete Titelzeile {cells[0]!r} nach dem Spaltenkopf")
            else:
                titles.append((line_no, cells[0]))
        elif cells[0] == "" and not data:
            headers.append((line_no, cells))
        elif cells[0] == "":
            probs.add(line_no, 1, "Datenzeile ohne Schlüssel oder Zeitraum in Spalte 1")
        else:
            if not headers and not data:
                probs.add(line_no, 1, "Kopf verändert: Datenzeile vor dem Spaltenkopf")
            data.append((line_no, cells))
    return titles, headers, data, width


def _header(
    titles: list[tuple[int, str]],
    headers: list[tuple[int, list[str]]],
    width: int,
    head: _Head,
    probs: _Problems,
    data_rows: int | None = None,
) -> tuple[list[GenesisColumn], int, str, list[Dated]]:
    """The title and column heads read into `head`: the value columns, the number of label
    columns, the layout and (wide) each value column's period. Raises with every problem found so
    far (those of the rows too), as the header peek and the full parse both need; `data_rows`
    None: not counted (the peek stops before the data), 0: a table without data is refused."""
    if not titles:
        probs.add(2, 1, "Kopf verändert: keine Titelzeilen")
    if not headers:
        probs.add(None, None, "Kopf verändert: keine Spaltenkopfzeilen")
    if data_rows == 0:
        probs.add(None, None, "keine Datenzeilen")
    probs.raise_if_any()
    _read_title(titles, head, probs)
    columns, labels = _columns(headers, width, probs)
    probs.raise_if_any()
    layout = "wide" if labels == 2 else "long"
    col_dates = _wide_periods(columns, head.title_period) if layout == "wide" else []
    if col_dates is None:
        probs.refuse(
            headers[0][0],
            None,
            "Zeitraum nicht lesbar: weder eine Kopfzeile mit "
            "Zeiträumen noch eine Titelzeile mit dem Zeitraum",
        )
    return columns, labels, layout, col_dates or []


def _columns(
    headers: list[tuple[int, list[str]]], width: int, probs: _Problems
) -> tuple[list[GenesisColumn], int]:
    """Value columns named by their header paths; the number of leading label columns."""

    def lead(cells: list[str]) -> int:
        return next((i for i, c in enumerate(cells) if c != ""), len(cells))

    labels = min(lead(c) for _, c in headers)
    if labels not in (2, 3, 4) or labels >= width:
        probs.add(
            headers[0][0],
            None,
            f"Spaltenkopf nicht lesbar: {labels} führende leere Felder (erwartet 2 für "
            "Schlüssel und Name, 3 oder 4 für Zeitraum, Schlüssel, Name[, Merkmal])",
        )
        return [], labels
    path_rows = list(headers)
    period_row = unit_row = None
    if labels == 2:
        for entry in path_rows:
            vals = entry[1][labels:]
            # Mostly periods: the period row, whose every cell must then be one.
            if sum(bool(PERIOD.match(v)) for v in vals) * 2 > len(vals):
                period_row = entry
                path_rows.remove(entry)
                for c, v in enumerate(vals, start=labels):
                    if period_year(v) is None:
                        probs.add(entry[0], c + 1, f"Zeitraum nicht lesbar: {v!r}")
                break
    last = path_rows[-1][1][labels:] if path_rows else []
    if len(path_rows) > 1 and any(last) and all(v in UNITS for v in last if v):
        unit_row = path_rows.pop()
    cols = []
    for c in range(labels, width):
        path = tuple(cells[c] for _, cells in path_rows if cells[c] != "")
        if not path:
            probs.add(headers[0][0], c + 1, "Spalte ohne Überschrift")
            continue
        unit = unit_row[1][c] or None if unit_row else None
        period = period_row[1][c] if period_row else None
        cols.append(GenesisColumn(c, path, " / ".join(path), unit, period))
    # A path must name one column per period; the unit may tell two apart.
    seen: dict[tuple[str | None, tuple[str, ...]], GenesisColumn] = {}
    for i, col in enumerate(cols):
        k = (col.period, col.path)
        if k in seen:
            other = seen[k]
            if col.unit and other.unit and col.unit != other.unit:
                cols[i] = GenesisColumn(
                    col.index,
                    (*col.path, col.unit),
                    " / ".join((*col.path, col.unit)),
                    col.unit,
                    col.period,
                )
                j = cols.index(other)
                cols[j] = GenesisColumn(
                    other.index,
                    (*other.path, other.unit),
                    " / ".join((*other.path, other.unit)),
                    other.unit,
                    other.period,
                )
            else:
                probs.add(
                    headers[0][0],
                    col.index + 1,
                    f"Spaltenkopf nicht eindeutig: {col.label!r} wie Spalte {other.index + 1}",
                )
        seen[k] = col
    return cols, labels


def _read_text(path: Path | str) -> str:
    """The file's text (UTF-8 or Windows-1252), or GenesisError naming why it cannot be read."""
    name = str(path)
    try:
        return _decode(Path(path).read_bytes()).lstrip("\ufeff")
    except OSError as exc:
        raise GenesisError(
            [GenesisProblem(name, None, None, f"Datei nicht lesbar: {exc}")]
        ) from None
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start : exc.start + 1].hex().upper()
        msg = (
            f"Zeichenkodierung nicht lesbar: Byte 0x{byte} an Stelle {exc.start} gibt es "
            "weder in UTF-8 noch in Windows-1252"
        )
        raise GenesisError([GenesisProblem(name, None, None, msg)]) from None


def _code_line(text: str, name: str, probs: _Problems) -> _Head:
    """The table code of line 1 and the level it names (GenesisError if line 1 is no code)."""
    first = text.split("\n", 1)[0].rstrip("\r").rstrip(";")
    m = CODE_LINE.match(first)
    if not m:
        raise GenesisError(
            [
                GenesisProblem(
                    name,
                    1,
                    1,
                    "Kopf verändert: erste Zeile ist nicht 'GENESIS-Tabelle: <Code>' "
                    f"(gefunden: {first[:60]!r})",
                )
            ]
        )
    head = _Head(code=m.group(1))
    cm = CODE.match(head.code)
    if not cm or cm.group(1) not in TABLE_LEVELS:
        probs.add(1, 1, f"Tabellencode {head.code!r} nicht lesbar (erwartet z. B. 12411-01-01-5-B)")
    else:
        head.level = TABLE_LEVELS[cm.group(1)]
    return head


def table_code(path: Path | str) -> str | None:
    """The table code on line 1 of a GENESIS export (None if line 1 names none): a few bytes
    read, nothing parsed."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(512)
    except OSError:
        return None
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        line = first.decode("cp1252", "replace")
    m = CODE_LINE.match(line.rstrip("\r\n").rstrip(";"))
    return m.group(1) if m else None


@dataclass(frozen=True)
class GenesisHead:
    """What the lines above the first data row say: code, title, layout and column paths.

    Read by `read_head` without touching the data rows (a few milliseconds for any file), so
    that a table can be checked against the mapping before the whole file is parsed.
    """

    file: str
    code: str
    level: str
    title: list[str]
    statistic: str
    measure: str | None
    stichtag: str | None
    title_period: str | None
    layout: str  # "wide" | "long"
    label_columns: int
    columns: list[GenesisColumn]
    header_row: int  # first header row, 1-based as a spreadsheet numbers it

    @property
    def labels(self) -> list[str]:
        """Distinct column labels in file order (one per variable, periods folded)."""
        return list(dict.fromkeys(c.label for c in self.columns))


def read_head(path: Path | str, text: str | None = None) -> GenesisHead:
    """Table code, title lines and header rows of one export, checked as parse_genesis checks
    them; the data rows are not read. GenesisError for a header parse_genesis would refuse."""
    name = str(path)
    probs = _Problems(name)
    text = _read_text(path) if text is None else text.lstrip("\ufeff")
    head = _code_line(text, name, probs)
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    seen_header = False
    try:
        for cells in reader:
            if not cells:
                continue
            rows.append((reader.line_num, cells))
            if len(rows) > 1 and cells[0] == "":
                seen_header = True
            elif seen_header or FOOTER_LINE.match(";".join(cells)):
                break  # the first data row (or the footer): the header is complete
            if len(rows) > 200:
                break
    except csv.Error as exc:
        probs.add(reader.line_num, None, f"CSV nicht lesbar ({exc})")
        probs.raise_if_any()
    if rows and FOOTER_LINE.match(";".join(rows[-1][1])):
        rows.pop()
    titles, headers, _data, width = _split_rows(rows, probs)
    columns, labels, layout, _dates = _header(titles, headers, width, head, probs)
    return GenesisHead(
        file=name,
        code=head.code,
        level=head.level,
        title=head.title,
        statistic=head.statistic,
        measure=head.measure,
        stichtag=head.stichtag,
        title_period=head.title_period,
        layout=layout,
        label_columns=labels,
        columns=columns,
        header_row=headers[0][0],
    )


def parse_genesis(path: Path | str, text: str | None = None) -> GenesisTable:
    """Parse one GENESIS CSV export; raise GenesisError listing every problem found."""
    name = str(path)
    probs = _Problems(name)
    text = _read_text(path) if text is None else text.lstrip("\ufeff")
    head = _code_line(text, name, probs)
    body, footer_lines = _split_footer(text, probs)
    footer, stand = _footer(footer_lines)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=";", strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if cells:
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        probs.add(reader.line_num, None, f"CSV nicht lesbar ({exc})")
        probs.raise_if_any()
    titles, headers, data, width = _split_rows(rows, probs)
    columns, labels, layout, col_dates = _header(titles, headers, width, head, probs, len(data))
    table = GenesisTable(
        file=name,
        code=head.code,
        title=head.title,
        statistic=head.statistic,
        stichtag=head.stichtag,
        layout=layout,
        level=head.level,
        columns=columns,
        periods=[],
        years=[],
        cells=[],
        footer=footer,
        stand=stand,
        skipped=[],
        integer_table=True,
        measure=head.measure,
        label_columns=labels,
        data_rows=len(data),
        header_rows=[cells[labels:] for _, cells in headers],
    )
    _read_data(table, data, head, probs, col_dates)
    probs.raise_if_any()
    return table


# A data row that holds values: (line, raw key, name, its cells parsed).
Member = tuple[int, str, str, list[Parsed]]


def _read_data(
    table: GenesisTable,
    data: list[tuple[int, list[str]]],
    head: _Head,
    probs: _Problems,
    col_dates: list[Dated],
) -> None:
    """Classify keys, parse values, combine twin rows into table.cells.

    col_dates: wide layout, each value column's period and year (`_wide_periods`); long
    layout, [] (each row names its period)."""
    labels, columns, long_ = table.label_columns, table.columns, table.layout == "long"
    key_at = 1 if long_ else 0
    verbands = verband_prefixes({cells[key_at] for _, cells in data})
    kinds: dict[tuple[str, str], AreaKey | NoAreaKey] = {}
    # Long layout: each period as written → (period, year), or None if it is no valid period.
    dates: dict[str, Dated | None] = {}
    # Parsed cell text → (value, flag, is_integer), or why it is no value; most texts repeat.
    values: dict[str, Parsed] = {}
    bad: dict[str, str] = {}
    # (AGS, 4th label, (period, year) of a long table's row) → the rows with values for it.
    groups: dict[tuple[str, str | None, Dated | None], list[Member]] = {}
    skipped: dict[str, tuple[str, str, str]] = {}
    row_labels: dict[str, None] = {}
    for line_no, cells in data:
        dated: Dated | None = None
        if long_:
            period = cells[0]
            if period not in dates:
                dates[period] = _dated(period)
            dated = dates[period]
            if dated is None:
                probs.add(line_no, 1, f"Zeitraum nicht lesbar: {period!r}")
                continue
            if head.title_period and period != head.title_period:
                probs.add(
                    line_no, 1, f"Zeitraum {period!r} widerspricht dem Kopf ({head.title_period!r})"
                )
        key, name = cells[key_at], cells[key_at + 1]
        extra = cells[3] if labels == 4 else None
        if extra is not None:
            row_labels.setdefault(extra)
        kind = kinds.get((key, name))
        if kind is None:
            kind = kinds[(key, name)] = classify_key(key, name, table.level, verbands)
            if kind[0] == "gemeinde" and len(key) == 8 and SAMTGEMEINDE_NAME.search(name):
                probs.add(
                    line_no,
                    key_at + 1,
                    f"Schlüssel {key} heißt {name!r}, aber keine "
                    "Mitgliedsgemeinde nennt ihn: Gemeinde oder Verband?",
                )
        if kind[1] is None:  # no area: a key not understood, or one skipped with a reason
            if kind[0] == "unknown":
                probs.add(line_no, key_at + 1, f"{kind[2]} ({name!r})")
            else:
                skipped.setdefault(key, (key, name, kind[2]))
            continue
        raws = cells[labels:]
        for raw in raws:
            if raw not in values and raw not in bad:
                v = _parse_value(raw)
                if isinstance(v, str):
                    bad[raw] = v
                else:
                    values[raw] = v
        if bad and not bad.keys().isdisjoint(raws):
            for c, raw in enumerate(raws, start=labels):
                if raw in bad:
                    probs.add(line_no, c + 1, bad[raw])
            continue
        parsed = [values[raw] for raw in raws]
        groups.setdefault((kind[1], extra, dated), []).append((line_no, key, name, parsed))
    table.skipped = list(skipped.values())
    table.integer_table = all(v[2] for v in values.values())
    table.row_labels = list(row_labels)
    if probs.items:
        return
    out = table.cells
    append, cell = out.append, GenesisCell
    twins: dict[str, dict[str, None]] = {}
    for (ags, extra, dated), members in groups.items():
        level = "kreis" if len(ags) == 5 else "gemeinde"
        if len(members) > 1:
            twins.setdefault(ags, {}).update(dict.fromkeys(m[1] for m in members))
            picked = _combine(ags, members, columns, probs)
        else:
            picked = [(members[0], v) for v in members[0][3]]
        if dated is not None:  # long layout: the row's period
            period, year = dated
            for col, (m, (value, flag, _)) in zip(columns, picked, strict=True):
                append(cell(m[1], ags, level, m[2], year, period, col, extra, value, flag, m[0]))
        else:  # wide layout: the column's period
            for col, (p, year), (m, (value, flag, _)) in zip(
                columns, col_dates, picked, strict=True
            ):
                append(cell(m[1], ags, level, m[2], year, p, col, extra, value, flag, m[0]))
    table.twins = {a: tuple(k) for a, k in twins.items()}
    if long_:
        # The rows' periods in file order; a table whose every row was skipped has the title's.
        title = _dated(head.title_period)
        periods = dict.fromkeys(d for (_, _, d) in groups if d is not None) or dict.fromkeys(
            [title] if title is not None else []
        )
    else:
        periods = dict.fromkeys(col_dates)
    table.periods = [p for p, _ in periods]
    table.years = sorted({y for _, y in periods})


def _combine(
    ags: str,
    members: list[Member],
    columns: list[GenesisColumn],
    probs: _Problems,
) -> list[tuple[Member, Parsed]]:
    """Per column, the twin row whose value counts and that value.

    A number beats a special value and any special value beats '-' (the Gemeinde was in the
    other Verband that year); two different numbers are a problem naming both rows.
    """
    out = []
    for i, col in enumerate(columns):
        real = [m for m in members if m[3][i][1] is None]
        real = real or [m for m in members if m[3][i][1] != "-"] or members[:1]
        pick = real[0]
        for other in real[1:]:
            if pick[3][i][1] is None and other[3][i][:2] != pick[3][i][:2]:
                probs.add(
                    other[0],
                    col.index + 1,
                    f"Zwillingszeilen widersprechen sich für AGS {ags}: Zeile {pick[0]} "
                    f"({pick[1]}) {_show(pick[3][i])}, Zeile {other[0]} ({other[1]}) "
                    f"{_show(other[3][i])}",
                )
        out.append((pick, pick[3][i]))
    return out


def _show(v: Parsed) -> str:
    """A parsed value as the file wrote it, for messages."""
    value, flag, _ = v
    if flag is not None:
        return repr(flag)
    return f"{value:g}".replace(".", ",")


def describe(table: GenesisTable) -> str:
    """Markdown summary of a parsed table: code, layout, level, years and column paths."""
    levels = sorted({c.level for c in table.cells})
    years = table.years
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    lines = [
        f"### {table.code}: {' '.join(table.title)}",
        "",
        f"- layout **{table.layout}**, table level **{table.level}** (cell levels: "
        f"{', '.join(levels)}), years {span} ({len(years)}: {', '.join(map(str, years))})",
        f"- periods as written: {', '.join(table.periods)}",
        f"- statistic: {table.statistic}"
        + (f"; measure: {table.measure}" if table.measure else ""),
        f"- {table.data_rows} data rows, {len(table.cells)} cells, {len(table.skipped)} keys "
        f"skipped, {len(table.twins)} AGS with twin rows, "
        + ("integers only" if table.integer_table else "decimal values"),
    ]
    if table.row_labels:
        lines.append(f"- 4th label column (`cell.sex`): {', '.join(table.row_labels)}")
    lines += ["", "| # | column path (label) | unit |", "|---|---|---|"]
    seen: dict[str, GenesisColumn] = {}
    for col in table.columns:
        seen.setdefault(col.label, col)
    for i, (label, col) in enumerate(seen.items(), start=1):
        lines.append(f"| {i} | `{label}` | {col.unit or ''} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m indicators.genesis FILE… prints describe() for each
    import sys

    for arg in sys.argv[1:]:
        print(describe(parse_genesis(arg)))
