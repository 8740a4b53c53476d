"""Profile, comparison and time-series queries: every indicator for some areas in a few queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Row, text

from geodata.levels import BUND_AGS, parents_of
from geodata.memo import memoised
from geodata.model import Area
from geodata.queries import HOME_LOCATOR, home_areas, locator_paths
from indicators.benchmarks import Comparator
from indicators.breaks import (
    Breaks,
    break_between,
    breaks_within,
    first_year_after_break,
    segment_of,
    series_breaks,
)
from indicators.disparities import NO_BENCH_ROW, area_benchmarks, area_verdict
from indicators.errors import InvalidChoice, UnknownChoice
from indicators.model import Indicator, Release, ShownRelease
from indicators.pinning import RELEASE_LABELS
from indicators.precomputed import KEPT_PROFILE_VALUES, kept_areas, profile_source_for
from indicators.profile_values import (
    KEPT_QUESTIONS,
    comparison_of,
    context_keys,
    kept_rows,
    live_rows,
    question_of,
)
from indicators.queries import (
    Pinned,
    ReleaseRef,
    get_release,
    indicator_sources,
    kept_release_key,
    kept_release_once,
    release_for,
    series,
    series_sources,
    topics_with_indicators,
    value_source,
    withheld,
)
from indicators.ranking import rank_values
from indicators.stats import mixes_synthetic
from indicators.text import _
from indicators.units import COUNT_UNITS

AGS_RE = re.compile(r"^\d{5}(\d{3})?$")
# Any area's key: a Gemeinde (8 digits), Kreis (5), Land (2) or the Bund ('DG').
AREA_KEY_RE = re.compile(r"^(?:DG|\d{2}|\d{5}|\d{8})$")
ZENSUS_INDICATOR = "bev_zensus22"
MODES = ("absolut", "index")


def valid_areas(conn: Connection) -> list[Area]:
    """The Region and its Kommunen, Region first, then by name."""
    return list(memoised(conn, "valid_areas", lambda: _valid_areas(conn)))


def _valid_areas(conn: Connection) -> tuple[Area, ...]:
    home = home_areas(conn)
    if home is not None:  # the home areas of the data version (a map page has read them)
        ordered = sorted(home.values(), key=lambda h: (h.level != "region", h.name))
        return tuple(h.area() for h in ordered)
    rows = conn.execute(
        text(
            "SELECT ags, name, kind, level, area_km2 FROM area"
            " WHERE level IN ('region', 'kommune') ORDER BY level = 'region' DESC, name"
        )
    )
    return tuple(Area.from_row(r._mapping) for r in rows)


def check_release(conn: Connection, release_id: ReleaseRef) -> Release | None:
    """The release asked for (None when none was asked for), or UnknownChoice.

    Published and withdrawn releases are readable when named; drafts are previewed by editors on
    the map and in the editors' area, never on these public pages.
    """
    if release_id is None or isinstance(release_id, tuple):  # a pin is checked when parsed
        return None
    r = get_release(conn, release_id)
    if r is not None and r.status != "draft":
        return r
    raise UnknownChoice("release", _("Den Datenstand %(id)s gibt es nicht.", id=release_id))


def _area(conn: Connection, ags: str, kommune_only: bool = False) -> Area:
    """One area by AGS, or UnknownChoice (also for a malformed AGS)."""
    areas = {a.ags: a for a in valid_areas(conn)}
    a = areas.get(ags) if AGS_RE.match(ags or "") else None
    if a is None or (kommune_only and a.level != "kommune"):
        raise UnknownChoice(
            "ags", _("Eine Kommune mit dem Schlüssel „%(ags)s“ gibt es nicht.", ags=ags[:20])
        )
    return a


def area_names(conn: Connection, keys: tuple[str, ...]) -> dict[str, str]:
    """The names of these areas (a Land and the Bund: few keys), kept per data version."""
    kept = kept_areas(conn)  # the Länder and the Bund are among them: no statement of its own
    if kept is not None and all(k in kept for k in keys):
        return {k: kept[k].name for k in keys}

    def read() -> dict[str, str]:
        rows = conn.execute(
            text("SELECT ags, name FROM area WHERE ags = ANY(:a)"), {"a": list(keys)}
        )
        return dict(rows.all())

    return dict(memoised(conn, "area_names:" + ",".join(keys), read))


def areas_by_key(conn: Connection, keys: list[str]) -> dict[str, Area]:
    """The areas of these keys that exist (any level), by key: one query for what is shown."""
    wanted = [k for k in keys if AREA_KEY_RE.match(k or "")]
    if not wanted:
        return {}
    kept = kept_areas(conn, read=False)  # a comparison's areas (read ahead): no statement
    if kept is not None and all(k in kept for k in wanted):
        return {k: kept[k] for k in wanted}
    rows = conn.execute(
        text("SELECT ags, name, kind, level, area_km2 FROM area WHERE ags = ANY(:k)"),
        {"k": wanted},
    )
    return {r.ags: Area.from_row(r._mapping) for r in rows}


def any_area(conn: Connection, ags: str) -> Area:
    """Any area the database holds by key (Gemeinde, Kreis, Land, Bund), or UnknownChoice."""
    return _known_area(areas_by_key(conn, [ags]), ags)


def _known_area(found: dict[str, Area], ags: str) -> Area:
    """The area of this key among those read (areas_by_key), or UnknownChoice."""
    a = found.get(ags)
    if a is None:
        raise UnknownChoice(
            "ags", _("Ein Gebiet mit dem Schlüssel „%(a)s“ gibt es nicht.", a=(ags or "")[:20])
        )
    return a


# Ranks in a comparison: among the areas both belong with (None: no common ranking, e.g. a
# Gemeinde outside the home region, ranked among thousands, is not ranked here).
RANK_GROUPS = {
    frozenset({"kommune"}): ("kommunen", ["kommune"]),
    frozenset({"kreis"}): ("kreise", ["region", "kreis"]),
    frozenset({"region", "kreis"}): ("kreise", ["region", "kreis"]),
    frozenset({"land"}): ("laender", ["land"]),
}


def _figures_sql(where: str, source: ReleaseRef = None, kept: bool = False) -> str:
    # A named release is not read here (the header is the Zensus population as shown), a
    # pinned set is (a cited page shows the population it showed). Areas of a kept level
    # (`kept`) read the kept rows, the same rows as the view's without planning it (~1.5 ms).
    live = KEPT_PROFILE_VALUES if kept else "shown_value"
    src = value_source(source) if isinstance(source, tuple) else live
    return (
        "SELECT a.ags, a.name, a.kind, a.level, a.area_km2, v.value AS population, v.year"
        f" FROM area a LEFT JOIN {src} v ON v.ags = a.ags AND v.indicator_id = :i"
        "  AND NOT v.suppressed"
        f" WHERE {where} ORDER BY a.level = 'region' DESC, a.name, v.year DESC"
    )


def _figures(row: Row[Any], rel: ShownRelease | None) -> dict[str, Any]:
    pop, km2 = row.population, row.area_km2
    return {
        "ags": row.ags,
        "name": row.name,
        "kind": row.kind,
        "level": row.level,
        "population": pop,
        "population_year": row.year,
        "population_release": rel.label if rel else None,
        "area_km2": km2,
        "density": pop / km2 if pop is not None and km2 else None,
    }


def header_figures(conn: Connection, ags: str, pinned: Pinned | None = None) -> dict[str, Any]:
    """Real Zensus 2022 population, area in km² and density for an area (of the releases
    `pinned`: a cited page)."""
    # The layered summary is the same for every visitor: kept per data version (PROFILE_READS).
    rel = (
        kept_release_once(conn, ZENSUS_INDICATOR)
        if pinned is None
        else release_for(conn, ZENSUS_INDICATOR, pinned)
    )
    params = {"i": ZENSUS_INDICATOR, "r": rel.id if rel else None, "ags": ags}
    kept = kept_areas(conn)
    sql = _figures_sql("a.ags = :ags", pinned, kept is not None and ags in kept)
    row = conn.execute(text(sql), params).one()
    return _figures(row, rel)


def area_overview(conn: Connection) -> list[dict[str, Any]]:
    """The Region and its Kommunen with Zensus population, area and density (for the index)."""
    rel = release_for(conn, ZENSUS_INDICATOR)
    params = {"i": ZENSUS_INDICATOR, "r": rel.id if rel else None}
    # The Region and the Kommunen are of a kept level: their kept rows.
    rows = conn.execute(text(_figures_sql("a.level IN ('region', 'kommune')", None, True)), params)
    seen: dict[str, dict[str, Any]] = {}
    for r in rows:  # newest Zensus year first per area
        seen.setdefault(r.ags, _figures(r, rel))
    return list(seen.values())


def change(v_from: float | None, v_to: float | None) -> tuple[float | None, float | None]:
    """Change between two values in points (unit of the indicator) and in per cent."""
    if v_from is None or v_to is None:
        return None, None
    pct = (v_to - v_from) / abs(v_from) * 100 if v_from else None
    return v_to - v_from, pct


def _peers(conn: Connection, ags: str) -> list[str]:
    """The areas an area is ranked among: the home Kommunen, or for a Kreis all Kreise."""
    level = "kommune" if len(ags) == 8 else "kreis"
    levels = ["kommune"] if level == "kommune" else ["region", "kreis"]
    return list(memoised(conn, f"area_keys:{','.join(levels)}", lambda: _keys_of(conn, levels)))


def _keys_of(conn: Connection, levels: list[str]) -> tuple[str, ...]:
    """The keys of every area of these levels (the same for every visitor: kept per version).

    The home Kommunen (and the Region) from home_areas, which the page reads anyway
    (valid_areas): no statement of their own."""
    home = home_areas(conn) if set(levels) <= {"kommune", "region"} else None
    if home is not None:
        return tuple(h.ags for h in home.values() if h.level in levels)
    return tuple(conn.scalars(text("SELECT ags FROM area WHERE level = ANY(:l)"), {"l": levels}))


def _collect(
    conn: Connection,
    areas: list[str],
    release_id: ReleaseRef,
    own: list[str] | None = None,
    peers: list[str] | None = None,
    brief: list[str] | None = None,
    keyed: bool = False,
) -> dict[str, dict[str, Any]]:
    """Per indicator: headline year, and per area its series, headline value, rank, source.

    peers: the areas ranked among (default: those of the first own area, see _peers).
    Also per asked area its rows by year (`rows`: what a verdict reads, `_verdicts`) and per
    indicator the peers' shown values in the headline year (`peer_rows`: withheld None).
    brief: asked areas whose series and rows hold their headline year's row only (a profile's
    Region, Land and Bund); `has_rows` tells whether an area has any row of the indicator, and
    `years` holds the years of its rows returned: for a brief area, over all indicators, every
    year in which it has a value (each year's row is returned with one of them).
    keyed: a question whose rows may be kept (a home area's profile, a comparison of two
    home Kommunen: indicators.profile_values).
    """
    own = own or areas[:1]
    peers = _peers(conn, own[0]) if peers is None else peers
    out: dict[str, dict[str, Any]] = {}
    question = question_of(areas, own, peers, brief or ())
    # Without a named release: the rows kept at publish, one value to decode (0031).
    kept = kept_rows(conn, question) if keyed and release_id is None else None
    if kept is None:
        # Kept at publish for the home Kommunen, the Region, the Länder and the Bund (0020).
        all_areas = sorted(set(areas) | set(peers))
        source = profile_source_for(conn, all_areas, "CAST(:all_areas AS text[])", release_id)
        found: list[Any] = live_rows(conn, question, source)
    else:
        found = kept[0]
    peer_values: dict[str, dict[str, float]] = {}
    peer_rows: dict[str, dict[str, float | None]] = {}
    polarity: dict[str, str] = {}
    peer_set = set(peers)
    # Rows fetched at once and unpacked (~4,000 rows for a Kommune: attribute access per row
    # and fetching row by row were a third of the profile's Python time).
    for (
        ind_id,
        ags,
        year,
        value,
        numerator,
        denominator,
        suppressed,
        flag,
        rel_id,
        label,
        synthetic,
        latest_year,
        pol,
        asked,
        peer,
        whole,
        synthetic_any,
        real_any,
    ) in found:
        if peer:
            peer_values.setdefault(ind_id, {})[ags] = value
            polarity[ind_id] = pol
        if year == latest_year and ags in peer_set:
            peer_rows.setdefault(ind_id, {})[ags] = None if suppressed else value
        if not asked:
            continue
        ind = out.get(ind_id)
        if ind is None:
            ind = out[ind_id] = {
                "release": {"id": rel_id, "label": label, "synthetic": synthetic},
                "year": latest_year,
                # over every asked row, also those of a brief area not returned
                "synthetic_any": synthetic_any,
                "real_any": real_any,
                "peer_rows": peer_rows.setdefault(ind_id, {}),
                "areas": {
                    a: {
                        "series": [],
                        "rows": {},
                        "value": None,
                        "suppressed": False,
                        "flag": None,
                        "synthetic": None,
                        "release": None,
                        "rank": None,
                        "ranked_of": None,
                        "has_rows": False,
                        "years": set(),
                    }
                    for a in areas
                },
            }
        d = ind["areas"][ags]
        d["has_rows"] = True
        d["years"].add(year)
        if not whole:  # a brief area's row not of the headline year: its first, or a year's
            continue
        d["series"].append((year, value))
        d["rows"][year] = (value, numerator, denominator, suppressed, label, synthetic)
        if year == latest_year:
            d["value"] = value
            d["suppressed"], d["flag"], d["synthetic"] = suppressed, flag, synthetic
            d["release"] = label
            if ags == own[0]:  # the headline value's own source names the row
                ind["release"] = {"id": rel_id, "label": label, "synthetic": synthetic}
    if kept is not None:  # the kept rows carry no polarity: the indicators' own, read with them
        polarity = kept[1]
    for ind_id, ind in out.items():  # ranks among the peers in the headline year
        vals = peer_values.get(ind_id, {})
        ranks = dict(
            zip(
                vals,
                rank_values(list(vals.values()), polarity.get(ind_id, "neutral"), len(peers)),
                strict=True,
            )
        )
        for a, d in ind["areas"].items():
            d["rank"] = ranks.get(a)
            d["ranked_of"] = len(vals) if d["rank"] is not None else None
    return out


def _verdicts(
    conn: Connection,
    data: dict[str, dict[str, Any]],
    ags: str,
    release_id: ReleaseRef,
    *,
    region: str,
    against: str | None,
) -> dict[str, dict[str, Any]]:
    """`area_benchmarks(conn, ags, release_id, region=region, against=against)` from the rows
    `_collect` read (the same relation: the kept rows of these areas, or the release(s) named),
    without a statement of its own; read by it when the benchmark area was not collected."""
    bench_ags = against or region
    first = next(iter(data.values()), None)
    if first is None or ags not in first["areas"] or bench_ags not in first["areas"]:
        return area_benchmarks(conn, ags, release_id, region=region, against=against)
    no_reference = "no_region" if bench_ags == region else "no_benchmark"
    units = {i.id: i for t in topics_with_indicators(conn) for i in t.indicators}
    out = {}
    for ind_id, d in data.items():
        own, ind = d["areas"][ags]["rows"], units.get(ind_id)
        if not own or ind is None:
            continue
        # The headline year of area_benchmarks: the newest real year, else the newest.
        year = max((y for y, r in own.items() if r[5] is False), default=None)
        year = max(own) if year is None else year
        value, numerator, denominator, suppressed, _label, synthetic = own[year]
        b = d["areas"][bench_ags]["rows"].get(year)
        out[ind_id] = area_verdict(
            ind.unit,
            ind.polarity,
            year,
            (value, numerator, denominator, suppressed, synthetic),
            (b[0], b[3], b[4], b[5]) if b is not None else NO_BENCH_ROW,
            no_reference,
        )
    return out


IndicatorRow = dict[str, Any]  # a page's row of one indicator (profile, comparison)


def _by_topic(
    conn: Connection,
    data: dict[str, dict[str, Any]],
    build: Callable[[Indicator, dict[str, Any]], IndicatorRow],
) -> list[dict[str, Any]]:
    """Topics in catalogue order with a row per indicator that has values (build makes the row)."""
    topics = []
    for t in topics_with_indicators(conn):
        rows = [build(i, data[i.id]) for i in t.indicators if i.id in data]
        if rows:
            topics.append({"id": t.id, "name_de": t.name_de, "name_en": t.name_en, "rows": rows})
    return topics


def _years(data: dict[str, dict[str, Any]], areas: list[str] | None = None) -> list[int]:
    """Every year with a value of the given areas (default: all asked-for areas; a brief
    area's years, `_collect`, by the rows of those years it returns)."""
    return sorted(
        {
            y
            for d in data.values()
            for a, s in d["areas"].items()
            if areas is None or a in areas
            for y in s["years"]
        }
    )


# What a profile or a comparison reads that is the same for every visitor of the data version
# (indicators.version_reads): its views read them in one round trip before anything else.
PROFILE_READS = (
    "home_areas",
    "breaks",
    "sources",
    "topics",
    "public_notes",
    "kept_areas",
    "index_definition",
    KEPT_QUESTIONS,
    RELEASE_LABELS,
    kept_release_key(ZENSUS_INDICATOR),
    HOME_LOCATOR,
)


def profile(
    conn: Connection,
    ags: str,
    release_id: ReleaseRef = None,
    year_from: int | None = None,
    year_to: int | None = None,
    breaks: dict[str, Breaks] | None = None,
    *,
    region: str,
    against: Comparator | None = None,
) -> dict[str, Any]:
    """The Sozialstrukturprofil of an area: every indicator vs the Region, rank, series, change.

    region: the home Kreis's key (app.config["REGION"]); against: the benchmark the verdicts
    compare with (indicators.benchmarks: the Region by default, or its Land or Germany).

    A change whose period spans a series break of its indicator (breaks given, or read) is
    None, and the row names the break (`series_break`) instead.
    """
    area = _area(conn, ags)
    breaks = series_breaks(conn) if breaks is None else breaks
    check_release(conn, release_id)
    land = ags[:2]
    areas = [ags] + ([region] if ags != region else []) + [land, BUND_AGS]
    peers = _peers(conn, ags)
    # The Region's, the Land's and the Bund's rows of the headline year only: the profile shows
    # no more of them (and the years of the Region's values, its choice of period).
    brief = [a for a in (region, land, BUND_AGS) if a != ags]
    data = _collect(conn, areas, release_id, own=[ags], peers=peers, brief=brief, keyed=True)
    names = area_names(conn, (land, BUND_AGS))
    years = _years(data, [ags, region])
    if not years:
        raise UnknownChoice("release", _("Dieser Datenstand enthält keine Werte."))
    year_to = years[-1] if year_to is None else year_to
    year_from = max(years[0], year_to - 5) if year_from is None else year_from
    if year_from > year_to:
        raise InvalidChoice(
            "period",
            _("Das Anfangsjahr %(a)s liegt nach dem Endjahr %(b)s.", a=year_from, b=year_to),
            years,
        )
    if year_from < years[0] or year_to > years[-1]:
        raise InvalidChoice(
            "period",
            _(
                "Der Zeitraum %(a)s–%(b)s liegt außerhalb der Daten (%(first)s–%(last)s).",
                a=year_from,
                b=year_to,
                first=years[0],
                last=years[-1],
            ),
            years,
        )

    sources = indicator_sources(conn)
    # Verdicts against the Region (Wilson/Byar intervals), only for Kommunen.
    bench = (
        {}
        if area.level == "region"
        else _verdicts(
            conn, data, ags, release_id, region=region, against=against.ags if against else None
        )
    )

    def build(ind: Indicator, d: dict[str, Any]) -> IndicatorRow:
        own, reg = d["areas"][ags], d["areas"][region]
        la, bu = d["areas"][land], d["areas"][BUND_AGS]
        by_year = dict(own["series"])
        b = bench.get(ind.id)
        own_breaks = breaks.get(ind.id, ())
        crossed = break_between(year_from, year_to, own_breaks)
        points, pct = (
            (None, None) if crossed else change(by_year.get(year_from), by_year.get(year_to))
        )
        # No difference of a synthetic value and a real one (demo mode): no figure mixes them.
        diff = (
            own["value"] - reg["value"]
            if None not in (own["value"], reg["value"])
            and not mixes_synthetic(own["synthetic"], reg["synthetic"])
            else None
        )
        return {
            "indicator": ind,
            "release": d["release"],
            "year": d["year"],
            "value": own["value"],
            "region": reg["value"],
            "diff": diff,
            "suppressed": own["suppressed"],
            "region_suppressed": reg["suppressed"],
            "rank": own["rank"],
            "ranked_of": own["ranked_of"],
            "series": own["series"],
            "from_value": by_year.get(year_from),
            "to_value": by_year.get(year_to),
            "change_points": points,
            "change_percent": pct,
            "series_break": crossed,
            "break_years": [x.year for x in own_breaks],
            "benchmark": b["benchmark"] if b and b["year"] == d["year"] else None,
            # The benchmark's value in the headline year and its source (None: it has none).
            "bench_value": b["region_value"] if b and b["year"] == d["year"] else None,
            "bench_source": b["source"] if b and b["year"] == d["year"] else None,
            "bench_diff": (
                own["value"] - b["region_value"]
                if b
                and b["year"] == d["year"]
                and None not in (own["value"], b["region_value"])
                and not mixes_synthetic(own["synthetic"], b["synthetic"])
                else None
            ),
            "land": la["value"],
            "land_suppressed": la["suppressed"],
            "bund": bu["value"],
            "bund_suppressed": bu["suppressed"],
            "flag": own["flag"],
            "synthetic": own["synthetic"],
            "source": own["release"],
            "provenance": sources.get(ind.id, {}).get(own["release"]),
            "mixed": d["synthetic_any"] and d["real_any"],
        }

    topics = _by_topic(conn, data, build)
    home = valid_areas(conn)
    return {
        "area": area,
        "is_region": area.level == "region",
        "figures": header_figures(conn, ags, release_id if isinstance(release_id, tuple) else None),
        # Every area whose values the page reads (its pin: indicators.pinning.page_release_ids).
        "read_areas": sorted({*areas, *peers, *(k.ags for k in home)}),
        "locator": locator_paths(conn, ags, region),
        "topics": topics,
        "years": years,
        "year_from": year_from,
        "year_to": year_to,
        "synthetic": any(d["synthetic_any"] for d in data.values()),
        "real": any(d["real_any"] for d in data.values()),
        "releases": sorted({(d["release"]["id"], d["release"]["label"]) for d in data.values()}),
        "kommunen": [a for a in home if a.level == "kommune"],
        "land": {"ags": land, "name": names.get(land, land)},
        "bund": {"ags": BUND_AGS, "name": names.get(BUND_AGS, "Deutschland")},
        "has_land": any(d["areas"][land]["has_rows"] for d in data.values()),
        "has_bund": any(d["areas"][BUND_AGS]["has_rows"] for d in data.values()),
        "comparator": against,
        # Per indicator the shown values of the areas ranked among (`peers`) in the row's year
        # (withheld: None), for a group of them (app.pages.kommune: the similar Kommunen).
        "peers": peers,
        "peer_values": {i: d["peer_rows"] for i, d in data.items()},
    }


def compare(
    conn: Connection,
    ags_a: str,
    ags_b: str,
    release_id: ReleaseRef = None,
    breaks: dict[str, Breaks] | None = None,
    *,
    region: str,
    against: Comparator | None = None,
    series: bool = True,
) -> dict[str, Any]:
    """Any two areas side by side with the areas they lie in (their Kreise, Länder and the Bund):
    latest values, difference, ranks where both share a ranking, series.

    region: the home Kreis's key (app.config["REGION"]): the home Kommunen to pick from.
    against: the benchmark A's and B's verdicts compare with (indicators.benchmarks; None: the
    Region), each the interval test of the profile; an area is not judged against itself.
    The charts draw A and B with the nearest area both lie in (`reference`, e.g. the Region for
    two Kommunen, the Land for two Gemeinden of one Land, else Germany), or with the chosen
    benchmark (`against` the Land or Germany) over A's and B's years; where it has no value the
    line is empty (the chart says "nicht verfügbar"), never filled in.

    series: False for the page without its charts (and without a download): the areas around
    A and B other than the charts' line and the benchmark (e.g. the Land and Germany beside two
    Kommunen) are read in the headline year only (`_collect`'s brief areas): their series in
    the rows' `series["context"]` hold that year's row only (the result's `years` are whole).
    """
    # A, B and the areas they lie in: one read (it was three).
    wanted = [ags_a, ags_b]
    if all(AREA_KEY_RE.match(k or "") for k in wanted):
        wanted += context_keys(ags_a, ags_b)
    found = areas_by_key(conn, wanted)
    a, b = _known_area(found, ags_a), _known_area(found, ags_b)
    breaks = series_breaks(conn) if breaks is None else breaks
    if ags_a == ags_b:
        raise InvalidChoice("same", _("Für einen Vergleich braucht es zwei verschiedene Kommunen."))
    check_release(conn, release_id)
    context = [found[k] for k in context_keys(ags_a, ags_b) if k in found]
    keys = [c.ags for c in context]
    both = set(parents_of(ags_a)) & set(parents_of(ags_b))
    reference = next((c for c in context if c.ags in both), None)
    bench_ags = against.ags if against is not None else region
    # A chosen benchmark (Land or Germany): the charts draw its line (its real values as shown,
    # none filled in); by default the nearest area both lie in, as before.
    chosen = against is not None and not against.is_default and bench_ags not in (ags_a, ags_b)
    extra = [bench_ags] if chosen and bench_ags not in keys else []
    if chosen:
        reference = next((c for c in context if c.ags == bench_ags), None) or any_area(
            conn, bench_ags
        )
    ranked, levels = RANK_GROUPS.get(frozenset({a.level, b.level}), (None, []))
    peers = (
        list(memoised(conn, f"area_keys:{','.join(levels)}", lambda: _keys_of(conn, levels)))
        if levels
        else []
    )
    # Without charts, the areas beside A and B other than the charts' line and the benchmark
    # (whose row of each side's own headline year a verdict reads) in the headline year only.
    q = comparison_of(
        ags_a,
        ags_b,
        [*keys, *extra],
        [bench_ags, *([reference.ags] if reference else [])],
        peers,
        series,
    )
    # Two home Kommunen's page without charts against the Region is kept at publish (0031).
    data = _collect(
        conn,
        list(q.areas),
        release_id,
        own=list(q.own),
        peers=peers,
        brief=list(q.brief),
        keyed=True,
    )
    other = None if bench_ags == region else bench_ags
    verdicts = {
        x: {}
        if x == bench_ags
        else _verdicts(conn, data, x, release_id, region=region, against=other)
        for x in (ags_a, ags_b)
    }

    def verdict_of(ags: str, ind: Indicator, year: int) -> dict[str, Any] | None:
        """The side's verdict in the row's year (None: absolute counts, or no value)."""
        v = bench_of(ags, ind, year)
        return None if v is None else v["benchmark"]

    def bench_of(ags: str, ind: Indicator, year: int) -> dict[str, Any] | None:
        """The side's verdict with the benchmark's value and source in the row's year."""
        v = verdicts[ags].get(ind.id)
        if ind.unit in COUNT_UNITS or v is None or v["year"] != year:
            return None
        return v

    def build(ind: Indicator, d: dict[str, Any]) -> IndicatorRow:
        va, vb = d["areas"][ags_a], d["areas"][ags_b]
        vc = [d["areas"][k] for k in keys]
        vr = d["areas"][reference.ags] if reference else None
        # The chosen benchmark's line over A's and B's years only (INKAR's Länder reach back
        # to 1995: the chart would otherwise stretch over years neither area has).
        own_years = {y for x in (va, vb) for y, _ in x["series"]}
        ref_series = (
            [(y, v) for y, v in vr["series"] if own_years and min(own_years) <= y <= max(own_years)]
            if vr and chosen
            else vr["series"]
            if vr
            else []
        )
        # No difference of counts (population, persons): A − B mostly says which area is
        # bigger (issue #29); a rate or share compares areas of any size.
        # Nor of a synthetic value and a real one (demo mode beside real Gemeinden of Germany).
        mixed = mixes_synthetic(va["synthetic"], vb["synthetic"])
        diff = (
            va["value"] - vb["value"]
            if None not in (va["value"], vb["value"]) and ind.unit not in COUNT_UNITS and not mixed
            else None
        )
        better = None
        if diff and ind.polarity != "neutral":
            a_higher = diff > 0
            better = "a" if a_higher == (ind.polarity == "higher_better") else "b"
        return {
            "indicator": ind,
            "release": d["release"],
            "year": d["year"],
            "a": va["value"],
            "b": vb["value"],
            "context": [{"value": x["value"], "suppressed": x["suppressed"]} for x in vc],
            "diff": diff,
            "mixed_synthetic": mixed and None not in (va["value"], vb["value"]),
            "verdict_a": verdict_of(ags_a, ind, d["year"]),
            "verdict_b": verdict_of(ags_b, ind, d["year"]),
            # with the benchmark's value, source and kind (the download's verdict columns)
            "bench_a": bench_of(ags_a, ind, d["year"]),
            "bench_b": bench_of(ags_b, ind, d["year"]),
            "a_suppressed": va["suppressed"],
            "b_suppressed": vb["suppressed"],
            "rank_a": va["rank"],
            "rank_b": vb["rank"],
            "ranked_of": va["ranked_of"] or vb["ranked_of"],
            "better": better,
            "series": {
                "a": va["series"],
                "b": vb["series"],
                "reference": ref_series,
                # the kind of the line drawn beside A and B (None: no value): a real Land
                # beside Beispieldaten is marked real (demo mode)
                "reference_synthetic": vr["synthetic"] if vr else None,
                "context": [x["series"] for x in vc],
            },
            # the charts' years: A, B and the line drawn beside them
            "years": sorted(own_years | {y for y, _ in ref_series}),
            "break_years": [x.year for x in breaks.get(ind.id, ())],
        }

    return {
        "a": a,
        "b": b,
        "context": context,
        "reference": reference,
        "ranked": ranked,
        "topics": _by_topic(conn, data, build),
        "years": _years(data),
        "synthetic": any(d["synthetic_any"] for d in data.values()),
        "kommunen": [x for x in valid_areas(conn) if x.level == "kommune"],
        # Every area whose values the page reads (its pin: indicators.pinning.page_release_ids).
        "read_areas": sorted({ags_a, ags_b, *keys, *extra, *peers}),
        "comparator": against,
        # the charts' line is the chosen benchmark (Land or Germany), not the nearest area
        "reference_is_benchmark": chosen,
    }


def time_series(
    conn: Connection,
    indicator_id: str,
    kommunen: list[str],
    release_id: int | None = None,
    mode: str = "absolut",
    max_kommunen: int = 7,
    breaks: Breaks | None = None,
    *,
    region: str,
    pinned: Pinned | None = None,
) -> dict[str, Any]:
    """The Region's series of an indicator plus chosen Kommunen, absolute or as index (first=100).

    region: the home Kreis's key (app.config["REGION"]), whose series comes first.

    With series breaks (given, or read) the index starts at 100 again in each segment's first
    year: an index across a break would compare what is not comparable.
    """
    from indicators.queries import get_indicator

    ind = (
        get_indicator(conn, indicator_id) if re.match(r"^[a-z0-9_]{1,64}$", indicator_id) else None
    )
    if ind is None:
        raise UnknownChoice(
            "indikator", _("Die Kennzahl „%(id)s“ gibt es nicht.", id=indicator_id[:64])
        )
    if mode not in MODES:
        raise InvalidChoice(
            "darstellung", _("Die Darstellung „%(mode)s“ gibt es nicht.", mode=mode[:20])
        )
    kommunen = [k for k in kommunen if k != region]  # the Region's line is always drawn first
    home = valid_areas(conn)
    areas = {a.ags: a for a in home}
    # Any area the database holds (Gemeinde, Kreis, Land, Bund): one query for the chosen keys.
    areas.update(areas_by_key(conn, [k for k in kommunen if k not in areas]))
    for k in kommunen:
        if k not in areas:
            raise InvalidChoice(
                "kommunen", _("Ein Gebiet mit dem Schlüssel „%(a)s“ gibt es nicht.", a=k[:20])
            )
    if len(set(kommunen)) != len(kommunen):
        raise InvalidChoice("kommunen", _("Jede Kommune bitte nur einmal wählen."))
    if len(kommunen) > max_kommunen:
        raise InvalidChoice("kommunen", _("Höchstens %(n)s Kommunen auf einmal.", n=max_kommunen))
    check_release(conn, release_id)
    rel = release_for(conn, indicator_id, pinned if pinned is not None else release_id)
    # A cited view (pinned): the rule over its releases; else the named release or the layered.
    src: ReleaseRef = pinned if pinned is not None else (rel.id if rel else None)
    data = series(conn, indicator_id, [region, *kommunen], src) if rel else {}
    secret = withheld(conn, indicator_id, [region, *kommunen], src) if rel else set()
    sources = series_sources(conn, indicator_id, [region, *kommunen], src) if rel else {}
    years = sorted({y for pts in data.values() for y, _ in pts})
    if not years:
        raise UnknownChoice(
            "indikator", _("Für diese Kennzahl gibt es in diesem Datenstand keine Werte.")
        )
    if breaks is None:
        breaks = series_breaks(conn, [indicator_id]).get(indicator_id, ())
    shown_breaks = breaks_within(years, breaks)
    lines = []
    for a in [region, *kommunen]:
        by_year = dict(data.get(a, []))
        pts = [(y, by_year.get(y)) for y in years]
        if mode == "index":
            # The first year of each segment is 100 (one segment without breaks).
            base: dict[int, float | None] = {}
            for y, v in pts:
                base.setdefault(segment_of(y, breaks), v)
            pts = [
                (y, v / b * 100 if (b := base[segment_of(y, breaks)]) and v is not None else None)
                for y, v in pts
            ]
        lines.append(
            {
                "ags": a,
                "name": areas[a].name,
                "points": pts,
                "withheld": {y for g, y in secret if g == a},
                "synthetic_years": {
                    y for (g, y), x in sources.items() if g == a and x["synthetic"]
                },
            }
        )
    return {
        "indicator": ind,
        "release": rel,
        "synthetic": bool(rel and rel.synthetic),
        "real": bool(rel and rel.real),
        "mode": mode,
        "decimals": 1 if mode == "index" else ind.decimals,
        "years": years,
        "lines": lines,
        "breaks": shown_breaks,
        "break_years": first_year_after_break(years, breaks),
        "kommunen": [a for a in home if a.level == "kommune"],
        # the chosen areas beyond the home Kommunen (Gemeinden, Kreise, Länder, the Bund)
        "others": [areas[k] for k in kommunen if areas[k].level not in ("kommune", "region")],
        "topics": topics_with_indicators(conn),
    }
