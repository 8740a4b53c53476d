"""Indicator queries returning plain data: catalogue, releases, values, series."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Protocol, TypedDict, cast

from sqlalchemy import Connection, text

from geodata.memo import has_memo, memoised
from geodata.model import field_names
from indicators.catalogue import sql_columns
from indicators.model import AreaValue, Indicator, Release, ShownRelease, Topic

INDICATOR_COLUMNS = sql_columns("i")


def topics_with_indicators(conn: Connection) -> list[Topic]:
    """Topics in order, each with its indicators (id, names, unit) in catalogue order."""
    return list(memoised(conn, "topics", lambda: _topics_with_indicators(conn)))


# One statement (topics and their indicators), not two: a round trip less per build.
TOPICS_SQL = (
    f"SELECT t.id AS t_id, t.name_de AS t_de, t.name_en AS t_en, {INDICATOR_COLUMNS}"
    " FROM topic t LEFT JOIN indicator i ON i.topic_id = t.id"
    " ORDER BY t.sort, t.id, i.sort"
)


def _topics_with_indicators(conn: Connection) -> tuple[Topic, ...]:
    rows = conn.execute(text(TOPICS_SQL))
    return topics_from(list(rows.keys()), rows.all())


def topics_from(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[Topic, ...]:
    """The topics with their indicators from TOPICS_SQL's rows (columns `names`)."""
    # Indicator.from_row's columns, looked up once for the result (not per row: the catalogue's
    # ~170 rows are built on each first request after a publish).
    own = [(k, n) for n, k in enumerate(names) if k in field_names(Indicator)]
    at_id = list(names).index("id")
    topics: dict[str, tuple[str, str, list[Indicator]]] = {}
    for r in rows:
        inds = topics.setdefault(r[0], (r[1], r[2], []))[2]
        if r[at_id] is not None:
            inds.append(Indicator(**{k: r[n] for k, n in own}))
    return tuple(
        Topic(id=k, name_de=de, name_en=en, indicators=tuple(inds))
        for k, (de, en, inds) in topics.items()
    )


INDICATOR_WITH_TOPIC_SQL = (
    f"SELECT {INDICATOR_COLUMNS}, t.name_de AS topic_de, t.name_en AS topic_en"
    " FROM indicator i JOIN topic t ON t.id = i.topic_id"
)


def get_indicator(conn: Connection, indicator_id: str) -> Indicator | None:
    """One indicator with its topic's names, or None."""
    if has_memo(conn):
        hit = memoised(conn, "indicators", lambda: _indicators_by_id(conn)).get(indicator_id)
        return replace(hit[0], topic_de=hit[1].name_de, topic_en=hit[1].name_en) if hit else None
    row = conn.execute(
        text(INDICATOR_WITH_TOPIC_SQL + " WHERE i.id = :id"), {"id": indicator_id}
    ).first()
    return Indicator.from_row(row._mapping) if row else None


def _indicators_by_id(conn: Connection) -> dict[str, tuple[Indicator, Topic]]:
    """Every indicator and its topic, from the memo's topics (no statement of its own when they
    were read already); get_indicator adds the topic's names to the one it is asked for (a
    copy of each of the ~170 was most of a first map request's catalogue work)."""
    topics = memoised(conn, "topics", lambda: _topics_with_indicators(conn))
    return {i.id: (i, t) for t in topics for i in t.indicators}


def indicator_units(conn: Connection, indicator_ids: Collection[str]) -> dict[str, str]:
    """The unit of each of these indicators (unknown ids are left out): one query, not one
    per indicator (the trends API named ~170 indicators, 170 round trips)."""
    if has_memo(conn):
        every = memoised(conn, "indicators", lambda: _indicators_by_id(conn))
        return {i: every[i][0].unit for i in sorted(indicator_ids) if i in every}
    rows = conn.execute(
        text("SELECT id, unit FROM indicator WHERE id = ANY(:ids)"), {"ids": sorted(indicator_ids)}
    )
    return {r.id: r.unit for r in rows}


# Synthetic releases exist for a connection in demo mode only (the app sets `sozmon.demo`,
# migration 0009); a default install never names, lists or shows one.
DEMO_ON = "coalesce(current_setting('sozmon.demo', true), '') = 'on'"
VISIBLE = f"(NOT synthetic OR {DEMO_ON})"
# Which kept rows (profile_value and the other tables partitioned by `synthetic`) the
# connection's demo mode shows: the condition on the partition key (0023) names `true` in demo
# mode only, so outside it PostgreSQL prunes the demo partition at the statement's start and
# its rows are not read (a whole non-constant array would not prune; an ARRAY[...] of stable
# expressions does).
PROFILE_VISIBLE = f"synthetic = ANY(ARRAY[false, ({DEMO_ON})])"
# The home region's keys as a condition PostgreSQL pushes into the shown_value view (an array
# from an init plan; a join is not pushed down): with Germany's 11,000 Gemeinden loaded, the
# layered rule would otherwise run over every Gemeinde's values (~50 ms instead of ~1 ms).
HOME_KEYS = "v.ags = ANY(ARRAY(SELECT ags FROM area WHERE level IN ('kommune', 'region')))"


def list_releases(conn: Connection, include_drafts: bool = False) -> list[Release]:
    """Releases, newest first (synthetic ones in demo mode only)."""
    rows = conn.execute(
        text(
            "SELECT id, label, status, published_at, created_at, note, synthetic FROM release"
            f" WHERE (status = 'published' OR :drafts) AND {VISIBLE}"
            " ORDER BY published_at DESC NULLS FIRST, id DESC"
        ),
        {"drafts": include_drafts},
    )
    return [Release.from_row(r._mapping) for r in rows]


def get_release(conn: Connection, release_id: int) -> Release | None:
    """One release by id (a synthetic one in demo mode only)."""
    row = conn.execute(
        text(
            "SELECT id, label, status, published_at, note, synthetic FROM release"
            f" WHERE id = :id AND {VISIBLE}"
        ),
        {"id": release_id},
    ).first()
    return Release.from_row(row._mapping) if row else None


# Which values a query reads: None the layered rule over every published release, an id one
# named release's own values, a tuple of ids a cited (pinned) view: the rule over those releases
# only (`shown_value_in`, indicators.pinning).
Pinned = tuple[int, ...]
ReleaseRef = int | Pinned | None


def value_source(release_id: ReleaseRef) -> str:
    """SQL relation of the values to show: the layered rule, or one named release's values.

    Without a release every cell (indicator, area, year) comes from the view `shown_value`
    (the rule, written once in migration 0014: published releases; synthetic values only in
    demo mode and only for indicators without real ones; per cell real before synthetic, then
    the newest). A named release (preview, withdrawn, history) shows only its own values.
    """
    if release_id is None:
        return "shown_value"
    if isinstance(release_id, tuple):  # ints only: nothing of the request reaches the SQL text
        ids = ",".join(str(int(i)) for i in release_id)
        return f"shown_value_in(CAST(ARRAY[{ids}] AS int[]))"
    return f"(SELECT * FROM release_value WHERE release_id = {int(release_id)})"


def release_for(
    conn: Connection, indicator_id: str, release_id: ReleaseRef = None, home: bool = False
) -> ShownRelease | None:
    """What an indicator is shown from: the named release, or a summary of the layered values.

    The summary has id None (queries then read the layered view), the labels of every release
    that contributes a value, `synthetic` when any shown value is synthetic and `real` when
    any is real (both: the page marks each value).
    """
    if isinstance(release_id, int):
        rel = get_release(conn, release_id)
        if rel is None:
            return None
        return ShownRelease(
            id=rel.id,
            label=rel.label,
            status=rel.status,
            published_at=rel.published_at,
            note=rel.note,
            synthetic=rel.synthetic,
            real=not rel.synthetic,
            releases=(rel.label,),
            ids=(rel.id,),
        )
    if release_id is None:
        return kept_release_for(conn, indicator_id, home)
    return live_release_for(conn, indicator_id, release_id, home)


# The shown values' releases of an indicator, from the rows kept at every publish and rollback
# (indicators.precomputed, written with demo mode on and marked): all of Germany from
# `indicator_summary` (its release ids), the home region from `profile_value` (the Kommunen's
# and the Region's rows). An indicator's shown values are all real or all synthetic (0014),
# so the rows the connection's demo mode shows are exactly the view's: outside demo mode a
# synthetic indicator has none. Per request this reads one indicator's few kept rows, not its
# shown values over every area of Germany (160 ms for a Gemeinde-level indicator, issue #32).
_KEPT_RELEASES_SQL = (
    "SELECT s.release_id, r.label AS release_label, r.synthetic, r.status, r.published_at,"
    " r.note FROM ({ids}) s JOIN release r ON r.id = s.release_id"
    " JOIN release_precedence p ON p.release_id = s.release_id"
    " ORDER BY p.precedence DESC"
)
_KEPT_RELEASE_IDS = (
    "SELECT DISTINCT unnest(release_ids) AS release_id FROM indicator_summary"
    f" WHERE indicator_id = :i AND {VISIBLE}"
)
_KEPT_HOME_RELEASE_IDS = (
    "SELECT DISTINCT v.release_id FROM profile_value v"
    f" WHERE v.indicator_id = :i AND {PROFILE_VISIBLE} AND {HOME_KEYS}"
)


def kept_release_for(conn: Connection, indicator_id: str, home: bool) -> ShownRelease | None:
    """release_for of the layered values, read from the kept rows (live_release_for's result)."""
    ids = _KEPT_HOME_RELEASE_IDS if home else _KEPT_RELEASE_IDS
    rows = conn.execute(text(_KEPT_RELEASES_SQL.format(ids=ids)), {"i": indicator_id}).all()
    return layered_release(rows)


def kept_release_key(indicator_id: str) -> str:
    """The memo key of an indicator's layered release summary (kept_release_once)."""
    return f"kept_release:{indicator_id}"


def kept_release_read(indicator_id: str) -> str:
    """kept_release_for's statement (all of Germany) with the indicator's id as a literal, for
    indicators.version_reads (letters, digits and `_` only, as every indicator id)."""
    if not re.fullmatch(r"[a-z0-9_]{1,64}", indicator_id):
        raise ValueError(f"not an indicator id: {indicator_id!r}")
    return _KEPT_RELEASES_SQL.format(ids=_KEPT_RELEASE_IDS).replace(":i", f"'{indicator_id}'")


def kept_release_from(
    names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[ShownRelease | None]:
    """kept_release_once's memo item from kept_release_read's rows (columns `names`)."""
    found = [SimpleNamespace(**dict(zip(names, r, strict=True))) for r in rows]
    return (layered_release(cast(list[ContributingRelease], found)),)


def kept_release_once(conn: Connection, indicator_id: str) -> ShownRelease | None:
    """release_for(conn, indicator_id) of the layered values, kept per data version (the same
    for every visitor: a profile's header reads the Zensus population's). In a 1-tuple: the
    memo keeps nothing under None, a None result would be read again."""
    key = kept_release_key(indicator_id)
    return memoised(conn, key, lambda: (kept_release_for(conn, indicator_id, False),))[0]


def live_release_for(
    conn: Connection, indicator_id: str, release_id: ReleaseRef, home: bool = False
) -> ShownRelease | None:
    """release_for's summary computed from the values (a cited view's releases; the kept
    rows' reference in the tests)."""
    rows = conn.execute(
        text(
            "SELECT s.release_id, s.release_label, s.synthetic, r.status, r.published_at,"
            f" r.note FROM (SELECT DISTINCT release_id, release_label, synthetic FROM {value_source(release_id)} v"
            "  WHERE indicator_id = :i AND (NOT :home OR ags IN"
            # home: only what the home region's pages show (loading Germany leaves them as is)
            "   (SELECT ags FROM area WHERE level IN ('kommune', 'region'))))"
            " s JOIN release r ON r.id = s.release_id"
            " JOIN release_precedence p ON p.release_id = s.release_id"
            # in the rule's order: the release whose values win first (migration 0014)
            " ORDER BY p.precedence DESC"
        ),
        {"i": indicator_id, "home": home},
    ).all()
    return layered_release(rows)


class ContributingRelease(Protocol):
    """A release with layered values of an indicator (a row of release_for's query)."""

    @property
    def release_id(self) -> int: ...
    @property
    def release_label(self) -> str: ...
    @property
    def synthetic(self) -> bool: ...
    @property
    def published_at(self) -> datetime | None: ...
    @property
    def note(self) -> str: ...


def layered_release(rows: Sequence[ContributingRelease]) -> ShownRelease | None:
    """The summary of the releases contributing layered values (in the rule's order:
    release_precedence, real first, then newest), or None."""
    if not rows:
        return None
    return ShownRelease(
        id=None,
        label=" + ".join(r.release_label for r in rows),
        status="published",
        # every contributing release is published (it has a date)
        published_at=max((r.published_at for r in rows if r.published_at), default=None),
        note=rows[0].note,
        synthetic=any(r.synthetic for r in rows),
        real=any(not r.synthetic for r in rows),
        releases=tuple(r.release_label for r in rows),
        ids=tuple(r.release_id for r in rows),
    )


# The home region's Kommunen only: a year in which only the Region has a value (INKAR's Kreis
# series from 1995) is no year for a map, ranking or change of the Kommunen.
def kommune_keys(alias: str) -> str:
    """The condition that the values of `alias` are of the home region's Kommunen."""
    return f"{alias}.ags = ANY(ARRAY(SELECT ags FROM area WHERE level = 'kommune'))"


KOMMUNE_KEYS = kommune_keys("v")
# A value a page shows as a number (not only a sign such as "..." or withheld): only years
# with such a value are offered (issue #29; `map_queries._shows_number` the same in Python).
SHOWS_NUMBER = "v.value IS NOT NULL AND NOT coalesce(v.suppressed, false)"


def years_available(conn: Connection, indicator_id: str, release_id: ReleaseRef) -> list[int]:
    """Years with at least one value of the indicator shown for the home region's Kommunen
    (layered, or in the release), ascending. A year whose rows are all signs ("...", "x") or
    withheld shows no number: it is no year to offer (issue #29)."""
    return list(
        conn.scalars(
            text(
                f"SELECT DISTINCT year FROM {value_source(release_id)} v"
                f" WHERE indicator_id = :i AND {KOMMUNE_KEYS} AND {SHOWS_NUMBER} ORDER BY year"
            ),
            {"i": indicator_id},
        )
    )


def default_year(conn: Connection, indicator_id: str, release_id: ReleaseRef) -> int | None:
    """The year a map opens with: the newest in which most Kommunen have real values, else the
    newest at all (a synthetic continuation of a real series is not the first thing shown)."""
    src = value_source(release_id)
    year: int | None = conn.scalar(
        text(
            "SELECT coalesce((SELECT max(year) FROM (SELECT v.year FROM"
            f"  {src} v JOIN area a ON a.ags = v.ags AND a.level = 'kommune'"
            f"  WHERE v.indicator_id = :i AND NOT v.synthetic AND {HOME_KEYS} AND {SHOWS_NUMBER}"
            "  GROUP BY v.year"
            "  HAVING count(*) * 2 >= (SELECT count(*) FROM area WHERE level = 'kommune')) x),"
            f" (SELECT max(year) FROM {src} v WHERE v.indicator_id = :i AND {KOMMUNE_KEYS}"
            f"  AND {SHOWS_NUMBER}))"
        ),
        {"i": indicator_id},
    )
    return year


def values_for_year(
    conn: Connection,
    indicator_id: str,
    year: int,
    release_id: ReleaseRef,
    level: str = "kommune",
) -> list[AreaValue]:
    """Every area of a level with its value (None where missing or withheld) for one year.

    Each row says where its value comes from (release, synthetic or real, GENESIS flag).
    """
    rows = conn.execute(
        text(
            "SELECT a.ags, a.name, a.level, v.value, v.numerator, v.denominator,"
            " coalesce(v.suppressed, false) AS suppressed, v.flag, v.release_label,"
            " v.synthetic FROM area a LEFT JOIN"
            f" (SELECT * FROM {value_source(release_id)} x WHERE x.indicator_id = :i"
            "   AND x.year = :y AND x.ags = ANY(ARRAY(SELECT ags FROM area WHERE level = :level)))"
            " v ON v.ags = a.ags"
            " WHERE a.level = :level ORDER BY a.name"
        ),
        {"i": indicator_id, "y": year, "level": level},
    )
    return [AreaValue.from_row(r._mapping) for r in rows]


def series(
    conn: Connection, indicator_id: str, ags: list[str], release_id: ReleaseRef
) -> dict[str, list[tuple[int, float | None]]]:
    """Per area the (year, value) pairs of the indicator (layered, or in a release), by year."""
    out: dict[str, list[tuple[int, float | None]]] = {a: [] for a in ags}
    rows = conn.execute(
        text(
            f"SELECT ags, year, value FROM {value_source(release_id)} v"
            " WHERE indicator_id = :i AND ags = ANY(:ags) ORDER BY ags, year"
        ),
        {"i": indicator_id, "ags": ags},
    )
    for r in rows:
        out[r.ags].append((r.year, r.value))
    return out


def series_sources(
    conn: Connection, indicator_id: str, ags: list[str], release_id: ReleaseRef
) -> dict[tuple[str, int], dict[str, Any]]:
    """Per (area, year) where the shown value comes from: release, synthetic, flag, withheld."""
    rows = conn.execute(
        text(
            "SELECT ags, year, release_label, synthetic, flag, suppressed"
            f" FROM {value_source(release_id)} v WHERE indicator_id = :i AND ags = ANY(:ags)"
        ),
        {"i": indicator_id, "ags": ags},
    )
    return {(r.ags, r.year): dict(r._mapping) for r in rows}


# The years of the shown values, kept per data version (indicator_summary, migration 0015,
# filled at publish): a GROUP BY over every visible value of Germany before.
YEAR_RANGES_SQL = (
    "SELECT indicator_id, years[1] AS y0, years[cardinality(years)] AS y1"
    f" FROM indicator_summary WHERE cardinality(years) > 0 AND {VISIBLE}"
)


def year_ranges(conn: Connection) -> dict[str, tuple[int, int]]:
    """Per indicator the (first, last) year of the values shown (layered over all releases);
    once per data version on a connection with a memo (indicators.version_reads)."""
    return dict(
        memoised(
            conn, "year_ranges", lambda: ranges_from(conn.execute(text(YEAR_RANGES_SQL)).all())
        )
    )


def ranges_from(rows: Sequence[Sequence[Any]]) -> dict[str, tuple[int, int]]:
    """year_ranges from YEAR_RANGES_SQL's rows."""
    return {r[0]: (r[1], r[2]) for r in rows}


def live_year_ranges(conn: Connection) -> dict[str, tuple[int, int]]:
    """year_ranges computed from the visible values (the kept rows' reference)."""
    # visible_value: the values the rule may show (no DISTINCT ON per cell: the years of
    # the shown values are the years of the visible ones)
    rows = conn.execute(
        text(
            "SELECT v.indicator_id, min(v.year) AS y0, max(v.year) AS y1 FROM visible_value v"
            " GROUP BY v.indicator_id"
        )
    )
    return {r.indicator_id: (r.y0, r.y1) for r in rows}


def withheld(
    conn: Connection, indicator_id: str, ags: list[str], release_id: ReleaseRef
) -> set[tuple[str, int]]:
    """(ags, year) pairs whose value is withheld ("geheim": small numbers or official secrecy)."""
    rows = conn.execute(
        text(
            f"SELECT ags, year FROM {value_source(release_id)} v WHERE indicator_id = :i"
            " AND ags = ANY(:ags) AND suppressed"
        ),
        {"i": indicator_id, "ags": ags},
    )
    return {(r.ags, r.year) for r in rows}


class Provenance(TypedDict):
    """Where a release's numbers of an indicator come from (a dict: pages and JSON take it)."""

    tables: str  # GENESIS table codes
    source: str


class ShownProvenance(Provenance):
    """A provenance with the label of its release."""

    release: str


def indicator_sources(
    conn: Connection, indicator_ids: list[str] | None = None
) -> dict[str, dict[str, Provenance]]:
    """Per indicator and release label where its numbers come from (table codes, source text).

    Only real releases with a recorded provenance appear; synthetic values are "Beispieldaten".
    """
    if has_memo(conn):
        every = memoised(conn, "sources", lambda: _indicator_sources(conn, None))
        if indicator_ids is None:
            return every
        return {i: every[i] for i in indicator_ids if i in every}
    return _indicator_sources(conn, indicator_ids)


SOURCES_SQL = (
    "SELECT s.indicator_id, r.label, s.tables, s.source FROM release_source s"
    " JOIN release r ON r.id = s.release_id"
    # publish records every release's indicators; only those with a text are sources
    " WHERE (s.tables <> '' OR s.source <> '')"
    " AND (CAST(:ids AS text[]) IS NULL OR s.indicator_id = ANY(:ids))"
)


def _indicator_sources(
    conn: Connection, indicator_ids: list[str] | None
) -> dict[str, dict[str, Provenance]]:
    rows = conn.execute(text(SOURCES_SQL), {"ids": indicator_ids})
    return sources_from(rows.all())  # fetched at once, not row by row


def sources_from(rows: Sequence[Sequence[Any]]) -> dict[str, dict[str, Provenance]]:
    """indicator_sources from SOURCES_SQL's rows."""
    out: dict[str, dict[str, Provenance]] = {}
    for r in rows:
        out.setdefault(r[0], {})[r[1]] = {"tables": r[2], "source": r[3]}
    return out


def shown_provenance(
    sources: dict[str, Provenance], labels: Collection[str]
) -> list[ShownProvenance]:
    """The sources (from indicator_sources) of the releases whose values are shown, each with
    its release label, in the sources' order."""
    return [
        {"tables": src["tables"], "source": src["source"], "release": lab}
        for lab, src in sources.items()
        if lab in labels
    ]
