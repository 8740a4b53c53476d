"""Real official data: area levels Kreis/Land/Bund, value flags, provenance, the shown-value rule.

- `area.level` gains 'kreis', 'land' and 'bund' (Kreise and Länder are unions of their Gemeinden;
  the Bund has the key 'DG'). 'kommune' and 'region' stay the home region's Gemeinden and Kreis.
- `value.flag` keeps GENESIS' special values: '-' (zero), '.' (secret, stored as suppressed),
  'x', '/', '...' (no value; the reason is shown where the value would be).
- `release_source` says per release and indicator where the numbers come from (table codes,
  source, footer notes): "amtlich" with table code, or the synthetic generator.
- `shown_value` is THE rule of which value is shown, written once: per indicator, area and year
  the value of a published release, real before synthetic, then the newest. Releases layer; a
  release with one row replaces one value and shadows nothing else.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LEVELS_NEW = "('kommune', 'region', 'gemeinde', 'kreis', 'land', 'bund')"
LEVELS_OLD = "('kommune', 'region', 'gemeinde')"

RELEASE_VALUE = """
CREATE VIEW release_value AS
SELECT v.release_id, v.indicator_id, v.ags, v.year,
       CASE WHEN v.suppressed THEN NULL ELSE v.value END AS value,
       CASE WHEN v.suppressed THEN NULL ELSE v.numerator END AS numerator,
       CASE WHEN v.suppressed THEN NULL ELSE v.denominator END AS denominator,
       v.suppressed, v.flag,
       r.label AS release_label, r.synthetic, r.status, r.published_at
FROM value v JOIN release r ON r.id = v.release_id
"""

# DISTINCT ON over the key columns: PostgreSQL pushes conditions on indicator_id, ags and year
# into the view, so a map (one indicator and year) reads only that indicator's index range.
SHOWN_VALUE = """
CREATE VIEW shown_value AS
SELECT DISTINCT ON (indicator_id, ags, year) *
FROM release_value WHERE status = 'published'
ORDER BY indicator_id, ags, year, synthetic, published_at DESC, release_id DESC
"""


def upgrade() -> None:
    """Levels, flag column, provenance table, ags index and the two views."""
    op.drop_constraint("area_level_check", "area", type_="check")
    op.create_check_constraint("area_level_check", "area", f"level IN {LEVELS_NEW}")
    op.add_column("value", sa.Column("flag", sa.String(3)))
    op.create_check_constraint(
        "value_flag_check", "value", "flag IS NULL OR flag IN ('-', '.', 'x', '/', '...')"
    )
    # Profiles read every indicator of a few areas.
    op.execute("CREATE INDEX value_by_area ON value (ags, indicator_id, year)")
    op.create_table(
        "release_source",
        sa.Column(
            "release_id",
            sa.Integer,
            sa.ForeignKey("release.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("indicator_id", sa.String(60), sa.ForeignKey("indicator.id"), primary_key=True),
        sa.Column("tables", sa.Text, nullable=False, server_default=""),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.execute(RELEASE_VALUE)
    op.execute(SHOWN_VALUE)


def downgrade() -> None:
    """Back to revision 0003."""
    op.execute("DROP VIEW shown_value")
    op.execute("DROP VIEW release_value")
    op.drop_table("release_source")
    op.execute("DROP INDEX value_by_area")
    op.drop_constraint("value_flag_check", "value", type_="check")
    op.drop_column("value", "flag")
    op.execute("DELETE FROM area WHERE level IN ('kreis', 'land', 'bund')")
    op.drop_constraint("area_level_check", "area", type_="check")
    op.create_check_constraint("area_level_check", "area", f"level IN {LEVELS_OLD}")
