"""The areas' own version in `data_epoch` (issue #32).

`data_epoch` (0008) changes with every publish, rollback, catalogue or area change, and the
app's in-process cache is emptied with it. The list of a territory's areas (keys, names and
levels: 11,000 rows for Germany's Gemeinden, ~30 ms to read) changes only with the areas
themselves, so the app keeps it under this version instead (app.pages.data.gebiet_map): the
first Germany map after a publish of values no longer reads it again.

`areas_version`, a random UUID, is drawn anew by a statement trigger on `area` (any insert,
update, delete or truncate, as `data_epoch_area` bumps `n`): random rather than a counter and
a time, so two databases served by one process (tests) never share one unless one is a copy of
the other with the same areas, and no timestamp is added (the page snapshots pin every
timestamp column). The function runs as its owner, as sozmon_data_epoch_bump does since 0013
(`data_epoch` is read-only for the app's role).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

BUMP = """
CREATE FUNCTION sozmon_areas_epoch_bump() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE data_epoch SET areas_version = gen_random_uuid();
  RETURN NULL;
END $$;
CREATE TRIGGER areas_epoch_area AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON area FOR EACH STATEMENT EXECUTE FUNCTION sozmon_areas_epoch_bump();
"""


def upgrade() -> None:
    """Column data_epoch.areas_version and its trigger on area."""
    op.add_column(
        "data_epoch",
        sa.Column(
            "areas_version",
            sa.Uuid,
            nullable=False,
            server_default=sa.text("gen_random_uuid()"),
        ),
    )
    op.execute(BUMP)


def downgrade() -> None:
    """Back to revision 0027."""
    op.execute("DROP TRIGGER areas_epoch_area ON area")
    op.execute("DROP FUNCTION sozmon_areas_epoch_bump()")
    op.drop_column("data_epoch", "areas_version")
