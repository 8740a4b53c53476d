"""ORM models of the Fokusberichte tables (migration 0007), for `sozmon db check`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models import Base


class Report(Base):
    """A report with the editors' working draft (title, summary, Markdown body)."""

    __tablename__ = "report"
    __table_args__ = (
        CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="report_slug_check"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    topic_id: Mapped[str] = mapped_column(String(60), ForeignKey("topic.id"))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, server_default="")
    body: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    created_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_by: Mapped[str] = mapped_column(String(80))


class ReportVersion(Base):
    """A published version: never changed; pinned to the releases published at that moment."""

    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"))
    version: Mapped[int] = mapped_column(Integer)
    topic_id: Mapped[str] = mapped_column(String(60), ForeignKey("topic.id"))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    release_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    published_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    published_by: Mapped[str] = mapped_column(String(80))


class ReportOutput(Base):
    """A published version's page and PDF in one language, rendered once (migration 0011)."""

    __tablename__ = "report_output"
    __table_args__ = (
        ForeignKeyConstraint(
            ["report_id", "version"], ["report_version.report_id", "report_version.version"]
        ),
    )

    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    lang: Mapped[str] = mapped_column(String(5), primary_key=True)
    html: Mapped[str] = mapped_column(Text)
    labels: Mapped[list[str]] = mapped_column(ARRAY(Text))
    synthetic: Mapped[bool] = mapped_column(Boolean)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
