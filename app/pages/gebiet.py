"""Maps of many areas: /karte?gebiet=…&ebene=… (any Kreis, Land or all of Germany).

The page is rendered by /karte (app.pages.maps) from `app.pages.data.gebiet_map` with the
classification, legend and a paged table; the outlines come once from /karte/umrisse (stored
shapes, see geodata/shapes.py) and are drawn on a Leaflet canvas; a change of year or
indicator fetches only the colours from /karte/farben.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from app.pages.data.gebiet_map import areas_data, colour_map, gebiet_context, script_json
from app.pages.data.gebiet_state import requested_place, state
from app.web.cache import Region
from app.web.db import get_conn
from app.web.http_cache import cached, data_version_now, etag_for, not_modified, page_cache
from geodata.model import Area
from indicators.gebiet_queries import scope_shapes
from indicators.outline_bodies import encode_bodies, stored_outline_body

bp = Blueprint("gebiet_karte", __name__)


# Outline bodies per (territory, level, data version), already compressed: 2.3 MB of JSON would
# otherwise be brotli-compressed again on every request (≈ 100 ms each).
_SHAPES = Region("shapes")


def _shape_bodies(territory: Area, ebene: str) -> dict:
    conn = get_conn()
    # Germany and the Länder were compressed at load time (indicators/outline_bodies.py).
    bodies = stored_outline_body(conn, territory.ags, ebene)
    if bodies is None:
        bodies = encode_bodies(scope_shapes(conn, territory, ebene).encode())
    return {
        "identity": bodies["plain"],
        "br": bodies["br"],
        "gzip": bodies["gzip"],
        "etag": etag_for("umrisse", territory.ags, ebene, bodies["digest"]),
    }


@bp.get("/karte/umrisse")
def umrisse() -> Response:
    """Outlines of every area of a level in a territory (stored compact shapes, JSON)."""
    territory, ebene = requested_place()
    bodies = _SHAPES.get_or_build(
        (territory.ags, ebene, data_version_now()), lambda: _shape_bodies(territory, ebene)
    )
    accepted = request.accept_encodings
    encoding = "br" if accepted["br"] else "gzip" if accepted["gzip"] else "identity"
    etag = f"{bodies['etag']}-{encoding}"  # one strong ETag per representation
    if not_modified(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    resp = Response(bodies[encoding], mimetype="application/json")
    if encoding != "identity":  # flask-compress leaves an encoded response alone
        resp.headers["Content-Encoding"] = encoding
    return cached(resp, etag, vary=("Accept-Encoding",))


@bp.get("/karte/farben")
@page_cache
def farben() -> Response:
    """Colours, labels, legend and table of a map state, for repainting without a reload."""
    st = state()
    cm = colour_map(st)
    ctx = gebiet_context(st, cm, embed=False, with_areas=False)
    body = {
        "url": ctx["full_url"],
        "embed_url": ctx["embed_url"],
        "embed_code": render_template("maps/_gebiet_embed_code.html", **ctx),
        "title": render_template("maps/_gebiet_title.html", **ctx),
        "legend": render_template("maps/_gebiet_legend.html", **ctx),
        "info": render_template("maps/_gebiet_info.html", **ctx),
        "table": render_template("maps/_gebiet_table.html", **ctx),
        "years": render_template("maps/_gebiet_years.html", **ctx),
        "data": areas_data(cm, names=False),
    }
    return Response(script_json(body), mimetype="application/json")
