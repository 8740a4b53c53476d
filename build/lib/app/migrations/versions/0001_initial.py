"""Initial schema: area, topic, indicator, release, value.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import geoalchemy2
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the extension and the five tables."""
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "area",
        sa.Column("ags", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column(
            "geom",
            geoalchemy2.Geometry("MULTIPOLYGON", srid=25832, spatial_index=False),
            nullable=False,
        ),
        sa.Column(
            "geom_web",
            geoalchemy2.Geometry("MULTIPOLYGON", srid=4326, spatial_index=False),
            nullable=False,
        ),
        sa.Column("area_km2", sa.Float, nullable=False),
        sa.CheckConstraint("level IN ('kommune', 'region', 'gemeinde')", name="area_level_check"),
    )
    op.create_index("ix_area_level", "area", ["level"])
    op.create_index("idx_area_geom", "area", ["geom"], postgresql_using="gist")
    op.create_table(
        "topic",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name_de", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("sort", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "indicator",
        sa.Column("id", sa.String(60), primary_key=True),
        sa.Column("topic_id", sa.String(40), sa.ForeignKey("topic.id"), nullable=False),
        sa.Column("name_de", sa.String(300), nullable=False),
        sa.Column("name_en", sa.String(300), nullable=False),
        sa.Column("unit", sa.String(30), nullable=False),
        sa.Column("decimals", sa.Integer, nullable=False, server_default="1"),
        sa.Column("polarity", sa.String(20), nullable=False),
        sa.Column("first_year", sa.Integer, nullable=False),
        sa.Column("definition_de", sa.Text, nullable=False),
        sa.Column("definition_en", sa.Text, nullable=False, server_default=""),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("numerator_de", sa.Text, nullable=False, server_default=""),
        sa.Column("denominator_de", sa.Text, nullable=False, server_default=""),
        sa.Column("sort", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint(
            "polarity IN ('higher_better', 'higher_worse', 'neutral')", name="indicator_polarity"
        ),
    )
    op.create_index("ix_indicator_topic_id", "indicator", ["topic_id"])
    op.create_table(
        "release",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(60), nullable=False, unique=True),
        sa.Column("status", sa.String(12), nullable=False, server_default="published"),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("synthetic", sa.Boolean, nullable=False, server_default="false"),
        sa.CheckConstraint("status IN ('draft', 'published', 'withdrawn')", name="release_status"),
    )
    op.create_table(
        "value",
        sa.Column(
            "release_id",
            sa.Integer,
            sa.ForeignKey("release.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("indicator_id", sa.String(60), sa.ForeignKey("indicator.id"), primary_key=True),
        sa.Column("ags", sa.String(8), sa.ForeignKey("area.ags"), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("value", sa.Float),
        sa.Column("numerator", sa.Float),
        sa.Column("denominator", sa.Float),
        sa.Column("suppressed", sa.Boolean, nullable=False, server_default="false"),
    )
    op.create_index("value_lookup", "value", ["indicator_id", "year", "release_id"])


def downgrade() -> None:
    """Drop the five tables (the extension stays)."""
    for table in ("value", "release", "indicator", "topic", "area"):
        op.drop_table(table)
