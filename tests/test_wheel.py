"""The package installs: a wheel built from the checkout serves /karte from its own files.

The fresh virtual environment gets the wheel without dependencies; the dependencies come from
the project's .venv through a path line (its editable install is not on that path, so every
module of the app, every template and translation is the wheel's own copy). Templates and
translations travel inside the app package (app/templates, app/translations), not as top-level
packages of their own in site-packages.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from geodata import attribution
from tests.conftest import DATA_DIR, clone_database, drop_database, server_url, with_db

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_file(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    # Build from a copy of the working tree: setuptools writes build/ beside the sources. Links
    # stay links (app/templates → ../templates), as in a checkout.
    src = tmp / "src"
    shutil.copytree(
        ROOT,
        src,
        symlinks=True,
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
    return next((tmp / "dist").glob("sozialmonitoring-*.whl"))


@pytest.fixture(scope="module")
def wheel_env(wheel_file, tmp_path_factory) -> Path:
    wheel = wheel_file
    env = tmp_path_factory.mktemp("wheel-venv") / "venv"
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


def test_wheel_has_no_top_level_templates_or_translations(wheel_file):
    with zipfile.ZipFile(wheel_file) as whl:
        names = whl.namelist()
        info = next(n for n in names if n.endswith(".dist-info/top_level.txt"))
        top_level = set(whl.read(info).decode().split())
    tops = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"app", "geodata", "indicators"}, tops
    assert top_level == {"app", "geodata", "indicators"}, top_level
    # The checkout's top-level folders arrive inside the package, sub-folders and .mo included.
    for p in (
        "app/templates/base.html",
        "app/templates/maps/_map.html",
        "app/templates/editor/index.html",
        "app/translations/en/LC_MESSAGES/messages.po",
        "app/translations/en/LC_MESSAGES/messages.mo",
    ):
        assert p in names, p
    shipped = {n.removeprefix("app/templates/") for n in names if n.startswith("app/templates/")}
    in_checkout = {
        str(p.relative_to(ROOT / "templates")) for p in (ROOT / "templates").rglob("*.html")
    }
    assert shipped == in_checkout, in_checkout ^ shipped


def test_wheel_holds_templates_translations_data_and_static(wheel_env):
    out = subprocess.check_output(
        [
            str(wheel_env),
            "-c",
            textwrap.dedent("""
            import app, pathlib
            root = pathlib.Path(app.__file__).parent.parent
            for p in ("app/templates/karte.html", "app/templates/base.html",
                      "app/translations/en/LC_MESSAGES/messages.po",
                      "indicators/data/catalogue.csv", "indicators/data/genesis_mapping.csv",
                      "app/static/vendor/leaflet/leaflet.js",
                      "app/migrations/versions/0004_real_data.py",
                      "app/berichte/data/bevoelkerung-mindestsicherung-2010-2015.md"):
                assert (root / p).is_file(), p
            for p in ("templates", "translations"):
                assert not (root / p).exists(), p
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
    url = with_db(server_url(), loaded_copy)
    script = textwrap.dedent(f"""
        import pathlib
        import app
        from app import create_app
        a = create_app({{"DATABASE_URL": {url!r}, "DATA_DIR": {str(DATA_DIR)!r},
                         "SECRET_KEY": "t", "TESTING": True}})
        pkg = pathlib.Path(app.__file__).parent
        assert "site-packages" in str(pkg), pkg
        assert pathlib.Path(a.root_path, a.template_folder) == pkg / "templates", a.template_folder
        dirs = a.extensions["babel"].translation_directories
        assert dirs == [str(pkg / "translations")], dirs
        r = a.test_client().get("/karte")
        assert r.status_code == 200, r.status_code
        html = r.get_data(as_text=True)
        assert "leaflet" in html and {attribution.BOUNDARIES!r} in html
        assert "Zum Inhalt springen" in html, "the wheel's base.html"
        en = a.test_client().get("/karte?lang=en").get_data(as_text=True)
        assert 'lang="en"' in en
        assert "Skip to content" in en and "Zum Inhalt springen" not in en, "the wheel's .mo"
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
