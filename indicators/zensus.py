"""Real values: population of the Kommunen from the Zensus 2022 flat CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, text

from geodata import attribution
from geodata.report import LoadError, Problem
from indicators.ingest import ROW_COLUMNS, Draft, write_draft
from indicators.loaders import SourceNote

INDICATOR = "bev_zensus22"
# The count is also the population series' value for 2022: a segment of its own, after a
# series break (indicators/data/series_breaks.csv), never joined to the Fortschreibung.
SERIES = "bev_insgesamt"
YEAR = 2022
RELEASE_LABEL = "zensus-2022"
ATTRIBUTION = f"{attribution.ZENSUS} ({attribution.LICENCE})"
SOURCE = f"{attribution.ZENSUS}, Tabelle 1000A-0000; {attribution.LICENCE_FULL}"
NOTE = (
    "Bevölkerung nach dem Zensus 2022, Stichtag 15.05.2022 (registergestützte Zählung), keine"
    " Fortschreibung. Die Werte der Region, der Kreise, der Länder und Deutschlands sind Summen"
    " über die Gemeinden des Zensus (Gebietsstand 15.05.2022)."
)


@dataclass
class ZensusReport:
    """Outcome of a Zensus import: loaded areas and keys that could not be matched."""

    release_id: int = 0
    loaded: int = 0
    unmatched: list[str] = field(default_factory=list)  # AGS in the file, not in boundaries
    missing: list[str] = field(default_factory=list)  # areas without a Zensus value


def ars_to_ags(ars: str) -> str:
    """12-digit regional key → 8-digit municipality key (first 5 + last 3 digits)."""
    return ars[:5] + ars[-3:]


def read_zensus(path: Path) -> dict[str, int]:
    """Persons per AGS for the Gemeinden (GEOGM4) rows of table 1000A-0000."""
    name = str(path)
    if not path.exists():
        raise LoadError([Problem(name, None, None, "Datei nicht gefunden")])
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";")
    needed = ("1_variable_code", "1_variable_attribute_code", "value")
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        raise LoadError([Problem(name, 1, c, "Pflichtspalte fehlt") for c in missing])
    out: dict[str, int] = {}
    problems = []
    for n, row in enumerate(reader, start=2):
        if row["1_variable_code"] != "GEOGM4":
            continue
        ars = row["1_variable_attribute_code"]
        try:
            out[ars_to_ags(ars)] = int(row["value"])
        except ValueError:
            problems.append(Problem(name, n, "value", f"keine ganze Zahl: {row['value']!r}"))
    if problems:
        raise LoadError(problems)
    return out


def load_zensus(conn: Connection, path: Path) -> ZensusReport:
    """Create the real release 'zensus-2022' with population for every loaded area."""
    persons = read_zensus(path)
    areas: dict[str, str] = dict(conn.execute(text("SELECT ags, level FROM area")).all())
    report = ZensusReport()
    report.unmatched = sorted(a for a in persons if a not in areas)
    report.missing = sorted(
        a for a, lvl in areas.items() if lvl in ("kommune", "gemeinde") and a not in persons
    )
    rows = [
        {
            "indicator_id": INDICATOR,
            "ags": a,
            "year": YEAR,
            "value": float(p),
            "numerator": None,
            "denominator": None,
        }
        for a, p in persons.items()
        if a in areas
    ]
    # Kreise, Länder and the Bund: the sum of the Zensus' own Gemeinden by key prefix (its
    # Gebietsstand 2022), so a total is whole even where boundaries of 2021 differ.
    for ags, lvl in areas.items():
        if lvl not in ("region", "kreis", "land", "bund"):
            continue
        prefix = "" if lvl == "bund" else ags
        members = [p for a, p in persons.items() if a.startswith(prefix)]
        if members:
            rows.append(
                {
                    "indicator_id": INDICATOR,
                    "ags": ags,
                    "year": YEAR,
                    "value": float(sum(members)),
                    "numerator": None,
                    "denominator": None,
                }
            )
    rows += [{**r, "indicator_id": SERIES} for r in rows]
    report.release_id, _n = write_draft(
        conn,
        Draft(RELEASE_LABEL, origin=str(path), note=f"Amtliche Werte: {ATTRIBUTION}"),
        [tuple(r[c] for c in ROW_COLUMNS) for r in rows],
        (SourceNote(i, "1000A-0000", SOURCE, NOTE) for i in (INDICATOR, SERIES)),
    )
    report.loaded = len(rows)
    return report
