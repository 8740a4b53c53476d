"""The kept order of the shown values (shown_order, migration 0026; issue #32): a page of
/api/v1/values read through it is the page of the live rows (values_long: the rule's view,
sorted whole) with the same total, in both demo modes, at every offset, and it follows a
publish and a rollback.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from indicators import api_queries as q
from indicators.precomputed import refresh
from tests.conftest import invoke
from tests.test_release_rule import DEMOS, engine_of, long_csv, set_demo


def _indicators(c, mixed: bool = True) -> dict[str, str]:
    """Indicators of the kept order that cover its cases: the most values (several years),
    a second real one, Beispieldaten only, one year's values from several releases (the
    Germany fixture's Gemeinden beside the Kommunen; not asked of the loaded fixture)."""
    one = "SELECT indicator_id FROM shown_order WHERE {} GROUP BY 1 ORDER BY sum(n) DESC, 1"
    several = "(SELECT count(DISTINCT r) FROM unnest(release_ids) r) > 1"
    out = {
        "real": c.scalar(text(one.format("NOT synthetic") + " LIMIT 1")),
        "real2": c.scalar(text(one.format("NOT synthetic") + " OFFSET 1 LIMIT 1")),
        "synthetic": c.scalar(text(one.format("synthetic") + " LIMIT 1")),
    }
    if mixed:
        out["mixed"] = c.scalar(text(one.format(f"NOT synthetic AND {several}") + " LIMIT 1"))
    assert all(out.values()), out
    return out


def _selections(ind: dict[str, str]) -> list[tuple[list[str], list[int] | None]]:
    return [
        ([ind["real"]], None),
        ([ind["real"]], [2015, 2011, 1990]),
        ([ind["mixed"]], None),
        ([ind["synthetic"]], None),
        (sorted({ind["real"], ind["real2"], ind["synthetic"], ind["mixed"]}), None),
        (sorted({ind["real2"], ind["mixed"]}), [2016, 2015, 2014, 2011]),
    ]


def check_pages(c, selections) -> int:
    """Every selection's pages at the edges (first, across a year, last, past the end) from
    the kept order equal the live rows' slice; the number of pages compared."""
    compared = 0
    for inds, years in selections:
        live = q.values_long(c, inds, None, years)
        total = len(live)
        offsets = {0, 1, max(total // 2 - 3, 0), max(total - 5, 0), total, total + 10}
        for offset in sorted(offsets):
            for limit in (7, 1000):
                page = q.values_page(c, inds, None, years, None, limit, offset)
                want = live[offset : offset + limit]
                assert page.rows == want, (inds, years, limit, offset)
                assert page.total == total, (inds, years, limit, offset)
                js = q.values_page_json(c, inds, None, years, None, limit, offset)
                assert js.total == total
                assert [(r.ags, r.indicator, r.year) for r in js.rows] == [
                    (r["ags"], r["indicator"], r["year"]) for r in want
                ]
                compared += 1
    return compared


@pytest.mark.parametrize("demo", DEMOS)
def test_kept_pages_are_the_live_pages(germany_app, demo):
    with germany_app.app_context(), engine_of(germany_app).connect() as c:
        set_demo(c, demo)
        ind = _indicators(c)
        assert check_pages(c, _selections(ind)) > 50
        # Beispieldaten only in demo mode: outside it the synthetic indicator has no rows.
        page = q.values_page(c, [ind["synthetic"]], None, None, None, 10, 0)
        assert (page.total > 0) == (demo == "on")
        c.rollback()


def test_the_pages_read_the_kept_order(germany_app):
    """A block's order changed in shown_order (in this transaction) changes the page: the
    page is read from it, while the live rows (and a page of named areas) stay as they were."""
    with germany_app.app_context(), engine_of(germany_app).connect() as c:
        ind = _indicators(c)["real"]
        year = c.scalar(
            text("SELECT max(year) FROM shown_order WHERE indicator_id = :i AND n > 20"),
            {"i": ind},
        )
        before = q.values_page(c, [ind], None, [year], None, 20, 0)
        c.execute(
            text(
                "UPDATE shown_order SET ags = ARRAY(SELECT x FROM unnest(ags) x ORDER BY x DESC),"
                " release_ids = ARRAY(SELECT x FROM unnest(release_ids) WITH ORDINALITY"
                "   AS u(x, k) ORDER BY ags[k] DESC)"
                " WHERE indicator_id = :i AND year = :y"
            ),
            {"i": ind, "y": year},
        )
        after = q.values_page(c, [ind], None, [year], None, 20, 0)
        assert after.total == before.total
        # The page has the last keys now (the final sort puts them in order again).
        assert {r["ags"] for r in after.rows} != {r["ags"] for r in before.rows}
        live = q.values_long(c, [ind], None, [year])
        assert live[:20] == before.rows
        c.rollback()


def test_the_kept_order_follows_a_publish_and_a_rollback(fresh_app, tmp_path):
    engine = engine_of(fresh_app)
    with fresh_app.app_context(), engine.connect() as c:
        ind = _indicators(c, mixed=False)
        year = c.scalar(
            text("SELECT max(year) FROM shown_order WHERE indicator_id = :i"), {"i": ind["real"]}
        )
    # New values of the Kommunen in a year with values (they replace those, the other
    # areas' stay: one year from two releases) and in a new year.
    new = long_csv(tmp_path / "neu.csv", {ind["real"]: [year, year + 1]}, 20.0)
    assert invoke(fresh_app, "import", str(new), "--label", "neu-order").exit_code == 0
    result = invoke(fresh_app, "publish", "neu-order")
    assert result.exit_code == 0, result.output
    assert "  shown_order: " in result.output, result.output
    selections = [([ind["real"]], None), ([ind["real"]], [year, year + 1])]
    for demo in DEMOS:
        with fresh_app.app_context(), engine.connect() as c:
            set_demo(c, demo)
            assert check_pages(c, selections) > 10
            labels = {r["release"] for r in q.values_long(c, [ind["real"]], None, [year])}
            assert "neu-order" in labels and len(labels) > 1, labels
            c.rollback()
    result = invoke(fresh_app, "rollback", "neu-order")
    assert result.exit_code == 0, result.output
    for demo in DEMOS:
        with fresh_app.app_context(), engine.connect() as c:
            set_demo(c, demo)
            check_pages(c, selections)
            assert not q.values_long(c, [ind["real"]], None, [year + 1])
            c.rollback()
    # The kept rows after the publish and the rollback are a full refresh's.
    cols = "indicator_id, year, synthetic, n, ags, release_ids"
    with engine.connect() as c:
        kept = [tuple(r) for r in c.execute(text(f"SELECT {cols} FROM shown_order ORDER BY 1, 2"))]
        refresh(c)
        again = [tuple(r) for r in c.execute(text(f"SELECT {cols} FROM shown_order ORDER BY 1, 2"))]
        assert again == kept and kept
        c.rollback()
