"""Query bundles for the map page: one call per step, plain data from both domains.

The map view needs two steps: first what decides the ETag (indicator, release, years), so a
repeat request is answered 304 before any values or geometry are read; then the map's data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, NamedTuple, TypedDict

from sqlalchemy import Connection, Row, text

from geodata.memo import has_memo, memoised
from geodata.model import Bounds, LabelPoint, evolve
from geodata.queries import feature_collection, get_home_area, home_areas, label_points
from indicators.model import (
    AreaValue,
    Indicator,
    MapContext,
    Topic,
    YearValues,
)
from indicators.precomputed import home_values_source
from indicators.queries import (
    HOME_KEYS,
    INDICATOR_COLUMNS,
    default_year,
    get_indicator,
    layered_release,
    release_for,
    topics_with_indicators,
    value_source,
    values_for_year,
    year_ranges,
    years_available,
)
from indicators.version_reads import Read, prefetch


def picker_topics(conn: Connection) -> list[Topic]:
    """The picker's topics with their mappable indicators and year ranges (no request input)."""
    # With them the other reads of a first page that are the same for every visitor of the data
    # version (home areas, breaks, sources): one round trip instead of five.
    prefetch(conn)
    return picker_topics_from(topics_with_indicators(conn), year_ranges(conn))


def picker_topics_from(
    catalogue: Sequence[Topic], ranges: Mapping[str, tuple[int, int]]
) -> list[Topic]:
    """picker_topics of the catalogue's topics and the indicators' year ranges."""
    topics = []
    for t in catalogue:
        # Only indicators with published values can be mapped.
        # (evolve: dataclasses.replace without the frozen __init__, ~1 ms for the ~140)
        inds = tuple(evolve(i, years=ranges[i.id]) for i in t.indicators if i.id in ranges)
        if inds:
            topics.append(evolve(t, indicators=inds))
    return topics


class HomeData(NamedTuple):
    """Indicators and layered values of the home Kommunen and the Region, as read at once."""

    indicators: dict[str, Indicator]  # id → indicator with its topic's names
    areas: Sequence[Row[Any]]  # the Kommunen and the Region (ags, name, level), in name order
    # indicator → its shown values (rows with release_id, published_at, note; plain rows: a
    # dataclass per value cost ~30 ms for the ~30,000 of them)
    rows: dict[str, list[Row[Any]]]


def home_data(
    conn: Connection, indicator_id: str | None = None, pinned: Sequence[int] | None = None
) -> HomeData:
    """Every indicator and its layered home values in three queries (or one indicator's).

    Read once per data version (~30,000 values, ~0.1 s), a map of any indicator and year then
    needs no query at all. `pinned`: the values of a cited view, the release rule over those
    release ids only (`shown_value_in`, indicators.pinning).
    """
    only = " AND v.indicator_id = :i" if indicator_id is not None else ""
    # The layered values from the kept rows of the home areas (profile_value, refreshed at every
    # publish: the same rows as the rule's view, without planning and running the rule per
    # request); a cited view applies the rule over its releases.
    relation = home_values_source(None) if pinned is None else "shown_value_in(CAST(:ids AS int[]))"
    if indicator_id is not None and has_memo(conn):
        # One indicator: from the catalogue of the data version (the memo's; the picker has
        # read it), the same fields as the statement below gives.
        one = get_indicator(conn, indicator_id)
        indicators = {one.id: one} if one is not None else {}
    else:
        indicators = _indicators(conn, indicator_id)
    areas = home_names(conn)

    def read() -> Sequence[Row[Any]]:
        return conn.execute(  # fetched at once, not row by row
            text(_HOME_ROWS_SQL.format(relation=relation, only=only)),
            {"i": indicator_id, "ids": list(pinned) if pinned is not None else None},
        ).all()

    found: Sequence[Any]
    if indicator_id is not None and pinned is None and indicators:
        # One indicator of the catalogue, shown now: the same for every visitor of the data
        # version, so kept in the memo (which the map's prefetch fills in its round trip).
        found = memoised(conn, home_rows_key(indicator_id), lambda: _home_rows_from((), read()))
    else:
        found = read()
    rows: dict[str, list[Any]] = {}
    for r in found:
        rows.setdefault(r.indicator_id, []).append(r)
    return HomeData(indicators, areas, rows)


_HOME_ROWS_SQL = (
    "SELECT v.indicator_id, v.ags, v.year, v.value, v.numerator, v.denominator,"
    " coalesce(v.suppressed, false) AS suppressed, v.flag, v.release_id,"
    " v.release_label, v.synthetic, r.published_at, r.note"
    " FROM {relation} v JOIN release r ON r.id = v.release_id WHERE "
    + HOME_KEYS.replace("{", "{{").replace("}", "}}")
    + "{only}"
)


class HomeRow(NamedTuple):
    """One shown value of a home area (a row of _HOME_ROWS_SQL, kept in the memo)."""

    indicator_id: str
    ags: str
    year: int
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool
    flag: str | None
    release_id: int
    release_label: str
    synthetic: bool | None
    published_at: datetime | None
    note: str | None


def _home_rows_from(_names: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[HomeRow, ...]:
    return tuple(HomeRow(*r) for r in rows)


def home_rows_key(indicator_id: str) -> str:
    """The memo key of one indicator's shown home rows."""
    return f"home_rows:{indicator_id}"


def home_rows_read(indicator_id: str) -> Read | None:
    """One indicator's shown home rows as a statement without parameters (the id a literal:
    letters, digits and underscores only, else None) and its rows' reader, for
    indicators.version_reads.prefetch under home_rows_key."""
    if not _PLAIN_ID.fullmatch(indicator_id):
        return None
    only = f" AND v.indicator_id = '{indicator_id}'"
    return _HOME_ROWS_SQL.format(relation=home_values_source(None), only=only), _home_rows_from


_PLAIN_ID = re.compile(r"[A-Za-z0-9_]{1,80}")


def _indicators(conn: Connection, indicator_id: str | None) -> dict[str, Indicator]:
    """Every indicator (or one) with its topic's names, in catalogue order."""
    return {
        r.id: Indicator.from_row(r._mapping)
        for r in conn.execute(
            text(
                f"SELECT {INDICATOR_COLUMNS}, t.name_de AS topic_de, t.name_en AS topic_en"
                " FROM indicator i JOIN topic t ON t.id = i.topic_id"
                + (" WHERE i.id = :i" if indicator_id is not None else "")
                # catalogue order (headline_indicator's fallback)
                + " ORDER BY t.sort, t.id, i.sort, i.id"
            ),
            {"i": indicator_id},
        )
    }


def headline_indicator(home: HomeData, preferred: tuple[str, ...]) -> str | None:
    """The indicator a first visit opens with: the first of `preferred` whose opening year has
    values for at least half the Kommunen, else the first such in catalogue order, else any
    indicator with values (None: no values at all)."""
    in_order = list(home.indicators)  # catalogue order
    for ind in (*[p for p in preferred if p in home.indicators], *in_order):
        if headline_covered(home, ind):
            return ind
    return next((i for i in in_order if home.rows.get(i)), None)


def headline_covered(home: HomeData, ind: str) -> bool:
    """Whether the indicator's opening year has values for at least half the Kommunen (reads
    only that indicator's rows: a HomeData of the one indicator answers it as well)."""
    kommunen = {a.ags for a in home.areas if a.level == "kommune"}
    rows = home.rows.get(ind) or []
    year = layered_context(rows, kommunen).default_year if rows else None
    n = sum(1 for r in rows if r.year == year and r.ags in kommunen and r.value is not None)
    return n * 2 >= len(kommunen) > 0


def map_context(
    conn: Connection,
    indicator_id: str,
    release_id: int | None = None,
    topics: Sequence[Topic] | None = None,
    home: HomeData | None = None,
) -> MapContext:
    """The indicator, its release and years, plus the picker's topics (given, or read).

    For the layered values (release_id None) `home` may give what was read for all indicators.
    """
    if topics is None:
        topics = picker_topics(conn)
    if release_id is None:
        home = home or home_data(conn, indicator_id)
        indicator = home.indicators.get(indicator_id)
        kommunen = {a.ags for a in home.areas if a.level == "kommune"}
        ctx = layered_context(home.rows.get(indicator_id, []), kommunen)
        return replace(ctx, topics=tuple(topics), indicator=indicator)
    indicator = get_indicator(conn, indicator_id)
    release = release_for(conn, indicator_id, release_id, home=True) if indicator else None
    years = years_available(conn, indicator_id, release.id) if release else []
    return MapContext(
        topics=tuple(topics),
        indicator=indicator,
        release=release,
        years=tuple(years),
        default_year=default_year(conn, indicator_id, release.id) if release and years else None,
    )


class _Release(NamedTuple):
    release_id: int
    release_label: str
    synthetic: bool
    published_at: datetime | None
    note: str


def _shows_number(r: Row[Any]) -> bool:
    """A value row the map shows as a number (not a sign, not withheld): its year is offered."""
    return r.value is not None and not r.suppressed


def layered_context(rows: Sequence[Row[Any]], kommunen: set[str]) -> MapContext:
    """release_for(home=True), years_available and default_year of an indicator's layered
    values, from its home value rows (`home_data`); the tests compare it with those three.
    (Without topics and indicator: map_context adds them.)"""
    none = MapContext(topics=(), indicator=None, release=None, years=(), default_year=None)
    if not rows:
        return none
    # One entry per contributing release, in release_for's order: real first, then newest.
    # (Plain tuples to find the distinct ones: a named tuple per value row cost ~0.2 ms.)
    distinct = {(r.release_id, r.release_label, r.synthetic, r.published_at, r.note) for r in rows}
    releases = sorted(
        (_Release(*d) for d in distinct),
        key=lambda r: (
            r.synthetic,
            -(r.published_at.timestamp() if r.published_at else float("inf")),
            -r.release_id,
        ),
    )
    # Years of the Kommunen: a year with only the Region's value is not offered, nor one
    # whose Kommunen have only signs or withheld values (no number to show).
    years = sorted({r.year for r in rows if r.ags in kommunen and _shows_number(r)})
    if not years:
        return replace(none, release=layered_release(releases))
    real = dict.fromkeys(years, 0)
    for r in rows:
        # (the Region's own value does not count, nor a sign: as default_year's SQL)
        if not r.synthetic and r.ags in kommunen and _shows_number(r):
            real[r.year] += 1
    mostly_real = [y for y, n in real.items() if n * 2 >= len(kommunen)]
    return replace(
        none,
        release=layered_release(releases),
        years=tuple(years),
        default_year=max(mostly_real) if mostly_real else years[-1],
    )


class MapGeometry(TypedDict):
    """A map's geometry (a dict: the map page adds its layer's shapes and caches it)."""

    geojson: str  # the Kommunen's FeatureCollection
    labels: list[LabelPoint]
    bounds: Bounds | None  # the Region's


def map_geometry(conn: Connection, region: str) -> MapGeometry:
    """Boundaries (GeoJSON text), label points and the bounds of the Region (`region`, the home
    Kreis's key; no request input)."""
    area = get_home_area(conn, region)
    return {
        "geojson": feature_collection(conn, "kommune"),
        "labels": label_points(conn),
        "bounds": area.bounds if area else None,
    }


def map_area_values(
    conn: Connection, indicator_id: str, year: int, release_id: int | None
) -> YearValues:
    """The Kommunen's values and the Region's value of one indicator and year."""
    region = values_for_year(conn, indicator_id, year, release_id, level="region")
    return YearValues(
        values=tuple(values_for_year(conn, indicator_id, year, release_id)),
        region=region[0] if region else None,
    )


def map_area_values_by_year(
    conn: Connection, indicator_id: str, release_id: int | None, home: HomeData | None = None
) -> dict[int, YearValues]:
    """map_area_values of every year with values, read at once (a map's years cost one query).

    Each year holds every Kommune in name order, those without a value with empty fields,
    exactly as `values_for_year` returns them. For the layered values `home` may give them.
    """
    if release_id is None:
        home = home or home_data(conn, indicator_id)
        return values_by_year(home.rows.get(indicator_id, []), home.areas)
    areas = home_names(conn)
    rows = conn.execute(
        text(
            "SELECT v.ags, v.year, v.value, v.numerator, v.denominator,"
            " coalesce(v.suppressed, false) AS suppressed, v.flag, v.release_label, v.synthetic"
            f" FROM {value_source(release_id)} v WHERE v.indicator_id = :i AND {HOME_KEYS}"
        ),
        {"i": indicator_id},
    ).all()
    return values_by_year(rows, areas)


def values_by_year(rows: Iterable[Row[Any]], areas: Sequence[Row[Any]]) -> dict[int, YearValues]:
    """Value rows of one indicator as map_area_values per year (areas in name order)."""
    by_cell = {(r.ags, r.year): r for r in rows}
    # The years of the Kommunen (as years_available): a year with only the Region's value is
    # no map year.
    kommunen = {a.ags for a in areas if a.level == "kommune"}
    years = sorted({r.year for r in rows if r.ags in kommunen and _shows_number(r)})
    return {y: _one_year(by_cell, areas, y) for y in years}


def values_of_year(
    rows: Iterable[Row[Any]], areas: Sequence[Row[Any]], year: int
) -> YearValues | None:
    """values_by_year(rows, areas).get(year), building only that year (a map shows one)."""
    by_cell = {(r.ags, r.year): r for r in rows if r.year == year}
    return _one_year(by_cell, areas, year) if by_cell else None


def _one_year(
    by_cell: Mapping[tuple[str, int], Row[Any]], areas: Sequence[Row[Any]], year: int
) -> YearValues:
    """map_area_values of one year: every Kommune in name order, the Region apart."""
    per_level: dict[str, list[AreaValue]] = {"kommune": [], "region": []}
    for a in areas:
        r = by_cell.get((a.ags, year))
        per_level[a.level].append(
            AreaValue(
                ags=a.ags,
                name=a.name,
                level=a.level,
                value=r.value if r else None,
                numerator=r.numerator if r else None,
                denominator=r.denominator if r else None,
                suppressed=r.suppressed if r else False,
                flag=r.flag if r else None,
                release_label=r.release_label if r else None,
                synthetic=r.synthetic if r else None,
            )
        )
    region = per_level["region"]
    return YearValues(values=tuple(per_level["kommune"]), region=region[0] if region else None)


def kommune_values_all_years(
    conn: Connection, indicator_id: str, release_id: int | None
) -> list[float]:
    """Every shown value of the indicator for the Kommunen over all years (fixed class breaks)."""
    return list(
        conn.scalars(
            text(
                f"SELECT v.value FROM {value_source(release_id)} v"
                " JOIN area a ON a.ags = v.ags AND a.level = 'kommune'"
                " WHERE v.indicator_id = :i AND v.value IS NOT NULL AND NOT v.suppressed"
            ),
            {"i": indicator_id},
        )
    )


def home_names(conn: Connection) -> Sequence[Any]:
    """The Region and its Kommunen (ags, name, level) by name (from the home areas of the data
    version when the connection has a memo: geodata.queries.home_areas)."""
    home = home_areas(conn)
    if home is not None:
        return sorted(home.values(), key=lambda h: h.name)
    return conn.execute(
        text("SELECT ags, name, level FROM area WHERE level IN ('kommune', 'region') ORDER BY name")
    ).all()
