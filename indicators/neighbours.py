"""Similar Kommunen (nearest neighbours) on standardised structural indicators.

Each variable is standardised over the compared Kommunen (z = (x − mean) / standard deviation),
so that each weighs the same whatever its unit; the distance is Euclidean over the z-scores.
Variables given as `log` are log-transformed first (population density spans two orders of
magnitude between a city and a rural Gemeinde).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np


def standardise(
    rows: Mapping[str, Sequence[float]], log: Sequence[bool] | None = None
) -> dict[str, np.ndarray]:
    """z-scores per variable over the given areas (log first where asked)."""
    keys = sorted(rows)
    x = np.array([rows[k] for k in keys], dtype=float)
    if log is not None:
        for j, use_log in enumerate(log):
            if use_log:
                if np.any(x[:, j] <= 0):
                    raise ValueError("log needs positive values")
                x[:, j] = np.log(x[:, j])
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0  # a constant variable separates nobody: its z-scores are all 0
    z = (x - x.mean(axis=0)) / sd
    return {k: z[i] for i, k in enumerate(keys)}


def nearest(z: Mapping[str, np.ndarray], k: int) -> dict[str, list[tuple[str, float]]]:
    """Per area its k nearest other areas with their Euclidean distance, nearest first.

    Ties are broken by key so that the answer does not depend on the input order.
    """
    out = {}
    # As plain floats (the same doubles): math.dist over numpy rows converts each element per
    # call (~0.5 ms for the 21 Kommunen on each map, profile and comparison after a publish).
    plain = {a: [float(x) for x in za] for a, za in z.items()}
    for a, za in plain.items():
        d = sorted((math.dist(za, zb), b) for b, zb in plain.items() if b != a)
        out[a] = [(b, dist) for dist, b in d[:k]]
    return out


def nearest_to(
    rows: Mapping[str, Sequence[float]],
    point: Sequence[float],
    k: int,
    log: Sequence[bool] | None = None,
) -> list[tuple[str, float]]:
    """The k areas of `rows` nearest to a point outside them, nearest first.

    The point is measured on the areas' own scale: each variable standardised with the areas'
    mean and standard deviation (as `standardise`), the point with the same, so its distances
    are those a Kommune of the same values would have.
    """
    keys = sorted(rows)
    x = np.array([rows[a] for a in keys], dtype=float)
    p = np.array(point, dtype=float)
    if log is not None:
        for j, use_log in enumerate(log):
            if use_log:
                if np.any(x[:, j] <= 0) or p[j] <= 0:
                    raise ValueError("log needs positive values")
                x[:, j], p[j] = np.log(x[:, j]), math.log(p[j])
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    mean = x.mean(axis=0)
    z, zp = (x - mean) / sd, (p - mean) / sd
    d = sorted((math.dist(zp, z[i]), a) for i, a in enumerate(keys))
    return [(a, dist) for dist, a in d[:k]]
