"""Small multiples (/karte/jahre and its image): a small server-drawn map per year in shared
classes, one table."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale

from app.berichte import svgmap
from app.pages.data import figure_texts
from app.pages.data.cite import map_view_cite
from app.pages.data.map_choices import CLASSIFICATION_LABELS, no_data_in_year
from app.pages.data.map_page import profile_href, sources, year_values
from app.pages.data.map_state import MAP_VERSION
from app.render.findings import bench_name
from app.render.formatting import fmt_cell, fmt_value
from app.web import args
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.home import home_ags
from app.web.http_cache import etag_for
from app.web.i18n import gettext as _
from app.web.i18n import localized
from app.web.urls import url_for
from indicators import classify
from indicators.api_queries import area_values
from indicators.model import AreaValue
from indicators.pinning import format_ids
from indicators.queries import shown_provenance

MAX_MULTIPLES = 12  # small maps on one page; more would be too small to read


def multiple_years(st: dict) -> list[int]:
    """The years of the small multiples (jahre=2008,2012,…), checked; default the last 12."""
    years, ind = st["years"], st["indicator"]
    raw = request.args.get("jahre")
    choices = [
        (
            # The way back keeps the data release and the comparison group of the request.
            url_for(
                "maps.jahre",
                indikator=ind.id,
                release=st["release"].id,
                gruppe=st["group"].ags if st.get("group") else None,
            ),
            _("Alle Jahre (höchstens %(n)s)", n=MAX_MULTIPLES),
        )
    ]
    if not raw:
        return years[-MAX_MULTIPLES:]
    parts = raw.split(",")
    if len(parts) > MAX_MULTIPLES or not all(args.YEAR.fullmatch(p) for p in parts):
        raise BadRequestWithChoices(
            400,
            _(
                "„jahre=%(j)s“: bis zu %(n)s vierstellige Jahre, durch Komma getrennt. Verfügbar: %(a)s–%(b)s.",
                j=raw[:60],
                n=MAX_MULTIPLES,
                a=years[0],
                b=years[-1],
            ),
            choices,
        )
    chosen = sorted({int(p) for p in parts})
    missing = [y for y in chosen if y not in years]
    if missing:
        raise no_data_in_year(ind, missing[0], years, choices)
    return chosen


def multiples_etag(st: dict, shown_years: list[int], *extra) -> str:
    """ETag of the small multiples (page, or with extra parts its image export)."""
    ind, release = st["indicator"], st["release"]
    return etag_for(
        "karte-jahre",
        MAP_VERSION,
        ind.id,
        shown_years,
        st["method"],
        st["group"].ags if st.get("group") else None,
        release.id,
        release.label,
        release.published_at,
        str(get_locale()),
        # A cited (pinned) view: its releases and whether newer data exist (its notice).
        *([st["pinned"], st["newer"]] if st.get("pinned") else []),
        # Another benchmark than the Region (the default's ETags stay as they were).
        *([] if st["benchmark"].is_default else [st["benchmark"].choice]),
        *extra,
    )


def multiples_context(st: dict, shown_years: list[int]) -> dict:
    """Template variables of the small multiples: a small SVG map per year in shared classes."""
    ind, release, group = st["indicator"], st["release"], st.get("group")
    members = group.members if group else None  # a comparison group: outlined, others paler
    conn = get_conn()
    data = {y: year_values(ind, y, release, st.get("pinned")) for y in shown_years}
    decimals, unit = ind.decimals, ind.unit
    no_data = _("keine Daten")

    def shown(r: AreaValue | None) -> float | None:
        return r.shown if r else None

    def label(r: AreaValue | None) -> str:
        if r is None or (r.value is None and not r.suppressed):
            return no_data
        return fmt_cell(None, True) if r.suppressed else fmt_value(r.value, decimals, unit)

    # One classification over every shown year: a colour means the same range in each map.
    basis = [shown(r) for y in shown_years for r in data[y].values]
    maps = []
    for y in shown_years:
        values = {r.ags: shown(r) for r in data[y].values}
        tips = {r.ags: f"{r.name}, {y}: {label(r)}" for r in data[y].values}
        svg, _legend = svgmap.choropleth(
            conn,
            values,
            tips,
            st["method"],
            ind.polarity,
            lambda v, with_unit: fmt_value(v, decimals, unit if with_unit else ""),
            f"jahr-{y}",
            no_data,
            basis=basis,
            group=members,
            region=home_ags(),
        )
        maps.append({"year": y, "svg": svg})
    classes = classify.classify(basis, st["method"], "sequenziell", ind.polarity)
    legend = [
        {"color": c, "label": f"{fmt_value(lo, decimals, '')} – {fmt_value(hi, decimals, unit)}"}
        for (lo, hi), c in zip(classes.bounds, classes.colors, strict=True)
    ]
    if any(v is None for v in basis):
        legend.append({"color": classify.NO_DATA_COLOR, "label": no_data})
    names = [(r.ags, r.name) for r in data[shown_years[0]].values]
    cells = {(r.ags, y): r for y in shown_years for r in data[y].values}
    table = [
        {
            "ags": a,
            "name": n,
            "href": profile_href(a),
            "group": a in members if members else None,
            "cells": [
                (label(cell := cells.get((a, y))), cell.synthetic if cell else None)
                for y in shown_years
            ],
        }
        for a, n in names
    ]
    region = [(label(reg := data[y].region), reg.synthetic if reg else None) for y in shown_years]
    # The chosen benchmark's values (Land or Germany) per year beside the Region's, from the
    # same releases as the Kommunen's (a pinned page: the pinned ones).
    comp = st["benchmark"]
    bench = None
    found: dict = {}
    if not comp.is_default:
        found = area_values(conn, ind.id, shown_years, st.get("pinned") or release.id, [comp.ags])
        bench = [
            (label(cell := found.get((comp.ags, y))), cell.synthetic if cell else None)
            for y in shown_years
        ]
    rows = [
        r
        for y in shown_years
        for r in [*data[y].values, data[y].region]
        if r is not None and r.release_label
    ]
    synthetic = any(r.synthetic for r in rows)
    labels_shown = {r.release_label for r in rows if r.release_label}
    provenance = shown_provenance(sources(ind.id), labels_shown)
    params = {  # the page's state: its links and the image export's query string
        "indikator": ind.id,
        "jahre": request.args.get("jahre"),
        "klassen": request.args.get("klassen"),
        "release": st["release_param"],
        "gruppe": group.ags if group else None,
        "vergleich_mit": None if comp.is_default else comp.choice,
        "stand": format_ids(st["pinned"]) if st.get("pinned") else None,
    }
    ctx = dict(
        ind=ind,
        release=release,
        years=st["years"],
        shown_years=shown_years,
        # beside the image links, in the image
        figure_text=figure_texts.small_maps(ind, {y: data[y].values for y in shown_years}, legend),
        maps=maps,
        legend=legend,
        table=table,
        region=region,
        bench=bench,
        bench_name=bench_name(comp),
        method=st["method"],
        classification_labels=CLASSIFICATION_LABELS,
        synthetic=synthetic,
        mixed=synthetic and any(r.synthetic is False for r in rows),
        provenance=provenance,
        release_param=st["release_param"],
        max_multiples=MAX_MULTIPLES,
        params=params,
        group=group,
        link=lambda **kw: url_for("maps.jahre", **dict(params, **kw)),
        embed=False,
        # the rows of the data download (app.pages.data.multiples_table)
        year_data=data,
        bench_values=[found.get((comp.ags, y)) for y in shown_years] if bench else None,
    )
    ctx.update(multiples_cite(st, params, ctx))
    return ctx


def multiples_cite(st: dict, params: dict, ctx: dict) -> dict:
    """The small multiples' "Zitieren": pinned to the releases the indicator shows (any year,
    as the map's), the permalink, the data links (pinned too) and the pinned note."""
    years = ctx["shown_years"]
    title = _(
        "%(name)s %(years)s – Karten der Kommunen je Jahr",
        name=localized(st["indicator"], "name"),
        years=f"{years[0]}–{years[-1]}",
    )
    labels = {
        r.release_label
        for y in years
        for r in [*ctx["year_data"][y].values, ctx["year_data"][y].region]
        if r is not None and r.release_label
    }
    out = map_view_cite(
        st,
        params,
        lambda **kw: url_for("maps.jahre", **kw),
        "maps.jahre_daten",
        title,
        labels,
        ctx["provenance"],
        bool(ctx["synthetic"]),
    )
    del out["pinned_state"]
    return out
