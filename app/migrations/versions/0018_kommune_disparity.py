"""The disparities' figures per indicator and year, kept at publish (issue #32).

`kommune_disparity`: per indicator and year the spread measures of the Kommunen's shown values
(range, ratio, CV, weighted CV, Theil, Gini) and the values and weights the bootstrap of a
change resamples — what /disparitaeten computed per first request from every shown value of the
Kommunen (~22,000 rows and ~1,000 spreads). Written by `indicators.precomputed.refresh()` in
every publish and rollback (the measures are computed in Python, `indicators.stats.spread`: a
migration does not import code that changes after it, so the table starts empty and the page
computes live until a publish, rollback or `sozmon precompute` fills it). Rows computed with
demo mode on and marked, as 0015's.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"
MEASURES = ("minimum", "maximum", "range", "ratio", "mean", "weighted_mean", "cv", "cv_weighted")


def upgrade() -> None:
    """The table, empty (filled by the next publish, rollback or `sozmon precompute`)."""
    op.create_table(
        "kommune_disparity",
        sa.Column(
            "indicator_id",
            sa.String(60),
            sa.ForeignKey("indicator.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("missing", sa.Integer, nullable=False),
        sa.Column("weights", sa.Text),
        sa.Column("vals", postgresql.ARRAY(sa.Float)),
        sa.Column("weight_vals", postgresql.ARRAY(sa.Float)),
        sa.Column("n", sa.Integer),
        *[sa.Column(m, sa.Float) for m in MEASURES],
        sa.Column("theil", sa.Float),
        sa.Column("gini", sa.Float),
        sa.Column("reason", sa.Text),
    )
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "') THEN"
        f" GRANT SELECT, INSERT, DELETE ON kommune_disparity TO {APP_ROLE};"
        " END IF; END $$"
    )


def downgrade() -> None:
    """Back to revision 0017: the disparities are computed per request again."""
    op.drop_table("kommune_disparity")
