"""Served from what the load built: per-area GeoJSON, whole outline bodies, a data epoch.

- `area_shape.feature`: each area's GeoJSON Feature text (web outline, 6 decimals, and its
  properties), written with its compact shape at load time, so `/api/v1/areas` of all 10,997
  Gemeinden concatenates stored text instead of serialising 11k geometries per first request.
- `outline_body`: the whole `/karte/umrisse` answer of the large territories (Germany and each
  Land, Kreis and Gemeinde level) as stored bytes, plain, gzip and brotli, compressed once at
  load time (brotli quality 11, which no request could afford) — the first request reads bytes.
- `data_epoch`: one row whose counter every change to releases, the catalogue, provenance or
  areas bumps (statement triggers, in the changing transaction). The data version behind every
  ETag and cache was an md5 over those tables, ~40 ms on a database with Germany's 11,000
  areas, paid by every request that came through nginx; reading one row costs nothing.
- Triggers keep the stored geometry honest: a changed outline, name or level of an area drops its stored
  shape (rebuilt by the next build-shapes), and any change to areas or shapes drops the stored
  bodies (rebuilt by build-shapes; until then the app builds an answer on request as before).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TRIGGERS = """
CREATE FUNCTION sozmon_area_shape_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- In the body, not in the trigger's WHEN: pg_restore recreates triggers with an empty
  -- search_path, where geometry's = operator (PostGIS, schema public) is ambiguous.
  IF OLD.geom_web IS DISTINCT FROM NEW.geom_web OR OLD.name IS DISTINCT FROM NEW.name
     OR OLD.level IS DISTINCT FROM NEW.level OR OLD.kind IS DISTINCT FROM NEW.kind THEN
    DELETE FROM area_shape WHERE ags = OLD.ags;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER area_shape_stale AFTER UPDATE ON area FOR EACH ROW
  EXECUTE FUNCTION sozmon_area_shape_stale();
CREATE FUNCTION sozmon_outline_body_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM outline_body;
  RETURN NULL;
END $$;
CREATE TRIGGER outline_body_stale_area AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON area
  FOR EACH STATEMENT EXECUTE FUNCTION sozmon_outline_body_stale();
CREATE TRIGGER outline_body_stale_shape AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON area_shape FOR EACH STATEMENT EXECUTE FUNCTION sozmon_outline_body_stale();
"""


EPOCH = """
CREATE FUNCTION sozmon_data_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_epoch SET n = n + 1, changed_at = clock_timestamp();
  RETURN NULL;
END $$;
"""
EPOCH_TABLES = ("release", "topic", "indicator", "release_source", "area")


def upgrade() -> None:
    """Column area_shape.feature, table outline_body, data_epoch and the triggers."""
    op.create_table(
        "data_epoch",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.clock_timestamp(),
        ),
        sa.CheckConstraint("id = 1", name="data_epoch_one_row"),
    )
    op.execute("INSERT INTO data_epoch (id) VALUES (1)")
    op.execute(EPOCH)
    for table in EPOCH_TABLES:
        op.execute(
            f"CREATE TRIGGER data_epoch_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
            f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION sozmon_data_epoch_bump()"
        )
    op.add_column("area_shape", sa.Column("feature", sa.Text, nullable=True))
    op.create_table(
        "outline_body",
        sa.Column("territory", sa.String(8), primary_key=True),
        sa.Column("ebene", sa.String(10), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("plain", postgresql.BYTEA, nullable=False),
        sa.Column("gzip", postgresql.BYTEA, nullable=False),
        sa.Column("br", postgresql.BYTEA, nullable=False),
        sa.Column(
            "built_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.execute(TRIGGERS)
    # Existing shapes get their Feature text at the next build-shapes (rows without it are rebuilt).


def downgrade() -> None:
    """Back to revision 0007."""
    for table in EPOCH_TABLES:
        op.execute(f"DROP TRIGGER data_epoch_{table} ON {table}")
    op.execute("DROP FUNCTION sozmon_data_epoch_bump()")
    op.drop_table("data_epoch")
    op.execute("DROP TRIGGER outline_body_stale_shape ON area_shape")
    op.execute("DROP TRIGGER outline_body_stale_area ON area")
    op.execute("DROP TRIGGER area_shape_stale ON area")
    op.execute("DROP FUNCTION sozmon_outline_body_stale()")
    op.execute("DROP FUNCTION sozmon_area_shape_stale()")
    op.drop_table("outline_body")
    op.drop_column("area_shape", "feature")
