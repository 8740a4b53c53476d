"""The reports' API (/api/v1/berichte): the published Fokusberichte with their Markdown.

A blueprint nested in the API's (endpoint names api.berichte.*), so problem documents, CORS and
the OpenAPI route check apply as to every other API path. The pages are `app.pages.berichte`.
"""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for

from app.api import envelope, formats, params
from app.api.views import bp as api_parent
from app.berichte import store
from app.web.db import get_conn
from app.web.http_cache import etag_for
from app.web.problems import ApiProblem
from app.web.security import public_url
from geodata import attribution

bp = Blueprint("berichte", __name__, url_prefix="/berichte")
api_parent.register_blueprint(bp)

MAP_LICENCE = f"Karten: {attribution.BOUNDARIES} ({attribution.LICENCE})"
DATA_LICENCE = f"Werte: {attribution.STATISTICAL_OFFICES_COPYRIGHT} ({attribution.LICENCE})"


def _envelope() -> dict:
    """Licence and attribution: the reports' texts and the data and maps they show."""
    out = envelope.envelope([])
    out["attribution"] = out["attribution"] + [DATA_LICENCE, MAP_LICENCE]
    return out


def _api_row(r: dict) -> dict:
    base = public_url()
    return {
        "slug": r["slug"],
        "title": r["title"],
        "summary": r["summary"],
        "topic": r["topic_id"],
        "topic_de": r["topic_de"],
        "version": r["version"],
        "published_at": r["published_at"].isoformat(),
        "first_published_at": r["first_published_at"].isoformat(),
        "release_ids": list(r["release_ids"]),
        "url": base + url_for("berichte.report", slug=r["slug"]),
        "pdf": base + url_for("berichte.report_pdf", slug=r["slug"]),
        "markdown": r["body"],
    }


def _api_answer(rows: list[dict]) -> Response:
    """JSON with licence and attribution; ETag and Last-Modified from the versions shown."""
    tag = etag_for(
        "api",
        request.path,
        sorted(request.args.items(multi=True)),
        public_url(),
        [(r["slug"], r["version"]) for r in rows],
    )
    last = max((r["published_at"] for r in rows), default=None)
    if r := envelope.not_modified_response(tag, last):
        return r
    body = {**_envelope(), "count": len(rows), "data": [_api_row(r) for r in rows]}
    return envelope.cacheable(formats.json_response(body), tag, last)


@bp.get("")
def api_list():
    args = params.query("/berichte")
    rows = store.published(get_conn())
    if "thema" in args:
        rows = [r for r in rows if r["topic_id"] == args["thema"]]
    return _api_answer(rows)


@bp.get("/<slug>")
def api_one(slug: str):
    params.query("/berichte/{slug}")
    params.path_value("slug", slug, "^[a-z0-9]+(?:-[a-z0-9]+)*$")
    v = store.version(get_conn(), slug)
    if v is None:
        raise ApiProblem(
            404, "not-found", f"Bericht {slug!r} gibt es nicht; siehe /api/v1/berichte."
        )
    first = store.versions(get_conn(), v["report_id"])[-1]["published_at"]
    return _api_answer([{**v, "first_published_at": first}])
