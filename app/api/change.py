"""API view of the change map: each Kommune's change of an indicator between two years, or
(with `ags`) the change of any named areas."""

from __future__ import annotations

from flask import Response

from app.api import envelope, formats, params
from app.api.views import Ctx, area_links, bp, check_known
from app.pages.data.series_breaks import breaks_of
from app.web.problems import ApiProblem
from indicators import api_queries as q
from indicators.breaks import break_between
from indicators.classify import NO_DATA_COLOR
from indicators.map_model import ChangeRow, change_kind, change_model
from indicators.model import AreaValue
from indicators.profile import change as change_of
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
    ags = list(dict.fromkeys(params.csv_list(a.get("ags")) or []))
    check_known(ctx, "indicator", [ind_id], "Indikatoren (siehe /api/v1/indicators)")
    check_known(ctx, "area", ags, "Gebiete (AGS; siehe /api/v1/areas)")
    rel = ctx.release or release_for(ctx.conn, ind_id, home=not ags)
    if not rel:
        years = []
    elif ags:  # the named areas' years (a Land's series may start long before the Kommunen's)
        years = q.area_years(ctx.conn, ind_id, rel.id, ags)
    else:
        years = years_available(ctx.conn, ind_id, rel.id)
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
    own_breaks = breaks_of(ind_id)
    crossed = break_between(y0, y1, own_breaks)
    if ags:
        found = q.area_values(ctx.conn, ind_id, [y0, y1], rel.id, ags)
        # The Kommunen keep their rank among all Kommunen (the change map's); others have none.
        ranks = (
            {r.ags: r.rank for r in change_model(ctx.conn, ind, y0, y1, rel.id).rows}
            if any(found[(g, y0)].level == "kommune" for g in ags)
            else {}
        )
        changes = [_area_change(ind.unit, found[(g, y0)], found[(g, y1)], ranks) for g in ags]
        rows = [_row(r, bool(crossed)) for r in changes]
        labels = {v.release_label for v in found.values() if v.release_label}
    else:
        m = change_model(ctx.conn, ind, y0, y1, rel.id)
        rows = [_row(r, bool(crossed)) for r in m.rows]
        rows += [_row(m.region, bool(crossed))] if m.region else []
        labels = set(m.release_labels)
    involved = [r for r in ctx.releases() if r.label in labels]
    kind = change_kind(ind.unit)
    change_unit = "%" if kind == "percent" else ("Prozentpunkte" if ind.unit == "%" else ind.unit)
    body = {
        **envelope.envelope(involved),
        "indicator": ind_id,
        "unit": ind.unit,
        "von": y0,
        "bis": y1,
        "kind": kind,
        "change_unit": change_unit,
        "series_break": crossed.as_dict() if crossed else None,
        "breaks": [b.as_dict() for b in own_breaks],
        "count": len(rows),
        "links": area_links(r["ags"] for r in rows),
        "data": rows,
    }
    return ctx.respond(formats.json_response(body), involved)


def _area_change(
    unit: str, v_from: AreaValue, v_to: AreaValue, ranks: dict[str, int | None]
) -> ChangeRow:
    """One named area's change (the change map's measure: per cent for counts, else points)."""
    a, b = v_from.shown, v_to.shown
    points, pct = change_of(a, b)
    kinds = [bool(v.synthetic) for v in (v_from, v_to) if v.release_label]
    return ChangeRow(
        ags=v_from.ags,
        name=v_from.name,
        value_from=a,
        value_to=b,
        change=pct if change_kind(unit) == "percent" else points,
        synthetic=any(kinds) if kinds else None,
        rank=ranks.get(v_from.ags),
        class_index=None,
        color=NO_DATA_COLOR,
    )
