"""Real values: INKAR 2024 of the BBSR, loaded as published (Parquet) through a mapping.

One wide table per INKAR topic (`raumbezug`, `kennziffer`, `name`, `zeitbezug`, then one column
per indicator short code, `kuerzel`); `_indikatoren.parquet` describes each code. The mapping
`indicators/data/inkar_mapping.csv` names for every code our indicator (catalogue.csv) with its
topic, unit, decimals, polarity and names; a file with a code the mapping does not know is
refused. Only the levels Gemeinden, Kreise, Bundesländer and Bund are read; a Kreis value is the
BBSR's own Kreis row (never a sum), and keys without a loaded area are counted and reported.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from geodata import attribution
from geodata.levels import BUND_AGS
from geodata.report import LoadError, Problem
from indicators.ingest import Draft, write_draft
from indicators.loaders import YEAR_MAX, YEAR_MIN, SourceNote
from indicators.validate import catalogue_problems

DATA = Path(__file__).parent / "data"
MAPPING = DATA / "inkar_mapping.csv"
# The three INKAR topics in DATA_DIR/inkar/ and the `bereich` of their codes in _indikatoren.
FILES = {
    "sozialleistungen": "Sozialleistungen",
    "medizinische_und_soziale_versorgung": "Medizinische und soziale Versorgung",
    "siedlungsstruktur": "Siedlungsstruktur",
}
DEFINITIONS = "_indikatoren.parquet"
KEY_COLUMNS = ("raumbezug", "kennziffer", "zeitbezug")
NAME_COLUMN = "name"  # the area's name: text, not an indicator
# INKAR's levels that are read → the area levels its keys may match (the home Kreis is 'region').
LEVELS = {
    "Gemeinden": ("kommune", "gemeinde"),
    "Kreise": ("kreis", "region"),
    "Bundesländer": ("land",),
    "Bund": ("bund",),
}
KEY_FORMS = {
    "Gemeinden": (re.compile(r"^\d{8}$"), "8-stelliger Gemeindeschlüssel"),
    "Kreise": (re.compile(r"^\d{5}000$"), "8 Stellen: Kreisschlüssel und 000"),
    "Bundesländer": (re.compile(r"^\d{2}$"), "2-stelliger Länderschlüssel"),
    "Bund": (re.compile(r"^111$"), "111"),
}
YEAR = re.compile(r"^\d{4}$")
MAPPING_COLUMNS = (
    "kuerzel",
    "file",
    "indicator",
    "topic",
    "unit",
    "decimals",
    "polarity",
    "name_de",
    "name_en",
)
# Mapping columns that must say what the catalogue says (one indicator, one meaning).
CATALOGUE_CHECKED = {
    "topic": "topic_id",
    "unit": "unit",
    "decimals": "decimals",
    "polarity": "polarity",
    "name_de": "name_de",
    "name_en": "name_en",
}
RELEASE_LABEL = "inkar-2024"
GEMEINDEN_LABEL = "inkar-2024-gemeinden"  # Germany's Gemeinden when loaded after the release
LISTED = 20  # problems of one kind in one column listed one by one; the rest are counted


@dataclass(frozen=True)
class MappingLine:
    """One INKAR code and the indicator it fills."""

    kuerzel: str
    file: str
    indicator: str
    fields: dict[str, Any]
    line: int


@dataclass
class FileRead:
    """The values of one INKAR file for the loaded areas, and the keys without an area."""

    cells: list[tuple[str, str, int, float]] = field(default_factory=list)  # code, ags, year, v
    unmatched: dict[str, dict[str, str]] = field(default_factory=dict)  # level → key → name
    other_levels: Counter[str] = field(default_factory=Counter)  # rows of BBSR regions, not read


@dataclass
class InkarReport:
    """What a load stored and what it left out (every key left out is counted and listed)."""

    release_id: int | None = None
    values: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    indicators: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    unmatched: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # level → keys
    not_requested: int = 0  # values of matched areas at levels not asked for (levels=…)
    other_levels: Counter[str] = field(default_factory=Counter)  # rows of BBSR regions, not read
    outside_0_100: list[tuple[str, str, int, float]] = field(default_factory=list)


def our_key(level: str, kennziffer: str) -> str:
    """INKAR's key → our AGS: Kreise 03241000 → 03241, Bund 111 → DG, others unchanged."""
    if level == "Kreise":
        return kennziffer[:5]
    if level == "Bund":
        return BUND_AGS
    return kennziffer


def read_mapping(path: Path = MAPPING) -> dict[str, MappingLine]:
    """The mapping by code, or LoadError naming row and column of every fault."""
    name = str(path)
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";")
    missing = [c for c in MAPPING_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise LoadError([Problem(name, 1, c, "Pflichtspalte fehlt") for c in missing])
    problems: list[Problem] = []
    out: dict[str, MappingLine] = {}
    seen: dict[str, int] = {}
    for n, r in enumerate(reader, start=2):
        for col in MAPPING_COLUMNS:
            if not (r.get(col) or "").strip():
                problems.append(Problem(name, n, col, "leer"))
        if r["file"] and r["file"] not in FILES:
            problems.append(
                Problem(
                    name, n, "file", f"unbekannte Datei {r['file']!r}", expected=", ".join(FILES)
                )
            )
        # The mapping repeats the catalogue's unit, decimals and polarity: the one catalogue
        # validator checks them as it checks every catalogue file.
        found = catalogue_problems(name, n, r)
        problems += found
        if any(p.column == "decimals" for p in found):
            continue
        decimals = int(r["decimals"])
        if r["kuerzel"] in seen:
            problems.append(
                Problem(name, n, "kuerzel", f"doppelt (schon in Zeile {seen[r['kuerzel']]})")
            )
        seen.setdefault(r["kuerzel"], n)
        fields = {c: r[c] for c in CATALOGUE_CHECKED} | {"decimals": decimals}
        out[r["kuerzel"]] = MappingLine(r["kuerzel"], r["file"], r["indicator"], fields, n)
    by_indicator = Counter(m.indicator for m in out.values())
    problems += [
        Problem(name, m.line, "indicator", f"{m.indicator!r} ist mehreren Kürzeln zugeordnet")
        for m in out.values()
        if by_indicator[m.indicator] > 1
    ]
    if problems:
        raise LoadError(problems)
    return out


def _parquet() -> Any:  # pyarrow has no types (pyproject.toml)
    """pyarrow.parquet, imported on use: the app's pages never read Parquet."""
    import pyarrow.parquet as pq

    return pq


def read_definitions(folder: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """_indikatoren.parquet by (bereich, kuerzel): name, algorithmus, anmerkungen, grundlagen."""
    path = folder / DEFINITIONS
    if not path.is_file():
        raise LoadError([Problem(str(path), None, None, "Datei nicht gefunden")])
    try:
        rows = _parquet().read_table(path).to_pylist()
    except Exception as exc:  # pyarrow's errors: not a Parquet file
        raise LoadError(
            [Problem(str(path), None, None, f"keine lesbare Parquet-Datei: {exc}")]
        ) from exc
    need = ("bereich", "kuerzel", "name", "statistische_grundlagen")
    missing = [c for c in need if rows and c not in rows[0]]
    if missing:
        raise LoadError([Problem(str(path), None, c, "Pflichtspalte fehlt") for c in missing])
    return {(r["bereich"], r["kuerzel"]): r for r in rows}


def check_mapping(
    conn: Connection,
    mapping: dict[str, MappingLine],
    definitions: dict[tuple[str, str], dict[str, Any]],
    path: Path = MAPPING,
) -> list[Problem]:
    """Every code described by INKAR, every indicator in the catalogue and described alike."""
    catalogue = {
        r["id"]: r
        for r in conn.execute(
            text("SELECT id, topic_id, unit, decimals, polarity, name_de, name_en FROM indicator")
        ).mappings()
    }
    problems = []
    for m in mapping.values():
        if (FILES[m.file], m.kuerzel) not in definitions:
            problems.append(
                Problem(
                    str(path),
                    m.line,
                    "kuerzel",
                    f"{m.kuerzel!r} steht nicht in {DEFINITIONS} (Bereich {FILES[m.file]})",
                )
            )
        ours = catalogue.get(m.indicator)
        if ours is None:
            problems.append(
                Problem(str(path), m.line, "indicator", f"{m.indicator!r} fehlt im Katalog")
            )
            continue
        for col, db_col in CATALOGUE_CHECKED.items():
            if str(m.fields[col]) != str(ours[db_col]):
                problems.append(
                    Problem(
                        str(path),
                        m.line,
                        col,
                        f"{m.fields[col]!r}, im Katalog {ours[db_col]!r} ({m.indicator})",
                        expected="dieselbe Angabe wie catalogue.csv",
                    )
                )
    return problems


def _listed(problems: list[Problem], found: list[Problem]) -> None:
    """Add the first LISTED problems of one kind and a count of the rest."""
    problems.extend(found[:LISTED])
    if len(found) > LISTED:
        p = found[LISTED]
        problems.append(
            Problem(p.file, None, p.column, f"… und {len(found) - LISTED} weitere Zeilen ebenso")
        )


def read_inkar_file(path: Path, mapping: dict[str, MappingLine], areas: dict[str, str]) -> FileRead:
    """Every value of one INKAR file whose key is a loaded area (areas: ags → level).

    The whole file is checked (columns, codes, years, keys); a fault raises LoadError. Rows
    are numbered as records of the file (1 = first record; Parquet has no header line).
    """
    name = str(path)
    if not path.is_file():
        raise LoadError([Problem(name, None, None, "Datei nicht gefunden")])
    try:
        table = _parquet().read_table(path)
    except Exception as exc:  # pyarrow's errors: not a Parquet file
        raise LoadError([Problem(name, None, None, f"keine lesbare Parquet-Datei: {exc}")]) from exc
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = table.column_names
    problems = [
        Problem(name, None, c, "Pflichtspalte fehlt", expected=", ".join(KEY_COLUMNS))
        for c in KEY_COLUMNS
        if c not in cols
    ]
    codes = [c for c in cols if c not in KEY_COLUMNS and c != NAME_COLUMN]
    for c in codes:
        if c not in mapping:
            problems.append(
                Problem(
                    name,
                    None,
                    c,
                    f"INKAR-Kürzel {c!r} hat keine Zuordnung",
                    expected=f"eine Zeile für {c!r} in {MAPPING.name}",
                )
            )
        elif mapping[c].file != path.stem:
            problems.append(
                Problem(name, None, c, f"laut {MAPPING.name} in {mapping[c].file}.parquet")
            )
        elif not (pa.types.is_floating(table[c].type) or pa.types.is_integer(table[c].type)):
            problems.append(Problem(name, None, c, f"keine Zahlenspalte (Typ {table[c].type})"))
        elif pa.types.is_floating(table[c].type):
            infinite = pc.indices_nonzero(pc.fill_null(pc.is_inf(table[c]), False)).to_pylist()
            _listed(
                problems,
                [Problem(name, i + 1, c, "keine endliche Zahl (unendlich)") for i in infinite],
            )
    problems += [
        Problem(name, None, m.kuerzel, "Spalte fehlt (in der Zuordnung für diese Datei)")
        for m in mapping.values()
        if m.file == path.stem and m.kuerzel not in cols
    ]
    if problems:
        raise LoadError(problems)

    out = FileRead()
    levels = table["raumbezug"].to_pylist()
    keys = [str(k) if k is not None else "" for k in table["kennziffer"].to_pylist()]
    names = table[NAME_COLUMN].to_pylist() if NAME_COLUMN in cols else [""] * len(keys)
    bad_year, bad_key, doubles = [], [], []
    seen: dict[tuple[Any, ...], int] = {}
    keep: list[int] = []
    targets: list[tuple[str, int]] = []  # (ags, year) of each kept record
    for i, (lvl, key, y) in enumerate(
        zip(levels, keys, table["zeitbezug"].to_pylist(), strict=True)
    ):
        raw = str(y).strip() if y is not None else ""
        if not YEAR.match(raw) or not YEAR_MIN <= int(raw) <= YEAR_MAX:
            bad_year.append(
                Problem(name, i + 1, "zeitbezug", f"kein Jahr: {y!r}", expected="Jahr als Zahl")
            )
            continue
        if lvl not in LEVELS:
            out.other_levels[lvl] += 1
            continue
        form, expected = KEY_FORMS[lvl]
        if not form.match(key):
            bad_key.append(
                Problem(name, i + 1, "kennziffer", f"{key!r} ({lvl})", expected=expected)
            )
            continue
        if (lvl, key, raw) in seen:
            doubles.append(
                Problem(
                    name,
                    i + 1,
                    "kennziffer",
                    f"{lvl} {key} {raw} doppelt (schon Datensatz {seen[lvl, key, raw]})",
                )
            )
            continue
        seen[lvl, key, raw] = i + 1
        ags = our_key(lvl, key)
        if areas.get(ags) not in LEVELS[lvl]:
            out.unmatched.setdefault(lvl, {})[key] = names[i] or ""
            continue
        keep.append(i)
        targets.append((ags, int(raw)))
    for found in (bad_year, bad_key, doubles):
        _listed(problems, found)
    if problems:
        raise LoadError(problems)
    # Only the records of loaded areas become Python values (Germany's Gemeinden make most
    # of a file; while they are not loaded, a few thousand records are read).
    rows = table.take(pa.array(keep, type=pa.int64()))
    for c in codes:
        for (ags, year), v in zip(targets, rows[c].to_pylist(), strict=True):
            if v is not None and not math.isnan(v):  # None/NaN: INKAR has no value there
                out.cells.append((c, ags, year, float(v)))
    return out


def load_inkar(
    conn: Connection,
    folder: Path,
    label: str = RELEASE_LABEL,
    *,
    levels: set[str] | None = None,
    mapping_path: Path = MAPPING,
) -> InkarReport:
    """Read, check and write INKAR as a new draft release; the caller publishes and commits.

    levels: store only values of areas at these levels (e.g. {'gemeinde'} for Germany's
    Gemeinden beside a release that already holds the Kommunen, Kreise, Länder and the Bund).
    Nothing is written unless every file and the mapping are clean.
    """
    mapping = read_mapping(mapping_path)
    definitions = read_definitions(folder)
    problems = check_mapping(conn, mapping, definitions, mapping_path)
    areas: dict[str, str] = dict(conn.execute(text("SELECT ags, level FROM area")).all())
    report = InkarReport()
    rows = []
    unmatched: dict[str, dict[str, str]] = {}
    for stem in FILES:
        path = folder / f"{stem}.parquet"
        report.files.append(path.name)
        try:
            read = read_inkar_file(path, mapping, areas)
        except LoadError as err:
            problems += err.problems
            continue
        report.other_levels += read.other_levels
        for level, keys in read.unmatched.items():
            unmatched.setdefault(level, {}).update(keys)
        for code, ags, year, value in read.cells:
            level = areas[ags]
            if levels is not None and level not in levels:
                report.not_requested += 1
                continue
            m = mapping[code]
            rows.append((m.indicator, ags, year, value, None, None))
            report.by_level[level] = report.by_level.get(level, 0) + 1
            if m.fields["unit"] == "%" and not 0 <= value <= 100:
                report.outside_0_100.append((m.indicator, ags, year, value))
    if problems:
        raise LoadError(problems)
    report.unmatched = {lvl: sorted(keys.items()) for lvl, keys in unmatched.items()}
    if not rows:
        raise LoadError(
            [Problem(str(folder), None, None, "kein Wert passt zu einem geladenen Gebiet")]
        )

    used = sorted({r[0] for r in rows})
    by_indicator = {m.indicator: m for m in mapping.values()}
    grundlagen = {
        m.indicator: _clean(definitions[FILES[m.file], m.kuerzel]["statistische_grundlagen"])
        for m in mapping.values()
    }
    # Shares outside 0–100 are published so (a Kreis' childcare rate counts children from
    # elsewhere): loaded as published and listed, not refused (the published policy).
    report.release_id, _n = write_draft(
        conn,
        Draft(label, origin=str(folder), note=_note(grundlagen[i] for i in used)),
        rows,
        (
            SourceNote(
                i,
                f"INKAR {by_indicator[i].file}.parquet: {by_indicator[i].kuerzel}",
                f"{attribution.INKAR_COPYRIGHT}; {grundlagen[i]}; {attribution.LICENCE_FULL}",
                _clean(
                    definitions[FILES[by_indicator[i].file], by_indicator[i].kuerzel].get(
                        "anmerkungen"
                    )
                ),
            )
            for i in used
        ),
    )
    report.values, report.indicators = len(rows), used
    return report


def _clean(raw: str | None) -> str:
    """Published text on one line (INKAR's fields carry line breaks and double blanks)."""
    return re.sub(r"\s+", " ", raw or "").strip()


def _note(grundlagen: Iterable[str]) -> str:
    """The release note (one line): attribution, the underlying statistics, licence."""
    stats = sorted(
        {
            s.strip()
            for g in grundlagen
            for s in g.split(";")
            if s.strip() and s.strip() != "Laufende Raumbeobachtung des BBSR"
        }
    )
    return (
        f"Amtliche Werte: {attribution.INKAR} (Indikatoren und Karten zur Raum- und"
        f" Stadtentwicklung, Laufende Raumbeobachtung des BBSR; Statistiken: {'; '.join(stats)});"
        f" {attribution.LICENCE_FULL}"
    )
