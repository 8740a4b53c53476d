"""Queries for the open-data API: catalogue with years, long-form values, data version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from indicators.benchmarks import Comparator
from indicators.model import AreaValue, Release
from indicators.precomputed import AREA_ORDER, KEPT_INDICATORS, KEPT_ORDER, indicator_rows
from indicators.queries import INDICATOR_COLUMNS, ReleaseRef, value_source

RELEASE_COLUMNS = "r.id, r.label, r.status, r.published_at, r.note, r.synthetic"


class DataVersion(str):
    """The data version (the text every key and ETag uses) with the catalogue's and the
    areas' own versions read in the same row (migrations 0029, 0028): what is kept across
    publishes under those (app.pages.data.catalogue_kept) is then known to be current
    without a statement of its own. Equal, hashed and formatted as its text."""

    catalogue: str
    areas: str

    def __new__(cls, text: str, catalogue: str, areas: str) -> DataVersion:
        made = super().__new__(cls, text)
        made.catalogue, made.areas = catalogue, areas
        return made

    def __getnewargs__(self) -> tuple[str, str, str]:  # type: ignore[override]
        return str(self), self.catalogue, self.areas


def data_version(conn: Connection) -> DataVersion:
    """A fingerprint of everything the API serves; changes with any release or catalogue change."""
    # Triggers bump data_epoch in every transaction that changes releases, the catalogue,
    # provenance or areas (migration 0008): one row instead of an md5 over those tables (~40 ms
    # with all of Germany's areas, on every request that came through nginx).
    row = conn.execute(
        text("SELECT n, changed_at, catalogue_version, areas_version FROM data_epoch WHERE id = 1")
    ).one()
    return DataVersion(
        f"{row.n}-{row.changed_at.timestamp():.6f}",
        str(row.catalogue_version),
        str(row.areas_version),
    )


def find_release(conn: Connection, ref: str) -> Release | None:
    """A release by numeric id or by label (any status), or None."""
    row = conn.execute(
        text(
            f"SELECT {RELEASE_COLUMNS} FROM release r"
            " WHERE r.label = :ref OR (:ref ~ '^[0-9]{1,9}$' AND r.id = CAST(:ref AS integer))"
            " ORDER BY r.label = :ref DESC LIMIT 1"
        ),
        {"ref": ref},
    ).first()
    return Release.from_row(row._mapping) if row else None


def published_releases(conn: Connection) -> list[dict[str, Any]]:
    """Published releases, newest first, with their indicator, area and value counts."""
    # The counts are kept per release at its publish (indicators.precomputed): counting them
    # here read every value of Germany per request (1.65 s, issue #32).
    rows = conn.execute(
        text(
            f"SELECT {RELEASE_COLUMNS}, s.first_year, s.last_year, s.n_indicators, s.n_values"
            " FROM release r JOIN release_summary s ON s.release_id = r.id"
            " WHERE r.status = 'published'"
            " ORDER BY r.published_at DESC NULLS LAST, r.id DESC"
        )
    )
    return [dict(r._mapping) for r in rows]


def live_published_releases(conn: Connection) -> list[dict[str, Any]]:
    """published_releases counted from the values (the kept summaries' reference)."""
    rows = conn.execute(
        text(
            f"SELECT {RELEASE_COLUMNS}, min(v.year) AS first_year, max(v.year) AS last_year,"
            " count(DISTINCT v.indicator_id) AS n_indicators, count(v.*) AS n_values"
            " FROM release r LEFT JOIN value v ON v.release_id = r.id"
            " WHERE r.status = 'published' GROUP BY r.id"
            " ORDER BY r.published_at DESC NULLS LAST, r.id DESC"
        )
    )
    return [dict(r._mapping) for r in rows]


def _shown_indicators(release_id: int | None) -> str:
    """Per indicator its releases, label(s), synthetic and years: kept per data version for
    the shown values (indicators.precomputed), computed for a named release."""
    if release_id is None:
        return KEPT_INDICATORS
    return f"({indicator_rows(value_source(release_id))})"


def live_shown_indicators() -> str:
    """The kept catalogue rows' reference: computed from the shown values."""
    return f"({indicator_rows('shown_value')})"


def catalogue(
    conn: Connection, release_id: int | None = None, indicator_id: str | None = None
) -> list[dict[str, Any]]:
    """Indicators with topic, the releases their shown values come from and the years."""
    rows = conn.execute(
        text(
            f"SELECT {INDICATOR_COLUMNS}, t.name_de AS topic_de, t.name_en AS topic_en,"
            " d.release_ids, d.release_label, d.synthetic, d.years"
            " FROM indicator i JOIN topic t ON t.id = i.topic_id"
            f" {'LEFT ' if release_id is None else ''}JOIN {_shown_indicators(release_id)} d"
            " ON d.indicator_id = i.id"
            " WHERE (CAST(:i AS text) IS NULL OR i.id = :i)"
            " ORDER BY t.sort, t.id, i.sort, i.id"
        ),
        {"i": indicator_id},
    )
    return [
        {**dict(r._mapping), "years": r.years or [], "release_ids": r.release_ids or []}
        for r in rows
    ]


def topics(conn: Connection, release_id: int | None = None) -> list[dict[str, Any]]:
    """Topics in order with the ids of their indicators (only those in the release, if given)."""
    rows = conn.execute(
        text(
            "SELECT t.id, t.name_de, t.name_en, coalesce(array_agg(i.id ORDER BY i.sort, i.id)"
            "  FILTER (WHERE i.id IS NOT NULL), '{}') AS indicators"
            " FROM topic t LEFT JOIN indicator i ON i.topic_id = t.id"
            "  AND (CAST(:r AS integer) IS NULL OR EXISTS (SELECT 1 FROM value v"
            "   WHERE v.indicator_id = i.id AND v.release_id = :r))"
            " GROUP BY t.id ORDER BY t.sort, t.id"
        ),
        {"r": release_id},
    )
    return [dict(r._mapping) for r in rows]


def api_state(conn: Connection) -> dict[str, Any]:
    """Every published release by id (for attribution). The data version (for ETags) is the
    caller's: the app has read it already (the data_epoch row read a second time on every
    first API request after a publish was one round trip more, issue #32)."""
    rows = conn.execute(
        text(f"SELECT {RELEASE_COLUMNS} FROM release r WHERE r.status = 'published'")
    )
    return {"releases": {r.id: Release.from_row(r._mapping) for r in rows}}


def existing(conn: Connection, table: str, ids: list[str]) -> set[str]:
    """Which of the given ids exist in 'indicator' (id) or 'area' (ags)."""
    column = {"indicator": "id", "area": "ags"}[table]
    return set(
        conn.scalars(text(f"SELECT {column} FROM {table} WHERE {column} = ANY(:ids)"), {"ids": ids})
    )


def value_releases(
    conn: Connection, indicators: list[str] | None, release_id: int | None
) -> dict[str, set[int]]:
    """Indicator id → ids of the releases whose values are served for it (layered or named)."""
    rows = conn.execute(
        text(
            f"SELECT indicator_id, release_ids AS ids FROM {_shown_indicators(release_id)} x"
            " WHERE CAST(:ind AS text[]) IS NULL OR indicator_id = ANY(:ind)"
        ),
        {"ind": indicators},
    )
    return {r.indicator_id: set(r.ids) for r in rows}


@dataclass(frozen=True)
class ValuePage:
    """One page of long-form values: its rows and how many rows the whole query has."""

    rows: list[dict[str, Any]]
    total: int


_VALUES_FROM = (
    " FROM {source} v"
    " JOIN area a ON a.ags = v.ags JOIN indicator i ON i.id = v.indicator_id"
    # A total flagged 'u' names its withheld parts (import of the release). The (small)
    # incomplete_value table is narrowed to the asked indicators first (the same rows: the join
    # matches on the indicator): joined whole, PostgreSQL (estimating a handful of shown rows)
    # compared each of Germany's 11,120 rows of an indicator and year with each of its 162 rows
    # (1.8 M comparisons).
    " LEFT JOIN (SELECT * FROM incomplete_value WHERE indicator_id = ANY(:ind)) iv"
    " ON iv.release_id = v.release_id"
    " AND iv.indicator_id = v.indicator_id AND iv.ags = v.ags AND iv.year = v.year"
    " WHERE v.indicator_id = ANY(:ind)"
    " AND (CAST(:years AS integer[]) IS NULL OR v.year = ANY(:years))"
    " AND (CAST(:ags AS text[]) IS NULL OR v.ags = ANY(:ags))"
)
_VALUES_COLUMNS = (
    "SELECT v.release_label AS release, v.synthetic, v.indicator_id AS indicator, v.ags,"
    " a.name, v.year, v.value, v.numerator, v.denominator, v.suppressed, v.flag,"
    " iv.parts AS missing_parts, i.unit"
)
# A total order: the source has one row per (indicator, area, year), and the last three keys
# are those, so pages cut at LIMIT/OFFSET neither repeat nor skip a row.
_VALUES_ORDER = " ORDER BY i.sort, v.indicator_id, v.year, " + AREA_ORDER

# A page of the layered values without an `ags` filter, from the kept order (shown_order,
# 0026; AREA_ORDER is its order within an indicator's year): per asked (indicator, year) its
# count and where it starts in _VALUES_ORDER (a running sum in the order of i.sort, indicator,
# year), the one or two years the page [offset, offset + limit) overlaps, the page's keys
# sliced out of their arrays, and each value fetched by its key from its release's partition
# (the lateral subquery prunes to that partition per key). The rows of the view `shown_value`
# (the kept keys are the view's at the last publish), about `limit` of them instead of every
# value of the indicator in all of Germany; `total_rows` is the sum of the counts. The
# caller's _VALUES_FROM joins, filters and sorts only these rows.
_PAGE_AT = "GREATEST(CAST(:offset AS bigint) - b.start, 0) + 1"
_PAGE_TO = "CAST(:offset AS bigint) + CAST(:limit AS bigint) - b.start"
_KEPT_COUNTS = (
    f"SELECT k.indicator_id, k.year, k.synthetic, k.n FROM {KEPT_ORDER} k"
    " WHERE k.indicator_id = ANY(:ind)"
    " AND (CAST(:years AS integer[]) IS NULL OR k.year = ANY(:years))"
)
_KEPT_PAGE = (
    "(SELECT rv.*, b.total AS total_rows FROM ("
    " SELECT c.indicator_id, c.year, c.synthetic, c.start, c.total FROM ("
    "  SELECT k.*, sum(k.n) OVER (ORDER BY i.sort, k.indicator_id, k.year"
    "   ROWS UNBOUNDED PRECEDING) - k.n AS start, sum(k.n) OVER () AS total"
    f"  FROM ({_KEPT_COUNTS}) k JOIN indicator i ON i.id = k.indicator_id) c"
    " WHERE c.start < CAST(:offset AS bigint) + CAST(:limit AS bigint)"
    " AND c.start + c.n > CAST(:offset AS bigint)) b"
    f" CROSS JOIN LATERAL (SELECT k.ags[{_PAGE_AT} : {_PAGE_TO}] AS ags,"
    f"  k.release_ids[{_PAGE_AT} : {_PAGE_TO}] AS release_ids FROM {KEPT_ORDER} k"
    "  WHERE k.indicator_id = b.indicator_id AND k.year = b.year AND k.synthetic = b.synthetic"
    "  OFFSET 0) k"
    " CROSS JOIN LATERAL unnest(k.ags, k.release_ids) AS x(ags, release_id)"
    " CROSS JOIN LATERAL (SELECT * FROM release_value rv WHERE rv.release_id = x.release_id"
    "  AND rv.indicator_id = b.indicator_id AND rv.ags = x.ags AND rv.year = b.year OFFSET 0) rv)"
)


def _page_select(release_id: int | None, ags: list[str] | None) -> tuple[str, str]:
    """The SELECT of a page of values_long's rows with their total as `total_rows`, and the
    SQL of that total alone (for a page past the end): from the kept order (layered values,
    no `ags` filter), else from the whole filtered source (a window count, a sort of all its
    rows and LIMIT/OFFSET: a named release's values, or the few rows of the asked areas)."""
    if release_id is None and ags is None:
        return (
            _VALUES_COLUMNS
            + ", v.total_rows"
            + _VALUES_FROM.format(source=_KEPT_PAGE)
            + _VALUES_ORDER
            + " LIMIT :limit",
            f"SELECT coalesce(sum(n), 0) FROM ({_KEPT_COUNTS}) k",
        )
    source = _VALUES_FROM.format(source=value_source(release_id))
    return (
        _VALUES_COLUMNS
        + ", COUNT(*) OVER () AS total_rows"
        + source
        + _VALUES_ORDER
        + " LIMIT :limit OFFSET :offset",
        "SELECT COUNT(*)" + source,
    )


def values_long(
    conn: Connection,
    indicators: list[str],
    release_id: int | None,
    years: list[int] | None = None,
    ags: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Values in long form (layered rule, or one named release); withheld numbers are None."""
    if not indicators:
        return []
    # Suppressed cells (small numbers, official secrecy) never leave the database with numbers;
    # the views already blank them.
    rows = conn.execute(
        text(
            _VALUES_COLUMNS + _VALUES_FROM.format(source=value_source(release_id)) + _VALUES_ORDER
        ),
        {"ind": indicators, "years": years, "ags": ags},
    )
    return [dict(r._mapping) for r in rows]


def values_page(
    conn: Connection,
    indicators: list[str],
    release_id: int | None,
    years: list[int] | None,
    ags: list[str] | None,
    limit: int,
    offset: int,
) -> ValuePage:
    """Rows offset … offset+limit of values_long (same order) and the total, in one query
    (_page_select); only a page past the end needs a second, counting query."""
    if not indicators:
        return ValuePage([], 0)
    select, count = _page_select(release_id, ags)
    bind = {"ind": indicators, "years": years, "ags": ags}
    rows = [
        dict(r._mapping)
        for r in conn.execute(text(select), {**bind, "limit": limit, "offset": offset})
    ]
    if rows:
        total = rows[0]["total_rows"]
        for r in rows:
            del r["total_rows"]
        return ValuePage(rows, total)
    return ValuePage([], _total_past_end(conn, count, bind, offset))


def _total_past_end(conn: Connection, count: str, bind: dict[str, Any], offset: int) -> int:
    """The total of a query whose page came back empty: 0 from the first page, else counted
    (a page past the end; the total came with the rows otherwise)."""
    if offset == 0:
        return 0
    total: int = conn.execute(text(count), bind).scalar_one()
    return total


def json_float(column: str) -> str:
    """SQL: a double precision column as Python's `json.dumps` writes it (`repr`: `5.0`, not
    PostgreSQL's `5`; `1e-05`; `null` for NULL), so JSON built in the database reads byte for
    byte as the JSON the app builds. Non-integral values from 1e15 to 1e16 (none in any
    indicator) would come in PostgreSQL's exponent form, the same number."""
    c = column
    return (
        f"CASE WHEN {c} IS NULL THEN 'null'"
        f" WHEN {c} = 0 THEN CASE WHEN CAST({c} AS text) LIKE '-%' THEN '-0.0' ELSE '0.0' END"
        f" WHEN {c} = trunc({c}) AND abs({c}) < 1e16"
        f" THEN CAST(CAST({c} AS bigint) AS text) || '.0'"
        f" ELSE CAST({c} AS text) END"
    )


def _json_member(name: str, expr: str, first: bool = False) -> str:
    return f"'{'{' if first else ','}\"{name}\":' || {expr}"


def _json_scalar(column: str) -> str:
    """SQL: a text, integer or boolean column as JSON text (`null` for NULL)."""
    return f"coalesce(CAST(to_json({column}) AS text), 'null')"


# Each row of /values as the text of its JSON object up to (not including) its `notes` member
# and closing brace: the members and their order of VALUE_FIELDS, written as json.dumps would.
_VALUES_JSON = " || ".join(
    [
        _json_member("release", _json_scalar("p.release"), first=True),
        _json_member("synthetic", _json_scalar("p.synthetic")),
        _json_member("indicator", _json_scalar("p.indicator")),
        _json_member("ags", _json_scalar("p.ags")),
        _json_member("name", _json_scalar("p.name")),
        _json_member("year", _json_scalar("p.year")),
        _json_member("value", json_float("p.value")),
        _json_member("numerator", json_float("p.numerator")),
        _json_member("denominator", json_float("p.denominator")),
        _json_member("suppressed", _json_scalar("p.suppressed")),
        _json_member("flag", _json_scalar("p.flag")),
        _json_member("missing_parts", _json_scalar("p.missing_parts")),
        _json_member("unit", _json_scalar("p.unit")),
    ]
)
JSON_ROW_FIELDS = [
    "release",
    "synthetic",
    "indicator",
    "ags",
    "name",
    "year",
    "value",
    "numerator",
    "denominator",
    "suppressed",
    "flag",
    "missing_parts",
    "unit",
]


@dataclass(frozen=True)
class JsonRow:
    """One row of /values as JSON text without its notes: `text` + notes member + `}`."""

    ags: str
    indicator: str
    year: int
    text: str


@dataclass(frozen=True)
class JsonValuePage:
    """One page of long-form values as JSON texts, and how many rows the whole query has."""

    rows: list[JsonRow]
    total: int


def values_page_json(
    conn: Connection,
    indicators: list[str],
    release_id: int | None,
    years: list[int] | None,
    ags: list[str] | None,
    limit: int,
    offset: int,
) -> JsonValuePage:
    """values_page's rows written as JSON by PostgreSQL (only the page's rows are written):
    no row mapping, no dict and no encoder per row in Python (issue #32: 10,000 rows of one
    indicator and year of all Germany took ~150 ms of Python)."""
    if not indicators:
        return JsonValuePage([], 0)
    select, count = _page_select(release_id, ags)
    bind = {"ind": indicators, "years": years, "ags": ags}
    rows = conn.execute(
        text(
            "SELECT p.total_rows, p.ags, p.indicator, p.year, "
            + _VALUES_JSON
            + " AS j FROM ("
            + select
            + ") p"
        ),
        {**bind, "limit": limit, "offset": offset},
    ).all()
    if rows:
        return JsonValuePage([JsonRow(r[1], r[2], r[3], r[4]) for r in rows], rows[0][0])
    return JsonValuePage([], _total_past_end(conn, count, bind, offset))


def area_geometries(conn: Connection, ags: list[str] | None, full: bool = False) -> dict[str, str]:
    """AGS → GeoJSON geometry text (simplified web geometry unless full), from PostGIS."""
    geom = "ST_Transform(geom, 4326)" if full else "geom_web"
    rows = conn.execute(
        text(
            f"SELECT ags, ST_AsGeoJSON({geom}, 6) AS g FROM area"
            " WHERE CAST(:ags AS text[]) IS NULL OR ags = ANY(:ags)"
        ),
        {"ags": ags},
    )
    return {r.ags: r.g for r in rows}


def map_data(
    conn: Connection,
    indicator_id: str,
    year: int,
    release_id: int | None,
    level: str,
    land: str | None,
) -> dict[str, float | None]:
    """AGS → value (None where withheld) of one indicator and year, for a map of many areas."""
    rows = conn.execute(
        text(_map_data_sql(value_source(release_id), level, land)),
        {"i": indicator_id, "y": year, "level": level, "land": land},
    )
    return {r.ags: r.value for r in rows}


def _map_data_sql(source: str, level: str, land: str | None) -> str:
    """The statement of map_data, written for the number of areas it asks for.

    The planner cannot estimate how many rows the layered rule (`shown_value`, one
    DISTINCT ON) leaves, so it guesses a handful; joined with `area` it then ranks every
    area's values and matches each against the level's areas in a nested loop (issue #32: the
    21 Kommunen of Germany's copy, 11,201 values ranked and 235,000 comparisons, 45–65 ms).
    Few areas (every level but all of Germany's Gemeinden) are named as an array instead:
    a condition on the DISTINCT ON key reaches the index on (ags, indicator, year), and only
    their values are read and ranked (~1–7 ms). All Gemeinden keep the join: 11,000 index
    probes and a linear `= ANY` per value would take longer than ranking them all."""
    if level == "gemeinde" and land is None:
        return (
            f"SELECT v.ags, v.value FROM {source} v JOIN area a ON a.ags = v.ags"
            " WHERE v.indicator_id = :i AND v.year = :y AND a.level = :level ORDER BY v.ags"
        )
    return (
        f"SELECT v.ags, v.value FROM {source} v"
        " WHERE v.indicator_id = :i AND v.year = :y AND v.ags = ANY(CAST((SELECT array_agg(a.ags)"
        " FROM area a WHERE a.level = :level"
        " AND (CAST(:land AS text) IS NULL OR a.ags LIKE :land || '%')) AS text[]))"
        " ORDER BY v.ags"
    )


def benchmark_list(
    conn: Connection,
    indicator_id: str,
    year: int,
    release_id: int | None,
    against: Comparator,
) -> list[dict[str, Any]]:
    """Per Kommune the verdict against the benchmark `against` (the Region, its Land or
    Germany: indicators.benchmarks) with interval and reason — no raw counts.

    Each row keeps the verdict itself under `_benchmark` for the caller's sentence.
    """
    from indicators.disparities import benchmarks_for_year
    from indicators.queries import release_for, values_for_year

    rel = release_for(conn, indicator_id, release_id)
    region = next(iter(values_for_year(conn, indicator_id, year, release_id, "region")), None)
    reference = (
        region
        if against.is_default
        else area_values(conn, indicator_id, [year], release_id, [against.ags]).get(
            (against.ags, year)
        )
    )
    rows = benchmarks_for_year(
        conn, indicator_id, year, release_id, None if against.is_default else reference
    )
    if not any(r.value is not None or r.suppressed for r in rows.values()):
        return []
    bench_value = reference.shown if reference is not None else None
    out = []
    for ags, r in sorted(rows.items()):
        b = r.benchmark
        out.append(
            {
                "indicator": indicator_id,
                "year": year,
                "release": rel.label if rel else None,
                "ags": ags,
                "name": r.name,
                "value": r.shown,
                "suppressed": bool(r.suppressed),
                "region_value": region.shown if region is not None else None,
                "vergleich_mit": against.choice,
                "benchmark_ags": against.ags,
                "benchmark_name": against.name,
                "benchmark_value": bench_value,
                # the benchmark value's release (its source); None without a value
                "benchmark_source": reference.release_label
                if reference is not None and bench_value is not None
                else None,
                "benchmark_synthetic": reference.synthetic
                if reference is not None and bench_value is not None
                else None,
                "lower": b["lower"],
                "upper": b["upper"],
                "method": b["method"],
                "verdict": b["verdict"],
                "direction": b["direction"],
                "reason": b["reason"],
                # the app adds the sentence (text in the page's language is no domain work)
                "_benchmark": b,
                "_synthetic": r.synthetic,
            }
        )
    return out


def area_values(
    conn: Connection, indicator_id: str, years: list[int], release_id: ReleaseRef, ags: list[str]
) -> dict[tuple[str, int], AreaValue]:
    """(AGS, year) → the value row of each named area (any level) in each year (layered rule, or
    one named release); an area without a value in a year gets a row without one."""
    rows = conn.execute(
        text(
            "SELECT a.ags, a.name, a.level, y.year, v.value, v.numerator, v.denominator,"
            " coalesce(v.suppressed, false) AS suppressed, v.flag, v.release_label, v.synthetic"
            " FROM area a CROSS JOIN unnest(CAST(:years AS integer[])) AS y(year)"
            f" LEFT JOIN (SELECT * FROM {value_source(release_id)} x WHERE x.indicator_id = :i"
            "  AND x.ags = ANY(:ags) AND x.year = ANY(:years)) v"
            " ON v.ags = a.ags AND v.year = y.year"
            " WHERE a.ags = ANY(:ags)"
        ),
        {"i": indicator_id, "years": years, "ags": ags},
    )
    return {(r.ags, r.year): AreaValue.from_row(r._mapping) for r in rows}


def area_years(
    conn: Connection, indicator_id: str, release_id: int | None, ags: list[str]
) -> list[int]:
    """Years in which any of the named areas has a value of the indicator, ascending."""
    return list(
        conn.scalars(
            text(
                f"SELECT DISTINCT year FROM {value_source(release_id)} v"
                " WHERE indicator_id = :i AND ags = ANY(:ags) ORDER BY year"
            ),
            {"i": indicator_id, "ags": ags},
        )
    )
