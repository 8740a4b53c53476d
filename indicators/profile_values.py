"""The profile's values statement, and its rows kept per home area at publish (issue #32).

A Kommune's or the Region's profile without a named release reads the same rows for every
visitor of a data version: `refresh_profile_rows` runs VALUES_SQL once per home area (and per
demo mode) in the publish's transaction (indicators.precomputed.refresh, right after
`profile_value`, which it reads) and keeps its rows in `profile_row` (migration 0030) in the
statement's order; the request reads them by key (`kept_rows`) instead of running the
statement (~20 ms with its fetch on all of Germany). A request whose asked areas are not
exactly those kept (another region, a release named) runs the statement (`live_rows`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from geodata.levels import BUND_AGS
from indicators.precomputed import KEPT_AREAS_SQL, KEPT_PROFILE_VALUES, PROFILE_COLUMNS
from indicators.queries import DEMO_ON

# Per indicator the values of the asked-for areas (layered rule, or one named release), the
# headline year, and the peers' values in it (for the ranks, computed by
# indicators.ranking.rank_values, the one rule of every page). The headline year is the newest
# year in which the profile's own area (both areas of a comparison) has a real value, else its
# newest year at all (real beats synthetic: a synthetic continuation of a real series never
# becomes the headline). `asked` tells the asked-for areas' rows from the peers' headline rows.
# Of the asked areas in `brief` (a profile's Region, Land and Bund: it shows them in the
# headline year only) only the row of the headline year and each one's first row (what the
# series' first row told: that the area has values, and the release named when the own area
# has none) are returned, not all their years (`whole`: false), and one row of each year in
# which one of them has a value (the profile's years are the Kommune's and the Region's);
# whether any asked row is synthetic or real (`synthetic_any`, `real_any`) is counted over all
# of them in the statement. Only the asked areas' rows go through the aggregates (`vals`); the
# other peers' (`others`: the peers not asked) are read in their indicator's headline year only,
# joined on it (~1,000 rows instead of every year's ~3,600 for a Kommune).
VALUES_SQL = """
WITH vals AS (  -- the asked areas' rows (every year)
  SELECT v.* FROM {source} v WHERE v.ags = ANY(:areas)
), real_years AS (  -- per indicator the newest year in which every own area has a real value
  SELECT indicator_id, max(year) AS year FROM (
    SELECT indicator_id, year FROM vals WHERE ags = ANY(:own) AND NOT synthetic
    GROUP BY indicator_id, year HAVING count(DISTINCT ags) = cardinality(CAST(:own AS text[]))
  ) y GROUP BY indicator_id
), latest AS (  -- joined, not a subquery per indicator; the polarity once per indicator
  SELECT v.indicator_id, i.polarity,
         coalesce(r.year, max(v.year) FILTER (WHERE v.ags = ANY(:own)), max(v.year)) AS latest_year,
         bool_or(v.synthetic) AS synthetic_any, bool_or(NOT v.synthetic) AS real_any
  FROM vals v JOIN indicator i ON i.id = v.indicator_id
  LEFT JOIN real_years r ON r.indicator_id = v.indicator_id
  GROUP BY v.indicator_id, i.polarity, r.year
), first AS (  -- the first year of each brief area's rows
  SELECT indicator_id, ags, min(year) AS year FROM vals WHERE ags = ANY(:brief)
  GROUP BY indicator_id, ags
), years AS (  -- per brief area and year one row (of the first indicator)
  SELECT ags, year, min(indicator_id) AS indicator_id FROM vals WHERE ags = ANY(:brief)
  GROUP BY ags, year
)
SELECT v.indicator_id, v.ags, v.year, v.value, v.numerator, v.denominator, v.suppressed,
       v.flag, v.release_id, v.release_label AS label, v.synthetic, l.latest_year, l.polarity,
       true AS asked,
       v.ags = ANY(:peers) AND v.year = l.latest_year AND v.value IS NOT NULL AS peer,
       f.ags IS NULL OR v.year = l.latest_year AS whole, l.synthetic_any, l.real_any
FROM vals v JOIN latest l ON l.indicator_id = v.indicator_id
LEFT JOIN first f ON f.indicator_id = v.indicator_id AND f.ags = v.ags
LEFT JOIN years y ON y.indicator_id = v.indicator_id AND y.ags = v.ags AND y.year = v.year
WHERE f.ags IS NULL OR v.year = l.latest_year OR v.year = f.year OR y.ags IS NOT NULL
UNION ALL  -- the other peers' rows of the headline year only
SELECT p.indicator_id, p.ags, p.year, p.value, p.numerator, p.denominator, p.suppressed,
       p.flag, p.release_id, p.release_label, p.synthetic, l.latest_year, l.polarity,
       false, p.value IS NOT NULL, true, l.synthetic_any, l.real_any
FROM latest l JOIN {source} p ON p.indicator_id = l.indicator_id AND p.year = l.latest_year
WHERE p.ags = ANY(:others)
ORDER BY 1, 2, 3
"""


# The statement's columns, as kept (`polarity` is not kept: it is the indicator's, read with
# the rows, so an edit of the catalogue needs no refresh of these).
KEPT_COLUMNS = (
    "indicator_id, ags, year, value, numerator, denominator, suppressed, flag, release_id,"
    " label, synthetic, latest_year, asked, peer, whole, synthetic_any, real_any"
)
_Q = ", ".join("q." + c.strip() for c in KEPT_COLUMNS.split(","))
KEEP_SQL = f"""
INSERT INTO profile_row (home, params, demo, pos, {KEPT_COLUMNS})
SELECT :home, :params, {DEMO_ON},
       row_number() OVER (ORDER BY q.indicator_id, q.ags, q.year), {_Q}
FROM ({{values}}) q
"""
# The kept rows in the statement's column order, the polarity joined as the statement joins it.
KEPT_SQL = (
    """
SELECT k.indicator_id, k.ags, k.year, k.value, k.numerator, k.denominator, k.suppressed,
       k.flag, k.release_id, k.label, k.synthetic, k.latest_year, i.polarity, k.asked, k.peer,
       k.whole, k.synthetic_any, k.real_any
FROM profile_row k JOIN indicator i ON i.id = k.indicator_id
WHERE k.home = :home AND k.params = :params AND k.demo = """
    + f"({DEMO_ON})"
    + """
ORDER BY k.pos
"""
)


@dataclass(frozen=True)
class Asked:
    """What the values statement is asked: the areas, the own ones, the peers, the brief ones."""

    areas: tuple[str, ...]
    own: tuple[str, ...]
    peers: tuple[str, ...]
    brief: tuple[str, ...]

    def params(self) -> dict[str, Any]:
        """VALUES_SQL's parameters."""
        return {
            "areas": list(self.areas),
            "all_areas": sorted(set(self.areas) | set(self.peers)),
            "peers": list(self.peers),
            "others": [p for p in self.peers if p not in self.areas],
            "own": list(self.own),
            "brief": [a for a in self.brief if a in self.areas],
        }

    def key(self) -> str:
        """The kept rows' key: the statement reads its areas as sets (ANY), so the sets."""
        p = self.params()
        sets = [sorted(set(p[k])) for k in ("areas", "peers", "own", "brief")]
        return hashlib.sha256(json.dumps(sets).encode()).hexdigest()[:32]


def question_of(
    areas: Sequence[str], own: Sequence[str], peers: Sequence[str], brief: Sequence[str]
) -> Asked:
    """The statement's question (the one place _collect and the refresh build it)."""
    return Asked(tuple(areas), tuple(own), tuple(peers), tuple(brief))


def live_rows(conn: Connection, q: Asked, source: str) -> list[Any]:
    """The statement's rows over the relation `source` (the SQL names :all_areas)."""
    return list(conn.execute(text(VALUES_SQL.format(source=source)), q.params()).all())


def kept_rows(conn: Connection, q: Asked) -> list[Any] | None:
    """The rows kept at publish for this question in the connection's demo mode, or None
    (none kept: another question, or a database not refreshed since migration 0030)."""
    rows = conn.execute(text(KEPT_SQL), {"home": q.own[0], "params": q.key()}).all()
    return list(rows) or None


def home_questions(conn: Connection) -> list[Asked]:
    """The questions of the profiles of the home areas (every Kommune and the Region), as
    indicators.profile.profile asks them: the area, the Region, its Land and the Bund, ranked
    among the home Kommunen (the Region among every Kreis)."""
    homes = conn.execute(
        text("SELECT ags, level FROM area WHERE level IN ('kommune', 'region') ORDER BY ags")
    ).all()
    regions = [a for a, level in homes if level == "region"]
    if len(regions) != 1:
        return []
    region = regions[0]
    kommunen = [a for a, level in homes if level == "kommune"]
    kreise = list(
        conn.scalars(text("SELECT ags FROM area WHERE level IN ('region', 'kreis') ORDER BY ags"))
    )
    out = []
    for ags, level in homes:
        land = ags[:2]
        areas = [ags] + ([region] if ags != region else []) + [land, BUND_AGS]
        brief = [a for a in (region, land, BUND_AGS) if a != ags]
        peers = kommunen if level == "kommune" else kreise
        out.append(question_of(areas, [ags], peers, brief))
    return out


def refresh_profile_rows(conn: Connection) -> int:
    """Keep the values statement's rows of every home area's profile, in both demo modes, in
    the caller's transaction (after profile_value is refreshed: the statement reads it)."""
    conn.execute(text("DELETE FROM profile_row"))
    # The relation profile_source_for chooses for the question (not the gate in the statement,
    # profile_source: it plans both relations, ~3x slower here, 18 s for the Region).
    kept = set(conn.scalars(text(KEPT_AREAS_SQL)))
    prev = conn.scalar(text("SELECT coalesce(current_setting('sozmon.demo', true), '')"))
    n = 0
    try:
        for demo in ("", "on"):
            conn.execute(text("SELECT set_config('sozmon.demo', :d, true)"), {"d": demo})
            for q in home_questions(conn):
                p = q.params()
                source = (
                    KEPT_PROFILE_VALUES
                    if all(a in kept for a in p["all_areas"])
                    else f"(SELECT {PROFILE_COLUMNS} FROM shown_value)"
                )
                keep = KEEP_SQL.format(values=VALUES_SQL.format(source=source))
                n += conn.execute(text(keep), {**p, "home": q.own[0], "params": q.key()}).rowcount
    finally:
        conn.execute(text("SELECT set_config('sozmon.demo', :p, true)"), {"p": prev})
    return n
