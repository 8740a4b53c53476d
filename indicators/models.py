"""ORM models for topics, indicators, releases and values."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models import Base

POLARITIES = ("higher_better", "higher_worse", "neutral")
RATE_UNITS = ("%",)  # proportions: validated within 0–100


class Topic(Base):
    """A topic field (Themenfeld) grouping indicators."""

    __tablename__ = "topic"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_de: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    sort: Mapped[int] = mapped_column(Integer, default=0)


class Indicator(Base):
    """A Kennzahl with its definition, unit and polarity."""

    __tablename__ = "indicator"
    __table_args__ = (
        CheckConstraint(
            "polarity IN ('higher_better', 'higher_worse', 'neutral')", name="indicator_polarity"
        ),
    )

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    topic_id: Mapped[str] = mapped_column(ForeignKey("topic.id"), index=True)
    name_de: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(30))
    decimals: Mapped[int] = mapped_column(Integer, default=1)
    polarity: Mapped[str] = mapped_column(String(20))
    first_year: Mapped[int] = mapped_column(Integer)
    definition_de: Mapped[str] = mapped_column(Text)
    definition_en: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text)
    numerator_de: Mapped[str] = mapped_column(Text, default="")
    denominator_de: Mapped[str] = mapped_column(Text, default="")
    sort: Mapped[int] = mapped_column(Integer, default=0)


class Release(Base):
    """A data release (e.g. '2024-2'); values belong to exactly one release."""

    __tablename__ = "release"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'withdrawn')", name="release_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(60), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="published")
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    note: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class Value(Base):
    """One indicator value for an area and year in a release."""

    __tablename__ = "value"
    __table_args__ = (Index("value_lookup", "indicator_id", "year", "release_id"),)

    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicator.id"), primary_key=True)
    ags: Mapped[str] = mapped_column(ForeignKey("area.ags"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    # Small-number protection: withheld values keep value/numerator NULL in every output.
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
