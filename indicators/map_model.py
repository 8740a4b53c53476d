"""The choropleth's domain model: values, ranks, classes and provenance of one map, no formatting.

The web layer formats numbers and translates text; what a map shows (which value, which colour,
which rank, real or synthetic) is decided here, framework-free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from indicators import classify
from indicators.disparities import benchmark_rows
from indicators.map_queries import kommune_values_all_years, map_area_values
from indicators.ranking import rank_values


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
    benchmark: Mapping | None = None  # scheme "vergleich": the verdict's details (for sentences)


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
    first = ["higher", "similar", "lower"] if polarity == "neutral" else ["better", "similar",
                                                                           "worse"]  # fmt: skip
    return [*first, "not_assessable"]


def map_model(
    conn: Connection,
    indicator: Mapping,
    year: int,
    release_id: int | None,
    method: str,
    scheme: str,
    fixed_classes: bool = False,
    data: Mapping | None = None,
) -> MapModel:
    """The model of one map; `data` are map_area_values (read when not given)."""
    if data is None:
        data = map_area_values(conn, indicator["id"], year, release_id)
    source_rows = data["values"]
    region = data["region"]
    values = [None if r["suppressed"] else r["value"] for r in source_rows]
    region_value = None if region is None or region["suppressed"] else region["value"]
    drawn = scheme
    if scheme == "divergierend" and not classify.diverging_meaningful(
        indicator["unit"], region_value
    ):
        drawn = "sequenziell"  # nothing to diverge around
    basis = kommune_values_all_years(conn, indicator["id"], release_id) if fixed_classes else None
    classes = classify.classify(
        values, method, "sequenziell" if drawn == "vergleich" else drawn,
        indicator["polarity"], region_value, basis=basis,
    )  # fmt: skip
    ranks = rank_values(values, indicator["polarity"])
    judged: list[dict | None] = [None] * len(source_rows)
    if drawn == "vergleich":
        cleaned = [dict(r, value=v) for r, v in zip(source_rows, values, strict=True)]
        judged = [j["benchmark"] for j in benchmark_rows(indicator, cleaned, region)]
    rows = []
    for i, r in enumerate(source_rows):
        verdict = judged[i]["verdict"] if judged[i] else None
        rows.append(
            MapRow(
                ags=r["ags"], name=r["name"], value=values[i], suppressed=bool(r["suppressed"]),
                flag=r.get("flag"), synthetic=r.get("synthetic"),
                release_label=r.get("release_label"), rank=ranks[i],
                class_index=classes.assignment[i],
                color=classify.VERDICT_COLOURS[verdict] if verdict else classes.color_of(i),
                verdict=verdict, benchmark=judged[i],
            )
        )  # fmt: skip
    # Real beats synthetic per cell: say per map which it is, and per row when both appear.
    shown = [r for r in [*source_rows, region or {}] if r.get("release_label")]
    synthetic = any(r["synthetic"] for r in shown)
    verdicts = (
        tuple(VerdictClass(v, classify.VERDICT_COLOURS[v], sum(1 for r in rows if r.verdict == v))
              for v in verdict_order(indicator["polarity"]))
        if drawn == "vergleich" else ()
    )  # fmt: skip
    return MapModel(
        indicator_id=indicator["id"], year=year, method=method, scheme=drawn, rows=tuple(rows),
        classes=tuple(LegendClass(lo, hi, c, n) for (lo, hi), c, n in
                      zip(classes.bounds, classes.colors, classes.counts, strict=True)),
        verdicts=verdicts,
        no_data_count=sum(1 for a in classes.assignment if a is None),
        region_value=region_value, region_suppressed=bool(region and region["suppressed"]),
        center=classes.center, fixed_classes=fixed_classes, synthetic=synthetic,
        mixed=synthetic and any(r["synthetic"] is False for r in shown),
        release_labels=frozenset(r["release_label"] for r in shown),
    )  # fmt: skip
