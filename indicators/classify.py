"""Class breaks (mapclassify), ColorBrewer palettes and legend labels — pure functions, no I/O."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import mapclassify
import numpy as np
import numpy.typing as npt

# URL values of the classification choice → mapclassify classifier.
CLASSIFICATIONS = {
    "quantile": mapclassify.Quantiles,
    "jenks": mapclassify.FisherJenks,
    "gleich": mapclassify.EqualInterval,
}
SCHEMES = ("sequenziell", "divergierend")
DEFAULT_K = 5
JENKS_EXACT_MAX = 300  # above this many values, Fisher-Jenks breaks come from a sample
NO_DATA_COLOR = "#d9d9d9"
# The verdict colours of the whole app: verdicts against the Region on the map (mode
# "vergleich"), the disparities pages and their images, the ranking's bars and the profile's spines
# (ColorBrewer RdYlBu ends; purple/orange for neutral indicators; grey: no verdict). Bars and
# markers carry a dark outline, so the pale "similar" keeps 3:1 against the white page.
VERDICT_COLOURS = {
    "better": "#2c7bb6",
    "similar": "#ffffbf",
    "worse": "#d7191c",
    "higher": "#5e3c99",
    "lower": "#e66101",
    "not_assessable": "#bdbdbd",
}
# The LISA clusters' colours (GeoDa's usual ones): hot spots red, cold spots blue, outliers pale.
CLUSTER_COLOURS = {
    "HH": "#d7191c",
    "LL": "#2c7bb6",
    "HL": "#fdae61",
    "LH": "#abd9e9",
    "ns": "#eeeeee",
}
# Absolute counts are dominated by the city of Hannover: natural breaks keep the other 20 apart.
from indicators.units import COUNT_UNITS  # noqa: E402

# ColorBrewer 2.0 (Cynthia A. Brewer, Pennsylvania State University), Apache-2.0 licence,
# https://colorbrewer2.org — only the colour-blind safe schemes, classes 3 to 7, light → dark.
SEQUENTIAL = {
    "YlOrRd": {
        3: ["#ffeda0", "#feb24c", "#f03b20"],
        4: ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
        5: ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
        6: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
        7: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
    },
    "Blues": {
        3: ["#deebf7", "#9ecae1", "#3182bd"],
        4: ["#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"],
        5: ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
        6: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"],
        7: ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"],
    },
}
# 6-class diverging schemes: three classes below the centre, three above (low → high).
DIVERGING = {
    "RdBu": ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"],
    "PuOr": ["#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788"],
}


@dataclass
class Classes:
    """Result of a classification: per class its bounds and colour, per value its class."""

    method: str
    scheme: str
    bounds: list[tuple[float, float]] = field(default_factory=list)
    colors: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    assignment: list[int | None] = field(default_factory=list)
    center: float | None = None

    def color_of(self, index: int) -> str:
        """The colour of the i-th input value (grey for 'keine Daten')."""
        k = self.assignment[index]
        return NO_DATA_COLOR if k is None else self.colors[k]


def default_classification(unit: str) -> str:
    """The classification shown when none is chosen."""
    return "jenks" if unit in COUNT_UNITS else "quantile"


def diverging_meaningful(unit: str, region_value: float | None) -> bool:
    """Deviation from the Region's value means something for rates, not for absolute counts."""
    return region_value is not None and unit not in COUNT_UNITS


def sequential_palette(polarity: str, k: int) -> list[str]:
    """Light → dark colours for k classes; darker always means worse where polarity is known."""
    if polarity == "neutral":
        return SEQUENTIAL["Blues"][k]
    colors = SEQUENTIAL["YlOrRd"][k]
    # higher_better: the lowest values are the worst, so they get the darkest colour.
    return list(reversed(colors)) if polarity == "higher_better" else colors


def _sequential_colors(polarity: str, n: int) -> list[str]:
    """n colours of the sequential palette; ColorBrewer starts at 3, so pick from it for 1–2."""
    if n >= 3:
        return sequential_palette(polarity, n)
    three = sequential_palette(polarity, 3)
    return [three[1]] if n == 1 else [three[0], three[2]]


def diverging_palette(polarity: str) -> list[str]:
    """Six colours low → high around a centre; red marks the worse side where there is one."""
    if polarity == "neutral":
        return DIVERGING["PuOr"]
    rdbu = DIVERGING["RdBu"]  # red at the low end
    return list(reversed(rdbu)) if polarity == "higher_worse" else rdbu


def _breaks(values: np.ndarray, method: str, k: int) -> list[float]:
    """Upper class bounds for the values (fewer classes when there are fewer distinct values)."""
    k = max(1, min(k, len(np.unique(values))))
    if k == 1:
        return [float(values.max())]
    with warnings.catch_warnings():
        # "Numba not installed" and "not enough unique values" are expected for 21 areas.
        warnings.simplefilter("ignore")
        if method == "jenks" and len(values) > JENKS_EXACT_MAX:
            # Exact Fisher-Jenks is quadratic: minutes for Germany's 11,000 Gemeinden. Breaks
            # of a fixed sample (as mapclassify's FisherJenksSampled, without its global RNG),
            # with the extremes kept, take milliseconds (fisher_jenks_breaks: mapclassify's
            # algorithm vectorised); the top break is the maximum.
            rng = np.random.default_rng(0)
            sample = np.concatenate(
                [rng.choice(values, JENKS_EXACT_MAX, replace=False), [values.min(), values.max()]]
            )
            bins = fisher_jenks_breaks(sample, k)
        elif method == "quantile":
            # mapclassify.Quantiles' own bins (its _set_bins calls this function), without the
            # fit statistics its constructor adds (class counts, TSS, ADCM, GADF): ~2/3 of
            # classify for Germany's 11,000 Gemeinden, never read here.
            bins = mapclassify.classifiers.quantile(values, k=k)
        else:
            bins = CLASSIFICATIONS[method](values, k=k).bins
    out: list[float] = []
    for b in bins:
        if not out or float(b) > out[-1]:
            out.append(float(b))
    return out


def fisher_jenks_breaks(values: npt.ArrayLike, k: int) -> npt.NDArray[np.float64]:
    """Upper class bounds of Fisher's exact optimal classes, as mapclassify's FisherJenks.

    The same dynamic programme (same ties: the smallest start of the last class), with the
    inner loops as numpy operations: ~20 ms for 300 values instead of ~1 s in mapclassify's
    pure Python (without numba), which a Germany-wide map paid on every new state.
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])
    cost = np.full((n + 1, k + 1), np.inf)
    cost[:2, :] = 0.0  # as mapclassify: one value costs nothing in any number of classes
    first = np.ones((n + 1, k + 1), dtype=np.int64)
    for last in range(1, n + 1):
        i3 = np.arange(1, last + 1)  # first element of the last class (1-based)
        w = last - i3 + 1
        ssd = (s2[last] - s2[i3 - 1]) - (s1[last] - s1[i3 - 1]) ** 2 / w
        cost[last, 1] = ssd[0]
        if last < 2:
            continue
        # every class count at once: the last class starts at i3 ≥ 2, the others end before it
        cand = ssd[1:, None] + cost[1:last, 1:k]
        m = np.argmin(cand, axis=0)  # first minimum: the smallest start, as mapclassify
        cost[last, 2:] = cand[m, np.arange(k - 1)]
        first[last, 2:] = m + 2
    out = np.zeros(k + 1)
    out[k] = x[-1]
    pos = n
    for j in range(k, 1, -1):
        pivot = first[pos, j]
        out[j - 1] = x[pivot - 2]
        pos = pivot - 1
    return out[1:]


def _assign_all(x: np.ndarray, bounds: list[tuple[float, float]]) -> np.ndarray:
    """Index of the class whose upper bound first reaches each value (the last class for values
    above every bound); NaN in, garbage out: the caller masks missing values."""
    his = np.array([hi for _lo, hi in bounds], dtype=float)
    return np.minimum(np.searchsorted(his, x, side="left"), len(bounds) - 1)


def _as_list(idx: np.ndarray, missing: np.ndarray) -> list[int | None]:
    out: list[int | None] = idx.tolist()
    for i in np.flatnonzero(missing).tolist():
        out[i] = None
    return out


# In a diverging classification a class narrower than this share of the data's span is merged
# into its neighbour on the same side (Fisher-Jenks would otherwise give "24.660 – 24.662 EUR").
MIN_CLASS_SHARE = 0.02


def _side(
    values: np.ndarray, method: str, k: int, lo: float, span: float = 0.0
) -> list[tuple[float, float]]:
    """Class bounds for one side of a diverging classification (no sliver classes)."""
    if values.size == 0:
        return []
    bounds, prev = [], lo
    for b in _breaks(values, method, k):
        bounds.append((prev, b))
        prev = b
    while len(bounds) > 1 and span > 0:
        narrow = [i for i, (a, b) in enumerate(bounds) if b - a < MIN_CLASS_SHARE * span]
        if not narrow:
            break
        i = narrow[0]
        j = (
            i + 1 if i + 1 < len(bounds) else i - 1
        )  # merge with the next class, the last with the one before
        a, b = min(i, j), max(i, j)
        bounds[a : b + 1] = [(bounds[a][0], bounds[b][1])]
    return bounds


def classify(
    values: list[float | None],
    method: str = "quantile",
    scheme: str = "sequenziell",
    polarity: str = "neutral",
    center: float | None = None,
    k: int = DEFAULT_K,
    basis: Sequence[float | None] | None = None,
) -> Classes:
    """Classify values (None = keine Daten) with a mapclassify method and colour the classes.

    basis: the values the breaks are computed from (default: values), e.g. every year's values
    of an indicator, so that one colour means the same range in every year.
    """
    if method not in CLASSIFICATIONS:
        raise ValueError(f"unknown classification {method!r}")
    if scheme not in SCHEMES:
        raise ValueError(f"unknown colour scheme {scheme!r}")
    present = np.array([v for v in values if v is not None], dtype=float)
    if basis is not None and present.size:
        # basis holds the values themselves too (every year): they are not counted twice.
        present = np.array([v for v in basis if v is not None], dtype=float)
    result = Classes(method=method, scheme=scheme)
    if present.size == 0:
        result.assignment = [None] * len(values)
        return result
    if scheme == "divergierend" and center is not None:
        result.center = center
        below, above = present[present < center], present[present >= center]
        span = float(present.max() - present.min())
        low = _side(below, method, 3, float(present.min()), span)
        high = _side(above, method, 3, center, span)
        if low:  # the last class below ends at the centre, so the legend shows the split
            low[-1] = (low[-1][0], center)
        palette = diverging_palette(polarity)
        result.bounds = low + high
        result.colors = palette[3 - len(low) : 3] + palette[3 : 3 + len(high)]
        x = np.array(values, dtype=float)  # None → NaN
        idx = np.where(x < center, _assign_all(x, low), len(low) + _assign_all(x, high))
    else:
        breaks = _breaks(present, method, k)
        lows = [float(present.min())] + breaks[:-1]
        result.bounds = list(zip(lows, breaks, strict=True))
        result.colors = _sequential_colors(polarity, len(breaks))
        x = np.array(values, dtype=float)  # None → NaN
        idx = _assign_all(x, result.bounds)
    missing = np.isnan(x)
    result.assignment = _as_list(idx, missing)
    # Counted in numpy, not per area in Python (11,000 areas on a map of Germany).
    assigned = idx[~missing]
    result.counts = [int(np.count_nonzero(assigned == i)) for i in range(len(result.bounds))]
    return result


def legend_entries(
    classes: Classes, fmt: Callable[[float, bool], str], no_data_label: str
) -> list[dict[str, Any]]:
    """Legend rows (color, label, count): 'von – bis' per class, then 'keine Daten'.

    fmt(value, with_unit) formats a bound in the current language; the unit is written once,
    after the upper bound ("12,3 – 15,6 %").
    """
    rows = [
        {"color": color, "label": f"{fmt(lo, False)} – {fmt(hi, True)}", "count": n}
        for (lo, hi), color, n in zip(classes.bounds, classes.colors, classes.counts, strict=True)
    ]
    missing = classes.assignment.count(None)
    rows.append({"color": NO_DATA_COLOR, "label": no_data_label, "count": missing})
    return rows


def quantile_breaks(values: list[float], k: int = 5) -> list[float]:
    """Upper bounds of k quantile classes (fewer for few distinct values); [] without values."""
    distinct = len(set(values))
    if distinct == 0:
        return []
    return [
        float(b) for b in _breaks(np.asarray(values, dtype=float), "quantile", min(k, distinct))
    ]
