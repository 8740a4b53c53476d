"""A territory map's years and values kept at publish (issue #32, the Germany map).

- `territory_indicator` (0024) gains `years` (the years with a drawn value of the indicator at
  the level in the territory: a number, not withheld) and `default_year` (the year the map
  opens with: the newest in which at least half as many areas have a real number as in the
  best-covered year; NULL: none real). Both from the visible values, as the live
  `scope_years`/`scope_default_year` read them per first request (a skip scan with an EXISTS
  per year, and a GROUP BY year over every value of the indicator in the territory: ~11,000 ×
  years rows for Germany's Gemeinden).
- `territory_value`: per indicator, year, key length (2 Länder, 5 Kreise, 8 Gemeinden) and
  Land (the key's first two digits) the shown values of every area of that level in the Land,
  as arrays in key order (ags, value, suppressed, flag, release_id): a territory map reads the
  rows of its Länder (Germany: 16, a Land or Kreis: one) instead of the rule over every
  value of the indicator and year in the territory (~11,000 for Germany's Gemeinden).

Written with demo mode on, the Beispieldaten marked `synthetic`, list-partitioned by it as the
other kept tables (0023, 0024). Recomputed per indicator in every publish and rollback
(indicators.precomputed.refresh); this migration leaves them empty: `sozmon db upgrade`
recomputes every kept figure of a database with values after a change of revision.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"
TERRITORY_VALUE = """
CREATE TABLE territory_value (
    indicator_id varchar(60) NOT NULL REFERENCES indicator (id) ON DELETE CASCADE,
    year integer NOT NULL,
    len smallint NOT NULL,
    land varchar(2) NOT NULL,
    synthetic boolean NOT NULL,
    ags varchar(8)[] NOT NULL,
    value double precision[] NOT NULL,
    suppressed boolean[] NOT NULL,
    flag varchar(3)[] NOT NULL,
    release_id integer[] NOT NULL,
    CONSTRAINT territory_value_pkey PRIMARY KEY (indicator_id, year, len, land, synthetic)
) PARTITION BY LIST (synthetic)
"""


def upgrade() -> None:
    """The two columns and the table (empty: `sozmon db upgrade` recomputes the kept rows)."""
    op.execute("DELETE FROM territory_indicator")  # refilled with the new columns
    op.execute("ALTER TABLE territory_indicator ADD COLUMN years integer[] NOT NULL")
    op.execute("ALTER TABLE territory_indicator ADD COLUMN default_year integer")
    op.execute(TERRITORY_VALUE)
    op.execute(
        "CREATE TABLE territory_value_real PARTITION OF territory_value FOR VALUES IN (false)"
    )
    op.execute(
        "CREATE TABLE territory_value_demo PARTITION OF territory_value FOR VALUES IN (true)"
    )
    # Out of line, uncompressed: arrays of doubles and keys barely compress, and pglz over
    # ~60 MB of them was most of the refresh's time for this table.
    for column in ("ags", "value", "suppressed", "flag", "release_id"):
        op.execute(f"ALTER TABLE territory_value ALTER COLUMN {column} SET STORAGE EXTERNAL")
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "')"
        f" THEN GRANT SELECT, INSERT, DELETE ON territory_value TO {APP_ROLE}; END IF; END $$"
    )


def downgrade() -> None:
    """Back to 0024: the table and the two columns dropped (the territory lists stay)."""
    op.execute("DROP TABLE territory_value")
    op.execute("ALTER TABLE territory_indicator DROP COLUMN default_year")
    op.execute("ALTER TABLE territory_indicator DROP COLUMN years")
