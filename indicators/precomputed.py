"""Figures that are the same for every visitor, kept per data version (issue #32).

`refresh()` runs inside the transaction of every publish and rollback (indicators.releases),
so the kept rows change together with the shown values, and a rolled-back transaction takes
them back too. The pages read the kept rows instead of computing them over every area of
Germany per request (their readers: indicators.ranking_queries, scatter_queries, api_queries,
each beside the live computation the tests compare the kept rows with).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Connection, text

from indicators.queries import DEMO_ON, ReleaseRef, value_source

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
    + indicator_rows(
        "shown_value",
        "CAST(:ids AS text[]) IS NULL OR indicator_id = ANY(CAST(:ids AS text[]))",
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
SUMMARY_SQL = """
INSERT INTO release_summary (release_id, first_year, last_year, n_indicators, n_values)
SELECT r.id, min(v.year), max(v.year), count(DISTINCT v.indicator_id), count(v.*)
FROM release r LEFT JOIN value v ON v.release_id = r.id
WHERE CAST(:r AS integer) IS NULL OR r.id = :r GROUP BY r.id
"""


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did: the indicators it recomputed (None: all), rows kept, seconds taken."""

    indicators: list[str] | None
    rows: int
    seconds: float
    disparities: int = 0  # rows of kommune_disparity kept (indicators.disparities)
    profile_values: int = 0  # rows of profile_value kept


def refresh(
    conn: Connection, indicator_ids: list[str] | None = None, release_id: int | None = None
) -> Refreshed:
    """Recompute the kept figures of these indicators (None: all) and the summary of this
    release (None: of all releases) in the caller's transaction."""
    started = time.perf_counter()
    conn.execute(
        text("DELETE FROM release_summary WHERE CAST(:r AS integer) IS NULL OR release_id = :r"),
        {"r": release_id},
    )
    conn.execute(text(SUMMARY_SQL), {"r": release_id})
    prev = conn.scalar(text("SELECT coalesce(current_setting('sozmon.demo', true), '')"))
    conn.execute(text("SELECT set_config('sozmon.demo', 'on', true)"))
    try:
        conn.execute(
            text(
                "DELETE FROM kommune_spread"
                " WHERE CAST(:ids AS text[]) IS NULL OR indicator_id = ANY(CAST(:ids AS text[]))"
            ),
            {"ids": indicator_ids},
        )
        rows = conn.execute(text(SPREADS_SQL), {"ids": indicator_ids}).rowcount
        conn.execute(
            text(
                "DELETE FROM indicator_summary WHERE CAST(:ids AS text[]) IS NULL"
                " OR indicator_id = ANY(CAST(:ids AS text[]))"
            ),
            {"ids": indicator_ids},
        )
        conn.execute(text(INDICATORS_SQL), {"ids": indicator_ids})
        conn.execute(
            text(
                "DELETE FROM profile_value WHERE CAST(:ids AS text[]) IS NULL"
                " OR indicator_id = ANY(CAST(:ids AS text[]))"
            ),
            {"ids": indicator_ids},
        )
        profile_values = conn.execute(
            text(PROFILE_VALUES_SQL), {"ids": indicator_ids, "levels": list(PROFILE_LEVELS)}
        ).rowcount
        # After the catalogue rows: they say which indicators' values are synthetic.
        from indicators.disparities import refresh_disparities  # it reads KEPT_INDICATORS

        disparities = refresh_disparities(conn, indicator_ids)
    finally:
        conn.execute(text("SELECT set_config('sozmon.demo', :p, true)"), {"p": prev})
    return Refreshed(
        indicator_ids, rows, time.perf_counter() - started, disparities, profile_values
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


# Which kept profile rows the connection's demo mode shows: the condition on the partition
# key (0023) names `true` in demo mode only, so outside it PostgreSQL prunes the demo
# partition at the statement's start and its rows are not read (a whole non-constant array
# would not prune; an ARRAY[...] of stable expressions does).
PROFILE_VISIBLE = f"synthetic = ANY(ARRAY[false, ({DEMO_ON})])"

# The kept rows of profile_value the connection's demo mode shows.
KEPT_PROFILE_VALUES = f"(SELECT {PROFILE_COLUMNS} FROM profile_value WHERE {PROFILE_VISIBLE})"


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
