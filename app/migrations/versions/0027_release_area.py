"""Which releases hold values of which areas, kept per release (issue #32).

`release_area`: a row per published or withdrawn release and area with at least one value of
that release (any indicator, any year, withheld values too). The pin of a page over many
indicators (indicators.pinning.page_release_ids: every release with a value of the areas the
page reads) asked per release whether one of those areas has a value in it, an EXISTS on the
release's partition of `value` with the areas as a list: an area profile reads every Gemeinde
of its Land (2,301 in Rheinland-Pfalz), and planning and running that lookup took 60–80 ms
with all of Germany loaded. Now an index read of this table (~56,000 rows with Germany).

A release's values do not change once published (as `release_summary`, 0015), so its rows are
written at its publish, from its own partition, and kept when it is withdrawn (a cited page
pins withdrawn releases too). Drafts have none: no pin holds a draft. Written by
indicators.precomputed.refresh() (every publish and rollback, `sozmon precompute`); filled here
from the current data (the writer's statement at the time of writing).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"

# indicators.precomputed.RELEASE_AREAS_SQL at the time of writing, for every release.
FILL = """
INSERT INTO release_area (release_id, ags)
SELECT DISTINCT v.release_id, v.ags FROM value v JOIN release r ON r.id = v.release_id
WHERE r.status IN ('published', 'withdrawn')
"""


def upgrade() -> None:
    """The table, filled from the values of every published and withdrawn release."""
    op.create_table(
        "release_area",
        sa.Column(
            "release_id",
            sa.Integer,
            sa.ForeignKey("release.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("ags", sa.String(8), primary_key=True),
    )
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "')"
        f" THEN GRANT SELECT, INSERT, DELETE ON release_area TO {APP_ROLE}; END IF; END $$"
    )
    op.execute(FILL)
    op.execute("ANALYZE release_area")


def downgrade() -> None:
    """Back to 0026: the pin of a page looks into the values again."""
    op.drop_table("release_area")
