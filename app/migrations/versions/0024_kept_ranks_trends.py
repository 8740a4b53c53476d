"""Ranks, territory indicator lists and trends kept at publish (issue #32).

- `area_rank`: per indicator and area (Gemeinden and Kreise, the home Kommunen and the Region
  among them) its headline year (the profile's rule: the newest year with a real value, else
  the newest), its rank among the areas of its level in its Land and, for a Gemeinde, in its
  Kreis, and how many they are. The area profile (`/gebiet/<ags>`) read every value of the
  Land's Gemeinden in every year for these (6–7 s for a Gemeinde of Rheinland-Pfalz with all
  of Germany loaded, docs/ops/pinpages.md); now one row per indicator.
- `territory_indicator`: per territory (Bund, Land, Kreis, the Region) and map level the
  indicators with a visible value there: the territory map's indicator list (a DISTINCT over
  every visible value of the Land's Gemeinden before).
- `area_trend`: per indicator and area of the kept profile rows (0020: the Kommunen, the
  Region, the Länder, the Bund) the trend of its series since the newest break
  (indicators.trends.Trend's fields): what the profile, the comparison and `/api/v1/trends`
  computed per request. Written by Python (scipy's chi² distribution), so this migration
  leaves it empty: run `sozmon precompute` after the upgrade of a database with data.

All three are written with demo mode on, the Beispieldaten marked `synthetic`, and
list-partitioned by `synthetic` as `profile_value` (0023): outside demo mode the readers'
`synthetic = ANY(ARRAY[false, <demo mode>])` prunes the demo partition unread. Recomputed per
indicator in every publish and rollback (indicators.precomputed.refresh), `area_trend` also
when the series breaks change (`sozmon load-catalogue`, indicators.loaders.load_series_breaks).
`area_rank` and `territory_indicator` are filled here from the current data (the writer's
statements at the time of writing: a migration does not import code).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"
TABLES = {
    "area_rank": """
CREATE TABLE area_rank (
    indicator_id varchar(60) NOT NULL REFERENCES indicator (id) ON DELETE CASCADE,
    ags varchar(8) NOT NULL,
    year integer NOT NULL,
    rank_land integer,
    n_land integer NOT NULL,
    rank_kreis integer,
    n_kreis integer,
    synthetic boolean NOT NULL,
    CONSTRAINT area_rank_pkey PRIMARY KEY (indicator_id, ags, synthetic)
) PARTITION BY LIST (synthetic)
""",
    "territory_indicator": """
CREATE TABLE territory_indicator (
    territory varchar(8) NOT NULL,
    ebene varchar(8) NOT NULL,
    indicator_id varchar(60) NOT NULL REFERENCES indicator (id) ON DELETE CASCADE,
    synthetic boolean NOT NULL,
    CONSTRAINT territory_indicator_pkey PRIMARY KEY (territory, ebene, indicator_id, synthetic)
) PARTITION BY LIST (synthetic)
""",
    "area_trend": """
CREATE TABLE area_trend (
    indicator_id varchar(60) NOT NULL REFERENCES indicator (id) ON DELETE CASCADE,
    ags varchar(8) NOT NULL,
    method varchar(20),
    direction varchar(20),
    significant boolean,
    chi2 double precision,
    p double precision,
    years integer[] NOT NULL,
    reason varchar(20),
    synthetic boolean NOT NULL,
    CONSTRAINT area_trend_pkey PRIMARY KEY (indicator_id, ags, synthetic)
) PARTITION BY LIST (synthetic)
""",
}
INDEXES = (
    "CREATE INDEX area_rank_by_area ON area_rank (ags)",
    "CREATE INDEX area_trend_by_area ON area_trend (ags, indicator_id)",
)

# The writers' statements (indicators.precomputed) at the time of writing, for every indicator.
RANKS = """
WITH v AS (
  SELECT s.indicator_id, s.ags, s.year, s.value, s.suppressed, s.synthetic,
    (s.value IS NOT NULL AND NOT s.suppressed) AS peer
  FROM area a CROSS JOIN LATERAL (SELECT * FROM shown_value s WHERE s.ags = a.ags OFFSET 0) s
  WHERE a.level IN ('gemeinde', 'kommune', 'kreis', 'region')),
h AS (
  SELECT v.*, coalesce(
      max(year) FILTER (WHERE NOT synthetic AND (value IS NOT NULL OR suppressed)) OVER a,
      max(year) FILTER (WHERE value IS NOT NULL OR suppressed) OVER a) AS headline
  FROM v WINDOW a AS (PARTITION BY indicator_id, ags)),
y AS (
  SELECT h.*, bool_or(year = headline) OVER (PARTITION BY indicator_id, year) AS needed FROM h),
k AS (
  SELECT y.*,
    rank() OVER (PARTITION BY indicator_id, year, length(ags), left(ags, 2), peer
                 ORDER BY value DESC) AS rank_land,
    count(*) FILTER (WHERE peer)
      OVER (PARTITION BY indicator_id, year, length(ags), left(ags, 2)) AS n_land,
    rank() OVER (PARTITION BY indicator_id, year, length(ags), left(ags, 5), peer
                 ORDER BY value DESC) AS rank_kreis,
    count(*) FILTER (WHERE peer)
      OVER (PARTITION BY indicator_id, year, length(ags), left(ags, 5)) AS n_kreis
  FROM y WHERE needed)
INSERT INTO area_rank (indicator_id, ags, year, rank_land, n_land, rank_kreis, n_kreis, synthetic)
SELECT indicator_id, ags, year, CASE WHEN peer THEN rank_land END, n_land,
  CASE WHEN length(ags) = 8 AND peer THEN rank_kreis END,
  CASE WHEN length(ags) = 8 THEN n_kreis END, synthetic
FROM k WHERE year = headline
"""

TERRITORIES = """
WITH x AS (
  SELECT left(ags, 5) AS k, length(ags) AS len, indicator_id, bool_and(synthetic) AS synthetic
  FROM visible_value WHERE length(ags) IN (2, 5, 8) GROUP BY 1, 2, 3),
t AS (
  SELECT k AS territory, 'gemeinde' AS ebene, indicator_id, synthetic FROM x WHERE len = 8
  UNION ALL SELECT left(k, 2), CASE len WHEN 8 THEN 'gemeinde' ELSE 'kreis' END, indicator_id,
    synthetic FROM x WHERE len IN (5, 8)
  UNION ALL SELECT 'DG', CASE len WHEN 8 THEN 'gemeinde' WHEN 5 THEN 'kreis' ELSE 'land' END,
    indicator_id, synthetic FROM x)
INSERT INTO territory_indicator (territory, ebene, indicator_id, synthetic)
SELECT t.territory, t.ebene, t.indicator_id, bool_and(t.synthetic) FROM t
WHERE EXISTS (SELECT 1 FROM area a WHERE a.ags = t.territory
  AND a.level IN ('bund', 'land', 'kreis', 'region'))
GROUP BY t.territory, t.ebene, t.indicator_id
"""


def _fill(statement: str) -> str:
    return (
        "DO $$ DECLARE prev text := coalesce(current_setting('sozmon.demo', true), '');"
        " BEGIN PERFORM set_config('sozmon.demo', 'on', true); "
        + statement.replace("$$", "")
        + "; PERFORM set_config('sozmon.demo', prev, true); END $$"
    )


def upgrade() -> None:
    """The three tables, partitioned by synthetic, the ranks and territory lists filled."""
    for name, ddl in TABLES.items():
        op.execute(ddl)
        op.execute(f"CREATE TABLE {name}_real PARTITION OF {name} FOR VALUES IN (false)")
        op.execute(f"CREATE TABLE {name}_demo PARTITION OF {name} FOR VALUES IN (true)")
        op.execute(
            "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "')"
            f" THEN GRANT SELECT, INSERT, DELETE ON {name} TO {APP_ROLE}; END IF; END $$"
        )
    for ddl in INDEXES:
        op.execute(ddl)
    op.execute(_fill(RANKS))
    op.execute(_fill(TERRITORIES))
    for name in TABLES:
        op.execute(f"ANALYZE {name}")


def downgrade() -> None:
    """Back to 0023: the three tables dropped."""
    for name in TABLES:
        op.execute(f"DROP TABLE {name}")
