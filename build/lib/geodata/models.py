"""ORM models for areas; also home of the declarative Base shared by all models."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, Float, String
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
