"""API view of the scatter plot: the points of two indicators in a year, with the regression."""

from __future__ import annotations

from dataclasses import asdict

from flask import Response

from app.api import envelope, formats
from app.api.views import Ctx, bp
from app.problems import ApiProblem
from app.views.streuung import years_by_indicator
from indicators.profile import InvalidChoice
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
    }


def body(s: Scatter, involved: list[dict]) -> dict:
    """The JSON answer: envelope, the two indicators, year, regression and one row per area."""
    rows = [_row(p) for p in s.points] + ([_row(s.region)] if s.region else [])
    reg = asdict(s.regression) if s.regression else None
    return {
        **envelope.envelope(involved, boundaries=False),
        "count": len(rows),
        "x": {k: s.x[k] for k in INDICATOR_KEYS},
        "y": {k: s.y[k] for k in INDICATOR_KEYS},
        "year": s.year,
        "years": s.years,
        "regression": reg,
        "data": rows,
    }


@bp.get("/streuung")
def streuung() -> Response:
    ctx = Ctx("/streuung")
    a = ctx.args
    for name in ("x", "y"):
        if name not in a:
            raise ApiProblem(
                400, "invalid-parameter", f"{name} fehlt (eine Indikator-Kennung).", parameter=name
            )
    if r := ctx.unchanged():
        return r
    years = years_by_indicator()
    try:
        s = scatter(ctx.conn, a["x"], a["y"], int(a["jahr"]) if "jahr" in a else None, years)
    except InvalidChoice as err:
        msg = str(err.message)
        if err.field == "same":
            raise ApiProblem(400, "invalid-parameter", msg, parameter="y") from None
        if err.field == "jahr":
            raise ApiProblem(404, "not-found", msg, parameter="jahr", allowed=err.valid) from None
        if err.field in ("x", "y"):
            raise ApiProblem(
                404, "not-found", f"{msg} Siehe /api/v1/indicators.", parameter=err.field
            ) from None
        raise ApiProblem(404, "not-found", msg) from None
    labels = set(s.releases)
    involved = [r for r in ctx.releases() if r["label"] in labels]
    return ctx.respond(formats.json_response(body(s, involved)), involved)
