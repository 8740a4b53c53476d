"""Main navigation: the pages that exist in this app, in order."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

# (endpoint, label); an entry shows only when its blueprint is registered.
NAV = (
    ("pages.start", _l("Start")),
    ("maps.karte", _l("Karte")),
    ("rangfolge.index", _l("Rangfolge")),
    ("kommune.index", _l("Kommunen")),
    ("zeitreihe.zeitreihe", _l("Zeitreihen")),
    ("disparities.index", _l("Disparitäten")),
    ("berichte.index", _l("Berichte")),
    ("api_docs.docs", _l("Offene Daten")),
)


def nav_items() -> list[tuple[str, str]]:
    """Navigation entries whose endpoints exist."""
    return [(e, str(label)) for e, label in NAV if e in current_app.view_functions]
