"""Significance of the Sozialindex's dynamics z-scores from both years' counts (issue #30;
branch bench3), on the real PostGIS database: a definition on a share whose numerators and
denominators are published in two years is stored in the newest published release; page, API
and method section show the dynamics z-scores' intervals, which this test recomputes on its own
(Wilson from tests/test_benchmark.py, the MOVER combination and numpy's mean and sd here).
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from sqlalchemy import text

from indicators.social_index import load_definition
from indicators.social_index_store import definition_body
from tests.conftest import app_on_clone
from tests.test_benchmark import interval


@pytest.fixture
def real_clone(real_template):
    yield from app_on_clone(real_template, DEMO=False)


def _counted_share(conn) -> tuple[str, int, int]:
    """A share with numerator and denominator for all 21 Kommunen in two years without a
    series break between them (the earliest and the latest such year)."""
    rows = conn.execute(
        text(
            "SELECT v.indicator_id, v.year FROM shown_value v JOIN indicator i"
            " ON i.id = v.indicator_id WHERE v.ags LIKE '03241___' AND i.unit = '%'"
            " AND v.numerator IS NOT NULL AND v.denominator > 0 AND v.value IS NOT NULL"
            " AND NOT v.suppressed AND NOT v.synthetic"
            " GROUP BY 1, 2 HAVING count(*) = 21 ORDER BY 1, 2"
        )
    ).all()
    years: dict[str, list[int]] = {}
    for r in rows:
        years.setdefault(r.indicator_id, []).append(r.year)
    for ind, ys in years.items():
        if len(ys) < 2:
            continue
        crossed = conn.scalar(
            text(
                "SELECT count(*) FROM series_break WHERE indicator_id = :i"
                " AND year > :a AND year <= :b"
            ),
            {"i": ind, "a": ys[0], "b": ys[-1]},
        )
        if not crossed:
            return ind, ys[0], ys[-1]
    pytest.fail("no share with counts in two years for all Kommunen in the real data")


def _expected(conn, ind: str, y0: int, y1: int, direction: int) -> dict[str, tuple]:
    """AGS → (z interval of the dynamics z-score, significant), recomputed here."""
    cells = {
        (r.ags, r.year): r
        for r in conn.execute(
            text(
                "SELECT ags, year, value, numerator, denominator FROM shown_value"
                " WHERE indicator_id = :i AND year IN (:a, :b) AND ags LIKE '03241___'"
            ),
            {"i": ind, "a": y0, "b": y1},
        )
    }
    kommunen = sorted({a for a, _ in cells})
    change = np.array([cells[(a, y1)].value - cells[(a, y0)].value for a in kommunen])
    mean, sd = change.mean(), change.std(ddof=0)
    out = {}
    for k, a in enumerate(kommunen):
        c0, c1 = cells[(a, y0)], cells[(a, y1)]
        l0, u0 = interval(c0.numerator, c0.denominator, "%")
        l1, u1 = interval(c1.numerator, c1.denominator, "%")
        d = change[k]
        lo = d - math.sqrt((c1.value - l1) ** 2 + (u0 - c0.value) ** 2)
        hi = d + math.sqrt((u1 - c1.value) ** 2 + (c0.value - l0) ** 2)
        za, zb = direction * (lo - mean) / sd, direction * (hi - mean) / sd
        iv = (min(za, zb), max(za, zb))
        out[a] = (iv, bool(iv[0] > 0 or iv[1] < 0))
    return out


def test_dynamics_significance_on_real_counts_page_api_and_method(real_clone):
    app = real_clone
    with app.app_context():
        from app.web.db import get_conn

        conn = get_conn()
        ind, y0, y1 = _counted_share(conn)
        expected = _expected(conn, ind, y0, y1, 1)
    from dataclasses import replace

    from indicators.social_index import IndexIndicator

    d = replace(
        load_definition(),
        key="zaehlbar",
        indicators=(IndexIndicator(ind, 1),),
        status_year=y1,
        dynamics_from=y0,
        dynamics_to=y1,
    )
    with app.extensions["sozmon_engine"].begin() as c:
        rid = c.scalar(
            text(
                "SELECT id FROM release WHERE status = 'published'"
                " ORDER BY published_at DESC NULLS LAST, id DESC LIMIT 1"
            )
        )
        c.execute(
            text(
                "INSERT INTO index_definition (release_id, key, body)"
                " VALUES (:r, :k, CAST(:b AS jsonb))"
            ),
            {"r": rid, "k": d.key, "b": json.dumps(definition_body(d))},
        )
    client = app.test_client()
    body = client.get("/api/v1/sozialindex").get_json()
    assert [i["id"] for i in body["definition"]["indicators"]] == [ind]
    rows = {r["ags"]: r for r in body["data"]}
    assert set(rows) == set(expected)
    flags = []
    for ags, (iv, sig) in expected.items():
        got = rows[ags]
        assert got["dynamics_z_interval"][ind] == pytest.approx(list(iv), abs=2e-4), ags
        assert got["dynamics_z_significant"][ind] is sig, ags
        # the dynamics z-score lies inside its interval
        assert iv[0] - 1e-4 <= got["dynamics_z"][ind] <= iv[1] + 1e-4
        assert got["dynamics_not_significant"] is (
            got["dynamics_class"] not in (None, "stabil") and not sig
        )
        flags.append(sig)
    page = client.get("/sozialindex").get_data(as_text=True)
    for ags, (_iv, sig) in expected.items():
        tr = re.search(rf'<tr data-ags="{ags}">.*?</tr>', page, re.S).group(0)
        assert (f'data-dynamics-significant="{ind}:0"' in tr) is (not sig), ags
        assert 'data-dynamics-significant="' + ind + ':?"' not in tr  # both years counted
    assert "Signifikanz der Dynamik" in page and "beider Jahre" in page
    en = client.get("/sozialindex?lang=en").get_data(as_text=True)
    assert "Significance of the dynamics" in en and "Signifikanz der Dynamik" not in en
    # the shipped (INKAR) definition has no counts: nothing checkable, nothing claimed
    with app.extensions["sozmon_engine"].begin() as c:
        c.execute(text("DELETE FROM index_definition WHERE release_id = :r"), {"r": rid})
    shipped = client.get("/api/v1/sozialindex").get_json()
    assert all(v is None for r in shipped["data"] for v in r["dynamics_z_significant"].values())
    assert not any(r["dynamics_not_significant"] for r in shipped["data"])
    assert "dynamics_z_interval" in json.dumps(client.get("/api/v1/openapi.json").get_json())
