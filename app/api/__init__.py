"""The open-data API under /api/v1 (blueprint 'api'): JSON, GeoJSON, CSV, XLSX.

Belongs here: parameter checks against the OpenAPI document (`openapi`), envelopes,
serialisation, harvesters' metadata (`metadata`), and the API's documentation page /daten
(`docs`, its own blueprint). Must not be here: queries (in `indicators/*queries`), page views
(what the API shares with a page lives in `app.pages.data`); errors are problem+json.
"""

from app.api import (  # noqa: F401  (each registers its routes on bp)
    alerts,  # /alerts
    berichte,  # /berichte (a nested blueprint)
    change,  # /change
    explore,  # /trends, /neighbours
    sozialindex,  # /sozialindex
    streuung,  # /streuung
)
from app.api.views import bp

__all__ = ["bp"]
