"""Template variables of the one-year map (page, embed, start page, image) and what the change
map shares with it: geometry, values, provenance, comparison group, the folium layer."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request

from app.pages.data import figure_texts
from app.pages.data.cite import absolute, map_view_cite
from app.pages.data.groups import Group, kommunen_with_groups
from app.pages.data.map_choices import CLASSIFICATION_LABELS, SCHEME_LABELS
from app.pages.data.map_state import (
    DATA_CACHE,
    MAPS_CACHE,
    home_values_of,
    map_link,
    pinned_home,
)
from app.pages.data.notes import public_notes
from app.render import map_rows
from app.render.findings import bench_heading, bench_name, finding_sentence, map_summary
from app.render.formatting import FLAG_TEXT, fmt_cell, fmt_value
from app.render.maps import MapParts, fill_map, map_shapes, map_skeleton, short_name
from app.render.notes import note_line
from app.render.provenance_marks import mark_text
from app.render.sentences import benchmark_sentence_for as benchmark_sentence
from app.render.sentences import verdict_label
from app.web.db import get_conn
from app.web.home import home_ags
from app.web.http_cache import data_version_now
from app.web.i18n import current_lang, localized
from app.web.i18n import gettext as _
from app.web.urls import area_url, url_for
from geodata import attribution
from indicators import classify
from indicators.api_queries import area_values
from indicators.benchmarks import comparator
from indicators.findings import map_findings
from indicators.intervals import intervals_of_rows
from indicators.map_model import MapModel, map_model
from indicators.map_queries import (
    map_area_values,
    map_area_values_by_year,
    map_geometry,
    values_of_year,
)
from indicators.model import AreaValue, Indicator, ShownRelease, YearValues
from indicators.pinning import format_ids
from indicators.queries import Provenance, indicator_sources, shown_provenance
from indicators.ranking import group_ranks


def profile_href(ags: str) -> str | None:
    """Link to an area's page (app.web.urls.area_url: the one rule), when it exists."""
    if "kommune.profile" in current_app.view_functions:
        return area_url(ags)
    return None


def _assets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Leaflet and the page script, served by the app (folium's defaults point to CDNs)."""
    js = [
        ("leaflet", url_for("static", filename="vendor/leaflet/leaflet.js")),
        ("sozmon_karte", url_for("static", filename="js/karte.js")),
    ]
    css = [
        ("leaflet_css", url_for("static", filename="vendor/leaflet/leaflet.css")),
        ("sozmon_karte_css", url_for("static", filename="css/karte.css")),
    ]
    return js, css


def cached_map(st: dict, embed: bool, tile_url: str, what: tuple, build) -> MapParts:
    """The rendered map of a state from the in-process cache, else built and kept (LRU).

    `what` names the map (its kind, indicator, year or years, classes, colours); the rest of
    the key is what every map of the Kommunen depends on: group, release, language, tiles and
    whether profile links exist.
    """
    release = st["release"]
    key = (
        embed,
        *what,
        st.get("pinned"),
        st["group"].ags if st.get("group") else None,
        st["benchmark"].choice,  # the verdict colours and the areas' sentences depend on it
        release.id,
        release.label,
        release.published_at,
        current_lang(),
        tile_url,
        "kommune.profile" in current_app.view_functions,
    )
    return MAPS_CACHE.get_or_build(key, build)


def cached_geometry() -> dict:
    """Boundaries (split for the map layer), label points and bounds, per data version."""

    def build() -> dict:
        geo = map_geometry(get_conn(), home_ags())
        return {**geo, "shapes": map_shapes(geo["geojson"])}

    return DATA_CACHE.get_or_build(("geometry", data_version_now()), build)


def year_values(
    ind: Indicator, year: int, release: ShownRelease, pinned: tuple[int, ...] | None = None
) -> YearValues:
    """The Kommunen's and the Region's value rows of one year, per data version (`pinned`: in
    the cited state of those release ids)."""
    if pinned is not None:

        def pinned_year() -> YearValues:
            home = pinned_home(ind.id, pinned)
            rows = home.rows.get(ind.id, [])
            return values_of_year(rows, home.areas, year) or YearValues(values=(), region=None)

        key = ("pinned-values", data_version_now(), ind.id, year, pinned)
        return DATA_CACHE.get_or_build(key, pinned_year)
    if release.id is None:
        # The layered values: read once per data version (home_values_of: every indicator's,
        # or this one's); only the year shown is turned into rows.
        def one_year() -> YearValues:
            home = home_values_of(ind.id)
            rows = home.rows.get(ind.id, [])
            return values_of_year(rows, home.areas, year) or map_area_values(
                get_conn(), ind.id, year, None
            )

        key = ("values", data_version_now(), ind.id, year, release.label)
        return DATA_CACHE.get_or_build(key, one_year)
    # A named release: all years of the indicator at once, so the next year's map (slider,
    # small multiples, change map) needs no query.
    by_year = DATA_CACHE.get_or_build(
        ("values-by-year", data_version_now(), ind.id, release.id, release.label),
        lambda: map_area_values_by_year(get_conn(), ind.id, release.id),
    )
    return by_year.get(year) or map_area_values(get_conn(), ind.id, year, release.id)


def _values(st: dict) -> YearValues:
    """The Kommunen's and the Region's value rows of the map's year, per data version."""
    return year_values(st["indicator"], st["year"], st["release"], st.get("pinned"))


def sources(indicator_id: str) -> dict[str, Provenance]:
    """Release label → provenance (tables, source) of an indicator, per data version."""
    # Every indicator's at once (a few hundred rows): a new indicator's map needs no query.
    every = DATA_CACHE.get_or_build(
        ("sources", data_version_now()), lambda: indicator_sources(get_conn())
    )
    return every.get(indicator_id, {})


def reference_row(st: dict) -> AreaValue | None:
    """The benchmark's value row in the map's year when it is the Land or Germany (None: the
    Region, which the values already hold), per data version."""
    comp, ind, year, release = st["benchmark"], st["indicator"], st["year"], st["release"]
    if comp.is_default:
        return None
    # A cited map (`stand`): the benchmark's value of the pinned releases, as the Kommunen's.
    source = st.get("pinned") or release.id
    key = ("reference", data_version_now(), ind.id, year, source, comp.ags)
    return DATA_CACHE.get_or_build(
        key,
        lambda: area_values(get_conn(), ind.id, [year], source, [comp.ags]).get((comp.ags, year)),
    )


def bench_row(st: dict, vals: YearValues) -> AreaValue | None:
    """The value row every Kommune of the map is compared with (Region, Land or Germany)."""
    return vals.region if st["benchmark"].is_default else reference_row(st)


def _model(st: dict) -> MapModel:
    """The map's domain model per data version and state (indicators.map_model)."""
    ind, release, year = st["indicator"], st["release"], st["year"]
    version = data_version_now()
    fixed = bool(st.get("fixed"))
    pinned = st.get("pinned")

    def build() -> MapModel:
        data = _values(st)
        all_years = None
        if pinned is not None and fixed:  # fixed classes from the cited values of every year
            home = pinned_home(ind.id, pinned)
            kommunen = {a.ags for a in home.areas if a.level == "kommune"}
            all_years = [
                r.value
                for r in home.rows.get(ind.id, [])
                if r.ags in kommunen and r.value is not None and not r.suppressed
            ]
        return map_model(
            get_conn(),
            ind,
            year,
            release.id,
            st["method"],
            st["scheme"],
            fixed_classes=fixed,
            data=data,
            all_years=all_years,
            reference=reference_row(st),
        )

    key = (
        "model",
        version,
        ind.id,
        year,
        release.id,
        release.label,
        st["method"],
        st["scheme"],
        fixed,
        pinned,
        st["benchmark"].choice,
    )
    return DATA_CACHE.get_or_build(key, build)


def _row_label(r, decimals: int, unit: str, no_data: str) -> str:
    """A Kommune's shown value as text: the number, "geheim", a GENESIS reason or keine Daten."""
    if r.suppressed:  # small-number protection: "geheim"
        return fmt_cell(None, True)
    if r.value is not None:
        return fmt_value(r.value, decimals, unit)
    return fmt_cell(None, False, r.flag) if r.flag in FLAG_TEXT else no_data


def mark_group(rows: list[dict], group: Group | None, value_key: str, polarity: str) -> None:
    """Each row's `group` (member or not; None without a group) and `group_rank` within it."""
    members = group.members if group else frozenset()
    ranks = group_ranks({r["ags"]: r[value_key] for r in rows}, members, polarity)
    for r in rows:
        r["group"] = (r["ags"] in members) if group else None
        r["group_rank"] = ranks.get(r["ags"])


def shared_context(
    st: dict, state: dict, model, provenance: list, areas: dict, embed: bool
) -> dict:
    """Template variables every map (one year or a change) has: links, labels, provenance."""
    # The embed code on an English page embeds the English map.
    embed_state = dict(state, lang="en") if current_lang() == "en" else state
    return dict(
        ind=st["indicator"],
        release=st["release"],
        years=st["years"],
        change_start=st.get("change_start"),
        change_breaks=st.get("change_breaks") or [],
        topics=st["topics"],
        classification_labels=CLASSIFICATION_LABELS,
        scheme_labels=SCHEME_LABELS,
        state=state,
        link=lambda **kw: map_link(False, **dict(state, **kw)),
        embed_url=map_link(True, **embed_state),
        full_url=map_link(False, **embed_state),
        synthetic=model.synthetic,
        mixed=model.mixed,
        provenance=provenance,
        areas=areas,
        embed=embed,
        parts_url=url_for("maps.parts"),
        group=st.get("group"),
        comparator=st["benchmark"],
        bench_name=bench_name(st["benchmark"]),
        land_name=DATA_CACHE.get_or_build(
            ("land-name", data_version_now(), home_ags()),
            lambda: comparator(get_conn(), "land", home_ags()).name,
        ),
        group_choices=DATA_CACHE.get_or_build(
            ("group-choices", data_version_now(), current_lang()),
            lambda: [(k.ags, k.name) for k in kommunen_with_groups()],
        ),
    )


def map_areas(
    rows: list[dict],
    geo: dict,
    tooltip: Callable[[dict], str],
    spoken: Callable[[dict], str],
    missing: Callable[[dict], bool],
) -> dict[str, dict]:
    """Per Kommune what the folium layer needs: colour, tooltip, link, accessible name, label
    point (the one-year map and the change map differ only in the texts and what is missing)."""
    labels = {lab.ags: lab for lab in geo["labels"]}
    # Outside the f-string, so that pybabel finds it (the English map said "Profil öffnen").
    open_profile = _("Profil öffnen")
    in_group = _("Vergleichsgruppe")
    # Demo mode: each area says (and is drawn as) amtlich or Beispieldaten.
    kind = {r["ags"]: mark_text(None if missing(r) else r.get("synthetic")) for r in rows}
    return {
        r["ags"]: {
            "color": r["color"],
            "label": tooltip(r) + (f" – {kind[r['ags']]}" if kind[r["ags"]] else ""),
            "href": r["href"],
            "no_data": missing(r),
            **({"synthetic": bool(r.get("synthetic"))} if kind[r["ags"]] else {}),
            "group": r["group"],
            "aria": f"{r['name']}: {spoken(r)}"
            + (f" – {kind[r['ags']]}" if kind[r["ags"]] else "")
            + (f" ({in_group})" if r["group"] else "")
            + (f" – {open_profile}" if r["href"] else ""),
            "label_lat": labels[r["ags"]].lat,
            "label_lon": labels[r["ags"]].lon,
        }
        for r in rows
        if r["ags"] in labels
    }


def map_builder(
    geo: dict, areas: dict[str, dict], embed: bool, tile_url: str
) -> Callable[[], MapParts]:
    """The map of a state: the page kind's folium skeleton (per data version) with its data."""

    def skeleton() -> MapParts:
        js, css = _assets()
        points = [dict(vars(p), short=short_name(p.name)) for p in geo["labels"]]
        return map_skeleton(
            points,
            geo["bounds"],
            js,
            css,
            f"{attribution.BOUNDARIES}, {attribution.LICENCE}",
            tile_url,
            current_app.config.get("TILE_ATTRIBUTION") or "",
            new_window=embed,
        )

    def build() -> MapParts:
        key = ("skeleton", data_version_now(), embed, tile_url)
        return fill_map(DATA_CACHE.get_or_build(key, skeleton), geo["shapes"], areas)

    return build


def page_context(st: dict, embed: bool) -> dict:
    """Template variables of the map (page, embed or the start page's map) for a _state()."""
    ind, year = st["indicator"], st["year"]
    tile_url = current_app.config.get("TILE_URL") or ""
    model = _model(st)
    geo = cached_geometry()
    provenance = shown_provenance(sources(ind.id), model.release_labels)
    decimals, unit = ind.decimals, ind.unit
    scheme = model.scheme
    no_data = _("keine Daten")
    # 95 % intervals (Wilson for shares, Byar for rates) where numerator and denominator exist,
    # from the value rows the map already read (they carry numerator and denominator).
    vals = _values(st)
    comp, reference = st["benchmark"], bench_row(st, vals)
    found = map_findings(vals.values, ind, year, comp, reference)
    by_finding = {f.ags: f for f in found}
    intervals = intervals_of_rows([*vals.values, *([vals.region] if vals.region else [])], ind.unit)
    rows = []
    for r in model.rows:
        row = dict(
            vars(r).copy(), label=_row_label(r, decimals, unit, no_data), href=profile_href(r.ags)
        )
        ci = intervals.get(r.ags)
        row["ci"] = ci if r.value is not None else None
        row["interval"] = (
            f"{fmt_value(ci.lower, decimals, '')} – {fmt_value(ci.upper, decimals, unit)}"
            if ci is not None and r.value is not None
            else None
        )
        if r.verdict is not None:  # the verdict's sentence is the text alternative
            row["label"] = f"{row['label']} – {verdict_label({'verdict': r.verdict})}"
            row["sentence"] = (
                benchmark_sentence(
                    r.name, ind, r.value, model.region_value, dict(r.benchmark or {})
                )
                if comp.is_default
                else finding_sentence(by_finding[r.ags])
                if r.ags in by_finding
                else ""
            )
        rows.append(row)
    mark_group(rows, st.get("group"), "value", ind.polarity)
    by_ags = {r["ags"]: r for r in rows}
    table_rows = [by_ags[r.ags] for r in model.ranked_rows()]
    if scheme == "vergleich":  # colours by verdict against the Region
        legend = [
            {"color": v.color, "label": verdict_label({"verdict": v.verdict}), "count": v.count}
            for v in model.verdicts
        ]
    else:
        legend = [
            {
                "color": c.color,
                "count": c.count,
                "label": f"{fmt_value(c.lower, decimals, '')} – {fmt_value(c.upper, decimals, unit)}",
            }
            for c in model.classes
        ]
        if model.no_data_count:  # an empty "keine Daten (0 Kommunen)" row says nothing
            legend.append(
                {"color": classify.NO_DATA_COLOR, "label": no_data, "count": model.no_data_count}
            )
    ci_word = _("95-%(p)s-Intervall", p="%")
    # Kontextnotizen of the year: in the tooltip, the area's accessible name and the table.
    noted = public_notes()
    for row in rows:
        row["notes"] = noted.at(row["ags"], ind.id, year)
    note_text = {r["ags"]: "".join(f" – {note_line(n)}" for n in r["notes"]) for r in rows}
    areas = map_areas(
        rows,
        geo,
        lambda r: (
            r["label"]
            + (f" ({ci_word} {r['interval']})" if r["interval"] else "")
            + note_text[r["ags"]]
        ),
        lambda r: r["label"] + note_text[r["ags"]],
        lambda r: r["value"] is None,
    )
    build = map_builder(geo, areas, embed, tile_url)

    what = ("year", ind.id, year, st["method"], scheme, bool(st.get("fixed")))
    parts = cached_map(st, embed, tile_url, what, build)
    state = {
        "indikator": ind.id,
        "jahr": year,
        "klassen": request.args.get("klassen"),
        "farben": request.args.get("farben"),
        "feste": "1" if st.get("fixed") else None,
        "release": st["release_param"],
        "gruppe": st["group"].ags if st.get("group") else None,
        "stand": format_ids(st["pinned"]) if st.get("pinned") else None,
        "vergleich_mit": None if comp.is_default else comp.choice,
    }
    region_value = model.region_value
    ctx = dict(
        shared_context(st, state, model, provenance, areas, embed),
        map=parts,
        year=year,
        table_rows=table_rows,
        has_intervals=any(r["interval"] for r in rows),
        legend=legend,
        region_label=fmt_value(region_value, decimals, unit)
        if region_value is not None
        else no_data,
        model=model,
        # An indicator is wholly real or synthetic: the Region's value is of the map's kind.
        region_synthetic=model.synthetic if region_value is not None else None,
        method=st["method"],
        scheme=scheme,
        can_diverge=st["can_diverge"],
        fixed=model.fixed_classes,
        change=None,
        year_from=None,
        year_to=None,
        # The table's rows (maps/_table.html) are written in Python: the same markup.
        map_row_start=map_rows.row_start,
        map_row_end=map_rows.row_end,
    )
    ctx["figure_text"] = figure_texts.kommunen_map(ctx)  # beside the image links, in the image
    ctx.update(citation_context(st, state, ctx, "maps.daten"))
    ctx["region_row"] = vals.region
    # The map's text alternative: every Kommune's claim against the benchmark, grouped.
    ctx["comparator"] = comp
    ctx["bench_heading"] = bench_heading(comp)
    ctx["reference"] = reference
    ctx["map_findings"] = map_summary(found, comp, reference)
    return ctx


def citation_context(
    st: dict, state: dict, ctx: dict, data_endpoint: str, title: str | None = None
) -> dict:
    """A map's "Zitieren": the pinned permalink, its citation, the data links (pinned too).
    `title`: the citation's title (default: the one-year map's)."""
    if title is None:
        title = _(
            "%(name)s %(year)s – Karte der Kommunen",
            name=localized(st["indicator"], "name"),
            year=ctx["year"],
        )
    out = map_view_cite(
        st,
        state,
        lambda **kw: map_link(False, **kw),
        data_endpoint,
        title,
        ctx["model"].release_labels,
        ctx["provenance"],
        bool(ctx["synthetic"]),
    )
    out["pinned_embed"] = absolute(map_link(True, **out.pop("pinned_state")))
    return out
