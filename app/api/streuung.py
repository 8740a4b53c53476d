"""API view of the scatter plot: the points of two indicators in a year, with the regression."""

from __future__ import annotations

from dataclasses import asdict

from flask import Response

from app.api import envelope, formats
from app.api.views import Ctx, bp
from app.pages.data.streuung import years_by_indicator
from app.web.problems import ApiProblem
from indicators.model import Release
from indicators.scatter_queries import Scatter, ScatterPoint, scatter

INDICATOR_KEYS = ("id", "name_de", "name_en", "unit", "decimals")


def _row(p: ScatterPoint) -> dict:
    return {
        "ags": p.ags,
        "name": p.name,
        "level": p.level,
        "x": p.x.value,
        "y": p.y.value,
        "x_suppressed": p.x.suppressed,
        "y_suppressed": p.y.suppressed,
        "x_synthetic": p.x.synthetic,
        "y_synthetic": p.y.synthetic,
        "x_release": p.x.release,
        "y_release": p.y.release,
        "population": p.population.value,
        "population_year": p.population.year,
        "population_indicator": p.population.indicator,
        "population_synthetic": p.population.synthetic,
        "population_release": p.population.release,
    }


def body(s: Scatter, involved: list[Release], release: Release | None = None) -> dict:
    """The JSON answer: envelope, the two indicators, year, the named release, regression and
    one row per area."""
    rows = [_row(p) for p in s.points] + ([_row(s.region)] if s.region else [])
    # 12 significant digits: the last bits of a float sum depend on the order and the CPU's
    # vector kernels (the same data gave …846055 and …84607 on two machines); the data carry
    # far fewer digits than 12.
    reg = (
        {
            k: float(f"{v:.12g}") if isinstance(v, float) else v
            for k, v in asdict(s.regression).items()
        }
        if s.regression
        else None
    )
    return {
        **envelope.envelope(involved, boundaries=False),
        "count": len(rows),
        "x": {k: getattr(s.x, k) for k in INDICATOR_KEYS},
        "y": {k: getattr(s.y, k) for k in INDICATOR_KEYS},
        "year": s.year,
        "years": s.years,
        "release": release.label if release else None,
        "regression": reg,
        "data": rows,
    }


@bp.get("/streuung")
def streuung() -> Response:
    ctx = Ctx("/streuung", by_id=True)  # `release` as on the page: drafts for editors
    a = ctx.args
    for name in ("x", "y"):
        if name not in a:
            raise ApiProblem(
                400, "invalid-parameter", f"{name} fehlt (eine Indikator-Kennung).", parameter=name
            )
    if r := ctx.unchanged():  # the ETag holds every parameter, the release too
        return r
    rid = ctx.release.id if ctx.release else None
    years = years_by_indicator(rid)
    year = int(a["jahr"]) if "jahr" in a else None
    s = scatter(ctx.conn, a["x"], a["y"], year, years, rid)  # refusals: app.web.errors answers
    labels = set(s.releases)
    involved = [r for r in ctx.releases() if r.label in labels]
    resp = ctx.respond(formats.json_response(body(s, involved, ctx.release)), involved)
    if ctx.release and ctx.release.status == "draft":  # an editor's preview
        resp.cache_control.public = False
        resp.cache_control.max_age = None
        resp.cache_control.no_store = True
    return resp
