"""What a GENESIS export is, and a mapping skeleton for it (`sozmon inspect FILE`).

Pure: the parsed table, the mapping in force and the area keys to match against come in; a
text for the terminal and the skeleton (mapping lines to fill in, in the form
`indicators.genesis_mapping` reads) come out. No database, no Flask.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from geodata.report import Problem
from indicators.genesis import SPECIAL_MEANING, GenesisTable
from indicators.genesis_mapping import (
    COLUMNS,
    KIND_HELP,
    GenesisMapping,
    KreisRow,
    MappingLine,
    Term,
)

LEVEL_NAMES = {"gemeinde": "Gemeinden", "kreis": "Kreise"}


@dataclass
class KeyMatch:
    """The table's keys of one level against the known areas."""

    level: str
    keys: int
    matched: int
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (AGS, name)


@dataclass
class Inspection:
    """Everything `sozmon inspect` says about one GENESIS export."""

    table: GenesisTable
    status: str  # "known" | "unknown" | "changed"
    header_problems: list[Problem]
    lines: list[MappingLine]  # mapping lines that read this table
    pairs: list[KreisRow]  # Kreis-row pairs that read this table
    listed_in: str | None  # the file that lists the table's column paths
    flags: Counter[str]  # special value → cells
    numbers: int  # cells with a number
    keys: list[KeyMatch]
    areas_from: str | None  # where the area keys came from (database, boundaries) or None


def inspect_table(
    table: GenesisTable,
    mapping: GenesisMapping,
    header_problems: list[Problem],
    area_keys: set[str] | None,
    areas_from: str | None,
) -> Inspection:
    """Look at a parsed table: mapping status, special values, keys matched or not."""
    if not mapping.knows(table.code):
        status = "unknown"
    else:
        status = "changed" if header_problems else "known"
    flags: Counter[str] = Counter(c.flag for c in table.cells if c.flag is not None)
    numbers = sum(1 for c in table.cells if c.flag is None)
    names: dict[str, tuple[str, str]] = {}
    for c in table.cells:
        names.setdefault(c.ags, (c.level, c.name))
    keys = []
    for level in ("gemeinde", "kreis"):
        of_level = sorted((a, n) for a, (lvl, n) in names.items() if lvl == level)
        if not of_level:
            continue
        if area_keys is None:
            keys.append(KeyMatch(level, len(of_level), 0))
            continue
        unmatched = [(a, n) for a, n in of_level if a not in area_keys]
        keys.append(KeyMatch(level, len(of_level), len(of_level) - len(unmatched), unmatched))
    return Inspection(
        table,
        status,
        header_problems,
        mapping.lines_of(table.code),
        [p for p in mapping.kreis_rows if table.code in p.tables()],
        mapping.table_files.get(table.code),
        flags,
        numbers,
        keys,
        areas_from if area_keys is not None else None,
    )


def _years(table: GenesisTable) -> str:
    ys = table.years
    if not ys:
        return "–"
    span = f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else str(ys[0])
    return f"{span} ({len(ys)}: {', '.join(map(str, ys))})"


def render(ins: Inspection, examples: int = 8) -> str:
    """The inspection as text for the terminal (German, as every `sozmon` message)."""
    t = ins.table
    out = [
        f"GENESIS-Tabelle {t.code}: {' '.join(t.title)}",
        f"  Datei: {t.file}",
        f"  Statistik: {t.statistic}" + (f"; Maß: {t.measure}" if t.measure else ""),
    ]
    if t.stichtag:
        out.append(f"  Stichtag: {t.stichtag}")
    if t.stand:
        out.append(f"  Stand: {t.stand}")
    layout = "breit (eine Spalte je Zeitraum × Merkmal)" if t.layout == "wide" else "lang"
    out += [
        f"  Aufbau: {layout}; Tabellenebene {LEVEL_NAMES.get(t.level, t.level)}"
        f" ({t.code[-3]} im Code); {t.data_rows} Datenzeilen, {len(t.cells)} Werte",
        f"  Zeiträume: {', '.join(t.periods)}",
        f"  Jahre: {_years(t)}",
    ]
    if t.row_labels:
        out.append(f"  4. Spalte (row_filter): {' | '.join(t.row_labels)}")
    out += ["", "Ebenen und Schlüssel:"]
    for k in ins.keys:
        line = f"  {LEVEL_NAMES.get(k.level, k.level)}: {k.keys} Schlüssel"
        if ins.areas_from is not None:
            line += f", {k.matched} passen zu Gebieten ({ins.areas_from}), {len(k.unmatched)} nicht"
            if k.unmatched:
                sample = ", ".join(f"{a} {n}" for a, n in k.unmatched[:examples])
                line += f" (z. B. {sample}{' …' if len(k.unmatched) > examples else ''})"
        out.append(line)
    if ins.areas_from is None:
        out.append("  (keine Gebiete zum Abgleich: Datenbank leer und keine Grenzen gefunden)")
    if t.skipped:
        sample = ", ".join(f"{k} {n}" for k, n, _ in t.skipped[:4])
        out.append(
            f"  übersprungen (Gemeindeverbände, Berliner Bezirke): {len(t.skipped)}"
            f" (z. B. {sample})"
        )
    if t.twins:
        out.append(f"  Gemeinden mit Zwillingszeilen (Verbandswechsel): {len(t.twins)}")
    out += [
        "",
        "Werte:",
        f"  Zahlen: {ins.numbers} ({'nur ganze' if t.integer_table else 'auch Dezimalzahlen'})",
    ]
    for flag, n in sorted(ins.flags.items(), key=lambda x: -x[1]):
        out.append(f"  {flag!r}: {n} ({SPECIAL_MEANING.get(flag, '')})")
    out += ["", "Spaltenpfade (für numerator/minus/denominator als Tabelle:Spaltenpfad):"]
    seen: dict[str, str | None] = {}
    for col in t.columns:
        seen.setdefault(col.label, col.unit)
    for i, (label, unit) in enumerate(seen.items(), start=1):
        out.append(f"  {i:3}. {label}" + (f"  [{unit}]" if unit else ""))
    out += ["", "Mapping:"]
    if ins.status == "unknown":
        out.append(
            "  unbekannt: die Tabelle ist nicht im Mapping. Das Gerüst unten (mit --skeleton"
            " DATEI gespeichert) ausfüllen und mit --mapping DATEI laden."
        )
    else:
        out.append(f"  bekannt (Spaltenliste in {ins.listed_in})")
        if ins.status == "changed":
            out.append("  aber der Kopf weicht ab:")
            out += [f"    {p.message}" for p in ins.header_problems]
        for m in ins.lines:
            others = [c for c in m.tables() if c != t.code]
            out.append(
                f"  → {m.indicator} ({m.kind}; {m.file}, Zeile {m.line})"
                + (f", braucht auch {', '.join(others)}" if others else "")
            )
        for p in ins.pairs:
            out.append(
                f"  Kreiszeilen: {p.kreis.table}:{p.kreis.label} statt der Summe von"
                f" {p.gemeinde.table}:{p.gemeinde.label} ({p.file}, Zeile {p.line})"
            )
        if not ins.lines:
            out.append("  keine Kennzahl liest sie bisher")
    return "\n".join(out) + "\n"


def _csv_line(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerow(cells)
    return buf.getvalue()


def skeleton(ins: Inspection) -> str:
    """Mapping lines for the table, in the form load_mapping reads: its column paths (a
    `table;label` block) and one indicator line per column path with indicator, kind and factor
    to fill in. A known table's lines come filled as they are (so the file can replace them)."""
    t = ins.table
    labels = list(dict.fromkeys(c.label for c in t.columns))
    rows = t.row_labels
    out = [
        f"# Mapping für GENESIS-Tabelle {t.code} ({' '.join(t.title)})",
        f"# geschrieben von sozmon inspect aus {t.file}; Jahre {_years(t)}",
        "# Ausfüllen: je gewünschter Kennzahl im zweiten Block indicator (Kennung aus dem",
        "# Katalog, /kennzahlen), kind und factor; nicht gebrauchte Zeilen löschen.",
        f"# kind: {KIND_HELP}.",
        "# factor: 1 (Anzahl, Mittelwert), 100 (%), 1000 (‰ / je 1.000) …",
        "# numerator/minus/denominator: Tabelle:Spaltenpfad, mehrere mit ' + ' verbunden; ein",
        "#   Nenner aus einer anderen Tabelle (z. B. 12411-01-01-5-B:Insgesamt) wird mit geladen.",
        "# denominator_year_offset: 0, oder -1 für den Nenner des Vorjahres.",
    ]
    if rows:
        out.append(f"# row_filter (4. Spalte, Pflicht ohne Zeile 'Insgesamt'): {' | '.join(rows)}")
    out.append("# years: leer (alle), 2012- (ab 2012), -2010 (bis 2010), 2012-2016.")
    out.append(_csv_line(list(COLUMNS["tables"])).rstrip("\n"))
    out += [_csv_line([t.code, label]).rstrip("\n") for label in labels]
    out.append("")
    out.append(_csv_line(list(COLUMNS["mapping"])).rstrip("\n"))
    if ins.lines:
        for m in ins.lines:
            out.append(_csv_line(_line_cells(m)).rstrip("\n"))
    else:
        # A 4th column without an "Insgesamt" row: its total row if it has one (e.g.
        # "Insgesamt (ohne Doppelzählungen)"), else empty (the load then names the rows).
        totals = [r for r in rows if r.startswith("Insgesamt")]
        default_rf = "" if not rows or "Insgesamt" in rows else (totals or [""])[0]
        for label in labels:
            out.append(
                _csv_line(["", "", f"{t.code}:{label}", "", "", "", "0", default_rf, ""]).rstrip(
                    "\n"
                )
            )
    if ins.pairs:  # a known table's Kreis-row pairs, so that the file replaces them too
        out.append("")
        out.append(_csv_line(list(COLUMNS["kreis_rows"])).rstrip("\n"))
        for p in ins.pairs:
            cells = [
                f"{p.gemeinde.table}:{p.gemeinde.label}",
                f"{p.kreis.table}:{p.kreis.label}",
                _years_text(p.years),
            ]
            out.append(_csv_line(cells).rstrip("\n"))
    return "\n".join(out) + "\n"


def _years_text(years: tuple[int, int] | None) -> str:
    """(2012, 9999) → '2012-', as the years column writes it."""
    if not years:
        return ""
    first, last = years
    if first == last:
        return str(first)
    return f"{first if first else ''}-{last if last != 9999 else ''}"


def _line_cells(m: MappingLine) -> list[str]:
    def terms(ts: list[Term]) -> str:
        return " + ".join(f"{x.table}:{x.label}" for x in ts)

    years = _years_text(m.years)
    factor = f"{m.factor:g}"
    return [
        m.indicator,
        m.kind,
        terms(m.numerator),
        terms(m.minus),
        terms(m.denominator),
        factor,
        str(m.offset),
        m.row_filter or "",
        years,
    ]
