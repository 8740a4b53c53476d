"""Report outputs: a published version's rendered page and PDF per language, made once.

A published version never changes, so its pinned page (HTML, the labels and flags it rests on)
and its PDF are rendered at publish (or by an editor or `sozmon report-outputs`) and kept here;
anonymous readers only ever read them, no request of theirs starts Chromium. Keyed by what
changes the output: report, version, language (not the Host header, not the query string).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_output",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("report.id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("lang", sa.String(5), primary_key=True),
        sa.Column("html", sa.Text, nullable=False),
        sa.Column("labels", ARRAY(sa.Text), nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["report_id", "version"], ["report_version.report_id", "report_version.version"]
        ),
    )


def downgrade() -> None:
    op.drop_table("report_output")
