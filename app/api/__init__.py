"""The open-data API under /api/v1 (blueprint 'api'): JSON, GeoJSON, CSV, XLSX."""

from app.api import change, explore  # noqa: F401  (register /change, /trends, /neighbours on bp)
from app.api.views import bp

__all__ = ["bp"]
