"""Real first: a series is real or synthetic, synthetic only in demo mode; breaks; honest totals.

- `shown_value` (and `shown_value_in(ids)` for pinned reports) drop every synthetic value of an
  indicator that has any published real value, so no series, map, change or index ever mixes
  the two kinds; and synthetic values are shown only to a connection in demo mode (the app sets
  `sozmon.demo = on` per connection when SOZMON_DEMO is set). A default install never shows a
  synthetic value, even where a demo release was loaded into its database.
- Which indicators a release holds is read from `release_source` (one row per release and
  indicator, small), which publish now completes for every release; filled here for the old ones.
- `series_break`: per indicator and year, the values from that year on are not comparable with
  those before (census basis, a law, a table change), with the reason in both languages.
- `value.flag` 'u': a total summed over parts where one part is withheld — "unvollständig",
  never "geheim"; `incomplete_value` names the withheld parts of each such total.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Indicators with a published real value: a synthetic value of these is never shown.
REAL_INDICATOR = """
CREATE VIEW real_indicator AS
SELECT DISTINCT s.indicator_id FROM release_source s JOIN release r ON r.id = s.release_id
WHERE r.status = 'published' AND NOT r.synthetic
"""

# The demo switch of the connection (unset: off).
DEMO = "coalesce(current_setting('sozmon.demo', true), '') = 'on'"

SHOWN_VALUE = f"""
CREATE VIEW shown_value AS
SELECT DISTINCT ON (indicator_id, ags, year) *
FROM release_value WHERE status = 'published'
  AND (NOT synthetic OR ({DEMO}
       AND indicator_id NOT IN (SELECT indicator_id FROM real_indicator)))
ORDER BY indicator_id, ags, year, synthetic, published_at DESC, release_id DESC
"""

SHOWN_VALUE_IN = f"""
CREATE FUNCTION shown_value_in(ids int[]) RETURNS SETOF release_value
LANGUAGE sql STABLE AS $$
SELECT DISTINCT ON (indicator_id, ags, year) *
FROM release_value WHERE release_id = ANY(ids)
  AND (NOT synthetic OR ({DEMO}
       AND indicator_id NOT IN (SELECT s.indicator_id FROM release_source s
         JOIN release r ON r.id = s.release_id WHERE s.release_id = ANY(ids) AND NOT r.synthetic)))
ORDER BY indicator_id, ags, year, synthetic, published_at DESC, release_id DESC
$$
"""

OLD_SHOWN_VALUE = """
CREATE VIEW shown_value AS
SELECT DISTINCT ON (indicator_id, ags, year) *
FROM release_value WHERE status = 'published'
ORDER BY indicator_id, ags, year, synthetic, published_at DESC, release_id DESC
"""

OLD_SHOWN_VALUE_IN = """
CREATE FUNCTION shown_value_in(ids int[]) RETURNS SETOF release_value
LANGUAGE sql STABLE AS $$
SELECT DISTINCT ON (indicator_id, ags, year) *
FROM release_value WHERE release_id = ANY(ids)
ORDER BY indicator_id, ags, year, synthetic, published_at DESC, release_id DESC
$$
"""

FLAGS_NEW = "flag IS NULL OR flag IN ('-', '.', 'x', '/', '...', 'u')"
FLAGS_OLD = "flag IS NULL OR flag IN ('-', '.', 'x', '/', '...')"


def upgrade() -> None:
    """series_break, incomplete_value, flag 'u', release_source completed, the new rule."""
    op.create_table(
        "series_break",
        sa.Column("indicator_id", sa.String(60), sa.ForeignKey("indicator.id"), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("reason_de", sa.Text, nullable=False),
        sa.Column("reason_en", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "incomplete_value",
        sa.Column(
            "release_id",
            sa.Integer,
            sa.ForeignKey("release.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("indicator_id", sa.String(60), sa.ForeignKey("indicator.id"), primary_key=True),
        sa.Column("ags", sa.String(8), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        # The withheld parts, e.g. "03241005 Garbsen, 03241012 Neustadt a. Rbge.".
        sa.Column("parts", sa.Text, nullable=False),
    )
    for table in ("series_break", "incomplete_value"):
        op.execute(
            f"CREATE TRIGGER data_epoch_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
            f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION sozmon_data_epoch_bump()"
        )
    op.drop_constraint("value_flag_check", "value", type_="check")
    op.create_check_constraint("value_flag_check", "value", FLAGS_NEW)
    op.execute(
        "INSERT INTO release_source (release_id, indicator_id)"
        " SELECT DISTINCT release_id, indicator_id FROM value ON CONFLICT DO NOTHING"
    )
    op.execute("DROP FUNCTION shown_value_in(int[])")
    op.execute("DROP VIEW shown_value")
    op.execute(REAL_INDICATOR)
    op.execute(SHOWN_VALUE)
    op.execute(SHOWN_VALUE_IN)


def downgrade() -> None:
    """Back to revision 0008."""
    op.execute("DROP FUNCTION shown_value_in(int[])")
    op.execute("DROP VIEW shown_value")
    op.execute("DROP VIEW real_indicator")
    op.execute(OLD_SHOWN_VALUE)
    op.execute(OLD_SHOWN_VALUE_IN)
    op.execute("DELETE FROM value WHERE flag = 'u'")
    op.drop_constraint("value_flag_check", "value", type_="check")
    op.create_check_constraint("value_flag_check", "value", FLAGS_OLD)
    op.drop_table("incomplete_value")
    op.drop_table("series_break")
