"""The territory map's area list, kept under the areas' own version (migration 0028, germ32b),
with the other parts that depend on the areas alone (germ33: app.pages.data.gebiet_areas).

A publish empties the app's cache; the list of a territory's areas (keys, names, levels: 11,000
rows for Germany's Gemeinden) does not change with it, so `scope_areas_cached` keeps it under
`data_epoch.areas_version`, which only a change of `area` draws anew. These tests show
the trigger, that a new data version without an area change reads the version (one row) and
not the list, and that a renamed area shows on the next request.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import app_on_clone
from tests.statements import recorded_statements

URL = "/karte?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus&jahr=2015"
LIST_READ = "FROM (SELECT ags, name, level FROM area"
AREA_READ = re.compile(r"\bFROM area\b")  # any read of the areas themselves


@pytest.fixture(scope="module")
def epoch_app(germany_template: str) -> Iterator[Any]:
    """An app of its own on a copy of the Germany fixture (areas are renamed here)."""
    yield from app_on_clone(germany_template, DATA_VERSION_TTL=2.0)


def statements(application: Any, url: str) -> tuple[str, list[str]]:
    """Body and statements of url's request right after a new data version (cache emptied)."""
    application.extensions["sozmon_cache"].clear()
    with recorded_statements(application.extensions["sozmon_engine"]) as sent:
        r = application.test_client().get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.get_data(as_text=True), [" ".join(s.split()) for s in sent]


def epoch(application: Any) -> tuple[int, Any]:
    with application.extensions["sozmon_engine"].connect() as c:
        return tuple(c.execute(text("SELECT n, areas_version FROM data_epoch")).one())


def test_only_a_change_of_area_bumps_the_areas_version(epoch_app):
    engine = epoch_app.extensions["sozmon_engine"]
    n0, a0 = epoch(epoch_app)
    with engine.begin() as c:  # a catalogue change: a new data version, the same areas
        c.execute(text("UPDATE indicator SET name_de = name_de WHERE id = 'bev_dichte'"))
    n1, a1 = epoch(epoch_app)
    assert n1 > n0 and a1 == a0
    with engine.begin() as c:
        c.execute(text("UPDATE area SET name = name WHERE ags = '03254'"))
    n2, a2 = epoch(epoch_app)
    assert n2 > n1 and a2 != a1


def test_a_new_data_version_reads_the_areas_version_not_the_list(epoch_app, monkeypatch):
    import app.pages.data.gebiet_areas as gebiet_areas
    from app.web.cache import InputMemo

    monkeypatch.setattr(gebiet_areas, "_BY_VERSION", InputMemo(32))
    monkeypatch.setattr(gebiet_areas, "_SMALL_BY_VERSION", InputMemo(32))
    first_body, first = statements(epoch_app, URL)  # nothing kept yet: the list is read
    assert sum(LIST_READ in s for s in first) == 1, first
    area_reads = [s for s in first if AREA_READ.search(s)]
    # the list, the territory (with its bounds) and the Bund and Länder of the choice
    assert len(area_reads) == 3, area_reads
    body, again = statements(epoch_app, URL)  # what a publish leaves: the cache emptied
    assert not any(AREA_READ.search(s) for s in again), again
    assert sum("areas_version" in s for s in again) == 1
    assert body == first_body
    assert len(again) == len(first) - len(area_reads)


def test_a_renamed_area_shows_on_the_next_request(epoch_app):
    client = epoch_app.test_client()
    before = client.get(URL).get_data(as_text=True)
    assert "Hildesheim, Landkreis" in before and "germ32b" not in before
    engine = epoch_app.extensions["sozmon_engine"]
    with engine.begin() as c:
        old = c.scalar(text("SELECT name FROM area WHERE ags = '03254'"))
        c.execute(text("UPDATE area SET name = :n WHERE ags = '03254'"), {"n": old + " germ32b"})
    try:
        time.sleep(2.1)  # the data version is read again after its TTL (no cache cleared here)
        assert f"{old} germ32b" in client.get(URL).get_data(as_text=True)
    finally:
        with engine.begin() as c:
            c.execute(text("UPDATE area SET name = :n WHERE ags = '03254'"), {"n": old})
    time.sleep(2.1)
    assert client.get(URL).get_data(as_text=True) == before
