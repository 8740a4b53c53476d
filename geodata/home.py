"""The home region: the Kreis whose Gemeinden are "its Kommunen" (setting SOZMON_REGION).

Default 03241 (Region Hannover). Read once from the environment, because the CLI, the app and
the queries all need the same key; another Kreis (e.g. SOZMON_REGION=03254, Landkreis
Hildesheim) is loaded by `sozmon load-all` from the Germany-wide Gemeinde file.
"""

from __future__ import annotations

import os
import re

DEFAULT_AGS = "03241"
DEFAULT_NAME = "Region Hannover"


def home_ags() -> str:
    """The 5-digit key of the home Kreis from SOZMON_REGION (default 03241)."""
    raw = (os.environ.get("SOZMON_REGION") or DEFAULT_AGS).strip()
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
