"""Ranks (one rule for map, profile and ranking), the ranking with 95 % intervals, spine layout.

A rank is 1 for the most favourable value (by polarity; neutral indicators: the highest), ties
share a rank — the same meaning as on the profile and the map. The verdict against the Region
is the one of indicators.stats: the interval lies entirely above or below the Region's value.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from indicators.intervals import AreaInterval
from indicators.model import Indicator, ShownRelease
from indicators.queries import ShownProvenance
from indicators.stats import mixes_synthetic, verdict_for

ORDERS = ("rang", "wert", "name")  # best first by polarity · highest value first · by name


@dataclass(frozen=True)
class RankRow:
    """One Kommune in the ranking: value, interval, verdict against the Region, rank."""

    area: AreaInterval
    verdict: str  # better | similar | worse | higher | lower | not_assessable
    direction: str | None  # above | below | within the Region's value
    reason: str | None  # why not assessable (code)
    rank: int | None


@dataclass(frozen=True)
class Ranking:
    """The Kommunen of one indicator and year in the chosen order, with the Region."""

    indicator: Indicator
    year: int
    years: list[int]
    order: str
    rows: list[RankRow]
    region: AreaInterval | None
    release: ShownRelease
    provenance: list[ShownProvenance] = field(default_factory=list)
    # The benchmark the verdicts and the reference line compare with when it is not the
    # Region: its Land's or Germany's value row (indicators.benchmarks; None: the Region).
    benchmark: AreaInterval | None = None
    benchmark_choice: str = "region"

    @property
    def region_value(self) -> float | None:
        """The Region's value (None when missing or withheld)."""
        return self.region.value if self.region else None

    @property
    def reference(self) -> AreaInterval | None:
        """The row the verdicts and the reference line compare with (Region, Land or Bund)."""
        return self.region if self.benchmark_choice == "region" else self.benchmark

    @property
    def reference_value(self) -> float | None:
        """The benchmark's value (None when missing or withheld)."""
        ref = self.reference
        return ref.value if ref is not None and not ref.suppressed else None

    @property
    def synthetic(self) -> bool:
        """Any shown value synthetic (Beispieldaten)."""
        cells = [r.area for r in self.rows] + ([self.region] if self.region else [])
        return any(a.synthetic for a in cells)

    @property
    def mixed(self) -> bool:
        """Both real and synthetic values are shown: each row is marked."""
        cells = [r.area for r in self.rows] + ([self.region] if self.region else [])
        return self.synthetic and any(a.synthetic is False for a in cells)

    @property
    def release_labels(self) -> str:
        """The releases the shown values of this year come from ('a + b')."""
        cells = [r.area for r in self.rows] + ([self.region] if self.region else [])
        return " + ".join(sorted({a.release_label for a in cells if a.release_label}))

    @property
    def assessable(self) -> int:
        """How many Kommunen have an interval."""
        return sum(1 for r in self.rows if r.area.interval is not None)


def verdict(
    area: AreaInterval,
    region_value: float | None,
    polarity: str,
    reference_synthetic: bool | None = None,
    no_reference: str = "no_region",
) -> tuple[str, str | None, str | None]:
    """(verdict, direction, reason) of one Kommune against the Region's value (or another
    benchmark's: `no_reference` is then the reason where it has none); a synthetic value is
    never judged against a real one (reason "mixed_synthetic")."""
    if area.interval is None:
        return "not_assessable", None, area.reason
    if region_value is None:
        return "not_assessable", None, no_reference
    if mixes_synthetic(area.synthetic, reference_synthetic):
        return "not_assessable", None, "mixed_synthetic"
    ci = area.interval
    direction = (
        "above" if ci.lower > region_value else "below" if ci.upper < region_value else "within"
    )
    return verdict_for(direction, polarity), direction, None


def _best_first_key(polarity: str) -> Callable[[float], float]:
    sign = 1 if polarity == "higher_worse" else -1  # neutral: highest first, as everywhere
    return lambda v: sign * v


def ranks(values: dict[str, float | None], polarity: str) -> dict[str, int | None]:
    """Rank per key by the one rule of every page (rank_values)."""
    return dict(zip(values, rank_values(list(values.values()), polarity), strict=True))


def build_ranking(
    indicator: Indicator,
    year: int,
    years: list[int],
    areas: list[AreaInterval],
    release: ShownRelease,
    order: str = "rang",
    provenance: list[ShownProvenance] | None = None,
    benchmark: AreaInterval | None = None,
    benchmark_choice: str = "region",
) -> Ranking:
    """Rows of the Kommunen (verdict, rank) in the chosen order; missing values last.
    `benchmark`: the Land's or Germany's row when `benchmark_choice` is `land` or `bund`."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}")
    region = next((a for a in areas if a.level == "region"), None)
    kommunen = [a for a in areas if a.level == "kommune"]
    is_region = benchmark_choice == "region"
    ref = region if is_region else benchmark
    ref_value = ref.value if ref is not None and not ref.suppressed else None
    ref_synthetic = ref.synthetic if ref is not None and ref_value is not None else None
    polarity = indicator.polarity
    rank_of = ranks({a.ags: a.value for a in kommunen}, polarity)
    why = "no_region" if is_region else "no_benchmark"
    rows = [
        RankRow(a, *verdict(a, ref_value, polarity, ref_synthetic, why), rank_of[a.ags])
        for a in kommunen
    ]
    if order == "name":
        rows.sort(key=lambda r: r.area.name)
    else:
        key = _best_first_key(polarity) if order == "rang" else (lambda v: -v)
        rows.sort(key=lambda r: (r.area.value is None, key(r.area.value or 0), r.area.name))
    return Ranking(
        indicator,
        year,
        years,
        order,
        rows,
        region,
        release,
        provenance or [],
        None if is_region else benchmark,
        benchmark_choice,
    )


# --- spine chart --------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """Minimum, quartiles and maximum of the Kommunen's values of one indicator and year."""

    minimum: float
    q1: float
    q3: float
    maximum: float
    n: int


@dataclass(frozen=True)
class SpineLayout:
    """Positions 0…1 on the spine, oriented so that 'better' is always to the right.

    The Region's value sits in the middle (0.5); the scale reaches as far as the value furthest
    from it, so every Kommune fits (as England's Fingertips draws its spine charts). For neutral
    indicators higher values are to the right.
    """

    minimum: float
    q1: float
    q3: float
    maximum: float
    value: float
    region: float = 0.5
    flipped: bool = False  # True: higher values drawn to the left (higher is worse)


def spine_layout(value: float, region: float, spread: Spread, polarity: str) -> SpineLayout:
    """Where value, quartiles and extremes lie on a spine centred on the Region's value."""
    half = max(abs(spread.minimum - region), abs(spread.maximum - region), abs(value - region))
    flipped = polarity == "higher_worse"

    def pos(v: float) -> float:
        x = 0.5 if half == 0 else 0.5 + (v - region) / (2 * half)
        return 1 - x if flipped else x

    lo, hi = sorted((pos(spread.minimum), pos(spread.maximum)))
    a, b = sorted((pos(spread.q1), pos(spread.q3)))
    return SpineLayout(lo, a, b, hi, pos(value), 0.5, flipped)


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


def group_ranks(
    values: Mapping[str, float | None], members: frozenset[str], polarity: str
) -> dict[str, int | None]:
    """Ranks within a comparison group (AGS → rank, members only), by rank_values' rule."""
    inside = sorted(a for a in values if a in members)
    ranks = rank_values([values[a] for a in inside], polarity)
    return dict(zip(inside, ranks, strict=True))


@dataclass(frozen=True)
class GroupSummary:
    """A Kommune among its comparison group for one indicator: the group's median, its rank."""

    median: float | None  # over the members with a value (the Kommune included)
    rank: int | None  # the Kommune's rank within the group (1 = most favourable)
    n: int  # members with a value
    size: int  # members


def group_summary(
    values: Mapping[str, float | None], ags: str, members: frozenset[str], polarity: str
) -> GroupSummary:
    """Median of the group's values and the Kommune's rank among them."""
    present = sorted(v for a, v in values.items() if a in members and v is not None)
    median = statistics.median(present) if present else None
    rank = group_ranks({a: values.get(a) for a in members}, members, polarity).get(ags)
    return GroupSummary(median, rank, len(present), len(members))
