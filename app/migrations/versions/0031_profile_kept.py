"""The home areas' profile and comparison values statement kept as one value per question (#32).

`profile_kept` replaces `profile_row` (0030): per question (`params`: a digest of the asked
areas, indicators.profile_values.Asked.key) and demo mode the statement's rows
(indicators.profile_values.VALUES_SQL, without `polarity`, which is joined on read) as one JSON
array in the statement's order (`rows`), with the own areas (`own`, to read them by eye) and the
number of rows (`n`). A request decodes one value (json.loads) instead of fetching ~1,800 rows
(a Kommune's profile; the Region's 42,720) through the driver and SQLAlchemy. Besides every
home area's profile it keeps the comparison page of every pair of home Kommunen (the page
without charts, against the Region: ~2,600 rows each), which ran the statement per request.
Written by indicators.precomputed.refresh() (every publish and rollback, `sozmon precompute`);
left empty here: the pages run the statement until the next refresh (`sozmon db upgrade` runs
it after a schema change of a database with values). `rows` is compressed with lz4 (faster to
decompress than the default pglz).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"


def _grant(table: str) -> None:
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "')"
        f" THEN GRANT SELECT, INSERT, DELETE ON {table} TO {APP_ROLE}; END IF; END $$"
    )


def upgrade() -> None:
    """The table (empty until the next refresh); profile_row's rows are gone with it."""
    op.create_table(
        "profile_kept",
        sa.Column("params", sa.String(32), primary_key=True),
        sa.Column("demo", sa.Boolean, primary_key=True),
        sa.Column("own", sa.String(40), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("rows", sa.Text, nullable=False),
    )
    op.execute("ALTER TABLE profile_kept ALTER COLUMN rows SET COMPRESSION lz4")
    _grant("profile_kept")
    op.drop_table("profile_row")


def downgrade() -> None:
    """Back to 0030: profile_row (empty until the next refresh), the comparison's statement."""
    op.drop_table("profile_kept")
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
    _grant("profile_row")
