"""Disparity queries: benchmarks against the Region, spread over years, spatial clusters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any, TypeVar

import geopandas as gpd
import shapely
from libpysal.weights import Queen
from sqlalchemy import Connection, text

from indicators import spatial, stats
from indicators.breaks import Breaks, break_between, series_breaks
from indicators.errors import InvalidChoice, UnknownChoice
from indicators.model import AreaValue, BenchmarkRow, Indicator, ShownRelease
from indicators.pinning import indicator_release_ids
from indicators.precomputed import KEPT_INDICATORS, indicator_rows, profile_source
from indicators.queries import (
    DEMO_ON,
    INDICATOR_COLUMNS,
    Pinned,
    ReleaseRef,
    get_indicator,
    release_for,
    value_source,
    values_for_year,
    years_available,
)
from indicators.spread_change import change_interval
from indicators.text import _
from indicators.units import COUNT_UNITS

POPULATION = "bev_insgesamt"
MEASURES = ("cv_weighted", "cv", "theil", "gini", "ratio")
PERIOD_MESSAGE = _(
    "Der Zeitraum ist ungültig: „von“ muss vor „bis“ liegen, beide Jahre mit Werten."
)


def shown_sql(source: str) -> str:
    """Per indicator the releases its shown values come from, from catalogue rows (SQL)."""
    return (
        "SELECT indicator_id, (SELECT min(x) FROM unnest(release_ids) x) AS release_id,"
        f" release_label AS label, synthetic FROM {source} d"
    )


# Read from the catalogue rows kept at publish (indicators.precomputed: the same GROUP BY over
# every shown value of Germany, 3.5 s under load per first request before, issue #32).
SHOWN_SQL = shown_sql(KEPT_INDICATORS)
# The live reference the tests compare the kept rows with.
LIVE_SHOWN_SQL = shown_sql(f"({indicator_rows('shown_value')})")


# Caching is the app's business (one cache, keyed by the data version): domain functions take
# an optional `cache(key, build)`; without one they compute.
T = TypeVar("T")
Cache = Callable[[tuple[Any, ...], Callable[[], T]], T]


def no_cache(key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """Compute every time (tests, CLI)."""
    return build()


# --- spread over time -------------------------------------------------------------------


# Every shown value of the Kommunen (of these indicators: None all), with the population of the
# same year as fallback weight — of the same kind only: a synthetic value is never weighted by
# a real population (nor a real one by a synthetic), no figure mixes the two. Per Kommune
# (OFFSET 0 keeps each lateral subquery whole, so its ags reaches into the rule's DISTINCT ON):
# a join applied the rule to all of Germany first.
def values_sql(source: str = "shown_value", years: bool = False) -> str:
    """The Kommunen's values of `source` (the live rule, or `shown_value_in(ids)` of a pinned
    view) with the population of the same year; `years`: only the years `:years` (a pinned
    overview reads the two years it compares, not every year)."""
    in_years = " AND s.year = ANY(CAST(:years AS int[]))" if years else ""
    return f"""
SELECT v.indicator_id, v.year, v.ags, v.value, v.denominator, v.synthetic,
       p.value AS population
FROM area a CROSS JOIN LATERAL
 (SELECT * FROM {source} s WHERE s.ags = a.ags{in_years}
  AND (CAST(:ids AS text[]) IS NULL OR s.indicator_id = ANY(CAST(:ids AS text[]))) OFFSET 0) v
LEFT JOIN (SELECT pv.* FROM area pa CROSS JOIN LATERAL
 (SELECT * FROM {source} s WHERE s.ags = pa.ags AND s.indicator_id = :pop{in_years} OFFSET 0) pv
 WHERE pa.level = 'kommune') p
 ON p.ags = v.ags AND p.year = v.year AND NOT p.suppressed AND p.synthetic = v.synthetic
WHERE a.level = 'kommune'
ORDER BY v.indicator_id, v.year, v.ags
"""


VALUES_SQL = values_sql()


def _spread_years(
    conn: Connection,
    indicator_ids: list[str] | None = None,
    pinned: Pinned | None = None,
    only_years: Sequence[int] | None = None,
) -> dict[str, dict[int, dict[str, Any]]]:
    """Per indicator (of these: None all) and year the spread of the Kommunen's shown values:
    live, or (`pinned`) of the values of those releases only (`shown_value_in`), then of
    `only_years` only when given."""
    n_kommunen = conn.scalar(text("SELECT count(*) FROM area WHERE level = 'kommune'"))
    in_years = pinned is not None and only_years is not None
    sql = VALUES_SQL if pinned is None else values_sql(value_source(pinned), in_years)
    params: dict[str, Any] = {"pop": POPULATION, "ids": indicator_ids}
    if in_years and only_years is not None:
        params["years"] = list(only_years)
    rows = conn.execute(text(sql), params)
    grouped: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        grouped[r.indicator_id][r.year].append(r)
    out: dict[str, dict[int, dict[str, Any]]] = {}
    for ind_id, by_year in grouped.items():
        years: dict[int, dict[str, Any]] = {}
        for year, rs in sorted(by_year.items()):
            vals = [r.value for r in rs if r.value is not None]
            missing = n_kommunen - len(vals)
            if missing:
                # An incomplete year would compare a different set of Kommunen: no figures.
                years[year] = {"spread": None, "missing": missing, "reason": "missing_areas"}
                continue
            dens = [r.denominator for r in rs]
            pops = [r.population for r in rs]
            weights: list[float] | None
            if all(d is not None and d > 0 for d in dens):
                weights, wsource = dens, "denominator"
            elif all(p is not None and p > 0 for p in pops):
                weights, wsource = pops, "population"
            else:
                weights, wsource = None, None
            s = stats.spread(vals, weights)
            # The values and weights (Kommunen in AGS order) for the bootstrap of a change.
            years[year] = {
                "spread": s,
                "missing": 0,
                "reason": s.reason,
                "weights": wsource,
                "values": tuple(vals),
                "weight_values": None if weights is None else tuple(weights),
            }
        out[ind_id] = years
    return out


def _indicators(conn: Connection) -> dict[str, Indicator]:
    return {
        r.id: Indicator.from_row(r._mapping)
        for r in conn.execute(
            text(f"SELECT {INDICATOR_COLUMNS} FROM indicator i ORDER BY i.sort, i.id")
        )
    }


def _table(
    conn: Connection, years: dict[str, dict[int, dict[str, Any]]], shown_sql: str
) -> dict[str, dict[str, Any]]:
    indicators = _indicators(conn)
    shown = {r.indicator_id: dict(r._mapping) for r in conn.execute(text(shown_sql))}
    return {
        i: {"indicator": indicators[i], "release": shown.get(i), "years": y}
        for i, y in years.items()
    }


def live_spread_table(conn: Connection) -> dict[str, dict[str, Any]]:
    """Per indicator the shown release and per year the spread, computed from the shown values
    (the kept rows' reference, and the page's way until a refresh has kept any)."""
    return _table(conn, _spread_years(conn), LIVE_SHOWN_SQL)


# The kept rows the connection's demo mode shows, in the live computation's order.
KEPT_SQL = f"""
SELECT * FROM kommune_disparity WHERE NOT synthetic OR {DEMO_ON} ORDER BY indicator_id, year
"""
SPREAD_FIELDS = [f.name for f in fields(stats.Spread)]
DISPARITY_COLUMNS = (
    "indicator_id, year, synthetic, missing, weights, vals, weight_vals, "
    + ", ".join(SPREAD_FIELDS)
)


def kept_spread_table(conn: Connection) -> dict[str, dict[str, Any]] | None:
    """live_spread_table from the rows kept at publish (None: nothing kept yet, e.g. right
    after migration 0018 on a database whose releases were published before it)."""
    if not conn.scalar(text("SELECT EXISTS (SELECT 1 FROM kommune_disparity)")):
        return None
    years: dict[str, dict[int, dict[str, Any]]] = {}
    for r in conn.execute(text(KEPT_SQL)):
        if r.missing:
            entry: dict[str, Any] = {
                "spread": None,
                "missing": r.missing,
                "reason": "missing_areas",
            }
        else:
            s = stats.Spread(**{f: getattr(r, f) for f in SPREAD_FIELDS})
            entry = {
                "spread": s,
                "missing": 0,
                "reason": s.reason,
                "weights": r.weights,
                "values": tuple(r.vals),
                "weight_values": None if r.weight_vals is None else tuple(r.weight_vals),
            }
        years.setdefault(r.indicator_id, {})[r.year] = entry
    return _table(conn, years, SHOWN_SQL)


def refresh_disparities(conn: Connection, indicator_ids: list[str] | None) -> int:
    """Recompute the kept rows of these indicators (None: all; every indicator when the
    population, their fallback weight, is among them, or when none are kept yet) in the
    caller's transaction, which has
    demo mode on (indicators.precomputed.refresh). Returns the number of rows kept."""
    if indicator_ids is not None and (
        POPULATION in indicator_ids
        # Nothing kept yet (migrated to 0018 after the releases were published): the readers
        # take an empty table for "not kept", so the first refresh keeps every indicator's.
        or not conn.scalar(text("SELECT EXISTS (SELECT 1 FROM kommune_disparity)"))
    ):
        indicator_ids = None
    conn.execute(
        text(
            "DELETE FROM kommune_disparity WHERE CAST(:ids AS text[]) IS NULL"
            " OR indicator_id = ANY(CAST(:ids AS text[]))"
        ),
        {"ids": indicator_ids},
    )
    synthetic = {
        r.indicator_id: r.synthetic
        for r in conn.execute(
            text(
                "SELECT indicator_id, synthetic FROM indicator_summary"
                " WHERE CAST(:ids AS text[]) IS NULL OR indicator_id = ANY(CAST(:ids AS text[]))"
            ),
            {"ids": indicator_ids},
        )
    }
    rows = []
    for ind, years in _spread_years(conn, indicator_ids).items():
        for year, e in years.items():
            s = e["spread"]
            rows.append(
                {
                    "indicator_id": ind,
                    "year": year,
                    # An indicator's shown values are all real or all synthetic (0014).
                    "synthetic": synthetic.get(ind, False),
                    "missing": e["missing"],
                    "weights": e.get("weights"),
                    "vals": list(e["values"]) if s else None,
                    "weight_vals": None
                    if not s or e["weight_values"] is None
                    else list(e["weight_values"]),
                    **{f: getattr(s, f) if s else None for f in SPREAD_FIELDS},
                }
            )
    if rows:
        names = DISPARITY_COLUMNS.split(", ")
        conn.execute(
            text(
                f"INSERT INTO kommune_disparity ({DISPARITY_COLUMNS})"
                f" VALUES ({', '.join(':' + n for n in names)})"
            ),
            rows,
        )
    return len(rows)


def _spread_table(conn: Connection) -> dict[str, dict[str, Any]]:
    """Per indicator the shown release and per year the spread of the Kommunen's values:
    the rows kept at publish, or computed when none are kept."""
    kept = kept_spread_table(conn)
    return live_spread_table(conn) if kept is None else kept


def spread_table(
    conn: Connection, cache: Cache[dict[str, dict[str, Any]]] = no_cache
) -> dict[str, dict[str, Any]]:
    """Spread per indicator and year for the shown releases (cached per data state)."""
    return cache(("spread",), lambda: _spread_table(conn))


# A pinned view's release per indicator and its years, from the values of its releases for the
# Kommunen (`shown_value_in(ids)`; the live rows of `indicator_summary` span every area).
def pinned_shown_sql(pinned: Pinned) -> str:
    """Per indicator of a pin: its releases (the first id, labels, synthetic) and years (SQL)."""
    rows = indicator_rows(
        value_source(pinned), "x.ags = ANY(ARRAY(SELECT ags FROM area WHERE level = 'kommune'))"
    )
    return (
        "SELECT indicator_id, (SELECT min(x) FROM unnest(release_ids) x) AS release_id,"
        f" release_label AS label, synthetic, years FROM ({rows}) d ORDER BY indicator_id"
    )


def _pinned_shown(conn: Connection, pinned: Pinned) -> dict[str, dict[str, Any]]:
    """Per indicator of a pin its release summary and years (rows of pinned_shown_sql)."""
    return {r.indicator_id: dict(r._mapping) for r in conn.execute(text(pinned_shown_sql(pinned)))}


def _pinned_spread_table(
    conn: Connection,
    pinned: Pinned,
    years: Sequence[int] | None,
    cache: Cache[dict[str, dict[str, Any]]],
) -> dict[str, dict[str, Any]]:
    indicators = _indicators(conn)
    spreads = _spread_years(conn, None, pinned, years)
    # The same for every period of the pin: cached by itself (a new period reads two years).
    shown = cache(("spread-pinned-shown", tuple(pinned)), lambda: _pinned_shown(conn, pinned))
    out: dict[str, dict[str, Any]] = {}
    for ind_id, r in shown.items():
        computed = spreads.get(ind_id, {})
        # Every year of the indicator is listed (the period's choices, "values from …"); the
        # years not read have no figures — the overview of a given period never asks for them.
        by_year = {
            y: computed.get(y, {"spread": None, "missing": 0, "reason": "no_year"})
            for y in sorted(r["years"])
        }
        out[ind_id] = {
            "indicator": indicators[ind_id],
            "release": {k: r[k] for k in ("indicator_id", "release_id", "label", "synthetic")},
            "years": by_year,
        }
    return out


def pinned_spread_table(
    conn: Connection,
    pinned: Pinned,
    years: Sequence[int] | None = None,
    cache: Cache[dict[str, dict[str, Any]]] = no_cache,
) -> dict[str, dict[str, Any]]:
    """spread_table of a pinned view: computed per request from the values of its releases
    (`shown_value_in(pinned)`) for the Kommunen, of `years` only when given (cached per data
    version, pin and years: nothing of a pin is kept at publish)."""
    key = ("spread-pinned", tuple(pinned), None if years is None else tuple(years))
    return cache(key, lambda: _pinned_spread_table(conn, pinned, years, cache))


def kommune_keys(conn: Connection, region: bool = False) -> list[str]:
    """The home Kommunen's keys (and the Region's with `region`), ascending."""
    levels = ["kommune", "region"] if region else ["kommune"]
    return list(
        conn.scalars(
            text("SELECT ags FROM area WHERE level = ANY(CAST(:l AS text[])) ORDER BY ags"),
            {"l": levels},
        )
    )


def detail_release_ids(
    conn: Connection, indicator_id: str, pinned: Pinned | None
) -> tuple[int, ...]:
    """The pin of one indicator's disparities (benchmarks, spreads, clusters): the releases of
    its shown values of the Kommunen and the Region and of the population (the spreads'
    fallback weights) of the Kommunen, live (None) or within a pin."""
    own = indicator_release_ids(conn, indicator_id, kommune_keys(conn, region=True), pinned)
    population = indicator_release_ids(conn, POPULATION, kommune_keys(conn), pinned)
    return tuple(sorted(set(own) | set(population)))


def _measure(entry: dict[str, Any], year: int, measure: str) -> tuple[float | None, str | None]:
    """One spread measure of an indicator in a year, or the reason it is missing."""
    y = entry["years"].get(year)
    if y is None:
        return None, "no_year"
    if y["spread"] is None:
        return None, y["reason"]
    value = getattr(y["spread"], measure)
    if value is None:
        return None, y["spread"].reason or ("no_weights" if measure == "cv_weighted" else "n/a")
    return value, None


def default_period(
    table: dict[str, dict[str, Any]], breaks: dict[str, Breaks], measure: str = "cv_weighted"
) -> tuple[int, int]:
    """The period the overview opens on: the one in which the most indicators can be assessed;
    of those the longest, then the most recent. (The whole span from the first year leaves
    almost every indicator without a value in one of its two years.)"""
    m = measure if measure in MEASURES else "cv_weighted"
    # Per rankable indicator the years with a value of the measure, and its break years.
    usable = [
        (
            {y for y in e["years"] if _measure(e, y, m)[0] is not None},
            breaks.get(e["indicator"].id, ()),
        )
        for e in table.values()
        if e["indicator"].unit not in COUNT_UNITS
    ]
    years = sorted({y for e in table.values() for y in e["years"]})
    best: tuple[int, int, int] | None = None
    pair = (years[0], years[-1])
    for i, a in enumerate(years):
        for b in years[i + 1 :]:
            n = sum(1 for ok, brk in usable if a in ok and b in ok and not break_between(a, b, brk))
            key = (n, b - a, b)
            if best is None or key > best:
                best, pair = key, (a, b)
    return pair


def disparities_overview(
    conn: Connection,
    start: int | None,
    end: int | None,
    measure: str = "cv_weighted",
    cache: Cache[dict[str, dict[str, Any]]] = no_cache,
    breaks: dict[str, Breaks] | None = None,
    pinned: Pinned | None = None,
) -> dict[str, Any]:
    """Indicators ranked by the relative change of a spread measure between two years.

    An indicator with a series break between the two years is not assessable (reason
    'series_break', the break in `series_break`): its spreads are not comparable.
    `pinned`: the values of those releases only (a cited view); with both years given only
    those two years' spreads are computed.
    """
    if pinned is None:
        table = spread_table(conn, cache)
    else:
        both = None if start is None or end is None else sorted({start, end})
        table = pinned_spread_table(conn, pinned, both, cache)
    breaks = series_breaks(conn) if breaks is None else breaks
    all_years = sorted({y for e in table.values() for y in e["years"]})
    if not all_years:
        return {
            "rows": [],
            "not_assessable": [],
            "years": [],
            "start": None,
            "end": None,
            "measure": measure,
            "synthetic": False,
            "measures": MEASURES,
        }
    if measure not in MEASURES:
        raise InvalidChoice("mass", _("Unbekanntes Streuungsmaß. Möglich sind:"), MEASURES)
    if start is None and end is None:
        start, end = default_period(table, breaks, measure)
    start = all_years[0] if start is None else start
    end = all_years[-1] if end is None else end
    for y in (start, end):
        if y not in all_years or start >= end:
            raise InvalidChoice("period", PERIOD_MESSAGE, all_years)
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for e in table.values():
        if e["indicator"].unit in COUNT_UNITS:
            # Absolute counts mostly mirror the Kommunen's size: their spread says little.
            skipped.append(
                {
                    "indicator": e["indicator"],
                    "release": e["release"],
                    "reason": "count",
                    "reason_year": None,
                    "first": min(e["years"]),
                    "synthetic": bool(e["release"] and e["release"]["synthetic"]),
                }
            )
            continue
        a, reason_a = _measure(e, start, measure)
        b, reason_b = _measure(e, end, measure)
        item: dict[str, Any] = {
            "indicator": e["indicator"],
            "release": e["release"],
            "start_value": a,
            "end_value": b,
            "synthetic": bool(e["release"] and e["release"]["synthetic"]),
        }
        crossed = break_between(start, end, breaks.get(e["indicator"].id, ()))
        if crossed:
            item.update(reason="series_break", reason_year=crossed.year, series_break=crossed)
            item["first"] = min(e["years"])
            skipped.append(item)
            continue
        if a is None or b is None:
            item["reason"] = reason_a or reason_b
            item["reason_year"] = start if a is None else end
            item["first"] = min(e["years"])
            skipped.append(item)
            continue
        item["change"] = b - a
        item["relative"] = (b / a - 1) if a else None
        y0, y1 = e["years"][start], e["years"][end]
        item["interval"] = change_interval(
            y0["values"], y1["values"], measure, y0["weight_values"], y1["weight_values"]
        )
        rows.append(item)
    rows.sort(key=lambda r: (r["relative"] is None, -(r["relative"] or 0)))
    order = {i: k for k, i in enumerate(table)}
    skipped.sort(key=lambda r: order[r["indicator"].id])
    return {
        "rows": rows,
        "not_assessable": skipped,
        "years": all_years,
        "start": start,
        "end": end,
        "measure": measure,
        "measures": MEASURES,
        "synthetic": any(r["synthetic"] for r in rows + skipped),
    }


# --- benchmarks against the Region --------------------------------------------------------


def benchmark_rows(
    indicator: Indicator,
    rows: Sequence[AreaValue],
    region: AreaValue | None,
    no_reference: str = "no_region",
) -> list[BenchmarkRow]:
    """Each Kommune's value row with its verdict against the Region's value (or another
    benchmark's row: `no_reference` is then the reason's code where it has no value)."""
    region_value = region.shown if region is not None else None
    out = []
    for r in rows:
        b = stats.benchmark(
            numerator=r.numerator,
            denominator=r.denominator,
            unit=indicator.unit,
            polarity=indicator.polarity,
            region_value=region_value,
            value=r.value,
            suppressed=bool(r.suppressed),
            no_reference=no_reference,
            synthetic=r.synthetic,
            reference_synthetic=region.synthetic if region is not None else None,
        )
        out.append(BenchmarkRow(**vars(r), benchmark=b.as_dict(), region_value=region_value))
    return out


def benchmarks_for_year(
    conn: Connection,
    indicator_id: str,
    year: int,
    release_id: ReleaseRef,
    reference: AreaValue | None = None,
) -> dict[str, BenchmarkRow]:
    """Per Kommune (by AGS) its value, 95 % interval and verdict against the Region, or
    against `reference` (the Land's or Germany's value row, indicators.benchmarks) when given."""
    ind = get_indicator(conn, indicator_id)
    if ind is None:
        return {}
    rows = values_for_year(conn, indicator_id, year, release_id)
    if reference is not None:
        return {r.ags: r for r in benchmark_rows(ind, rows, reference, "no_benchmark")}
    region = next(iter(values_for_year(conn, indicator_id, year, release_id, "region")), None)
    return {r.ags: r for r in benchmark_rows(ind, rows, region)}


def area_benchmarks(
    conn: Connection,
    ags: str,
    release_id: ReleaseRef = None,
    *,
    region: str,
    against: str | None = None,
) -> dict[str, dict[str, Any]]:
    """For one Kommune, per indicator its newest year's verdict against the Region (`region`:
    the home Kreis's key) or another benchmark area (`against`: its Land or the Bund,
    indicators.benchmarks); `region_value` is then that area's value and `source` its release."""
    bench_ags = against or region
    # Kept at publish when both are Kommune, Region, Land or Bund (0020), else live.
    source = profile_source("ARRAY[CAST(:ags AS text), CAST(:region AS text)]", release_id)
    rows = conn.execute(
        text(
            f"WITH src AS (SELECT * FROM {source} x"
            "  WHERE x.ags IN (:ags, :region)), latest AS ("
            # The same headline year as the profile: the newest real year, else the newest.
            " SELECT indicator_id, coalesce(max(year) FILTER (WHERE NOT synthetic), max(year))"
            "  AS year FROM src WHERE ags = :ags GROUP BY 1)"
            " SELECT i.id, i.unit, i.polarity, l.year, v.value, v.numerator,"
            " v.denominator, v.suppressed, g.value AS region_value, g.suppressed AS region_supp,"
            " g.release_label AS bench_source, v.synthetic, g.synthetic AS bench_synthetic"
            " FROM latest l JOIN indicator i ON i.id = l.indicator_id"
            " JOIN src v ON v.indicator_id = l.indicator_id AND v.year = l.year AND v.ags = :ags"
            " LEFT JOIN src g ON g.indicator_id = l.indicator_id AND g.year = l.year"
            "  AND g.ags = :region"
        ),
        {"ags": ags, "region": bench_ags},
    )
    no_reference = "no_region" if bench_ags == region else "no_benchmark"
    return {
        r.id: area_verdict(
            r.unit,
            r.polarity,
            r.year,
            (r.value, r.numerator, r.denominator, r.suppressed, r.synthetic),
            (r.region_value, r.region_supp, r.bench_source, r.bench_synthetic),
            no_reference,
        )
        for r in rows
    }


# An area's row in its headline year for a verdict: value, numerator, denominator, suppressed,
# synthetic; the benchmark's row in that year: value, suppressed, release label, synthetic (all
# None: it has none).
OwnRow = tuple[Any, Any, Any, Any, Any]
BenchRow = tuple[Any, Any, Any, Any]
NO_BENCH_ROW: BenchRow = (None, None, None, None)


def area_verdict(
    unit: str, polarity: str, year: int, own: OwnRow, bench: BenchRow, no_reference: str
) -> dict[str, Any]:
    """One indicator's entry of `area_benchmarks`: the area's verdict against the benchmark's
    value in the area's headline year (the profile and the comparison build it from the rows
    they read, `area_benchmarks` from its own statement)."""
    value, numerator, denominator, suppressed, synthetic = own
    b_value, b_suppressed, b_label, b_synthetic = bench
    region_value = None if b_suppressed else b_value
    b = stats.benchmark(
        numerator=numerator,
        denominator=denominator,
        unit=unit,
        polarity=polarity,
        region_value=region_value,
        value=value,
        suppressed=bool(suppressed),
        no_reference=no_reference,
        synthetic=synthetic,
        reference_synthetic=b_synthetic,
    )
    return {
        "year": year,
        "value": None if suppressed else value,
        "region_value": region_value,
        "source": b_label if region_value is not None else None,
        # Beispieldaten (None: no value): a synthetic value is never set against a real one.
        "synthetic": b_synthetic if region_value is not None else None,
        "benchmark": b.as_dict(),
    }


# --- one indicator: spread chart, benchmark table ----------------------------------------


def _resolve(
    conn: Connection, indicator_id: str, year: int | None, pinned: Pinned | None = None
) -> tuple[Indicator, ShownRelease, list[int], int]:
    """The indicator, its shown release, its years and the chosen year, or UnknownChoice;
    `pinned`: within those releases (their values of the home region)."""
    ind = get_indicator(conn, indicator_id)
    if ind is None:
        raise UnknownChoice(
            "indikator", _("Die Kennzahl „%(id)s“ gibt es nicht.", id=indicator_id[:64])
        )
    release = release_for(conn, indicator_id, pinned, home=pinned is not None)
    source: ReleaseRef = pinned if pinned is not None else (release.id if release else None)
    years = years_available(conn, indicator_id, source) if release else []
    if release is None or not years:
        raise UnknownChoice(
            "indikator",
            _(
                "Für die Kennzahl „%(id)s“ liegen keine veröffentlichten Werte vor.",
                id=indicator_id,
            ),
        )
    if year is None:
        year = years[-1]
    if year not in years:
        raise UnknownChoice(
            "jahr",
            _("Für dieses Jahr liegen keine Werte der Kennzahl vor. Verfügbare Jahre:"),
            years,
        )
    return ind, release, years, year


def indicator_disparities(
    conn: Connection,
    indicator_id: str,
    year: int | None,
    cache: Cache[dict[str, dict[str, Any]]] = no_cache,
    pinned: Pinned | None = None,
) -> dict[str, Any]:
    """One indicator: spread per year (for the chart) and the Kommunen's benchmarks in a year;
    `pinned`: from the values of those releases only (a cited view)."""
    ind, release, years, year = _resolve(conn, indicator_id, year, pinned)
    if pinned is None:
        entry = spread_table(conn, cache).get(indicator_id, {"years": {}})
        by_year = entry["years"]
    else:
        entry = cache(
            ("spread-pinned-one", indicator_id, tuple(pinned)),
            lambda: {
                i: {"years": y} for i, y in _spread_years(conn, [indicator_id], pinned).items()
            },
        ).get(indicator_id, {"years": {}})
        by_year = entry["years"]
    spreads = [{"year": y, **by_year.get(y, {"spread": None, "reason": "no_year"})} for y in years]
    bench = benchmarks_for_year(
        conn, indicator_id, year, pinned if pinned is not None else release.id
    )
    return {
        "indicator": ind,
        "release": release,
        "years": years,
        "year": year,
        "spreads": spreads,
        "benchmarks": sorted(bench.values(), key=lambda r: r.name),
        "map": svg_shapes(conn),
        "synthetic": bool(release.synthetic),
    }


# --- spatial weights and clusters ---------------------------------------------------------


def kommunen_frame(conn: Connection) -> gpd.GeoDataFrame:
    """The Kommunen's full boundaries (EPSG:25832) as a GeoDataFrame indexed by AGS."""
    rows = conn.execute(
        text("SELECT ags, ST_AsBinary(geom) AS wkb FROM area WHERE level = 'kommune' ORDER BY ags")
    ).all()
    geoms = shapely.from_wkb([bytes(r.wkb) for r in rows])
    return gpd.GeoDataFrame(
        {"ags": [r.ags for r in rows]}, geometry=geoms, crs="EPSG:25832"
    ).set_index("ags")


def queen_neighbours(
    conn: Connection, cache: Cache[dict[str, list[str]]] = no_cache
) -> dict[str, list[str]]:
    """Queen contiguity of the Kommunen from the real boundaries (libpysal), cached."""

    def build() -> dict[str, list[str]]:
        gdf = kommunen_frame(conn)
        w = Queen.from_dataframe(gdf, use_index=True, silence_warnings=True)
        return {str(k): sorted(str(n) for n in v) for k, v in w.neighbors.items()}

    return cache(("queen",), build)


def postgis_neighbours(conn: Connection) -> dict[str, list[str]]:
    """Queen contiguity computed in PostGIS (boundaries touch), to cross-check libpysal."""
    rows = conn.execute(
        text(
            "SELECT a.ags, coalesce(array_agg(b.ags ORDER BY b.ags)"
            " FILTER (WHERE b.ags IS NOT NULL), '{}') AS n"
            " FROM area a LEFT JOIN area b ON b.level = 'kommune' AND b.ags <> a.ags"
            "  AND ST_Intersects(a.geom, b.geom)"
            " WHERE a.level = 'kommune' GROUP BY a.ags ORDER BY a.ags"
        )
    )
    return {r.ags: list(r.n) for r in rows}


def svg_shapes(conn: Connection) -> dict[str, Any]:
    """Kommunen as SVG path data (EPSG:25832, metres; SVG's y axis points down) + viewBox."""
    rows = conn.execute(
        text(
            "WITH g AS (SELECT ags, name, ST_Transform(geom_web, 25832) AS g FROM area"
            "  WHERE level = 'kommune'), e AS (SELECT ST_Extent(g) AS b FROM g)"
            " SELECT g.ags, g.name, ST_AsSVG(g.g, 0, 0) AS d,"
            " ST_X(ST_PointOnSurface(g.g)) AS lx, -ST_Y(ST_PointOnSurface(g.g)) AS ly,"
            " ST_XMin(e.b) AS x0, ST_YMax(e.b) AS y1, ST_XMax(e.b) - ST_XMin(e.b) AS w,"
            " ST_YMax(e.b) - ST_YMin(e.b) AS h FROM g, e ORDER BY g.name"
        )
    ).all()
    if not rows:
        return {"shapes": [], "viewbox": "0 0 1 1"}
    r0 = rows[0]
    pad = 0.02 * max(r0.w, r0.h)
    viewbox = f"{r0.x0 - pad:.0f} {-r0.y1 - pad:.0f} {r0.w + 2 * pad:.0f} {r0.h + 2 * pad:.0f}"
    shapes = [{"ags": r.ags, "name": r.name, "d": r.d, "lx": r.lx, "ly": r.ly} for r in rows]
    return {"shapes": shapes, "viewbox": viewbox}


def cluster_map(
    conn: Connection,
    indicator_id: str,
    year: int | None,
    cache: Cache[Any] = no_cache,
    pinned: Pinned | None = None,
) -> dict[str, Any]:
    """Moran's I and LISA clusters of one indicator and year, with the Kommunen as SVG;
    `pinned`: from the values of those releases only (a cited view)."""
    ind, release, years, year = _resolve(conn, indicator_id, year, pinned)
    rows = values_for_year(conn, indicator_id, year, pinned if pinned is not None else release.id)
    values = {r.ags: r.value for r in rows if r.value is not None and not r.suppressed}
    names = {r.ags: r.name for r in rows}
    neighbours = queen_neighbours(conn, cache)
    result, reason = None, None
    missing = [names[a] for a in neighbours if a not in values]
    if missing:
        reason = "missing_areas"
    elif len(set(values.values())) < 2:
        reason = "constant"
    elif any(not n for n in neighbours.values()):
        reason = "island"
    else:
        w = spatial.weights_from_neighbours(neighbours)
        result = cache(
            ("lisa", indicator_id, year, release.id, release.label, pinned),
            lambda: spatial.lisa(values, w),
        )
    return {
        "indicator": ind,
        "release": release,
        "years": years,
        "year": year,
        "values": {a: next(r for r in rows if r.ags == a) for a in names},
        "result": result,
        "reason": reason,
        "missing": missing,
        "neighbours": {a: [names[n] for n in ns] for a, ns in neighbours.items()},
        "map": svg_shapes(conn),
        "synthetic": bool(release.synthetic),
    }
