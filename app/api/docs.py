"""The human-readable page of the open-data API, rendered from the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.api import openapi
from app.web import problems
from app.web.db import get_conn
from indicators.api_queries import published_releases

bp = Blueprint("api_docs", __name__)


def _example(path: str, op: dict) -> str | None:
    """A clickable example URL from the documented parameter examples (None if it needs ids)."""
    url = "/api/v1" + path
    for p in op["parameters"]:
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", p["example"])
    query = [
        f"{p['name']}={p['example']}"
        for p in op["parameters"]
        if p["in"] == "query" and p["name"] in ("indikator", "jahr", "ags")
    ]
    return url + ("?" + "&".join(query) if query else "")


@bp.get("/daten")
def docs() -> str:
    doc = openapi.document()
    endpoints = [
        {"path": "/api/v1" + path, "example": _example(path, item["get"]), **item["get"]}
        for path, item in doc["paths"].items()
    ]
    releases = published_releases(get_conn())
    return render_template(
        "api_docs.html",
        info=doc["info"],
        endpoints=endpoints,
        releases=releases,
        problem_types=problems.TYPES,
        licence=openapi.LICENCE,
        synthetic=any(r["synthetic"] for r in releases),
    )
