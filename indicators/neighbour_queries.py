"""Similar Kommunen: the structural variables read from the real (official) values."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, text

from geodata.memo import memoised
from geodata.queries import kommune_names
from indicators.neighbours import nearest, nearest_to, standardise
from indicators.precomputed import home_values_source
from indicators.queries import ReleaseRef

K = 5
# The structure of a Gemeinde, all real Gemeinde-level values (Regionalstatistik): how dense
# (log: a city and a rural Gemeinde differ a hundredfold), how young, how old, how built-up
# with single-family houses, how many residents of working age are in employment.
# (indicator id, log-transform)
VARIABLES: tuple[tuple[str, bool], ...] = (
    ("bev_dichte", True),
    ("bev_anteil_u18", False),
    ("bev_anteil_65plus", False),
    ("efh_anteil", False),
    ("svb_quote", False),
)

# Per variable its newest year in which every Kommune has a real, unsuppressed value: all
# Kommunen are described at one date per variable, and never by invented numbers. The layered
# values of the home Kommunen are the kept rows (indicators.precomputed.home_values_source).
_SQL = """
WITH k AS (SELECT ags FROM area WHERE level = 'kommune'),
real AS (
  -- Per Kommune (OFFSET 0 keeps the lateral subquery whole, so its ags reaches into the
  -- rule's DISTINCT ON): a join would apply the rule to every area of Germany first.
  SELECT v.indicator_id, v.ags, v.year, v.value, v.release_label FROM k
  CROSS JOIN LATERAL (SELECT * FROM {source} s WHERE s.ags = k.ags
    AND s.indicator_id = ANY(:ids) OFFSET 0) v
  WHERE NOT v.synthetic AND NOT v.suppressed AND v.value IS NOT NULL
), complete AS (
  SELECT indicator_id, max(year) AS year FROM (
    SELECT indicator_id, year FROM real GROUP BY 1, 2
    HAVING count(*) = (SELECT count(*) FROM k)) y GROUP BY 1
)
SELECT r.indicator_id, r.ags, r.year, r.value, r.release_label
FROM real r JOIN complete c ON c.indicator_id = r.indicator_id AND c.year = r.year
"""


def _pin(pinned: Sequence[int] | None) -> ReleaseRef:
    return tuple(int(i) for i in pinned) if pinned is not None else None


class NeighbourRow(NamedTuple):
    """One real value a Kommune is described by (a row of _SQL)."""

    indicator_id: str
    ags: str
    year: int
    value: float
    release_label: str


# The memo key of the shown values' rows (the same for every visitor of a data version).
NEIGHBOUR_ROWS = "neighbour_rows"
_IDS = [v for v, _ in VARIABLES]


def _rows_from(_names: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[NeighbourRow, ...]:
    return tuple(NeighbourRow(*r) for r in rows)


def neighbour_rows_read() -> tuple[str, Callable[[Sequence[str], Sequence[Sequence[Any]]], object]]:
    """The shown values' statement without parameters (the variables' ids as literals) and its
    rows' reader: for indicators.version_reads.prefetch, under NEIGHBOUR_ROWS."""
    ids = ", ".join(f"'{i}'" for i in _IDS)  # constants of this module, letters and underscores
    sql = _SQL.format(source=home_values_source(None)).replace(":ids", f"ARRAY[{ids}]")
    return sql, _rows_from


def neighbour_rows(
    conn: Connection, pinned: Sequence[int] | None = None
) -> tuple[NeighbourRow, ...]:
    """The real values the Kommunen are described by (shown now: once per data version in the
    connection's memo, which prefetch may have filled; or those of the releases `pinned`)."""

    def read() -> tuple[NeighbourRow, ...]:
        sql = text(_SQL.format(source=home_values_source(_pin(pinned))))
        return _rows_from((), conn.execute(sql, {"ids": _IDS}).all())

    return read() if pinned is not None else memoised(conn, NEIGHBOUR_ROWS, read)


def similar_kommunen(
    conn: Connection, k: int = K, pinned: Sequence[int] | None = None
) -> dict[str, Any]:
    """Variables used (id, year, release, log) and per Kommune its k nearest, nearest first
    (on the values shown now, or on those of the releases `pinned`: a cited profile)."""
    # The Kommunen's kept rows (profile_value: the shown values, refreshed at every publish), or
    # the cited releases' view: the rule over every area of Germany per request was ~5 ms.
    return neighbours_from(neighbour_rows(conn, pinned), kommune_names(conn), k)


def neighbours_from(
    rows: Sequence[NeighbourRow], names: Mapping[str, str], k: int = K
) -> dict[str, Any]:
    """similar_kommunen of its rows and the Kommunen's names (a pure function of them)."""
    used = [(v, log) for v, log in VARIABLES if any(r.indicator_id == v for r in rows)]
    meta = {
        r.indicator_id: {"id": r.indicator_id, "year": r.year, "release": r.release_label}
        for r in rows
    }
    variables = [{**meta[v], "log": log} for v, log in used]
    if len(used) < 2:  # one variable is a ranking, not a structure
        return {"variables": variables, "k": k, "neighbours": {}}
    table: dict[str, dict[str, float]] = {}
    for r in rows:
        table.setdefault(r.ags, {})[r.indicator_id] = r.value
    z = standardise(
        {a: [vals[v] for v, _ in used] for a, vals in table.items()}, log=[log for _, log in used]
    )
    nn = nearest(z, k)
    return {
        "variables": variables,
        "k": k,
        "neighbours": {
            a: [{"ags": b, "name": names[b], "distance": round(d, 3)} for b, d in lst]
            for a, lst in nn.items()
        },
    }


def similar_to(conn: Connection, ags: str, k: int = K) -> dict[str, Any]:
    """The k home Kommunen most similar to an area outside them (a Gemeinde of another Kreis),
    on the Kommunen's variables and years (similar_kommunen) and the Kommunen's scale.

    `missing`: the variables (id, year) for which the area has no real, unsuppressed value in
    that year; then there are no neighbours (no group is made up from part of the structure).
    """
    ids = [v for v, _ in VARIABLES]
    rows = conn.execute(text(_SQL.format(source=home_values_source(None))), {"ids": ids}).all()
    used = [(v, log) for v, log in VARIABLES if any(r.indicator_id == v for r in rows)]
    meta = {r.indicator_id: r for r in rows}
    years = {v: meta[v].year for v, _ in used}
    variables = [
        {"id": v, "year": meta[v].year, "release": meta[v].release_label, "log": log}
        for v, log in used
    ]
    own: dict[str, float] = dict(
        conn.execute(
            text(
                "SELECT indicator_id, value FROM shown_value WHERE ags = :a"
                " AND indicator_id = ANY(:ids) AND NOT synthetic AND NOT suppressed"
                " AND value IS NOT NULL AND year = (CAST(:years AS jsonb) ->> indicator_id)::int"
            ),
            {"a": ags, "ids": [v for v, _ in used], "years": json.dumps(years)},
        ).all()
    )
    missing = [v for v in variables if v["id"] not in own]
    if len(used) < 2 or missing:
        return {"variables": variables, "k": k, "neighbours": [], "missing": missing}
    table: dict[str, dict[str, float]] = {}
    for r in rows:
        table.setdefault(r.ags, {})[r.indicator_id] = r.value
    names = kommune_names(conn)
    nn = nearest_to(
        {a: [vals[v] for v, _ in used] for a, vals in table.items()},
        [own[v] for v, _ in used],
        k,
        log=[log for _, log in used],
    )
    return {
        "variables": variables,
        "k": k,
        "neighbours": [{"ags": b, "name": names[b], "distance": round(d, 3)} for b, d in nn],
        "missing": [],
    }
