"""What a territory map needs of the areas alone, kept per process under the areas' own version.

A publish of values empties the app's cache (a new data version), but leaves the `area` table
as it was; only a boundary load changes it, and that draws a new `data_epoch.areas_version`
(migration 0028). So what depends on the areas only is built once per areas version, not once
per data version: a territory's areas (keys, names, levels), their order token, each area's
place in the alphabetical order of names, the page's JSON of every key and name, the territory
itself (with its bounds), the Bund and Länder of the territory choice, and whether Germany's
Gemeinden are loaded. A first request after a publish reads the version (one row, once per
data version) instead of these (four statements; for Germany's Gemeinden 11,000 rows, a sort
of their names and 11,000 keys and names serialised).

Per process, keyed by the version (a random UUID, drawn anew by any change of `area`; a copy
of the database keeps it with its areas). Nothing here depends on the language: names and keys
are data, shown as they are in every language.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.web.cache import InputMemo, Region, current_cache, data_version_now
from app.web.db import get_conn
from geodata.memo import memoised, not_memoised
from geodata.model import Area
from indicators.gebiet_queries import (
    AREAS_VERSION_SQL,
    ScopeAreas,
    areas_version,
    gemeinden_missing,
    get_territory,
    scope_areas,
    territories,
)
from indicators.version_reads import READS, SEPARATOR, prefetch

# The areas version per data version: read once after a publish (region "areas", emptied with
# every other region by a new data version, which any change of `area` also draws).
_AREAS = Region("areas")
# Under the areas version: the lists and what is derived from them (Germany's Gemeinden: a few
# MB), and the small answers (a territory, the Länder, a flag) apart, so that a walk over the
# ~400 territories does not push the large ones out.
_BY_VERSION = InputMemo(32)
_SMALL_BY_VERSION = InputMemo(1024)


def areas_version_now() -> str:
    """The version of the areas: read with the data version (indicators.api_queries
    .DataVersion), else at most once per data version."""
    known: str | None = getattr(data_version_now(), "areas", None)
    if known is not None:
        return known
    version: str = _AREAS.get_or_build(("version",), lambda: areas_version(get_conn()))
    return version


def prefetch_with_version(keys: Sequence[str]) -> None:
    """Read the areas version (when this data version has not read it yet) and the
    per-version reads `keys` of indicators.version_reads (those the connection's memo lacks)
    in one round trip: after a publish a territory map needs both (issue #32)."""
    conn = get_conn()
    if _AREAS.get(("version",)) is not None or getattr(data_version_now(), "areas", None):
        prefetch(conn, keys)  # the version known: read with the data version, or before
        return
    # As Region.get_or_build: the data version first, and what was read kept only if the data
    # did not change meanwhile (else an older areas version could land in a newer data version).
    data_version = data_version_now()
    todo = not_memoised(conn, list(keys))
    # Each statement as version_reads.prefetch sends it (a literal `%` written `%%`).
    sql = SEPARATOR.join([AREAS_VERSION_SQL] + [READS[k][0] for k in todo]).replace("%", "%%")
    result = conn.exec_driver_sql(sql)
    cursor = result.cursor
    try:
        row = cursor.fetchone()
        version = str(row[0]) if row is not None else None
        for key in todo:
            if not cursor.nextset():
                raise RuntimeError(f"no result for {key!r}")
            names = [d[0] for d in cursor.description or ()]
            made = READS[key][1](names, cursor.fetchall())
            memoised(conn, key, lambda made=made: made)
    finally:
        result.close()
    if version is not None:
        current_cache().put(_AREAS.name, ("version",), version, data_version)


def by_areas(key: tuple[Any, ...], build: Callable[[], Any], small: bool = True) -> Any:
    """build()'s result for key, kept under the current version of the areas. The version is
    read before build() runs: a change in between leaves newer areas under the older version,
    never older ones under the newer (None is not kept)."""
    version = areas_version_now()
    memo = _SMALL_BY_VERSION if small else _BY_VERSION
    return memo.get_or_build((version, *key), build)


def script_json(obj: Any) -> str:
    # "</" escaped: the page embeds this in a <script> element; names come from data.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def order_token(ags: list[str]) -> str:
    """A token of the areas' order (their keys): page data and repaints must agree on it."""
    return hashlib.blake2b("".join(ags).encode(), digest_size=8).hexdigest()


@dataclass(frozen=True, eq=False)
class AreaFacts:
    """A territory's areas of one level and what is derived from them alone."""

    areas: ScopeAreas
    order: str  # order_token of the keys
    name_place: np.ndarray  # each area's place in the alphabetical order of names (ties: key)
    ags_json: str  # script_json of the keys
    names_json: str  # script_json of the names
    name_set: frozenset[str]  # the names (a figure text's German names, Description)


def _facts(areas: ScopeAreas) -> AreaFacts:
    by_name = np.argsort(np.array(areas.names), kind="stable")
    place = np.empty(len(by_name), dtype=int)
    place[by_name] = np.arange(len(by_name))
    place.setflags(write=False)  # shared by every request of the process
    return AreaFacts(
        areas,
        order_token(areas.ags),
        place,
        script_json(areas.ags),
        script_json(areas.names),
        frozenset(n for n in areas.names if n),
    )


def scope_facts(territory: Area, ebene: str) -> AreaFacts:
    """The areas of the level in the territory (by key) and their derived facts."""
    facts: AreaFacts = by_areas(
        ("facts", territory.ags, ebene),
        lambda: _facts(scope_areas(get_conn(), territory, ebene)),
        small=False,
    )
    return facts


def territory_cached(ags: str) -> Area | None:
    """gebiet_queries.get_territory (a Bund, Land or Kreis with its bounds), per areas version."""
    found: Area | None = by_areas(("territory", ags), lambda: get_territory(get_conn(), ags))
    return found


def territories_cached() -> list[Area]:
    """gebiet_queries.territories (the Bund and the Länder), per areas version."""
    found: list[Area] = by_areas(("territories",), lambda: territories(get_conn()))
    return found


def gemeinden_missing_cached(territory: Area, ebene: str) -> bool:
    """gebiet_queries.gemeinden_missing, per areas version."""
    missing: bool = by_areas(
        ("missing", territory.ags, ebene),
        lambda: gemeinden_missing(get_conn(), territory, ebene),
    )
    return missing
