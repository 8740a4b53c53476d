"""The home region (SOZMON_REGION, app.config["REGION"]) as pages, API envelopes and metadata
name it.

Its name is read from the area table once per process and key: it changes only with another
SOZMON_REGION, which needs a restart (and a database of its own) anyway.
"""

from __future__ import annotations

from flask import current_app

from geodata.home import DEFAULT_AGS, DEFAULT_NAME, HomeRegion, home_region

_KNOWN: dict[str, HomeRegion] = {}


def home_ags() -> str:
    """The 5-digit key of the current app's home Kreis (setting SOZMON_REGION)."""
    return current_app.config["REGION"]


def home() -> HomeRegion:
    """The home Kreis with its display name (Region Hannover without a query)."""
    ags = home_ags()
    if ags in _KNOWN:
        return _KNOWN[ags]
    if ags == DEFAULT_AGS:
        region = HomeRegion(DEFAULT_AGS, DEFAULT_NAME)
    else:
        from app.web.db import get_conn

        region = home_region(get_conn(), ags)
        if region is None:  # not loaded yet: name it by key, and look again next time
            return HomeRegion(ags, f"Kreis {ags}")
    _KNOWN[ags] = region
    return region


def publisher() -> str:
    """'Sozialmonitoring <home region>': the publisher named in documents and downloads."""
    return home().site_name


def site_name() -> str:
    """'Sozialmonitoring <home region>' in the current language (default Region Hannover)."""
    from app.web.i18n import gettext as _

    region = home()
    return (
        _("Sozialmonitoring Region Hannover")
        if region.is_default
        else _("Sozialmonitoring %(r)s", r=region.name)
    )


def region_name() -> str:
    """The home region's name in the current language (default 'Region Hannover')."""
    from app.web.i18n import gettext as _

    region = home()
    return _("Region Hannover") if region.is_default else region.name
