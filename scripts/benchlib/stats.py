"""Summaries over repeated runs: min / median / max."""

from __future__ import annotations

import statistics


def summary(values: list[float]) -> dict:
    """min, median and max of repeated measurements, rounded for printing."""
    return {
        "min": round(min(values), 3),
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
        "runs": len(values),
    }


def ratio(a: float, b: float) -> float:
    """a / b, rounded; inf when b is 0."""
    return round(a / b, 3) if b else float("inf")
