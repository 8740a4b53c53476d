"""Template variables of the change map (/karte?von=…&bis=…): each Kommune coloured by its
change between two years."""

from __future__ import annotations

from flask import current_app, request

from app.pages.data import figure_texts
from app.pages.data.map_choices import CLASSIFICATION_LABELS
from app.pages.data.map_page import (
    cached_geometry,
    cached_map,
    citation_context,
    map_areas,
    map_builder,
    mark_group,
    profile_href,
    shared_context,
    sources,
    year_values,
)
from app.pages.data.map_state import DATA_CACHE
from app.render.findings import bench_name
from app.render.formatting import fmt_signed, fmt_value, unit_label
from app.web.db import get_conn
from app.web.http_cache import data_version_now
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators import classify
from indicators.api_queries import area_values
from indicators.map_model import ChangeModel, ChangeRow, change_model
from indicators.model import Indicator, YearValues
from indicators.pinning import format_ids
from indicators.profile import change
from indicators.queries import shown_provenance
from indicators.stats import mixes_synthetic


def _change_model(st: dict) -> ChangeModel:
    """The change map's domain model per data version and state (indicators.map_model)."""
    ind, release = st["indicator"], st["release"]
    (y0, y1), version = st["change"], data_version_now()
    method = request.args.get("klassen") or "quantile"  # changes are no counts: quantiles

    def values(year: int) -> YearValues:
        return year_values(ind, year, release, st.get("pinned"))

    key = ("change", version, ind.id, y0, y1, release.id, release.label, method, st.get("pinned"))
    return DATA_CACHE.get_or_build(
        key,
        lambda: change_model(get_conn(), ind, y0, y1, release.id, method, values(y0), values(y1)),
    )


def _benchmark_change(st: dict, kind: str) -> ChangeRow | None:
    """The Land's or Germany's change over the same years when it is the chosen benchmark
    (None: the Region, whose row the model holds), from the same releases as the Kommunen's;
    no change where a value is missing or the two are of different kinds (real, synthetic)."""
    comp, ind, release = st["benchmark"], st["indicator"], st["release"]
    if comp.is_default:
        return None
    (y0, y1), source = st["change"], st.get("pinned") or release.id
    key = ("change-benchmark", data_version_now(), ind.id, y0, y1, source, comp.ags)

    def build() -> ChangeRow:
        found = area_values(get_conn(), ind.id, [y0, y1], source, [comp.ags])
        a, b = found.get((comp.ags, y0)), found.get((comp.ags, y1))
        v0, v1 = (r.shown if r else None for r in (a, b))
        kinds = [r.synthetic for r in (a, b) if r is not None and r.shown is not None]
        diff, pct = change(v0, v1)
        mixed = len(kinds) == 2 and mixes_synthetic(kinds[0], kinds[1])
        return ChangeRow(
            ags=comp.ags,
            name=comp.name,
            value_from=v0,
            value_to=v1,
            change=None if mixed else (pct if kind == "percent" else diff),
            synthetic=any(kinds) if kinds else None,
            rank=None,
            class_index=None,
            color=classify.NO_DATA_COLOR,
            release_from=a.release_label if a is not None and a.shown is not None else None,
            release_to=b.release_label if b is not None and b.shown is not None else None,
        )

    return DATA_CACHE.get_or_build(key, build)


def _change_label(value: float | None, kind: str, decimals: int, unit: str) -> str:
    """'+1,2 Pp.' (points of the unit) or '+3,4 %' (counts), '–' without both values."""
    if kind == "percent":
        return fmt_signed(value, 1, "%", points=False)
    return fmt_signed(value, decimals, unit)


def change_unit(ind: Indicator, kind: str) -> str:
    """What a change map's numbers are: per cent of the first year, percentage points or the unit."""
    if kind == "percent":
        # The msgid is the legend template's, where %% is Jinja's escape of a percent sign.
        return _("Veränderung in %%").replace("%%", "%")
    return _("Prozentpunkte") if ind.unit == "%" else unit_label(ind.unit)


def _change_note(y0: int, y1: int, kind: str, method: str) -> str:
    """The legend's line on how a change map's classes are made."""
    what = (
        _("in Prozent des Werts von %(a)s", a=y0)
        if kind == "percent"
        else _("Differenz in der Einheit der Kennzahl")
    )
    between = _("Veränderung %(a)s–%(b)s", a=y0, b=y1)
    centre = _("Farben um 0 (keine Veränderung)")
    return f"{between}: {what}; {CLASSIFICATION_LABELS[method]}; {centre}"


def change_context(st: dict, embed: bool) -> dict:
    """Template variables of a change map (von/bis): the map coloured by each Kommune's change."""
    ind = st["indicator"]
    y0, y1 = st["change"]
    tile_url = current_app.config.get("TILE_URL") or ""
    model = _change_model(st)
    geo = cached_geometry()
    provenance = shown_provenance(sources(ind.id), model.release_labels)
    decimals, unit, kind = ind.decimals, ind.unit, model.kind
    no_data = _("keine Daten")

    def row(r) -> dict:
        return dict(
            vars(r).copy(),
            href=profile_href(r.ags),
            label_from=fmt_value(r.value_from, decimals, unit),
            label_to=fmt_value(r.value_to, decimals, unit),
            label=_change_label(r.change, kind, decimals, unit)
            if r.change is not None
            else no_data,
        )

    rows = [row(r) for r in model.rows]
    mark_group(rows, st.get("group"), "change", ind.polarity)
    by_ags = {r["ags"]: r for r in rows}
    table_rows = [by_ags[r.ags] for r in model.ranked_rows()]
    legend = [
        {
            "color": c.color,
            "count": c.count,
            "label": f"{_change_label(c.lower, kind, decimals, unit)} – {_change_label(c.upper, kind, decimals, unit)}",
        }
        for c in model.classes
    ]
    if model.no_data_count:
        legend.append(
            {"color": classify.NO_DATA_COLOR, "label": no_data, "count": model.no_data_count}
        )
    between = _("Veränderung %(a)s–%(b)s", a=y0, b=y1)
    areas = map_areas(
        rows,
        geo,
        lambda r: f"{between}: {r['label']}",
        lambda r: f"{between}: {r['label']}",
        lambda r: r["change"] is None,
    )
    build = map_builder(geo, areas, embed, tile_url)

    what = ("change", ind.id, y0, y1, request.args.get("klassen"))
    parts = cached_map(st, embed, tile_url, what, build)
    state = {
        "indikator": ind.id,
        "von": y0,
        "bis": y1,
        "klassen": request.args.get("klassen"),
        "release": st["release_param"],
        "gruppe": st["group"].ags if st.get("group") else None,
        "stand": format_ids(st["pinned"]) if st.get("pinned") else None,
        # Kept for the links back to a year's map (a change map compares nothing).
        "vergleich_mit": None if st["benchmark"].is_default else st["benchmark"].choice,
    }
    region = model.region
    bench = _benchmark_change(st, kind)
    ctx = dict(
        shared_context(st, state, model, provenance, areas, embed),
        map=parts,
        year=f"{y0}–{y1}",
        change=model,
        year_from=y0,
        year_to=y1,
        table_rows=table_rows,
        legend=legend,
        region_row=row(region) if region else None,
        method=request.args.get("klassen") or "quantile",
        scheme="divergierend",
        fixed=False,
        can_diverge=True,
        region_label=region and _change_label(region.change, kind, decimals, unit) or no_data,
        # the chosen benchmark's change (Land or Germany) beside the Region's
        bench_row=row(bench) if bench else None,
        bench_name=bench_name(st["benchmark"]),
        change_unit=change_unit(ind, kind),
        change_note=_change_note(y0, y1, kind, request.args.get("klassen") or "quantile"),
    )
    ctx["figure_text"] = figure_texts.kommunen_map(ctx)  # beside the image links, in the image
    # "Zitieren", the data links (/karte/daten with von/bis) and the pinned note, as the
    # one-year map's (pinned to the same releases: the indicator's shown ones, any year).
    title = _(
        "%(name)s: Veränderung %(a)s–%(b)s – Karte der Kommunen",
        name=localized(ind, "name"),
        a=y0,
        b=y1,
    )
    ctx.update(citation_context(st, state, dict(ctx, model=model), "maps.daten", title))
    return ctx
