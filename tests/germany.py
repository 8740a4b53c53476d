"""Fixtures for Germany-wide tests: one extra template database per session.

Built once from the loaded template (Region Hannover, every Kreis/Land/Bund with real values)
plus what the Germany tests need, restricted to keep the suite fast:
- Niedersachsen's Gemeinden (level 'gemeinde', 943 besides the 21 Kommunen) — enough for the
  Niedersachsen Gemeinde map, search and profiles; the Kreise of all Germany are there already;
- their real values from one GENESIS table (12411-02-03-5-B: population by age → the
  Minderjährigen, unter 6, ab 65 shares, Jugend- and Altenquotient), stored for the level
  'gemeinde' only as in `sozmon load-germany` (about 10 s instead of 2 min for all 24 tables);
- the stored shapes (build-shapes).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import (
    DATA_DIR,
    GERMANY_GPKG,
    app_on_clone,
    load,
    template_database,
)

GENESIS_TABLE = DATA_DIR / "regionalstatistik" / "12411-02-03-5-B.csv"
LABEL = "regionalstatistik-2017-gemeinden"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def germany_template(loaded_template: str) -> Iterator[str]:
    """The loaded database plus Niedersachsen's Gemeinden with real values and shapes."""
    steps = [
        (
            "load-boundaries",
            str(GERMANY_GPKG),
            "--ags-prefix",
            "03",
            "--level",
            "gemeinde",
            "--no-region",
        ),
        (
            "import-genesis",
            str(GENESIS_TABLE),
            "--label",
            LABEL,
            "--gebiet",
            "03",
            "--level",
            "gemeinde",
            "--allow-unmatched",
            "--publish",
        ),
        ("build-shapes",),
    ]
    yield from template_database("germany", lambda name: load(name, *steps), loaded_template)


@pytest.fixture(scope="session")
def germany_app(germany_template: str):
    """An app on a copy of the Germany template shared by read-only tests."""
    yield from app_on_clone(germany_template)


@pytest.fixture
def germany_client(germany_app):
    return germany_app.test_client()


@pytest.fixture(scope="session")
def germany_server(germany_app) -> Iterator[str]:
    """The Germany app served on a free loopback port in a thread."""
    yield from serve(germany_app)


def serve(application) -> Iterator[str]:
    """Serve an app on a free loopback port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


# Another home Kreis (SOZMON_REGION): Landkreis Hildesheim, loaded from the Germany file.
HILDESHEIM = {"REGION": "03254", "SESSION_COOKIE_SECURE": False}


@pytest.fixture(scope="session")
def hildesheim_template(empty_template: str) -> Iterator[str]:
    """A database loaded by `sozmon load-all` for the home region 03254 (demo mode, like the
    suite's other templates)."""
    yield from template_database(
        "hildesheim",
        lambda name: load(name, ("load-all",), **HILDESHEIM),
        empty_template,
        **HILDESHEIM,
    )


@pytest.fixture(scope="session")
def hildesheim_server(hildesheim_template: str) -> Iterator[str]:
    """The app with SOZMON_REGION=03254 (app.config["REGION"]) on a copy of its own database,
    served in a thread of this process beside the apps of Region Hannover."""
    for application in app_on_clone(hildesheim_template, **HILDESHEIM):
        yield from serve(application)
