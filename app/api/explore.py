"""API views for exploring: recent trends with significance, similar Kommunen, intervals."""

from __future__ import annotations

from flask import Response

from app.api import envelope, formats, params
from app.api.views import Ctx, area_links, bp, check_known
from app.pages.data.series_breaks import all_breaks
from app.web.home import home_ags
from app.web.problems import ApiProblem
from geodata.queries import kommune_names
from indicators import api_queries as q
from indicators.intervals import area_intervals, intervals_of_areas
from indicators.neighbour_queries import K, similar_kommunen
from indicators.queries import indicator_units, release_for
from indicators.trend_queries import area_trends


def _home_areas(ctx: Ctx) -> list[str]:
    """The Region and its Kommunen (the default set of areas)."""
    return [home_ags(), *sorted(kommune_names(ctx.conn))]


@bp.get("/trends")
def trends() -> Response:
    ctx = Ctx("/trends")
    a = ctx.args
    ids = params.csv_list(a.get("indikator"))
    ags = params.csv_list(a.get("ags"))
    check_known(ctx, "indicator", ids, "Indikatoren (siehe /api/v1/indicators)")
    check_known(ctx, "area", ags, "Gebiete (AGS; siehe /api/v1/areas)")
    if r := ctx.unchanged():
        return r
    release_id = ctx.release.id if ctx.release else None
    pairs = q.value_releases(ctx.conn, ids, release_id)
    if ctx.release and ids and set(ids) - set(pairs):
        missing = ", ".join(sorted(set(ids) - set(pairs)))
        raise ApiProblem(404, "not-found", f"Nicht im Release {ctx.release.label}: {missing}.")
    areas = ags or _home_areas(ctx)
    breaks = all_breaks()
    found = area_trends(ctx.conn, areas, ids, release_id, breaks=breaks)
    units = indicator_units(ctx.conn, {k[0] for k in found})
    rows = [
        {"indicator": i, "ags": g, "unit": units[i], **t} for (i, g), t in sorted(found.items())
    ]
    involved = ctx.releases(set().union(*pairs.values()) if pairs else set())
    # Only the releases the trends actually come from: real or synthetic per row.
    if not any(r["synthetic"] for r in rows):
        involved = [r for r in involved if not r.synthetic]
    shown = sorted({r["indicator"] for r in rows} & set(breaks))
    body = {
        **envelope.envelope(involved),
        "breaks": {i: [b.as_dict() for b in breaks[i]] for i in shown},
        "count": len(rows),
        "links": area_links(r["ags"] for r in rows),
        "data": rows,
    }
    return ctx.respond(formats.json_response(body), involved)


@bp.get("/neighbours")
def neighbours() -> Response:
    ctx = Ctx("/neighbours")
    a = ctx.args
    k = int(a.get("k", K))
    names = kommune_names(ctx.conn)
    ags = params.csv_list(a.get("ags"))
    bad = sorted(set(ags or []) - set(names))
    if bad:
        raise ApiProblem(
            404,
            "not-found",
            f"Ähnliche Kommunen gibt es nur für die Kommunen; unbekannt: "
            f"{', '.join(bad)}. Erlaubt: {', '.join(sorted(names))}.",
            unknown=bad,
            allowed=sorted(names),
        )
    if r := ctx.unchanged():
        return r
    sim = similar_kommunen(ctx.conn, min(k, max(len(names) - 1, 1)))
    rows = [
        {
            "ags": g,
            "name": names[g],
            "rank": n,
            "neighbour_ags": nb["ags"],
            "neighbour_name": nb["name"],
            "distance": nb["distance"],
        }
        for g in sorted(ags or names)
        for n, nb in enumerate(sim["neighbours"].get(g, []), 1)
    ]
    labels = {v["release"] for v in sim["variables"]}
    involved = [r for r in ctx.releases() if r.label in labels]
    body = {
        **envelope.envelope(involved),
        "count": len(rows),
        "k": sim["k"],
        "variables": sim["variables"],
        "data": rows,
    }
    return ctx.respond(formats.json_response(body), involved)


@bp.get("/intervals")
def intervals() -> Response:
    ctx = Ctx("/intervals")
    a = ctx.args
    for name in ("indikator", "jahr"):
        if name not in a:
            raise ApiProblem(400, "invalid-parameter", f"{name} fehlt.", parameter=name)
    ind_id, year = a["indikator"], int(a["jahr"])
    ags = list(dict.fromkeys(params.csv_list(a.get("ags")) or []))
    check_known(ctx, "indicator", [ind_id], "Indikatoren (siehe /api/v1/indicators)")
    check_known(ctx, "area", ags, "Gebiete (AGS; siehe /api/v1/areas)")
    if r := ctx.unchanged():
        return r
    rel = ctx.release or release_for(ctx.conn, ind_id)
    if not rel:
        found = []
    elif ags:  # the named areas of any level, in the order asked
        found = intervals_of_areas(ctx.conn, ind_id, year, rel.id, ags)
    else:
        found = area_intervals(ctx.conn, ind_id, year, rel.id)
    if not any(x.value is not None or x.suppressed for x in found):
        raise ApiProblem(
            404,
            "not-found",
            f"Keine Werte für {ind_id!r} im Jahr {year}; siehe /api/v1/indicators/{ind_id}.",
        )
    rows = [
        {
            "indicator": ind_id,
            "year": year,
            "ags": x.ags,
            "name": x.name,
            "level": x.level,
            "value": x.value,
            "suppressed": x.suppressed,
            "synthetic": x.synthetic,
            "release": x.release_label,
            "lower": x.interval.lower if x.interval else None,
            "upper": x.interval.upper if x.interval else None,
            "method": x.interval.method if x.interval else None,
            "reason": x.reason,
        }
        for x in found
    ]
    labels = {x.release_label for x in found if x.release_label}
    involved = [r for r in ctx.releases() if r.label in labels] or (
        [ctx.release] if ctx.release else []
    )
    body = {
        **envelope.envelope(involved),
        "count": len(rows),
        "links": area_links(r["ags"] for r in rows),
        "data": rows,
    }
    return ctx.respond(formats.json_response(body), involved)
