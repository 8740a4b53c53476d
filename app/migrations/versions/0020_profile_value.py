"""The shown values of the areas a profile and a comparison read, kept at publish (issue #32).

`profile_value`: the rows of `shown_value` (the same columns) of every area of the
levels region, kommune, land and bund — the areas a Kommune's profile (`/kommune/<ags>`: the
Kommune, the Region, the Land, the Bund and the 21 Kommunen it is ranked among), its verdicts
against the Region, Land or Bund and a comparison of two Kommunen (`/vergleich/A/B`) read.
Per request these pages ran the rule (`DISTINCT ON` over every release's partition, the join
with `release`) for ~26 areas: ~70,000 rows read on the Germany fixture for ~2,000 shown.

Written with demo mode on and read with `NOT synthetic OR demo mode` (an indicator's shown
values are all real or all synthetic, so that gives the view's rows in either mode), as 0015's
tables. Recomputed per indicator in every publish and rollback (indicators.precomputed.refresh,
in their transaction) and by `sozmon precompute`; filled here once from the current data (the
writer's statement at the time of writing: a migration does not import code).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"
LEVELS = "('region', 'kommune', 'land', 'bund')"
COLUMNS = (
    "release_id, indicator_id, ags, year, value, numerator, denominator, suppressed, flag,"
    " release_label, synthetic, status, published_at"
)

FILL = f"""
DO $$
DECLARE prev text := coalesce(current_setting('sozmon.demo', true), '');
BEGIN
  PERFORM set_config('sozmon.demo', 'on', true);
  INSERT INTO profile_value ({COLUMNS})
  SELECT {", ".join("v." + c.strip() for c in COLUMNS.split(","))} FROM area a
  CROSS JOIN LATERAL (SELECT * FROM shown_value s WHERE s.ags = a.ags OFFSET 0) v
  WHERE a.level IN {LEVELS};
  PERFORM set_config('sozmon.demo', prev, true);
END $$
"""


def upgrade() -> None:
    """The table (the view's columns), its lookup index, filled from the current data."""
    op.create_table(
        "profile_value",
        sa.Column("release_id", sa.Integer, nullable=False),
        sa.Column(
            "indicator_id",
            sa.String(60),
            sa.ForeignKey("indicator.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("ags", sa.String(8), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("value", sa.Float),
        sa.Column("numerator", sa.Float),
        sa.Column("denominator", sa.Float),
        sa.Column("suppressed", sa.Boolean, nullable=False),
        sa.Column("flag", sa.String(3)),
        sa.Column("release_label", sa.String(60), nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
    )
    # The pages read by area (the key starts with the indicator, as the other kept tables').
    op.create_index("profile_value_by_area", "profile_value", ["ags", "indicator_id", "year"])
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "') THEN"
        f" GRANT SELECT, INSERT, DELETE ON profile_value TO {APP_ROLE}; END IF; END $$"
    )
    op.execute(FILL)
    op.execute("ANALYZE profile_value")


def downgrade() -> None:
    """Back to revision 0019: the profile reads the rule per request again."""
    op.drop_table("profile_value")
