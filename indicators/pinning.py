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
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, text

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
# in those cells cannot change them). Asked per release (EXISTS on `value_by_area`, stopping at
# the first hit) instead of evaluating the rule over the areas: an area profile reads every
# Gemeinde of its Land (2,300 in Rheinland-Pfalz), where the rule took 8 s with Germany loaded.
# The releases a pin is taken from: every published one (live, `:ids` NULL) or the pinned set.
RELEASE_IN_PIN = """(CASE WHEN CAST(:ids AS int[]) IS NULL THEN r.status = 'published'
       ELSE r.id = ANY(CAST(:ids AS int[])) END)"""
_PAGE_IDS_SQL = f"""
SELECT r.id FROM release r
WHERE {RELEASE_IN_PIN}
  AND (EXISTS (SELECT 1 FROM value v
               WHERE v.release_id = r.id AND v.ags = ANY(CAST(:ags AS text[])))
       OR :notes AND EXISTS (SELECT 1 FROM context_note n
                  WHERE n.release_id = r.id AND n.ags = ANY(CAST(:ags AS text[]))))
ORDER BY r.id
"""


def page_release_ids(
    conn: Connection, area_keys: Sequence[str], ids: Sequence[int] | None, notes: bool = True
) -> tuple[int, ...]:
    """The ids of the releases a page over many indicators reads for the areas it shows: those
    with any value of the areas (every published release, or within a pinned set) and those of
    their Kontextnotizen. The pin of such a page: `shown_value_in(these ids)` gives every cell of
    those areas the winner it had (every release holding a value of them is in the pin), and
    the notes of these releases are the notes it showed. `notes` False: a page without
    Kontextnotizen (the disparities) pins the releases of values only."""
    rows = conn.scalars(
        text(_PAGE_IDS_SQL),
        {
            "ids": list(ids) if ids is not None else None,
            "ags": sorted(set(area_keys)),
            "notes": notes,
        },
    )
    return tuple(rows)


def release_labels(conn: Connection, ids: Sequence[int]) -> list[str]:
    """The labels of these releases, in id order."""
    rows = conn.scalars(
        text("SELECT label FROM release WHERE id = ANY(CAST(:ids AS int[])) ORDER BY id"),
        {"ids": list(ids)},
    )
    return list(rows)
