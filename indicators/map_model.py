"""The choropleth's domain model: values, ranks, classes and provenance of one map, no formatting.

The web layer formats numbers and translates text; what a map shows (which value, which colour,
which rank, real or synthetic) is decided here, framework-free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection

from indicators import classify
from indicators.disparities import benchmark_rows
from indicators.map_queries import kommune_values_all_years, map_area_values
from indicators.model import AreaValue, Indicator, YearValues
from indicators.profile import change
from indicators.ranking import rank_values
from indicators.units import COUNT_UNITS


@dataclass(frozen=True)
class MapRow:
    """One Kommune on the map: its shown value (None when missing or withheld) and colour."""

    ags: str
    name: str
    value: float | None
    suppressed: bool
    flag: str | None
    synthetic: bool | None
    release_label: str | None
    rank: int | None
    class_index: int | None  # index into MapModel.classes; None = keine Daten
    color: str
    verdict: str | None = None  # scheme "vergleich": better/similar/worse/…/not_assessable
    # scheme "vergleich": the verdict's details (for sentences)
    benchmark: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class LegendClass:
    """A class of the legend: lower and upper bound, colour, number of Kommunen in it."""

    lower: float
    upper: float
    color: str
    count: int


@dataclass(frozen=True)
class VerdictClass:
    """A legend row of the scheme "vergleich": verdict, colour, number of Kommunen."""

    verdict: str
    color: str
    count: int


@dataclass(frozen=True)
class MapModel:
    """Everything a map of one indicator and year shows, before formatting."""

    indicator_id: str
    year: int
    method: str
    scheme: str  # the scheme drawn ("divergierend" falls back to "sequenziell" without centre)
    rows: tuple[MapRow, ...]  # by name
    classes: tuple[LegendClass, ...]
    verdicts: tuple[VerdictClass, ...]  # only for the scheme "vergleich"
    no_data_count: int
    region_value: float | None
    region_suppressed: bool
    center: float | None  # the diverging scheme's centre (the Region's value)
    fixed_classes: bool  # breaks over every year's values (same colours across years)
    synthetic: bool  # some shown value is Beispieldaten
    mixed: bool  # real and synthetic values side by side
    release_labels: frozenset[str]  # releases of the shown values (for the provenance)

    def ranked_rows(self) -> list[MapRow]:
        """The rows by rank (1 = most favourable), unranked ones last, then by name."""
        return sorted(self.rows, key=lambda r: (r.rank is None, r.rank or 0, r.name))


def verdict_order(polarity: str) -> list[str]:
    """Legend order of the verdicts against the Region."""
    first = (
        ["higher", "similar", "lower"] if polarity == "neutral" else ["better", "similar", "worse"]
    )
    return [*first, "not_assessable"]


def map_model(
    conn: Connection,
    indicator: Indicator,
    year: int,
    release_id: int | None,
    method: str,
    scheme: str,
    fixed_classes: bool = False,
    data: YearValues | None = None,
    all_years: Sequence[float] | None = None,
    reference: AreaValue | None = None,
) -> MapModel:
    """The model of one map; `data` are map_area_values (read when not given); `all_years`
    the Kommunen's values of every year for fixed classes (read when not given: a pinned map
    gives those of its releases); `reference`: the benchmark's value row (its Land or Germany,
    indicators.benchmarks) the scheme "vergleich" judges against instead of the Region."""
    if data is None:
        data = map_area_values(conn, indicator.id, year, release_id)
    source_rows = data.values
    region = data.region
    values = [r.shown for r in source_rows]
    region_value = region.shown if region else None
    drawn = scheme
    if scheme == "divergierend" and not classify.diverging_meaningful(indicator.unit, region_value):
        drawn = "sequenziell"  # nothing to diverge around
    basis: Sequence[float] | None = None
    if fixed_classes:
        basis = (
            all_years
            if all_years is not None
            else kommune_values_all_years(conn, indicator.id, release_id)
        )
    classes = classify.classify(
        values,
        method,
        "sequenziell" if drawn == "vergleich" else drawn,
        indicator.polarity,
        region_value,
        basis=basis,
    )
    ranks = rank_values(values, indicator.polarity)
    judged: list[Mapping[str, Any] | None] = [None] * len(source_rows)
    if drawn == "vergleich":
        cleaned = [replace(r, value=v) for r, v in zip(source_rows, values, strict=True)]
        judged = [
            j.benchmark
            for j in (
                benchmark_rows(indicator, cleaned, region)
                if reference is None
                else benchmark_rows(indicator, cleaned, reference, no_reference="no_benchmark")
            )
        ]
    rows = []
    for i, r in enumerate(source_rows):
        judgement = judged[i]
        verdict = judgement["verdict"] if judgement else None
        rows.append(
            MapRow(
                ags=r.ags,
                name=r.name,
                value=values[i],
                suppressed=bool(r.suppressed),
                flag=r.flag,
                synthetic=r.synthetic,
                release_label=r.release_label,
                rank=ranks[i],
                class_index=classes.assignment[i],
                color=classify.VERDICT_COLOURS[verdict] if verdict else classes.color_of(i),
                verdict=verdict,
                benchmark=judged[i],
            )
        )
    # Real beats synthetic per cell: say per map which it is, and per row when both appear.
    shown = [r for r in [*source_rows, region] if r is not None and r.release_label]
    synthetic = any(r.synthetic for r in shown)
    verdicts = (
        tuple(
            VerdictClass(v, classify.VERDICT_COLOURS[v], sum(1 for r in rows if r.verdict == v))
            for v in verdict_order(indicator.polarity)
        )
        if drawn == "vergleich"
        else ()
    )
    return MapModel(
        indicator_id=indicator.id,
        year=year,
        method=method,
        scheme=drawn,
        rows=tuple(rows),
        classes=tuple(
            LegendClass(lo, hi, c, n)
            for (lo, hi), c, n in zip(classes.bounds, classes.colors, classes.counts, strict=True)
        ),
        verdicts=verdicts,
        no_data_count=sum(1 for a in classes.assignment if a is None),
        region_value=region_value,
        region_suppressed=bool(region and region.suppressed),
        center=classes.center,
        fixed_classes=fixed_classes,
        synthetic=synthetic,
        mixed=synthetic and any(r.synthetic is False for r in shown),
        release_labels=frozenset(r.release_label for r in shown if r.release_label),
    )


# --- change between two years ---------------------------------------------------------------


def change_kind(unit: str) -> str:
    """How a change is measured: counts in per cent, shares, rates and the rest in points."""
    # A difference of counts depends on the Kommune's size; a difference of a share or a rate
    # is already comparable (Prozentpunkte, Promillepunkte, …).
    return "percent" if unit in COUNT_UNITS else "points"


@dataclass(frozen=True)
class ChangeRow:
    """One area's values in both years and the change (None where either is missing)."""

    ags: str
    name: str
    value_from: float | None
    value_to: float | None
    change: float | None  # points (unit of the indicator) or per cent, see ChangeModel.kind
    synthetic: bool | None  # either value is Beispieldaten (None: no value)
    rank: int | None  # 1 = most favourable change by polarity
    class_index: int | None
    color: str
    release_from: str | None = None  # the release label of each year's value (None: no value)
    release_to: str | None = None


@dataclass(frozen=True)
class ChangeModel:
    """A change map: per Kommune the change between two years, classes diverging around 0."""

    indicator_id: str
    year_from: int
    year_to: int
    kind: str  # "points" or "percent"
    rows: tuple[ChangeRow, ...]
    region: ChangeRow | None
    classes: tuple[LegendClass, ...]
    no_data_count: int
    synthetic: bool
    mixed: bool
    release_labels: frozenset[str]

    def ranked_rows(self) -> list[ChangeRow]:
        """The rows by rank (1 = most favourable change), unranked ones last, then by name."""
        return sorted(self.rows, key=lambda r: (r.rank is None, r.rank or 0, r.name))


def _change(kind: str, v_from: float | None, v_to: float | None) -> float | None:
    """The change from v_from to v_to in points or per cent (None without a base)."""
    diff, pct = change(v_from, v_to)
    return pct if kind == "percent" else diff


def _shown(r: AreaValue | None) -> float | None:
    return r.shown if r else None


def _label(r: AreaValue | None) -> str | None:
    """The release label of a shown value (None: no value shown)."""
    return r.release_label if r is not None and r.shown is not None else None


def change_model(
    conn: Connection,
    indicator: Indicator,
    year_from: int,
    year_to: int,
    release_id: int | None,
    method: str = "quantile",
    data_from: YearValues | None = None,
    data_to: YearValues | None = None,
) -> ChangeModel:
    """The change of each Kommune and the Region; data_* are map_area_values (read if not given)."""
    a = data_from or map_area_values(conn, indicator.id, year_from, release_id)
    b = data_to or map_area_values(conn, indicator.id, year_to, release_id)
    kind = change_kind(indicator.unit)
    to_rows = {r.ags: r for r in b.values}
    pairs = [(r, to_rows.get(r.ags)) for r in a.values]
    changes = [_change(kind, _shown(f), _shown(t)) for f, t in pairs]
    # Diverging around "no change"; the side of an improvement gets the favourable colours.
    classes = classify.classify(changes, method, "divergierend", indicator.polarity, 0.0)
    ranks = rank_values(changes, indicator.polarity)

    def synthetic_of(*rs: AreaValue | None) -> bool | None:
        flags = [bool(r.synthetic) for r in rs if r is not None and r.release_label]
        return any(flags) if flags else None

    rows = tuple(
        ChangeRow(
            ags=f.ags,
            name=f.name,
            value_from=_shown(f),
            value_to=_shown(t),
            change=changes[i],
            synthetic=synthetic_of(f, t),
            rank=ranks[i],
            class_index=classes.assignment[i],
            color=classes.color_of(i),
            release_from=_label(f),
            release_to=_label(t),
        )
        for i, (f, t) in enumerate(pairs)
    )
    region = None
    ra, rb = a.region, b.region
    base = ra or rb
    if base is not None:
        region = ChangeRow(
            ags=base.ags,
            name=base.name,
            value_from=_shown(ra),
            value_to=_shown(rb),
            change=_change(kind, _shown(ra), _shown(rb)),
            synthetic=synthetic_of(ra, rb),
            rank=None,
            class_index=None,
            color=classify.NO_DATA_COLOR,
            release_from=_label(ra),
            release_to=_label(rb),
        )
    shown = [r for d in (a, b) for r in [*d.values, d.region] if r is not None and r.release_label]
    synthetic = any(r.synthetic for r in shown)
    return ChangeModel(
        indicator_id=indicator.id,
        year_from=year_from,
        year_to=year_to,
        kind=kind,
        rows=rows,
        region=region,
        classes=tuple(
            LegendClass(lo, hi, c, n)
            for (lo, hi), c, n in zip(classes.bounds, classes.colors, classes.counts, strict=True)
        ),
        no_data_count=sum(1 for x in classes.assignment if x is None),
        synthetic=synthetic,
        mixed=synthetic and any(r.synthetic is False for r in shown),
        release_labels=frozenset(r.release_label for r in shown if r.release_label),
    )
