"""Pinned views (issue #31, part 3): a page's values frozen to the ids of the releases it showed.

A pinned URL carries `stand=<id>.<id>…`, the ids of the releases whose values the page showed
when it was cited. Its values are read with `shown_value_in(ids)` — the release rule's one
definition (migration 0014), the same the pinned Fokusberichte read — so a release published
later changes nothing on it. Parsing and checking happen here, before any value is read: a
malformed list is a 400 (`InvalidChoice`), an id that names no published or withdrawn release a
404 (`UnknownRelease`; drafts are never citable).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import Connection, text

from geodata.memo import has_memo, memoised, not_memoised
from indicators.errors import InvalidChoice
from indicators.releases import UnknownRelease
from indicators.text import _

PARAM = "stand"
MAX_IDS = 40  # more releases than any indicator has ever had layered; a longer list is hostile
_FORMAT = re.compile(r"[1-9][0-9]{0,8}(\.[1-9][0-9]{0,8}){0," + str(MAX_IDS - 1) + "}")


def format_ids(ids: Iterable[int]) -> str:
    """The `stand` value of a set of release ids: sorted, distinct, dot-separated."""
    return ".".join(str(i) for i in sorted(set(ids)))


def parse_ids(raw: str | None) -> tuple[int, ...] | None:
    """`stand=3.7.12` → (3, 7, 12); None when absent. Anything else is refused (400).

    Only the canonical spelling (ascending, distinct, no leading zeros) is accepted: one pinned
    view has one URL, so caches hold it once and a citation cannot be varied.
    """
    if raw is None:
        return None
    if len(raw) > MAX_IDS * 10 or not _FORMAT.fullmatch(raw):
        raise InvalidChoice(
            PARAM,
            _(
                "„stand“ muss eine Liste von Datenstand-Nummern sein, aufsteigend und durch Punkte getrennt (z. B. stand=3.7)."
            ),
        )
    ids = tuple(int(p) for p in raw.split("."))
    if list(ids) != sorted(set(ids)):
        raise InvalidChoice(
            PARAM,
            _(
                "„stand“: die Datenstand-Nummern müssen aufsteigend und ohne Wiederholung stehen, hier: %(c)s.",
                c=format_ids(ids),
            ),
            [format_ids(ids)],
        )
    return ids


def check_ids(conn: Connection, ids: Sequence[int]) -> None:
    """Every id names a published or withdrawn release (a draft or unknown id: 404)."""
    known = set(
        conn.scalars(
            text(
                "SELECT id FROM release WHERE id = ANY(CAST(:ids AS int[]))"
                " AND status IN ('published', 'withdrawn')"
            ),
            {"ids": list(ids)},
        )
    )
    missing = [i for i in ids if i not in known]
    if missing:
        raise UnknownRelease(
            PARAM,
            _(
                "Einen veröffentlichten Datenstand Nr. %(r)s gibt es nicht: dieser zitierte Stand lässt sich nicht zeigen.",
                r=missing[0],
            ),
        )


def indicator_release_ids(
    conn: Connection, indicator_id: str, area_keys: Sequence[str], ids: Sequence[int] | None
) -> tuple[int, ...]:
    """The ids of the releases whose values of an indicator are shown for the given areas,
    live (ids None: every published release) or within a pinned set."""
    rows = conn.scalars(
        text(
            "SELECT DISTINCT v.release_id FROM shown_value_in(CAST(:ids AS int[])) v"
            " WHERE v.indicator_id = :i AND v.ags = ANY(CAST(:ags AS text[]))"
            " ORDER BY v.release_id"
        ),
        {"ids": list(ids) if ids is not None else None, "i": indicator_id, "ags": list(area_keys)},
    )
    return tuple(rows)


# The releases a page of several indicators pins: every release (published, or of the pinned
# set) with any value of the areas it reads, and every release of a public context note of those
# areas. A superset of the releases whose values win, and the same pin: the rule within it gives
# each cell of these areas the winner the rule over every release gave (a release without a value
# in those cells cannot change them). Asked per release instead of evaluating the rule over the
# areas: an area profile reads every Gemeinde of its Land (2,300 in Rheinland-Pfalz), where the
# rule took 8 s with Germany loaded.
# The releases a pin is taken from: every published one (live, `:ids` NULL) or the pinned set.
RELEASE_IN_PIN = """(CASE WHEN CAST(:ids AS int[]) IS NULL THEN r.status = 'published'
       ELSE r.id = ANY(CAST(:ids AS int[])) END)"""


@dataclass(frozen=True)
class ReadAreas:
    """The areas a page reads values of: the named ones (`keys`) and, with `levels`, every area
    of those levels whose key starts with `prefix` (an area profile's peers in its Land, which
    the page ranks it among: 2,300 keys are not sent when a prefix says it)."""

    keys: tuple[str, ...]
    levels: tuple[str, ...] = ()
    prefix: str = ""

    def __post_init__(self) -> None:
        if self.levels and not self.prefix.isdigit():
            raise ValueError(f"a prefix of digits for the levels {self.levels}: {self.prefix!r}")


def area_keys(conn: Connection, areas: Sequence[str] | ReadAreas) -> list[str]:
    """Every key of the areas, sorted and distinct (the peers of a ReadAreas looked up)."""
    if not isinstance(areas, ReadAreas):
        return sorted(set(areas))
    keys = set(areas.keys)
    if areas.levels:
        keys.update(
            conn.scalars(
                text("SELECT ags FROM area WHERE level = ANY(:lv) AND ags LIKE :p || '%'"),
                {"lv": list(areas.levels), "p": areas.prefix},
            )
        )
    return sorted(keys)


# Which releases hold values of which areas is kept per release (release_area, migration 0027,
# written at its publish: indicators.precomputed.RELEASE_AREAS_SQL): the EXISTS per release is
# an index read of it. The peers (`levels` under `prefix`) are a range of its key
# (release_id, ags): `:lo <= ags < :hi` is the prefix as an index range (the key's collation
# is C), the join with `area` checks their level as the live list does. OFFSET 0 keeps each
# EXISTS a probe per release: without it PostgreSQL may hash the whole table once instead (it
# did on the test fixture's few releases), a read of every row. Before, the same EXISTS went
# into the release's partition of `value` with every key as a list: 60–80 ms for an area
# profile of Rheinland-Pfalz with Germany loaded, most of it planning the 2,300-key list.
_PAGE_IDS_SQL = f"""
SELECT r.id FROM release r
WHERE {RELEASE_IN_PIN}
  AND (EXISTS (SELECT 1 FROM release_area k
               WHERE k.release_id = r.id AND k.ags = ANY(CAST(:ags AS text[])) OFFSET 0)
       OR :scoped AND EXISTS (SELECT 1 FROM release_area k JOIN area a ON a.ags = k.ags
                  WHERE k.release_id = r.id AND k.ags >= :lo AND k.ags < :hi
                    AND k.ags LIKE :lo || '%' AND a.level = ANY(CAST(:lv AS text[])) OFFSET 0)
       OR :notes AND EXISTS (SELECT 1 FROM context_note n
                  WHERE n.release_id = r.id AND (n.ags = ANY(CAST(:ags AS text[]))
                    OR :scoped AND n.ags LIKE :lo || '%' AND EXISTS (SELECT 1 FROM area a
                      WHERE a.ags = n.ags AND a.level = ANY(CAST(:lv AS text[]))))))
ORDER BY r.id
"""


def page_release_ids(
    conn: Connection,
    areas: Sequence[str] | ReadAreas,
    ids: Sequence[int] | None,
    notes: bool = True,
) -> tuple[int, ...]:
    """The ids of the releases a page over many indicators reads for the areas it shows: those
    with any value of the areas (every published release, or within a pinned set) and those of
    their Kontextnotizen. The pin of such a page: `shown_value_in(these ids)` gives every cell of
    those areas the winner it had (every release holding a value of them is in the pin), and
    the notes of these releases are the notes it showed. `notes` False: a page without
    Kontextnotizen (the disparities) pins the releases of values only. Read from the areas
    kept per release (release_area); live_page_release_ids is the same from the values."""
    scope = areas if isinstance(areas, ReadAreas) else ReadAreas(tuple(areas))
    lo = scope.prefix if scope.levels else ""
    rows = conn.scalars(
        text(_PAGE_IDS_SQL),
        {
            "ids": list(ids) if ids is not None else None,
            "ags": sorted(set(scope.keys)),
            "scoped": bool(scope.levels),
            "lv": list(scope.levels),
            "lo": lo,
            # the first key after every key starting with `lo` (digits: the last one plus one)
            "hi": lo[:-1] + chr(ord(lo[-1]) + 1) if lo else "",
            "notes": notes,
        },
    )
    return tuple(rows)


# page_release_ids asked of the values themselves (the statement before release_area): the
# reference the kept rows are tested against.
_LIVE_PAGE_IDS_SQL = f"""
SELECT r.id FROM release r
WHERE {RELEASE_IN_PIN}
  AND (EXISTS (SELECT 1 FROM value v
               WHERE v.release_id = r.id AND v.ags = ANY(CAST(:ags AS text[])))
       OR :notes AND EXISTS (SELECT 1 FROM context_note n
                  WHERE n.release_id = r.id AND n.ags = ANY(CAST(:ags AS text[]))))
ORDER BY r.id
"""


def live_page_release_ids(
    conn: Connection,
    areas: Sequence[str] | ReadAreas,
    ids: Sequence[int] | None,
    notes: bool = True,
) -> tuple[int, ...]:
    """page_release_ids from the values (every key of the areas looked up, area_keys)."""
    rows = conn.scalars(
        text(_LIVE_PAGE_IDS_SQL),
        {
            "ids": list(ids) if ids is not None else None,
            "ags": area_keys(conn, areas),
            "notes": notes,
        },
    )
    return tuple(rows)


# Every release's label, read once per data version (every change of `release` bumps it, 0008)
# by the pages that read it ahead with their other per-version reads (indicators.version_reads:
# a profile's and a comparison's citation, no round trip of its own).
RELEASE_LABELS = "release_labels"
RELEASE_LABELS_SQL = "SELECT id, label FROM release ORDER BY id"


def release_labels_from(
    _names: Sequence[str], rows: Sequence[Sequence[object]]
) -> Mapping[int, str]:
    """Release id → label from RELEASE_LABELS_SQL's rows (read-only: the memo shares it)."""
    return MappingProxyType({int(str(r[0])): str(r[1]) for r in rows})


def release_labels(conn: Connection, ids: Sequence[int]) -> list[str]:
    """The labels of these releases, in id order (from the labels read ahead when a page did)."""
    if has_memo(conn) and not not_memoised(conn, [RELEASE_LABELS]):
        known: Mapping[int, str] = memoised(conn, RELEASE_LABELS, lambda: MappingProxyType({}))
        wanted = sorted(set(ids))
        if all(i in known for i in wanted):
            return [known[i] for i in wanted]
    rows = conn.scalars(
        text("SELECT label FROM release WHERE id = ANY(CAST(:ids AS int[])) ORDER BY id"),
        {"ids": list(ids)},
    )
    return list(rows)
