"""The catalogue's own version in `data_epoch` (issue #32).

As `areas_version` (0028) for the areas: `data_epoch` changes with every publish and empties
the app's cache, but a publish of values leaves the catalogue (topics and their indicators,
~170 rows and ~141 KB of definitions) as it was. The app keeps the catalogue under this version
(app.pages.data.catalogue_kept): the first map after a values-only publish asks the database
only whether the version is still the one it holds, and receives no catalogue rows.

`catalogue_version`, a random UUID, is drawn anew by statement triggers on `topic` and
`indicator` (any insert, update, delete or truncate): the two tables the catalogue read
(indicators.queries.TOPICS_SQL) reads. Random for the reasons of 0028; the function runs as its
owner (`data_epoch` is read-only for the app's role).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

BUMP = """
CREATE FUNCTION sozmon_catalogue_epoch_bump() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE data_epoch SET catalogue_version = gen_random_uuid();
  RETURN NULL;
END $$;
CREATE TRIGGER catalogue_epoch_topic AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON topic FOR EACH STATEMENT EXECUTE FUNCTION sozmon_catalogue_epoch_bump();
CREATE TRIGGER catalogue_epoch_indicator AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON indicator FOR EACH STATEMENT EXECUTE FUNCTION sozmon_catalogue_epoch_bump();
"""


def upgrade() -> None:
    """Column data_epoch.catalogue_version and its triggers on topic and indicator."""
    op.add_column(
        "data_epoch",
        sa.Column(
            "catalogue_version",
            sa.Uuid,
            nullable=False,
            server_default=sa.text("gen_random_uuid()"),
        ),
    )
    op.execute(BUMP)


def downgrade() -> None:
    """Back to revision 0028."""
    op.execute("DROP TRIGGER catalogue_epoch_indicator ON indicator")
    op.execute("DROP TRIGGER catalogue_epoch_topic ON topic")
    op.execute("DROP FUNCTION sozmon_catalogue_epoch_bump()")
    op.drop_column("data_epoch", "catalogue_version")
