"""The reads that are the same for every visitor of a data version, sent in one round trip.

A first page after a publish read the catalogue, the indicators' year ranges, the home areas,
the series breaks and the sources one statement each (a round trip each: ~0.3 ms on an idle
machine, several ms on a busy one, issue #32). `prefetch` sends those of them that the
connection's memo does not hold yet as one query of several statements (PostgreSQL's simple
query protocol: no parameters, one result set each) and keeps each result under the memo key
its own reader (`memoised(conn, key, …)`) uses, built by the same function from the same rows:
the readers then find them, and a reader called alone still reads its own statement.

Each statement is its reader's own SQL; those with optional filters (`:ids`, `:ags`, …) get
NULL for them, as their readers pass for "all" (the boundaries: level 'kommune', as the map asks). The statements are joined by `SEPARATOR`, by which the
query-plan tests split them to examine each one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from geodata.memo import memoised, not_memoised
from geodata.queries import (
    HOME_AREAS_SQL,
    HOME_LOCATOR,
    HOME_LOCATOR_SQL,
    KOMMUNEN_GEOJSON,
    feature_collection_sql,
    home_areas_from,
    locator_from,
)
from indicators.benchmarks import AREA_NAME_SQL, area_name_key
from indicators.breaks import BREAKS_SQL, breaks_from
from indicators.notes import PUBLIC_NOTES_SQL, notes_from
from indicators.pinning import RELEASE_LABELS, RELEASE_LABELS_SQL, release_labels_from
from indicators.precomputed import KEPT_AREAS_SQL, kept_areas_from
from indicators.profile_values import KEPT_QUESTIONS, KEPT_QUESTIONS_SQL, kept_questions_from
from indicators.queries import (
    SOURCES_SQL,
    TOPICS_SQL,
    YEAR_RANGES_SQL,
    kept_release_from,
    kept_release_read,
    ranges_from,
    sources_from,
    topics_from,
)
from indicators.ranking_queries import KOMMUNE_SPREADS, KOMMUNE_SPREADS_SQL, spreads_from
from indicators.social_index_store import CURRENT_DEFINITION_SQL, definition_from

SEPARATOR = ";\n-- sozmon: next statement\n"
_ALL = "CAST(NULL AS text[])"  # the readers' `ids` for every indicator


def _no_filter(sql: str) -> str:
    return (
        sql.replace(":ids", _ALL)
        .replace(":ags", _ALL)
        .replace(":ind", _ALL)
        .replace(":rel", "CAST(NULL AS integer[])")
    )


# A read: (statement without parameters, its column names and rows → the reader's result).
Read = tuple[str, Callable[[Sequence[str], Sequence[Sequence[Any]]], object]]

# memo key → its read
READS: dict[str, Read] = {
    "topics": (TOPICS_SQL, topics_from),
    "year_ranges": (YEAR_RANGES_SQL, lambda _names, rows: ranges_from(rows)),
    "home_areas": (HOME_AREAS_SQL, home_areas_from),
    "breaks": (_no_filter(BREAKS_SQL), lambda _names, rows: breaks_from(rows)),
    "sources": (_no_filter(SOURCES_SQL), lambda _names, rows: sources_from(rows)),
    "public_notes": (_no_filter(PUBLIC_NOTES_SQL), notes_from),
    KOMMUNEN_GEOJSON: (
        _no_filter(feature_collection_sql())
        .replace(":level", "CAST('kommune' AS text)")
        .replace(":prefix", "CAST(NULL AS text)"),
        lambda _names, rows: str(rows[0][0]),
    ),
}


# Reads only the pages that name them send (a profile and a comparison: indicators.profile
# .PROFILE_READS), not every page's default bundle (the map's): memo key → as READS.
PAGE_READS: dict[str, Read] = {
    "kept_areas": (KEPT_AREAS_SQL, kept_areas_from),
    "index_definition": (CURRENT_DEFINITION_SQL, definition_from),
    HOME_LOCATOR: (HOME_LOCATOR_SQL, locator_from),
    KEPT_QUESTIONS: (KEPT_QUESTIONS_SQL, kept_questions_from),
    RELEASE_LABELS: (RELEASE_LABELS_SQL, release_labels_from),
    KOMMUNE_SPREADS: (KOMMUNE_SPREADS_SQL, spreads_from),
}


def _read(key: str) -> Read:
    """The statement and builder of a key: READS, PAGE_READS, or an indicator's layered
    release summary (`kept_release:<id>`, indicators.queries.kept_release_once)."""
    if key.startswith("kept_release:"):
        return kept_release_read(key.split(":", 1)[1]), kept_release_from
    return READS[key] if key in READS else PAGE_READS[key]


def area_name_read(ags: str) -> Read:
    """An area's name (comparator's, under area_name_key) as a read; the key a literal."""
    if not ags.isascii() or not ags.isalnum():  # a key as a literal: letters and digits only
        raise ValueError(f"not an area key: {ags!r}")
    return AREA_NAME_SQL.replace(
        ":a", f"'{ags}'"
    ), lambda _names, rows: rows[0][0] if rows else None


def prefetch(
    conn: Connection,
    keys: Sequence[str] = tuple(READS),
    area_names: Sequence[str] = (),
    extra: Mapping[str, Read] | None = None,
) -> list[str]:
    """Read the `keys` the connection's memo lacks in one round trip and keep them there, with
    the names of the areas `area_names` (comparator's) and the caller's own reads `extra` (memo
    key → read: a page's per-version reads that live beside their readers, e.g. the
    neighbours' rows); the keys read ([] without a memo, or when it holds them all: then no
    statement)."""
    reads = (
        {k: _read(k) for k in keys}
        | {area_name_key(a): area_name_read(a) for a in area_names}
        | dict(extra or {})
    )
    todo = not_memoised(conn, list(reads))
    if not todo:
        return []
    # SQLAlchemy hands psycopg an empty parameter list, so psycopg reads `%` as a placeholder:
    # a literal one is written `%%` (the boundaries' LIKE … || '%').
    sql = SEPARATOR.join(reads[k][0] for k in todo).replace("%", "%%")
    result = conn.exec_driver_sql(sql)
    cursor = result.cursor
    try:
        for n, key in enumerate(todo):
            if n and not cursor.nextset():
                raise RuntimeError(f"no result for {key!r}")
            _keep(conn, key, reads[key][1](column_names(cursor), cursor.fetchall()))
    finally:
        result.close()
    return todo


def column_names(cursor: Any) -> list[str]:
    """The current result's column names (cursor.description's first items, without building
    its Column objects: ~80 of them per first map)."""
    res = cursor.pgresult
    if res is None:
        return []
    return [(res.fname(i) or b"").decode() for i in range(res.nfields)]


def _keep(conn: Connection, key: str, made: object) -> None:
    memoised(conn, key, lambda: made)
