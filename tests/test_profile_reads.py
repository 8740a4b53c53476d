"""The profile and the comparison read their verdicts and their similar Kommunen's values with
their own rows (issue #32, prof32): `indicators.profile._verdicts` gives what
`indicators.disparities.area_benchmarks` gives, and the profile's `peer_values` what
`indicators.ranking_queries.group_values` reads, for every home Kommune, every benchmark, a named
release and a pinned set, in both demo modes. Each run must also have found something to
compare (verdicts, verdicts with a benchmark value, peers' values).
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from indicators import disparities, profile
from indicators.benchmarks import comparator
from indicators.ranking_queries import group_values
from tests.test_release_rule import DEMOS, set_demo

REGION = "03241"
KOMMUNEN = [f"03241{i:03d}" for i in range(1, 22)]


@pytest.fixture
def conn(app):
    """A connection of its own in the app's context; its transaction (demo mode) rolled back."""
    with app.app_context(), app.extensions["sozmon_engine"].connect() as c:
        yield c
        c.rollback()


def _sources(conn) -> list:
    """Layered (None), the newest published real release by itself (a synthetic one is unknown
    outside demo mode), and a pin of every published one."""
    rows = conn.execute(
        text("SELECT id, synthetic FROM release WHERE status = 'published' ORDER BY id")
    ).all()
    return [None, max(r.id for r in rows if not r.synthetic), tuple(r.id for r in rows)]


@pytest.mark.parametrize("demo", DEMOS)
def test_the_profiles_verdicts_are_area_benchmarks(conn, demo):
    set_demo(conn, demo)
    seen = {"verdicts": 0, "bench_values": 0}
    for source in _sources(conn):
        # the rows of each Kommune read once per source (they do not depend on the benchmark:
        # the same call was made for each of the three choices) and checked against each
        collected = {
            ags: profile._collect(
                conn, [ags, REGION, ags[:2], "DG"], source, own=[ags], peers=KOMMUNEN
            )
            for ags in KOMMUNEN
        }
        for choice in ("region", "land", "bund"):
            against = comparator(conn, choice, REGION)
            other = None if against.ags == REGION else against.ags
            for ags in KOMMUNEN:
                data = collected[ags]
                got = profile._verdicts(conn, data, ags, source, region=REGION, against=other)
                want = disparities.area_benchmarks(conn, ags, source, region=REGION, against=other)
                assert got == want, (ags, choice, source)
                seen["verdicts"] += len(got)
                seen["bench_values"] += sum(v["region_value"] is not None for v in got.values())
    assert seen["verdicts"] > 1000 and seen["bench_values"] > 500, seen


@pytest.mark.parametrize("demo", DEMOS)
def test_the_comparisons_verdicts_are_area_benchmarks(conn, demo):
    """Each side's own headline year (not the row's: two areas' common newest year)."""
    set_demo(conn, demo)
    pairs = [(KOMMUNEN[0], KOMMUNEN[1]), (KOMMUNEN[6], KOMMUNEN[20]), (KOMMUNEN[3], REGION)]
    n = 0
    for source in _sources(conn):
        for a, b in pairs:
            areas = [a, b, *profile.context_keys(a, b)]
            data = profile._collect(conn, areas, source, own=[a, b], peers=KOMMUNEN)
            for x in (a, b):
                if x == REGION:
                    continue
                for other in (None, "03", "DG"):
                    got = profile._verdicts(conn, data, x, source, region=REGION, against=other)
                    want = disparities.area_benchmarks(
                        conn, x, source, region=REGION, against=other
                    )
                    assert got == want, (x, other, source)
                    n += len(got)
    assert n > 500


def test_a_benchmark_area_not_read_is_read_by_area_benchmarks(conn):
    """A benchmark the rows do not hold (here: Lower Saxony left out) is read by its statement."""
    ags = KOMMUNEN[0]
    data = profile._collect(conn, [ags, REGION], None, own=[ags], peers=KOMMUNEN)
    got = profile._verdicts(conn, data, ags, None, region=REGION, against="03")
    assert got == disparities.area_benchmarks(conn, ags, None, region=REGION, against="03")
    assert got


@pytest.mark.parametrize("demo", DEMOS)
def test_the_profiles_peer_values_are_group_values(conn, demo):
    set_demo(conn, demo)
    n = 0
    for source in _sources(conn):
        for ags in KOMMUNEN[::4]:
            p = profile.profile(conn, ags, source, region=REGION)
            headline = {r["indicator"].id: r["year"] for t in p["topics"] for r in t["rows"]}
            want = group_values(conn, headline, KOMMUNEN, source)
            got = {i: v for i, v in p["peer_values"].items() if v and i in headline}
            assert got == want, (ags, source)
            n += sum(len(by) for by in got.values())
            assert sorted(p["peers"]) == KOMMUNEN
    assert n > 1000, n
