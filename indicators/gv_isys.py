"""Real values from Destatis' Gemeindeverzeichnis (GV-ISys) extract, read exactly as published.

"Gemeinden in Deutschland nach Fläche, Bevölkerung und Postleitzahl am 31.12.YYYY" (XLSX): a
notes sheet, then the data sheet with a multi-row header (group labels over sub-labels, e.g.
"Bevölkerung" over "insgesamt", "männlich", "weiblich", "je km2"), one record per row by
Satzart (10 Land … 60 Gemeinde), the key split over Land, RB, Kreis, VB, Gem, and footnotes
after the data. Columns are found by their labels, so a moved column is read and a renamed one
is refused. Values exist only on the Gemeinde records (60): the totals of the Region, the
Kreise, the Länder and the Bund are sums over the file's Gemeinden (population counts are
complete, nothing is withheld).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from sqlalchemy import Connection, text

from geodata import attribution
from geodata.levels import BUND_AGS
from geodata.report import LoadError, Problem
from indicators.ingest import Draft, write_draft
from indicators.loaders import SourceNote
from indicators.tables import xlsx_archive_problems

LABEL = "gemeindeverzeichnis-{year}"
POPULATION, DENSITY, AREA, WOMEN = "bev_insgesamt", "bev_dichte", "flaeche", "bev_frauen_anteil"
INDICATORS = (POPULATION, DENSITY, AREA, WOMEN)
SATZARTEN = {
    "10": "Land",
    "20": "Regierungsbezirk",
    "30": "Region",
    "40": "Kreis",
    "50": "Gemeindeverband",
    "60": "Gemeinde",
}
# Key parts: label under the group "Regionalschlüssel" and the number of digits.
KEY_PARTS = {"land": 2, "rb": 1, "kreis": 2, "vb": 4, "gem": 3}
# Which parts each kind of record must carry.
KEY_NEEDED = {"10": ("land",), "40": ("land", "rb", "kreis"), "60": ("land", "rb", "kreis", "gem")}
# Value columns of a Gemeinde record: (group label, sub-label) as normalised by _norm().
VALUE_COLUMNS = {
    "area": ("flächekm2", ""),
    "total": ("bevölkerung", "insgesamt"),
    "male": ("bevölkerung", "männlich"),
    "female": ("bevölkerung", "weiblich"),
    "density": ("bevölkerung", "jekm2"),
}
# Each field's labels as the file writes them (group over sub-label), for messages.
LABELS = {
    "satzart": ("Satzart", ""),
    "name": ("Gemeindename", ""),
    "area": ("Fläche km2", ""),
    "total": ("Bevölkerung", "insgesamt"),
    "male": ("Bevölkerung", "männlich"),
    "female": ("Bevölkerung", "weiblich"),
    "density": ("Bevölkerung", "je km2"),
    **{k: ("Regionalschlüssel", k.upper() if k == "rb" else k.capitalize()) for k in KEY_PARTS},
}
SHOWN = {k: f"{g} {s}".strip() for k, (g, s) in LABELS.items()}
DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
HEADER_SEARCH_ROWS = 30  # the header starts within the first rows of the data sheet


@dataclass(frozen=True)
class Gemeinde:
    """One Gemeinde record (Satzart 60) with its values."""

    row: int
    ags: str
    name: str
    area: float
    total: int
    male: int
    female: int
    density: float


@dataclass
class GvFile:
    """The data of one extract: its year, Gemeinden, Kreis and Land records, footnotes."""

    file: str
    sheet: str
    year: int
    gemeinden: list[Gemeinde] = field(default_factory=list)
    kreise: dict[str, str] = field(default_factory=dict)  # 5-digit key → name (Satzart 40)
    laender: dict[str, str] = field(default_factory=dict)  # 2-digit key → name (Satzart 10)
    footnotes: list[str] = field(default_factory=list)
    repeated: list[tuple[int, str, int]] = field(default_factory=list)  # row, ags, first row


@dataclass
class GvReport:
    """What a load stored and which keys it could not place (nothing is dropped silently)."""

    label: str = ""
    year: int = 0
    release_id: int = 0
    values: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    gemeinden: int = 0  # Gemeinde records in the file
    outside: int = 0  # Gemeinden of Kreise without loaded Gemeinde areas: in totals only
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (ags, name), in totals only
    missing: list[str] = field(default_factory=list)  # loaded areas without a record
    kreise_unmatched: list[tuple[str, str]] = field(default_factory=list)  # Kreis records
    repeated: list[tuple[int, str, int]] = field(default_factory=list)  # counted once


def _norm(label: object) -> str:
    """A header label without footnote marks, hyphens, spaces and case ('Satz-art' → 'satzart')."""
    if label is None:
        return ""
    s = re.sub(r"\d\)", "", str(label))
    return re.sub(r"[\s\-]+", "", s).lower()


def _col(index: int, key: str) -> str:
    """A column as a spreadsheet user finds it: letter and label ('J (Bevölkerung insgesamt)')."""
    return f"{get_column_letter(index + 1)} ({SHOWN[key]})"


def _find_columns(group: list[str], sub: list[str]) -> dict[str, int]:
    """Column index per field, from the group row (filled right across merged cells) and sub row."""
    filled, last = [], ""
    for g in group:
        last = g or last
        filled.append(last)
    found: dict[str, int] = {}
    for i, (g, s) in enumerate(zip(filled, sub, strict=False)):
        own = group[i]
        if own == "satzart":
            found.setdefault("satzart", i)
        elif own == "gemeindename":
            found.setdefault("name", i)
        if "regionalschlüssel" in g and s in KEY_PARTS:
            found.setdefault(s, i)
        for key, (want_g, want_s) in VALUE_COLUMNS.items():
            if g.startswith(want_g) and s == want_s and (want_s or own):
                found.setdefault(key, i)
    return found


def _missing_column(file: str, sheet: str, at: int, group: list[str], key: str) -> Problem:
    """A label not found: under its group's columns if the group is there, else in the header."""
    group_label, sub = LABELS[key]
    start = next((i for i, g in enumerate(group) if sub and _norm(group_label) in g), None)
    if start is None:
        return Problem(
            file,
            at + 1,
            None,
            f"Spalte {SHOWN[key]!r} nicht gefunden (Kopf verändert?)",
            sheet,
            f"Beschriftung {SHOWN[key]!r}",
        )
    end = next((i for i in range(start + 1, len(group)) if group[i]), len(group)) - 1
    span = get_column_letter(start + 1) + "–" + get_column_letter(end + 1)
    return Problem(
        file,
        at + 2,
        f"{span} ({group_label})",
        f"Beschriftung {sub!r} nicht gefunden (Kopf verändert?)",
        sheet,
        f"{sub!r} unter {group_label!r}",
    )


def _key_part(value: object, width: int) -> str | None:
    """A key part as its digits ('03'); a number (a re-saved sheet) is padded; else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        s = str(value).zfill(width)
    elif isinstance(value, str):
        s = value.strip()
    else:
        return None
    return s if len(s) == width and s.isdigit() else None


def _number(value: object, whole: bool) -> float | None:
    """A typed numeric cell (int, or float for areas); None for text, empty or negative."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value < 0 or (whole and not float(value).is_integer()):
        return None
    return float(value)


class _Reader:
    """Reads one data sheet row by row, collecting every problem with file, sheet, row, column."""

    def __init__(self, file: str, sheet: str, year: int, cols: dict[str, int]):
        self.out = GvFile(file, sheet, year)
        self.cols = cols
        self.problems: list[Problem] = []
        self.seen: dict[str, Gemeinde] = {}

    def bad(self, row: int, key: str | None, msg: str, expected: str | None = None) -> None:
        col = _col(self.cols[key], key) if key else None
        self.problems.append(Problem(self.out.file, row, col, msg, self.out.sheet, expected))

    def key(self, row: int, cells: tuple[Any, ...], satzart: str) -> dict[str, str] | None:
        parts: dict[str, str] = {}
        for part in KEY_NEEDED.get(satzart, ()):
            raw = cells[self.cols[part]] if self.cols[part] < len(cells) else None
            digits = _key_part(raw, KEY_PARTS[part])
            if digits is None:
                self.bad(row, part, f"kein Schlüsselteil: {raw!r}", f"{KEY_PARTS[part]} Ziffern")
                return None
            parts[part] = digits
        return parts

    def record(self, row: int, cells: tuple[Any, ...], satzart: str) -> None:
        parts = self.key(row, cells, satzart)
        if parts is None:
            return
        name = str(cells[self.cols["name"]] or "").strip()
        if satzart == "10":
            self.out.laender[parts["land"]] = name
        elif satzart == "40":
            self.out.kreise[parts["land"] + parts["rb"] + parts["kreis"]] = name
        elif satzart == "60":
            self.gemeinde(row, cells, parts["land"] + parts["rb"] + parts["kreis"] + parts["gem"])

    def gemeinde(self, row: int, cells: tuple[Any, ...], ags: str) -> None:
        values: dict[str, float] = {}
        for key in VALUE_COLUMNS:
            raw = cells[self.cols[key]] if self.cols[key] < len(cells) else None
            v = _number(raw, whole=key in ("total", "male", "female"))
            if v is None:
                what = "Fläche in km²" if key == "area" else "nicht negative ganze Zahl"
                if key == "density":
                    what = "Zahl"
                self.bad(row, key, f"keine gültige Zahl: {raw!r}", what)
            else:
                values[key] = v
        if len(values) < len(VALUE_COLUMNS):
            return
        if values["male"] + values["female"] != values["total"]:
            self.bad(
                row,
                "total",
                f"männlich + weiblich = {values['male'] + values['female']:.0f},"
                f" nicht {values['total']:.0f}",
            )
        # The published density is rounded from unrounded areas: within one person per km².
        if values["area"] > 0 and abs(values["total"] / values["area"] - values["density"]) > 1:
            self.bad(
                row,
                "density",
                f"Dichte {values['density']:g} passt nicht zu Bevölkerung/Fläche"
                f" ({values['total'] / values['area']:.1f}); Spalten vertauscht?",
            )
        g = Gemeinde(
            row,
            ags,
            str(cells[self.cols["name"]] or "").strip(),
            values["area"],
            int(values["total"]),
            int(values["male"]),
            int(values["female"]),
            values["density"],
        )
        first = self.seen.get(ags)
        if first is None:
            self.seen[ags] = g
            self.out.gemeinden.append(g)
        elif (first.name, first.area, first.total, first.female) == (
            g.name,
            g.area,
            g.total,
            g.female,
        ):
            # The 2017 extract repeats the record of a Bavarian Kreis' gemeindefreie Gebiete
            # (key …444) once per area it stands for: the same values again, counted once.
            self.out.repeated.append((row, ags, first.row))
        else:
            self.bad(
                row, "gem", f"Gemeinde {ags} doppelt (schon in Zeile {first.row}), andere Werte"
            )


def _header(file: str, sheet: str, rows: list[tuple[Any, ...]]) -> tuple[int, int, dict[str, int]]:
    """(year, number of the first data row, columns) from the title and the header block."""
    at = next(
        (n for n, r in enumerate(rows) if any(_norm(c) == "satzart" for c in r)),
        None,
    )
    if at is None or at + 1 >= len(rows):
        raise LoadError(
            [Problem(file, None, None, "Kopfzeile mit 'Satzart' nicht gefunden", sheet)]
        )
    group = [_norm(c) for c in rows[at]]
    sub = [_norm(c) for c in rows[at + 1]]
    cols = _find_columns(group, sub)
    missing = [k for k in SHOWN if k not in cols]
    if missing:
        raise LoadError([_missing_column(file, sheet, at, group, k) for k in missing])
    title = " ".join(str(c) for r in rows[:at] for c in r if c is not None)
    date = DATE.search(title)
    if not date or (date.group(1), date.group(2)) not in (("31", "12"),):
        raise LoadError(
            [
                Problem(
                    file,
                    1,
                    "A",
                    f"Titel ohne Stichtag 31.12.JJJJ: {title[:120]!r}",
                    sheet,
                    "Gemeinden in Deutschland nach Fläche, Bevölkerung und Postleitzahl"
                    " am 31.12.JJJJ",
                )
            ]
        )
    return int(date.group(3)), at + 3, cols


def _data_sheet(wb: Any, file: str) -> tuple[str, list[tuple[Any, ...]], Iterator[tuple[Any, ...]]]:
    """The sheet whose first rows hold the 'Satzart' header: (name, first rows, the rest)."""
    for ws in wb.worksheets:
        it = ws.iter_rows(values_only=True)
        head = []
        for r in it:
            head.append(r)
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        if any(_norm(c) == "satzart" for r in head for c in r):
            return ws.title, head, it
    raise LoadError(
        [Problem(file, None, None, f"kein Tabellenblatt mit Kopfzeile 'Satzart' ({wb.sheetnames})")]
    )


def read_gv(path: Path) -> GvFile:
    """Read a GV-ISys extract; LoadError with file, sheet, row and column of every problem."""
    from openpyxl import load_workbook

    file = str(path)
    if not path.exists():
        raise LoadError([Problem(file, None, None, "Datei nicht gefunden")])
    if problems := xlsx_archive_problems(path):
        raise LoadError(problems)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip/xml errors: not a workbook
        raise LoadError([Problem(file, None, None, f"keine lesbare XLSX-Datei: {exc}")]) from exc
    try:
        sheet, head, rest = _data_sheet(wb, file)
        year, first, cols = _header(file, sheet, head)
        reader = _Reader(file, sheet, year, cols)
        _read_records(reader, _numbered(head, rest), first)
    except LoadError:
        raise
    except Exception as exc:  # broken sheet XML found while streaming
        raise LoadError(
            [Problem(file, None, None, f"Tabellenblatt nicht lesbar ({exc})")]
        ) from None
    finally:
        wb.close()
    if reader.problems:
        raise LoadError(reader.problems)
    if not reader.out.gemeinden:
        raise LoadError([Problem(file, first, None, "keine Gemeinde-Sätze (Satzart 60)", sheet)])
    return reader.out


def _numbered(
    head: list[tuple[Any, ...]], rest: Iterable[tuple[Any, ...]]
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Rows with the number a spreadsheet user sees (read-only sheets yield empty rows too)."""
    return enumerate(itertools.chain(head, rest), start=1)


def _read_records(reader: _Reader, rows: Iterable[tuple[int, tuple[Any, ...]]], first: int) -> None:
    """Records until the footnotes; a record after them or an unknown Satzart is a problem."""
    in_notes = False
    col = reader.cols["satzart"]
    for n, cells in rows:
        if n < first:
            continue
        raw = cells[col] if col < len(cells) else None
        code = str(raw).strip() if raw is not None else ""
        if not code:
            text_ = " ".join(" ".join(str(c).split()) for c in cells if c is not None)
            text_ = text_.strip()
            if in_notes and text_:
                reader.out.footnotes.append(text_)
            continue
        if code in SATZARTEN:
            if in_notes:
                reader.bad(n, "satzart", f"Satz {code} nach den Fußnoten")
            else:
                reader.record(n, cells, code)
        elif code.isdigit():
            reader.bad(n, "satzart", f"unbekannte Satzart {code!r}", ", ".join(SATZARTEN))
        else:  # the first text in the Satzart column starts the notes and the source line
            in_notes = True
            reader.out.footnotes.append(" ".join(code.split()))


# --- the release ------------------------------------------------------------------------------


ValueRow = tuple[str, str, float, float | None, float | None]


def _value_rows(ags: str, area: float, total: int, female: int) -> list[ValueRow]:
    """(indicator, ags, value, numerator, denominator) of one area."""
    rows: list[ValueRow] = [
        (POPULATION, ags, float(total), None, None),
        (AREA, ags, area, None, None),
    ]
    if total > 0:
        rows.append((WOMEN, ags, female / total * 100, float(female), float(total)))
        if area > 0:
            rows.append((DENSITY, ags, total / area, float(total), area))
    elif area > 0:
        # An uninhabited area (gemeindefreies Gebiet): density 0 is a fact, not a small count of
        # persons to withhold, so it carries no numerator for the small-number rule.
        rows.append((DENSITY, ags, 0.0, None, area))
    return rows


def _sums(gv: GvFile, prefix: str) -> tuple[float, int, int] | None:
    """(area, population, women) summed over the file's Gemeinden whose key starts with prefix."""
    members = [g for g in gv.gemeinden if g.ags.startswith(prefix)]
    if not members:
        return None
    return (
        round(sum(g.area for g in members), 2),
        sum(g.total for g in members),
        sum(g.female for g in members),
    )


def source(gv: GvFile) -> str:
    """The source and its licence, as stored with each indicator's values."""
    return f"{attribution.GEMEINDEVERZEICHNIS.format(year=gv.year)}; {attribution.LICENCE_FULL}"


def summary(gv: GvFile) -> str:
    """The release note (one line, it travels in HTTP headers): source, totals summed."""
    return (
        f"Quelle: {source(gv)}. Bevölkerung: Fortschreibung des"
        f" Bevölkerungsstandes auf Basis des Zensus 2011, Stichtag 31.12.{gv.year}. Werte stehen"
        " im Gemeindeverzeichnis nur bei den Gemeinden (Satzart 60); die Werte der Region, der"
        " Kreise, der Länder und Deutschlands sind Summen über alle Gemeinden der Datei"
        f" (Gebietsstand 31.12.{gv.year}; die Bevölkerungszahlen sind vollständig, nichts ist"
        " geheim), Dichte und Frauenanteil daraus berechnet."
    )


def note(gv: GvFile) -> str:
    """The provenance note per indicator: the summary and the file's own footnotes."""
    return summary(gv) + "\n\nFußnoten der Datei:\n" + "\n".join(gv.footnotes)


def load_gv(conn: Connection, path: Path) -> GvReport:
    """Read one extract and write it as the draft release gemeindeverzeichnis-YYYY."""
    gv = read_gv(path)
    report = GvReport(
        label=LABEL.format(year=gv.year),
        year=gv.year,
        gemeinden=len(gv.gemeinden),
        repeated=gv.repeated,
    )
    areas: dict[str, str] = dict(conn.execute(text("SELECT ags, level FROM area")).all())
    known = set(
        conn.scalars(text("SELECT id FROM indicator WHERE id = ANY(:i)"), {"i": list(INDICATORS)})
    )
    if missing := [i for i in INDICATORS if i not in known]:
        raise LoadError(
            [Problem(str(path), None, None, f"Kennzahl {i!r} fehlt im Katalog") for i in missing]
        )
    rows: list[tuple[Any, ...]] = []
    # Kreise with loaded Gemeinde areas: a Gemeinde there without an area is a Gebietsstand
    # difference (listed); elsewhere the Gemeinden are simply not loaded (counted).
    territory = {a[:5] for a, lvl in areas.items() if lvl in ("kommune", "gemeinde")}
    in_file = set()
    for g in gv.gemeinden:
        in_file.add(g.ags)
        level = areas.get(g.ags)
        if level in ("kommune", "gemeinde"):
            rows += _value_rows(g.ags, g.area, g.total, g.female)
            report.by_level[level] = report.by_level.get(level, 0) + 1
        elif g.ags[:5] in territory:
            report.unmatched.append((g.ags, g.name))
        else:
            report.outside += 1
    for ags, level in sorted(areas.items()):
        if level not in ("region", "kreis", "land", "bund"):
            continue
        sums = _sums(gv, "" if ags == BUND_AGS else ags)
        if sums is None:
            report.missing.append(ags)
            continue
        rows += _value_rows(ags, *sums)
        report.by_level[level] = report.by_level.get(level, 0) + 1
    report.missing += sorted(
        a for a, lvl in areas.items() if lvl in ("kommune", "gemeinde") and a not in in_file
    )
    report.kreise_unmatched = sorted((k, n) for k, n in gv.kreise.items() if k not in areas)
    report.release_id, report.values = write_draft(
        conn,
        Draft(report.label, origin=str(path), note=summary(gv)),
        [(i, a, gv.year, v, n, d) for i, a, v, n, d in rows],
        (SourceNote(i, f"GV-ISys 31.12.{gv.year}", source(gv), note(gv)) for i in INDICATORS),
    )
    return report
