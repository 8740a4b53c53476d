"""API views for exploring: recent trends with significance, similar Kommunen."""

from __future__ import annotations

from flask import Response
from sqlalchemy import text

from app.api import envelope, formats, params
from app.api.views import Ctx, _check_known, bp
from app.problems import ApiProblem
from geodata.queries import REGION_AGS
from indicators import api_queries as q
from indicators.neighbour_queries import K, similar_kommunen
from indicators.queries import get_indicator
from indicators.trend_queries import area_trends


def _home_areas(ctx: Ctx) -> list[str]:
    """The Region and its Kommunen (the default set of areas)."""
    return [REGION_AGS, *sorted(similar_kommunen_names(ctx))]


def similar_kommunen_names(ctx: Ctx) -> dict[str, str]:
    """AGS → name of the home Kommunen."""
    rows = ctx.conn.execute(text("SELECT ags, name FROM area WHERE level = 'kommune'"))
    return dict(rows.all())


@bp.get("/trends")
def trends() -> Response:
    ctx = Ctx("/trends")
    a = ctx.args
    ids = params.csv_list(a.get("indikator"))
    ags = params.csv_list(a.get("ags"))
    _check_known(ctx, "indicator", ids, "Indikatoren (siehe /api/v1/indicators)")
    _check_known(ctx, "area", ags, "Gebiete (AGS; siehe /api/v1/areas)")
    if r := ctx.unchanged():
        return r
    release_id = ctx.release["id"] if ctx.release else None
    pairs = q.value_releases(ctx.conn, ids, release_id)
    if ctx.release and ids and set(ids) - set(pairs):
        missing = ", ".join(sorted(set(ids) - set(pairs)))
        raise ApiProblem(404, "not-found", f"Nicht im Release {ctx.release['label']}: {missing}.")
    areas = ags or _home_areas(ctx)
    found = area_trends(ctx.conn, areas, ids, release_id)
    units = {i: get_indicator(ctx.conn, i)["unit"] for i in {k[0] for k in found}}
    rows = [{"indicator": i, "ags": g, "unit": units[i], **t}
            for (i, g), t in sorted(found.items())]  # fmt: skip
    involved = ctx.releases(set().union(*pairs.values()) if pairs else set())
    # Only the releases the trends actually come from: real or synthetic per row.
    if not any(r["synthetic"] for r in rows):
        involved = [r for r in involved if not r["synthetic"]]
    body = {**envelope.envelope(involved), "count": len(rows), "data": rows}
    return ctx.respond(formats.json_response(body), involved)


@bp.get("/neighbours")
def neighbours() -> Response:
    ctx = Ctx("/neighbours")
    a = ctx.args
    k = int(a.get("k", K))
    names = similar_kommunen_names(ctx)
    ags = params.csv_list(a.get("ags"))
    bad = sorted(set(ags or []) - set(names))
    if bad:
        raise ApiProblem(404, "not-found",
                         f"Ähnliche Kommunen gibt es nur für die Kommunen; unbekannt: "
                         f"{', '.join(bad)}. Erlaubt: {', '.join(sorted(names))}.",
                         unknown=bad, allowed=sorted(names))  # fmt: skip
    if r := ctx.unchanged():
        return r
    sim = similar_kommunen(ctx.conn, min(k, max(len(names) - 1, 1)))
    rows = [
        {"ags": g, "name": names[g], "rank": n, "neighbour_ags": nb["ags"],
         "neighbour_name": nb["name"], "distance": nb["distance"]}
        for g in sorted(ags or names) for n, nb in enumerate(sim["neighbours"].get(g, []), 1)
    ]  # fmt: skip
    labels = {v["release"] for v in sim["variables"]}
    involved = [r for r in ctx.releases() if r["label"] in labels]
    body = {**envelope.envelope(involved), "count": len(rows), "k": sim["k"],
            "variables": sim["variables"], "data": rows}  # fmt: skip
    return ctx.respond(formats.json_response(body), involved)
