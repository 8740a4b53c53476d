"""Partition the value table by release (LIST on release_id).

A release of millions of values (all German Gemeinden) is loaded into a table of its own with
COPY, indexed with a sort-based build and attached as a partition: no row-by-row index
maintenance on the big table, and readers are never blocked. Small releases go to the default
partition through ordinary INSERTs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = "release_id, indicator_id, ags, year, value, numerator, denominator, suppressed"


def _create(partitioned: bool) -> None:
    op.execute(
        "CREATE TABLE value ("
        " release_id integer NOT NULL"
        "  CONSTRAINT value_release_id_fkey REFERENCES release(id) ON DELETE CASCADE,"
        " indicator_id varchar(60) NOT NULL"
        "  CONSTRAINT value_indicator_id_fkey REFERENCES indicator(id),"
        " ags varchar(8) NOT NULL CONSTRAINT value_ags_fkey REFERENCES area(ags),"
        " year integer NOT NULL,"
        " value double precision, numerator double precision, denominator double precision,"
        " suppressed boolean NOT NULL DEFAULT false,"
        " CONSTRAINT value_pkey PRIMARY KEY (release_id, indicator_id, ags, year))"
        + (" PARTITION BY LIST (release_id)" if partitioned else "")
    )
    op.execute("CREATE INDEX value_lookup ON value (indicator_id, year, release_id)")


def _move(partitioned: bool) -> None:
    op.execute("ALTER TABLE value RENAME TO value_old")
    op.execute("ALTER TABLE value_old RENAME CONSTRAINT value_pkey TO value_old_pkey")
    op.execute("ALTER INDEX value_lookup RENAME TO value_old_lookup")
    _create(partitioned)
    if partitioned:
        op.execute("CREATE TABLE value_default PARTITION OF value DEFAULT")
    op.execute(f"INSERT INTO value ({COLUMNS}) SELECT {COLUMNS} FROM value_old")
    op.execute("DROP TABLE value_old")


def upgrade() -> None:
    """Recreate value as a partitioned table (default partition) and move the rows over."""
    _move(partitioned=True)


def downgrade() -> None:
    """Back to one plain table."""
    _move(partitioned=False)
