"""Queries of the ranking chart and the profile's spine charts (plain data for the views)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, text

from geodata.memo import has_memo, memoised, not_memoised
from indicators.benchmarks import Comparator
from indicators.errors import InvalidChoice, UnknownChoice
from indicators.intervals import area_intervals, intervals_of_areas
from indicators.precomputed import home_values_source
from indicators.queries import (
    DEMO_ON,
    KOMMUNE_KEYS,
    ReleaseRef,
    default_year,
    get_indicator,
    indicator_sources,
    release_for,
    shown_provenance,
    value_source,
)
from indicators.ranking import ORDERS, Ranking, Spread, build_ranking
from indicators.text import _


def indicator_ids(conn: Connection) -> list[str]:
    """Every indicator id in catalogue order."""
    return list(conn.scalars(text("SELECT id FROM indicator ORDER BY sort, id")))


def release_indicator_ids(conn: Connection, release_id: int) -> list[str]:
    """The indicators with values of Kommunen in a named release, in catalogue order."""
    return list(
        conn.scalars(
            text(
                "SELECT i.id FROM indicator i WHERE EXISTS (SELECT 1 FROM value v"
                " JOIN area a ON a.ags = v.ags AND a.level = 'kommune'"
                " WHERE v.release_id = :r AND v.indicator_id = i.id) ORDER BY i.sort, i.id"
            ),
            {"r": release_id},
        )
    )


def ranking(
    conn: Connection,
    indicator_id: str,
    year: int | None,
    release_id: ReleaseRef = None,
    order: str = "rang",
    against: Comparator | None = None,
) -> Ranking:
    """The Kommunen of an indicator and year ranked, with intervals; verdicts and the reference
    line against the Region, or against `against` (its Land or Germany, indicators.benchmarks;
    their value read from the same releases as the Kommunen's).

    UnknownChoice: field 'indikator' (unknown), 'no_values' (no values of the Kommunen, in the
    named release) or 'jahr', `valid` listing the indicators or years that have values;
    InvalidChoice 'sortierung' for an unknown order.
    """
    unknown = _("Die Kennzahl „%(id)s“ gibt es nicht. Möglich sind:", id=indicator_id)
    ind = get_indicator(conn, indicator_id)
    if ind is None:
        raise UnknownChoice("indikator", unknown, indicator_ids(conn))
    if order not in ORDERS:
        raise InvalidChoice(
            "sortierung", _("Diese Sortierung gibt es nicht. Möglich sind:"), list(ORDERS)
        )
    release = release_for(conn, indicator_id, release_id, home=True)
    if release is None:
        raise UnknownChoice("indikator", unknown, indicator_ids(conn))
    rid = release_id
    years = kommune_years(conn, indicator_id, rid)
    if not years:
        if not isinstance(rid, int):
            raise UnknownChoice(
                "no_values",
                _(
                    "Für die Kennzahl „%(id)s“ liegen keine Werte der Kommunen vor. Möglich sind:",
                    id=indicator_id,
                ),
                indicator_ids(conn),
            )
        raise UnknownChoice(
            "no_values",
            _(
                "Im Datenstand Nr. %(r)s gibt es keine Werte der Kommunen für „%(id)s“. Möglich sind:",
                r=rid,
                id=indicator_id,
            ),
            release_indicator_ids(conn, rid),
        )
    if year is None:
        year = default_year(conn, indicator_id, rid)
        year = year if year in years else years[-1]
    if year not in years:
        raise UnknownChoice(
            "jahr",
            _(
                "Für dieses Jahr liegen keine Werte der Kennzahl vor. Verfügbare Jahre: %(a)s–%(b)s.",
                a=years[0],
                b=years[-1],
            ),
            years,
        )
    areas = area_intervals(conn, indicator_id, year, rid)
    labels = {a.release_label for a in areas if a.release_label}
    provenance = shown_provenance(
        indicator_sources(conn, [indicator_id]).get(indicator_id, {}), labels
    )
    bench = None
    if against is not None and not against.is_default:
        bench = next(iter(intervals_of_areas(conn, indicator_id, year, rid, [against.ags])), None)
    return build_ranking(
        ind,
        year,
        years,
        areas,
        release,
        order,
        provenance,
        benchmark=bench,
        benchmark_choice=against.choice if against is not None else "region",
    )


def kommune_years(conn: Connection, indicator_id: str, release_id: ReleaseRef) -> list[int]:
    """Years in which at least one Kommune has a value (a Kreis-only year ranks nobody).

    The layered values' years from the home Kommunen's kept rows (profile_value, the shown
    values of the Kommunen, indicators.precomputed); a named release's or a cited view's from
    their values, the Kommunen's keys pushed into the relation (not every Gemeinde of
    Germany joined with the areas first: 21 ms on all of Germany, issue #32)."""
    source = home_values_source(release_id)
    return list(
        conn.scalars(
            text(
                f"SELECT DISTINCT v.year FROM {source} v"
                f" WHERE v.indicator_id = :i AND {KOMMUNE_KEYS} ORDER BY v.year"
            ),
            {"i": indicator_id},
        )
    )


def live_kommune_years(conn: Connection, indicator_id: str, release_id: ReleaseRef) -> list[int]:
    """kommune_years as computed before the kept rows (the tests' reference)."""
    return list(
        conn.scalars(
            text(
                f"SELECT DISTINCT v.year FROM {value_source(release_id)} v"
                " JOIN area a ON a.ags = v.ags AND a.level = 'kommune'"
                " WHERE v.indicator_id = :i ORDER BY v.year"
            ),
            {"i": indicator_id},
        )
    )


def kommunen_spreads(
    conn: Connection, headline: dict[str, int], release_id: ReleaseRef = None
) -> dict[str, Spread]:
    """Per indicator (at the given year) min, quartiles and max of the Kommunen's values.

    The shown values' spreads are kept per data version (indicators.precomputed, filled at
    publish and rollback); a named release's are computed from its values.
    """
    if release_id is None:
        return kept_kommunen_spreads(conn, headline)
    return live_kommunen_spreads(conn, headline, release_id)


# Every kept spread (~260 rows), read once per data version by the pages that read it ahead with
# their other per-version reads (indicators.version_reads: a Kommune's profile, its spines).
KOMMUNE_SPREADS = "kommune_spreads"
KOMMUNE_SPREADS_SQL = (
    "SELECT s.indicator_id, s.year, s.lo, s.q1, s.q3, s.hi, s.n FROM kommune_spread s"
    f" WHERE NOT s.synthetic OR {DEMO_ON}"
)


def spreads_from(
    _names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Mapping[tuple[str, int], Spread]:
    """(indicator, year) → spread from KOMMUNE_SPREADS_SQL's rows (read-only: memo shares it)."""
    return MappingProxyType({(r[0], r[1]): Spread(*r[2:]) for r in rows})


def kept_kommunen_spreads(conn: Connection, headline: dict[str, int]) -> dict[str, Spread]:
    """Per indicator (at the given year) the kept spread of the Kommunen's shown values (from
    every spread read ahead when the page did)."""
    if not headline:
        return {}
    if has_memo(conn) and not not_memoised(conn, [KOMMUNE_SPREADS]):
        kept: Mapping[tuple[str, int], Spread] = memoised(
            conn, KOMMUNE_SPREADS, lambda: MappingProxyType({})
        )
        return {i: kept[(i, y)] for i, y in headline.items() if (i, y) in kept}
    rows = conn.execute(
        text(
            "SELECT s.indicator_id, s.lo, s.q1, s.q3, s.hi, s.n FROM kommune_spread s"
            " JOIN unnest(CAST(:ids AS text[]), CAST(:years AS int[])) AS h(indicator_id, year)"
            "  ON h.indicator_id = s.indicator_id AND h.year = s.year"
            f" WHERE NOT s.synthetic OR {DEMO_ON}"
        ),
        {"ids": list(headline), "years": list(headline.values())},
    )
    return {r.indicator_id: Spread(r.lo, r.q1, r.q3, r.hi, r.n) for r in rows}


def live_kommunen_spreads(
    conn: Connection, headline: dict[str, int], release_id: ReleaseRef = None
) -> dict[str, Spread]:
    """The same spreads computed from the values (a named release's; None: the shown ones).

    The indicators and the Kommunen's keys are also given as plain filters on the values: the
    joins alone do not reach inside the rule (`shown_value_in`, a cited view's source), which
    then ranked every value of the database per cell first (4-8 s per pinned profile on the
    loaded test database, 0.05 s with the filters; the same rows, docs/ops/suite33.md)."""
    if not headline:
        return {}
    rows = conn.execute(
        text(
            "SELECT v.indicator_id, min(v.value) AS lo, max(v.value) AS hi, count(*) AS n,"
            " percentile_cont(0.25) WITHIN GROUP (ORDER BY v.value) AS q1,"
            " percentile_cont(0.75) WITHIN GROUP (ORDER BY v.value) AS q3"
            f" FROM {value_source(release_id)} v"
            " JOIN area a ON a.ags = v.ags AND a.level = 'kommune'"
            " JOIN unnest(CAST(:ids AS text[]), CAST(:years AS int[])) AS h(indicator_id, year)"
            "  ON h.indicator_id = v.indicator_id AND h.year = v.year"
            f" WHERE v.indicator_id = ANY(CAST(:ids AS text[])) AND {KOMMUNE_KEYS}"
            " AND v.value IS NOT NULL AND NOT v.suppressed GROUP BY v.indicator_id"
        ),
        {"ids": list(headline), "years": list(headline.values())},
    )
    return {r.indicator_id: Spread(r.lo, r.q1, r.q3, r.hi, r.n) for r in rows}


def group_values(
    conn: Connection, headline: dict[str, int], members: list[str], release_id: ReleaseRef = None
) -> dict[str, dict[str, float | None]]:
    """Per indicator (at the given year) the shown values of a group of areas (withheld: None)."""
    if not headline or not members:
        return {}
    rows = conn.execute(
        text(
            "SELECT v.indicator_id, v.ags, CASE WHEN v.suppressed THEN NULL ELSE v.value END AS value"
            f" FROM {value_source(release_id)} v"
            " JOIN unnest(CAST(:ids AS text[]), CAST(:years AS int[])) AS h(indicator_id, year)"
            "  ON h.indicator_id = v.indicator_id AND h.year = v.year"
            " WHERE v.ags = ANY(:members)"
        ),
        {"ids": list(headline), "years": list(headline.values()), "members": members},
    )
    out: dict[str, dict[str, float | None]] = {}
    for r in rows:
        out.setdefault(r.indicator_id, {})[r.ags] = r.value
    return out
