"""Build tests/data/gv_next_year/31122024_Auszug_GV.xlsx from the real GV-ISys extract of 2023.

Run: .venv/bin/python tests/data/make_gv_next_year.py [DATA_DIR]
The extract of another 31.12. as Destatis would publish it: the real file of 31.12.2023 with its
reference date changed to 31.12.2024 everywhere it is written (title, sheet name, the header's
Gebietsstand and Zuordnungsstand), cut to the Land Niedersachsen's record, Region Hannover's
Kreis, Gemeindeverband and Gemeinde records and the footnotes (the file stays small); each
Gemeinde's population is raised by 1 % (male and female alike, rounded; density recomputed as
the file rounds it) so that a test can tell its values from the 2023 file's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
SOURCE_NAME = "31122023_Auszug_GV.xlsx"
OUT = HERE / "gv_next_year" / "31122024_Auszug_GV.xlsx"


def _dated(v: object) -> object:
    return v.replace("31.12.2023", "31.12.2024") if isinstance(v, str) else v


def main() -> None:
    data = Path(
        sys.argv[1]
        if len(sys.argv) > 1
        else os.environ.get("DATA_DIR", HERE.parents[2] / "shared" / "data")
    )
    wb = openpyxl.load_workbook(data / "gemeindeverzeichnis" / SOURCE_NAME, read_only=True)
    intro = [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    rows = [tuple(r) for r in wb.worksheets[1].iter_rows(values_only=True)]
    wb.close()
    first = next(i for i, r in enumerate(rows) if r[0] == "10")
    head = [tuple(_dated(c) for c in r) for r in rows[:first]]
    body = [r for r in rows[first:] if r[0] == "10" and r[2] == "03"]
    body += [r for r in rows[first:] if r[0] in ("40", "50", "60") and r[2:5] == ("03", "2", "41")]
    foot = rows[
        next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Quelle")) - 1 :
    ]
    out = []
    for r in body:
        if r[0] == "60":
            cells = list(r)
            male, female = round(r[10] * 1.01), round(r[11] * 1.01)
            cells[9], cells[10], cells[11] = male + female, male, female
            cells[12] = round((male + female) / r[8])
            r = tuple(cells)
        out.append(r)
    new = openpyxl.Workbook()
    ws0 = new.active
    ws0.title = "Inhalt"
    for r in intro:
        ws0.append([_dated(c) for c in r])
    ws1 = new.create_sheet("Onlineprodukt_Gemeinden31122024")
    for r in [*head, *out, *foot]:
        ws1.append(list(r))
    OUT.parent.mkdir(exist_ok=True)
    new.save(OUT)
    print(f"{OUT}: {len(out)} records")


if __name__ == "__main__":
    main()
