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
# One area's whole key (Gemeinde 8 digits, Kreis 5, Land 2, Bund 'DG'), alone or after a name
# as a picker writes it: "Hildesheim (03254021)".
AREA_KEY = re.compile(r"DG|\d{2}|\d{5}|\d{8}", re.IGNORECASE)
_LABELLED = re.compile(r"(.*?)\s*\((DG|\d{2}|\d{5}|\d{8})\)", re.IGNORECASE)
LEVEL_ORDER = "CASE a.level WHEN 'bund' THEN 0 WHEN 'land' THEN 1 WHEN 'region' THEN 2 WHEN 'kreis' THEN 2 ELSE 3 END"
_FIELDS = "a.ags, a.name, a.kind, a.level, k.name AS kreis, l.name AS land"
_JOINS = (
    "area a LEFT JOIN area k ON k.ags = left(a.ags, 5) AND length(a.ags) = 8"
    " LEFT JOIN area l ON l.ags = left(a.ags, 2) AND length(a.ags) > 2"
)


def clean_query(q: str) -> str:
    """The query as searched: without control characters, trimmed, at most MAX_QUERY long."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", q)[:MAX_QUERY].strip()


def search_areas(
    conn: Connection, q: str, limit: int = LIMIT, home: str | None = None
) -> list[AreaHit]:
    """Areas whose key starts with q (digits) or whose name is like q, best first.

    home: a Kreis's key whose areas (it and its Gemeinden) come first among equally good names
    (a picker offers the home Kommunen before namesakes elsewhere).
    """
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
            " coalesce(left(a.ags, 5) = :home, false) DESC,"
            f" score DESC, {LEVEL_ORDER}, a.name, a.ags LIMIT :n"
        ),
        {"q": q, "n": limit, "home": home},
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


def area_by_key(conn: Connection, ags: str) -> AreaHit | None:
    """The area with this whole key (with its Kreis and Land), or None."""
    row = conn.execute(
        text(f"SELECT {_FIELDS} FROM {_JOINS} WHERE a.ags = :k"), {"k": ags.upper()}
    ).first()
    return AreaHit.from_row(row._mapping) if row else None


def picker_label(hit: AreaHit) -> str:
    """How a picker writes a chosen area, and reads it back (resolve): 'Hildesheim (03254021)'."""
    return f"{hit.name} ({hit.ags})"


def resolve(
    conn: Connection, q: str, home: str | None = None
) -> tuple[AreaHit | None, list[AreaHit]]:
    """The one area a picker's text names, and the candidates when it names none or several.

    Read as (home: as search_areas): a whole key ('03254021', 'DG'); a name with its key in brackets (picker_label); a
    name with exactly one hit of that name (case aside), or a text with exactly one hit at all.
    """
    q = clean_query(q)
    if not q:
        return None, []
    labelled = _LABELLED.fullmatch(q)
    key = labelled.group(2) if labelled else q if AREA_KEY.fullmatch(q) else None
    if key is not None:
        hit = area_by_key(conn, key)
        if hit is not None:
            return hit, [hit]
        return None, search_areas(conn, labelled.group(1), home=home) if labelled else []
    hits = search_areas(conn, q, home=home)
    exact = [h for h in hits if h.name.casefold() == q.casefold()]
    if len(exact) == 1:
        return exact[0], hits
    if len(hits) == 1:
        return hits[0], hits
    return None, hits
