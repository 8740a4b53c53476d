"""The image export's blueprint (endpoints export.*) and its template global png_max_areas."""

from __future__ import annotations

from flask import Blueprint, current_app

bp = Blueprint("export", __name__)


def png_max_areas() -> int:
    """Most areas a PNG map may have (EXPORT_PNG_MAX_AREAS, default 2,000)."""
    return int(current_app.config.get("EXPORT_PNG_MAX_AREAS", 2000))


@bp.app_context_processor
def _export_globals() -> dict:
    return {"png_max_areas": png_max_areas}
