"""The rows of the home areas' profile values statement, kept per data version (issue #32).

`profile_row`: per home area (every Kommune and the Region), question (`params`: a digest of
the asked areas, indicators.profile_values.Asked.key) and demo mode, the rows the profile's
values statement (indicators.profile_values.VALUES_SQL, ~1,800 rows for a Kommune) returns, in
its order (`pos`). The profile without a named release read them by running the statement per
request (~20 ms with its fetch on all of Germany), the same rows for every visitor of a data
version. Written by indicators.precomputed.refresh() (every publish and rollback, `sozmon
precompute`). Left empty here: the profile runs the statement until the next refresh.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"


def upgrade() -> None:
    """The table (empty until the next refresh)."""
    op.create_table(
        "profile_row",
        sa.Column("home", sa.String(8), primary_key=True),
        sa.Column("params", sa.String(32), primary_key=True),
        sa.Column("demo", sa.Boolean, primary_key=True),
        sa.Column("pos", sa.Integer, primary_key=True),
        sa.Column(
            "indicator_id",
            sa.String(60),
            sa.ForeignKey("indicator.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ags", sa.String(8), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("numerator", sa.Float),
        sa.Column("denominator", sa.Float),
        sa.Column("suppressed", sa.Boolean),
        sa.Column("flag", sa.String(3)),
        sa.Column("release_id", sa.Integer),
        sa.Column("label", sa.String(60)),
        sa.Column("synthetic", sa.Boolean),
        sa.Column("latest_year", sa.Integer),
        sa.Column("asked", sa.Boolean, nullable=False),
        sa.Column("peer", sa.Boolean),
        sa.Column("whole", sa.Boolean),
        sa.Column("synthetic_any", sa.Boolean),
        sa.Column("real_any", sa.Boolean),
    )
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "')"
        f" THEN GRANT SELECT, INSERT, DELETE ON profile_row TO {APP_ROLE}; END IF; END $$"
    )


def downgrade() -> None:
    """Back to 0029: the profile runs its values statement per request."""
    op.drop_table("profile_row")
