"""The release rule once: which value a cell (indicator, area, year) shows, defined here only.

Until now the rule was spelled several times (views `shown_value` and `real_indicator`, the
function `shown_value_in`, the change summary's per-cell lookup, rollback's "now current"
query, the ordering of a page's contributing releases), and the copies disagreed: the change
summary and rollback ignored "real first" and demo mode. Now every one of them reads these:

- `release_rank(synthetic, published_at, id)`: a release's place in the rule as one key of
  the composite type `release_rank` (is_real, effective_at, release_id) — real before
  synthetic, then the newest publication (a release never published, i.e. a draft, counts as
  newer than every published one), then the highest id; the higher key wins. View
  `release_precedence` shows it per release (column `precedence`).
- `real_indicator_in(ids)`: the indicators with a real release among the releases `ids`
  (NULL: the published ones), read from `release_source`; view `real_indicator` is its NULL.
- `visible_value_in(ids)`: the values of the releases `ids` (NULL: the published ones) that may
  be shown at all — real ones; a synthetic one only when the connection is in demo mode
  (`sozmon.demo = on`) and its indicator has no real release among `ids`. View `visible_value`.
- `shown_value_in(ids)`: per cell the visible value of the highest precedence. View
  `shown_value` is `shown_value_in(NULL)`: one definition for the live pages, the pinned
  reports, what publishing a draft changes (ids = published ∪ {draft} against published
  without it) and rollback (published without the withdrawn release).

The functions are LANGUAGE sql STABLE (PARALLEL SAFE) with one SELECT each, so the planner inlines them: a
`WHERE indicator_id = … AND year = …` on `shown_value` still reads only that range of the
indexes (scripts/bench_release_rule.py measures the old and the new definition side by side).

`release_source` also lists a draft's indicators from now on (indicators.releases.draft_written;
filled here for existing drafts): a draft's real values hide synthetic ones in the prediction
of what publishing it changes, as they will after the publish. The change summaries
(`release_changes`, 0010) gain the kind 'entfallen' (`n_removed`: synthetic values that give
way to real ones), and every kept summary is marked stale: it was computed by the old rule.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"

# The demo switch of the connection (unset: off).
DEMO = "coalesce(current_setting('sozmon.demo', true), '') = 'on'"


# Whether a release is one a function looks at: one of those named, or (NULL) a published one.
# A CASE, not coalesce(ids, ARRAY(published ids)): with the argument a constant (the views'
# NULL, a report's id list) the planner folds it to one plain condition, and `release_id =
# ANY('{…}')` lets it skip the other releases' partitions.
def in_set(release: str, status: str) -> str:
    return f"CASE WHEN ids IS NULL THEN {status} = 'published' ELSE {release} = ANY(ids) END"


# The rule's order of releases as one sortable key (a composite compares field by field):
# real before synthetic, then the newest publication (a release never published, i.e. a
# draft, counts as newer than every published one), then the highest id. Higher wins.
# A plain IMMUTABLE SQL expression, inlined where it is used: no join, no window.
RELEASE_RANK = """
CREATE TYPE release_rank AS (is_real boolean, effective_at timestamptz, release_id integer);
CREATE FUNCTION release_rank(synthetic boolean, published_at timestamptz, release_id integer)
RETURNS release_rank LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT ROW(NOT synthetic, coalesce(published_at, 'infinity'), release_id)::release_rank
$$;
"""

RELEASE_PRECEDENCE = """
CREATE VIEW release_precedence AS
SELECT id AS release_id, label, status, synthetic, published_at, (k).is_real,
       (k).effective_at, k AS precedence
FROM (SELECT r.*, release_rank(r.synthetic, r.published_at, r.id) AS k FROM release r) r
"""

REAL_INDICATOR_IN = f"""
CREATE FUNCTION real_indicator_in(ids int[]) RETURNS TABLE (indicator_id varchar)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT DISTINCT s.indicator_id FROM release_source s JOIN release r ON r.id = s.release_id
WHERE NOT r.synthetic AND {in_set("s.release_id", "r.status")}
$$
"""

VISIBLE_VALUE_IN = f"""
CREATE FUNCTION visible_value_in(ids int[]) RETURNS SETOF release_value
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT * FROM release_value v
WHERE {in_set("v.release_id", "v.status")}
  AND (NOT v.synthetic OR ({DEMO}
       AND v.indicator_id NOT IN (SELECT x.indicator_id FROM real_indicator_in(ids) x)))
$$
"""

SHOWN_VALUE_IN = """
CREATE FUNCTION shown_value_in(ids int[]) RETURNS SETOF release_value
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT DISTINCT ON (indicator_id, ags, year) * FROM visible_value_in(ids)
ORDER BY indicator_id, ags, year, release_rank(synthetic, published_at, release_id) DESC
$$
"""

VIEWS = """
CREATE VIEW real_indicator AS SELECT indicator_id FROM real_indicator_in(NULL);
CREATE VIEW visible_value AS SELECT * FROM visible_value_in(NULL);
CREATE VIEW shown_value AS SELECT * FROM shown_value_in(NULL);
"""

# A draft's indicators (publish adds them for every release since 0009; drafts now too).
DRAFT_SOURCES = """
INSERT INTO release_source (release_id, indicator_id)
SELECT r.id, i.id FROM release r CROSS JOIN LATERAL (
  WITH RECURSIVE i AS (
    SELECT min(indicator_id) AS id FROM value WHERE release_id = r.id
    UNION ALL SELECT (SELECT min(indicator_id) FROM value
      WHERE release_id = r.id AND indicator_id > i.id) FROM i WHERE i.id IS NOT NULL)
  SELECT id FROM i WHERE id IS NOT NULL) i
WHERE r.status = 'draft'
ON CONFLICT DO NOTHING
"""

# A kept change summary whose basis matches no state: recomputed when next needed.
STALE = "UPDATE release_changes SET basis = 'rule of another migration'"

# Migration 0009's definitions, for the downgrade.
OLD_REAL_INDICATOR = """
CREATE VIEW real_indicator AS
SELECT DISTINCT s.indicator_id FROM release_source s JOIN release r ON r.id = s.release_id
WHERE r.status = 'published' AND NOT r.synthetic
"""
OLD_SHOWN_VALUE = f"""
CREATE VIEW shown_value AS
SELECT DISTINCT ON (indicator_id, ags, year) *
FROM release_value WHERE status = 'published'
  AND (NOT synthetic OR ({DEMO}
       AND indicator_id NOT IN (SELECT indicator_id FROM real_indicator)))
ORDER BY indicator_id, ags, year, synthetic, published_at DESC, release_id DESC
"""
OLD_SHOWN_VALUE_IN = f"""
CREATE FUNCTION shown_value_in(ids int[]) RETURNS SETOF release_value
LANGUAGE sql STABLE AS $$
SELECT DISTINCT ON (indicator_id, ags, year) *
FROM release_value WHERE release_id = ANY(ids)
  AND (NOT synthetic OR ({DEMO}
       AND indicator_id NOT IN (SELECT s.indicator_id FROM release_source s
         JOIN release r ON r.id = s.release_id WHERE s.release_id = ANY(ids) AND NOT r.synthetic)))
ORDER BY indicator_id, ags, year, synthetic, published_at DESC, release_id DESC
$$
"""


def _grant(*views: str) -> None:
    """The web app's role reads the (re)created views (0013 granted the ones of its time)."""
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "') THEN"
        f" GRANT SELECT ON {', '.join(views)} TO {APP_ROLE}; END IF; END $$"
    )


def upgrade() -> None:
    """The precedence view, the three functions on it and the views that are their NULL."""
    op.execute("DROP VIEW shown_value")
    op.execute("DROP FUNCTION shown_value_in(int[])")
    op.execute("DROP VIEW real_indicator")
    op.execute(RELEASE_RANK)
    op.execute(RELEASE_PRECEDENCE)
    op.execute(REAL_INDICATOR_IN)
    op.execute(VISIBLE_VALUE_IN)
    op.execute(SHOWN_VALUE_IN)
    op.execute(VIEWS)
    _grant("release_precedence", "real_indicator", "visible_value", "shown_value")
    op.execute(DRAFT_SOURCES)
    # Change summaries: a fourth kind, and every kept one was computed by the old rule.
    op.add_column(
        "release_changes",
        sa.Column("n_removed", sa.Integer, nullable=False, server_default="0"),
    )
    op.execute(STALE)


def downgrade() -> None:
    """Back to revision 0013 (0009's rule; a draft's release_source rows are harmless: kept)."""
    op.execute("DROP VIEW shown_value")
    op.execute("DROP VIEW visible_value")
    op.execute("DROP VIEW real_indicator")
    op.execute("DROP FUNCTION shown_value_in(int[])")
    op.execute("DROP FUNCTION visible_value_in(int[])")
    op.execute("DROP FUNCTION real_indicator_in(int[])")
    op.execute("DROP VIEW release_precedence")
    op.execute("DROP FUNCTION release_rank(boolean, timestamptz, integer)")
    op.execute("DROP TYPE release_rank")
    op.execute(OLD_REAL_INDICATOR)
    op.execute(OLD_SHOWN_VALUE)
    op.execute(OLD_SHOWN_VALUE_IN)
    _grant("real_indicator", "shown_value")
    op.drop_column("release_changes", "n_removed")
    op.execute(STALE)
