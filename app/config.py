"""Configuration: defaults plus environment variables; no I/O at import time."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def local_database_url(root: Path = PROJECT_ROOT, db: str = "sozialmonitoring") -> str:
    """URL of the project-local cluster started by scripts/localdb (socket in .pgdata/run)."""
    port = os.environ.get("SOZMON_PG_PORT", "5439")
    return f"postgresql+psycopg://postgres@/{db}?host={root / '.pgdata' / 'run'}&port={port}"


def from_environment() -> dict:
    """Settings read from the environment, with the project's defaults."""
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or local_database_url(),
        # Real data (boundaries, Zensus) lives outside the repository.
        "DATA_DIR": Path(os.environ.get("DATA_DIR") or PROJECT_ROOT.parent / "shared" / "data"),
        # Basemap tiles are a third party too: off unless configured.
        "TILE_URL": os.environ.get("TILE_URL", ""),
        "TILE_ATTRIBUTION": os.environ.get("TILE_ATTRIBUTION", ""),
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "LANGUAGES": ("de", "en"),
    }
