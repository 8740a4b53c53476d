"""The catalogue and the home areas kept across publishes under their own versions (issue #32).

A publish of values draws a new data version and empties the app's cache, the catalogue
(topics and their indicators: ~170 rows, ~141 KB of definitions) and the home areas (the
Region and its Kommunen with bounds and label points, and the Kommunen's boundaries as one
GeoJSON text) with it, although only a change of `topic` or `indicator` changes the first
(that draws a new `data_epoch.catalogue_version`, migration 0029) and only a change of `area`
the others (`data_epoch.areas_version`, 0028). So the app keeps the last of each it read with
its version, and a first page after a publish sends, in its one round trip of per-version
reads, the version and the statements gated on it: when the version is the one kept they
return no rows (the server skips their scans: PostGIS's bounds and label points of the 22
home areas were the bundle's costliest statement) and the kept results go into the memo of
the new data version; else their rows are built as always and kept with the new version.

Per app (each app its own database in the tests: random versions never meet), one entry per
family.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Connection

from geodata.memo import not_memoised
from geodata.queries import KOMMUNEN_GEOJSON
from indicators.queries import TOPICS_SQL
from indicators.version_reads import READS, Read

EXTENSION = "sozmon_catalogue_kept"
VERSION_KEY = "catalogue_version"
VERSION_SQL = "SELECT catalogue_version FROM data_epoch WHERE id = 1"
AREAS_EXTENSION = "sozmon_areas_kept"
AREAS_VERSION_KEY = "areas_version"
AREAS_VERSION_SQL = "SELECT areas_version FROM data_epoch WHERE id = 1"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Where the home areas' statement takes the gate: its one scan of `area`.
_HOME_AREAS_SCAN = "FROM area WHERE level IN ('kommune', 'region')"


def _unchanged(column: str, version: str) -> str:
    """True while `column` of data_epoch is still `version` (a literal: a UUID only)."""
    if not _UUID.fullmatch(version):
        raise ValueError(f"not a {column}: {version!r}")
    return f"EXISTS (SELECT 1 FROM data_epoch WHERE id = 1 AND {column} = '{version}')"


def gated_topics_sql(version: str) -> str:
    """TOPICS_SQL returning its rows only when the catalogue's version is not `version`."""
    head, order = TOPICS_SQL.split(" ORDER BY ")
    return f"{head} WHERE NOT {_unchanged('catalogue_version', version)} ORDER BY {order}"


def gated_areas_sql(key: str, version: str) -> str:
    """The home areas' or the Kommunen's boundaries' statement (READS) returning its rows only
    when the areas' version is not `version`: a one-time filter before the scan of `area`."""
    gate = f"NOT {_unchanged('areas_version', version)}"
    sql = READS[key][0]
    if key == KOMMUNEN_GEOJSON:  # one aggregate row: HAVING leaves none (never a '[]' text)
        return f"{sql} HAVING {gate}"
    if sql.count(_HOME_AREAS_SCAN) != 1:
        raise ValueError(f"no gate for {key!r}")
    return sql.replace(_HOME_AREAS_SCAN, f"{_HOME_AREAS_SCAN} AND {gate}")


@dataclass(frozen=True)
class _Family:
    """Reads of version_reads.READS that change only with one column of data_epoch."""

    extension: str  # where the app keeps (version, {memo key: result})
    version_key: str  # memo key of the version read in the round trip
    version_sql: str
    keys: tuple[str, ...]  # memo keys of READS kept under the version, in READS' order
    gated: Callable[[str, str], str]  # (memo key, kept version) → the gated statement


_FAMILIES = (
    _Family(EXTENSION, VERSION_KEY, VERSION_SQL, ("topics",), lambda _k, v: gated_topics_sql(v)),
    _Family(
        AREAS_EXTENSION,
        AREAS_VERSION_KEY,
        AREAS_VERSION_SQL,
        ("home_areas", KOMMUNEN_GEOJSON),
        gated_areas_sql,
    ),
)


def _family_reads(conn: Connection, family: _Family) -> dict[str, Read]:
    """The version's read and the family's keys' reads that replace READS' own (prefetch
    builds them in this order: the version first). When this data version has read the
    version already (and lost a result from the memo since), READS' own statements."""
    if not not_memoised(conn, [family.version_key]):
        return {k: READS[k] for k in family.keys}
    kept: tuple[str, dict[str, Any]] | None = current_app.extensions.get(family.extension)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    seen: dict[str, str] = {}
    fresh: dict[str, Any] = {}

    def version_from(_names: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
        seen["v"] = str(rows[0][0])
        return seen["v"]

    def builder(key: str) -> Callable[[Sequence[str], Sequence[Sequence[Any]]], object]:
        def build(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> object:
            if kept is not None and seen.get("v") == kept[0]:
                return kept[1][key]
            made = READS[key][1](names, rows)
            fresh[key] = made
            # Kept once every key of the family was read with this version.
            if "v" in seen and len(fresh) == len(family.keys):
                app.extensions[family.extension] = (seen["v"], dict(fresh))
            return made

        return build

    reads: dict[str, Read] = {family.version_key: (family.version_sql, version_from)}
    for key in family.keys:
        sql = READS[key][0] if kept is None else family.gated(key, kept[0])
        reads[key] = (sql, builder(key))
    return reads


def catalogue_reads(conn: Connection) -> tuple[list[str], dict[str, Read]]:
    """The keys of version_reads.READS without those kept across publishes (the catalogue,
    the home areas, the Kommunen's boundaries), and the reads that replace them."""
    families = {k for f in _FAMILIES for k in f.keys}
    extra: dict[str, Read] = {}
    for family in _FAMILIES:
        extra |= _family_reads(conn, family)
    return [k for k in READS if k not in families], extra
