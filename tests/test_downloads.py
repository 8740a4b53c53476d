"""Downloads: CSV, German Excel CSV and XLSX open in csv/openpyxl and hold the values shown."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from app.render.formatting import fmt_value
from app.web.downloads import SYNTHETIC_MARK, Num, Table, to_csv, to_xlsx
from geodata import attribution
from indicators.classify import COUNT_UNITS

HANNOVER, GARBSEN = "03241001", "03241005"


def read_csv(body: bytes, german: bool) -> list[list[str]]:
    if german:
        assert body.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert not body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def read_xlsx(body: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(body)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def split(rows: list[list]) -> tuple[list[str], list, list[list]]:
    """Header lines, column row and data rows (a blank row separates the header lines)."""
    blank = next(i for i, r in enumerate(rows) if not any(c not in (None, "") for c in r))
    return [r[0] for r in rows[:blank]], rows[blank + 1], rows[blank + 2 :]


# ---------------------------------------------------------------- the module itself

TABLE = Table(
    "t",
    ["Name", "Wert", "Anzahl"],
    [
        ['=HYPERLINK("x")', Num(1234.5678, 2), 3],
        ["@SUM(A1)", Num(-0.04, 1), None],
        ["+1", Num(None, 1), 0],
        ["-2", Num(7, 0), 1],
        ["Neustadt am Rübenberge", Num(12.25, 1), 2],
    ],
    ["Titel", "Quelle: Zensus 2022"],
)


def test_csv_standard_and_german_variant():
    std = read_csv(to_csv(TABLE), german=False)
    de = read_csv(to_csv(TABLE, german=True), german=True)
    assert split(std)[0] == ["Titel", "Quelle: Zensus 2022"]
    assert split(std)[2][0] == ['\'=HYPERLINK("x")', "1234.57", "3"]
    assert split(de)[2][0] == ['\'=HYPERLINK("x")', "1234,57", "3"]
    # formula starters are neutralised, numbers are not; -0.0 after rounding is 0
    assert [r[0] for r in split(std)[2]] == [
        '\'=HYPERLINK("x")',
        "'@SUM(A1)",
        "'+1",
        "'-2",
        "Neustadt am Rübenberge",
    ]
    assert split(std)[2][1][1] == "0.0" and split(de)[2][1][1] == "0,0"
    assert split(std)[2][2][1] == "" and split(std)[2][3][1] == "7"


def test_xlsx_has_numbers_with_their_formats_and_no_formulas():
    rows = read_xlsx(to_xlsx(TABLE))
    header, cols, data = split(rows)
    assert header == ["Titel", "Quelle: Zensus 2022"] and cols == ["Name", "Wert", "Anzahl"]
    assert data[0] == ['\'=HYPERLINK("x")', 1234.57, 3]
    assert data[2][1] is None and data[3][1] == 7
    ws = load_workbook(io.BytesIO(to_xlsx(TABLE))).active
    assert ws.cell(row=5, column=2).number_format == "0.00"
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


# ---------------------------------------------------------------- against the pages


def shown_cells(page: str, indicator: str) -> dict[str, str]:
    """The profile row's numbers by class; the difference sits under the verdict ("Differenz …")."""
    row = re.search(rf'<tr id="row-{indicator}".*?</tr>', page, re.S).group(0)
    row = re.sub(r'<span class="year">.*?</span>', "", row)  # the value's year, shown below it
    out = {
        cls: html.unescape(re.sub(r"<[^>]+>", "", content)).strip()
        for cls, content in re.findall(r'<td class="num ([\w-]+)[^"]*"[^>]*>(.*?)</td>', row, re.S)
    }
    diff = re.search(r'<span class="diff">(.*?)</span>', row, re.S)
    if diff:  # absolute counts have none
        out["diff"] = html.unescape(diff.group(1)).split(" ", 1)[1].strip()
    return out


def as_number(v) -> float | None:
    """A cell from csv (either variant) or openpyxl as a float."""
    if v in (None, ""):
        return None
    return float(v.replace(",", ".")) if isinstance(v, str) else float(v)


@pytest.mark.parametrize("fmt", ["csv", "csv-de", "xlsx"])
def test_profile_download_holds_the_values_shown(app, client, conn, fmt):
    decimals = dict(conn.execute(text("SELECT id, decimals FROM indicator")).all())
    url = f"/kommune/{HANNOVER}?von=2015&bis=2023"
    page = client.get(url).get_data(as_text=True)
    r = client.get(url + f"&format={fmt}")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    rows = read_xlsx(r.data) if fmt == "xlsx" else read_csv(r.data, german=fmt == "csv-de")
    header, cols, data = split(rows)
    assert any("Zensus 2022" in h for h in header)
    assert any(attribution.BOUNDARIES in h for h in header)
    assert any("Beispieldaten" in h for h in header)
    ids = re.findall(r'<tr id="row-(\w+)"', page)
    assert [d[cols.index("Kennzahl-ID")] for d in data] == ids
    with app.test_request_context("/"):
        for d in data:
            ind, unit = d[cols.index("Kennzahl-ID")], d[cols.index("Einheit")]
            shown, dec = shown_cells(page, ind), decimals[ind]
            for col, cls in (("Hannover", "value"), ("Region Hannover", "region")):
                assert fmt_value(as_number(d[cols.index(col)]), dec, unit) == shown[cls], ind
            diff = as_number(d[cols.index("Differenz zur Region")])
            if unit in COUNT_UNITS or diff is None:  # counts: no difference; or a value missing
                assert not re.search(r"\d", shown.get("diff", "")), ind
            else:
                assert shown["diff"].lstrip("+±").startswith(fmt_value(diff + 0.0, dec)), ind
            rank = d[cols.index("Rang")]
            assert shown["rank"].startswith(f"{rank} von 21" if rank not in (None, "") else "–"), (
                ind
            )
            # Demo mode: the Herkunft column says every row's kind.
            mark = d[cols.index("Herkunft")] or ""
            synthetic = d[cols.index("Datenstand")] == "demo-2024-2"
            assert mark == (SYNTHETIC_MARK if synthetic else "amtlich"), ind
            cell = d[cols.index("Veränderung 2015–2023 (Punkte)")]
            if isinstance(cell, str) and cell.startswith("Zeitreihenbruch"):
                # a series break in the period: no number in the file, none on the page
                assert "Zeitreihenbruch" in shown["change"], ind
                continue
            pts = as_number(cell)
            assert (
                fmt_value(pts, dec) in shown["change"]
                if pts is not None
                else shown["change"] == "–"
            )


def test_profile_csv_numbers_are_exactly_the_rounded_values(client):
    """Exact text check: the German CSV holds the shown digits without units or separators."""
    page = client.get(f"/kommune/{HANNOVER}").get_data(as_text=True)
    _, cols, data = split(read_csv(client.get(f"/kommune/{HANNOVER}?format=csv-de").data, True))
    checked = 0
    for d in data:
        shown = shown_cells(page, d[cols.index("Kennzahl-ID")])
        digits = shown["value"].split(" ")[0].replace(".", "")
        assert d[cols.index("Hannover")] == ("" if digits == "–" else digits)
        checked += 1
    assert checked >= 100


@pytest.mark.parametrize("fmt", ["csv", "csv-de", "xlsx"])
def test_comparison_download_holds_the_table_and_chart_values(app, client, fmt):
    base = f"/vergleich/{HANNOVER}/{GARBSEN}"
    page = client.get(base).get_data(as_text=True)
    rows = client.get(base + f"?format={fmt}").data
    rows = read_xlsx(rows) if fmt == "xlsx" else read_csv(rows, german=fmt == "csv-de")
    header, cols, data = split(rows)
    assert any("Zensus 2022" in h for h in header)
    latest = {}
    for d in data:  # the last year of each indicator is the one in the table
        latest[d[cols.index("Kennzahl-ID")]] = d
    with app.test_request_context("/"):
        # Synthetic-only indicators: their newest year is the table's (for real ones the table
        # shows the newest real year, see test_genesis_import).
        for ind in ("alo_sgb2_anteil", "kaufkraft_index", "einpersonenhh_anteil", "bev_zensus22"):
            d, shown = latest[ind], shown_cells(page, ind)
            unit = d[cols.index("Einheit")]
            dec = 0 if unit == "Personen" else 1
            for col, cls in (
                ("Hannover", "value-a"),
                ("Garbsen", "value-b"),
                ("Region Hannover", "region"),
            ):
                v = d[cols.index(col)]
                v = float(v.replace(",", ".")) if isinstance(v, str) else v
                assert shown[cls].startswith(fmt_value(v, dec, unit)), (ind, col)
    years = {
        d[cols.index("Jahr")]
        for d in data
        if d[cols.index("Kennzahl-ID")] == "armutsgefaehrdung_quote"
    }
    assert len(years) >= 10


@pytest.mark.parametrize("fmt", ["csv", "csv-de", "xlsx"])
def test_time_series_download_equals_its_table(client, fmt):
    url = f"/zeitreihe?indikator=armutsgefaehrdung_quote&kommunen={HANNOVER},{GARBSEN}&darstellung=index"
    page = client.get(url).get_data(as_text=True)
    body = client.get(url + f"&format={fmt}").data
    rows = read_xlsx(body) if fmt == "xlsx" else read_csv(body, german=fmt == "csv-de")
    header, cols, data = split(rows)
    assert cols[:4] == ["Jahr", "Region Hannover", "Hannover", "Garbsen"]
    assert any("Index" in h for h in header)
    for d in data:
        year = int(d[0])
        row = re.search(rf'<tr data-year="{year}">.*?</tr>', page, re.S).group(0)
        shown = re.findall(r'<td class="num">(.*?)</td>', row)
        as_text = [
            f"{v:.1f}".replace(".", ",") if not isinstance(v, str) else v.replace(".", ",")
            for v in d[1:4]
        ]
        assert as_text == shown
        assert d[-1] == SYNTHETIC_MARK
