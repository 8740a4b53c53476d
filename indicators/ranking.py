"""Ranks among peers, one rule for every page: 1 = most favourable value by polarity."""

from __future__ import annotations

from collections.abc import Sequence


def rank_values(
    values: Sequence[float | None], polarity: str, n_peers: int | None = None
) -> list[int | None]:
    """Competition ranks (equal values share a rank, "1, 1, 3"); no value, no rank.

    1 = lowest value where higher is worse, else highest (neutral indicators: highest first).
    A rank among a few is no rank: all are None unless more than one value is present and at
    least half of the n_peers (default: len(values)) have one.
    """
    present = sorted((v for v in values if v is not None), reverse=polarity != "higher_worse")
    n = len(values) if n_peers is None else n_peers
    if len(present) <= 1 or len(present) * 2 < n:
        return [None] * len(values)
    first: dict[float, int] = {}
    for i, v in enumerate(present):
        first.setdefault(v, i + 1)
    return [None if v is None else first[v] for v in values]
