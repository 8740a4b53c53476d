"""What an office release file (CSV or XLSX, long or wide form) holds, before it is imported.

`sozmon inspect FILE` for a file that is no GENESIS export: per sheet its form, columns and row
count, the years, and which indicators and area keys the catalogue and the loaded areas know.
Read with the importer's own readers (`indicators.importer`), so the columns are named as the
import names them; nothing is validated beyond the form (the import does that).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from indicators.importer import (
    YEAR_COLUMN,
    is_long,
    normalise,
    shape_problems,
    stream_tables,
)


@dataclass
class SheetInspection:
    """One sheet (or the one table of a CSV)."""

    sheet: str | None
    form: str  # "lang" | "breit"
    columns: list[str]
    rows: int
    years: list[str]
    indicators: Counter[str]  # indicator id → rows
    keys: set[str]
    problems: list[str] = field(default_factory=list)


@dataclass
class ReleaseInspection:
    """Every sheet of the file, with the catalogue's and the areas' view of its keys."""

    file: str
    sheets: list[SheetInspection]
    known_indicators: set[str] | None  # None: no catalogue to compare with
    known_areas: set[str] | None


def inspect_release(
    path: Path, *, indicators: set[str] | None, areas: set[str] | None
) -> ReleaseInspection:
    """Read the file's sheets (LoadError if it is no table at all)."""
    sheets = []
    for raw in stream_tables(path):
        t = normalise(raw)
        long_ = is_long(t.header)
        found: Counter[str] = Counter()
        keys: set[str] = set()
        years: set[str] = set()
        n = 0
        for _line, r in t.rows:
            n += 1
            found[r.get("indicator", "")] += 1
            keys.add(r.get("ags", ""))
            if long_:
                years.add(r.get("year", ""))
        if not long_:
            years = {c for c in t.header if YEAR_COLUMN.match(c)}
        sheets.append(
            SheetInspection(
                t.sheet,
                "lang" if long_ else "breit",
                list(t.header),
                n,
                sorted(y for y in years if y),
                found,
                {k for k in keys if k},
                [p.message for p in shape_problems(t)],
            )
        )
    return ReleaseInspection(str(path), sheets, indicators, areas)


def render_release(rep: ReleaseInspection, examples: int = 10) -> str:
    """The inspection as text for the terminal."""
    out = [f"Veröffentlichungsdatei des Amts (CSV/XLSX): {rep.file}"]
    for s in rep.sheets:
        out += [
            "",
            f"Blatt {s.sheet}:" if s.sheet else "Tabelle:",
            f"  Form: {s.form}form; {s.rows} Zeilen; Spalten: {', '.join(s.columns)}",
            f"  Jahre: {', '.join(s.years) or '–'}",
        ]
        out += [f"  Problem: {p}" for p in s.problems]
        ids = sorted(i for i in s.indicators if i)
        if rep.known_indicators is None:
            out.append(f"  Kennzahlen: {len(ids)} ({', '.join(ids[:examples])})")
        else:
            unknown = [i for i in ids if i not in rep.known_indicators]
            out.append(
                f"  Kennzahlen: {len(ids)}, davon im Katalog {len(ids) - len(unknown)},"
                f" unbekannt {len(unknown)}"
                + (f" ({', '.join(unknown[:examples])})" if unknown else "")
            )
        if rep.known_areas is None:
            out.append(f"  Gebietsschlüssel: {len(s.keys)}")
        else:
            unmatched = sorted(k for k in s.keys if k not in rep.known_areas)
            out.append(
                f"  Gebietsschlüssel: {len(s.keys)}, davon ohne Gebiet {len(unmatched)}"
                + (f" ({', '.join(unmatched[:examples])})" if unmatched else "")
            )
    out.append("")
    out.append("Laden: sozmon load-release DATEI --label LABEL --draft (prüft jede Zeile).")
    return "\n".join(out) + "\n"
