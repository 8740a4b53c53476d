"""API view of the Sozialindex: status × dynamics of every Kommune (real values only); with
`stand` (a cited view, issue #31) computed from the pinned releases' values and definition."""

from __future__ import annotations

from flask import Response

from app.api import envelope, formats
from app.api.views import Ctx, bp
from app.pages.data.sozialindex import api_body, index_page
from app.web.http_cache import forever
from indicators import pinning
from indicators.queries import release_for


@bp.get("/sozialindex")
def sozialindex() -> Response:
    ctx = Ctx("/sozialindex")
    # checked before the 304: a malformed pin is a 400 (the document's pattern), an unknown
    # release a 404; the API takes the ids in any order (the pages only in the canonical one)
    raw = ctx.args.get(pinning.PARAM)
    pinned = pinning.parse_ids(
        None if raw is None else pinning.format_ids(int(x) for x in raw.split("."))
    )
    if pinned is not None:
        pinning.check_ids(ctx.conn, pinned)
    if r := ctx.unchanged():
        return r
    page = index_page(ctx.args.get("gebiet") or None, pinned)
    ids: set[int] = set()
    if pinned is not None:  # the cited releases (a withdrawn one is not listed)
        ids.update(pinned)
    else:
        for i in page.index.definition.indicator_ids:
            rel = release_for(ctx.conn, i, home=True)
            if rel is not None:
                ids.update(x for x in rel.ids if x is not None)
    involved = [r for r in ctx.releases(ids) if not r.synthetic]
    body = {**envelope.envelope(involved), **api_body(page)}
    resp = ctx.respond(formats.json_response(body), involved)
    return forever(resp) if pinned is not None else resp
