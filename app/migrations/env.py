"""Alembic environment: GeoAlchemy2's helpers keep spatial indexes and types right."""

import re

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

import app.berichte.models  # noqa: F401  (the Fokusberichte tables, migration 0006)
import app.editors.models  # noqa: F401  (the editors' tables: accounts, audit log, import jobs)
import indicators.models  # noqa: F401  (registers the tables on Base.metadata)
from geodata.models import Base

config = context.config
target_metadata = Base.metadata
# Objects the models do not describe on purpose: the partitions of `value` (one per bulk
# release, plus the default) and of `profile_value` (by synthetic, 0023), 0024's, 0025's and
# 0026's kept tables, and the two views of migration 0004.
_PARTITION = re.compile(
    r"^(value_(default|r\d+)|(profile_value|area_rank|territory_indicator|territory_value|area_trend|shown_order)_(real|demo))(_.*)?$"
)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """GeoAlchemy2's filter, plus: skip value's and profile_value's partitions and their indexes."""
    if name and _PARTITION.match(name):
        return False
    # The name-search index is on an expression (sozmon_norm(name) with pg_trgm, 0006):
    # SQLAlchemy cannot reflect it into a model, so the migration alone describes it.
    if type_ == "index" and name == "ix_area_name_trgm":
        return False
    if (
        type_ == "index"
        and getattr(obj, "table", None) is not None
        and _PARTITION.match(obj.table.name)
    ):
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def run_migrations_online() -> None:
    """Run migrations against the database named in the Alembic config."""
    # NullPool: no connection outlives the migration (tests clone this database as a template).
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=NullPool)
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            include_object=include_object,
            process_revision_directives=alembic_helpers.writer,
            render_item=alembic_helpers.render_item,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
