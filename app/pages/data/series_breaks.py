"""Series breaks for the pages: every indicator's, read once per data version, and their texts."""

from __future__ import annotations

from app.web.cache import Region, data_version_now
from app.web.db import get_conn
from app.web.i18n import current_lang
from app.web.i18n import gettext as _
from indicators.breaks import Break, Breaks, series_breaks

_BREAKS = Region("breaks")


def all_breaks() -> dict[str, Breaks]:
    """Every indicator's breaks (oldest first), read once per data version."""
    return _BREAKS.get_or_build(("breaks", data_version_now()), lambda: series_breaks(get_conn()))


def breaks_of(indicator_id: str) -> Breaks:
    """One indicator's breaks, oldest first (empty for most)."""
    return all_breaks().get(indicator_id, ())


def break_text(b: Break) -> str:
    """'Zeitreihenbruch 2022: <reason>' in the page's language (in place of a change)."""
    return _("Zeitreihenbruch %(y)s: %(r)s", y=b.year, r=b.reason(current_lang()))
