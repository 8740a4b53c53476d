"""The catalogue kept across publishes under its own version (migration 0029, issue #32).

A publish of values draws a new data version and empties the app's cache, the catalogue
(topics and their indicators: ~170 rows, ~141 KB of definitions) with it, although only a
change of `topic` or `indicator` changes it; that draws a new `data_epoch.catalogue_version`.
So the app keeps the last catalogue it read with that version, and a first page after a
publish sends, in its one round trip of per-version reads, the version and the catalogue's
statement gated on it: when the version is the one kept the statement returns no rows (the
server skips the join and nothing is sent) and the kept catalogue goes into the memo of the
new data version; else its rows are built as always and kept with the new version.

Per app (each app its own database in the tests: random versions never meet), one entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import current_app
from sqlalchemy import Connection

from geodata.memo import not_memoised
from indicators.queries import TOPICS_SQL, topics_from
from indicators.version_reads import READS, Read

EXTENSION = "sozmon_catalogue_kept"
VERSION_KEY = "catalogue_version"
VERSION_SQL = "SELECT catalogue_version FROM data_epoch WHERE id = 1"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def gated_topics_sql(version: str) -> str:
    """TOPICS_SQL returning its rows only when the catalogue's version is not `version`."""
    if not _UUID.fullmatch(version):  # a literal in the statement: a UUID only
        raise ValueError(f"not a catalogue version: {version!r}")
    head, order = TOPICS_SQL.split(" ORDER BY ")
    return (
        f"{head} WHERE NOT EXISTS (SELECT 1 FROM data_epoch"
        f" WHERE id = 1 AND catalogue_version = '{version}') ORDER BY {order}"
    )


def catalogue_reads(
    conn: Connection, wanted: Sequence[str] = tuple(READS)
) -> tuple[list[str], dict[str, Read]]:
    """The keys `wanted` (default: version_reads.READS; a profile's and a comparison's: their
    PROFILE_READS) without the catalogue, and the reads that replace it (the version, then the
    gated catalogue: prefetch builds them in this order). When this data version has read the
    version already (and lost the catalogue from the memo since), the catalogue's own
    statement as before."""
    if not not_memoised(conn, [VERSION_KEY]):
        return list(wanted), {}
    kept: tuple[str, Any] | None = current_app.extensions.get(EXTENSION)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    seen: dict[str, str] = {}

    def version_from(_names: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
        seen["v"] = str(rows[0][0])
        return seen["v"]

    def topics(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> object:
        if kept is not None and seen.get("v") == kept[0]:
            return kept[1]
        made = topics_from(names, rows)
        if "v" in seen:
            app.extensions[EXTENSION] = (seen["v"], made)
        return made

    sql = TOPICS_SQL if kept is None else gated_topics_sql(kept[0])
    keys = [k for k in wanted if k != "topics"]
    return keys, {VERSION_KEY: (VERSION_SQL, version_from), "topics": (sql, topics)}
