"""Start page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from app.db import get_conn
from app.nav import nav_items
from geodata.queries import list_areas
from indicators.queries import list_releases, topics_with_indicators

bp = Blueprint("pages", __name__)


def _endpoint(name: str) -> str | None:
    """An endpoint if another blueprint provides it (the start page links onward)."""
    return name if name in current_app.view_functions else None


@bp.app_context_processor
def inject_nav() -> dict:
    return {"nav_items": nav_items, "synthetic": False}


@bp.get("/")
def start() -> str:
    conn = get_conn()
    topics = topics_with_indicators(conn)
    releases = list_releases(conn)
    return render_template(
        "start.html",
        topics=topics,
        n_indicators=sum(len(t["indicators"]) for t in topics),
        releases=releases,
        areas=list_areas(conn),
        synthetic=any(r["synthetic"] for r in releases),
        map_endpoint=_endpoint("maps.karte"),
        profile_endpoint=_endpoint("kommune.profile"),
    )
