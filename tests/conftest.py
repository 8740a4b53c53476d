"""Fixtures on a real PostGIS: a template database loaded once, cloned per need.

The template databases are kept in the test cluster between runs (OWID etl's pattern: outputs
kept, keyed by their inputs): each is named after a hash of everything its load reads (the code
of app/, indicators/, geodata/, templates/, translations/, the dependency lock, these fixtures,
every file of DATA_DIR) and of its settings, so a second run reuses it and any change of code,
data or settings builds a new one (and drops the old). A kept template accepts no connections
(ALLOW_CONNECTIONS false): tests only ever clone it. SOZMON_TEST_TEMPLATES=fresh builds every
template anew for this run and drops it afterwards (as before the cache).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, make_url, text

from app import create_app

DATA_DIR = Path(
    os.environ.get("DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
REGION_GEOJSON = DATA_DIR / "geodata" / "vg5000_gem_2021_region_hannover.geojson"
# The password of the editor `redaktion` the tests create.
EDITOR_PASSWORD = "richtig-langes-passwort"
GERMANY_GPKG = DATA_DIR / "geodata" / "vg5000_gem_2021_deutschland.gpkg"
ZENSUS_CSV = DATA_DIR / "indicators" / "zensus2022_1000A-0000_bevoelkerung_gemeinden.csv"
TABLES = ("area", "topic", "indicator", "release", "value")
# Germany-wide fixtures (germany_template, germany_app, germany_client, germany_server).
pytest_plugins = ["tests.germany"]


ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def _local_test_cluster() -> str:
    """The fast, crash-unsafe test cluster (.pgdata-test), started if needed; never the served one."""
    script = ROOT / "scripts" / "localdb"
    # One start at a time (pytest-xdist workers start together): a lock on the script itself.
    with script.open("rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        out = subprocess.run(
            [str(script), "start", "test"], check=True, capture_output=True, text=True
        ).stdout
    return out.strip().rsplit(" ", 1)[-1]


def server_url() -> str:
    # Tests create and drop their own databases: on the test cluster unless a server is named.
    explicit = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    return explicit or _local_test_cluster()


def with_db(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def admin_sql(sql: str) -> None:
    eng = create_engine(with_db(server_url(), "postgres"), isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text(sql))
    eng.dispose()


@functools.cache
def _clone_strategy() -> str:
    """' STRATEGY FILE_COPY' where the server has it (PostgreSQL 15+), else ''.

    15's default, WAL_LOG, copies the template block by block through the WAL; FILE_COPY copies
    its files (and checkpoints, cheap on the crash-unsafe test cluster). Measured on a 103 MB
    copy of `loaded`, five each, alternating, load 14: 2.2 s against 1.75 s a copy; a run
    makes about 200 copies (`fresh_app` alone 165)."""
    eng = create_engine(with_db(server_url(), "postgres"))
    with eng.connect() as conn:
        version = int(conn.scalar(text("SHOW server_version_num")))
    eng.dispose()
    return " STRATEGY FILE_COPY" if version >= 150000 else ""


def clone_database(template: str) -> str:
    """A new database copied from a template (PostgreSQL copies files: fast)."""
    name = f"sozmon_t_{uuid.uuid4().hex[:10]}"
    admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{_clone_strategy()}')
    return name


def drop_database(name: str) -> None:
    """Drop a test database, closing whatever still holds it."""
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# What the kept templates' key is made of (besides DATA_DIR): every file git knows (or would add)
# under these paths of the checkout.
KEY_PATHS = (
    "app",
    "indicators",
    "geodata",
    "templates",
    "translations",
    "pyproject.toml",
    "requirements.lock",
    "tests/conftest.py",
    "tests/germany.py",
)


def _key_files() -> list[Path]:
    """The checkout's files of KEY_PATHS (tracked or untracked, never ignored ones), sorted."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z", "--", *KEY_PATHS],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        files = [ROOT / f for f in out.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):  # no git (an unpacked archive): every file
        files = [
            f
            for rel in KEY_PATHS
            for f in ([ROOT / rel] if (ROOT / rel).is_file() else (ROOT / rel).rglob("*"))
            if f.is_file() and "__pycache__" not in f.parts and f.suffix not in (".pyc", ".mo")
        ]
    return sorted(f for f in files if f.is_file())  # deleted but still tracked: left out


# The digest pytest-xdist's controller computed for its workers (pytest_configure_node): every
# worker keys the templates alike even when a file is edited while the run starts. Two workers
# hashing at different moments got two keys, and each dropped the other's template as stale.
_DIGEST_FROM_CONTROLLER: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    node.workerinput["sozmon_inputs_digest"] = inputs_digest()


def pytest_configure(config: pytest.Config) -> None:
    digest = getattr(config, "workerinput", {}).get("sozmon_inputs_digest")
    if digest:
        _DIGEST_FROM_CONTROLLER.append(digest)


@functools.cache
def inputs_digest() -> str:
    """sha256 over the code, the fixtures, the data files (names and bytes) and Python's version
    (under pytest-xdist: the controller's, computed once for all workers)."""
    if _DIGEST_FROM_CONTROLLER:
        return _DIGEST_FROM_CONTROLLER[0]
    h = hashlib.sha256(sys.version.encode())
    data = sorted(f for f in DATA_DIR.rglob("*") if f.is_file())
    for base, files in ((ROOT, _key_files()), (DATA_DIR, data)):
        for f in files:
            h.update(f"\0{f.relative_to(base)}\0{f.stat().st_size}\0".encode())
            with f.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
    return h.hexdigest()


def _databases(like: str) -> list[str]:
    eng = create_engine(with_db(server_url(), "postgres"), isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        names = list(
            conn.scalars(text("SELECT datname FROM pg_database WHERE datname LIKE :l"), {"l": like})
        )
    eng.dispose()
    return names


@contextmanager
def _build_lock(kind: str) -> Iterator[None]:
    """One builder of a kind of template at a time in the cluster (pytest-xdist workers, two
    sessions of one checkout): a session-level advisory lock, held on its own connection."""
    eng = create_engine(with_db(server_url(), "postgres"), isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": f"sozmon_tpl_{kind}"})
        try:
            yield
        finally:
            conn.execute(
                text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": f"sozmon_tpl_{kind}"}
            )
    eng.dispose()


def fresh_templates() -> bool:
    """SOZMON_TEST_TEMPLATES=fresh: no kept templates (each built for this run, then dropped)."""
    return os.environ.get("SOZMON_TEST_TEMPLATES", "") == "fresh"


def _freeze(name: str) -> None:
    """VACUUM (FREEZE, ANALYZE) a built template: hint bits, visibility map and statistics set
    once here, not again by the first queries of every copy (copies are files: they inherit it)."""
    eng = create_engine(with_db(server_url(), name), isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text("VACUUM (FREEZE, ANALYZE)"))
    eng.dispose()


def template_database(
    kind: str, build: Callable[[str], None], source: str | None = None, **settings
) -> Iterator[str]:
    """Yield the name of a template database of `kind`, made by build(name) on a new database
    (a copy of `source`, else empty) — kept between runs under a name with the hash of its
    inputs (inputs_digest, kind, source, settings), built only when no such database exists."""
    if fresh_templates():
        name = f"sozmon_{kind}_{os.getpid()}"
        drop_database(name)
        admin_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{source}"' if source else ""))
        build(name)
        _freeze(name)
        yield name
        drop_database(name)
        return
    key = hashlib.sha256(
        f"{inputs_digest()}\0{kind}\0{source}\0{sorted(settings.items())!r}".encode()
    ).hexdigest()[:20]
    name = f"sozmon_tpl_{kind}_{key}"
    with _build_lock(kind):
        if not _databases(name):
            # Older templates of this kind (other code, data or settings) and broken builds go.
            for old in _databases(f"sozmon_tpl_{kind}_%") + _databases(f"sozmon_build_{kind}_%"):
                drop_database(old)
            tmp = f"sozmon_build_{kind}_{os.getpid()}"
            admin_sql(f'CREATE DATABASE "{tmp}"' + (f' TEMPLATE "{source}"' if source else ""))
            build(tmp)
            _freeze(tmp)
            # Complete only now (the name says so); read-only from here on: only ever cloned.
            admin_sql(f'ALTER DATABASE "{tmp}" RENAME TO "{name}"')
            admin_sql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    yield name


def load(name: str, *commands: tuple[str, ...], **extra) -> None:
    """Run CLI commands of an app on the named database (each must succeed)."""
    app = make_app(name, **extra)
    for args in commands:
        result = invoke(app, *args)
        assert result.exit_code == 0, result.output
    app.extensions["sozmon_engine"].dispose()


def make_app(db_name: str, **extra):
    """An app on the named test database."""
    cfg = {
        "TESTING": True,
        "DATABASE_URL": with_db(server_url(), db_name),
        "DATA_DIR": DATA_DIR,
        "SECRET_KEY": "test",
        # Tests change data and look at pages at once: no grace time for the page cache.
        "DATA_VERSION_TTL": 0,
        # The suite's templates are loaded in demo mode (synthetic values for the indicators
        # without real data); tests of the default install pass DEMO=False (real_template).
        "DEMO": True,
        # Germany's Gemeinden (a minute, 2 GB) only in the fixtures of tests/germany.py.
        "GERMANY": False,
        **extra,
    }
    return create_app(cfg)


def invoke(app, *args: str):
    """Run a CLI command of the app and return Click's result."""
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture(scope="session")
def empty_template() -> Iterator[str]:
    """A database with the schema only (Alembic head), used as template."""
    yield from template_database("empty", lambda name: load(name, ("db", "upgrade")))


@pytest.fixture(scope="session")
def loaded_template(empty_template: str) -> Iterator[str]:
    """A database loaded as `load-all` loads it in demo mode (real data, the demo release; the
    example report's stored page and PDF rendered in demo mode, as such an install has them)."""
    yield from template_database(
        "loaded", lambda name: load(name, ("load-all",)), empty_template, DEMO=True
    )


@pytest.fixture(scope="session")
def region_template(empty_template: str) -> Iterator[str]:
    """The home region's boundaries and the catalogue, no values: fast to build (the ingest and
    mapping tests load their own tables into copies of it)."""
    yield from template_database(
        "region",
        lambda name: load(name, ("load-boundaries", str(REGION_GEOJSON)), ("load-catalogue",)),
        empty_template,
    )


@pytest.fixture(scope="session")
def real_template(empty_template: str) -> Iterator[str]:
    """A database loaded as a default install loads it: real data only, no demo release."""
    yield from template_database(
        "real", lambda name: load(name, ("load-all",), DEMO=False), empty_template, DEMO=False
    )


# Under pytest-xdist (scripts/test: -n 2) the first worker builds the loaded template (the one
# 1,300 of 1,650 tests need) before its first test, while the second runs the tests that need no
# database (ordered first: pytest_collection_modifyitems). The other templates are built when a
# test first needs them: by then the GENESIS rows of the loaded build are in the cache
# (genesis_cache), so `real` and `hildesheim` do not compute them again (34 s of CPU each
# otherwise; built at once on both workers, as before, both missed the cache).
PREBUILT_BY = {"gw0": ("loaded_template",)}

# The session's template fixtures, in the order of their cost to a test that needs them.
TEMPLATE_FIXTURES = (
    "empty_template",
    "loaded_template",
    "real_template",
    "hildesheim_template",
    "germany_template",
)


def _module_of(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def _need(item: pytest.Item) -> int:
    """0: no database; 1 + index in TEMPLATE_FIXTURES of the costliest template it needs."""
    names = set(item.fixturenames)
    return max((i + 1 for i, f in enumerate(TEMPLATE_FIXTURES) if f in names), default=0)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files in the order of what they need (scripts/test: `--dist loadfile
    --no-loadscope-reorder` hands them out in this order): those needing no database first —
    the second worker runs them while the first builds the loaded template —, then those on
    `loaded`, then those on `real`, `hildesheim`, `germany` (built last, from a warm GENESIS
    cache). A file's tests stay together and in their order."""
    need: dict[str, int] = {}
    for item in items:
        module = _module_of(item)
        need[module] = max(need.get(module, 0), _need(item))
    order = {id(item): n for n, item in enumerate(items)}
    items.sort(key=lambda i: (need[_module_of(i)], order[id(i)]))


@pytest.fixture(scope="session", autouse=True)
def _prebuilt_templates(request) -> None:
    for name in PREBUILT_BY.get(os.environ.get("PYTEST_XDIST_WORKER", ""), ()):
        if any(name in getattr(item, "fixturenames", ()) for item in request.session.items):
            request.getfixturevalue(name)


@pytest.fixture(scope="session")
def real_app(real_template: str):
    """The app of a default install (no demo mode) on the real-only database."""
    yield from app_on_clone(real_template, DEMO=False)


def editor_site(template: str) -> Iterator:
    """An app on its own copy of a template with one editor `redaktion` (for modules whose tests
    change data through the editors' area; plain-HTTP session cookies as the test client sends)."""
    for application in app_on_clone(template):
        application.config["SESSION_COOKIE_SECURE"] = False
        result = invoke(application, "editor-add", "redaktion", "--password", EDITOR_PASSWORD)
        assert result.exit_code == 0, result.output
        yield application


def app_on_clone(template: str, **extra):
    """Yield an app on a fresh copy of a template database; drop the copy afterwards."""
    name = clone_database(template)
    application = make_app(name, **extra)
    yield application
    application.extensions["sozmon_engine"].dispose()
    drop_database(name)


@pytest.fixture(scope="session")
def app(loaded_template: str):
    """The app on a loaded database shared by read-only tests."""
    yield from app_on_clone(loaded_template)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def fresh_app(loaded_template: str):
    """An app on its own copy of the loaded database, for tests that change data."""
    yield from app_on_clone(loaded_template)


def as_app_role(url: str) -> str:
    """The same database as the web app's role `sozmon_app` (owns nothing, migration 0013)."""
    from app.web.config import APP_ROLE

    return make_url(url).set(username=APP_ROLE, password=None).render_as_string(False)


@pytest.fixture
def app_role_app(fresh_app):
    """(app as the role sozmon_app, the same database's superuser app) on a fresh copy of the
    loaded database with one editor 'redaktion'. The copy has migration 0013's grants; root's
    peer map (scripts/localdb) lets the tests in as the app role."""
    from tests.test_editor import PASSWORD

    result = invoke(fresh_app, "editor-add", "redaktion", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    name = make_url(fresh_app.config["DATABASE_URL"]).database
    # A database's own privileges are not copied from its template: as migration 0013 sets them.
    admin_sql(f'REVOKE CREATE, TEMPORARY ON DATABASE "{name}" FROM PUBLIC')
    admin_sql(f'GRANT TEMPORARY ON DATABASE "{name}" TO sozmon_app')
    application = make_app(name, DATABASE_URL=as_app_role(fresh_app.config["DATABASE_URL"]))
    yield application, fresh_app
    application.extensions["sozmon_engine"].dispose()


@pytest.fixture
def empty_app(empty_template: str):
    """An app on its own database with the schema but no data."""
    yield from app_on_clone(empty_template)


@pytest.fixture
def conn(app) -> Iterator[Connection]:
    """A connection to the shared loaded database (read-only use)."""
    with app.extensions["sozmon_engine"].connect() as c:
        yield c


def db_checksum(application) -> dict[str, str]:
    """md5 over every table's rows: proves a failed load left the database as it was."""
    out = {}
    with application.extensions["sozmon_engine"].connect() as c:
        for t in TABLES:
            out[t] = c.scalar(
                text(
                    f"SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {t} x"
                )
            )
            out[t + "_count"] = c.scalar(text(f"SELECT count(*) FROM {t}"))
    return out
