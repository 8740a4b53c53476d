"""Outside demo mode the release rule does not read the synthetic release's partition (#32).

Migration 0019 adds a condition on the partition key to `visible_value_in` (0014), so that
PostgreSQL prunes the synthetic releases' partitions of `value` at run time when the
connection is not in demo mode. On the loaded demo database (real releases and the demo
release, each in its own partition):

- the rule shows the same cells as 0014's definition without the condition (spelled out here
  as the reference), in both demo modes, for the view and for `shown_value_in(ids)`;
- a profile's query (every value of the Region, its Kommunen and its Land) under `EXPLAIN
  (ANALYZE, FORMAT JSON)` reads nothing of the demo partition outside demo mode, and reads it
  in demo mode (so the check can fail: 0014's definition read it in both modes, the release
  join filtering its rows only afterwards).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Connection, text

from tests.test_release_rule import set_demo

DEMO = "coalesce(current_setting('sozmon.demo', true), '') = 'on'"

# 0014's rule, unpruned: the reference (ids NULL: the published releases).
REFERENCE = f"""
SELECT DISTINCT ON (indicator_id, ags, year) * FROM release_value v
WHERE (CASE WHEN CAST(:ids AS int[]) IS NULL THEN v.status = 'published'
            ELSE v.release_id = ANY(CAST(:ids AS int[])) END)
  AND (NOT v.synthetic OR ({DEMO} AND v.indicator_id NOT IN (
       SELECT s.indicator_id FROM release_source s JOIN release r ON r.id = s.release_id
       WHERE NOT r.synthetic AND (CASE WHEN CAST(:ids AS int[]) IS NULL
         THEN r.status = 'published' ELSE s.release_id = ANY(CAST(:ids AS int[])) END))))
ORDER BY indicator_id, ags, year, NOT synthetic DESC,
         coalesce(published_at, 'infinity') DESC, release_id DESC
"""

COLUMNS = "indicator_id, ags, year, value, suppressed, flag, release_id, synthetic"


def _cells(conn: Connection, relation: str, ids: list[int] | None) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in conn.execute(
            text(f"SELECT {COLUMNS} FROM ({relation}) x ORDER BY indicator_id, ags, year"),
            {"ids": ids},
        )
    ]


def _demo_release(conn: Connection) -> int:
    ids = list(conn.scalars(text("SELECT id FROM release WHERE synthetic ORDER BY id")))
    assert len(ids) == 1, ids  # the loaded demo database: one demo release
    return ids[0]


@pytest.mark.parametrize("demo", ["on", "off"])
def test_the_pruned_rule_shows_what_0014s_rule_shows(app, demo):
    with app.extensions["sozmon_engine"].connect() as c:
        set_demo(c, demo)
        demo_id = _demo_release(c)
        published = list(c.scalars(text("SELECT id FROM release WHERE status = 'published'")))
        reference = _cells(c, REFERENCE, None)
        assert _cells(c, "SELECT * FROM shown_value", None) == reference
        synthetic = [r for r in reference if r[-1]]
        # Demo mode shows Beispieldaten (of indicators without real values), outside none.
        assert (len(synthetic) > 1000) == (demo == "on")
        # A list of ids, the demo release among them (a pinned report, a draft's prediction).
        assert demo_id in published
        assert _cells(c, "SELECT * FROM shown_value_in(CAST(:ids AS int[]))", published) == (
            _cells(c, REFERENCE, published)
        )
        only_demo = _cells(c, "SELECT * FROM shown_value_in(CAST(:ids AS int[]))", [demo_id])
        assert only_demo == _cells(c, REFERENCE, [demo_id])
        assert bool(only_demo) == (demo == "on")
        # The slots name the demo release outside demo mode only, and never a real release.
        slots = c.execute(text("SELECT hidden_synthetic_release(1), hidden_synthetic_release(2)"))
        assert tuple(slots.one()) == ((demo_id, 0) if demo == "off" else (0, 0))


def _rows_by_relation(plan: dict[str, Any], out: dict[str, int]) -> dict[str, int]:
    """Rows each relation's scans read (returned and filtered away, times the loops)."""
    if "Relation Name" in plan:
        per_loop = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        per_loop += plan.get("Rows Removed by Index Recheck", 0)
        name = plan["Relation Name"]
        out[name] = out.get(name, 0) + int(per_loop * plan.get("Actual Loops", 0))
    for sub in plan.get("Plans", []):
        _rows_by_relation(sub, out)
    return out


# What a profile reads (indicators.profile._VALUES_SQL's `vals`): every shown value of its areas.
PROFILE_VALUES = "SELECT * FROM shown_value WHERE ags = ANY(CAST(:areas AS text[]))"


def test_outside_demo_mode_the_demo_partition_is_not_scanned(app):
    read: dict[str, dict[str, int]] = {}
    with app.extensions["sozmon_engine"].connect() as c:
        demo_id = _demo_release(c)
        partition = c.scalar(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = 'value'::regclass"
                " AND pg_get_expr(c.relpartbound, c.oid) = :bound"
            ),
            {"bound": f"FOR VALUES IN ({demo_id})"},
        )
        assert partition  # the demo release has a partition of its own (importer)
        areas = list(c.scalars(text("SELECT ags FROM area WHERE level IN ('region', 'kommune')")))
        areas.append("03")  # Niedersachsen
        for demo in ("on", "off"):
            set_demo(c, demo)
            raw = c.execute(
                text("EXPLAIN (ANALYZE, FORMAT JSON) " + PROFILE_VALUES), {"areas": areas}
            ).scalar()
            plan = (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]
            read[demo] = _rows_by_relation(plan, {})
            c.rollback()
    assert read["on"].get(partition, 0) > 10_000, read["on"]
    assert read["off"].get(partition, 0) == 0, read["off"]
