"""API view of the Sozialindex: status × dynamics of every Kommune (real values only)."""

from __future__ import annotations

from flask import Response, request

from app.api import envelope, formats
from app.api.views import Ctx, bp
from app.pages.data.sozialindex import api_body, index_page
from indicators.queries import release_for


@bp.get("/sozialindex")
def sozialindex() -> Response:
    ctx = Ctx("/sozialindex")
    if r := ctx.unchanged():
        return r
    page = index_page(request.args.get("gebiet") or None)
    ids: set[int] = set()
    for i in page.index.definition.indicator_ids:
        rel = release_for(ctx.conn, i, home=True)
        if rel is not None:
            ids.update(x for x in rel.ids if x is not None)
    involved = [r for r in ctx.releases(ids) if not r.synthetic]
    body = {**envelope.envelope(involved), **api_body(page)}
    return ctx.respond(formats.json_response(body), involved)
