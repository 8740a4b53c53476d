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

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import (
    DATA_DIR,
    GERMANY_GPKG,
    _admin,
    _server_url,
    _with_db,
    app_on_clone,
    drop_database,
    invoke,
    make_app,
)

GENESIS_TABLE = DATA_DIR / "regionalstatistik" / "12411-02-03-5-B.csv"
LABEL = "regionalstatistik-2017-gemeinden"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def germany_template(loaded_template: str) -> Iterator[str]:
    """The loaded database plus Niedersachsen's Gemeinden with real values and shapes."""
    name = f"sozmon_germany_{os.getpid()}"
    drop_database(name)
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{loaded_template}"')
    app = make_app(name)
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
    for args in steps:
        result = invoke(app, *args)
        assert result.exit_code == 0, result.output
    app.extensions["sozmon_engine"].dispose()
    yield name
    drop_database(name)


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
    server = make_server("127.0.0.1", 0, germany_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def hildesheim_server(empty_template):
    """The app with SOZMON_REGION=03254 on its own database loaded by `sozmon load-all`,
    served by a subprocess (the home region is read once per process)."""
    name = f"sozmon_hildesheim_{os.getpid()}"
    drop_database(name)
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{empty_template}"')
    env = dict(
        os.environ,
        SOZMON_REGION="03254",
        DATABASE_URL=_with_db(_server_url(), name),
        DATA_DIR=str(DATA_DIR),
        SECRET_KEY="test",
        SESSION_COOKIE_SECURE="0",
        SOZMON_DEMO="1",  # like the suite's other templates
        SOZMON_GERMANY="0",
    )
    sozmon = str(Path(sys.executable).with_name("sozmon"))
    subprocess.run([sozmon, "load-all"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app:create_app()", "run", "-p", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    drop_database(name)
