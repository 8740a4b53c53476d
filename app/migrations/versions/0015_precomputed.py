"""Work that is the same for every visitor, done once per data version (issue #32).

`kommune_spread`: per indicator and year the spread (min, quartiles, max, count) of the
Kommunen's shown values — what every profile's spine charts read. Computed live it scanned the
shown values of every area of Germany (2.1 s per profile with all Gemeinden loaded); now
`indicators.precomputed.refresh()` fills it inside the transaction of every publish and
rollback (so a rollback of that transaction takes it back too), and a page reads its rows.

`indicator_summary`: per indicator the releases its shown values come from, their label(s),
whether synthetic and the years (the API's catalogue, /kennzahlen, /api/v1/values'
attribution: a GROUP BY over every shown value of Germany per request before); rows computed
with demo mode on and marked, as the spreads.

`release_summary`: per release its first and last year and its numbers of indicators and values
(what /daten lists per published release: counted per request it read every value of Germany,
1.65 s). Written at a release's publish from its own values, which do not change after it.

Spread rows are computed with demo mode on and carry `synthetic`: a reader keeps a synthetic row only
in demo mode, which gives exactly the rows the live query gives in either mode (an indicator's
shown values are all real, or — in demo mode, without a real release — all synthetic).
Both tables start filled (the refresh's SQL runs here once).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"

# The same statement as indicators.precomputed.SPREADS_SQL at the time of writing (a migration
# is frozen: it does not import the code that may change after it).
FILL = """
DO $$
DECLARE prev text := coalesce(current_setting('sozmon.demo', true), '');
BEGIN
  PERFORM set_config('sozmon.demo', 'on', true);
  INSERT INTO kommune_spread (indicator_id, year, lo, q1, q3, hi, n, synthetic)
  SELECT v.indicator_id, v.year, min(v.value),
         percentile_cont(0.25) WITHIN GROUP (ORDER BY v.value),
         percentile_cont(0.75) WITHIN GROUP (ORDER BY v.value),
         max(v.value), count(*), bool_or(v.synthetic)
  FROM area a CROSS JOIN LATERAL (SELECT * FROM shown_value s WHERE s.ags = a.ags OFFSET 0) v
  WHERE a.level = 'kommune' AND v.value IS NOT NULL AND NOT v.suppressed
  GROUP BY v.indicator_id, v.year;
  PERFORM set_config('sozmon.demo', prev, true);
END $$
"""


INDICATORS = """
DO $$
DECLARE prev text := coalesce(current_setting('sozmon.demo', true), '');
BEGIN
  PERFORM set_config('sozmon.demo', 'on', true);
  INSERT INTO indicator_summary (indicator_id, release_ids, release_label, synthetic, years)
  SELECT indicator_id, array_agg(DISTINCT release_id), string_agg(DISTINCT release_label, ' + '),
         bool_or(synthetic), array_agg(DISTINCT year ORDER BY year)
  FROM shown_value GROUP BY indicator_id;
  PERFORM set_config('sozmon.demo', prev, true);
END $$
"""

SUMMARIES = """
INSERT INTO release_summary (release_id, first_year, last_year, n_indicators, n_values)
SELECT r.id, min(v.year), max(v.year), count(DISTINCT v.indicator_id), count(v.*)
FROM release r LEFT JOIN value v ON v.release_id = r.id GROUP BY r.id
"""


def upgrade() -> None:
    """The spreads and release summary tables, filled from the current data."""
    op.create_table(
        "kommune_spread",
        sa.Column(
            "indicator_id",
            sa.String(60),
            sa.ForeignKey("indicator.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("lo", sa.Float, nullable=False),
        sa.Column("q1", sa.Float, nullable=False),
        sa.Column("q3", sa.Float, nullable=False),
        sa.Column("hi", sa.Float, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
    )
    op.create_table(
        "indicator_summary",
        sa.Column(
            "indicator_id",
            sa.String(60),
            sa.ForeignKey("indicator.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("release_ids", postgresql.ARRAY(sa.Integer), nullable=False),
        sa.Column("release_label", sa.Text),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("years", postgresql.ARRAY(sa.Integer), nullable=False),
    )
    op.create_table(
        "release_summary",
        sa.Column(
            "release_id",
            sa.Integer,
            sa.ForeignKey("release.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("first_year", sa.Integer),
        sa.Column("last_year", sa.Integer),
        sa.Column("n_indicators", sa.BigInteger, nullable=False),
        sa.Column("n_values", sa.BigInteger, nullable=False),
    )
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "') THEN"
        f" GRANT SELECT, INSERT, DELETE ON kommune_spread, indicator_summary, release_summary TO {APP_ROLE};"
        " END IF; END $$"
    )
    op.execute(FILL)
    op.execute(INDICATORS)
    op.execute(SUMMARIES)


def downgrade() -> None:
    """Back to revision 0014: the spreads are computed per request again."""
    op.drop_table("release_summary")
    op.drop_table("indicator_summary")
    op.drop_table("kommune_spread")
