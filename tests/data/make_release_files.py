"""Regenerate the release test files: good dialects (releases/) and the malformed corpus.

Run from the project root: .venv/bin/python tests/data/make_release_files.py
The files are committed; this script documents how each one was made (XLSX is binary).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

from indicators.catalogue import CATALOGUE_COLUMNS

HERE = Path(__file__).parent
GOOD, BAD = HERE / "releases", HERE / "bad_releases"
AREAS = [f"032410{n:02d}" for n in range(1, 22)] + ["03241"]
LONG = ["ags", "indicator", "year", "value", "numerator", "denominator"]
CATALOGUE = list(CATALOGUE_COLUMNS)


def rows(indicator: str = "sgb2_quote", years: tuple[int, ...] = (2023, 2024)) -> list[list]:
    """Consistent long rows: numerators of the Kommunen add up to the Region's."""
    out = []
    for y in years:
        nums = dens = 0
        for i, a in enumerate(AREAS[:-1]):
            den = 5000 + 700 * i + 10 * (y - 2020)
            num = 300 + 37 * i + (y - 2020)
            out.append([a, indicator, y, round(num / den * 100, 4), num, den])
            nums, dens = nums + num, dens + den
        out.append(["03241", indicator, y, round(nums / dens * 100, 4), nums, dens])
    return out


def write_csv(
    path: Path,
    header: list,
    body: list[list],
    delimiter: str = ",",
    encoding: str = "utf-8",
    decimal_comma: bool = False,
) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    for r in body:
        # Four decimals written out: '6,008' would be refused as ambiguous (1,234 or 1234?).
        w.writerow(
            [
                f"{c:.4f}".replace(".", ",") if decimal_comma and isinstance(c, float) else c
                for c in r
            ]
        )
    path.write_bytes(buf.getvalue().encode(encoding))


def write_xlsx(path: Path, sheets: dict[str, list[list]], merge: str | None = None) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for title, data in sheets.items():
        ws = wb.create_sheet(title)
        for r in data:
            ws.append(r)
        if merge:
            ws.merge_cells(merge)
    wb.save(path)


def wide(body: list[list]) -> tuple[list, list[list]]:
    years = sorted({r[2] for r in body})
    table: dict[tuple, dict] = {}
    for a, ind, y, v, *_ in body:
        table.setdefault((a, ind), {})[y] = v
    return ["ags", "indicator", *map(str, years)], [
        [a, i, *(d.get(y, "") for y in years)] for (a, i), d in table.items()
    ]


def catalogue_row(**over: str) -> list:
    """One new indicator's catalogue row, in the columns' order; `over` changes named cells."""
    values = (
        "neu_testquote",  # id
        "mindestsicherung",  # topic
        "Testquote",
        "Test rate",
        "%",  # unit
        "1",  # decimals
        "higher_worse",  # polarity
        "2020",  # first year
        "Anteil zum Testen.",
        "Test.",
        "Testamt",  # source
        "Fälle",  # numerator
        "Einwohner",  # denominator
    )
    base = dict(zip(CATALOGUE, values, strict=True))
    base.update(over)
    return [base[c] for c in CATALOGUE]


def good() -> None:
    body = rows()
    write_csv(GOOD / "long_utf8_comma.csv", LONG, body)
    write_csv(
        GOOD / "long_cp1252_semicolon.csv",
        ["AGS", "Indikator", "Jahr", "Wert", "Zähler", "Nenner"],
        body,
        ";",
        "cp1252",
        decimal_comma=True,
    )
    h, w = wide(rows("sgb2_u15_quote", (2021, 2022, 2023)))
    write_csv(GOOD / "wide_semicolon.csv", h, w, ";", decimal_comma=True)
    write_xlsx(GOOD / "long.xlsx", {"Werte": [LONG, *rows("gsia_quote")]})
    h, w = wide(rows("alo_quote", (2022, 2023, 2024)))
    h = h[:2] + [int(y) for y in h[2:]]  # Excel stores typed-in years as numbers
    write_xlsx(GOOD / "wide.xlsx", {"Breit": [h, *w]})
    write_csv(GOOD / "catalogue_new.csv", CATALOGUE, [catalogue_row()])
    write_csv(GOOD / "values_new_indicator.csv", LONG, rows("neu_testquote", (2023, 2024)))


def bad() -> None:
    body = rows()
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([LONG, *body])
    full = text.getvalue()
    (BAD / "truncated_row.csv").write_text(full[: full.index("\n", 400) + 15])
    (BAD / "truncated_quote.csv").write_text(full[:300] + '\n03241005,sgb2_quote,2023,"5,9')
    good_xlsx = (GOOD / "long.xlsx").read_bytes()
    (BAD / "truncated.xlsx").write_bytes(good_xlsx[: len(good_xlsx) // 2])
    (BAD / "not_a_workbook.xlsx").write_text(full)
    (BAD / "utf16.csv").write_bytes(full.encode("utf-16"))
    (BAD / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (BAD / "undefined_cp1252_byte.csv").write_bytes(full.encode() + b"03241001,\x81x,2023,1,1,2\n")
    write_csv(BAD / "tab_delimiter.csv", LONG, body, "\t")
    write_csv(BAD / "pipe_delimiter.csv", LONG, body, "|")
    write_csv(
        BAD / "decimal_comma_unquoted.csv", LONG[:4], [r[:4] for r in body], decimal_comma=True
    )
    (BAD / "decimal_comma_unquoted.csv").write_text(
        (BAD / "decimal_comma_unquoted.csv").read_text().replace('"', "")
    )
    write_csv(BAD / "missing_column.csv", ["ags", "indicator", "year"], [r[:3] for r in body])
    write_csv(BAD / "extra_column.csv", [*LONG, "bemerkung"], [[*r, "ok"] for r in body])
    write_csv(BAD / "duplicate_column.csv", [*LONG[:4], "value"], [[*r[:4], r[3]] for r in body])
    write_csv(BAD / "empty_header_cell.csv", [*LONG[:4], ""], [[*r[:4], ""] for r in body])
    write_csv(BAD / "duplicate_rows.csv", LONG, [*body, body[3]])
    write_csv(BAD / "unknown_ags.csv", LONG, [*body[:5], ["03241099", *body[5][1:]], *body[6:]])
    write_csv(BAD / "unknown_indicator.csv", LONG, [[*r[:1], "sgb2_qoute", *r[2:]] for r in body])
    write_csv(
        BAD / "text_in_number.csv", LONG, [*body[:2], [*body[2][:3], "k.A.", "", ""], *body[3:]]
    )
    write_csv(BAD / "nan_value.csv", LONG, [*body[:2], [*body[2][:3], "nan", 1, 2], *body[3:]])
    write_csv(
        BAD / "negative_count.csv", LONG, [*body[:7], [*body[7][:4], -4, body[7][5]], *body[8:]]
    )
    write_csv(
        BAD / "negative_population.csv", LONG, [["03241001", "bev_insgesamt", 2023, -5, "", ""]]
    )
    write_csv(
        BAD / "rate_over_100.csv", LONG, [*body[:1], [*body[1][:3], 104.5, "", ""], *body[2:]]
    )
    write_csv(
        BAD / "numerator_gt_denominator.csv",
        LONG,
        [*body[:4], [body[4][0], body[4][1], body[4][2], 50.0, 9000, 800], *body[5:]],
    )
    write_csv(BAD / "year_gap.csv", LONG, rows(years=(2020, 2021, 2023)))
    h, w = wide(rows(years=(2021, 2022, 2023)))
    w[4][3] = ""  # one Kommune without 2022 between 2021 and 2023
    write_csv(BAD / "year_gap_wide.csv", h, w, ";", decimal_comma=True)
    write_csv(
        BAD / "year_not_a_number.csv",
        LONG,
        [*body[:3], [*body[3][:2], "2023a", *body[3][3:]], *body[4:]],
    )
    write_csv(BAD / "year_out_of_range.csv", LONG, [[*r[:2], 1850, *r[3:]] for r in body[:22]])
    write_csv(BAD / "before_first_year.csv", LONG, rows(years=(2010, 2011)))
    h, w = wide(body)
    write_xlsx(
        BAD / "merged_header.xlsx",
        {"Werte": [["ags", "indicator", "Jahre", ""], h[:2] + h[2:], *w]},
        merge="C1:D1",
    )
    write_xlsx(BAD / "empty_sheet.xlsx", {"Leer": []})
    (BAD / "empty.csv").write_bytes(b"")
    (BAD / "only_blank_lines.csv").write_text("\n\n  \n")
    write_csv(BAD / "header_only.csv", LONG, [])
    write_csv(
        BAD / "formula_injection.csv",
        LONG,
        [*body[:9], ['=HYPERLINK("http://evil.example","x")', *body[9][1:]], *body[10:]],
    )
    write_csv(
        BAD / "formula_at_sign.csv", LONG, [*body[:2], ["@SUM(A1:A9)", *body[2][1:]], *body[3:]]
    )
    h, w = wide(body)
    w[2][2] = "x"
    write_csv(BAD / "wide_text_in_year_cell.csv", h, w)
    write_csv(
        BAD / "wide_without_years.csv",
        ["ags", "indicator", "betrag"],
        [r[:2] + [r[3]] for r in body],
    )
    write_xlsx(BAD / "duplicate_across_sheets.xlsx", {"A": [LONG, *body], "B": [LONG, *body[:3]]})
    write_xlsx(
        BAD / "xlsx_text_in_number.xlsx",
        {"Werte": [LONG, *body[:5], [*body[5][:3], "zwölf", 1, 2], *body[6:]]},
    )
    # Numbers that must not be guessed (';'-files with decimal comma, as the office writes them).
    semi = dict(delimiter=";", decimal_comma=True)
    write_csv(
        BAD / "ambiguous_thousands_comma.csv",
        LONG,
        [*body[:6], [*body[6][:3], "1,234", *body[6][4:]], *body[7:]],
        **semi,
    )
    write_csv(
        BAD / "ambiguous_thousands_dot.csv",
        LONG,
        [*body[:8], [*body[8][:5], "5.730"], *body[9:]],
        **semi,
    )
    write_csv(
        BAD / "nbsp_in_number.csv",
        LONG,
        [*body[:3], [*body[3][:5], "5\u00a0730"], *body[4:]],
        **semi,
    )
    write_csv(
        BAD / "narrow_nbsp_in_number.csv",
        LONG,
        [*body[:3], [*body[3][:4], "1\u202f234", body[3][5]], *body[4:]],
        **semi,
    )
    write_csv(
        BAD / "fractional_count.csv",
        LONG,
        [*body[:5], [*body[5][:4], "303,5", body[5][5]], *body[6:]],
        **semi,
    )
    write_csv(
        BAD / "fractional_persons.csv",
        LONG,
        [["03241001", "bev_insgesamt", 2023, "5030,5", "", ""]],
        **semi,
    )
    # Catalogue files (passed with --catalogue, values from releases/values_new_indicator.csv).
    write_csv(
        BAD / "catalogue_formula_injection.csv",
        CATALOGUE,
        [catalogue_row(name_de='=HYPERLINK("http://evil.example";"Klick")')],
    )
    write_csv(BAD / "catalogue_unknown_topic.csv", CATALOGUE, [catalogue_row(topic="sport")])
    write_csv(BAD / "catalogue_unknown_unit.csv", CATALOGUE, [catalogue_row(unit="Prozent")])
    write_csv(BAD / "catalogue_bad_polarity.csv", CATALOGUE, [catalogue_row(polarity="gut")])
    write_csv(BAD / "catalogue_missing_column.csv", CATALOGUE[:-3], [catalogue_row()[:-3]])


if __name__ == "__main__":
    good()
    bad()
