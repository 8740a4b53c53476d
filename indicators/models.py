"""ORM models for topics, indicators, releases and values (editors' tables: app/editors)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geodata.models import Base

POLARITIES = ("higher_better", "higher_worse", "neutral")


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
    created_by: Mapped[str | None] = mapped_column(String(80))
    published_by: Mapped[str | None] = mapped_column(String(80))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Catalogue rows that came with a draft, applied at publish (migration 0002).
    catalogue = mapped_column(JSONB)


class DataEpoch(Base):
    """One row, bumped by triggers on every change to releases, catalogue and areas (0008)."""

    __tablename__ = "data_epoch"
    __table_args__ = (CheckConstraint("id = 1", name="data_epoch_one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    changed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.clock_timestamp()
    )
    # The areas' own version, drawn anew by a trigger on area only (0028): what the app keeps
    # across publishes (a territory's area list) is kept under it.
    areas_version: Mapped[uuid.UUID] = mapped_column(
        Uuid, nullable=False, server_default=text("gen_random_uuid()")
    )
    # The catalogue's own version, drawn anew by triggers on topic and indicator only (0029):
    # the catalogue (indicators.queries.TOPICS_SQL) is kept across publishes under it.
    catalogue_version: Mapped[uuid.UUID] = mapped_column(
        Uuid, nullable=False, server_default=text("gen_random_uuid()")
    )


class Value(Base):
    """One indicator value for an area and year in a release (partitioned by release, 0003)."""

    __tablename__ = "value"
    __table_args__ = (
        Index("value_lookup", "indicator_id", "year", "release_id"),
        Index("value_by_area", "ags", "indicator_id", "year"),
        CheckConstraint(
            "flag IS NULL OR flag IN ('-', '.', 'x', '/', '...', 'u')", name="value_flag_check"
        ),
        {"postgresql_partition_by": "LIST (release_id)"},
    )

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
    # GENESIS special value instead of a number: '.' secret, 'x', '/', '...' no value (0004);
    # 'u' a total summed over parts of which one is withheld: "unvollständig" (0009).
    flag: Mapped[str | None] = mapped_column(String(3))


class ReleaseSource(Base):
    """Where a release's values of an indicator come from (tables, source, footer notes)."""

    __tablename__ = "release_source"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicator.id"), primary_key=True)
    tables: Mapped[str] = mapped_column(Text, server_default="")
    source: Mapped[str] = mapped_column(Text, server_default="")
    note: Mapped[str] = mapped_column(Text, server_default="")


class ReleaseChanges(Base):
    """What a release changes on the pages, computed once and kept with it (0010).

    basis: fingerprint of the published releases (and demo mode) it was computed against; another basis
    means stale (indicators.releases.stored_changes).
    """

    __tablename__ = "release_changes"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), primary_key=True
    )
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    cause: Mapped[str] = mapped_column(String(12))  # load, publish, withdraw, view, cli
    basis: Mapped[str] = mapped_column(Text)
    n_changed: Mapped[int] = mapped_column(Integer)
    n_new: Mapped[int] = mapped_column(Integer)
    n_hidden: Mapped[int] = mapped_column(Integer)
    n_removed: Mapped[int] = mapped_column(Integer, server_default="0")  # 0014
    rows = mapped_column(JSONB, nullable=False)


class SeriesBreak(Base):
    """From this year on an indicator's values are not comparable with those before (0009)."""

    __tablename__ = "series_break"

    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicator.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason_de: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text, server_default="")


class IncompleteValue(Base):
    """The withheld parts of a total flagged 'u' (summed, one part withheld) (0009)."""

    __tablename__ = "incomplete_value"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicator.id"), primary_key=True)
    ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    parts: Mapped[str] = mapped_column(Text)


ALERT_KINDS = ("intervall", "trend", "status", "dynamik", "neu")


class Alert(Base):
    """What a publish changed significantly for one area (and indicator) (0017)."""

    __tablename__ = "alert"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('intervall', 'trend', 'status', 'dynamik', 'neu')", name="alert_kind"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), index=True
    )
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    ags: Mapped[str] = mapped_column(ForeignKey("area.ags"), index=True)
    indicator_id: Mapped[str | None] = mapped_column(ForeignKey("indicator.id"), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    ref_year: Mapped[int | None] = mapped_column(Integer)
    old_value: Mapped[float | None] = mapped_column(Float)
    new_value: Mapped[float | None] = mapped_column(Float)
    lower: Mapped[float | None] = mapped_column(Float)
    upper: Mapped[float | None] = mapped_column(Float)
    old_label: Mapped[str | None] = mapped_column(String(20))
    new_label: Mapped[str | None] = mapped_column(String(20))
    p: Mapped[float | None] = mapped_column(Float)


class AlertSubscription(Base):
    """An e-mail subscription to a Kommune's and/or an indicator's alerts (double opt-in, 0017)."""

    __tablename__ = "alert_subscription"
    __table_args__ = (
        CheckConstraint(
            "ags IS NOT NULL OR indicator_id IS NOT NULL", name="alert_subscription_topic"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ags: Mapped[str | None] = mapped_column(ForeignKey("area.ags"))
    indicator_id: Mapped[str | None] = mapped_column(ForeignKey("indicator.id"))
    lang: Mapped[str] = mapped_column(String(5), server_default="de")
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    confirm_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AlertDelivery(Base):
    """The e-mail queue: an alert a confirmed subscription has (not yet) been sent (0017)."""

    __tablename__ = "alert_delivery"

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("alert_subscription.id", ondelete="CASCADE"), primary_key=True
    )
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alert.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    queued_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ContextNote(Base):
    """A local expert's note on an area's indicator (or topic) in a period, with its release (0016).

    Public while its release is published (indicators/notes.py); text plain and short, the
    source link http(s) only (checked here and in indicators.notes.check_note).
    """

    __tablename__ = "context_note"
    __table_args__ = (
        CheckConstraint(
            "category IN ('einrichtung', 'gebietsaenderung', 'definitionsaenderung',"
            " 'datenqualitaet', 'ereignis')",
            name="context_note_category",
        ),
        CheckConstraint("(indicator_id IS NULL) <> (topic_id IS NULL)", name="context_note_target"),
        CheckConstraint("year_from <= year_to", name="context_note_period"),
        CheckConstraint(
            "char_length(text_de) BETWEEN 1 AND 500 AND char_length(text_en) <= 500",
            name="context_note_length",
        ),
        CheckConstraint(
            "source_url = '' OR (source_url ~ '^https?://[^[:space:]]+$'"
            " AND char_length(source_url) <= 500)",
            name="context_note_url",
        ),
        Index("ix_context_note_lookup", "ags", "indicator_id"),
        Index("ix_context_note_release", "release_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id", ondelete="CASCADE"))
    ags: Mapped[str] = mapped_column(ForeignKey("area.ags"))
    indicator_id: Mapped[str | None] = mapped_column(ForeignKey("indicator.id"))
    topic_id: Mapped[str | None] = mapped_column(ForeignKey("topic.id"))
    year_from: Mapped[int] = mapped_column(Integer)
    year_to: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(24))
    text_de: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, server_default="")
    source_url: Mapped[str] = mapped_column(Text, server_default="")
    created_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class KommuneSpread(Base):
    """Per indicator and year the spread of the Kommunen's shown values, kept at publish (0015).

    Filled by indicators.precomputed.refresh() in every publish and rollback; `synthetic` rows
    are read in demo mode only.
    """

    __tablename__ = "kommune_spread"

    indicator_id: Mapped[str] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    lo: Mapped[float] = mapped_column(Float)
    q1: Mapped[float] = mapped_column(Float)
    q3: Mapped[float] = mapped_column(Float)
    hi: Mapped[float] = mapped_column(Float)
    n: Mapped[int] = mapped_column(Integer)
    synthetic: Mapped[bool] = mapped_column(Boolean)


class ProfileKept(Base):
    """A home area's profile or a pair of home Kommunen's comparison: its values statement's
    rows kept at publish as one value (0031, replacing 0030's profile_row).

    indicators.profile_values: per question (`params`, a digest of the asked areas) and demo
    mode the statement's rows in its order as one JSON array (`rows`, without the indicators'
    polarity), the own areas (`own`) and the number of rows (`n`). Filled by
    indicators.precomputed.refresh() in every publish and rollback.
    """

    __tablename__ = "profile_kept"

    params: Mapped[str] = mapped_column(String(32), primary_key=True)
    demo: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    own: Mapped[str] = mapped_column(String(40))
    n: Mapped[int] = mapped_column(Integer)
    rows: Mapped[str] = mapped_column(Text)


class ReleaseSummary(Base):
    """Per release its years and counts of indicators and values, written at its publish (0015)."""

    __tablename__ = "release_summary"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), primary_key=True
    )
    first_year: Mapped[int | None] = mapped_column(Integer)
    last_year: Mapped[int | None] = mapped_column(Integer)
    n_indicators: Mapped[int] = mapped_column(BigInteger)
    n_values: Mapped[int] = mapped_column(BigInteger)


class ReleaseArea(Base):
    """Per published or withdrawn release the areas it holds a value of, written at its publish
    (0027): the pin of a page over many indicators (indicators.pinning.page_release_ids)."""

    __tablename__ = "release_area"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), primary_key=True
    )
    ags: Mapped[str] = mapped_column(String(8), primary_key=True)


class IndicatorSummary(Base):
    """Per indicator the releases, label(s) and years of its shown values, kept at publish (0015).

    Computed in demo mode; `synthetic` rows are read in demo mode only.
    """

    __tablename__ = "indicator_summary"

    indicator_id: Mapped[str] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    release_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    release_label: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    years: Mapped[list[int]] = mapped_column(ARRAY(Integer))


class KommuneDisparity(Base):
    """Per indicator and year the disparities' figures of the Kommunen's shown values, kept at
    publish (0018): the spread measures, and the values and weights the bootstrap of a change
    resamples. `missing` > 0: some Kommunen lack a value, no figures. Demo mode as 0015."""

    __tablename__ = "kommune_disparity"

    indicator_id: Mapped[str] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    missing: Mapped[int] = mapped_column(Integer)
    weights: Mapped[str | None] = mapped_column(Text)
    vals: Mapped[list[float] | None] = mapped_column(ARRAY(Float))
    weight_vals: Mapped[list[float] | None] = mapped_column(ARRAY(Float))
    n: Mapped[int | None] = mapped_column(Integer)
    minimum: Mapped[float | None] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float)
    range: Mapped[float | None] = mapped_column(Float)
    ratio: Mapped[float | None] = mapped_column(Float)
    mean: Mapped[float | None] = mapped_column(Float)
    weighted_mean: Mapped[float | None] = mapped_column(Float)
    cv: Mapped[float | None] = mapped_column(Float)
    cv_weighted: Mapped[float | None] = mapped_column(Float)
    theil: Mapped[float | None] = mapped_column(Float)
    gini: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)


class ProfileValue(Base):
    """The shown values (the rule's view's columns) of the Kommunen, the Region, the Länder and
    the Bund, kept at publish (0020): what profiles and comparisons of the home Kommunen read.
    Demo mode as 0015 (`synthetic` rows are read in demo mode only); partitioned by
    `synthetic` (0023: profile_value_real, profile_value_demo), so outside demo mode the
    readers' `synthetic = ANY(ARRAY[false, <demo mode>])` prunes the demo rows unread."""

    __tablename__ = "profile_value"
    __table_args__ = (
        Index("profile_value_by_area", "ags", "indicator_id", "year"),
        {"postgresql_partition_by": "LIST (synthetic)"},
    )

    release_id: Mapped[int] = mapped_column(Integer)
    indicator_id: Mapped[str] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    suppressed: Mapped[bool] = mapped_column(Boolean)
    flag: Mapped[str | None] = mapped_column(String(3))
    release_label: Mapped[str] = mapped_column(String(60))
    synthetic: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    status: Mapped[str] = mapped_column(String(12))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AreaRank(Base):
    """Per indicator and Gemeinde or Kreis: its headline year and its ranks among the areas of
    its level in its Land and (a Gemeinde) its Kreis, kept at publish (0024). Demo mode and
    partitions (area_rank_real, area_rank_demo) as ProfileValue."""

    __tablename__ = "area_rank"
    __table_args__ = (
        Index("area_rank_by_area", "ags"),
        {"postgresql_partition_by": "LIST (synthetic)"},
    )

    indicator_id: Mapped[str] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    rank_land: Mapped[int | None] = mapped_column(Integer)
    n_land: Mapped[int] = mapped_column(Integer)
    rank_kreis: Mapped[int | None] = mapped_column(Integer)
    n_kreis: Mapped[int | None] = mapped_column(Integer, nullable=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, primary_key=True)


class TerritoryIndicator(Base):
    """Per territory (Bund 'DG', Land, Kreis, Region) and map level the indicators with a
    visible value there, kept at publish (0024). Demo mode and partitions as ProfileValue."""

    __tablename__ = "territory_indicator"
    __table_args__ = ({"postgresql_partition_by": "LIST (synthetic)"},)

    territory: Mapped[str] = mapped_column(String(8), primary_key=True)
    ebene: Mapped[str] = mapped_column(String(8), primary_key=True)
    indicator_id: Mapped[str] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    synthetic: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    # The years with a drawn value there and the year its map opens with (0025).
    years: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    default_year: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TerritoryValue(Base):
    """Per indicator, year, key length and Land the shown values of the areas of that level in
    the Land as arrays in key order, kept at publish (0025): what a territory map colours.
    Demo mode and partitions as ProfileValue."""

    __tablename__ = "territory_value"
    __table_args__ = ({"postgresql_partition_by": "LIST (synthetic)"},)

    indicator_id: Mapped[str] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    len: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    land: Mapped[str] = mapped_column(String(2), primary_key=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    ags: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    value: Mapped[list[float | None]] = mapped_column(ARRAY(Float))
    suppressed: Mapped[list[bool]] = mapped_column(ARRAY(Boolean))
    flag: Mapped[list[str | None]] = mapped_column(ARRAY(String(3)))
    release_id: Mapped[list[int]] = mapped_column(ARRAY(Integer))


class AreaTrend(Base):
    """Per indicator and area of the kept profile rows the trend of its series since the
    newest break (indicators.trends.Trend's fields), kept at publish and when the breaks
    change (0024). Demo mode and partitions as ProfileValue."""

    __tablename__ = "area_trend"
    __table_args__ = (
        Index("area_trend_by_area", "ags", "indicator_id"),
        {"postgresql_partition_by": "LIST (synthetic)"},
    )

    indicator_id: Mapped[str] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    method: Mapped[str | None] = mapped_column(String(20))
    direction: Mapped[str | None] = mapped_column(String(20))
    significant: Mapped[bool | None] = mapped_column(Boolean)
    chi2: Mapped[float | None] = mapped_column(Float)
    p: Mapped[float | None] = mapped_column(Float)
    years: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    reason: Mapped[str | None] = mapped_column(String(20))
    synthetic: Mapped[bool] = mapped_column(Boolean, primary_key=True)


class IndexDefinition(Base):
    """A Sozialindex definition stored with one release (0021; indicators.social_index_store)."""

    __tablename__ = "index_definition"
    __table_args__ = (
        CheckConstraint("jsonb_typeof(body) = 'object'", name="index_definition_object"),
        CheckConstraint(
            "jsonb_typeof(body -> 'indicators') = 'array'"
            " AND jsonb_array_length(body -> 'indicators') BETWEEN 1 AND 12",
            name="index_definition_indicators",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    key: Mapped[str] = mapped_column(String(80), nullable=False)
    body = mapped_column(JSONB, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class ShownOrder(Base):
    """Per indicator and year the areas with a shown value in the order of /api/v1/values (the
    Region first, then by AGS) and the release of each one's value (parallel arrays), kept at
    publish (0026): a page of /values reads its rows by these keys. Demo mode and partitions
    (shown_order_real, shown_order_demo) as ProfileValue."""

    __tablename__ = "shown_order"
    __table_args__ = ({"postgresql_partition_by": "LIST (synthetic)"},)

    indicator_id: Mapped[str] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    ags: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    release_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer))
