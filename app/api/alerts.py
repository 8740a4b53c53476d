"""API view of the alerts ("Was ist neu?"): what each publish changed significantly, paged by
`offset` and `limit` (at most 500 a request; `next` is the URL of the following page)."""

from __future__ import annotations

from flask import Response, url_for

from app.api import envelope, formats
from app.api.views import Ctx, bp
from app.pages.data.alerts import PAGE_SIZE, api_row, page_slice
from app.web.problems import ApiProblem


@bp.get("/alerts")
def alerts() -> Response:
    ctx = Ctx("/alerts")
    if r := ctx.unchanged():
        return r
    offset = int(ctx.args.get("offset", 0))
    limit = int(ctx.args.get("limit", PAGE_SIZE))
    if not 1 <= limit <= PAGE_SIZE:
        raise ApiProblem(
            400,
            "invalid-parameter",
            f"limit={limit} ist nicht erlaubt: 1 bis {PAGE_SIZE}.",
            parameter="limit",
        )
    ags, ind = ctx.args.get("ags"), ctx.args.get("indikator")
    rows, total = page_slice(ags, ind, offset, limit)
    labels = {r.release_label for r in rows}
    involved = [r for r in ctx.releases() if r.label in labels]
    data = [api_row(r) for r in rows]
    following = None
    if offset + len(rows) < total:
        keep = {k: v for k, v in ctx.args.items() if k not in ("offset", "limit")}
        following = url_for(
            "api.alerts", **keep, offset=offset + limit, limit=limit, _external=True
        )
    body = {
        **envelope.envelope(involved),
        "count": len(data),
        "total": total,
        "offset": offset,
        "limit": limit,
        "next": following,
        "data": data,
    }
    return ctx.respond(formats.json_response(body), involved)
