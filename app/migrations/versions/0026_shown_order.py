"""The shown values' keys in the order of /api/v1/values, kept at publish (issue #32).

`shown_order`: per indicator and year the areas with a shown value (the rule's view
`shown_value`), in the order /api/v1/values lists them (the Region first, then by AGS), and per
area the release its shown value comes from, as two parallel arrays, and how many they are.
A page of /values (no release named, no `ags` filter) reads the counts of its indicators' years
(its total and where each year starts), slices the page's keys out of the one or two years it
spans and fetches each value by its key from its release's partition: about `limit` rows
instead of the rule's DISTINCT ON, the joins and the sort over every value of the indicator
in all of Germany (11,120 rows of one indicator and year; 259 ms for the first page, docs/
performance.md Round 5).

Written with demo mode on, the Beispieldaten marked `synthetic`, list-partitioned by
`synthetic` as `profile_value` (0023); outside demo mode the readers' `synthetic =
ANY(ARRAY[false, <demo mode>])` prunes the demo partition unread. An indicator's shown values
are all real or all synthetic (0014), so (indicator, year) stays unique in either mode.
Recomputed per indicator in every publish and rollback (indicators.precomputed.refresh); this
migration leaves it empty: `sozmon db upgrade` of a database with values recomputes every kept
table after a change of revision (app/cli/data.py).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"
TABLE = """
CREATE TABLE shown_order (
    indicator_id varchar(60) NOT NULL REFERENCES indicator (id) ON DELETE CASCADE,
    year integer NOT NULL,
    synthetic boolean NOT NULL,
    n integer NOT NULL,
    ags varchar(8)[] NOT NULL,
    release_ids integer[] NOT NULL,
    CONSTRAINT shown_order_pkey PRIMARY KEY (indicator_id, year, synthetic)
) PARTITION BY LIST (synthetic)
"""


def upgrade() -> None:
    """shown_order and its two partitions (filled by the next refresh)."""
    op.execute(TABLE)
    op.execute("CREATE TABLE shown_order_real PARTITION OF shown_order FOR VALUES IN (false)")
    op.execute("CREATE TABLE shown_order_demo PARTITION OF shown_order FOR VALUES IN (true)")
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "')"
        f" THEN GRANT SELECT, INSERT, DELETE ON shown_order TO {APP_ROLE}; END IF; END $$"
    )


def downgrade() -> None:
    """Back to 0025: the table dropped."""
    op.execute("DROP TABLE shown_order")
