"""Profile of any area: each indicator compared with its Kreis, its Land and Germany, with rank.

The headline year per indicator follows the same rule as the Kommune profiles
(indicators/profile.py): the newest year with a real value for the area, else the newest.
Ranks count areas of the same level (a Gemeinde among the Gemeinden of its Kreis and of its
Land, a Kreis among the Kreise of its Land), 1 = highest value, equal values share a rank.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, text

from geodata.levels import parents_of
from geodata.model import Area
from indicators.gebiet_queries import EBENEN
from indicators.pinning import ReadAreas
from indicators.precomputed import KEPT_RANKS
from indicators.queries import Pinned, value_source

LEVEL_EBENE = {
    "gemeinde": "gemeinde",
    "kommune": "gemeinde",
    "kreis": "kreis",
    "region": "kreis",
    "land": "land",
    "bund": None,
}


def area_with_parents(conn: Connection, ags: str) -> Area | None:
    """The area with its Kreis, Land and Bund (`parents`), or None."""
    rows = conn.execute(
        text("SELECT ags, name, kind, level, area_km2 FROM area WHERE ags = ANY(:keys)"),
        {"keys": [ags, *parents_of(ags)]},
    ).all()
    by = {r.ags: Area.from_row(r._mapping) for r in rows}
    if ags not in by:
        return None
    return replace(by[ags], parents=tuple(by[k] for k in parents_of(ags) if k in by))


def _rank(value: float | None, peers: list[float]) -> tuple[int | None, int]:
    if value is None:
        return None, len(peers)
    return 1 + sum(1 for p in peers if p > value), len(peers)


def area_profile(
    conn: Connection, area: Area, pinned: Pinned | None = None
) -> list[dict[str, Any]]:
    """Per indicator with a value for the area: headline year, values of area and parents, ranks
    (the values shown now, or those of the releases `pinned`: a cited area profile)."""
    ags = area.ags
    src = value_source(pinned)
    ebene = LEVEL_EBENE[area.level]
    parents = [p.ags for p in area.parents]
    # The headline year of each indicator first, then per indicator the shown values of the
    # area and its parents in that year: conditions on the rule's DISTINCT ON keys (indicator,
    # area, year) reach into it through the (ags, …) index of every partition, and OFFSET 0
    # keeps the lateral subquery from being pulled up into a join. A join of the headline years
    # with the view applied the rule to every value of the four areas in every year first
    # (2,700 rows for a Gemeinde of Rheinland-Pfalz, the Land's and the Bund's long series) and
    # sorted them all: 12 ms with Germany loaded; now ~150 rows.
    rows = conn.execute(
        text(
            "WITH hy AS (SELECT indicator_id,"
            "  coalesce(max(year) FILTER (WHERE NOT synthetic), max(year)) AS year"
            f"  FROM {src} s WHERE ags = :a AND (value IS NOT NULL OR suppressed)"
            "  GROUP BY indicator_id)"
            " SELECT v.indicator_id, v.ags, v.year, v.value, v.suppressed, v.flag, v.synthetic,"
            "  v.release_label FROM hy CROSS JOIN LATERAL (SELECT * FROM"
            f"  {src} v WHERE v.indicator_id = hy.indicator_id AND v.year = hy.year"
            "  AND v.ags = ANY(:cmp) OFFSET 0) v"
        ),
        {"a": ags, "cmp": [ags, *parents]},
    ).all()
    by_ind: dict[str, dict[str, Any]] = {}
    for r in rows:
        d = by_ind.setdefault(
            r.indicator_id, {"indicator_id": r.indicator_id, "year": r.year, "values": {}}
        )
        d["values"][r.ags] = {
            "value": None if r.suppressed else r.value,
            "suppressed": r.suppressed,
            "flag": r.flag,
            "synthetic": r.synthetic,
            "release": r.release_label,
        }
    if pinned is None and ebene and ebene != "land":
        ranks = kept_ranks(conn, ags)
    elif ebene and ebene != "land":
        ranks = live_ranks(conn, ags, ebene, src)
    else:
        ranks = {}
    out = []
    for ind, d in by_ind.items():
        k = ranks.get((ind, d["year"]))
        if ebene and ebene != "land":
            d["rank_land"] = (k[0], k[1]) if k else (None, 0)
        else:
            d["rank_land"] = None
        d["rank_kreis"] = ((k[2], k[3] or 0) if k else (None, 0)) if ebene == "gemeinde" else None
        out.append(d)
    return out


Ranks = dict[tuple[str, int], tuple[int | None, int, int | None, int | None]]


def kept_ranks(conn: Connection, ags: str) -> Ranks:
    """{(indicator, headline year): (rank in Land, of n, rank in Kreis, of n)} of a Gemeinde or
    Kreis, kept at publish (area_rank, migration 0024): a row per indicator."""
    rows = conn.execute(
        text(
            "SELECT indicator_id, year, rank_land, n_land, rank_kreis, n_kreis"
            f" FROM {KEPT_RANKS} r WHERE r.ags = :a"
        ),
        {"a": ags},
    )
    return {
        (r.indicator_id, r.year): (r.rank_land, r.n_land, r.rank_kreis, r.n_kreis) for r in rows
    }


def live_ranks(conn: Connection, ags: str, ebene: str, src: str) -> Ranks:
    """kept_ranks computed from the values of `src` (a cited profile's releases, the kept
    table's reference): every value of the area's peers at its level in its Land in the area's
    headline year of each indicator."""
    # Per indicator its headline year and that year's values of the peers in the Land (and
    # in the Kreis) as arrays: one row per indicator. A join of the headline years with the
    # values was planned as a nested loop that computed them again for each of the Land's
    # values (over 30 s for a cited Kreis of Rheinland-Pfalz); and 94,000 rows, one per peer
    # and indicator, took a second in Python. Per indicator through the (indicator, year)
    # index, as area_profile's values (OFFSET 0: the lateral subquery stays one).
    rows = conn.execute(
        text(
            "WITH hy AS (SELECT indicator_id,"
            "  coalesce(max(year) FILTER (WHERE NOT synthetic), max(year)) AS year"
            f"  FROM {src} s WHERE ags = :a AND (value IS NOT NULL OR suppressed)"
            "  GROUP BY indicator_id)"
            " SELECT hy.indicator_id, hy.year, p.own, p.land, p.kreis FROM hy CROSS JOIN LATERAL"
            " (SELECT max(v.value) FILTER (WHERE v.ags = :a) AS own,"
            "   coalesce(array_agg(v.value), '{}') AS land,"
            "   coalesce(array_agg(v.value) FILTER (WHERE left(v.ags, 5) = :kreis), '{}') AS kreis"
            f"  FROM (SELECT * FROM {src} v WHERE v.indicator_id = hy.indicator_id"
            "   AND v.year = hy.year AND v.ags LIKE :land || '%' AND v.value IS NOT NULL"
            "   AND NOT v.suppressed OFFSET 0) v"
            "  JOIN area a ON a.ags = v.ags AND a.level = ANY(:lv)) p"
        ),
        {"a": ags, "lv": list(EBENEN[ebene]), "land": ags[:2], "kreis": ags[:5]},
    ).all()
    out: Ranks = {}
    for r in rows:
        land = _rank(r.own, r.land)
        kreis = _rank(r.own, r.kreis)
        out[(r.indicator_id, r.year)] = (*land, *(kreis if ebene == "gemeinde" else (None, None)))
    return out


def read_areas(area: Area) -> ReadAreas:
    """Every area whose values an area profile reads: the area, its parents and its peers at
    the same level in its Land (the ranks); the pin of a cited area profile. The peers are
    named by their levels and their Land's key, not listed (2,300 Gemeinden in
    Rheinland-Pfalz)."""
    ebene = LEVEL_EBENE[area.level]
    keys = (area.ags, *(p.ags for p in area.parents))
    if ebene and ebene != "land":
        return ReadAreas(keys, EBENEN[ebene], area.ags[:2])
    return ReadAreas(keys)
