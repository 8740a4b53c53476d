"""Editors (hashed passwords), failed-login log, release audit and staged catalogue.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create editor and login_failure; add audit and staged-catalogue columns to release."""
    op.create_table(
        "editor",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        # werkzeug.security.generate_password_hash: "scrypt:…$salt$hash", never the password.
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
    )
    # One row per failed login: the lockout counts rows of the last minutes per name and per
    # IP, so it holds across gunicorn workers (state in the database, not in a process).
    op.create_table(
        "login_failure",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column(
            "failed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("ix_login_failure_name", "login_failure", ["name", "failed_at"])
    op.create_index("ix_login_failure_ip", "login_failure", ["ip", "failed_at"])
    op.add_column("release", sa.Column("created_by", sa.String(80)))
    op.add_column("release", sa.Column("published_by", sa.String(80)))
    op.add_column("release", sa.Column("withdrawn_at", sa.DateTime(timezone=True)))
    # Catalogue rows that came with a draft: applied to `indicator` only at publish, so a
    # wrong definition in a draft never reaches what citizens see.
    op.add_column("release", sa.Column("catalogue", postgresql.JSONB))


def downgrade() -> None:
    """Drop the editor tables and the release columns."""
    for col in ("catalogue", "withdrawn_at", "published_by", "created_by"):
        op.drop_column("release", col)
    op.drop_table("login_failure")
    op.drop_table("editor")
