"""The home region (SOZMON_REGION) as pages, API envelopes and metadata name it.

Its name is read from the area table once per process: it changes only with another
SOZMON_REGION, which needs a restart (and a database of its own) anyway.
"""

from __future__ import annotations

from geodata.home import DEFAULT_AGS, DEFAULT_NAME, HomeRegion, home_region
from geodata.queries import REGION_AGS

_KNOWN: dict[str, HomeRegion] = {}


def home() -> HomeRegion:
    """The home Kreis with its display name (Region Hannover without a query)."""
    if REGION_AGS in _KNOWN:
        return _KNOWN[REGION_AGS]
    if REGION_AGS == DEFAULT_AGS:
        region = HomeRegion(DEFAULT_AGS, DEFAULT_NAME)
    else:
        from app.db import get_conn

        region = home_region(get_conn())
        if region is None:  # not loaded yet: name it by key, and look again next time
            return HomeRegion(REGION_AGS, f"Kreis {REGION_AGS}")
    _KNOWN[REGION_AGS] = region
    return region


def publisher() -> str:
    """'Sozialmonitoring <home region>': the publisher named in documents and downloads."""
    return home().site_name


def site_name() -> str:
    """'Sozialmonitoring <home region>' in the current language (default Region Hannover)."""
    from flask_babel import gettext as _

    region = home()
    return (
        _("Sozialmonitoring Region Hannover")
        if region.is_default
        else _("Sozialmonitoring %(r)s", r=region.name)
    )


def region_name() -> str:
    """The home region's name in the current language (default 'Region Hannover')."""
    from flask_babel import gettext as _

    region = home()
    return _("Region Hannover") if region.is_default else region.name
