"""Any region: name search (pg_trgm on a normalised name) and stored web shapes per area.

- `sozmon_norm(text)`: lower case, umlauts and ß spelled out, punctuation and the official
  additions ("Stadt", ", Landeshauptstadt" …) left out — the same function normalises the
  query, so "Göttingen", "goettingen" and "Stadt Göttingen" meet. A trigram index on it serves
  similarity search (pg_trgm ships with PostgreSQL; unaccent is not needed for German names).
- `area_shape`: each area's web outline, quantised and delta-encoded once at load time
  (geodata/shapes.py), so a map of all 10,997 Gemeinden is a string concatenation, not 2 s of
  ST_AsGeoJSON at the first request.

Revision ID: 0006g
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006g"
down_revision = "0005"
branch_labels = None
depends_on = None

NORM = r"""
CREATE OR REPLACE FUNCTION sozmon_norm(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT btrim(regexp_replace(regexp_replace(
    replace(replace(replace(replace(replace(replace(lower(t),
      'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss'), 'é', 'e'), 'è', 'e'),
    '\m(landeshauptstadt|hansestadt|universitaetsstadt|kreisfreie stadt|stadt|gemeinde|flecken'
    '|landkreis|kreis|lk|st|sankt)\M', ' ', 'g'),
    '[^a-z0-9]+', ' ', 'g'))
$$
"""


def upgrade() -> None:
    """pg_trgm, sozmon_norm() with its trigram index, table area_shape."""
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(NORM)
    op.execute("CREATE INDEX ix_area_name_trgm ON area USING gin (sozmon_norm(name) gin_trgm_ops)")
    op.create_table(
        "area_shape",
        sa.Column(
            "ags", sa.String(8), sa.ForeignKey("area.ags", ondelete="CASCADE"), primary_key=True
        ),
        # JSON array text: rings of quantised, delta-encoded coordinates (see geodata/shapes.py).
        sa.Column("shape", sa.Text, nullable=False),
        sa.Column("vertices", sa.Integer, nullable=False),
        # The area_km2 the shape was built from: a reloaded boundary makes the shape stale.
        sa.Column("area_km2", sa.Float, nullable=False),
    )


def downgrade() -> None:
    """Drop area_shape, the index and the function (pg_trgm stays: others may use it)."""
    op.drop_table("area_shape")
    op.execute("DROP INDEX IF EXISTS ix_area_name_trgm")
    op.execute("DROP FUNCTION IF EXISTS sozmon_norm(text)")
