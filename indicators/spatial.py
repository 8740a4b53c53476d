"""Spatial autocorrelation: global Moran's I and LISA (libpysal/esda), seeded permutations."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from esda.moran import Moran, Moran_Local
from libpysal.weights import W

PERMUTATIONS = 999
SEED = 20240
ALPHA = 0.05
# esda's quadrant codes: 1 high-high, 2 low-high, 3 low-low, 4 high-low.
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
CLUSTERS = ("HH", "LL", "HL", "LH", "ns")


def weights_from_neighbours(neighbours: Mapping[str, Sequence[str]]) -> W:
    """A libpysal W (binary) from an id → neighbour ids mapping, ids kept in the given order."""
    return W(
        {k: list(v) for k, v in neighbours.items()},
        id_order=list(neighbours),
        silence_warnings=True,
    )


def moran(
    y: npt.ArrayLike, w: W, permutations: int = PERMUTATIONS, seed: int = SEED
) -> dict[str, float]:
    """Global Moran's I (row-standardised, y in w.id_order), pseudo p-value from seeded permutations."""
    state = np.random.get_state()
    np.random.seed(seed)  # esda's global Moran draws from numpy's global generator
    try:
        m = Moran(np.asarray(y, dtype=float), w, transformation="r", permutations=permutations)
    finally:
        np.random.set_state(state)
    return {
        "I": float(m.I),
        "EI": float(m.EI),
        "p_sim": float(m.p_sim),
        "z_sim": float(m.z_sim),
        "p_norm": float(m.p_norm),
        "permutations": permutations,
    }


def lisa(
    values: Mapping[str, float],
    w: W,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
    alpha: float = ALPHA,
) -> dict[str, Any]:
    """Global Moran's I and per area the local Moran's I, quadrant, p-value and cluster class."""
    ids = list(w.id_order)
    y = np.asarray([values[i] for i in ids], dtype=float)
    w.transform = "r"
    with warnings.catch_warnings():
        # esda announces a future change of its default alternative; we report its current
        # folded (directed) pseudo p-value, GeoDa's convention, and say so on the page.
        warnings.simplefilter("ignore", DeprecationWarning)
        local = Moran_Local(y, w, transformation="r", permutations=permutations, seed=seed)
    areas = {}
    for k, ags in enumerate(ids):
        quad = QUADRANTS[int(local.q[k])]
        p = float(local.p_sim[k])
        areas[ags] = {
            "Ii": float(local.Is[k]),
            "quadrant": quad,
            "p_sim": p,
            "cluster": quad if p <= alpha else "ns",
        }
    counts = {c: sum(1 for a in areas.values() if a["cluster"] == c) for c in CLUSTERS}
    return {
        "global": moran(y, w, permutations, seed),
        "areas": areas,
        "counts": counts,
        "alpha": alpha,
        "n": len(ids),
    }
