"""Import jobs: an editor's upload that takes longer than a request runs in the background.

The upload request stores the files (instance/uploads/<folder>), inserts a row here and starts a
worker process; the editor's job page shows the row's state until it is done (draft id) or
failed (the problems with file, row and column). A worker holds an advisory lock while it lives,
so a job whose worker died is seen as such and marked failed.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(10), nullable=False, server_default="queued"),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("editor", sa.String(80), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("files", JSONB(), nullable=False),
        sa.Column("catalogue", JSONB(), nullable=True),
        sa.Column("release_id", sa.Integer(), nullable=True),
        sa.Column("value_count", sa.Integer(), nullable=True),
        sa.Column("problems", JSONB(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="import_job_status"
        ),
    )
    op.create_index("ix_import_job_status", "import_job", ["status"])


def downgrade() -> None:
    op.drop_table("import_job")
