"""Each page's map or chart as text (app.render.figure_text), from the data the page and its
image export share: the same sentence is the exported SVG's <desc> and stands beside the page's
download links, so whoever pastes the PNG has its alternative text at hand."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from flask_babel import ngettext

from app.render.figure_text import (
    Description,
    Shown,
    lines_text,
    map_text,
    maps_text,
    ranking_text,
    scatter_text,
    spine_text,
)
from app.render.formatting import fmt_cell, fmt_value, unit_label
from app.render.sentences import VERDICT_LABELS
from app.web.home import region_name
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators.model import AreaValue, Indicator


def _subject(ind: Indicator, unit: str | None = None) -> str:
    return f"{localized(ind, 'name')} ({unit if unit is not None else unit_label(ind.unit)})"


def kommunen_map(ctx: dict) -> Description:
    """The Kommunen map of a year or of a change (the map page's template variables)."""
    ind = ctx["ind"]
    if ctx["change"]:
        subject = _(
            "%(name)s: Veränderung von %(a)s bis %(b)s",
            name=localized(ind, "name"),
            a=ctx["year_from"],
            b=ctx["year_to"],
        )
        subject += f" ({ctx['change_unit']})"
        key, when = "change", ""
    else:
        subject, key, when = _subject(ind), "value", str(ctx["year"])
    shown = [Shown(r["name"], r[key], r["label"]) for r in ctx["table_rows"]]
    return map_text(
        subject,
        when,
        shown,
        [(e["label"], e["count"]) for e in ctx["legend"]],
        extra=f"{region_name()}: {ctx['region_label']}",
    )


def areas_count(n: int) -> str:
    return ngettext("%(num)d Gebiet", "%(num)d Gebiete", n)


def gebiet_map(st: dict, cm: dict) -> Description:
    """A territory's areas (a Kreis, Land or Germany at a level), from its colour map."""
    t, ind = st["territory"], st["indicator"]
    names, values, labels = cm["areas"].names, cm["values"], cm["labels"]
    # Only the areas with the highest or the lowest value (in the areas' order, as the text
    # names them): not a Shown per area of Germany's 11,000 Gemeinden.
    x = np.array(values, dtype=float)
    valued = ~np.isnan(x)
    at = (
        np.flatnonzero(valued & ((x == x[valued].max()) | (x == x[valued].min()))).tolist()
        if valued.any()
        else []
    )
    return map_text(
        _subject(ind),
        f"{t.name}, {st['year']}",
        [Shown(names[i], values[i], labels[i]) for i in at],
        [(e["label"], e["count"]) for e in cm["legend"]],
        count=areas_count,
        extra=f"{t.name}: {cm['own_label']}",
        names=cm["facts"].name_set | {t.name},  # every area's name, kept per areas version
        areas=len(names),
    )


def small_maps(
    ind: Indicator, per_year: dict[int, Sequence[AreaValue]], legend: list[dict]
) -> Description:
    """The small multiples: a map per year in shared classes."""
    decimals, unit = ind.decimals, ind.unit

    def shown(r: AreaValue) -> Shown:
        value = None if r.suppressed else r.value
        text = fmt_cell(None, True) if r.suppressed else fmt_value(value, decimals, unit)
        return Shown(r.name, value, text)

    return maps_text(
        _subject(ind),
        [(y, [shown(r) for r in rows]) for y, rows in per_year.items()],
        [e["label"] for e in legend],
    )


def line_chart(
    subject: str,
    years: Sequence[int],
    lines: Sequence[dict],
    decimals: int,
    unit: str = "",
    breaks: Sequence[int] = (),
    names: Sequence[str] = (),
) -> Description:
    """A line chart's lines ({'name', 'points'}), formatted like its table."""
    return lines_text(
        subject,
        years,
        [(ln["name"], ln["points"]) for ln in lines],
        lambda v: fmt_value(v, decimals, unit),
        breaks,
        names,
    )


def verdict_map(
    ind: Indicator, year: int, rows: Sequence, region_value: float | None
) -> Description:
    """The disparities' map: each Kommune's verdict against the Region."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.benchmark["verdict"]] = counts.get(r.benchmark["verdict"], 0) + 1
    return map_text(
        _subject(ind),
        str(year),
        [Shown(r.name, r.value, fmt_value(r.value, ind.decimals, ind.unit)) for r in rows],
        [(str(VERDICT_LABELS[v]), n) for v, n in counts.items()],
        extra=f"{_('Regionswert')}: {fmt_value(region_value, ind.decimals, ind.unit)}",
    )


def cluster_map(
    ind: Indicator, year: int, rows: Sequence, classes: list[tuple[str, int]]
) -> Description:
    """The LISA cluster map: each Kommune's cluster class."""
    return map_text(
        _subject(ind),
        str(year),
        [Shown(r.name, r.value, fmt_value(r.value, ind.decimals, ind.unit)) for r in rows],
        classes,
    )


def ranking(
    ind: Indicator,
    year: int,
    rows: Sequence,
    region: object | None,
    order: str,
    reference_name: str | None = None,
) -> Description:
    """The ranking chart (rows: RankRow, each with its area's value) in an order (its label);
    `region`: the reference row (the Region's, or the Land's or Germany's named
    `reference_name`)."""
    shown = [
        Shown(r.area.name, r.area.value, fmt_value(r.area.value, ind.decimals, ind.unit))
        for r in rows
    ]
    value = getattr(region, "value", None)
    if getattr(region, "suppressed", False):
        value = None
    name = reference_name or region_name()
    extra = f"{name}: {fmt_value(value, ind.decimals, ind.unit)}" if value is not None else ""
    return ranking_text(_subject(ind), str(year), shown, order, extra)


def scatter(x: Indicator, y: Indicator, year: int, points: Sequence, r: str = "") -> Description:
    """The scatter plot (points: ScatterPoint with x and y cells)."""

    def shown(ind: Indicator, cell_of) -> list[Shown]:
        return [
            Shown(p.name, cell_of(p).value, fmt_value(cell_of(p).value, ind.decimals, ind.unit))
            for p in points
        ]

    return scatter_text(
        _subject(x),
        _subject(y),
        str(year),
        shown(x, lambda p: p.x),
        shown(y, lambda p: p.y),
        r,
    )


def spines(area: str, years: str, verdicts: dict[str, list[str]]) -> Description:
    """The profile's spines: verdict → the names of the indicators that got it."""
    order = ["better", "higher", "similar", "lower", "worse", "not_assessable"]
    return spine_text(
        area,
        years,
        [(str(VERDICT_LABELS[v]), verdicts[v]) for v in order if verdicts.get(v)],
    )
