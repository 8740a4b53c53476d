"""The one table writer: CSV, German Excel CSV (';', decimal comma, UTF-8 BOM) and XLSX.

Reusable by any view or API: build a `Table` (header lines with attribution, column names, rows
whose numbers are `Num(value, decimals)`), then `response(table, fmt)`. Numbers are written with
exactly the decimals shown on the page, so a download holds the same values as the screen.
The API writes its rows with the same functions and the `API` preset (`app.api.formats`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from app.render import citation
from app.render.citation import Citation
from geodata import attribution
from indicators.text import defuse

FORMATS = ("csv", "csv-de", "xlsx")
# A page's view also as JSON (rows and metadata) and its citation as BibTeX and CSL-JSON.
VIEW_FORMATS = (*FORMATS, "json", "bib", "csl-json")
ATTRIBUTION_BOUNDARIES = f"Gebietsgrenzen: {attribution.BOUNDARIES}, {attribution.LICENCE}"
ATTRIBUTION_ZENSUS = f"Bevölkerung: {attribution.ZENSUS}, {attribution.LICENCE}"
SYNTHETIC_MARK = "Beispieldaten – synthetisch"
SYNTHETIC_NOTE = "Beispieldaten – synthetisch: Zeilen mit diesem Vermerk sind erfunden und keine amtlichen Zahlen."
_MIME = {
    "csv": "text/csv; charset=utf-8",
    "csv-de": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "bib": "application/x-bibtex; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json",
}


@dataclass(frozen=True)
class Num:
    """A number with the decimals it is shown with (None = missing)."""

    value: float | int | None
    decimals: int = 0

    def rounded(self) -> float | int | None:
        if self.value is None:
            return None
        return round(self.value, self.decimals) if self.decimals > 0 else int(round(self.value))


Cell = str | int | Num | None


@dataclass
class Table:
    """A downloadable table: file name stem, header lines (title, sources), columns, rows."""

    name: str
    columns: list[str]
    rows: list[list[Cell]]
    header: list[str] = field(default_factory=list)
    # How the view is cited: its lines head the file (German, English), JSON gets it as metadata.
    citation: Citation | None = None

    def header_lines(self) -> list[str]:
        """The header with the citation lines after the title (before sources and notes)."""
        if self.citation is None:
            return self.header
        cited = [
            f"Zitieren: {ln}" if i == 0 else f"Cite: {ln}"
            for i, ln in enumerate(citation.lines(self.citation))
        ]
        return [*self.header[:1], *cited, *self.header[1:]]


def safe_text(text: str) -> str:
    """Neutralise a text cell that a spreadsheet would evaluate as a formula (OWASP CSV injection).

    The one rule (indicators.text.defuse) for pages and API alike: a program reading the API's
    CSV gets text cells that start with = + - @ tab or CR prefixed with ', numbers untouched.
    """
    return defuse(text)


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._()+-]+")


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition header for any file name (labels of old releases included).

    An ASCII `filename` (anything else, quotes, slashes and line breaks → "_") and the exact
    name as RFC 5987 `filename*`: never a header a client or Werkzeug would refuse (a 500).
    """
    ascii_name = _UNSAFE_NAME.sub("_", filename).strip("_.") or "download"
    header = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


@dataclass(frozen=True)
class Preset:
    """How a table is written: for people (pages) or for programs (the API)."""

    # People get a bold column row; programs read plain cells.
    bold_columns: bool


PAGE = Preset(bold_columns=True)
API = Preset(bold_columns=False)


def _csv_cell(cell: object, decimal_comma: bool) -> str:
    """One CSV field: '' for None, true/false, Num with its decimals, floats without '.0'."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, Num):
        if cell.value is None:
            return ""
        text = f"{cell.value:.{cell.decimals}f}"
        if text.startswith("-") and float(text) == 0:
            text = text[1:]  # "-0.0" after rounding is just 0
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        text = str(int(cell)) if cell.is_integer() and abs(cell) < 1e15 else repr(cell)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(cell, list | tuple):
        return safe_text(" ".join(str(v) for v in cell))
    # Only text is defused: dates and Decimals (a negative one starts with "-") stay as they are.
    return safe_text(cell) if isinstance(cell, str) else str(cell)


def write_csv(
    columns: list[str],
    rows: Iterable[Sequence[object]],
    german: bool = False,
    header: Sequence[str] = (),
    preset: Preset = PAGE,
) -> str:
    """CSV text: standard (',' '.') or for German Excel (';' ',' with a byte order mark).

    Every text cell is defused (safe_text), for pages and API alike; `preset` only shapes XLSX.
    """
    del preset
    buf = io.StringIO()
    if german:
        buf.write("\ufeff")  # Excel only detects UTF-8 with a byte order mark
    writer = csv.writer(buf, delimiter=";" if german else ",", lineterminator="\r\n")
    for line in header:
        writer.writerow([safe_text(line)])
    if header:
        writer.writerow([])
    writer.writerow([safe_text(c) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(c, german) for c in row])
    return buf.getvalue()


def _xlsx_cell(ws: object, cell: object) -> object:
    """A worksheet cell: numbers stay numbers (with the page's format), text is never a formula."""
    if isinstance(cell, Num):
        out = WriteOnlyCell(ws, cell.rounded())
        if cell.value is not None:
            out.number_format = "0" if cell.decimals == 0 else "0." + "0" * cell.decimals
        return out
    if isinstance(cell, list | tuple):
        return " ".join(map(str, cell))
    return safe_text(cell) if isinstance(cell, str) else cell


def write_xlsx(
    columns: list[str],
    rows: Iterable[Sequence[object]],
    header: Sequence[str] = (),
    notes: Sequence[tuple[str, str]] = (),
    preset: Preset = PAGE,
) -> bytes:
    """An XLSX workbook: sheet 'Daten' (header lines, columns, rows), 'Hinweise' if notes."""
    wb = Workbook(write_only=True)  # streams rows: a whole release is ~30,000 of them
    ws = wb.create_sheet("Daten")
    for line in header:
        ws.append([safe_text(line)])
    if header:
        ws.append([])
    names = []
    for c in columns:
        cell = WriteOnlyCell(ws, safe_text(c))
        if preset.bold_columns:
            cell.font = Font(bold=True)
        names.append(cell)
    ws.append(names)
    for row in rows:
        ws.append([_xlsx_cell(ws, c) for c in row])
    if notes:
        hints = wb.create_sheet("Hinweise")
        for key, text in notes:
            hints.append([key, safe_text(text)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_csv(table: Table, german: bool = False) -> bytes:
    """A page's table as CSV bytes (standard, or German Excel)."""
    return write_csv(table.columns, table.rows, german, table.header_lines()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """A page's table as XLSX: header lines, a bold column row, numbers in the page's format."""
    return write_xlsx(table.columns, table.rows, table.header_lines())


def _json_cell(cell: object) -> object:
    if isinstance(cell, Num):
        return cell.rounded()
    if isinstance(cell, list | tuple):
        return " ".join(map(str, cell))
    return cell


def to_json(table: Table) -> bytes:
    """The table as JSON: `metadata` (title, sources, licence, citation), `columns`, `rows`
    (each a list in the columns' order, numbers rounded as on the page)."""
    body = {
        "metadata": {
            "header": table.header,
            **(citation.metadata(table.citation) if table.citation else {}),
        },
        "columns": table.columns,
        "rows": [[_json_cell(c) for c in row] for row in table.rows],
    }
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def response(table: Table, fmt: str) -> Response:
    """A download response in one of VIEW_FORMATS (the caller has validated fmt)."""
    if fmt in ("bib", "csl-json") and table.citation is not None:
        text = (
            citation.bibtex(table.citation) if fmt == "bib" else citation.csl_text(table.citation)
        )
        resp = Response(text.encode("utf-8"), mimetype=_MIME[fmt])
        ext = "bib" if fmt == "bib" else "csl.json"
        resp.headers["Content-Disposition"] = content_disposition(f"{table.name}.{ext}")
        return resp
    if fmt == "json":
        resp = Response(to_json(table), mimetype=_MIME["json"])
        resp.headers["Content-Disposition"] = content_disposition(f"{table.name}.json")
        return resp
    if fmt == "xlsx":
        body, ext = to_xlsx(table), "xlsx"
    else:
        body, ext = to_csv(table, german=fmt == "csv-de"), "csv"
    suffix = "_excel-de" if fmt == "csv-de" else ""
    resp = Response(body, mimetype=_MIME[fmt])
    resp.headers["Content-Disposition"] = content_disposition(f"{table.name}{suffix}.{ext}")
    return resp
