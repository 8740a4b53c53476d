"""API view of the change map: each Kommune's change of an indicator between two years."""

from __future__ import annotations

from flask import Response

from app.api import envelope, formats
from app.api.views import Ctx, bp, check_known
from app.pages.data.series_breaks import breaks_of
from app.web.problems import ApiProblem
from indicators.breaks import break_between
from indicators.map_model import ChangeRow, change_model
from indicators.queries import get_indicator, release_for, years_available


def _row(r: ChangeRow, crossed: bool = False) -> dict:
    # Across a series break: both values, but no change and no rank (see `series_break`).
    return {
        "ags": r.ags,
        "name": r.name,
        "value_von": r.value_from,
        "value_bis": r.value_to,
        "change": None if crossed else r.change,
        "rank": None if crossed else r.rank,
        "synthetic": r.synthetic,
    }


@bp.get("/change")
def change() -> Response:
    ctx = Ctx("/change")
    a = ctx.args
    for name in ("indikator", "von", "bis"):
        if name not in a:
            raise ApiProblem(400, "invalid-parameter", f"{name} fehlt.", parameter=name)
    ind_id, y0, y1 = a["indikator"], int(a["von"]), int(a["bis"])
    check_known(ctx, "indicator", [ind_id], "Indikatoren (siehe /api/v1/indicators)")
    rel = ctx.release or release_for(ctx.conn, ind_id, home=True)
    years = years_available(ctx.conn, ind_id, rel.id) if rel else []
    if len(years) < 2:
        raise ApiProblem(
            404,
            "not-found",
            f"Für {ind_id!r} gibt es keine zwei Jahre mit Werten"
            f" ({', '.join(map(str, years)) or 'keine'}).",
        )
    available = f"Verfügbar: {years[0]}–{years[-1]}."
    if y0 >= y1:
        raise ApiProblem(
            400,
            "invalid-parameter",
            f"von ({y0}) muss vor bis ({y1}) liegen. {available}",
            parameter="von",
            allowed=years,
        )
    for name, y in (("von", y0), ("bis", y1)):
        if y not in years:
            raise ApiProblem(
                404,
                "not-found",
                f"Keine Werte für {ind_id!r} im Jahr {y}. {available}",
                parameter=name,
                allowed=years,
            )
    if r := ctx.unchanged():
        return r
    ind = get_indicator(ctx.conn, ind_id)
    m = change_model(ctx.conn, ind, y0, y1, rel.id)
    own_breaks = breaks_of(ind_id)
    crossed = break_between(y0, y1, own_breaks)
    rows = [_row(r, bool(crossed)) for r in m.rows]
    rows += [_row(m.region, bool(crossed))] if m.region else []
    involved = [r for r in ctx.releases() if r.label in m.release_labels]
    change_unit = "%" if m.kind == "percent" else ("Prozentpunkte" if ind.unit == "%" else ind.unit)
    body = {
        **envelope.envelope(involved),
        "indicator": ind_id,
        "unit": ind.unit,
        "von": y0,
        "bis": y1,
        "kind": m.kind,
        "change_unit": change_unit,
        "series_break": crossed.as_dict() if crossed else None,
        "breaks": [b.as_dict() for b in own_breaks],
        "count": len(rows),
        "data": rows,
    }
    return ctx.respond(formats.json_response(body), involved)
