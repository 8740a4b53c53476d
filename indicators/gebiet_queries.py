"""Queries for maps of many areas: a territory (Bund, Land, Kreis) split into one level.

A territory is an area of level 'bund', 'land', 'kreis' or 'region' (the home Kreis); its
areas at a finer level are found by AGS prefix. The home region's Gemeinden (level 'kommune')
count as Gemeinden and the home Kreis (level 'region') as a Kreis, so a map of Niedersachsen
shows them with everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from geodata.model import Area
from geodata.queries import get_area
from indicators.pinning import RELEASE_IN_PIN
from indicators.precomputed import KEPT_TERRITORY_INDICATORS, KEPT_TERRITORY_VALUES
from indicators.queries import DEMO_ON, ReleaseRef, value_source

# Map level ('ebene') → the area levels it holds.
EBENEN: dict[str, tuple[str, ...]] = {
    "land": ("land",),
    "kreis": ("kreis", "region"),
    "gemeinde": ("gemeinde", "kommune"),
}
# Key length of each map level: cheaper than joining the area table for existence checks.
KEY_LENGTH = {"land": 2, "kreis": 5, "gemeinde": 8}
# Territory level → the map levels below it, coarsest first.
EBENEN_IN: dict[str, tuple[str, ...]] = {
    "bund": ("land", "kreis", "gemeinde"),
    "land": ("kreis", "gemeinde"),
    "kreis": ("gemeinde",),
    "region": ("gemeinde",),
}


def _prefix(territory: Area) -> str:
    return "" if territory.level == "bund" else territory.ags


def get_territory(conn: Connection, ags: str) -> Area | None:
    """A Bund, Land or Kreis (incl. the home Kreis) by key, with bounds, or None."""
    area = get_area(conn, ags)
    return area if area and area.level in ("bund", "land", "kreis", "region") else None


def territories(conn: Connection) -> list[Area]:
    """The Bund and the Länder (for choices), Bund first."""
    rows = conn.execute(
        text(
            "SELECT ags, name, kind, level, area_km2 FROM area WHERE level IN ('bund', 'land')"
            " ORDER BY ags = 'DG' DESC, ags"
        )
    )
    return [Area.from_row(r._mapping) for r in rows]


def count_areas(conn: Connection, territory: Area, ebene: str) -> int:
    """How many areas of the map level lie in the territory."""
    n: int = conn.scalar(
        text("SELECT count(*) FROM area WHERE level = ANY(:lv) AND ags LIKE :p || '%'"),
        {"lv": list(EBENEN[ebene]), "p": _prefix(territory)},
    )
    return n


def gemeinden_missing(conn: Connection, territory: Area, ebene: str) -> bool:
    """True when a Gemeinde map of the territory lacks Germany's Gemeinden (not loaded): only
    the home region's Kommunen would be drawn, in an otherwise empty frame."""
    if ebene != "gemeinde" or territory.level == "region":
        return False
    return not conn.scalar(
        text("SELECT EXISTS (SELECT 1 FROM area WHERE level = 'gemeinde' AND ags LIKE :p || '%')"),
        {"p": _prefix(territory)},
    )


def _values(release_id: ReleaseRef) -> str:
    """The values `v` to look at: the named release's, else those the rule may show.

    Every visible value is shown somewhere (shown_value only picks among them, migration
    0014), so existence needs no DISTINCT ON over the view: visible_value is far cheaper.
    """
    if release_id is None:
        return "visible_value v"
    if isinstance(release_id, tuple):  # a cited (pinned) map: the values it showed
        return f"{value_source(release_id)} v"
    return f"(SELECT * FROM release_value WHERE release_id = {int(release_id)}) v"


def _kept_years(conn: Connection, indicator_id: str, territory: Area, ebene: str) -> Any:
    return conn.execute(
        text(
            f"SELECT t.years, t.default_year FROM {KEPT_TERRITORY_INDICATORS} t"
            " WHERE t.territory = :t AND t.ebene = :e AND t.indicator_id = :i"
        ),
        {"t": territory.ags, "e": ebene, "i": indicator_id},
    ).first()


def kept_scope_years(
    conn: Connection, territory: Area, ebene: str
) -> dict[str, tuple[list[int], int | None]]:
    """scope_years and scope_default_year of the layered values of every indicator at the
    level in the territory (territory_indicator, migration 0025), in one statement: indicator
    id → (years, default year)."""
    rows = conn.execute(
        text(
            f"SELECT t.indicator_id, t.years, t.default_year FROM {KEPT_TERRITORY_INDICATORS} t"
            " WHERE t.territory = :t AND t.ebene = :e"
        ),
        {"t": territory.ags, "e": ebene},
    )
    return {r.indicator_id: (list(r.years), r.default_year) for r in rows}


def scope_years(
    conn: Connection, indicator_id: str, territory: Area, ebene: str, release_id: ReleaseRef
) -> list[int]:
    """Years with a number of the indicator for an area of the level in the territory: kept at
    publish when no release is named (territory_indicator.years, migration 0025), else
    live_scope_years."""
    if release_id is None:
        row = _kept_years(conn, indicator_id, territory, ebene)
        return list(row.years) if row else []
    return live_scope_years(conn, indicator_id, territory, ebene, release_id)


def live_scope_years(
    conn: Connection, indicator_id: str, territory: Area, ebene: str, release_id: ReleaseRef
) -> list[int]:
    """scope_years from the values (the kept column's reference and a named release's)."""
    # Skip scan over the (indicator, year) index: the next year after each, then one EXISTS per
    # year, instead of DISTINCT over every value of the indicator (4 ms instead of ~90 ms for
    # Germany's Gemeinden).
    return list(
        conn.scalars(
            text(
                "WITH RECURSIVE y AS (SELECT min(year) AS year FROM value WHERE indicator_id = :i"
                " UNION ALL SELECT (SELECT min(year) FROM value WHERE indicator_id = :i"
                "  AND year > y.year) FROM y WHERE y.year IS NOT NULL)"
                " SELECT y.year FROM y WHERE y.year IS NOT NULL AND EXISTS (SELECT 1"
                f"  FROM {_values(release_id)} WHERE v.indicator_id = :i"
                "  AND v.year = y.year AND length(v.ags) = :len AND v.ags LIKE :p || '%'"
                # a year of signs only ("...", withheld) has nothing to draw (issue #29)
                "  AND v.value IS NOT NULL AND NOT coalesce(v.suppressed, false))"
                " ORDER BY y.year"
            ),
            {"i": indicator_id, "len": KEY_LENGTH[ebene], "p": _prefix(territory)},
        )
    )


def scope_default_year(
    conn: Connection, indicator_id: str, territory: Area, ebene: str, release_id: ReleaseRef
) -> int | None:
    """The year a map opens with: the newest in which at least half as many areas have a real
    value as in the best-covered year (a synthetic continuation for a few is not the default).
    Kept at publish when no release is named (territory_indicator.default_year, 0025)."""
    if release_id is None:
        row = _kept_years(conn, indicator_id, territory, ebene)
        return row.default_year if row else None
    return live_scope_default_year(conn, indicator_id, territory, ebene, release_id)


def live_scope_default_year(
    conn: Connection, indicator_id: str, territory: Area, ebene: str, release_id: ReleaseRef
) -> int | None:
    """scope_default_year from the values (the kept column's reference and a named release's)."""
    rows = conn.execute(
        text(
            f"SELECT v.year, count(*) AS n FROM {_values(release_id)}"
            " WHERE v.indicator_id = :i AND length(v.ags) = :len AND v.ags LIKE :p || '%'"
            " AND NOT v.synthetic AND v.value IS NOT NULL AND NOT coalesce(v.suppressed, false)"
            " GROUP BY v.year"
        ),
        {"i": indicator_id, "len": KEY_LENGTH[ebene], "p": _prefix(territory)},
    ).all()
    if not rows:
        return None
    best = max(r.n for r in rows)
    year: int = max(r.year for r in rows if r.n * 2 >= best)
    return year


def indicators_at(
    conn: Connection, territory: Area, ebene: str, release_id: int | None
) -> set[str]:
    """Ids of the indicators with any value at the level in the territory: kept at publish
    when no release is named (territory_indicator, migration 0024: a row per indicator instead
    of every visible value of the territory's areas), else from the named release's values."""
    if release_id is None:
        return set(
            conn.scalars(
                text(
                    f"SELECT indicator_id FROM {KEPT_TERRITORY_INDICATORS} t"
                    " WHERE t.territory = :t AND t.ebene = :e"
                ),
                {"t": territory.ags, "e": ebene},
            )
        )
    return live_indicators_at(conn, territory, ebene, release_id)


def live_indicators_at(
    conn: Connection, territory: Area, ebene: str, release_id: int | None
) -> set[str]:
    """indicators_at from the values (the kept table's reference and a named release's)."""
    return set(
        conn.scalars(
            text(
                f"SELECT DISTINCT v.indicator_id FROM {_values(release_id)}"
                " WHERE length(v.ags) = :len AND v.ags LIKE :p || '%'"
            ),
            {"len": KEY_LENGTH[ebene], "p": _prefix(territory)},
        )
    )


@dataclass(frozen=True)
class ScopeAreas:
    """The areas of a level in a territory, by key ascending (the order maps and repaints share)."""

    ags: list[str]
    names: list[str]
    levels: list[str]

    @cached_property
    def keys(self) -> np.ndarray:
        """The keys as a numpy array (built once per list: the list is kept per areas version)."""
        return np.array(self.ags)


def scope_release_ids(
    conn: Connection, indicator_id: str, territory: Area, ebene: str, ids: tuple[int, ...] | None
) -> tuple[int, ...]:
    """The ids of the releases with a value of the indicator a territory map may show in any
    year (its areas of the level and the territory's own value): live (ids None: the published
    ones) or within a pinned set. The pin of a territory map.

    Asked per release, as the area profile's pin (`pinning.page_release_ids`): EXISTS on the
    release's values of the indicator, stopping at the first hit, instead of the release rule
    over every area and year of the territory (Germany: 11,000 Gemeinden). A synthetic release
    counts only where the rule shows its values. The set may be wider than the releases
    whose values win (one overridden in every cell is in it), yet the pin is the same: every
    release holding a value of these cells is in it, so the rule within it gives each cell the
    winner the rule over every release gave (tests/test_pinned_pages.py)."""
    rows = conn.scalars(
        text(
            "SELECT r.id FROM release r"
            f" WHERE {RELEASE_IN_PIN}"
            # a synthetic release's values are visible as the rule has it (migration 0014):
            # in demo mode, for an indicator without real values in the set
            f" AND (NOT r.synthetic OR ({DEMO_ON} AND :i NOT IN"
            " (SELECT x.indicator_id FROM real_indicator_in(CAST(:ids AS int[])) x)))"
            " AND EXISTS (SELECT 1 FROM value v WHERE v.release_id = r.id"
            " AND v.indicator_id = :i"
            " AND ((length(v.ags) = :len AND v.ags LIKE :p || '%') OR v.ags = :own))"
            " ORDER BY r.id"
        ),
        {
            "ids": list(ids) if ids is not None else None,
            "i": indicator_id,
            "len": KEY_LENGTH[ebene],
            "p": _prefix(territory),
            "own": territory.ags,
        },
    )
    return tuple(rows)


AREAS_VERSION_SQL = "SELECT areas_version FROM data_epoch WHERE id = 1"


def areas_version(conn: Connection) -> str:
    """The areas' own version (migration 0028: drawn anew by any change of `area`, not by a
    publish): what depends on the areas only (scope_areas) can be kept under it."""
    return str(conn.scalar(text(AREAS_VERSION_SQL)))


def scope_areas(conn: Connection, territory: Area, ebene: str) -> ScopeAreas:
    """Every area of the level in the territory, ordered by key."""
    # The rows sorted once, then aggregated in that order (an ORDER BY in each of the three
    # aggregates sorted Germany's 11,000 Gemeinden three times: 32 → 19 ms under load).
    rows = conn.execute(
        text(
            "SELECT coalesce(array_agg(ags), '{}'), coalesce(array_agg(name), '{}'),"
            " coalesce(array_agg(level), '{}') FROM (SELECT ags, name, level FROM area"
            "  WHERE level = ANY(:lv) AND ags LIKE :p || '%' ORDER BY ags) x"
        ),
        {"lv": list(EBENEN[ebene]), "p": _prefix(territory)},
    ).one()
    return ScopeAreas(list(rows[0]), list(rows[1]), list(rows[2]))


@dataclass(frozen=True)
class ScopeValues:
    """Shown values of one indicator and year, aligned with a ScopeAreas (None: no value)."""

    value: list[float | None]
    suppressed: list[bool]
    flag: list[str | None]
    release: list[int | None]  # release id per area
    releases: dict[int, tuple[str, bool]]  # release id → (label, synthetic)


def scope_values(
    conn: Connection,
    indicator_id: str,
    year: int,
    territory: Area,
    ebene: str,
    release_id: ReleaseRef,
    areas: ScopeAreas,
) -> ScopeValues:
    """The values of every area of `areas` for the indicator and year: kept at publish when no
    release is named (territory_value, migration 0025: the rows of the territory's Länder,
    the keys outside the territory's areas dropped below), else live_scope_values."""
    if release_id is not None:
        return live_scope_values(conn, indicator_id, year, territory, ebene, release_id, areas)
    return _kept_scope_values(conn, indicator_id, year, territory, ebene, areas, False)[0]


def scope_values_and_own(
    conn: Connection,
    indicator_id: str,
    year: int,
    territory: Area,
    ebene: str,
    release_id: ReleaseRef,
    areas: ScopeAreas,
) -> tuple[ScopeValues, dict[str, Any] | None]:
    """scope_values and the territory's own shown value (area_value's row: value, suppressed,
    flag, synthetic, release_label, or None). Of the layered values both from the kept rows in
    one statement: the territory's own value is in territory_value too (Germany's in the row
    of key length 2 and "Land" DG, a Land's in its row of key length 2, a Kreis' among its
    Land's Kreise), its label and synthetic mark those of its release, as in the view."""
    if release_id is not None:
        return (
            live_scope_values(conn, indicator_id, year, territory, ebene, release_id, areas),
            area_value(conn, indicator_id, year, territory.ags, release_id),
        )
    return _kept_scope_values(conn, indicator_id, year, territory, ebene, areas, True)


def _kept_scope_values(
    conn: Connection,
    indicator_id: str,
    year: int,
    territory: Area,
    ebene: str,
    areas: ScopeAreas,
    with_own: bool,
) -> tuple[ScopeValues, dict[str, Any] | None]:
    width, own_width = KEY_LENGTH[ebene], len(territory.ags)
    if with_own and own_width == width:  # not a level below the territory: read on its own
        own = area_value(conn, indicator_id, year, territory.ags, None)
        return _kept_scope_values(conn, indicator_id, year, territory, ebene, areas, False)[0], own
    ags: list[np.ndarray] = []
    value: list[np.ndarray] = []
    suppressed: list[np.ndarray] = []
    flag: list[str | None] = []
    release: list[int | None] = []
    own_row: Any = None
    # Columns in forms numpy reads at once (~11,000 elements each for Germany's Gemeinden,
    # ~3 ms less than parsing arrays of text into Python objects): the keys, all of the row's
    # key length, as one string; the values as PostgreSQL's binary array (array_send, NULL
    # sent as NaN, which is what a NULL becomes below anyway); `suppressed` as one 't'/'f'
    # per area (NULL: 'f', as before).
    # The labels of every release (a handful of rows, one JSON computed once) ride along: the
    # statement that read those of the rows' releases after them was a round trip of its own
    # (issue #32); _placed_with picks the ones the rows name, as that statement did.
    labels: dict[int, tuple[str, bool]] | None = None
    for r in conn.execute(
        text(
            "SELECT t.len, array_to_string(t.ags, ''),"
            " array_send(array_replace(t.value, NULL, 'NaN')),"
            " array_to_string(t.suppressed, '', 'f'), t.flag, t.release_id,"
            " (SELECT coalesce(json_agg(json_build_array(r.id, r.label, r.synthetic)), '[]')"
            "  FROM release r)"
            f" FROM {KEPT_TERRITORY_VALUES} t WHERE t.indicator_id = :i AND t.year = :y"
            " AND ((t.len = :len AND t.land LIKE :l || '%') OR (t.len = :own_len"
            " AND t.land = :own_land)) ORDER BY t.land"
        ),
        {
            "i": indicator_id,
            "y": year,
            "len": width,
            "l": _prefix(territory)[:2],
            "own_len": own_width if with_own else -1,
            "own_land": territory.ags[:2],
        },
    ):
        if labels is None:
            labels = {int(i): (lab, syn) for i, lab, syn in r[6]}
        if r[0] != width:
            own_row = r
            continue
        ags.append(np.frombuffer(r[1].encode("ascii"), dtype=f"S{width}"))
        value.append(float8_array(r[2]))
        suppressed.append(np.frombuffer(r[3].encode("ascii"), dtype="S1") == b"t")
        flag.extend(r[4])
        release.extend(r[5])
    own_at: int | None = None
    if own_row is not None:
        keys = np.frombuffer(own_row[1].encode("ascii"), dtype=f"S{own_width}")
        found = np.flatnonzero(keys == territory.ags.encode("ascii"))
        own_at = int(found[0]) if found.size else None
    own_release = own_row[5][own_at] if own_row is not None and own_at is not None else None
    if not ags:
        columns: tuple[Any, ...] = ([], np.zeros(0), [], [], [])
    else:
        got = np.concatenate(ags).astype(f"U{width}")
        columns = (got, np.concatenate(value), np.concatenate(suppressed), flag, release)
    sv, releases = _placed_with(conn, columns, areas, own_release, labels)
    if own_row is None or own_at is None:
        return sv, None
    own_value = float(float8_array(own_row[2])[own_at])
    of_release = releases.get(own_release) if own_release is not None else None
    label, synthetic = of_release if of_release is not None else (None, None)
    return sv, {
        "value": None if own_value != own_value else own_value,
        "suppressed": own_row[3][own_at] == "t",
        "flag": own_row[4][own_at],
        "synthetic": synthetic,
        "release_label": label,
    }


def float8_array(buf: bytes) -> np.ndarray:
    """A one-dimensional float8[] without NULLs in PostgreSQL's binary array format (the
    output of array_send): a header of three int32 (dimensions, has-nulls flag, element type),
    then per dimension its length and lower bound, then per element its byte length (8) and
    the big-endian double."""
    header = np.frombuffer(buf, dtype=">i4", count=3)
    if header[0] == 0:  # an empty array has no dimensions
        return np.zeros(0)
    if header[0] != 1 or header[1] != 0:
        raise ValueError("float8_array: one dimension without NULLs expected")
    n = int(np.frombuffer(buf, dtype=">i4", count=1, offset=12)[0])
    items = np.frombuffer(buf, dtype=[("len", ">i4"), ("v", ">f8")], count=n, offset=20)
    if not (items["len"] == 8).all():
        raise ValueError("float8_array: 8-byte elements expected")
    return items["v"].astype(float)


def live_scope_values(
    conn: Connection,
    indicator_id: str,
    year: int,
    territory: Area,
    ebene: str,
    release_id: ReleaseRef,
    areas: ScopeAreas,
) -> ScopeValues:
    """scope_values from the values (the kept table's reference and a named release's)."""
    # Columns as arrays, one row: 11,000 values cost no per-row work in Python; the areas
    # (names, order) come from the caller's per-data-version cache instead of a join.
    row = conn.execute(
        text(
            "SELECT coalesce(array_agg(x.ags), '{}'), coalesce(array_agg(x.value), '{}'),"
            " coalesce(array_agg(x.suppressed), '{}'), coalesce(array_agg(x.flag), '{}'),"
            " coalesce(array_agg(x.release_id), '{}')"
            f" FROM {value_source(release_id)} x WHERE x.indicator_id = :i AND x.year = :y"
            " AND length(x.ags) = :len AND x.ags LIKE :p || '%'"
        ),
        {"i": indicator_id, "y": year, "len": KEY_LENGTH[ebene], "p": _prefix(territory)},
    ).one()
    return _placed(conn, tuple(row), areas)


def _placed(conn: Connection, row: tuple[Any, ...], areas: ScopeAreas) -> ScopeValues:
    """Columns (ags, value, suppressed, flag, release_id) placed at their areas' positions
    (keys not among the areas dropped), with the labels of the releases used."""
    return _placed_with(conn, row, areas, None)[0]


def _placed_with(
    conn: Connection,
    row: tuple[Any, ...],
    areas: ScopeAreas,
    other: int | None,
    labels: dict[int, tuple[str, bool]] | None = None,
) -> tuple[ScopeValues, dict[int, tuple[str, bool]]]:
    """_placed, its release labels read with those of one other release (the territory's
    own value's): the ScopeValues and the labels of all of them. labels: those of every
    release the columns and `other` may name, read already (else read here)."""
    n = len(areas.ags)
    keys = areas.keys
    got = (
        row[0]
        if isinstance(row[0], np.ndarray)
        else np.array(row[0], dtype=keys.dtype if n else "U8")
    )
    raw_value = np.asarray(row[1], dtype=float) if len(row[1]) else np.zeros(0)
    if len(got) == n and (n == 0 or bool((got == keys).all())):
        # Every area has a row, in the areas' order (the kept rows of Germany's Gemeinden,
        # Land by Land): the columns are the result as they are.
        value_arr = raw_value
        suppressed: list[bool] = np.asarray(row[2], dtype=bool).tolist()
        flag: list[str | None] = list(row[3])
        release: list[int | None] = list(row[4])
    else:
        # Place each value at its area's position: the areas are sorted by key, so a binary
        # search over all of them at once (11,000 areas) instead of a lookup per value.
        at = np.searchsorted(keys, got) if n else np.zeros(0, dtype=int)
        ok = at < n
        ok[ok] = keys[at[ok]] == got[ok]
        at = at[ok]
        value_arr = np.full(n, np.nan)
        value_arr[at] = raw_value[ok]
        supp_arr = np.zeros(n, dtype=bool)
        supp_arr[at] = np.asarray(row[2], dtype=bool)[ok]
        suppressed = supp_arr.tolist()
        flag_arr = np.full(n, None, dtype=object)
        flag_arr[at] = np.array(row[3], dtype=object)[ok]
        flag = flag_arr.tolist()
        release_arr = np.full(n, None, dtype=object)
        release_arr[at] = np.array(row[4], dtype=object)[ok]
        release = release_arr.tolist()
    value: list[float | None] = [None if v != v else v for v in value_arr.tolist()]
    ids = {r for r in release if r is not None}
    wanted = sorted(ids | ({other} if other is not None else set()))
    if labels is not None:
        everyone = {i: labels[i] for i in wanted if i in labels}
    else:
        everyone = {
            r.id: (r.label, r.synthetic)
            for r in conn.execute(
                text("SELECT id, label, synthetic FROM release WHERE id = ANY(:ids)"),
                {"ids": wanted},
            )
        }
    releases = {k: v for k, v in everyone.items() if k in ids}
    return ScopeValues(value, suppressed, flag, release, releases), everyone


def area_value(
    conn: Connection, indicator_id: str, year: int, ags: str, release_id: ReleaseRef
) -> dict[str, Any] | None:
    """One area's shown value row for the year (the territory's own value), or None."""
    row = conn.execute(
        text(
            f"SELECT value, suppressed, flag, synthetic, release_label FROM {value_source(release_id)} v"
            " WHERE indicator_id = :i AND year = :y AND ags = :a"
        ),
        {"i": indicator_id, "y": year, "a": ags},
    ).first()
    return dict(row._mapping) if row else None


def scope_shapes(conn: Connection, territory: Area, ebene: str) -> str:
    """JSON object text AGS → stored compact shape of every area of the level in the territory."""
    # The shapes were encoded at load time (geodata/shapes.py): this is string concatenation.
    shapes: str = conn.scalar(
        text(
            "SELECT '{' || coalesce(string_agg('\"' || s.ags || '\":' || s.shape, ',' ORDER BY s.ags),"
            " '') || '}' FROM area_shape s JOIN area a ON a.ags = s.ags"
            " WHERE a.level = ANY(:lv) AND a.ags LIKE :p || '%'"
        ),
        {"lv": list(EBENEN[ebene]), "p": _prefix(territory)},
    )
    return shapes


def scope_svg_paths(
    conn: Connection, territory: Area, ebene: str, detail: float = 1500
) -> dict[str, Any]:
    """SVG path data (EPSG:25832 metres, y down) of every area of the level, and the viewBox.

    For a picture: outlines simplified to 1/detail of the territory's width (below a pixel of a
    2× PNG), so Germany's 11,000 Gemeinden stay a few MB.
    """
    rows = conn.execute(
        text(
            "WITH g AS (SELECT ags, ST_Transform(geom_web, 25832) AS g FROM area"
            "  WHERE level = ANY(:lv) AND ags LIKE :p || '%'), e AS (SELECT ST_Extent(g) AS b FROM g)"
            " SELECT g.ags, ST_AsSVG(ST_SimplifyPreserveTopology(g.g,"
            "  (ST_XMax(e.b) - ST_XMin(e.b)) / :detail), 0, 0) AS d,"
            " ST_XMin(e.b) AS x0, ST_YMax(e.b) AS y1, ST_XMax(e.b) - ST_XMin(e.b) AS w,"
            " ST_YMax(e.b) - ST_YMin(e.b) AS h FROM g, e ORDER BY g.ags"
        ),
        {"lv": list(EBENEN[ebene]), "p": _prefix(territory), "detail": detail},
    ).all()
    if not rows:
        return {"paths": {}, "viewbox": "0 0 1 1"}
    r0 = rows[0]
    pad = 0.01 * max(r0.w, r0.h)
    viewbox = f"{r0.x0 - pad:.0f} {-r0.y1 - pad:.0f} {r0.w + 2 * pad:.0f} {r0.h + 2 * pad:.0f}"
    return {"paths": {r.ags: r.d for r in rows}, "viewbox": viewbox}
