"""State of the Kommunen map (/karte, /embed/karte, /karte/jahre and their images): the query
string checked against the data, the page's ETag, the map caches and the choices' labels."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, request
from flask_babel import get_locale
from sqlalchemy import Connection

from app.editors.auth import is_editor
from app.pages.data.catalogue_kept import catalogue_reads
from app.pages.data.cite import parse_pin
from app.pages.data.groups import parse_group
from app.pages.data.map_choices import no_data_in_year, parse_classes
from app.pages.data.notes import notes_etag_part
from app.pages.data.series_breaks import break_text, breaks_of
from app.pages.nav import nav_items
from app.web import args
from app.web.cache import InputMemo, Region
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.home import home_ags
from app.web.http_cache import data_version_now, etag_for
from app.web.i18n import gettext as _
from app.web.urls import url_for
from geodata.memo import not_memoised
from indicators import classify
from indicators.benchmarks import benchmark_release_ids, comparator
from indicators.breaks import Breaks, break_between, breaks_within, segment_years
from indicators.map_queries import (
    HomeData,
    headline_covered,
    headline_indicator,
    home_data,
    home_rows_key,
    home_rows_read,
    map_context,
    picker_topics_from,
)
from indicators.model import Indicator, MapContext, Topic
from indicators.neighbour_queries import NEIGHBOUR_ROWS, neighbour_rows_read
from indicators.queries import get_indicator, topics_with_indicators, year_ranges
from indicators.releases import visible_release
from indicators.version_reads import Read, prefetch

MAP_VERSION = "5"  # bump when the map's markup changes, so cached copies are revalidated
# Rendered folium maps per (indicator, year, classification, colours, release, language, …).
MAPS_CACHE = Region("maps")
# Query results per data version (a publish gives a new version; nothing stale is served).
DATA_CACHE = Region("data")
_HOME = Region("home")


def map_link(embed: bool, **params) -> str:
    """URL of the map (or embed) view with the given state."""
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return url_for("maps.embed" if embed else "maps.karte", **clean)


def _indicator_choices(topics: Sequence[Topic], embed: bool) -> list[tuple[str, str]]:
    return [
        (map_link(embed, indikator=i.id), f"{i.name_de} ({t.name_de})")
        for t in topics
        for i in t.indicators
    ]


def _parse_release() -> int | None:
    return args.integer(
        "release", [(url_for("maps.karte"), _("Karte mit dem neuesten Datenstand"))], lo=1
    )


def home_values() -> HomeData:
    """Every indicator and its layered home values, read once per data version.

    Once read (the catalogue page /kennzahlen reads them, ~0.1 s), a first render of any
    indicator's map asks the database nothing; a map alone reads only its own indicator's
    (home_values_of, ~4 ms: issue #32's first request after a publish).
    """
    return _HOME.get_or_build(("home", data_version_now()), lambda: home_data(get_conn()))


def home_values_of(indicator_id: str) -> HomeData:
    """The home values a map of one indicator needs: every indicator's when this worker has
    read them already (home_values: the catalogue page /kennzahlen does), else this
    indicator's alone.

    A first map after a publish then reads what it shows (~1,500 values of 22 areas, a few ms)
    instead of every indicator's (~30,000, 0.1–0.5 s; issue #32). The rows are the same either
    way (the same query, restricted to the indicator), and what is built from them does not
    depend on their order.
    """
    version = data_version_now()
    every = _HOME.get(("home", version))
    if isinstance(every, HomeData):
        return every
    key = ("home-of", version, indicator_id[:80])
    return DATA_CACHE.get_or_build(key, lambda: home_data(get_conn(), indicator_id))


def default_indicator() -> str:
    """The indicator a first visit opens with (HEADLINE_INDICATORS), once per data version."""
    preferred = tuple(current_app.config["HEADLINE_INDICATORS"])

    def build() -> str:
        # The first preferred indicator that is covered, from its own values (headline_indicator
        # would pick the same); every indicator's values only when none of them is.
        for p in preferred:
            one = home_values_of(p)
            if p in one.indicators and headline_covered(one, p):
                return p
        return headline_indicator(home_values(), preferred) or (preferred or ("",))[0]

    return DATA_CACHE.get_or_build(("headline", data_version_now(), preferred), build)


def _context(
    conn: Connection, indicator_id: str, release_id: int | None, topics: Sequence[Topic]
) -> MapContext:
    """map_context per data version (drafts' visibility is checked by the caller)."""
    key = ("context", data_version_now(), indicator_id[:80], release_id)

    def build() -> MapContext:
        home = home_values_of(indicator_id) if release_id is None else None
        return map_context(conn, indicator_id, release_id, topics, home)

    return DATA_CACHE.get_or_build(key, build)


def pinned_home(indicator_id: str, pinned: tuple[int, ...]) -> HomeData:
    """The home values of one indicator in a cited state (`stand`), per data version."""
    key = ("pinned-home", data_version_now(), indicator_id[:80], pinned)
    return DATA_CACHE.get_or_build(key, lambda: home_data(get_conn(), indicator_id, pinned))


def _shown_ids(home: HomeData, indicator_id: str) -> tuple[int, ...]:
    """The ids of the releases whose values of the indicator the map shows (any year)."""
    return tuple(sorted({r.release_id for r in home.rows.get(indicator_id, [])}))


def _first_reads(
    conn: Connection, requested: str | None, release_id: int | None, pinned: tuple[int, ...] | None
) -> dict[str, Read]:
    """The map's own per-version reads for prefetch: the neighbours' values (the comparison
    groups' choices) and, for the values shown now, the home values of the indicator asked
    for (or of the first headline indicator, which a map without one opens with) unless this
    worker holds them already."""
    reads = {NEIGHBOUR_ROWS: neighbour_rows_read()}
    if release_id is not None or pinned is not None:
        return reads
    headline = current_app.config["HEADLINE_INDICATORS"]
    shown = requested or (headline[0] if headline else None)
    version = data_version_now()
    if shown is None or _HOME.get(("home", version)) is not None:
        return reads
    if DATA_CACHE.get(("home-of", version, shown[:80])) is None:
        read = home_rows_read(shown)
        # Before the first round trip of a data version the catalogue is unknown: the id goes
        # along as asked; after it only an id of the catalogue (guessed ids keep no memo key).
        known = bool(not_memoised(conn, ["topics"])) or get_indicator(conn, shown) is not None
        if read is not None and known:
            reads[home_rows_key(shown)] = read
    return reads


class _Same:
    """A key part equal only to the very same object, which the key keeps alive (so its id is
    not reused): the kept catalogue's topics are one object while its version holds."""

    __slots__ = ("obj",)

    def __init__(self, obj: object):
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj


# The picker's topics by their input: the catalogue's topics (the same objects across a
# publish of values, app.pages.data.catalogue_kept; a changed catalogue is other objects) and
# the indicators' year ranges (which a publish may change: part of the key, by value).
_PICKER_TOPICS = InputMemo(4)


def _picker(conn: Connection) -> object:
    """picker_topics, built again only when the catalogue or the year ranges changed."""
    prefetch(conn)
    catalogue, ranges = topics_with_indicators(conn), year_ranges(conn)
    key = (tuple(_Same(t) for t in catalogue), tuple(ranges.items()))
    return _PICKER_TOPICS.get_or_build(key, lambda: picker_topics_from(catalogue, ranges))


def state_from_request(embed: bool) -> dict:
    """Validate the query string against the data; every fault is a German 4xx with choices."""
    conn = get_conn()
    bench = args.benchmark()  # first: a bad value is a 400 whatever else the URL names
    release_id = _parse_release()
    pinned = parse_pin(release_id, url_for("maps.karte"))
    requested = request.args.get("indikator") or None
    # What every visitor of the data version reads, in one round trip (the catalogue and the
    # rest of indicators.version_reads, and the Land's name the page's benchmark choice shows).
    # With them the comparison groups' values and the shown indicator's home values, which
    # are per data version too (a first map: 2 statements instead of 4).
    # The catalogue, the home areas, their boundaries and the Land's name only when their own
    # versions changed (a values-only publish keeps them: catalogue_kept).
    keys, catalogue = catalogue_reads(conn, area_names=(home_ags()[:2],))
    prefetch(conn, keys, extra=catalogue | _first_reads(conn, requested, release_id, pinned))
    # The picker's topics depend on the data only: read once per data version (the year
    # ranges scan every value), not per request.
    topics = DATA_CACHE.get_or_build(("topics", data_version_now()), lambda: _picker(conn))
    if pinned is not None:
        pinned_id = requested or default_indicator()
        ctx = DATA_CACHE.get_or_build(
            ("pinned-context", data_version_now(), pinned_id[:80], pinned),
            lambda: map_context(conn, pinned_id, None, topics, pinned_home(pinned_id, pinned)),
        )
    else:
        ctx = _context(conn, requested or default_indicator(), release_id, topics)
    if (
        requested is None
        and release_id is None
        and pinned is None
        and ctx.release is None
        and topics
    ):
        # No explicit choice and the default has no data: take the first mappable indicator.
        ctx = _context(conn, topics[0].indicators[0].id, release_id, topics)
    ind, release = ctx.indicator, ctx.release
    if ind is None:
        raise BadRequestWithChoices(
            404,
            _("Die Kennzahl „%(i)s“ gibt es nicht.", i=(requested or "")[:60]),
            _indicator_choices(topics, embed),
        )
    # Published and withdrawn releases are readable when named; drafts only for editors.
    if release_id is not None and (
        release is None
        or release.id is None
        or visible_release(conn, release.id, is_editor()) is None
    ):
        raise BadRequestWithChoices(
            404,
            _("Einen veröffentlichten Datenstand Nr. %(r)s gibt es nicht.", r=release_id),
            [(map_link(embed, indikator=ind.id), _("Karte mit dem neuesten Datenstand"))],
        )
    if release is not None and not ctx.years:
        # Values for the Region only (a Kreis table): its place is the map of the Kreise.
        raise BadRequestWithChoices(
            404,
            _(
                "Für die Kennzahl „%(i)s“ gibt es Werte nur für die Region als Ganzes, nicht für die einzelnen Kommunen.",
                i=ind.name_de,
            ),
            [
                (
                    url_for("maps.karte", gebiet="DG", ebene="kreis", indikator=ind.id),
                    _("Karte aller Kreise Deutschlands mit dieser Kennzahl"),
                ),
                (
                    url_for("pages.kennzahlen") + f"#k-{ind.id}",
                    _("Alle Kennzahlen und ihr Datenstand"),
                ),
            ],
        )
    if (release is None or not ctx.years) and release_id is None and pinned is None:
        # In the catalogue, without values yet: say so and what would fill it.
        raise BadRequestWithChoices(
            404,
            _(
                "Für die Kennzahl „%(i)s“ gibt es noch keine Daten: sie wird gefüllt, sobald das Datenbüro ihre Werte importiert.",
                i=ind.name_de,
            ),
            [
                (
                    url_for("pages.kennzahlen") + f"#k-{ind.id}",
                    _("Alle Kennzahlen und ihr Datenstand"),
                )
            ]
            + _indicator_choices(topics, embed),
        )
    if release is None or not ctx.years:
        raise BadRequestWithChoices(
            404,
            _(
                "Für die Kennzahl „%(i)s“ gibt es in diesem Datenstand keine veröffentlichten Werte.",
                i=ind.name_de,
            ),
            _indicator_choices(topics, embed),
        )
    years = list(ctx.years)
    year_links = [(map_link(embed, indikator=ind.id, jahr=y), str(y)) for y in years]
    change_years = _change_years(ind, years, embed)
    year = None if change_years else args.year("jahr", year_links, years[-1])
    if year is None:
        year = ctx.default_year
    elif year not in years:
        raise no_data_in_year(ind, year, years, year_links)
    classes = parse_classes(
        ind,
        lambda **kw: map_link(embed, indikator=ind.id, jahr=year, **kw),
        (*classify.SCHEMES, "vergleich"),
    )
    method, scheme, can_diverge = classes.method, classes.scheme, classes.can_diverge
    raw_fixed = request.args.get("feste") or "0"
    if raw_fixed not in ("0", "1"):
        raise BadRequestWithChoices(
            400,
            _(
                "„feste=%(f)s“ gibt es nicht: 1 (feste Klassen über alle Jahre) oder 0.",
                f=raw_fixed[:40],
            ),
            [
                (map_link(embed, indikator=ind.id, jahr=year, feste=f), label)
                for f, label in (
                    ("1", _("feste Klassen über alle Jahre")),
                    ("0", _("Klassen je Jahr")),
                )
            ],
        )
    if change_years:
        year = change_years[1]
    group = parse_group(
        lambda a: map_link(embed, indikator=ind.id, jahr=year, release=release_id, gruppe=a)
    )
    # What a citation pins (the releases shown for this indicator) and, on a pinned map,
    # whether the current data differ from the cited ones.
    live_ids = _shown_ids(home_values_of(ind.id), ind.id) if release_id is None else (release_id,)
    shown_ids = _shown_ids(pinned_home(ind.id, pinned), ind.id) if pinned else live_ids
    against = DATA_CACHE.get_or_build(
        ("comparator", data_version_now(), bench, home_ags()),
        lambda: comparator(conn, bench, home_ags()),
    )
    if not against.is_default and release_id is None:
        # Against the Land or Germany the citation pins the benchmark's releases too, so a
        # cited map reads the benchmark's values (and so its verdict colours) as they were.
        live_ids = _with_benchmark(live_ids, against.ags, ind.id, None)
        shown_ids = _with_benchmark(shown_ids, against.ags, ind.id, pinned) if pinned else live_ids
    return dict(
        pinned=pinned,
        cite_ids=shown_ids if release_id is None else (),
        newer=pinned is not None and shown_ids != live_ids,
        topics=ctx.topics,
        indicator=ind,
        release=release,
        years=years,
        default_year=ctx.default_year,
        year=year,
        method=method,
        scheme=scheme,
        can_diverge=can_diverge,
        release_param=release_id,
        fixed=raw_fixed == "1",
        change=change_years,
        change_start=change_start(years, breaks_of(ind.id)),
        change_breaks=[break_text(b) for b in breaks_within(years, breaks_of(ind.id))],
        group=group,
        benchmark=against,
    )


def _with_benchmark(
    ids: tuple[int, ...], bench_ags: str, indicator_id: str, pinned: tuple[int, ...] | None
) -> tuple[int, ...]:
    """The releases shown for the Kommunen and the benchmark area's (per data version)."""
    key = ("benchmark-releases", data_version_now(), bench_ags, indicator_id[:80], pinned)
    found = DATA_CACHE.get_or_build(
        key, lambda: benchmark_release_ids(get_conn(), bench_ags, indicator_id, pinned)
    )
    return tuple(sorted({*ids, *found}))


def _change_years(ind: Indicator, years: list[int], embed: bool) -> tuple[int, int] | None:
    """von/bis of a change map, checked against the indicator's years (None: no change map)."""
    raw_from, raw_to = request.args.get("von"), request.args.get("bis")
    if raw_from is None and raw_to is None:
        return None
    own_breaks = breaks_of(ind.id)
    pairs = change_pairs(years, own_breaks)
    choices = [
        (map_link(embed, indikator=ind.id, von=a, bis=b), _("Veränderung %(a)s–%(b)s", a=a, b=b))
        for a, b in pairs
    ] + [(map_link(embed, indikator=ind.id), _("Karte des neuesten Jahres"))]
    if len(years) < 2:
        raise BadRequestWithChoices(
            404,
            _(
                "Für „%(i)s“ gibt es nur Werte für %(y)s: eine Veränderung lässt sich nicht zeigen.",
                i=ind.name_de,
                y=years[0],
            ),
            choices,
        )
    for name, raw in (("von", raw_from), ("bis", raw_to)):
        if not raw or not args.YEAR.fullmatch(raw):
            raise BadRequestWithChoices(
                400,
                _(
                    "„%(n)s=%(v)s“ ist keine gültige Jahreszahl. Verfügbar: %(a)s–%(b)s.",
                    n=name,
                    v=(raw or "")[:40],
                    a=years[0],
                    b=years[-1],
                ),
                choices,
            )
    y0, y1 = int(raw_from), int(raw_to)
    if y0 >= y1:
        raise BadRequestWithChoices(
            400,
            _(
                "„von“ (%(v)s) muss vor „bis“ (%(b)s) liegen. Verfügbar: %(a)s–%(z)s.",
                v=y0,
                b=y1,
                a=years[0],
                z=years[-1],
            ),
            choices,
        )
    for y in (y0, y1):
        if y not in years:
            raise no_data_in_year(ind, y, years, choices)
    crossed = break_between(y0, y1, own_breaks)
    if crossed:
        raise BadRequestWithChoices(
            400,
            _(
                "%(brk)s. Die Werte vor und nach dem Bruch sind nicht vergleichbar: eine Veränderung %(a)s–%(b)s wird nicht berechnet.",
                brk=break_text(crossed),
                a=y0,
                b=y1,
            ),
            choices,
        )
    return y0, y1


def change_pairs(years: list[int], own_breaks: Breaks) -> list[tuple[int, int]]:
    """The von/bis offered for a change: whole span and last step of the newest segment with
    two years (without breaks: of all years)."""
    segments = [segment_years(years, own_breaks, y) for y in reversed(years)]
    seg = next((g for g in segments if len(g) > 1), [])
    return sorted({(seg[0], seg[-1]), (seg[-2], seg[-1])} if seg else set())


def change_start(years: list[int], own_breaks: Breaks) -> int | None:
    """The change form's preset "von": the first year of the newest segment with two years."""
    pairs = change_pairs(years, own_breaks)
    return pairs[0][0] if pairs else None


def map_etag(st: dict, embed: bool) -> str:
    """ETag of a map page: everything its markup depends on."""
    ind, release = st["indicator"], st["release"]
    return etag_for(
        "karte",
        MAP_VERSION,
        embed,
        ind.id,
        st["year"],
        st["method"],
        st["scheme"],
        st["fixed"],
        st["change"],
        st["group"].ags if st.get("group") else None,
        release.id,
        release.label,
        release.published_at,
        str(get_locale()),
        current_app.config.get("TILE_URL") or "",
        [e for e, _x in nav_items()],
        "kommune.profile" in current_app.view_functions,
        # Breaks are data that no release date covers (only where there are any: the ETags
        # of maps without one stay as they were).
        *([breaks_of(ind.id)] if breaks_of(ind.id) else []),
        # Kontextnotizen likewise (a notes-only release changes no value's release).
        *notes_etag_part(ind.id),
        # A cited (pinned) map: its releases and whether newer data exist (its notice).
        *([st["pinned"], st["newer"]] if st.get("pinned") else []),
        # Another benchmark than the Region (the default's ETags stay as they were).
        # Its releases too: a new release of the Land's values alone changes the verdicts.
        *([] if st["benchmark"].is_default else [st["benchmark"].choice, st["cite_ids"]]),
    )
