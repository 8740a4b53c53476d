"""Tables as downloads: CSV, German Excel CSV (';', decimal comma, UTF-8 BOM) and XLSX.

Reusable by any view or API: build a `Table` (header lines with attribution, column names, rows
whose numbers are `Num(value, decimals)`), then `response(table, fmt)`. Numbers are written with
exactly the decimals shown on the page, so a download holds the same values as the screen.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

FORMATS = ("csv", "csv-de", "xlsx")
ATTRIBUTION_BOUNDARIES = "Gebietsgrenzen: © GeoBasis-DE / BKG 2021, dl-de/by-2-0"
ATTRIBUTION_ZENSUS = (
    "Bevölkerung: Statistische Ämter des Bundes und der Länder, Zensus 2022, dl-de/by-2-0"
)
SYNTHETIC_MARK = "Beispieldaten – synthetisch"
SYNTHETIC_NOTE = "Beispieldaten – synthetisch: Zeilen mit diesem Vermerk sind erfunden und keine amtlichen Zahlen."
# Cells a spreadsheet would run as a formula (OWASP "CSV injection"): prefix them with '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MIME = {
    "csv": "text/csv; charset=utf-8",
    "csv-de": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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


def safe_text(text: str) -> str:
    """Neutralise a text cell that a spreadsheet would evaluate as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_cell(cell: Cell, decimal_comma: bool) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Num):
        if cell.value is None:
            return ""
        text = f"{cell.value:.{cell.decimals}f}"
        if text.startswith("-") and float(text) == 0:
            text = text[1:]  # "-0.0" after rounding is just 0
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(cell, int):
        return str(cell)
    return safe_text(str(cell))


def to_csv(table: Table, german: bool = False) -> bytes:
    """CSV bytes: standard (',' '.' UTF-8) or German Excel (';' ',' UTF-8 with BOM)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if german else ",", lineterminator="\r\n")
    for line in table.header:
        writer.writerow([safe_text(line)])
    if table.header:
        writer.writerow([])
    writer.writerow([safe_text(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(c, german) for c in row])
    return ("\ufeff" if german else "").encode() + buf.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """An XLSX workbook: header lines, a bold column row, numbers as numbers with their format."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Daten"
    for line in table.header:
        ws.append([safe_text(line)])
    if table.header:
        ws.append([])
    ws.append([safe_text(c) for c in table.columns])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in table.rows:
        values = []
        for c in row:
            values.append(
                c.rounded() if isinstance(c, Num) else safe_text(c) if isinstance(c, str) else c
            )
        ws.append(values)
        for cell, c in zip(ws[ws.max_row], row, strict=False):
            if isinstance(c, Num) and c.value is not None:
                cell.number_format = "0" if c.decimals == 0 else "0." + "0" * c.decimals
            elif isinstance(c, str):
                cell.data_type = "s"  # never a formula, whatever the text
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def response(table: Table, fmt: str) -> Response:
    """A download response in one of FORMATS (the caller has validated fmt)."""
    if fmt == "xlsx":
        body, ext = to_xlsx(table), "xlsx"
    else:
        body, ext = to_csv(table, german=fmt == "csv-de"), "csv"
    suffix = "_excel-de" if fmt == "csv-de" else ""
    resp = Response(body, mimetype=_MIME[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="{table.name}{suffix}.{ext}"'
    return resp
