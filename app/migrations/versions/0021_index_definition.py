"""Sozialindex definitions per release (issue #30, part 2): the office's index, versioned with it.

`index_definition`: at most one per release, the definition as JSON (the fields of
`indicators/data/sozialindex.toml`: key, names, indicators with direction, status year,
dynamics period, class thresholds, minimum sizes). It follows its release's status as the
Kontextnotizen do (0016): written into a draft, shown once the draft is published, gone when
the release is withdrawn. The page and the API use the definition of the newest published
release that carries one; without any, the shipped TOML. The checks (known indicator, real
values in every year) are in `indicators.social_index_store`; the table keeps the shape.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The table (one row per release at most) and its data epoch trigger."""
    op.create_table(
        "index_definition",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "release_id",
            sa.Integer,
            sa.ForeignKey("release.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("body", postgresql.JSONB, nullable=False),
        sa.Column("created_by", sa.String(80)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("jsonb_typeof(body) = 'object'", name="index_definition_object"),
        sa.CheckConstraint(
            "jsonb_typeof(body -> 'indicators') = 'array'"
            " AND jsonb_array_length(body -> 'indicators') BETWEEN 1 AND 12",
            name="index_definition_indicators",
        ),
    )
    op.execute(
        "CREATE TRIGGER data_epoch_index_definition AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
        " ON index_definition FOR EACH STATEMENT EXECUTE FUNCTION sozmon_data_epoch_bump()"
    )


def downgrade() -> None:
    """Drop the table (its trigger goes with it)."""
    op.drop_table("index_definition")
