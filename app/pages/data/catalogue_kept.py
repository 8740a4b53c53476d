"""The catalogue and the home areas kept across publishes under their own versions (issue #32).

A publish of values draws a new data version and empties the app's cache, the catalogue
(topics and their indicators: ~170 rows, ~141 KB of definitions) and the home areas (the
Region and its Kommunen with bounds and label points, and the Kommunen's boundaries as one
GeoJSON text) with it, although only a change of `topic` or `indicator` changes the first
(that draws a new `data_epoch.catalogue_version`, migration 0029) and only a change of `area`
the others (`data_epoch.areas_version`, 0028). The data version is read with both versions in
its one row (indicators.api_queries.DataVersion), so the app keeps the last of each it read
with its version, and a first page after a publish puts the kept results into the memo of the
new data version without a statement; only a changed version sends their statements, in the
page's one round trip of per-version reads, and keeps what they give under it.

A change between the version's read and the round trip puts newer rows under the older
version; that version is never read again (a change draws a new random UUID), so the next data
version reads them anew. Per app (each app its own database in the tests: random versions
never meet), one entry per family.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Connection

from app.web.cache import data_version_now
from geodata.memo import memoised
from geodata.queries import KOMMUNEN_GEOJSON
from indicators.benchmarks import area_name_key
from indicators.version_reads import READS, Read, area_name_read


@dataclass(frozen=True)
class _Family:
    """Reads of version_reads.READS that change only with one column of data_epoch."""

    extension: str  # where the app keeps (version, {memo key: result})
    version: str  # the attribute of DataVersion that names the column's version
    keys: tuple[str, ...]  # memo keys of READS kept under the version


FAMILIES = (
    _Family("sozmon_catalogue_kept", "catalogue", ("topics",)),
    _Family("sozmon_areas_kept", "areas", ("home_areas", KOMMUNEN_GEOJSON)),
)


def kept(family: _Family) -> tuple[str, dict[str, Any]] | None:
    """The app's (version, {memo key: result}) of a family, or None."""
    found: tuple[str, dict[str, Any]] | None = current_app.extensions.get(family.extension)
    return found


def catalogue_reads(
    conn: Connection, area_names: Sequence[str] = (), wanted: Sequence[str] = tuple(READS)
) -> tuple[list[str], dict[str, Read]]:
    """The keys `wanted` (default version_reads.READS, the map's; a profile's and a comparison's:
    their own bundle) for prefetch, and in place of the reads of the kept
    families (the catalogue; the home areas, the Kommunen's boundaries and the names of
    `area_names`, comparator's) reads whose rows are kept under their version; a family kept
    under its current version goes into the memo here, so prefetch sends no statement for
    it. Without the versions (a data version read otherwise) READS as they are."""
    version = data_version_now()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    names = {area_name_key(a): area_name_read(a) for a in area_names}
    extra: dict[str, Read] = dict(names)
    for family in FAMILIES:
        own: str | None = getattr(version, family.version, None)
        if own is None:
            continue
        # Only the keys the page wants (a profile's bundle has the catalogue, not the boundaries).
        reads = {k: READS[k] for k in family.keys if k in wanted} | (
            names if family.version == "areas" else {}
        )
        held = kept(family)
        if held is not None and held[0] == own and set(reads) <= held[1].keys():
            for key in reads:
                memoised(conn, key, lambda made=held[1][key]: made)
                extra.pop(key, None)
            continue
        for key, read in reads.items():
            extra[key] = (read[0], _keeping(app, family, own, key, read))
    return list(wanted), extra


def _keeping(
    app: Any, family: _Family, own: str, key: str, read: Read
) -> Callable[[Sequence[str], Sequence[Sequence[Any]]], object]:
    """The builder of `read`, its result kept under `key` with the family's version `own`."""

    def build(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> object:
        made = read[1](names, rows)
        held = app.extensions.get(family.extension)
        results = dict(held[1]) if held is not None and held[0] == own else {}
        app.extensions[family.extension] = (own, results | {key: made})
        return made

    return build
