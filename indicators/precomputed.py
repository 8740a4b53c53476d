"""Figures that are the same for every visitor, kept per data version (issue #32).

`refresh()` runs inside the transaction of every publish and rollback (indicators.releases),
so the kept rows change together with the shown values, and a rolled-back transaction takes
them back too. The pages read the kept rows instead of computing them over every area of
Germany per request (their readers: indicators.ranking_queries, scatter_queries, api_queries,
each beside the live computation the tests compare the kept rows with).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy import Connection, text

from geodata.memo import has_memo, memoised, not_memoised
from geodata.model import Area
from indicators.queries import DEMO_ON, PROFILE_VISIBLE, ReleaseRef, value_source

# The shown values of the refreshed indicators in every area, computed once per refresh into a
# temporary table that the catalogue rows, the ranks and the territory lists read (each of them
# applied the rule's DISTINCT ON to every value of Germany again before: 16 s, 48 s and 9 s of a
# full refresh). Only the columns they read. Dropped at the end of the refresh (a failed
# transaction takes its creation back).
KEPT_SHOWN = "pg_temp.kept_shown"
SHOWN_SQL = f"""
CREATE TEMPORARY TABLE {KEPT_SHOWN} AS
SELECT s.indicator_id, s.ags, s.year, s.value, s.suppressed, s.flag, s.release_id,
  s.release_label, s.synthetic
FROM shown_value s
WHERE CAST(:ids AS text[]) IS NULL OR s.indicator_id = ANY(CAST(:ids AS text[]))
"""

# Memory for the refresh's sorts and hashes (the shown values of all of Germany: ~330 MB in
# memory; with the default 4 MB they were merged on disk), set for the refresh only.
REFRESH_WORK_MEM = "512MB"


# Per indicator and year the spread of the Kommunen's shown values. Per Kommune through the
# (ags, …) index of every partition: a condition on a key column of the rule's DISTINCT ON
# reaches into it, a join would not (the rule over all of Germany's values first); OFFSET 0
# keeps the lateral subquery from being pulled up into a join (4.8 s → 0.1 s on the fixture). Demo mode is on
# while this runs (refresh), so synthetic rows are kept too, marked; readers filter them.
SPREADS_SQL = """
INSERT INTO kommune_spread (indicator_id, year, lo, q1, q3, hi, n, synthetic)
SELECT v.indicator_id, v.year, min(v.value),
       percentile_cont(0.25) WITHIN GROUP (ORDER BY v.value),
       percentile_cont(0.75) WITHIN GROUP (ORDER BY v.value),
       max(v.value), count(*), bool_or(v.synthetic)
FROM area a CROSS JOIN LATERAL (SELECT * FROM shown_value s WHERE s.ags = a.ags
  AND (CAST(:ids AS text[]) IS NULL OR s.indicator_id = ANY(CAST(:ids AS text[]))) OFFSET 0) v
WHERE a.level = 'kommune' AND v.value IS NOT NULL AND NOT v.suppressed
GROUP BY v.indicator_id, v.year
"""


# Per indicator the releases its shown values come from and their years (the catalogue of the
# API and /kennzahlen, the attribution of /api/v1/values): one GROUP BY over every shown value
# of Germany per request before. A condition on indicator_id reaches into the rule's
# DISTINCT ON, so a publish recomputes only its own indicators. Demo mode on, rows marked.
def indicator_rows(source: str, where: str = "true") -> str:
    """Per indicator of a value relation: release ids, label(s), synthetic, years (SQL)."""
    return (
        "SELECT indicator_id, array_agg(DISTINCT release_id) AS release_ids,"
        " string_agg(DISTINCT release_label, ' + ') AS release_label,"
        " bool_or(synthetic) AS synthetic, array_agg(DISTINCT year ORDER BY year) AS years"
        f" FROM {source} x WHERE {where} GROUP BY indicator_id"
    )


INDICATORS_SQL = (
    "INSERT INTO indicator_summary (indicator_id, release_ids, release_label, synthetic, years) "
    # Per indicator, release, label and year first (hashed): the DISTINCT aggregates then sort
    # a few thousand rows instead of every shown value; the same sets, so the same rows.
    + indicator_rows(
        "(SELECT indicator_id, release_id, release_label, year, bool_or(synthetic) AS synthetic"
        f" FROM {KEPT_SHOWN} GROUP BY 1, 2, 3, 4)"
    )
)


# The shown values of the areas profiles and comparisons of the home Kommunen read (the
# Kommune, the Region, the Länder, the Bund; migration 0020): per area through the (ags, …)
# index of every partition, as SPREADS_SQL. Demo mode on, rows marked (readers filter).
PROFILE_LEVELS = ("region", "kommune", "land", "bund")
PROFILE_COLUMNS = (
    "release_id, indicator_id, ags, year, value, numerator, denominator, suppressed, flag,"
    " release_label, synthetic, status, published_at"
)
PROFILE_VALUES_SQL = f"""
INSERT INTO profile_value ({PROFILE_COLUMNS})
SELECT {", ".join("v." + c.strip() for c in PROFILE_COLUMNS.split(","))}
FROM area a CROSS JOIN LATERAL (SELECT * FROM shown_value s WHERE s.ags = a.ags
  AND (CAST(:ids AS text[]) IS NULL OR s.indicator_id = ANY(CAST(:ids AS text[]))) OFFSET 0) v
WHERE a.level = ANY(CAST(:levels AS text[]))
"""


# Per release its years and counts (what /daten lists per published release). A release's
# values do not change once published, so its row is written at its publish, from its own
# partition only; a withdrawn release keeps its row (the readers ask for published ones).
# Two hashed aggregates (per release and indicator, then per release) instead of a
# count(DISTINCT …), which sorted every value of Germany (7.2 s → 1.1 s on all of Germany).
SUMMARY_SQL = """
INSERT INTO release_summary (release_id, first_year, last_year, n_indicators, n_values)
SELECT r.id, min(v.first_year), max(v.last_year), count(v.indicator_id), coalesce(sum(v.n), 0)
FROM release r LEFT JOIN (
  SELECT release_id, indicator_id, min(year) AS first_year, max(year) AS last_year,
    count(*) AS n
  FROM value WHERE CAST(:r AS integer) IS NULL OR release_id = :r GROUP BY 1, 2) v
  ON v.release_id = r.id
WHERE CAST(:r AS integer) IS NULL OR r.id = :r GROUP BY r.id
"""


# Per published or withdrawn release the areas it holds a value of (any indicator and year,
# withheld ones too): the pin of a page over many indicators (indicators.pinning
# .page_release_ids) reads these rows instead of asking each release's partition of `value`
# about every area the page reads (an area profile: every Gemeinde of its Land, 60–80 ms with
# Germany loaded). Written at a release's publish from its own partition, as SUMMARY_SQL (its
# values do not change after it), and kept when it is withdrawn (a cited page pins it); a
# draft has none (no pin holds a draft). A hashed DISTINCT: ~1 s over every value of Germany.
RELEASE_AREAS_SQL = """
INSERT INTO release_area (release_id, ags)
SELECT DISTINCT v.release_id, v.ags FROM value v JOIN release r ON r.id = v.release_id
WHERE r.status IN ('published', 'withdrawn')
  AND (CAST(:r AS integer) IS NULL OR v.release_id = :r)
"""

# Per indicator and Gemeinde or Kreis (the home Kommunen and the Region among them): its
# headline year (the profile's rule: the newest year with a real value, else the newest; an
# indicator's shown values are all real or all synthetic, so one row serves both modes), its
# rank among the areas of its level in its Land and (a Gemeinde) in its Kreis (1 = highest
# value, equal values share a rank, as indicators.gebiet_profile._rank) and how many they are.
# The area profile read every value of the Land's Gemeinden in every year for these (migration
# 0024). From the refresh's shown values (KEPT_SHOWN, ANALYZEd, so the estimates are right): the
# headline year per (indicator, area) by a hashed GROUP BY, the ranks only in the years that are
# some area's headline year (hash joins), then the windows over those rows only. (A first
# version of 0024 joined the headline rows with the ranked ones straight on the view: after a
# load with stale statistics PostgreSQL chose a merge join that compared every Gemeinde of an
# indicator and year with every other; the windows-only statement that replaced it sorted all
# of Germany's shown values three times, 48 s of a full refresh.) Demo mode on, rows marked.
# Into a temporary table first: area_rank is then changed by its differences only (below).
RANK_LEVELS = ("gemeinde", "kommune", "kreis", "region")
RANK_COLUMNS = "indicator_id, ags, year, rank_land, n_land, rank_kreis, n_kreis, synthetic"
KEPT_RANKS_NEW = "pg_temp.kept_rank_new"
RANKS_SQL = f"""
CREATE TEMPORARY TABLE {KEPT_RANKS_NEW} AS
WITH v AS MATERIALIZED (
  SELECT s.indicator_id, s.ags, s.year, s.value, s.synthetic,
    (s.value IS NOT NULL AND NOT s.suppressed) AS peer,
    (s.value IS NOT NULL OR s.suppressed) AS shown
  FROM {KEPT_SHOWN} s JOIN area a ON a.ags = s.ags
  WHERE a.level = ANY(CAST(:levels AS text[]))),
h AS (
  SELECT indicator_id, ags, coalesce(max(year) FILTER (WHERE NOT synthetic AND shown),
    max(year) FILTER (WHERE shown)) AS headline
  FROM v GROUP BY indicator_id, ags),
needed AS (SELECT DISTINCT indicator_id, headline FROM h WHERE headline IS NOT NULL),
k AS (
  SELECT v.*, h.headline,
    rank() OVER (PARTITION BY v.indicator_id, v.year, length(v.ags), left(v.ags, 2), v.peer
                 ORDER BY v.value DESC) AS rank_land,
    count(*) FILTER (WHERE v.peer)
      OVER (PARTITION BY v.indicator_id, v.year, length(v.ags), left(v.ags, 2)) AS n_land,
    rank() OVER (PARTITION BY v.indicator_id, v.year, length(v.ags), left(v.ags, 5), v.peer
                 ORDER BY v.value DESC) AS rank_kreis,
    count(*) FILTER (WHERE v.peer)
      OVER (PARTITION BY v.indicator_id, v.year, length(v.ags), left(v.ags, 5)) AS n_kreis
  FROM v JOIN needed n ON n.indicator_id = v.indicator_id AND n.headline = v.year
  JOIN h ON h.indicator_id = v.indicator_id AND h.ags = v.ags)
SELECT indicator_id, ags, year, CASE WHEN peer THEN rank_land END AS rank_land, n_land,
  CASE WHEN length(ags) = 8 AND peer THEN rank_kreis END AS rank_kreis,
  CASE WHEN length(ags) = 8 THEN n_kreis END AS n_kreis, synthetic
FROM k WHERE year = headline
"""

# area_rank changed by its differences only: the rows of the refreshed indicators that are not
# among the new ones go, the new ones that are not there yet come. The same rows as a DELETE of
# all and an INSERT of the new ones, but a refresh that changes few ranks (a publish of another
# level's values, `sozmon precompute` after a small correction) no longer rewrites ~585,000 rows
# with their two indexes and their foreign key check (27 s on all of Germany).
_SAME_RANK = " AND ".join(
    f"n.{c} IS NOT DISTINCT FROM o.{c}" for c in RANK_COLUMNS.replace(" ", "").split(",")
)
RANKS_DELETE_SQL = f"""
DELETE FROM area_rank o
WHERE (CAST(:ids AS text[]) IS NULL OR o.indicator_id = ANY(CAST(:ids AS text[])))
  AND NOT EXISTS (SELECT 1 FROM {KEPT_RANKS_NEW} n
    WHERE n.indicator_id = o.indicator_id AND n.ags = o.ags AND {_SAME_RANK})
"""
RANKS_INSERT_SQL = f"""
INSERT INTO area_rank ({RANK_COLUMNS})
SELECT {RANK_COLUMNS} FROM {KEPT_RANKS_NEW} n
WHERE NOT EXISTS (SELECT 1 FROM area_rank o
  WHERE o.indicator_id = n.indicator_id AND o.ags = n.ags AND {_SAME_RANK})
ORDER BY indicator_id, ags
"""

# Per territory (the Bund 'DG', a Land, a Kreis or the Region) and map level the indicators
# with a visible value of an area of that level in it (key length and prefix, as
# indicators.gebiet_queries.indicators_at): a territory map's indicator list, a DISTINCT over
# every visible value of the Land's Gemeinden per request before. A row is `synthetic` when
# all its visible values are (outside demo mode the view has none of them; the rule ranks real
# before synthetic and shows an indicator's synthetic values only when it has no real ones, so
# its visible values there are all real or all synthetic). With each row its `years` (a drawn
# value: a number, not withheld) and `default_year` (migration 0025), the live scope_years and
# scope_default_year of gebiet_queries over the same visible values: the newest year in which
# at least half as many visible values are real numbers as in the year with the most (each
# release's row counted, as the live GROUP BY counts them); NULL when none is.
# The visible values per Kreis key (the first five digits), key length, indicator and year
# (~420,000 rows for all of Germany), into a temporary table that is ANALYZEd: the view's
# estimate (a few rows) made the planner check each of the ~1.2 million territory rows below
# against `area` by a nested loop (35 s under load instead of a few).
KEPT_TERRITORY_YEARS = "pg_temp.kept_territory_years"
TERRITORY_YEARS_SQL = f"""
CREATE TEMPORARY TABLE {KEPT_TERRITORY_YEARS} AS
SELECT left(ags, 5) AS k, length(ags) AS len, indicator_id, year,
  bool_and(synthetic) AS synthetic,
  bool_or(value IS NOT NULL AND NOT coalesce(suppressed, false)) AS drawn,
  count(*) FILTER (WHERE NOT synthetic AND value IS NOT NULL
    AND NOT coalesce(suppressed, false)) AS n
FROM visible_value WHERE length(ags) IN (2, 5, 8)
  AND (CAST(:ids AS text[]) IS NULL OR indicator_id = ANY(CAST(:ids AS text[])))
GROUP BY 1, 2, 3, 4
"""
TERRITORIES_SQL = f"""
WITH t AS (
  SELECT k AS territory, 'gemeinde' AS ebene, indicator_id, year, synthetic, drawn, n
  FROM {KEPT_TERRITORY_YEARS} WHERE len = 8
  UNION ALL SELECT left(k, 2), CASE len WHEN 8 THEN 'gemeinde' ELSE 'kreis' END, indicator_id,
    year, synthetic, drawn, n FROM {KEPT_TERRITORY_YEARS} WHERE len IN (5, 8)
  UNION ALL SELECT 'DG', CASE len WHEN 8 THEN 'gemeinde' WHEN 5 THEN 'kreis' ELSE 'land' END,
    indicator_id, year, synthetic, drawn, n FROM {KEPT_TERRITORY_YEARS}),
y AS (
  SELECT t.territory, t.ebene, t.indicator_id, t.year, bool_and(t.synthetic) AS synthetic,
    bool_or(t.drawn) AS drawn, sum(t.n) AS n,
    max(sum(t.n)) OVER (PARTITION BY t.territory, t.ebene, t.indicator_id) AS best
  FROM t JOIN (SELECT ags FROM area WHERE level IN ('bund', 'land', 'kreis', 'region')) a
    ON a.ags = t.territory
  GROUP BY t.territory, t.ebene, t.indicator_id, t.year)
INSERT INTO territory_indicator (territory, ebene, indicator_id, synthetic, years, default_year)
SELECT territory, ebene, indicator_id, bool_and(synthetic),
  coalesce(array_agg(year ORDER BY year) FILTER (WHERE drawn), '{{}}'),
  max(year) FILTER (WHERE n > 0 AND n * 2 >= best)
FROM y GROUP BY territory, ebene, indicator_id
"""

# Per indicator, year, key length and Land the shown values of the areas of that level in the
# Land as arrays in key order (migration 0025): a territory map reads its Länder's rows (one
# for a Land or a Kreis, 16 for Germany) instead of the rule over every value of the indicator
# and year in the territory per request (gebiet_queries.scope_values: ~11,000 for Germany's
# Gemeinden). From the refresh's shown values; a row is `synthetic` when all its values are (an
# indicator's shown values are all real or all synthetic). Demo mode on, rows marked.
TERRITORY_VALUES_SQL = f"""
INSERT INTO territory_value (indicator_id, year, len, land, synthetic, ags, value, suppressed,
  flag, release_id)
SELECT indicator_id, year, length(ags), left(ags, 2), bool_and(synthetic),
  array_agg(ags ORDER BY ags), array_agg(value ORDER BY ags), array_agg(suppressed ORDER BY ags),
  array_agg(flag ORDER BY ags), array_agg(release_id ORDER BY ags)
FROM {KEPT_SHOWN} WHERE length(ags) IN (2, 5, 8)
GROUP BY indicator_id, year, length(ags), left(ags, 2)
"""

# Per indicator and year the areas with a shown value in the order /api/v1/values lists them
# (AREA_ORDER: the Region first, then by AGS) and the release of each one's value, as parallel
# arrays (0026): a page of /values slices its keys out of them and fetches only its own rows
# (indicators.api_queries), where it applied the rule to every value of the indicator in all
# of Germany, joined and sorted them per request. From the refresh's shown values; one row per
# (indicator, year) (~850 on all of Germany), demo mode on, rows marked (readers filter).
AREA_ORDER = "a.level = 'region' DESC, v.ags"
ORDER_SQL = f"""
INSERT INTO shown_order (indicator_id, year, synthetic, n, ags, release_ids)
SELECT v.indicator_id, v.year, v.synthetic, count(*), array_agg(v.ags ORDER BY {AREA_ORDER}),
  array_agg(v.release_id ORDER BY {AREA_ORDER})
FROM {KEPT_SHOWN} v JOIN area a ON a.ags = v.ags
GROUP BY v.indicator_id, v.year, v.synthetic
"""

_BY_IDS = "CAST(:ids AS text[]) IS NULL OR indicator_id = ANY(CAST(:ids AS text[]))"


def refresh_trends(conn: Connection, indicator_ids: list[str] | None = None) -> int:
    """Recompute the kept trends (area_trend) of these indicators (None: all) from the kept
    profile rows and the current series breaks, in the caller's transaction; rows kept.

    Also after a change of the breaks alone (indicators.loaders.load_series_breaks). Runs the
    live computation (indicators.trend_queries.live_area_trends) over every kept area with
    demo mode on, so the Beispieldaten's trends are kept too, marked `synthetic`."""
    from indicators.trend_queries import live_area_trends

    prev = conn.scalar(text("SELECT coalesce(current_setting('sozmon.demo', true), '')"))
    conn.execute(text("SELECT set_config('sozmon.demo', 'on', true)"))
    try:
        conn.execute(text(f"DELETE FROM area_trend WHERE {_BY_IDS}"), {"ids": indicator_ids})
        areas = list(
            conn.scalars(
                text("SELECT ags FROM area WHERE level = ANY(:lv) ORDER BY ags"),
                {"lv": list(PROFILE_LEVELS)},
            )
        )
        found = live_area_trends(conn, areas, indicator_ids)
        rows = [
            {
                "i": i,
                "a": a,
                "method": t["method"],
                "direction": t["direction"],
                "significant": t["significant"],
                "chi2": t["chi2"],
                "p": t["p"],
                "years": t["years"],
                "reason": t["reason"],
                "synthetic": t["synthetic"],
            }
            for (i, a), t in found.items()
        ]
        if rows:
            conn.execute(
                text(
                    "INSERT INTO area_trend (indicator_id, ags, method, direction, significant,"
                    " chi2, p, years, reason, synthetic) VALUES (:i, :a, :method, :direction,"
                    " :significant, :chi2, :p, :years, :reason, :synthetic)"
                ),
                rows,
            )
    finally:
        conn.execute(text("SELECT set_config('sozmon.demo', :p, true)"), {"p": prev})
    return len(rows)


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did: the indicators it recomputed (None: all), rows kept, seconds taken."""

    indicators: list[str] | None
    rows: int
    seconds: float
    disparities: int = 0  # rows of kommune_disparity kept (indicators.disparities)
    profile_values: int = 0  # rows of profile_value kept
    ranks: int = 0  # rows of area_rank kept
    territories: int = 0  # rows of territory_indicator kept
    trends: int = 0  # rows of area_trend kept
    # Per kept table, in the order written: rows written and seconds taken.
    table_rows: dict[str, int] = field(default_factory=dict)
    table_seconds: dict[str, float] = field(default_factory=dict)


def refresh(
    conn: Connection, indicator_ids: list[str] | None = None, release_id: int | None = None
) -> Refreshed:
    """Recompute the kept figures of these indicators (None: all) and the summary of this
    release (None: of all releases) in the caller's transaction."""
    started = time.perf_counter()
    kept: dict[str, int] = {}
    took: dict[str, float] = {}
    mark = [started]

    def lap(table: str, rows: int) -> int:
        now = time.perf_counter()
        kept[table], took[table], mark[0] = rows, now - mark[0], now
        return rows

    ids = {"ids": indicator_ids}
    conn.execute(
        text("DELETE FROM release_summary WHERE CAST(:r AS integer) IS NULL OR release_id = :r"),
        {"r": release_id},
    )
    lap("release_summary", conn.execute(text(SUMMARY_SQL), {"r": release_id}).rowcount)
    conn.execute(
        text("DELETE FROM release_area WHERE CAST(:r AS integer) IS NULL OR release_id = :r"),
        {"r": release_id},
    )
    lap("release_area", conn.execute(text(RELEASE_AREAS_SQL), {"r": release_id}).rowcount)
    prev = conn.scalar(text("SELECT coalesce(current_setting('sozmon.demo', true), '')"))
    prev_mem = conn.scalar(text("SELECT current_setting('work_mem')"))
    conn.execute(text("SELECT set_config('sozmon.demo', 'on', true)"))
    conn.execute(text("SELECT set_config('work_mem', :m, true)"), {"m": REFRESH_WORK_MEM})
    try:
        conn.execute(
            text(f"DROP TABLE IF EXISTS {KEPT_SHOWN}, {KEPT_RANKS_NEW}, {KEPT_TERRITORY_YEARS}")
        )
        conn.execute(text(f"DELETE FROM kommune_spread WHERE {_BY_IDS}"), ids)
        rows = lap("kommune_spread", conn.execute(text(SPREADS_SQL), ids).rowcount)
        lap("shown_value (temporär)", conn.execute(text(SHOWN_SQL), ids).rowcount)
        conn.execute(text(f"ANALYZE {KEPT_SHOWN}"))
        conn.execute(text(f"DELETE FROM indicator_summary WHERE {_BY_IDS}"), ids)
        lap("indicator_summary", conn.execute(text(INDICATORS_SQL), ids).rowcount)
        conn.execute(text(f"DELETE FROM profile_value WHERE {_BY_IDS}"), ids)
        profile_values = lap(
            "profile_value",
            conn.execute(
                text(PROFILE_VALUES_SQL), {**ids, "levels": list(PROFILE_LEVELS)}
            ).rowcount,
        )
        # After the catalogue rows: they say which indicators' values are synthetic.
        from indicators.disparities import refresh_disparities  # it reads KEPT_INDICATORS

        disparities = lap("kommune_disparity", refresh_disparities(conn, indicator_ids))
        conn.execute(text(RANKS_SQL), {"levels": list(RANK_LEVELS)})
        ranks = conn.scalar(text(f"SELECT count(*) FROM {KEPT_RANKS_NEW}")) or 0
        conn.execute(text(RANKS_DELETE_SQL), ids)
        conn.execute(text(RANKS_INSERT_SQL))
        lap("area_rank", ranks)
        conn.execute(text(f"DELETE FROM territory_indicator WHERE {_BY_IDS}"), ids)
        conn.execute(text(TERRITORY_YEARS_SQL), ids)
        conn.execute(text(f"ANALYZE {KEPT_TERRITORY_YEARS}"))
        territories = lap("territory_indicator", conn.execute(text(TERRITORIES_SQL)).rowcount)
        conn.execute(text(f"DELETE FROM territory_value WHERE {_BY_IDS}"), ids)
        lap("territory_value", conn.execute(text(TERRITORY_VALUES_SQL)).rowcount)
        conn.execute(text(f"DELETE FROM shown_order WHERE {_BY_IDS}"), ids)
        lap("shown_order", conn.execute(text(ORDER_SQL)).rowcount)
        conn.execute(text(f"DROP TABLE {KEPT_SHOWN}, {KEPT_RANKS_NEW}, {KEPT_TERRITORY_YEARS}"))
    finally:
        conn.execute(text("SELECT set_config('work_mem', :m, true)"), {"m": prev_mem})
        conn.execute(text("SELECT set_config('sozmon.demo', :p, true)"), {"p": prev})
    # After the profile rows: the trends are computed from them (demo mode on in there too).
    trends = lap("area_trend", refresh_trends(conn, indicator_ids))
    # After the profile rows (read by the statement kept): every home area's profile and every
    # pair of home Kommunen's comparison, all indicators (rows kept, one value per question).
    from indicators.profile_values import refresh_profile_rows  # it imports this module

    lap("profile_kept", refresh_profile_rows(conn))
    return Refreshed(
        indicator_ids,
        rows,
        time.perf_counter() - started,
        disparities,
        profile_values,
        ranks,
        territories,
        trends,
        kept,
        took,
    )


# The kept catalogue rows the connection's demo mode shows (a relation for the readers' SQL).
KEPT_INDICATORS = (
    "(SELECT indicator_id, release_ids, release_label, synthetic, years"
    f" FROM indicator_summary WHERE NOT synthetic OR {DEMO_ON})"
)


def kept_indicator_years(conn: Connection, min_points: int) -> dict[str, list[int]]:
    """Per indicator the years in which at least min_points Kommunen have a shown value."""
    rows = conn.execute(
        text(
            "SELECT s.indicator_id, s.year FROM kommune_spread s"
            f" WHERE s.n >= :n AND (NOT s.synthetic OR {DEMO_ON})"
            " ORDER BY s.indicator_id, s.year"
        ),
        {"n": min_points},
    )
    out: dict[str, list[int]] = {}
    for r in rows:
        out.setdefault(r.indicator_id, []).append(r.year)
    return out


# The kept rows of profile_value the connection's demo mode shows.
KEPT_RANKS = (
    "(SELECT indicator_id, ags, year, rank_land, n_land, rank_kreis, n_kreis, synthetic"
    f" FROM area_rank WHERE {PROFILE_VISIBLE})"
)
KEPT_TERRITORY_INDICATORS = (
    "(SELECT territory, ebene, indicator_id, years, default_year FROM territory_indicator"
    f" WHERE {PROFILE_VISIBLE})"
)
KEPT_TERRITORY_VALUES = (
    "(SELECT indicator_id, year, len, land, ags, value, suppressed, flag, release_id"
    f" FROM territory_value WHERE {PROFILE_VISIBLE})"
)
KEPT_ORDER = (
    "(SELECT indicator_id, year, synthetic, n, ags, release_ids"
    f" FROM shown_order WHERE {PROFILE_VISIBLE})"
)
KEPT_TRENDS = (
    "(SELECT indicator_id, ags, method, direction, significant, chi2, p, years, reason,"
    f" synthetic FROM area_trend WHERE {PROFILE_VISIBLE})"
)

KEPT_PROFILE_VALUES = f"(SELECT {PROFILE_COLUMNS} FROM profile_value WHERE {PROFILE_VISIBLE})"


def home_values_source(release_id: ReleaseRef) -> str:
    """The values to read for the home region's areas (the kept levels, PROFILE_LEVELS): the
    kept rows of the layered values, else the named release's or the cited view's
    (value_source)."""
    return KEPT_PROFILE_VALUES if release_id is None else value_source(release_id)


def all_kept(areas: str) -> str:
    """SQL: whether every area of the text[] expression `areas` is of a kept level."""
    levels = ", ".join(f"'{level}'" for level in PROFILE_LEVELS)
    return (
        f"((SELECT count(*) FROM area k WHERE k.ags = ANY({areas}) AND k.level IN ({levels}))"
        f" = (SELECT count(DISTINCT x) FROM unnest({areas}) x))"
    )


def profile_source(areas: str, release_id: ReleaseRef) -> str:
    """The relation of the shown values of the areas a statement reads (`areas`: the SQL
    expression of their text[], a bound parameter): the kept rows when no release is named and
    every one of them is of a kept level (PROFILE_LEVELS), else the live view; a named release
    reads value_source's relation.

    The choice is made in the statement, not by a query of its own (no round trip more): each
    branch of the UNION ALL is gated by the same uncorrelated subquery, computed once (an
    InitPlan), and the branch it rules out is never executed. A condition of the caller on
    `ags`, `indicator_id` or `year` reaches into both branches.
    """
    if release_id is not None:
        return value_source(release_id)
    kept = all_kept(areas)
    return (
        f"(SELECT {PROFILE_COLUMNS} FROM profile_value WHERE {PROFILE_VISIBLE}"
        f" AND {kept} UNION ALL SELECT {PROFILE_COLUMNS} FROM shown_value WHERE NOT {kept})"
    )


# Every area of a kept level (PROFILE_LEVELS; ~40 on all of Germany: the home Kommunen, the
# Region, the Länder, the Bund), read once per data version (indicators.version_reads sends it
# with a page's other per-version reads): which areas the kept rows hold, and the areas (names,
# kinds, sizes) a profile and a comparison show besides their own (the Kreis, Land and Bund).
KEPT_AREAS_SQL = (
    "SELECT ags, name, kind, level, area_km2 FROM area WHERE level IN ("
    + ", ".join(f"'{level}'" for level in PROFILE_LEVELS)
    + ") ORDER BY ags"
)


def kept_areas_from(names: Sequence[str], rows: Sequence[Sequence[object]]) -> Mapping[str, Area]:
    """kept_areas from KEPT_AREAS_SQL's rows (columns `names`; read-only: the memo shares it)."""
    found = (Area.from_row(dict(zip(names, r, strict=True))) for r in rows)
    return MappingProxyType({a.ags: a for a in found})


def kept_areas(conn: Connection, read: bool = True) -> Mapping[str, Area] | None:
    """Key → area of the areas of a kept level, kept per data version; None on a connection
    without a memo (there the statements decide themselves, profile_source), and with `read`
    false when the memo does not hold them yet (a reader that has a statement of its own
    anyway, on a page that did not read them ahead: no statement more)."""
    if not has_memo(conn) or (not read and not_memoised(conn, ["kept_areas"])):
        return None

    def build() -> Mapping[str, Area]:
        rows = conn.execute(text(KEPT_AREAS_SQL))
        return kept_areas_from(list(rows.keys()), rows.all())

    return memoised(conn, "kept_areas", build)


def profile_source_for(
    conn: Connection, keys: Sequence[str], areas: str, release_id: ReleaseRef
) -> str:
    """profile_source with its choice made here, once per data version, when the connection
    has a memo: the statement then names the kept rows (or the live view) alone.

    The gate in the statement (profile_source) has the planner plan both relations and
    estimate the kept one badly (a merge join where a hash join is faster, planning ~2x,
    docs/ops/prof34.md); which areas are of a kept level is known per data version, so the
    choice is the same as the gate's: the kept rows when every key is one of them."""
    kept = None if release_id is not None else kept_areas(conn)
    if kept is None:
        return profile_source(areas, release_id)
    if all(k in kept for k in keys):
        return KEPT_PROFILE_VALUES
    return f"(SELECT {PROFILE_COLUMNS} FROM shown_value)"
