"""Hardening: a session version per editor (revocable sessions) and the editors' audit log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add editor.session_version and create audit_log."""
    # A session cookie carries the version it was issued with; logout, a new password and
    # removal change (or delete) it, so every older cookie stops working at once.
    op.add_column(
        "editor",
        sa.Column("session_version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        # Not a foreign key: the log outlives a removed editor.
        sa.Column("editor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("release_label", sa.Text),
        sa.Column("detail", sa.Text),
        sa.Column("ip", sa.String(64)),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    """Drop the audit log and the session version."""
    op.drop_table("audit_log")
    op.drop_column("editor", "session_version")
