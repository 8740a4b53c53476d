"""One home for each shared fact (issue #27, item 7): none is spelled a second time.

- the sources' attribution and licence texts: `geodata/attribution.py` (templates: the Jinja
  global `attribution` and `licence_name()`);
- the verdict palette and the LISA clusters' palette: `indicators/classify.py`;
- the indicator catalogue's columns: `indicators/catalogue.py`;
- how Chromium is started (executable, flags): `app/render/chromium.py`.

The scan reads every code, template, stylesheet, script and translation file of the project
(not the documentation, not data files, not the recorded pages of tests/pages). The last tests
check that pages, downloads and the API show what the homes hold.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import re
from pathlib import Path

import pytest

from app.render import chromium
from app.web.downloads import ATTRIBUTION_BOUNDARIES
from geodata import attribution
from indicators import classify, model
from indicators.catalogue import CATALOGUE_COLUMNS, export_fields, table_column
from indicators.models import Indicator
from tests.conftest import DATA_DIR

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("app", "indicators", "geodata", "templates", "scripts", "tests", "translations")
SUFFIXES = {".py", ".html", ".js", ".css", ".po", ".pot", ".txt", ".cfg"}
SKIPPED = {  # folders not scanned: other people's code, recorded outputs
    "app/static/vendor",
    "tests/pages/expected",
}
THIS = "tests/test_shared_facts.py"  # it names what it looks for

ATTRIBUTION_HOME = "geodata/attribution.py"
ATTRIBUTION_NEEDLES = (
    "GeoBasis",
    "BKG 2021",
    "Statistische Ämter",
    "Statistisches Bundesamt",
    "BBSR Bonn",
    "Datenlizenz Deutschland",
    "Data licence Germany",
    "dl-de/by",
    "govdata.de/dl-de",
)
# Copies of a source's own files, not our attribution of it: the GENESIS tables' footers and
# the Gemeindeverzeichnis' notes sheet, as the statistical offices write them.
SOURCE_IMITATIONS = {
    "tests/data/make_genesis_files.py": {"Statistische Ämter", "Datenlizenz Deutschland"},
    "tests/test_genesis.py": {"Statistische Ämter", "Datenlizenz Deutschland"},
    "tests/test_gv_isys.py": {"Statistisches Bundesamt"},
}
PALETTE_HOME = "indicators/classify.py"
CATALOGUE_HOME = "indicators/catalogue.py"
CHROMIUM_HOME = "app/render/chromium.py"


def _files() -> dict[str, str]:
    """Every scanned file's text by its path relative to the project (symbolic links, such as
    app/templates → templates, are not followed: each file is read once)."""
    out = {}
    for top in SCANNED:
        for folder, dirs, names in os.walk(ROOT / top):
            rel_folder = Path(folder).relative_to(ROOT).as_posix()
            dirs[:] = [
                d
                for d in dirs
                if f"{rel_folder}/{d}" not in SKIPPED and d not in ("__pycache__", "build")
            ]
            for name in names:
                path = Path(folder, name)
                if path.suffix in SUFFIXES and not path.is_symlink():
                    out[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    found = _files()
    assert ATTRIBUTION_HOME in found and "templates/base.html" in found and THIS in found
    return found


# ---------------------------------------------------------------- nothing spelled twice


def _line(text: str, needle: str) -> int:
    return text.count("\n", 0, text.index(needle)) + 1


def test_attribution_texts_live_in_one_home(files):
    again = [
        f"{path}:{_line(text, needle)}: {needle}"
        for path, text in files.items()
        if path not in (ATTRIBUTION_HOME, THIS)
        for needle in ATTRIBUTION_NEEDLES
        if needle in text and needle not in SOURCE_IMITATIONS.get(path, ())
    ]
    assert not again, f"attribution spelled outside {ATTRIBUTION_HOME}: {again}"


def test_every_template_reads_the_attribution_from_the_global(files):
    """What the templates name: the global `attribution`, not a variable each view passes."""
    for path, text in files.items():
        if path.startswith("templates/"):
            assert "boundary_attribution" not in text and "licence_url" not in text, path
    base = files["templates/base.html"]
    assert "{{ attribution.BOUNDARIES }}" in base and "{{ attribution.LICENCE_URL }}" in base


def _hexes(palette: dict[str, str]) -> set[str]:
    return {c.lower() for c in palette.values()}


@pytest.mark.parametrize("name", ["VERDICT_COLOURS", "CLUSTER_COLOURS"])
def test_palettes_live_in_one_home(files, name):
    """No second definition (nor an alias), and no file spells two of a palette's colours; one
    alone may be a colour of its own (the scatter plot's orange selection is #e66101)."""
    hexes = _hexes(getattr(classify, name))
    for path, text in files.items():
        if path in (PALETTE_HOME, THIS):
            continue
        assert not re.search(rf"\b{name}\s*=", text), f"{path} defines {name} again"
        found = {h for h in re.findall(r"#[0-9a-fA-F]{6}\b", text.lower()) if h in hexes}
        assert len(found) < 2, f"{path} spells {name} again: {sorted(found)}"


def _lists_catalogue(text: str, window: int = 30) -> bool:
    """Whether the text names every catalogue column in the catalogue's order within `window`
    lines, whatever stands between them (types, schemas, SQL aliases, the topic's names)."""
    words = [
        (m.group(), text.count("\n", 0, m.start()))
        for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", text)
    ]
    wanted = [{c, table_column(c)} for c in CATALOGUE_COLUMNS]
    for i, (word, line) in enumerate(words):
        if word not in wanted[0]:
            continue
        k = 1
        for later, later_line in words[i + 1 :]:
            if later_line > line + window:
                break
            if later in wanted[k]:
                k += 1
                if k == len(wanted):
                    return True
    return False


def test_catalogue_columns_live_in_one_home(files):
    """The column list is spelled once. Declared beside it, each checked against it: the
    typed record (indicators/model.py), the table (indicators/models.py) and the migrations
    that made it (history, not changed). A few columns (a query, a test's row) are no list."""
    declared = (CATALOGUE_HOME, THIS, "indicators/model.py", "indicators/models.py")
    for path, text in files.items():
        if path.endswith(".py") and path not in declared and not path.startswith("app/migrations/"):
            assert not _lists_catalogue(text), f"{path} lists the catalogue's columns again"
    with (ROOT / "indicators" / "data" / "catalogue.csv").open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert tuple(header[: len(CATALOGUE_COLUMNS)]) == CATALOGUE_COLUMNS
    columns = [table_column(c) for c in CATALOGUE_COLUMNS]
    assert columns == [n for n in Indicator.__table__.columns.keys() if n in columns]
    fields = [f.name for f in dataclasses.fields(model.Indicator)]
    assert fields[: len(columns)] == columns


def test_the_catalogue_finder_sees_a_list():
    listed = "COLS = (\n" + "".join(f'    "{c}",\n' for c in CATALOGUE_COLUMNS) + ")"
    assert _lists_catalogue(listed)
    assert _lists_catalogue(
        "SELECT " + ", ".join(f"i.{table_column(c)}" for c in CATALOGUE_COLUMNS)
    )
    assert _lists_catalogue(",".join(CATALOGUE_COLUMNS))
    typed = "".join(f'    ("{c}", "string"),\n' for c in export_fields())
    assert _lists_catalogue(typed)  # the datapackage's old field list
    assert not _lists_catalogue(",".join(CATALOGUE_COLUMNS[:-1]))
    assert not _lists_catalogue("\n".join(CATALOGUE_COLUMNS), window=5)


def test_chromium_is_started_one_way(files):
    needles = (chromium.EXECUTABLE, *chromium.ARGS)
    again = [
        f"{path}: {n}"
        for path, text in files.items()
        if path not in (CHROMIUM_HOME, THIS)
        for n in needles
        if n in text
    ]
    assert not again, f"Chromium's executable or flags outside {CHROMIUM_HOME}: {again}"
    launchers = [
        p for p, t in files.items() if "chromium.launch(" in t and p not in (CHROMIUM_HOME, THIS)
    ]
    assert launchers, "no launcher found: the scan is broken"
    for path in launchers:
        text = files[path]
        assert text.count("chromium.launch(") == text.count("chromium.launch(**launch_options("), (
            path
        )


# ---------------------------------------------------------------- the homes' values


def test_attribution_is_the_wording_the_data_require():
    """The data's own README says how each source must be named."""
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for required in (
        f"**{attribution.BOUNDARIES}**",
        f"**{attribution.ZENSUS}**",
        f"**{attribution.REGIONALDATENBANK_COPYRIGHT}**",
        f"**{attribution.INKAR_COPYRIGHT}**",
        f"{attribution.LICENCE_NAME} ({attribution.LICENCE})",
        f"© {attribution.DESTATIS}, {attribution.LICENCE}",
    ):
        assert " ".join(required.split()) in " ".join(readme.split()), required
    assert attribution.LICENCE_URL.endswith(attribution.LICENCE)
    assert attribution.licence_name("en") == attribution.LICENCE_NAMES["en"]
    assert attribution.licence_name("fr") == attribution.LICENCE_NAME


def test_pages_downloads_and_api_show_the_homes_texts(client):
    page = client.get("/").get_data(as_text=True)  # every page's footer (base.html)
    assert f'{attribution.BOUNDARIES},\n      <a href="{attribution.LICENCE_URL}">' in page
    assert f'<span lang="de">{attribution.STATISTICAL_OFFICES}</span>' in page
    en = client.get("/?lang=en").get_data(as_text=True)
    assert f"Boundaries: {attribution.BOUNDARIES}," in en

    csv_body = client.get("/kommune/03241001?format=csv").get_data(as_text=True)
    assert ATTRIBUTION_BOUNDARIES.startswith("Gebietsgrenzen: " + attribution.BOUNDARIES)
    assert ATTRIBUTION_BOUNDARIES in csv_body and attribution.ZENSUS in csv_body

    body = client.get("/api/v1/areas").get_json()
    assert body["licence"]["url"] == attribution.LICENCE_URL
    assert any(attribution.BOUNDARIES in a for a in body["attribution"])

    svg = client.get("/rangfolge.svg?lang=en").get_data(as_text=True)
    assert attribution.LICENCE_NAMES["en"] in svg and attribution.LICENCE_URL in svg


def test_pages_show_the_palettes_colours(client):
    page = client.get("/rangfolge").get_data(as_text=True)
    shown = set(re.findall(r"#[0-9a-f]{6}", page.lower())) & _hexes(classify.VERDICT_COLOURS)
    assert len(shown) >= 2, shown
