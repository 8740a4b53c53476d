"""Values for reports: the layered rule live (view shown_value) or pinned to a set of releases.

A pinned report reads `shown_value_in(release_ids)`: the same rule — the one definition of
migration 0014, of which view shown_value is the case "all published releases" — over the
releases that were published when the version was published (real first among them;
synthetic values only in demo mode and only for an indicator without a real release there).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class Cell:
    """One shown value with where it comes from."""

    value: float | None
    suppressed: bool
    flag: str | None
    synthetic: bool
    release_label: str
    name: str = ""

    def same_as(self, other: Cell | None) -> bool:
        """Whether a reader sees the same number (values compared at stored precision)."""
        return (
            other is not None
            and self.suppressed == other.suppressed
            and self.flag == other.flag
            and (self.value is None) == (other.value is None)
            and (self.value is None or abs(self.value - other.value) < 1e-9)
        )


def published_release_ids(conn: Connection) -> list[int]:
    """The ids of every release published right now (what a version is pinned to)."""
    return list(conn.scalars(text("SELECT id FROM release WHERE status = 'published' ORDER BY id")))


class Values:
    """Lookups in one data state: live (release_ids None) or pinned to the given releases."""

    def __init__(self, conn: Connection, release_ids: list[int] | None):
        self.conn = conn
        self.release_ids = release_ids
        self.relation = (
            "shown_value" if release_ids is None else "shown_value_in(CAST(:ids AS int[]))"
        )

    def cells(
        self,
        indicator: str,
        ags: list[str] | None = None,
        years: list[int] | None = None,
        levels: list[str] | None = None,
        land: str | None = None,
    ) -> dict[tuple[str, int], Cell]:
        """(ags, year) → Cell for an indicator, filtered by areas, years, levels, Land prefix."""
        rows = self.conn.execute(
            text(
                "SELECT v.ags, a.name, v.year, v.value, v.suppressed, v.flag, v.synthetic,"
                f" v.release_label FROM {self.relation} v JOIN area a ON a.ags = v.ags"
                " WHERE v.indicator_id = :i"
                " AND (CAST(:ags AS text[]) IS NULL OR v.ags = ANY(CAST(:ags AS text[])))"
                " AND (CAST(:years AS int[]) IS NULL OR v.year = ANY(CAST(:years AS int[])))"
                " AND (CAST(:levels AS text[]) IS NULL OR a.level = ANY(CAST(:levels AS text[])))"
                " AND (CAST(:land AS text) IS NULL OR v.ags LIKE :land || '%')"
            ),
            {
                "i": indicator,
                "ags": ags,
                "years": years,
                "levels": levels,
                "land": land,
                "ids": self.release_ids,
            },
        )
        return {
            (r.ags, r.year): Cell(
                r.value, bool(r.suppressed), r.flag, r.synthetic, r.release_label, r.name
            )
            for r in rows
        }

    def years(self, indicator: str, ags: list[str] | None = None) -> list[int]:
        """Years with a value of the indicator (for any, or for these areas), ascending."""
        return list(
            self.conn.scalars(
                text(
                    f"SELECT DISTINCT year FROM {self.relation} v WHERE v.indicator_id = :i"
                    " AND (CAST(:ags AS text[]) IS NULL OR v.ags = ANY(CAST(:ags AS text[])))"
                    " ORDER BY year"
                ),
                {"i": indicator, "ags": ags, "ids": self.release_ids},
            )
        )


def areas(conn: Connection, keys: list[str]) -> dict[str, dict]:
    """ags → {ags, name, level} for the keys that exist."""
    rows = conn.execute(
        text("SELECT ags, name, level FROM area WHERE ags = ANY(:k)"), {"k": list(keys)}
    )
    return {r.ags: dict(r._mapping) for r in rows}


def release_dates(conn: Connection, labels: list[str]) -> list[dict]:
    """label, published_at and synthetic of the named releases, newest first."""
    rows = conn.execute(
        text(
            "SELECT label, published_at, synthetic, status FROM release WHERE label = ANY(:l)"
            " ORDER BY published_at DESC NULLS LAST, id DESC"
        ),
        {"l": list(labels)},
    )
    return [dict(r._mapping) for r in rows]
