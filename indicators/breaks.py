"""Series breaks: from a break's year on, an indicator's values are not comparable with before.

A row (i, Y) of `series_break` splits indicator i's years into segments: [..., Y-1] and
[Y, ...]. A change, a trend, an index or a line between two years is only drawn or computed
within one segment. The one query is `series_breaks`; the rest are pure helpers on its result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, text

from geodata.memo import has_memo, memoised


class Break(NamedTuple):
    """One break: from `year` on not comparable with earlier years, and why (de, en)."""

    year: int
    reason_de: str
    reason_en: str

    def reason(self, lang: str) -> str:
        """The reason in a language ('de' or 'en'; German where no English one is stored)."""
        return (self.reason_en or self.reason_de) if lang == "en" else self.reason_de

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON answers."""
        return {"year": self.year, "reason_de": self.reason_de, "reason_en": self.reason_en}


Breaks = tuple[Break, ...]  # one indicator's breaks, oldest first


def series_breaks(
    conn: Connection, indicator_ids: Iterable[str] | None = None
) -> dict[str, Breaks]:
    """Per indicator its breaks, oldest first: every indicator's, or those of the named ones."""
    if indicator_ids is None and has_memo(conn):
        return dict(memoised(conn, "breaks", lambda: _series_breaks(conn, None)))
    return _series_breaks(conn, indicator_ids)


BREAKS_SQL = (
    "SELECT indicator_id, year, reason_de, coalesce(reason_en, '') AS reason_en"
    " FROM series_break"
    " WHERE CAST(:ids AS text[]) IS NULL OR indicator_id = ANY(:ids)"
    " ORDER BY indicator_id, year"
)


def _series_breaks(conn: Connection, indicator_ids: Iterable[str] | None) -> dict[str, Breaks]:
    ids = None if indicator_ids is None else sorted(set(indicator_ids))
    rows = conn.execute(text(BREAKS_SQL), {"ids": ids})
    return breaks_from(rows.all())  # fetched at once, not row by row


def breaks_from(rows: Sequence[Sequence[Any]]) -> dict[str, Breaks]:
    """series_breaks from BREAKS_SQL's rows."""
    out: dict[str, list[Break]] = {}
    for r in rows:
        out.setdefault(r[0], []).append(Break(r[1], r[2], r[3]))
    return {k: tuple(v) for k, v in out.items()}


def segment_of(year: int, breaks: Sequence[Break]) -> int:
    """The segment a year lies in: 0 before the first break, 1 from it on, and so on."""
    return sum(1 for b in breaks if b.year <= year)


def same_segment(y1: int, y2: int, breaks: Sequence[Break]) -> bool:
    """Whether two years' values may be compared (no break lies between them)."""
    return segment_of(y1, breaks) == segment_of(y2, breaks)


def break_between(y1: int, y2: int, breaks: Sequence[Break]) -> Break | None:
    """The first break between two years (either order), or None when they are comparable."""
    lo, hi = min(y1, y2), max(y1, y2)
    return next((b for b in breaks if lo < b.year <= hi), None)


def breaks_within(years: Sequence[int], breaks: Sequence[Break]) -> list[Break]:
    """The breaks that split the given years (a break before the first year splits nothing)."""
    if not years:
        return []
    return [b for b in breaks if min(years) < b.year <= max(years)]


def segment_years(
    years: Sequence[int], breaks: Sequence[Break], year: int | None = None
) -> list[int]:
    """The years in the same segment as `year` (default: the newest year), in the given order."""
    if not years:
        return []
    seg = segment_of(max(years) if year is None else year, breaks)
    return [y for y in years if segment_of(y, breaks) == seg]


def first_year_after_break(years: Sequence[int], breaks: Sequence[Break]) -> dict[int, Break]:
    """Per break that splits the years, the first of the years from it on → that break."""
    out: dict[int, Break] = {}
    for b in breaks_within(years, breaks):
        first = min((y for y in years if y >= b.year), default=None)
        if first is not None:
            out.setdefault(first, b)
    return out
