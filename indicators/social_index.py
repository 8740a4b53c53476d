"""Sozialindex: status × dynamics of the Kommunen, as Berlin's and Hamburg's social monitoring.

Pure functions and frozen dataclasses (no database, no Flask); the values come from
`indicators.social_index_queries`. The method, stated once (docs/ops/index.md, /sozialindex/methode):

1. Every index indicator is z-standardised over the areas that have a value:
   z = d · (x − mean) / sd, sd the population standard deviation (ddof 0: the Kommunen are all
   areas, not a sample), d the direction (+1: a higher value means more need, −1: less need).
2. Status index S = mean of an area's z-scores of the status year; only an area with a value
   for every index indicator gets one (no imputation). S is standardised again over the areas
   that have one: s = (S − mean S) / sd S. Classes by s: "sehr_niedrig" s ≥ 1.5,
   "niedrig" 1.0 ≤ s < 1.5, "mittel" −1.0 < s < 1.0, "hoch" s ≤ −1.0 (thresholds in the
   definition). A high status means little need, as in Berlin's Monitoring Soziale Stadtentwicklung.
3. Dynamics: per indicator the change Δ = x(to) − x(from), z-standardised and oriented as in 1;
   dynamics index D = mean z(Δ), standardised again: t = (D − mean D) / sd D.
   Classes: "negativ" t ≥ 1.0 (need grows more than elsewhere), "positiv" t ≤ −1.0, else "stabil".
4. 4 × 3 = 12 groups; "besonderer Aufmerksamkeitsbedarf": status niedrig or sehr niedrig, or
   status mittel with dynamics negativ (Berlin's rule).
5. Robustness: the status class recomputed with each index indicator left out (z-scores kept,
   S and its standardisation recomputed); an area whose class then changes is marked. A value
   whose numerator is below `min_cases` or whose denominator is below `min_base` marks the area
   as resting on few cases; an indicator without published counts (INKAR) is named as not
   checkable. Significance: where numerator and denominator are published, each status z-score
   gets the 95 % interval of its value (Wilson/Byar) standardised alike, each dynamics z-score
   the interval of its change from both years' counts (change_interval); an interval that
   includes 0 marks the score as not significantly different from the mean, and a class away
   from "mittel" (status) or "stabil" (dynamics) resting on one is marked.

An sd of 0 (every area the same) gives every area z = 0 for that indicator.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from indicators.errors import InvalidContent
from indicators.stats import interval_for

DEFAULT_DEFINITION = Path(__file__).parent / "data" / "sozialindex.toml"

STATUS_CLASSES = ("hoch", "mittel", "niedrig", "sehr_niedrig")
DYNAMICS_CLASSES = ("positiv", "stabil", "negativ")
# The 12 groups, in the order of the matrix (status rows, dynamics columns).
GROUPS = tuple(f"{s}/{d}" for s in STATUS_CLASSES for d in DYNAMICS_CLASSES)


@dataclass(frozen=True)
class IndexIndicator:
    id: str
    direction: int  # +1: higher = more need; −1: higher = less need


@dataclass(frozen=True)
class IndexDefinition:
    key: str
    name_de: str
    name_en: str
    indicators: tuple[IndexIndicator, ...]
    status_year: int
    dynamics_from: int
    dynamics_to: int
    min_cases: int = 20
    min_base: int = 300
    status_very_low: float = 1.5
    status_low: float = 1.0
    status_high: float = -1.0
    dynamics_negative: float = 1.0
    dynamics_positive: float = -1.0

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({self.status_year, self.dynamics_from, self.dynamics_to}))

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)


@dataclass(frozen=True)
class Observation:
    """One area's value of one indicator in one year (value None: missing or withheld)."""

    value: float | None
    numerator: float | None = None
    suppressed: bool = False
    denominator: float | None = None


@dataclass(frozen=True)
class AreaInput:
    ags: str
    name: str
    # (indicator id, year) → observation; an absent key is a missing value.
    values: Mapping[tuple[str, int], Observation]


@dataclass(frozen=True)
class Gap:
    """Why an area has no index: this indicator has no value in this year."""

    indicator: str
    year: int
    suppressed: bool  # withheld (secret, small numbers) rather than not published


@dataclass(frozen=True)
class Spread:
    """Mean and population standard deviation of one quantity over n areas."""

    mean: float
    sd: float
    n: int


@dataclass(frozen=True)
class IndicatorSummary:
    id: str
    direction: int
    status: Spread | None  # of the values in the status year
    change: Spread | None  # of the changes over the dynamics period
    counts_published: bool  # any numerator known (else few cases cannot be checked)


@dataclass(frozen=True)
class AreaIndex:
    ags: str
    name: str
    status_values: Mapping[str, float | None]  # x in the status year
    status_z: Mapping[str, float | None]
    change: Mapping[str, float | None]
    dynamics_z: Mapping[str, float | None]
    status_index: float | None  # S, mean z
    status_score: float | None  # s, S standardised
    status_class: str | None
    dynamics_index: float | None
    dynamics_score: float | None
    dynamics_class: str | None
    status_gaps: tuple[Gap, ...]
    dynamics_gaps: tuple[Gap, ...]
    few_cases: tuple[str, ...]  # indicators with a value on few cases (few_cases())
    leave_one_out: Mapping[str, str | None] = field(default_factory=dict)
    # The 95 % interval of each status z-score from the value's counts (None: no counts
    # published, or a unit without a count interval) and whether it excludes 0.
    status_z_interval: Mapping[str, tuple[float, float] | None] = field(default_factory=dict)
    z_significant: Mapping[str, bool | None] = field(default_factory=dict)
    # The same for each dynamics z-score: the change's 95 % interval from both years' counts
    # (change_interval: Newcombe's/Zou's MOVER over the two years' Wilson or Byar intervals),
    # standardised with the changes' mean and sd. None: not checkable (a year without counts,
    # no change, or a unit without a count interval).
    dynamics_z_interval: Mapping[str, tuple[float, float] | None] = field(default_factory=dict)
    dynamics_z_significant: Mapping[str, bool | None] = field(default_factory=dict)

    @property
    def group(self) -> str | None:
        if self.status_class is None or self.dynamics_class is None:
            return None
        return f"{self.status_class}/{self.dynamics_class}"

    @property
    def attention(self) -> bool:
        """Besonderer Aufmerksamkeitsbedarf (Berlin's rule)."""
        if self.status_class in ("niedrig", "sehr_niedrig"):
            return True
        return self.status_class == "mittel" and self.dynamics_class == "negativ"

    @property
    def class_not_significant(self) -> bool:
        """A class away from "mittel" resting on a z-score whose 95 % interval (from the
        counts) includes 0: the area's difference from the mean on that indicator could be
        chance (few cases)."""
        if self.status_class in (None, "mittel"):
            return False
        return any(v is False for v in self.z_significant.values())

    @property
    def dynamics_not_significant(self) -> bool:
        """A dynamics class other than "stabil" resting on a dynamics z-score whose 95 %
        interval (from both years' counts) includes 0: the change's difference from the mean
        change could be chance."""
        if self.dynamics_class in (None, "stabil"):
            return False
        return any(v is False for v in self.dynamics_z_significant.values())

    @property
    def class_unstable(self) -> bool:
        """The status class changes when one index indicator is left out."""
        return any(c != self.status_class for c in self.leave_one_out.values())


@dataclass(frozen=True)
class SocialIndex:
    definition: IndexDefinition
    indicators: tuple[IndicatorSummary, ...]
    areas: tuple[AreaIndex, ...]
    status: Spread | None  # of S over the areas with a status index
    dynamics: Spread | None  # of D
    crossed: tuple[str, ...] = ()  # indicators with a series break in the dynamics period

    def group_members(self) -> dict[str, list[AreaIndex]]:
        """The 12 groups (status/dynamics) with their areas, in matrix order."""
        out: dict[str, list[AreaIndex]] = {g: [] for g in GROUPS}
        for a in self.areas:
            if a.group is not None:
                out[a.group].append(a)
        return out


# --- the definition as data ----------------------------------------------------------------


def _number(raw: dict[str, object], name: str, default: float | None = None) -> float:
    v = raw.get(name, default)
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise InvalidContent(f"Indexdefinition: {name} fehlt oder ist keine Zahl.", field=name)
    return float(v)


def parse_definition(raw: dict[str, object]) -> IndexDefinition:
    """An index definition from its TOML table; refuses what cannot be computed."""
    items = raw.get("indicators")
    if not isinstance(items, list) or not items:
        raise InvalidContent("Indexdefinition: keine Indikatoren.", field="indicators")
    inds = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise InvalidContent("Indexdefinition: Indikator ohne id.", field="indicators")
        direction = item.get("direction", 1)
        if direction not in (1, -1):
            raise InvalidContent(
                f"Indexdefinition: direction von {item['id']} muss 1 oder -1 sein.",
                field="direction",
            )
        inds.append(IndexIndicator(str(item["id"]), int(direction)))
    if len({i.id for i in inds}) != len(inds):
        raise InvalidContent("Indexdefinition: ein Indikator doppelt.", field="indicators")
    texts = {}
    for name in ("key", "name_de", "name_en"):
        v = raw.get(name)
        if not isinstance(v, str) or not v:
            raise InvalidContent(f"Indexdefinition: {name} fehlt.", field=name)
        texts[name] = v
    years = {n: int(_number(raw, n)) for n in ("status_year", "dynamics_from", "dynamics_to")}
    if years["dynamics_from"] >= years["dynamics_to"]:
        raise InvalidContent(
            "Indexdefinition: dynamics_from muss vor dynamics_to liegen.", field="dynamics_from"
        )
    d = IndexDefinition(
        key=texts["key"],
        name_de=texts["name_de"],
        name_en=texts["name_en"],
        indicators=tuple(inds),
        status_year=years["status_year"],
        dynamics_from=years["dynamics_from"],
        dynamics_to=years["dynamics_to"],
        min_cases=int(_number(raw, "min_cases", 20)),
        min_base=int(_number(raw, "min_base", 300)),
        status_very_low=_number(raw, "status_very_low", 1.5),
        status_low=_number(raw, "status_low", 1.0),
        status_high=_number(raw, "status_high", -1.0),
        dynamics_negative=_number(raw, "dynamics_negative", 1.0),
        dynamics_positive=_number(raw, "dynamics_positive", -1.0),
    )
    if not d.status_very_low > d.status_low > d.status_high:
        raise InvalidContent(
            "Indexdefinition: Schwellen status_very_low > status_low > status_high verlangt.",
            field="status_low",
        )
    if not d.dynamics_negative > d.dynamics_positive:
        raise InvalidContent(
            "Indexdefinition: dynamics_negative > dynamics_positive verlangt.",
            field="dynamics_negative",
        )
    return d


def load_definition(path: Path = DEFAULT_DEFINITION) -> IndexDefinition:
    """The index definition of a TOML file (default: the shipped one)."""
    with path.open("rb") as fh:
        return parse_definition(tomllib.load(fh))


# --- the computation -----------------------------------------------------------------------


def spread(xs: Sequence[float]) -> Spread | None:
    """Mean and population standard deviation (ddof 0); None without values."""
    if not xs:
        return None
    m = math.fsum(xs) / len(xs)
    sd = math.sqrt(math.fsum((x - m) ** 2 for x in xs) / len(xs))
    return Spread(m, sd, len(xs))


def zscore(x: float, s: Spread, direction: int = 1) -> float:
    """Oriented z-score; 0 when every area has the same value."""
    return 0.0 if s.sd == 0 else direction * (x - s.mean) / s.sd


def status_class(score: float, d: IndexDefinition) -> str:
    if score >= d.status_very_low:
        return "sehr_niedrig"
    if score >= d.status_low:
        return "niedrig"
    if score <= d.status_high:
        return "hoch"
    return "mittel"


def dynamics_class(score: float, d: IndexDefinition) -> str:
    if score >= d.dynamics_negative:
        return "negativ"
    if score <= d.dynamics_positive:
        return "positiv"
    return "stabil"


def few_cases(obs: Observation | None, d: IndexDefinition) -> bool:
    """A value resting on few cases: its numerator below min_cases or its denominator (the
    population it refers to) below min_base (Hamburg's minimum-size rule)."""
    if obs is None:
        return False
    small_num = obs.numerator is not None and obs.numerator < d.min_cases
    small_base = obs.denominator is not None and obs.denominator < d.min_base
    return small_num or small_base


def z_interval(
    obs: Observation | None, unit: str, s: Spread | None, direction: int
) -> tuple[float, float] | None:
    """The 95 % interval of an oriented z-score: the value's interval from its counts (Wilson
    for shares, Byar for rates per population: `indicators.stats.interval_for`) standardised
    with the same mean and sd (taken as fixed, the areas being all areas). None without
    counts, for another unit, or when every area has the same value."""
    if obs is None or obs.value is None or s is None or s.sd == 0:
        return None
    iv = interval_for(obs.numerator, obs.denominator, unit)
    if not isinstance(iv, tuple):
        return None
    a, b = zscore(iv[0], s, direction), zscore(iv[1], s, direction)
    return (min(a, b), max(a, b))


def change_interval(
    before: Observation | None, after: Observation | None, unit: str
) -> tuple[float, float] | None:
    """The 95 % interval of a change x(to) − x(from) from both years' counts: each year's
    interval (Wilson or Byar, `indicators.stats.interval_for`) combined by the method of
    variance estimates recovery (Newcombe 1998 for shares, Zou & Donner 2008 in general):
    lower = Δ − √((x₁ − l₁)² + (u₀ − x₀)²), upper = Δ + √((u₁ − x₁)² + (x₀ − l₀)²). The two
    years are taken as independent samples. None when either year has no counts (or no value)
    or the unit has no count interval: not checkable."""
    if before is None or after is None or before.value is None or after.value is None:
        return None
    iv0 = interval_for(before.numerator, before.denominator, unit)
    iv1 = interval_for(after.numerator, after.denominator, unit)
    if not isinstance(iv0, tuple) or not isinstance(iv1, tuple):
        return None
    x0, x1 = before.value, after.value
    (l0, u0, _m0), (l1, u1, _m1) = iv0, iv1
    delta = x1 - x0
    return (
        delta - math.hypot(x1 - l1, u0 - x0),
        delta + math.hypot(u1 - x1, x0 - l0),
    )


def change_z_interval(
    before: Observation | None,
    after: Observation | None,
    unit: str,
    s: Spread | None,
    direction: int,
) -> tuple[float, float] | None:
    """The 95 % interval of an oriented dynamics z-score: the change's interval
    (change_interval) standardised with the changes' mean and sd (taken as fixed)."""
    if s is None or s.sd == 0:
        return None
    iv = change_interval(before, after, unit)
    if iv is None:
        return None
    a, b = zscore(iv[0], s, direction), zscore(iv[1], s, direction)
    return (min(a, b), max(a, b))


def _excludes_zero(iv: tuple[float, float] | None) -> bool | None:
    return None if iv is None else (iv[0] > 0 or iv[1] < 0)


def _value(area: AreaInput, ind: str, year: int) -> float | None:
    obs = area.values.get((ind, year))
    return None if obs is None else obs.value


def _gaps(area: AreaInput, inds: Sequence[str], years: Sequence[int]) -> tuple[Gap, ...]:
    out = []
    for i in inds:
        for y in years:
            obs = area.values.get((i, y))
            if obs is None or obs.value is None:
                out.append(Gap(i, y, bool(obs and obs.suppressed)))
    return tuple(out)


def _standardised(indexes: Mapping[str, float | None]) -> tuple[Spread | None, dict[str, float]]:
    """The spread of an index over the areas that have one, and each area's standard score."""
    have = {k: v for k, v in indexes.items() if v is not None}
    s = spread(list(have.values()))
    if s is None:
        return None, {}
    return s, {k: zscore(v, s) for k, v in have.items()}


def _mean_z(zs: Mapping[str, float | None], inds: Sequence[str]) -> float | None:
    vals = [zs.get(i) for i in inds]
    if not vals or any(v is None for v in vals):
        return None
    return math.fsum(v for v in vals if v is not None) / len(vals)


def compute(
    definition: IndexDefinition,
    areas: Sequence[AreaInput],
    crossed: Sequence[str] = (),
    units: Mapping[str, str] | None = None,
) -> SocialIndex:
    """The index of every area (or the gaps why it has none). `crossed`: indicators with a
    series break between the dynamics years: no change of theirs is computed, so no area has a
    dynamics index (a change never crosses a break). `units`: each indicator's unit, for the
    z-scores' intervals from the counts (without: none is checked)."""
    d = definition
    ids = d.indicator_ids
    status_z: dict[str, dict[str, float | None]] = {a.ags: {} for a in areas}
    z_iv: dict[str, dict[str, tuple[float, float] | None]] = {a.ags: {} for a in areas}
    change: dict[str, dict[str, float | None]] = {a.ags: {} for a in areas}
    dyn_z: dict[str, dict[str, float | None]] = {a.ags: {} for a in areas}
    dyn_iv: dict[str, dict[str, tuple[float, float] | None]] = {a.ags: {} for a in areas}
    summaries = []
    for ind in d.indicators:
        xs = {a.ags: _value(a, ind.id, d.status_year) for a in areas}
        s_status = spread([x for x in xs.values() if x is not None])
        for ags, x in xs.items():
            status_z[ags][ind.id] = (
                None if x is None or s_status is None else zscore(x, s_status, ind.direction)
            )
        unit = (units or {}).get(ind.id, "")
        for a in areas:
            obs = a.values.get((ind.id, d.status_year))
            z_iv[a.ags][ind.id] = z_interval(obs, unit, s_status, ind.direction)
        for a in areas:
            x0, x1 = _value(a, ind.id, d.dynamics_from), _value(a, ind.id, d.dynamics_to)
            change[a.ags][ind.id] = (
                None if x0 is None or x1 is None or ind.id in crossed else x1 - x0
            )
        deltas = [c[ind.id] for c in change.values() if c[ind.id] is not None]
        s_change = spread([x for x in deltas if x is not None])
        for ags, c in change.items():
            dx = c[ind.id]
            dyn_z[ags][ind.id] = (
                None if dx is None or s_change is None else zscore(dx, s_change, ind.direction)
            )
        for a in areas:
            dyn_iv[a.ags][ind.id] = (
                None
                if change[a.ags][ind.id] is None
                else change_z_interval(
                    a.values.get((ind.id, d.dynamics_from)),
                    a.values.get((ind.id, d.dynamics_to)),
                    unit,
                    s_change,
                    ind.direction,
                )
            )
        counts = any(
            (o := a.values.get((ind.id, y))) is not None
            and (o.numerator is not None or o.denominator is not None)
            for a in areas
            for y in d.years
        )
        summaries.append(IndicatorSummary(ind.id, ind.direction, s_status, s_change, counts))

    s_index = {a.ags: _mean_z(status_z[a.ags], ids) for a in areas}
    d_index = {a.ags: _mean_z(dyn_z[a.ags], ids) for a in areas}
    s_spread, s_scores = _standardised(s_index)
    d_spread, d_scores = _standardised(d_index)

    # Leave one out: the status class without each indicator (two or more indicators only).
    loo: dict[str, dict[str, str | None]] = {a.ags: {} for a in areas}
    if len(ids) > 1:
        for left in ids:
            rest = [i for i in ids if i != left]
            sub = {
                a.ags: (_mean_z(status_z[a.ags], rest) if s_index[a.ags] is not None else None)
                for a in areas
            }
            _, scores = _standardised(sub)
            for ags, sc in scores.items():
                loo[ags][left] = status_class(sc, d)

    out = []
    for a in areas:
        few = tuple(i for i in ids if any(few_cases(a.values.get((i, y)), d) for y in d.years))
        ss, ds = s_scores.get(a.ags), d_scores.get(a.ags)
        out.append(
            AreaIndex(
                ags=a.ags,
                name=a.name,
                status_values={i: _value(a, i, d.status_year) for i in ids},
                status_z=status_z[a.ags],
                change=change[a.ags],
                dynamics_z=dyn_z[a.ags],
                status_index=s_index[a.ags],
                status_score=ss,
                status_class=None if ss is None else status_class(ss, d),
                dynamics_index=d_index[a.ags],
                dynamics_score=ds,
                dynamics_class=None if ds is None else dynamics_class(ds, d),
                status_gaps=_gaps(a, ids, [d.status_year]),
                dynamics_gaps=_gaps(a, ids, [d.dynamics_from, d.dynamics_to]),
                few_cases=few,
                leave_one_out=loo[a.ags],
                status_z_interval=z_iv[a.ags],
                z_significant={i: _excludes_zero(iv) for i, iv in z_iv[a.ags].items()},
                dynamics_z_interval=dyn_iv[a.ags],
                dynamics_z_significant={i: _excludes_zero(iv) for i, iv in dyn_iv[a.ags].items()},
            )
        )
    crossed_ids = tuple(i for i in ids if i in crossed)
    return SocialIndex(d, tuple(summaries), tuple(out), s_spread, d_spread, crossed_ids)
