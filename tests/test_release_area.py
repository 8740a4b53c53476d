"""Which releases hold values of which areas, kept per release (release_area, migration 0027):
the pin of a page over many indicators (indicators.pinning.page_release_ids) read from the
kept rows is the pin read from the values (live_page_release_ids, the statement before), for
every set of releases a pin may be taken from, and stays so after a publish and a rollback.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations
from typing import Any

import pytest
from sqlalchemy import Connection, text

from indicators.gebiet_profile import area_with_parents, read_areas
from indicators.pinning import ReadAreas, area_keys, live_page_release_ids, page_release_ids
from tests.conftest import app_on_clone, invoke

HANNOVER, REGION = "03241001", "03241"
GEMEINDEN, KREISE = ("gemeinde", "kommune"), ("kreis", "region")


def _area_sets(c: Connection) -> list[Sequence[str] | ReadAreas]:
    """What pages read: area profiles of every level (their peers named by a prefix), the
    lists of the Kommune profile and the disparities, and peers alone (no named area holds a
    value, so only the prefix can find a release), in Länder with and without Gemeinden."""
    sample = list(
        c.scalars(
            text(
                "(SELECT ags FROM area WHERE level = 'gemeinde' ORDER BY md5(ags) LIMIT 6)"
                " UNION ALL (SELECT ags FROM area WHERE level IN ('kreis', 'region')"
                "  AND (ags LIKE '03%' OR ags LIKE '09%') ORDER BY md5(ags) LIMIT 4)"
                " UNION ALL (SELECT ags FROM area WHERE level IN ('land', 'bund') ORDER BY ags)"
            )
        )
    )
    out: list[Sequence[str] | ReadAreas] = []
    for ags in sample:
        area = area_with_parents(c, ags)
        assert area is not None
        out.append(read_areas(area))
    kommunen = list(c.scalars(text("SELECT ags FROM area WHERE level = 'kommune' ORDER BY ags")))
    out += [
        [HANNOVER, REGION, "03", "DG"],
        kommunen,
        ReadAreas((), GEMEINDEN, "03"),  # Niedersachsen's Gemeinden (the fixture's)
        ReadAreas((), GEMEINDEN, "09"),  # Bayern's: none loaded
        ReadAreas((), KREISE, "09"),
        ReadAreas(("99999999",), GEMEINDEN, "032"),  # a prefix longer than a Land's
        [],
    ]
    return out


def _release_sets(c: Connection) -> list[tuple[int, ...] | None]:
    """Live (None), each citable release alone, every pair of them, all of them."""
    ids = list(
        c.scalars(
            text("SELECT id FROM release WHERE status IN ('published', 'withdrawn') ORDER BY id")
        )
    )
    return [None, *((i,) for i in ids), *combinations(ids, 2), tuple(ids)]


def _pins(c: Connection, lookup: Any) -> dict[tuple[int, int, Any, bool], tuple[int, ...]]:
    out = {}
    for n, areas in enumerate(_area_sets(c)):
        for m, ids in enumerate(_release_sets(c)):
            for notes in (True, False):
                out[(n, m, ids, notes)] = lookup(c, areas, ids, notes)
    return out


def _assert_kept_is_live(c: Connection) -> dict[tuple[int, int, Any, bool], tuple[int, ...]]:
    kept, live = _pins(c, page_release_ids), _pins(c, live_page_release_ids)
    assert kept == live
    # the kept rows are those of the values: every citable release's areas, no draft's
    assert set(c.execute(text("SELECT release_id, ags FROM release_area")).all()) == set(
        c.execute(
            text(
                "SELECT DISTINCT v.release_id, v.ags FROM value v JOIN release r"
                " ON r.id = v.release_id WHERE r.status IN ('published', 'withdrawn')"
            )
        ).all()
    )
    return kept


def test_the_kept_pin_is_the_live_pin(germany_app):
    with germany_app.app_context(), germany_app.extensions["sozmon_engine"].connect() as c:
        kept = _assert_kept_is_live(c)
        # The comparison can fail: the lookups found releases, and left some out.
        assert sum(1 for ids in kept.values() if ids) > 100
        live = {k: v for k, v in kept.items() if k[2] is None}
        assert len({v for v in live.values()}) > 2
        # Peers alone: Niedersachsen's Gemeinden have the Gemeinden's release, Bayern's none.
        gemeinden = c.scalar(
            text("SELECT id FROM release WHERE label = 'regionalstatistik-2017-gemeinden'")
        )
        nds = page_release_ids(c, ReadAreas((), GEMEINDEN, "03"), None)
        assert gemeinden in nds
        assert page_release_ids(c, ReadAreas((), GEMEINDEN, "09"), None) == ()
        # The pin is read from release_area: a row taken away (in this transaction) shows.
        c.execute(text("DELETE FROM release_area WHERE release_id = :r"), {"r": gemeinden})
        assert gemeinden not in page_release_ids(c, ReadAreas((), GEMEINDEN, "03"), None)
        assert gemeinden in live_page_release_ids(c, ReadAreas((), GEMEINDEN, "03"), None)
        c.rollback()


def test_an_area_profile_names_its_peers_by_their_land(germany_app):
    """read_areas names the peers by level and Land; their keys are the Land's areas of the
    level (area_keys), as the list the page sent before."""
    with germany_app.app_context(), germany_app.extensions["sozmon_engine"].connect() as c:
        ags = c.scalar(
            text("SELECT ags FROM area WHERE level = 'gemeinde' ORDER BY ags DESC LIMIT 1")
        )
        area = area_with_parents(c, ags)
        assert area is not None
        read = read_areas(area)
        assert read == ReadAreas((ags, ags[:5], ags[:2], "DG"), GEMEINDEN, ags[:2])
        keys = area_keys(c, read)
        assert keys == sorted(
            {
                ags,
                ags[:5],
                ags[:2],
                "DG",
                *c.scalars(
                    text(
                        "SELECT ags FROM area WHERE level IN ('gemeinde', 'kommune')"
                        " AND ags LIKE :p || '%'"
                    ),
                    {"p": ags[:2]},
                ),
            }
        )
        assert len(keys) > 900
        land = area_with_parents(c, ags[:2])
        assert land is not None and read_areas(land) == ReadAreas((ags[:2], "DG"))
    with pytest.raises(ValueError):
        ReadAreas((), GEMEINDEN, "")


@pytest.fixture
def germany_fresh(germany_template: str) -> Iterator[Any]:
    """An app on a copy of the Germany fixture of its own (this test publishes)."""
    yield from app_on_clone(germany_template)


def test_publish_and_rollback_keep_the_pin_in_step(germany_fresh, tmp_path):
    """A release published with values of a Gemeinde of Niedersachsen, another with a
    Kontextnotiz only, then both withdrawn: after each step kept = live for every release set,
    and the new releases are in (and out of) the live pin of that Gemeinde's Land."""
    app = germany_fresh
    engine = app.extensions["sozmon_engine"]
    with engine.connect() as c:
        ags = c.scalar(
            text(
                "SELECT ags FROM area WHERE level = 'gemeinde' AND ags LIKE '03%'"
                " ORDER BY ags DESC LIMIT 1"
            )
        )
    values = tmp_path / "werte.csv"
    values.write_text(f"ags,indicator,year,value\n{ags},bev_zensus22,2022,4711\n")
    assert invoke(app, "load-release", str(values), "--label", "nachtrag-2026").exit_code == 0
    notes = tmp_path / "notizen.csv"
    notes.write_text(
        "ags,indikator,thema,jahr_von,jahr_bis,kategorie,text_de,text_en,quelle\n"
        f"{ags},bev_zensus22,,2022,,einrichtung,Eine Notiz,A note,https://www.example.org\n",
        encoding="utf-8",
    )
    result = invoke(app, "notes-import", "notizen-2026", str(notes), "--new-draft")
    assert result.exit_code == 0, result.output
    assert invoke(app, "publish", "notizen-2026").exit_code == 0
    peers = ReadAreas((), GEMEINDEN, "03")
    with app.app_context(), engine.connect() as c:
        new = dict(
            c.execute(
                text(
                    "SELECT label, id FROM release WHERE label IN ('nachtrag-2026', 'notizen-2026')"
                )
            ).all()
        )
        _assert_kept_is_live(c)
        pin = page_release_ids(c, peers, None)
        assert new["nachtrag-2026"] in pin and new["notizen-2026"] in pin
        # the notes' release holds no value: a page without notes does not pin it
        assert new["notizen-2026"] not in page_release_ids(c, peers, None, notes=False)
    for label in ("notizen-2026", "nachtrag-2026"):
        assert invoke(app, "rollback", label, "--force").exit_code == 0
    with app.app_context(), engine.connect() as c:
        _assert_kept_is_live(c)
        assert not set(new.values()) & set(page_release_ids(c, peers, None))
        # withdrawn, still citable: a pin that names them finds them
        assert new["nachtrag-2026"] in page_release_ids(c, peers, (new["nachtrag-2026"],))
