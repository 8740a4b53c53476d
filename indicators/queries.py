"""Indicator queries returning plain data: catalogue, releases, values, series."""

from __future__ import annotations

from sqlalchemy import Connection, text

INDICATOR_COLUMNS = (
    "i.id, i.topic_id, i.name_de, i.name_en, i.unit, i.decimals, i.polarity, i.first_year,"
    " i.definition_de, i.definition_en, i.source, i.numerator_de, i.denominator_de"
)


def topics_with_indicators(conn: Connection) -> list[dict]:
    """Topics in order, each with its indicators (id, names, unit) in catalogue order."""
    topics = [
        dict(r._mapping)
        for r in conn.execute(text("SELECT id, name_de, name_en FROM topic ORDER BY sort, id"))
    ]
    by_topic: dict[str, list[dict]] = {t["id"]: [] for t in topics}
    for r in conn.execute(text(f"SELECT {INDICATOR_COLUMNS} FROM indicator i ORDER BY i.sort")):
        by_topic.setdefault(r.topic_id, []).append(dict(r._mapping))
    for t in topics:
        t["indicators"] = by_topic[t["id"]]
    return topics


def get_indicator(conn: Connection, indicator_id: str) -> dict | None:
    """One indicator with its topic's names, or None."""
    row = conn.execute(
        text(
            f"SELECT {INDICATOR_COLUMNS}, t.name_de AS topic_de, t.name_en AS topic_en"
            " FROM indicator i JOIN topic t ON t.id = i.topic_id WHERE i.id = :id"
        ),
        {"id": indicator_id},
    ).first()
    return dict(row._mapping) if row else None


def list_releases(conn: Connection, include_drafts: bool = False) -> list[dict]:
    """Releases, newest first."""
    rows = conn.execute(
        text(
            "SELECT id, label, status, published_at, created_at, note, synthetic FROM release"
            " WHERE status = 'published' OR :drafts ORDER BY published_at DESC NULLS FIRST, id DESC"
        ),
        {"drafts": include_drafts},
    )
    return [dict(r._mapping) for r in rows]


def get_release(conn: Connection, release_id: int) -> dict | None:
    """One release by id."""
    row = conn.execute(
        text("SELECT id, label, status, published_at, note, synthetic FROM release WHERE id = :id"),
        {"id": release_id},
    ).first()
    return dict(row._mapping) if row else None


def release_for(conn: Connection, indicator_id: str, release_id: int | None = None) -> dict | None:
    """The release to show for an indicator: the given one, else the newest published with it."""
    if release_id is not None:
        return get_release(conn, release_id)
    row = conn.execute(
        text(
            "SELECT r.id, r.label, r.status, r.published_at, r.note, r.synthetic FROM release r"
            " WHERE r.status = 'published' AND EXISTS (SELECT 1 FROM value v"
            "  WHERE v.release_id = r.id AND v.indicator_id = :i)"
            " ORDER BY r.published_at DESC, r.id DESC LIMIT 1"
        ),
        {"i": indicator_id},
    ).first()
    return dict(row._mapping) if row else None


def years_available(conn: Connection, indicator_id: str, release_id: int) -> list[int]:
    """Years with at least one value of the indicator in the release, ascending."""
    return list(
        conn.scalars(
            text(
                "SELECT DISTINCT year FROM value WHERE indicator_id = :i AND release_id = :r"
                " ORDER BY year"
            ),
            {"i": indicator_id, "r": release_id},
        )
    )


def values_for_year(
    conn: Connection, indicator_id: str, year: int, release_id: int, level: str = "kommune"
) -> list[dict]:
    """Every area of a level with its value (None where missing or withheld) for one year."""
    rows = conn.execute(
        text(
            "SELECT a.ags, a.name, a.level, v.value, v.numerator, v.denominator,"
            " coalesce(v.suppressed, false) AS suppressed"
            " FROM area a LEFT JOIN value v ON v.ags = a.ags AND v.indicator_id = :i"
            "  AND v.year = :y AND v.release_id = :r"
            " WHERE a.level = :level ORDER BY a.name"
        ),
        {"i": indicator_id, "y": year, "r": release_id, "level": level},
    )
    return [dict(r._mapping) for r in rows]


def series(
    conn: Connection, indicator_id: str, ags: list[str], release_id: int
) -> dict[str, list[tuple[int, float | None]]]:
    """Per area the (year, value) pairs of the indicator in a release, by year."""
    out: dict[str, list[tuple[int, float | None]]] = {a: [] for a in ags}
    rows = conn.execute(
        text(
            "SELECT ags, year, CASE WHEN suppressed THEN NULL ELSE value END AS value FROM value"
            " WHERE indicator_id = :i AND release_id = :r AND ags = ANY(:ags) ORDER BY ags, year"
        ),
        {"i": indicator_id, "r": release_id, "ags": ags},
    )
    for r in rows:
        out[r.ags].append((r.year, r.value))
    return out


def year_ranges(conn: Connection) -> dict[str, tuple[int, int]]:
    """Per indicator (first, last) year in the newest published release that contains it."""
    rows = conn.execute(
        text(
            "SELECT DISTINCT ON (v.indicator_id) v.indicator_id, min(v.year) AS y0,"
            " max(v.year) AS y1 FROM value v JOIN release r ON r.id = v.release_id"
            " WHERE r.status = 'published' GROUP BY v.indicator_id, r.id, r.published_at"
            " ORDER BY v.indicator_id, r.published_at DESC, r.id DESC"
        )
    )
    return {r.indicator_id: (r.y0, r.y1) for r in rows}


def withheld(conn: Connection, indicator_id: str, ags: list[str], release_id: int) -> set[tuple]:
    """(ags, year) pairs whose value small-number protection withholds ("geheim")."""
    rows = conn.execute(
        text(
            "SELECT ags, year FROM value WHERE indicator_id = :i AND release_id = :r"
            " AND ags = ANY(:ags) AND suppressed"
        ),
        {"i": indicator_id, "r": release_id, "ags": ags},
    )
    return {(r.ags, r.year) for r in rows}
