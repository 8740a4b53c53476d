"""State of a territory map (/karte?gebiet=…&ebene=…: any Kreis, Land or all of Germany): place,
level, indicator, year and classes from the query string, every fault a 4xx with choices."""

from __future__ import annotations

import re

from flask import request, url_for

from app.pages.data.cite import parse_pin
from app.pages.data.gebiet_areas import (
    prefetch_with_version,
    territories_cached,
    territory_cached,
)
from app.pages.data.map_choices import no_data_in_year, parse_classes
from app.web import args
from app.web.cache import Region
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.i18n import gettext as _
from geodata.model import Area
from indicators import classify, gebiet_benchmark
from indicators.errors import InvalidChoice
from indicators.gebiet_queries import (
    EBENEN_IN,
    indicators_at,
    kept_scope_years,
    scope_default_year,
    scope_release_ids,
    scope_years,
)
from indicators.model import ShownRelease
from indicators.pinning import MAX_IDS, format_ids
from indicators.queries import ReleaseRef, get_indicator, release_for, topics_with_indicators
from indicators.releases import visible_release

DEFAULT_INDICATOR = "bev_anteil_65plus"  # real at every level, so a Germany map opens with data
_AGS = re.compile(r"DG|\d{2}|\d{5}")
EBENE_LABELS = {"land": "Länder", "kreis": "Kreise", "gemeinde": "Gemeinden"}
SCHEMES = classify.SCHEMES  # no comparison with the Region: a territory is not in it
# The layered values of a territory: the releases whose values are shown are named after
# reading them (gebiet_map.render); a summary over every area and year would scan them all.
LAYERED = ShownRelease(
    id=None,
    label="",
    status="published",
    published_at=None,
    note="",
    synthetic=False,
    real=True,
    releases=(),
    ids=(),
)


def wants_gebiet() -> bool:
    """True when /karte is asked for a territory map (gebiet= or ebene= in the query)."""
    return "gebiet" in request.args or "ebene" in request.args


def gebiet_link(endpoint: str = "maps.karte", **params) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return url_for(endpoint, **clean)


def ebene_label(e: str) -> str:
    return {"land": _("Länder"), "kreis": _("Kreise"), "gemeinde": _("Gemeinden")}[e]


def benchmark_label(choice: str) -> str:
    """The select's text of a territory map's benchmark choice."""
    return {
        "kreis": _("Vergleich mit dem eigenen Kreis"),
        "land": _("Vergleich mit dem Land"),
        "bund": _("Vergleich mit Deutschland"),
    }[choice]


def requested_benchmark(ebene: str) -> str | None:
    """`vergleich_mit` of a territory map (kreis, land, bund above the map's level; none:
    colours by value); anything else is a 400 linking the allowed choices and the plain map."""
    raw = request.args.get(gebiet_benchmark.PARAM)
    try:
        return gebiet_benchmark.parse_choice(raw, ebene)
    except InvalidChoice as err:
        keep = {k: v for k, v in request.args.items() if k != gebiet_benchmark.PARAM}
        raise BadRequestWithChoices(
            400,
            err.message,
            [
                (gebiet_link(**keep, vergleich_mit=c), benchmark_label(c))
                for c in gebiet_benchmark.CHOICES_AT[ebene]
            ]
            + [(gebiet_link(**keep), _("Karte ohne Vergleich (Farben nach Wert)"))],
        ) from None


def _territory_choices(ebene: str | None = None) -> list[tuple[str, str]]:
    out = []
    for t in territories_cached():
        for e in EBENEN_IN[t.level]:
            if ebene in (None, e):
                out.append((gebiet_link(gebiet=t.ags, ebene=e), f"{t.name}: {ebene_label(e)}"))
    return out


def requested_place() -> tuple[Area, str]:
    """The territory and level from gebiet/ebene; unknown ones are a 4xx with the choices."""
    raw = request.args.get("gebiet") or "DG"
    territory = territory_cached(raw) if _AGS.fullmatch(raw) else None
    if territory is None:
        raise BadRequestWithChoices(
            404,
            _(
                "Das Gebiet „%(g)s“ gibt es nicht (Deutschland: DG, ein Land: zweistellig, ein Kreis: fünfstellig).",
                g=raw[:40],
            ),
            _territory_choices(),
        )
    allowed = EBENEN_IN[territory.level]
    ebene = request.args.get("ebene") or allowed[-1 if territory.level != "bund" else 1]
    if ebene not in allowed:
        raise BadRequestWithChoices(
            400,
            _(
                "Die Ebene „%(e)s“ gibt es für %(g)s nicht. Möglich: %(a)s.",
                e=ebene[:40],
                g=territory.name,
                a=", ".join(allowed),
            ),
            [
                (gebiet_link(gebiet=territory.ags, ebene=e), f"{territory.name}: {ebene_label(e)}")
                for e in allowed
            ],
        )
    return territory, ebene


def _release_param() -> int | None:
    return args.integer(
        "release",
        [
            (
                gebiet_link(gebiet=request.args.get("gebiet"), ebene=request.args.get("ebene")),
                _("Karte mit dem neuesten Datenstand"),
            )
        ],
        lo=1,
    )


# Years of an indicator at a level of a territory, per data version: a scan of the
# indicator's values (~0.1 s for Germany's Gemeinden) that every repaint would repeat.
_YEARS = Region("gebiet")


def _kept(territory: Area, ebene: str) -> dict[str, tuple[list[int], int | None]]:
    """Per indicator the kept years and default year of the layered values (one statement for
    every indicator of the territory's level, per data version)."""
    return _YEARS.get_or_build(
        ("kept", territory.ags, ebene), lambda: kept_scope_years(get_conn(), territory, ebene)
    )


def indicators_here(territory: Area, ebene: str, release_id: int | None) -> set[str]:
    """gebiet_queries.indicators_at per data version: the layered values' from the kept rows
    read for the years (_kept), a named release's by itself."""
    if release_id is None:
        return set(_kept(territory, ebene))
    return _YEARS.get_or_build(
        ("have", territory.ags, ebene, release_id),
        lambda: indicators_at(get_conn(), territory, ebene, release_id),
    )


def _years(indicator_id: str, territory: Area, ebene: str, release_id: ReleaseRef) -> list[int]:
    if release_id is None:
        return _kept(territory, ebene).get(indicator_id, ([], None))[0]
    return _YEARS.get_or_build(
        ("years", indicator_id, territory.ags, ebene, release_id),
        lambda: scope_years(get_conn(), indicator_id, territory, ebene, release_id),
    )


def _default_year(
    indicator_id: str, territory: Area, ebene: str, release_id: ReleaseRef
) -> int | None:
    if release_id is None:
        return _kept(territory, ebene).get(indicator_id, ([], None))[1]
    return _YEARS.get_or_build(
        ("default", indicator_id, territory.ags, ebene, release_id),
        lambda: scope_default_year(get_conn(), indicator_id, territory, ebene, release_id),
    )


def _pin_ids(
    indicator_id: str, territory: Area, ebene: str, pinned: tuple[int, ...] | None
) -> tuple[int, ...]:
    """The releases a territory map shows (any year; live or within a pin), per data version."""
    return _YEARS.get_or_build(
        ("pin", indicator_id, territory.ags, ebene, pinned),
        lambda: scope_release_ids(get_conn(), indicator_id, territory, ebene, pinned),
    )


def state() -> dict:
    """Validate the query string; every fault is a 4xx naming it, with valid choices."""
    from app.editors.auth import is_editor

    conn = get_conn()
    # The areas version (the territory's facts are kept under it), the catalogue (read below)
    # and the sources (the page's and the downloads' provenance) are the same for every
    # visitor of a data version: after a publish one round trip for the three (issue #32).
    prefetch_with_version(("topics", "sources"))
    territory, ebene = requested_place()
    g = {"gebiet": territory.ags, "ebene": ebene}
    release_id = _release_param()
    pinned = parse_pin(release_id, gebiet_link(**g))
    requested = request.args.get("indikator") or DEFAULT_INDICATOR
    ind = get_indicator(conn, requested)
    # Layered values (no release named): which releases contribute is read from the values
    # shown (colour_map); release_for's summary over every area and year of the indicator
    # would cost a scan of all its values per request (~0.3–0.6 s for Germany's Gemeinden).
    release = (
        None
        if ind is None
        else LAYERED  # the label is set from the values shown (gebiet_map.render)
        if release_id is None
        else release_for(conn, ind.id, release_id)
    )

    def choices() -> list[tuple[str, str]]:
        have = indicators_here(territory, ebene, release_id)
        return [
            (gebiet_link(**g, indikator=i.id), f"{i.name_de} ({t.name_de})")
            for t in topics_with_indicators(conn)
            for i in t.indicators
            if i.id in have
        ]

    if ind is None:
        raise BadRequestWithChoices(
            404, _("Die Kennzahl „%(i)s“ gibt es nicht.", i=requested[:60]), choices()
        )
    if release_id is not None and (
        release is None
        or release.id is None
        or visible_release(conn, release.id, is_editor()) is None
    ):
        raise BadRequestWithChoices(
            404,
            _("Einen veröffentlichten Datenstand Nr. %(r)s gibt es nicht.", r=release_id),
            [(gebiet_link(**g, indikator=ind.id), _("Karte mit dem neuesten Datenstand"))],
        )
    # What the map reads: the layered values, a named release, or a cited state's (`stand`).
    ref: ReleaseRef = pinned if pinned is not None else release.id if release else None
    years = _years(ind.id, territory, ebene, ref) if release else []
    if not years:
        other = [
            (
                gebiet_link(gebiet=territory.ags, ebene=e, indikator=ind.id),
                f"{territory.name}: {ebene_label(e)}",
            )
            for e in EBENEN_IN[territory.level]
            if e != ebene and release and _years(ind.id, territory, e, release.id)
        ]
        raise BadRequestWithChoices(
            404,
            _(
                "Für „%(i)s“ gibt es auf der Ebene %(e)s in %(g)s keine Werte.",
                i=ind.name_de,
                e=ebene_label(ebene),
                g=territory.name,
            ),
            other + choices(),
        )
    year_links = [(gebiet_link(**g, indikator=ind.id, jahr=y), str(y)) for y in years]
    year = args.year("jahr", year_links, years[-1])
    if year is None:
        year = _default_year(ind.id, territory, ebene, ref) or years[-1]
    elif year not in years:
        raise no_data_in_year(ind, year, years, year_links)
    base = dict(g, indikator=ind.id, jahr=year)
    vergleich = requested_benchmark(ebene)
    classes = parse_classes(ind, lambda **kw: gebiet_link(**base, **kw), SCHEMES)
    method, scheme, can_diverge = classes.method, classes.scheme, classes.can_diverge
    # What a citation pins (the releases the map shows in any year) and, on a pinned map,
    # whether the current data differ from the cited ones.
    live_ids = _pin_ids(ind.id, territory, ebene, None) if release_id is None else ()
    shown_ids = _pin_ids(ind.id, territory, ebene, pinned) if pinned else live_ids
    if len(shown_ids) > MAX_IDS:  # never pinned in half: cited by its own URL
        live_ids = shown_ids = ()
    return {
        "pinned": pinned,
        "ref": ref,
        "cite_ids": pinned or shown_ids,
        "newer": pinned is not None and shown_ids != live_ids,
        "territory": territory,
        "ebene": ebene,
        "indicator": ind,
        "release": release,
        "years": years,
        "year": year,
        "method": method,
        "scheme": scheme,
        "can_diverge": can_diverge,
        "release_param": release_id,
        "vergleich": vergleich,
        "vergleich_choices": gebiet_benchmark.CHOICES_AT[ebene],
        "params": {
            **base,
            "klassen": request.args.get("klassen"),
            "farben": request.args.get("farben"),
            "release": release_id,
            "stand": format_ids(pinned) if pinned else None,
            gebiet_benchmark.PARAM: vergleich,
        },
    }
