"""The unit vocabulary of the catalogue, defined once: shares, rates, counts and the rest."""

from __future__ import annotations

# Shares of a whole: value = numerator / denominator × 100, always within 0–100 (Wilson).
PROPORTION_UNITS = {"%": 100.0}
# Rates of counts per population, scaled (Byar's Poisson interval).
RATE_UNITS = {"‰": 1_000.0, "je 10.000": 10_000.0, "je 100.000": 100_000.0}
# Counts of people or things: whole numbers, never negative, no verdict against the Region.
COUNT_UNITS = ("Personen", "Anzahl")
# Every unit an indicator may have (the OpenAPI document and the importer check against it).
UNITS = (
    *PROPORTION_UNITS,
    *RATE_UNITS,
    *COUNT_UNITS,
    "EUR",
    "EUR/m²",
    "m²",
    "Jahre",
    "Index",
    "je km²",
    "km²",
    "je 100",
    # A ratio of two counts without a scale (INKAR: day-care places per member of staff).
    "je Person",
)
# Value = numerator / denominator × scale, for shares and rates alike.
SCALE = {**PROPORTION_UNITS, **RATE_UNITS}
