"""API view of the alerts ("Was ist neu?"): what each publish changed significantly."""

from __future__ import annotations

from flask import Response

from app.api import envelope, formats
from app.api.views import Ctx, bp
from app.pages.data.alerts import api_row, page_rows


@bp.get("/alerts")
def alerts() -> Response:
    ctx = Ctx("/alerts")
    if r := ctx.unchanged():
        return r
    rows = page_rows(ctx.args.get("ags"), ctx.args.get("indikator"))
    labels = {r.release_label for r in rows}
    involved = [r for r in ctx.releases() if r.label in labels]
    data = [api_row(r) for r in rows]
    body = {**envelope.envelope(involved), "count": len(data), "data": data}
    return ctx.respond(formats.json_response(body), involved)
