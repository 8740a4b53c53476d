"""Read tabular input (CSV in the office's dialects, or XLSX) into rows with line numbers."""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from geodata.report import LoadError, Problem
from indicators.errors import InvalidContent


@dataclass
class Table:
    """Header and rows of one sheet; row numbers are those a spreadsheet user sees."""

    file: str
    header: list[str]
    # A list, or (iter_csv, iter_xlsx) an iterator read while it is consumed, once.
    rows: list[tuple[int, dict[str, str]]] | Iterable[tuple[int, dict[str, str]]]
    sheet: str | None = None
    # Decimal separator of the dialect: "," in ';'-separated CSV, "." in ','-separated CSV,
    # None for XLSX (numbers are typed there, text cells are read without a dialect).
    decimal: str | None = None


ENCODINGS = "UTF-8 oder Windows-1252"


def _not_text(name: str) -> LoadError:
    return LoadError(
        [
            Problem(
                name,
                None,
                None,
                "Zeichenkodierung nicht lesbar (UTF-16 oder keine Textdatei)",
                expected=ENCODINGS,
            )
        ]
    )


def _decode(raw: bytes, name: str = "") -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel writes it in Germany."""
    # NUL bytes never occur in either: UTF-16 ("Unicode-Text" from Excel) or a binary file.
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:65536]:
        raise _not_text(name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:  # 0x81, 0x8D, … are undefined in Windows-1252
        raise _undefined_byte(name, raw[exc.start : exc.start + 1], exc.start) from None


def _undefined_byte(name: str, byte: bytes, at: int) -> LoadError:
    msg = f"Zeichenkodierung nicht lesbar: Byte 0x{byte.hex().upper()} an Stelle {at} gibt es weder"
    return LoadError(
        [Problem(name, None, None, msg + " in UTF-8 noch in Windows-1252", expected=ENCODINGS)]
    )


CHUNK = 1 << 20


def _encoding(path: Path) -> str:
    """The encoding _decode would choose, found by reading the file in chunks (constant memory)."""
    name = str(path)
    with path.open("rb") as fh:
        head = fh.read(65536)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
            raise _not_text(name)
        fh.seek(0)
        utf8 = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(CHUNK):
                utf8.decode(chunk)
            utf8.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
        fh.seek(0)
        offset = 0
        while chunk := fh.read(CHUNK):  # cp1252 is one byte per character: no split sequences
            try:
                chunk.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise _undefined_byte(
                    name, chunk[exc.start : exc.start + 1], offset + exc.start
                ) from None
            offset += len(chunk)
    return "cp1252"


def read_csv(path: Path) -> Table:
    """Read a CSV with ',' or ';' as delimiter, detected from the header line."""
    table = iter_csv(path)
    table.rows = list(table.rows)
    return table


def iter_csv(path: Path) -> Table:
    """Like read_csv, but the rows are read one by one while they are iterated (once).

    Encoding, emptiness and header are checked at once (LoadError); an unreadable row raises
    LoadError while iterating.
    """
    name = str(path)
    encoding = _encoding(path)
    with path.open(encoding=encoding, newline="") as fh:
        first = ""
        while chunk := fh.read(65536):
            if not first:
                first = chunk.splitlines()[0] if chunk.splitlines() else ""
            if chunk.strip():
                break
        else:
            raise LoadError([Problem(name, None, None, "Datei ist leer")])
    delimiter = ";" if first.count(";") > first.count(",") else ","
    fh = path.open(encoding=encoding, newline="")
    # strict: an unclosed quote (a file cut off mid-field) is an error, not a silent value.
    reader = csv.reader(fh, delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        fh.close()
        raise _csv_error(name, reader.line_num, exc) from None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        with fh:
            try:
                for cells in reader:
                    line_no = reader.line_num
                    if not any(c.strip() for c in cells):
                        continue
                    if len(cells) != len(header):
                        yield line_no, {"__width__": str(len(cells))}
                        continue
                    yield line_no, {h: c.strip() for h, c in zip(header, cells, strict=True)}
            except csv.Error as exc:
                raise _csv_error(name, reader.line_num, exc) from None

    return Table(name, header, rows(), decimal="," if delimiter == ";" else ".")


def _csv_error(name: str, line: int, exc: Exception) -> LoadError:
    msg = f"CSV nicht lesbar ({exc}); Datei abgeschnitten oder Anführungszeichen offen?"
    return LoadError([Problem(name, line, None, msg)])


# An XLSX is a zip archive: a small upload can unpack to gigabytes ("zip bomb"). Real sheets
# compress 5–30 : 1; the limits leave room for that and refuse bombs before any parsing.
XLSX_MAX_UNPACKED = 256 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_MEMBERS = 1000


def xlsx_archive_problems(path: Path) -> list[Problem]:
    """Refuse an archive that would unpack too large or too compressed, from its directory only.

    zipfile never inflates a member beyond the size its directory entry declares, so checking
    the declared sizes bounds what openpyxl will read.
    """
    name = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [
            Problem(
                name,
                None,
                None,
                f"keine lesbare XLSX-Datei: {exc}",
                expected="Excel-Arbeitsmappe (.xlsx)",
            )
        ]
    mb = 1024 * 1024
    total = sum(i.file_size for i in infos)
    if len(infos) > XLSX_MAX_MEMBERS:
        return [
            Problem(
                name,
                None,
                None,
                f"XLSX-Datei enthält {len(infos)} Teile",
                expected=f"höchstens {XLSX_MAX_MEMBERS}",
            )
        ]
    if total > XLSX_MAX_UNPACKED:
        return [
            Problem(
                name,
                None,
                None,
                f"XLSX-Datei ist entpackt zu groß ({total // mb} MB)",
                expected=f"höchstens {XLSX_MAX_UNPACKED // mb} MB entpackt",
            )
        ]
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > mb and ratio > XLSX_MAX_RATIO:
            return [
                Problem(
                    name,
                    None,
                    None,
                    f"XLSX-Datei ist ungewöhnlich stark komprimiert ({i.filename}:"
                    f" {ratio:.0f} : 1), vermutlich eine Zip-Bombe",
                    expected=f"höchstens {XLSX_MAX_RATIO} : 1",
                )
            ]
    return []


def read_xlsx(path: Path, sheet: str | None = None) -> Table:
    """Read the first (or named) sheet of an XLSX workbook; cells as text."""
    table = iter_xlsx(path, sheet)
    table.rows = list(table.rows)
    return table


def iter_xlsx(path: Path, sheet: str | None = None) -> Table:
    """Like read_xlsx, but the rows are streamed (openpyxl read-only) while they are iterated.

    The workbook stays open until the rows are consumed (or the iterator is dropped).
    """
    from openpyxl import load_workbook

    name = str(path)
    if problems := xlsx_archive_problems(path):
        raise LoadError(problems)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip/xml errors: not a workbook
        raise LoadError([Problem(name, None, None, f"keine lesbare XLSX-Datei: {exc}")]) from exc
    if sheet and sheet not in wb.sheetnames:
        wb.close()
        raise LoadError([Problem(name, None, None, f"Tabellenblatt {sheet!r} fehlt")])
    ws = wb[sheet] if sheet else wb.worksheets[0]
    it = ws.iter_rows(values_only=True)

    def broken(exc: Exception) -> LoadError:  # broken sheet XML (ParseError and kin)
        return LoadError(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"Tabellenblatt ist beschädigt, sein XML ist nicht lesbar ({exc})",
                    ws.title,
                    "in Excel öffnen und neu als .xlsx speichern",
                )
            ]
        )

    try:
        header = [str(h).strip() if h is not None else "" for h in next(it)]
    except StopIteration:
        wb.close()
        raise LoadError([Problem(name, None, None, "Tabellenblatt ist leer", ws.title)]) from None
    except Exception as exc:
        wb.close()
        raise broken(exc) from None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for line_no, cells in enumerate(it, start=2):
                if all(c is None or str(c).strip() == "" for c in cells):
                    continue
                yield line_no, {h: _cell(c) for h, c in zip(header, cells, strict=False)}
        except Exception as exc:
            raise broken(exc) from None
        finally:
            wb.close()

    return Table(name, header, rows(), ws.title)


def _cell(value: object) -> str:
    """Spreadsheet cell as text; floats that are whole numbers lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(path: Path) -> Table:
    """Read CSV or XLSX by extension; a missing file is a problem, not a traceback."""
    if not path.exists():
        raise LoadError([Problem(str(path), None, None, "Datei nicht gefunden")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    return read_csv(path)


# One separator followed by exactly three digits: 1,234 may be 1.234 or 1234.
AMBIGUOUS = re.compile(r"^[-+]?[1-9]\d{0,2}([.,])\d{3}$")
INNER_SPACE = re.compile(r"\S\s+\S")  # \s covers U+00A0 and U+202F (no-break spaces)


class NumberError(InvalidContent):
    """A cell that looks like a number but cannot be read as one safely; str() says why.

    The loaders turn it into one row of their LoadError (file, row, column); other text that
    is no number is a plain ValueError, as from float().
    """


def parse_number(raw: str, decimal: str | None = None) -> float:
    """Parse '1234.5', '1234,5' or '1.234,5' (German) into a float; ValueError otherwise.

    decimal: the file's decimal separator ("," for ';'-CSV). Refused with NumberError, never
    guessed: a space inside a number ('12 5' may be 125 or two numbers), '1,234' (1.234 or,
    with a thousands comma, 1234) and, in a ';'-file, '1.234' (German thousands or decimal).
    """
    s = raw.strip()
    if INNER_SPACE.search(s):
        raise NumberError(
            f"Leerzeichen in Zahl {raw!r}: mehrdeutig, Zahl ohne Leerzeichen "
            "oder Tausendertrennzeichen schreiben"
        )
    m = AMBIGUOUS.match(s)
    if m and (m.group(1) == "," or decimal == ","):
        raise NumberError(
            f"mehrdeutige Zahl {raw!r}: Tausendertrennzeichen oder "
            f"Dezimalzeichen? Ganze Zahlen ohne Trennzeichen schreiben (1234), "
            f"Dezimalzahlen mit mehr oder weniger als drei Nachkommastellen "
            f"(1{m.group(1)}2340)"
        )
    if "_" in s:  # float() would read '1_000' as 1000
        raise ValueError(raw)
    if "," in s:
        s = s.replace(".", "").replace(",", ".")
    value = float(s)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(raw)
    return value
