"""The release rule skips the synthetic releases' partitions outside demo mode (issue #32).

`visible_value_in` (0014) showed a synthetic value only in demo mode, but it said so through the
release's `synthetic` column after the join with `release`: the scans still read the synthetic
(demo) release's partition of `value` and threw its rows away afterwards — 29,106 of the 35,391
rows a profile read on the Germany fixture, outside demo mode, where none of them can be shown.

Now the rule also says it on the partition key: `release_id <> ALL(ARRAY[h1, h2, h3, h4])`, each
`h` the k-th synthetic release hidden from this connection (`hidden_synthetic_release(k)`: every
synthetic release outside demo mode, none in it; 0 — no release — for an empty slot). Each `h`
is an uncorrelated scalar subquery, computed once per statement (an InitPlan), and PostgreSQL
prunes the list partitions it names at run time: their scans are never executed. (A
non-constant array as a whole cannot prune — only a Const or an ARRAY[…] of expressions can —
hence the slots; a function call without the subquery would run per row.) Only partitions
prune: a synthetic release's rows in the default partition (a loader without the right to
attach partitions) are still read and filtered as before. Beyond four synthetic releases the
rest are read and filtered as before (the slots prune, the old condition decides).

Which values are shown does not change: the added condition only removes rows the existing one
removes too (a synthetic value outside demo mode). The functions keep their signatures and stay
inlinable (one SELECT, LANGUAGE sql STABLE PARALLEL SAFE), so `shown_value`, `visible_value`
and `shown_value_in` (their callers) are unchanged.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"

# The demo switch of the connection (unset: off), as in 0014.
DEMO = "coalesce(current_setting('sozmon.demo', true), '') = 'on'"
SLOTS = 4

# Not inlinable (it has a FROM): evaluated as a function, once per statement inside its
# subquery. A release never pruned by mistake: a real one is never returned.
HIDDEN = f"""
CREATE FUNCTION hidden_synthetic_release(k integer) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT coalesce(max(x.id), 0) FROM (
  SELECT r.id FROM release r WHERE r.synthetic AND NOT ({DEMO}) ORDER BY r.id OFFSET k - 1 LIMIT 1
) x
$$
"""

PRUNE = "v.release_id <> ALL(ARRAY[{}])".format(
    ", ".join(f"(SELECT hidden_synthetic_release({k}))" for k in range(1, SLOTS + 1))
)


def in_set(release: str, status: str) -> str:
    """0014's set test (NULL: the published releases), folded to one condition by the planner."""
    return f"CASE WHEN ids IS NULL THEN {status} = 'published' ELSE {release} = ANY(ids) END"


def visible_value_in(prune: bool) -> str:
    """0014's visible_value_in, with (0019) or without (0014) the partition condition."""
    return f"""
CREATE OR REPLACE FUNCTION visible_value_in(ids int[]) RETURNS SETOF release_value
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT * FROM release_value v
WHERE {in_set("v.release_id", "v.status")}
  AND (NOT v.synthetic OR ({DEMO}
       AND v.indicator_id NOT IN (SELECT x.indicator_id FROM real_indicator_in(ids) x)))
  {"AND " + PRUNE if prune else ""}
$$
"""


def upgrade() -> None:
    op.execute(HIDDEN)
    op.execute(visible_value_in(prune=True))
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "') THEN"
        f" GRANT EXECUTE ON FUNCTION hidden_synthetic_release(integer) TO {APP_ROLE}; END IF; END $$"
    )


def downgrade() -> None:
    op.execute(visible_value_in(prune=False))
    op.execute("DROP FUNCTION hidden_synthetic_release(integer)")
