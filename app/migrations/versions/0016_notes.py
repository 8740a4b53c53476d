"""Kontextnotizen (issue #31, part 1): an expert's note on an area, indicator or topic and a period.

A note belongs to a release (`release_id`): it is drafted with a draft, becomes public when its
release is published and disappears when it is withdrawn (the release rule's status, nothing
else). The checks keep what a public page shows plain and short: German text 1–500 characters,
English up to 500, the source link http(s) only and at most 500 characters, one of the five
categories, a period of years in order, an indicator or a topic (not both).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Table context_note, its lookup index and the data epoch trigger."""
    op.create_table(
        "context_note",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "release_id",
            sa.Integer,
            sa.ForeignKey("release.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ags", sa.String(8), sa.ForeignKey("area.ags"), nullable=False),
        sa.Column("indicator_id", sa.String(60), sa.ForeignKey("indicator.id")),
        sa.Column("topic_id", sa.String(40), sa.ForeignKey("topic.id")),
        sa.Column("year_from", sa.Integer, nullable=False),
        sa.Column("year_to", sa.Integer, nullable=False),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("text_de", sa.Text, nullable=False),
        sa.Column("text_en", sa.Text, nullable=False, server_default=""),
        sa.Column("source_url", sa.Text, nullable=False, server_default=""),
        sa.Column("created_by", sa.String(80)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint(
            "category IN ('einrichtung', 'gebietsaenderung', 'definitionsaenderung',"
            " 'datenqualitaet', 'ereignis')",
            name="context_note_category",
        ),
        sa.CheckConstraint(
            "(indicator_id IS NULL) <> (topic_id IS NULL)", name="context_note_target"
        ),
        sa.CheckConstraint("year_from <= year_to", name="context_note_period"),
        sa.CheckConstraint(
            "char_length(text_de) BETWEEN 1 AND 500 AND char_length(text_en) <= 500",
            name="context_note_length",
        ),
        sa.CheckConstraint(
            "source_url = '' OR (source_url ~ '^https?://[^[:space:]]+$'"
            " AND char_length(source_url) <= 500)",
            name="context_note_url",
        ),
    )
    op.create_index("ix_context_note_lookup", "context_note", ["ags", "indicator_id"])
    op.create_index("ix_context_note_release", "context_note", ["release_id"])
    op.execute(
        "CREATE TRIGGER data_epoch_context_note AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
        " ON context_note FOR EACH STATEMENT EXECUTE FUNCTION sozmon_data_epoch_bump()"
    )


def downgrade() -> None:
    """Drop the table (its trigger and indexes go with it)."""
    op.drop_table("context_note")
