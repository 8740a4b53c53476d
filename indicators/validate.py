"""The two validators every source goes through: one for catalogue rows, one for value rows.

Catalogue rows come from `sozmon load-catalogue`, the catalogue beside an office release, the
data directory's catalogue files (DATA_DIR/mappings/catalogue/*.csv), INKAR's mapping (which
repeats unit, decimals and polarity) and the demo generator's parameters; `catalogue_problems`
checks unit, polarity and decimals of each the same way, naming file, row and column.

Value rows come from every source; `value_problems` holds the rules on a value given its
indicator's unit. Two policies: an office file (OFFICE) is refused for anything implausible
(a share outside 0–100, a negative or fractional count, a numerator above its denominator);
a published official table (PUBLISHED: GENESIS, INKAR, GV-ISys, Zensus) is stored as published
(a share over 100 from two sources, a negative balance, an area as denominator are facts there),
so only what cannot be a value at all (not finite, a year outside YEAR_MIN–YEAR_MAX) refuses it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import Enum

from geodata.report import Problem
from indicators.models import POLARITIES
from indicators.units import COUNT_UNITS, PROPORTION_UNITS, UNITS

YEAR_MIN, YEAR_MAX = 1990, 2100
# Decimals shown for an indicator: the pages format with at most this many.
DECIMALS_MAX = 4


class Policy(Enum):
    """What a source's values are: an office's own figures, or an official table as published."""

    OFFICE = "office"
    PUBLISHED = "published"


def catalogue_problems(
    file: str, row: int | None, r: Mapping[str, str], sheet: str | None = None
) -> list[Problem]:
    """Unit, polarity and decimals of one catalogue row (of any file that defines indicators)."""
    out: list[Problem] = []
    unit = r.get("unit", "")
    if unit and unit not in UNITS:
        out.append(
            Problem(file, row, "unit", f"unbekannte Einheit {unit!r}", sheet, ", ".join(UNITS))
        )
    if r.get("polarity") not in POLARITIES:
        out.append(
            Problem(
                file,
                row,
                "polarity",
                f"{r.get('polarity')!r}, erwartet: {', '.join(POLARITIES)}",
                sheet,
            )
        )
    raw = r.get("decimals", "")
    try:
        decimals = int(raw)
    except ValueError:
        out.append(Problem(file, row, "decimals", f"keine ganze Zahl: {raw!r}", sheet))
    else:
        if not 0 <= decimals <= DECIMALS_MAX:
            out.append(
                Problem(file, row, "decimals", f"{decimals} liegt nicht in 0–{DECIMALS_MAX}", sheet)
            )
    return out


def year_problem(year: int) -> str | None:
    """The message for a year no release may hold, or None."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        return f"Jahr {year} liegt nicht in {YEAR_MIN}–{YEAR_MAX}"
    return None


def value_problems(
    unit: str | None,
    value: float | None,
    numerator: float | None = None,
    denominator: float | None = None,
    policy: Policy = Policy.OFFICE,
) -> list[tuple[str, str]]:
    """(column, message) of every rule one value row breaks, given its indicator's unit."""
    out: list[tuple[str, str]] = []
    for col, x in (("value", value), ("numerator", numerator), ("denominator", denominator)):
        if x is not None and not math.isfinite(x):
            out.append((col, f"keine endliche Zahl: {x!r}"))
    if out or policy is Policy.PUBLISHED:
        return out
    if value is not None and unit in PROPORTION_UNITS and not 0 <= value <= 100:
        out.append(("value", f"Anteil {value} liegt nicht in 0–100 (Einheit %)"))
    if value is not None and value < 0 and unit in COUNT_UNITS:
        out.append(("value", f"negative Anzahl: {value} (Einheit {unit})"))
    for col, x in (("numerator", numerator), ("denominator", denominator)):
        if x is not None and x < 0:
            out.append((col, f"negative Anzahl: {x}"))
    if (
        unit in PROPORTION_UNITS
        and numerator is not None
        and denominator is not None
        and numerator > denominator
    ):
        out.append(("numerator", f"Zähler {numerator} größer als Nenner {denominator}"))
    return out
