"""The one way the editors' area makes a blueprint: its pages show drafts, so no response of it
may be kept by a browser or a proxy (a shared cache would hand a draft to the public)."""

from __future__ import annotations

from flask import Blueprint, Response


def no_store(response: Response) -> Response:
    """Editors' pages show drafts: never kept by browsers or proxies."""
    response.headers["Cache-Control"] = "no-store"
    return response


def editors_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A blueprint under /redaktion whose every response says `Cache-Control: no-store`."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    bp.after_request(no_store)
    return bp
