"""The open-data API under /api/v1 (blueprint 'api'): JSON, GeoJSON, CSV, XLSX."""

from app.api.views import bp

__all__ = ["bp"]
