"""ORM models for areas; also home of the declarative Base shared by all models."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import BYTEA
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stored CRS: ETRS89 / UTM 32N (metres) for measuring, WGS84 for the web.
SRID_STORE = 25832
SRID_WEB = 4326


class Base(DeclarativeBase):
    """Declarative base for every table of the project."""


class Area(Base):
    """An area with full and web geometry: the home region's Kommunen ('kommune') and Kreis
    ('region'), other Gemeinden, Kreise, Länder and the Bund ('DG')."""

    __tablename__ = "area"
    __table_args__ = (
        CheckConstraint(
            "level IN ('kommune', 'region', 'gemeinde', 'kreis', 'land', 'bund')",
            name="area_level_check",
        ),
    )

    ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60))  # Stadt / Gemeinde / Region
    level: Mapped[str] = mapped_column(String(10), index=True)
    geom = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID_STORE, spatial_index=True), nullable=False
    )
    # Simplified once at load, gap-free between neighbours (coverage simplification).
    geom_web = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID_WEB, spatial_index=False), nullable=False
    )
    area_km2: Mapped[float] = mapped_column(Float)


class AreaShape(Base):
    """An area's web outline, quantised and delta-encoded once at load (geodata/shapes.py).

    (The name search's trigram index on sozmon_norm(area.name) lives in migration 0006g only:
    an expression index, which autogenerate does not compare.)
    """

    __tablename__ = "area_shape"

    ags: Mapped[str] = mapped_column(
        String(8), ForeignKey("area.ags", ondelete="CASCADE"), primary_key=True
    )
    shape: Mapped[str] = mapped_column(Text, nullable=False)
    vertices: Mapped[int] = mapped_column(Integer, nullable=False)
    area_km2: Mapped[float] = mapped_column(Float, nullable=False)
    # The area's GeoJSON Feature text (web outline, 6 decimals) for the areas API (0008).
    feature: Mapped[str | None] = mapped_column(Text, nullable=True)


class OutlineBody(Base):
    """A large territory's whole outline answer, compressed once at load (migration 0008).

    Dropped by triggers whenever areas or shapes change; rebuilt by build-shapes.
    """

    __tablename__ = "outline_body"

    territory: Mapped[str] = mapped_column(String(8), primary_key=True)
    ebene: Mapped[str] = mapped_column(String(10), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    plain: Mapped[bytes] = mapped_column(BYTEA, nullable=False)
    gzip: Mapped[bytes] = mapped_column(BYTEA, nullable=False)
    br: Mapped[bytes] = mapped_column(BYTEA, nullable=False)
    built_at = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
