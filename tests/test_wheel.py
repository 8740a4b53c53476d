"""The package installs: a wheel built from the checkout serves /karte from its own files.

The fresh virtual environment gets the wheel without dependencies; the dependencies come from
the project's .venv through a path line (its editable install is not on that path, so every
module of the app, every template and translation is the wheel's own copy).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest

from tests.conftest import DATA_DIR, _server_url, _with_db, clone_database, drop_database

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    # Build from a copy of the working tree: setuptools writes build/ beside the sources.
    src = tmp / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            ".pgdata*",
            ".pgreplica",
            ".serve",
            ".assets",
            ".lock-venv",
            ".bench-venv",
            "build",
            "bench-results",
            "instance",
            "__pycache__",
            ".*_cache",
            "docs",
        ),
    )
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp / "dist"),
            str(src),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp / "dist").glob("sozialmonitoring-*.whl"))
    env = tmp / "venv"
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    inst = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert inst.returncode == 0, inst.stderr[-2000:]
    site = subprocess.check_output(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
    ).strip()
    # Dependencies from the project's environment, after the wheel's own site-packages.
    (Path(site) / "zz_project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return py


def test_wheel_holds_templates_translations_data_and_static(wheel_env):
    out = subprocess.check_output(
        [
            str(wheel_env),
            "-c",
            textwrap.dedent("""
            import app, pathlib
            root = pathlib.Path(app.__file__).parent.parent
            for p in ("templates/karte.html", "templates/base.html",
                      "translations/en/LC_MESSAGES/messages.po",
                      "indicators/data/catalogue.csv", "indicators/data/genesis_mapping.csv",
                      "app/static/vendor/leaflet/leaflet.js",
                      "app/migrations/versions/0004_real_data.py",
                      "app/berichte/data/bevoelkerung-mindestsicherung-2010-2015.md"):
                assert (root / p).is_file(), p
            print(root)
        """),
        ],
        cwd="/",
        text=True,
    )
    assert "site-packages" in out and str(ROOT) not in out


@pytest.fixture
def loaded_copy(loaded_template):
    """A copy of the loaded template (templates accept no connections: tests use copies)."""
    name = clone_database(loaded_template)
    yield name
    drop_database(name)


def test_wheel_serves_the_map(wheel_env, loaded_copy, tmp_path):
    url = _with_db(_server_url(), loaded_copy)
    script = textwrap.dedent(f"""
        import app
        from app import create_app
        a = create_app({{"DATABASE_URL": {url!r}, "DATA_DIR": {str(DATA_DIR)!r},
                         "SECRET_KEY": "t", "TESTING": True}})
        assert "site-packages" in a.template_folder, a.template_folder
        r = a.test_client().get("/karte")
        assert r.status_code == 200, r.status_code
        html = r.get_data(as_text=True)
        assert "leaflet" in html and "GeoBasis-DE" in html
        en = a.test_client().get("/karte?lang=en").get_data(as_text=True)
        assert 'lang="en"' in en
        print("OK", app.__file__)
    """)
    r = subprocess.run(
        [str(wheel_env), "-c", script],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        env={"SOZMON_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin"},
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.startswith("OK") and "site-packages" in r.stdout
