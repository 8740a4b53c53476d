"""ORM models of the editors' tables (migrations 0002, 0005, 0012), for `sozmon db check`.

The editors' code reads and writes them in SQL (`auth`, `audit`, `import_jobs` beside this
module); the models describe them on the one `Base.metadata` that Alembic compares with the database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models import Base


class Editor(Base):
    """An editor of /redaktion: scrypt password hash, session version (0002, 0005)."""

    __tablename__ = "editor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    session_version: Mapped[int] = mapped_column(Integer, server_default="1")


class LoginFailure(Base):
    """One failed login (the lockout counts them per name and address)."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_name", "name", "failed_at"),
        Index("ix_login_failure_ip", "ip", "failed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class AuditLog(Base):
    """An editor's action (login, import, publish, rollback, discard), kept for the record."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    editor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))
    release_label: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))


class ImportJob(Base):
    """An editor's upload imported in the background (app/editors/import_jobs.py, migration 0012)."""

    __tablename__ = "import_job"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="import_job_status"
        ),
        Index("ix_import_job_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(10), server_default="queued")
    label: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, server_default="")
    editor: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str | None] = mapped_column(String(64))
    folder: Mapped[str] = mapped_column(Text)
    files: Mapped[list] = mapped_column(JSONB)
    catalogue: Mapped[list | None] = mapped_column(JSONB)
    release_id: Mapped[int | None] = mapped_column(Integer)
    value_count: Mapped[int | None] = mapped_column(Integer)
    problems: Mapped[list | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
