"""The profile's and the comparison's values statement, and its rows kept at publish (#32).

A home area's profile, and the comparison of two home Kommunen, without a named release read
the same rows for every visitor of a data version: `refresh_profile_rows` runs VALUES_SQL once
per question (every home area's profile, every pair of home Kommunen's comparison page; in
both demo modes) in the publish's transaction (indicators.precomputed.refresh, right after
`profile_value`, which it reads) and keeps its rows in `profile_kept` (migration 0031) as one
JSON array in the statement's order, written by PostgreSQL (no row through Python). The
request reads that one value by key and decodes it (`kept_rows`, ~2 ms for a Kommune's 1,826
rows) instead of running the statement (~15–25 ms with its fetch on all of Germany) or
fetching the rows one by one through the driver (0030's `profile_row`: ~5–8 ms). A request
whose question is not kept (another region, a release named, a comparison with its charts,
another benchmark, a Gemeinde) runs the statement (`live_rows`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from sqlalchemy import Connection, text

from geodata.levels import BUND_AGS, parents_of
from geodata.memo import has_memo, memoised, not_memoised
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


# The statement's columns as JSON text, in its order, the way json.loads gives back what the
# driver gives: a float8 PostgreSQL prints without a point or exponent ("12") gets ".0" (else
# json.loads makes an int of it, and a download would print 12 for 12.0); with
# extra_float_digits >= 1 (set for the refresh) PostgreSQL prints the shortest text that reads
# back as the same double, as Python's repr. `polarity` is not kept (null): it is the
# indicator's, read with the rows (KEPT_SQL), so an edit of the catalogue needs no refresh.
_KINDS = (
    ("indicator_id", "text"),
    ("ags", "text"),
    ("year", "int"),
    ("value", "float"),
    ("numerator", "float"),
    ("denominator", "float"),
    ("suppressed", "bool"),
    ("flag", "text"),
    ("release_id", "int"),
    ("label", "text"),
    ("synthetic", "bool"),
    ("latest_year", "int"),
    ("polarity", "none"),
    ("asked", "bool"),
    ("peer", "bool"),
    ("whole", "bool"),
    ("synthetic_any", "bool"),
    ("real_any", "bool"),
)


def json_text(c: str, kind: str) -> str:
    """SQL: the JSON text of the SQL expression `c` (one of the statement's columns) of a kind."""
    if kind == "none":
        return "'null'"
    if kind == "text":
        return f"coalesce(to_json({c})::text, 'null')"
    if kind == "float":
        return (
            f"coalesce(CASE WHEN {c}::text ~ '^-?[0-9]+$' THEN {c}::text || '.0'"
            f" ELSE {c}::text END, 'null')"
        )
    return f"coalesce({c}::text, 'null')"  # int, bool: 12, true


_ROW_JSON = "'[' || " + " || ',' || ".join(json_text("q." + c, k) for c, k in _KINDS) + " || ']'"
KEEP_SQL = f"""
INSERT INTO profile_kept (params, demo, own, n, rows)
SELECT :params, {DEMO_ON}, :own_text, count(*),
       '[' || coalesce(string_agg({_ROW_JSON}, ',' ORDER BY q.indicator_id, q.ags, q.year), '')
       || ']'
FROM ({{values}}) q
"""
# The rows kept outside demo mode, kept for demo mode too (refresh_profile_rows: no synthetic
# release, the same rows in both modes).
COPY_TO_DEMO_SQL = (
    "INSERT INTO profile_kept (params, demo, own, n, rows)"
    " SELECT params, true, own, n, rows FROM profile_kept WHERE NOT demo"
)
# The kept rows of a question in the connection's demo mode, with every indicator's polarity
# (what the statement joins; json: the driver decodes it to a dict).
KEPT_SQL = (
    "SELECT k.rows, (SELECT json_object_agg(i.id, i.polarity) FROM indicator i)"
    " FROM profile_kept k WHERE k.params = :params AND k.demo = " + f"({DEMO_ON})"
)
# The questions kept in the connection's demo mode (sent with a profile's and a comparison's
# other per-version reads, indicators.version_reads.PAGE_READS: a question not kept is then
# known without a round trip).
KEPT_QUESTIONS_SQL = "SELECT params FROM profile_kept WHERE demo = " + f"({DEMO_ON})"
KEPT_QUESTIONS = "kept_questions"


def kept_questions_from(_names: Sequence[str], rows: Sequence[Sequence[object]]) -> frozenset[str]:
    """The kept questions' keys from KEPT_QUESTIONS_SQL's rows."""
    return frozenset(str(r[0]) for r in rows)


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


# The kept rows of one question: the statement's rows (lists, `polarity` None) and every
# indicator's polarity.
Kept = tuple[list[list[Any]], dict[str, str]]


def kept_rows(conn: Connection, q: Asked) -> Kept | None:
    """The rows kept at publish for this question in the connection's demo mode, or None
    (not kept: another question, or a database not refreshed since migration 0031). A page
    that read the kept questions ahead (KEPT_QUESTIONS) asks only for a kept one."""
    key = q.key()
    if has_memo(conn) and not not_memoised(conn, [KEPT_QUESTIONS]):
        known = memoised(conn, KEPT_QUESTIONS, lambda: frozenset[str]())
        if key not in known:
            return None
    row = conn.execute(text(KEPT_SQL), {"params": key}).first()
    if row is None:
        return None
    rows: list[list[Any]] = json.loads(row[0])
    return rows, row[1] or {}


def context_keys(ags_a: str, ags_b: str) -> list[str]:
    """The areas two areas lie in, shown beside them: their Kreise, then their Länder, then the
    Bund (A's before B's, each once, neither A nor B itself)."""
    pa, pb = parents_of(ags_a), parents_of(ags_b)
    out: list[str] = []
    for width in (5, 2, len(BUND_AGS)):
        for k in (*pa, *pb):
            if len(k) == width and k not in out and k not in (ags_a, ags_b):
                out.append(k)
    return out


def comparison_of(
    ags_a: str,
    ags_b: str,
    beside: Sequence[str],
    keep: Sequence[str],
    peers: Sequence[str],
    series: bool,
) -> Asked:
    """A comparison's question (indicators.profile.compare and the refresh build it here):
    A, B and the areas `beside` them (their Kreise, Länder, the Bund, a chosen benchmark); without
    charts (`series` false) those not in `keep` (the charts' line, the benchmark) are brief."""
    kept = {ags_a, ags_b, *keep}
    brief = [] if series else [k for k in beside if k not in kept]
    return question_of([ags_a, ags_b, *beside], [ags_a, ags_b], peers, brief)


def _homes(conn: Connection) -> tuple[str, list[str]] | None:
    """The Region's key and its Kommunen's (None: not exactly one Region)."""
    homes = conn.execute(
        text("SELECT ags, level FROM area WHERE level IN ('kommune', 'region') ORDER BY ags")
    ).all()
    regions = [a for a, level in homes if level == "region"]
    if len(regions) != 1:
        return None
    return regions[0], [a for a, level in homes if level == "kommune"]


def home_questions(conn: Connection) -> list[Asked]:
    """The questions of the profiles of the home areas (every Kommune and the Region), as
    indicators.profile.profile asks them: the area, the Region, its Land and the Bund, ranked
    among the home Kommunen (the Region among every Kreis)."""
    found = _homes(conn)
    if found is None:
        return []
    region, kommunen = found
    kreise = list(
        conn.scalars(text("SELECT ags FROM area WHERE level IN ('region', 'kreis') ORDER BY ags"))
    )
    out = []
    for ags in [region, *kommunen]:
        land = ags[:2]
        areas = [ags] + ([region] if ags != region else []) + [land, BUND_AGS]
        brief = [a for a in (region, land, BUND_AGS) if a != ags]
        peers = kommunen if ags != region else kreise
        out.append(question_of(areas, [ags], peers, brief))
    return sorted(out, key=lambda q: q.own)


def comparison_questions(conn: Connection, known: set[str]) -> list[Asked]:
    """The questions of the comparison page of every pair of home Kommunen (A before B by key;
    B before A asks the same sets), as indicators.profile.compare asks them for the page
    without charts against the Region: beside them the areas they lie in (`known` ones: the
    Region, the Land, the Bund), ranked among the home Kommunen, the charts' line (the nearest
    area both lie in) and the Region whole, the others brief."""
    found = _homes(conn)
    if found is None:
        return []
    region, kommunen = found
    out = []
    for a, b in combinations(kommunen, 2):
        beside = [k for k in context_keys(a, b) if k in known]
        both = set(parents_of(a)) & set(parents_of(b))
        reference = next((k for k in beside if k in both), None)
        keep = [region, *([reference] if reference else [])]
        out.append(comparison_of(a, b, beside, keep, kommunen, series=False))
    return out


def refresh_profile_rows(conn: Connection) -> int:
    """Keep the values statement's rows of every home area's profile and every pair of home
    Kommunen's comparison, in both demo modes, in the caller's transaction (after profile_value
    is refreshed: the statement reads it); the number of questions kept (rows of profile_kept,
    two per question: one per demo mode)."""
    conn.execute(text("DELETE FROM profile_kept"))
    # The relation profile_source_for would choose for the question (not the gate in the
    # statement, profile_source: it plans both relations, ~3x slower here, 18 s for the Region).
    kept = set(conn.scalars(text(KEPT_AREAS_SQL)))
    prev = conn.scalar(text("SELECT coalesce(current_setting('sozmon.demo', true), '')"))
    digits = conn.scalar(text("SELECT current_setting('extra_float_digits')"))
    questions = home_questions(conn) + comparison_questions(conn, kept)
    # Without a synthetic release (no Beispieldaten at all) the demo mode shows the same values
    # as outside it, so the statement's rows are the same in both: run once, copied (half the
    # refresh: ~10 s on all of Germany's 232 questions).
    synthetic = bool(conn.scalar(text("SELECT EXISTS (SELECT 1 FROM release WHERE synthetic)")))
    n = 0
    try:
        # Floats as the shortest text that reads back as the same double (KEEP_SQL).
        conn.execute(text("SELECT set_config('extra_float_digits', '1', true)"))
        for demo in ("", "on") if synthetic else ("",):
            conn.execute(text("SELECT set_config('sozmon.demo', :d, true)"), {"d": demo})
            for q in questions:
                p = q.params()
                source = (
                    KEPT_PROFILE_VALUES
                    if all(a in kept for a in p["all_areas"])
                    else f"(SELECT {PROFILE_COLUMNS} FROM shown_value)"
                )
                keep = KEEP_SQL.format(values=VALUES_SQL.format(source=source))
                args = {**p, "params": q.key(), "own_text": ",".join(q.own)}
                n += conn.execute(text(keep), args).rowcount
        if not synthetic:
            n += conn.execute(text(COPY_TO_DEMO_SQL)).rowcount
    finally:
        conn.execute(text("SELECT set_config('sozmon.demo', :p, true)"), {"p": prev})
        conn.execute(text("SELECT set_config('extra_float_digits', :d, true)"), {"d": digits})
    return n
