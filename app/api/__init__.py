"""The open-data API under /api/v1 (blueprint 'api'): JSON, GeoJSON, CSV, XLSX.

Belongs here: parameter checks against the OpenAPI document, envelopes, serialisation.
Must not be here: queries (in `indicators/*queries`) or HTML; errors are problem+json.
"""

from app.api import (
    explore,  # noqa: F401  (registers /trends and /neighbours on bp)
    streuung,  # noqa: F401  (registers /streuung on bp)
)
from app.api.views import bp

__all__ = ["bp"]
