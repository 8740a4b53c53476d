"""The home region: the Kreis whose Gemeinden are "its Kommunen" (setting SOZMON_REGION).

Default 03241 (Region Hannover). The app reads the setting once into `app.config["REGION"]`
(create_app) and passes the key to the queries that need it; another Kreis (e.g.
SOZMON_REGION=03254, Landkreis Hildesheim) is loaded by `sozmon load-all` from the Germany-wide
Gemeinde file. Two apps of one process may have two home regions (each on its own database).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

from geodata.queries import home_areas

DEFAULT_AGS = "03241"
DEFAULT_NAME = "Region Hannover"


def region_key(setting: str | None) -> str:
    """The 5-digit key of the home Kreis from the setting SOZMON_REGION (default 03241)."""
    raw = (setting or DEFAULT_AGS).strip()
    if not re.fullmatch(r"\d{5}", raw):
        raise RuntimeError(
            f"SOZMON_REGION={raw!r}: ein Kreisschlüssel hat fünf Ziffern (z. B. 03254)."
        )
    return raw


def display_name(genesis_name: str) -> str:
    """'Hildesheim, Landkreis' (Regionaldatenbank) → 'Landkreis Hildesheim'."""
    if ", " in genesis_name:
        base, kind = genesis_name.split(", ", 1)
        if kind in ("Landkreis", "Kreis", "Stadtkreis", "Kreisfreie Stadt", "Region"):
            return f"{kind} {base}"
    return genesis_name


@dataclass(frozen=True)
class HomeRegion:
    """The home Kreis as pages and documents name it."""

    ags: str
    name: str  # "Region Hannover", "Landkreis Hildesheim"

    @property
    def is_default(self) -> bool:
        """True for Region Hannover (the pages' long texts are written for it)."""
        return self.ags == DEFAULT_AGS

    @property
    def site_name(self) -> str:
        """The publisher's name: 'Sozialmonitoring <home region>'."""
        return f"Sozialmonitoring {self.name}"

    @property
    def slug(self) -> str:
        """ASCII name for file and package names: 'region-hannover', 'landkreis-hildesheim'."""
        s = self.name.lower()
        for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
            s = s.replace(a, b)
        return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def home_region(conn: Connection, ags: str) -> HomeRegion | None:
    """The home Kreis `ags` with its stored name (the loaders store the display name), or None
    while it is not loaded."""
    home = home_areas(conn)
    if home is not None and ags in home:
        name: str | None = home[ags].name
    else:
        name = conn.scalar(text("SELECT name FROM area WHERE ags = :a"), {"a": ags})
    return HomeRegion(ags, display_name(name)) if name else None
