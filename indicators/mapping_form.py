"""The GENESIS mapping filled in a browser form: form rows → a mapping file, problems → fields.

The editors' area (app/editors/mapping.py) shows one row per column path of an uploaded table,
as `sozmon inspect --skeleton` writes one skeleton line per column path. A filled form becomes
the text of a mapping file in exactly the skeleton's form, so it goes through the same reader
and checks as a file (`genesis_mapping.read_mapping_file`, `load_mapping`, the import's own
catalogue and row checks) with the same messages. Each problem names the file's row and column;
`field_errors` turns that back into the form's field (`z3-indicator`), so the message is shown
next to the field it is about. A new indicator (definition, unit, source, licence) is checked
with the catalogue's own validator (`loaders.validate_catalogue`) and the unit list.

Pure: no Flask, no database (the topics and indicator ids come in).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from geodata.attribution import LICENCE
from geodata.report import Problem
from indicators.catalogue import CATALOGUE_COLUMNS, INTEGER_COLUMNS, REQUIRED_TEXT_COLUMNS
from indicators.genesis_mapping import COLUMNS, INDICATOR_ID, MappingLine, Term
from indicators.models import POLARITIES
from indicators.units import UNITS

# The fields of one form row, in the mapping file's column order (the column path is fixed).
ROW_FIELDS = COLUMNS["mapping"]
# A new indicator's fields: the catalogue's columns but `first_year` (the table's first year)
# and `numerator_de`/`denominator_de` (optional there), plus the licence of its source.
NEW_FIELDS = (
    "id",
    "topic",
    "name_de",
    "name_en",
    "unit",
    "decimals",
    "polarity",
    "definition_de",
    "definition_en",
    "source",
    "licence",
)
NEW_PREFIX = "neu-"
FORM_FILE = "Formular"  # the name problems of the new-indicator fields carry


def row_field(i: int, column: str) -> str:
    """The form field of row i (from 1) and a mapping column: 'z3-indicator'."""
    return f"z{i}-{column}"


@dataclass
class FormRow:
    """One column path of the table and what the form says about it (all text, as posted)."""

    path: str  # the column path this row was offered for
    cells: dict[str, str] = field(default_factory=dict)  # mapping column → text

    def used(self) -> bool:
        """A row with neither indicator nor kind is not used (as a deleted skeleton line)."""
        return bool(self.cells.get("indicator", "").strip() or self.cells.get("kind", "").strip())


def form_rows(code: str, paths: list[str], form: Mapping[str, str]) -> list[FormRow]:
    """The posted rows, one per column path (missing fields read as empty)."""
    out = []
    for i, path in enumerate(paths, start=1):
        cells = {c: str(form.get(row_field(i, c), "")).strip()[:500] for c in ROW_FIELDS}
        out.append(FormRow(path, cells))
    return out


def default_rows(
    code: str, paths: list[str], row_labels: list[str], lines: list[MappingLine]
) -> list[FormRow]:
    """The rows as the skeleton offers them: a known table's lines filled as they are (by
    their first numerator's column path), the other column paths blank with a total row as
    row_filter where the 4th column has no plain 'Insgesamt' (as `genesis_inspect.skeleton`)."""
    totals = [r for r in row_labels if r.startswith("Insgesamt")]
    default_rf = "" if not row_labels or "Insgesamt" in row_labels else (totals or [""])[0]
    by_path = {
        m.numerator[0].label: m for m in lines if m.numerator and m.numerator[0].table == code
    }
    out = []
    for path in paths:
        m = by_path.get(path)
        if m is None:
            cells = dict.fromkeys(ROW_FIELDS, "")
            cells |= {"numerator": f"{code}:{path}", "denominator_year_offset": "0"}
            cells["row_filter"] = default_rf
        else:
            cells = dict(zip(ROW_FIELDS, line_cells(m), strict=True))
        out.append(FormRow(path, cells))
    return out


def line_cells(m: MappingLine) -> list[str]:
    """A mapping line's cells as a file writes them."""

    def terms(ts: list[Term]) -> str:
        return " + ".join(f"{x.table}:{x.label}" for x in ts)

    years = ""
    if m.years:
        first, last = m.years
        years = str(first) if first == last else f"{first or ''}-{last if last != 9999 else ''}"
    return [
        m.indicator,
        m.kind,
        terms(m.numerator),
        terms(m.minus),
        terms(m.denominator),
        f"{m.factor:g}",
        str(m.offset),
        m.row_filter or "",
        years,
    ]


def _csv(cells: Iterable[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerow(list(cells))
    return buf.getvalue()


@dataclass(frozen=True)
class FormMapping:
    """The mapping file a form makes, and which of its lines came from which form row."""

    text: str
    row_of_line: dict[int, int]  # file line → form row (from 1)
    used: int  # rows used


def mapping_text(
    code: str, title: str, paths: list[str], rows: list[FormRow], by: str
) -> FormMapping:
    """The mapping file of the form: the table's column paths, then one line per used row."""
    out = [
        f"# Mapping für GENESIS-Tabelle {code} ({title})",
        f"# im Browser ausgefüllt (Redaktion, {by}); Form wie sozmon inspect --skeleton",
        _csv(COLUMNS["tables"]).rstrip("\n"),
    ]
    out += [_csv([code, p]).rstrip("\n") for p in paths]
    out += ["", _csv(ROW_FIELDS).rstrip("\n")]
    row_of_line: dict[int, int] = {}
    used = 0
    for i, r in enumerate(rows, start=1):
        if not r.used():
            continue
        out.append(_csv(r.cells.get(c, "") for c in ROW_FIELDS).rstrip("\n"))
        row_of_line[len(out)] = i  # lines count from 1: the line just added
        used += 1
    return FormMapping("\n".join(out) + "\n", row_of_line, used)


@dataclass
class FieldErrors:
    """Messages by form field, and those that belong to no field (shown above the form)."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        """One message, next to its field if it has one."""
        if name is None:
            self.general.append(message)
        else:
            self.fields.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def count(self) -> int:
        """How many messages in all."""
        return len(self.general) + sum(len(v) for v in self.fields.values())


def _message(p: Problem) -> str:
    return p.message + (f" ({p.expected})" if p.expected else "")


def field_errors(
    problems: Iterable[Problem], file: str, form: FormMapping, errors: FieldErrors | None = None
) -> FieldErrors:
    """Problems of the form's mapping file (and of its new indicator) by form field.

    A problem on the form's file with a row of a used line goes to that row's field (its
    column: indicator, kind, numerator …); one on the `table;label` block or without a row
    stays general; problems of other files (the data directory's) are general and say the file.
    """
    out = errors if errors is not None else FieldErrors()
    for p in problems:
        msg = _message(p)
        if p.file == FORM_FILE and p.column:
            out.add(NEW_PREFIX + str(p.column), msg)
        elif p.file == file and p.row in form.row_of_line and str(p.column) in ROW_FIELDS:
            out.add(row_field(form.row_of_line[p.row], str(p.column)), msg)
        elif p.file == file:
            where = f"Zeile {form.row_of_line[p.row]}: " if p.row in form.row_of_line else ""
            out.add(None, where + msg)
        else:
            out.add(None, str(p))
    return out


def new_indicator(form: Mapping[str, str]) -> dict[str, str] | None:
    """The new indicator's fields as posted, or None when its id is blank (none asked for)."""
    got = {f: str(form.get(NEW_PREFIX + f, "")).strip()[:2000] for f in NEW_FIELDS}
    return got if got["id"] else None


def new_indicator_problems(new: dict[str, str], topics: set[str], known: set[str]) -> list[Problem]:
    """What is wrong with a new indicator: the catalogue validator's checks (required texts,
    topic, polarity, whole numbers) and the unit list, each on its field."""
    problems: list[Problem] = []

    def bad(col: str, msg: str) -> None:
        problems.append(Problem(FORM_FILE, 1, col, msg))

    if not INDICATOR_ID.match(new["id"]):
        bad("id", f"{new['id']!r} ist keine Kennung (Kleinbuchstaben, Ziffern, '_')")
    elif new["id"] in known:
        bad("id", f"{new['id']!r} gibt es schon im Katalog: oben in der Zeile eintragen")
    if new["topic"] not in topics:
        bad("topic", f"unbekanntes Thema {new['topic']!r}")
    if new["polarity"] not in POLARITIES:
        bad("polarity", f"{new['polarity']!r}, erwartet: {', '.join(POLARITIES)}")
    for col in REQUIRED_TEXT_COLUMNS:
        if not new.get(col):
            bad(col, "leer")
    if new["unit"] and new["unit"] not in UNITS:
        bad("unit", f"unbekannte Einheit {new['unit']!r} (erlaubt: {', '.join(UNITS)})")
    if not new["licence"]:
        bad("licence", f"leer: die Lizenz der Quelle, z. B. {LICENCE}")
    for col in INTEGER_COLUMNS:
        if col in new:
            try:
                int(new[col])
            except ValueError:
                bad(col, f"keine ganze Zahl: {new[col]!r}")
    return problems


def catalogue_row(new: dict[str, str], first_year: int) -> dict[str, Any]:
    """The catalogue row of a checked new indicator (the licence is written with the source:
    the catalogue has no column of its own for it)."""
    row: dict[str, Any] = {c: new.get(c, "") for c in CATALOGUE_COLUMNS}
    row["source"] = f"{new['source']} (Lizenz: {new['licence']})"
    row["decimals"] = int(new["decimals"])
    row["first_year"] = first_year
    return row
