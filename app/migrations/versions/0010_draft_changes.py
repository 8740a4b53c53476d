"""A release's change summary, computed once (at load, publish, withdrawal), not per view.

`release_changes` keeps per release what it changes on the pages (counts of changed, new and
hidden cells, and the first rows in catalogue order) with when and why it was computed and the
basis it was computed on: a fingerprint of which releases were published since when. The
editors' draft page shows it only while that basis is the current one (issue #26: the page
computed it per view, for minutes on a draft of 30,000 values).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Table release_changes."""
    op.create_table(
        "release_changes",
        sa.Column(
            "release_id",
            sa.Integer,
            sa.ForeignKey("release.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cause", sa.String(12), nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("n_changed", sa.Integer, nullable=False),
        sa.Column("n_new", sa.Integer, nullable=False),
        sa.Column("n_hidden", sa.Integer, nullable=False),
        sa.Column("rows", JSONB, nullable=False),
    )


def downgrade() -> None:
    """Back to revision 0009."""
    op.drop_table("release_changes")
