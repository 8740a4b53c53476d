"""Find areas by name or key: trigram similarity on a normalised name (migration 0006g).

The query is normalised by the same SQL function as the names (sozmon_norm: lower case, umlauts
spelled out, "Stadt"/"Landeshauptstadt"… and punctuation left out), so it can contain nothing
that LIKE or the regex engine would interpret; it is cut to MAX_QUERY characters first.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from geodata.model import AreaHit

MAX_QUERY = 100
LIMIT = 25
_KEY = re.compile(r"DG|\d{2,8}", re.IGNORECASE)
LEVEL_ORDER = "CASE a.level WHEN 'bund' THEN 0 WHEN 'land' THEN 1 WHEN 'region' THEN 2 WHEN 'kreis' THEN 2 ELSE 3 END"
_FIELDS = "a.ags, a.name, a.kind, a.level, k.name AS kreis, l.name AS land"
_JOINS = (
    "area a LEFT JOIN area k ON k.ags = left(a.ags, 5) AND length(a.ags) = 8"
    " LEFT JOIN area l ON l.ags = left(a.ags, 2) AND length(a.ags) > 2"
)


def clean_query(q: str) -> str:
    """The query as searched: without control characters, trimmed, at most MAX_QUERY long."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", q)[:MAX_QUERY].strip()


def search_areas(conn: Connection, q: str, limit: int = LIMIT) -> list[AreaHit]:
    """Areas whose key starts with q (digits) or whose name is like q, best first."""
    q = clean_query(q)
    if not q:
        return []
    if _KEY.fullmatch(q):
        rows = conn.execute(
            text(
                f"SELECT {_FIELDS} FROM {_JOINS} WHERE a.ags LIKE :q || '%'"
                f" ORDER BY length(a.ags), a.ags LIMIT :n"
            ),
            {"q": q.upper(), "n": limit},
        )
        return [AreaHit.from_row(r._mapping) for r in rows]
    rows = conn.execute(
        text(
            f"SELECT {_FIELDS}, word_similarity(n.q, sozmon_norm(a.name)) AS score"
            f" FROM (SELECT sozmon_norm(:q) AS q) n, {_JOINS}"
            " WHERE n.q <> '' AND n.q <% sozmon_norm(a.name)"
            " ORDER BY sozmon_norm(a.name) = n.q DESC, sozmon_norm(a.name) LIKE n.q || '%' DESC,"
            f" score DESC, {LEVEL_ORDER}, a.name, a.ags LIMIT :n"
        ),
        {"q": q, "n": limit},
    )
    return [AreaHit.from_row(r._mapping) for r in rows]


def nearest_names(conn: Connection, q: str, limit: int = 5) -> list[AreaHit]:
    """The areas whose names are closest to q (trigram similarity), for 'did you mean'."""
    q = clean_query(q)
    if not q:
        return []
    rows = conn.execute(
        text(
            f"SELECT {_FIELDS}, similarity(sozmon_norm(a.name), n.q) AS score"
            f" FROM (SELECT sozmon_norm(:q) AS q) n, {_JOINS}"
            " WHERE n.q <> '' ORDER BY score DESC, a.name LIMIT :n"
        ),
        {"q": q, "n": limit},
    )
    return [AreaHit.from_row(r._mapping) for r in rows if r.score > 0]
