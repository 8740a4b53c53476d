"""The open-data API under /api/v1 (blueprint 'api'): JSON, GeoJSON, CSV, XLSX.

Belongs here: parameter checks against the OpenAPI document, envelopes, serialisation.
Must not be here: queries (in `indicators/*queries`) or HTML; errors are problem+json.
"""

from app.api import (  # noqa: F401  (each registers its routes on bp)
    change,  # /change
    explore,  # /trends, /neighbours
    streuung,  # /streuung
)
from app.api.views import bp

__all__ = ["bp"]
