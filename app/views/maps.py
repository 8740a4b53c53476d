"""Choropleth map page /karte and its embeddable twin /embed/karte (state fully in the URL)."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import args
from app.auth import is_editor
from app.berichte import svgmap
from app.cache import Region
from app.db import get_conn
from app.errors import BadRequestWithChoices
from app.formatting import FLAG_TEXT, fmt_cell, fmt_signed, fmt_value, unit_label
from app.groups import Group, kommunen_with_groups, parse_group
from app.http_cache import (
    cached,
    conditional,
    data_version_now,
    etag_for,
    page_cache,
)
from app.maps import MapParts, fill_map, map_shapes, map_skeleton, short_name
from app.nav import nav_items
from app.security import with_inline_scripts
from app.sentences import benchmark_sentence_for as benchmark_sentence
from app.sentences import verdict_label
from app.urls import url_for
from app.views import gebiet
from indicators import classify
from indicators.intervals import intervals_of_rows
from indicators.map_model import ChangeModel, MapModel, change_model, map_model
from indicators.map_queries import (
    map_area_values,
    map_area_values_by_year,
    map_context,
    map_geometry,
    picker_topics,
)
from indicators.queries import indicator_sources
from indicators.ranking import group_ranks
from indicators.releases import visible_release

bp = Blueprint("maps", __name__)

DEFAULT_INDICATOR = "sgb2_quote"  # the headline indicator of social reporting
MAP_VERSION = "4"  # bump when the map's markup changes, so cached copies are revalidated
BOUNDARY_ATTRIBUTION = "© GeoBasis-DE / BKG 2021"
CLASSIFICATION_LABELS = {
    "quantile": _l("Quantile (gleich viele Kommunen je Klasse)"),
    "jenks": _l("Natürliche Brüche (Fisher-Jenks)"),
    "gleich": _l("Gleiche Intervalle"),
}
SCHEME_LABELS = {
    "sequenziell": _l("Sequenziell (hell → dunkel)"),
    "divergierend": _l("Divergierend um den Wert der Region"),
    "vergleich": _l("Vergleich mit der Region (signifikant besser / ähnlich / schlechter)"),
}
# Rendered folium maps per (indicator, year, classification, colours, release, language, …).
_MAPS = Region("maps")
# Query results per data version (a publish gives a new version; nothing stale is served).
_DATA = Region("data")


def _link(embed: bool, **params) -> str:
    """URL of the map (or embed) view with the given state."""
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return url_for("maps.embed" if embed else "maps.karte", **clean)


def _indicator_choices(topics: list[dict], embed: bool) -> list[tuple[str, str]]:
    return [
        (_link(embed, indikator=i["id"]), f"{i['name_de']} ({t['name_de']})")
        for t in topics
        for i in t["indicators"]
    ]


def _parse_release() -> int | None:
    return args.integer(
        "release", [(url_for("maps.karte"), _("Karte mit dem neuesten Datenstand"))], lo=1
    )


def _context(conn, indicator_id: str, release_id: int | None, topics: list[dict]) -> dict:
    """map_context per data version (drafts' visibility is checked by the caller)."""
    key = ("context", data_version_now(), indicator_id[:80], release_id)
    return _DATA.get_or_build(key, lambda: map_context(conn, indicator_id, release_id, topics))


def state_from_request(embed: bool) -> dict:
    """Validate the query string against the data; every fault is a German 4xx with choices."""
    conn = get_conn()
    release_id = _parse_release()
    requested = request.args.get("indikator") or None
    # The picker's topics depend on the data only: read once per data version (the year
    # ranges scan every value), not per request.
    topics = _DATA.get_or_build(("topics", data_version_now()), lambda: picker_topics(conn))
    ctx = _context(conn, requested or DEFAULT_INDICATOR, release_id, topics)
    if requested is None and release_id is None and ctx["release"] is None and topics:
        # No explicit choice and the default has no data: take the first mappable indicator.
        ctx = _context(conn, topics[0]["indicators"][0]["id"], release_id, topics)
    ind, release = ctx["indicator"], ctx["release"]
    if ind is None:
        raise BadRequestWithChoices(
            404,
            _("Die Kennzahl „%(i)s“ gibt es nicht.", i=(requested or "")[:60]),
            _indicator_choices(topics, embed),
        )
    # Published and withdrawn releases are readable when named; drafts only for editors.
    if release_id is not None and (
        release is None or visible_release(conn, release["id"], is_editor()) is None
    ):
        raise BadRequestWithChoices(
            404,
            _("Einen veröffentlichten Datenstand Nr. %(r)s gibt es nicht.", r=release_id),
            [(_link(embed, indikator=ind["id"]), _("Karte mit dem neuesten Datenstand"))],
        )
    if release is None or not ctx["years"]:
        raise BadRequestWithChoices(
            404,
            _(
                "Für die Kennzahl „%(i)s“ gibt es in diesem Datenstand keine veröffentlichten Werte.",
                i=ind["name_de"],
            ),
            _indicator_choices(topics, embed),
        )
    years = ctx["years"]
    year_links = [(_link(embed, indikator=ind["id"], jahr=y), str(y)) for y in years]
    change_years = _change_years(ind, years, embed)
    year = None if change_years else args.year("jahr", year_links, years[-1])
    if year is None:
        year = ctx["default_year"]
    elif year not in years:
        raise BadRequestWithChoices(
            404,
            _(
                "Für „%(i)s“ gibt es im Jahr %(y)s keine Daten. Verfügbar: %(a)s–%(b)s.",
                i=ind["name_de"],
                y=year,
                a=years[0],
                b=years[-1],
            ),
            year_links,
        )
    method = request.args.get("klassen") or classify.default_classification(ind["unit"])
    if method not in classify.CLASSIFICATIONS:
        raise BadRequestWithChoices(
            400,
            _("Die Klassenbildung „%(k)s“ gibt es nicht.", k=method[:40]),
            [
                (_link(embed, indikator=ind["id"], jahr=year, klassen=k), str(label))
                for k, label in CLASSIFICATION_LABELS.items()
            ],
        )
    scheme = request.args.get("farben") or "sequenziell"
    can_diverge = ind["unit"] not in classify.COUNT_UNITS
    if scheme not in (*classify.SCHEMES, "vergleich") or (
        scheme == "divergierend" and not can_diverge
    ):
        raise BadRequestWithChoices(
            400,
            _("Das Farbschema „%(f)s“ ist für diese Kennzahl nicht verfügbar.", f=scheme[:40]),
            [
                (_link(embed, indikator=ind["id"], jahr=year, klassen=method, farben=s), str(label))
                for s, label in SCHEME_LABELS.items()
                if s == "sequenziell" or can_diverge
            ],
        )
    raw_fixed = request.args.get("feste") or "0"
    if raw_fixed not in ("0", "1"):
        raise BadRequestWithChoices(
            400,
            _(
                "„feste=%(f)s“ gibt es nicht: 1 (feste Klassen über alle Jahre) oder 0.",
                f=raw_fixed[:40],
            ),
            [
                (_link(embed, indikator=ind["id"], jahr=year, feste=f), label)
                for f, label in (
                    ("1", _("feste Klassen über alle Jahre")),
                    ("0", _("Klassen je Jahr")),
                )
            ],
        )
    if change_years:
        year = change_years[1]
    group = parse_group(
        lambda a: _link(embed, indikator=ind["id"], jahr=year, release=release_id, gruppe=a)
    )
    return dict(
        ctx,
        year=year,
        method=method,
        scheme=scheme,
        can_diverge=can_diverge,
        release_param=release_id,
        fixed=raw_fixed == "1",
        change=change_years,
        group=group,
    )


def _change_years(ind: dict, years: list[int], embed: bool) -> tuple[int, int] | None:
    """von/bis of a change map, checked against the indicator's years (None: no change map)."""
    raw_from, raw_to = request.args.get("von"), request.args.get("bis")
    if raw_from is None and raw_to is None:
        return None
    pairs = sorted({(years[0], years[-1]), (years[-2], years[-1])} if len(years) > 1 else set())
    choices = [
        (_link(embed, indikator=ind["id"], von=a, bis=b), _("Veränderung %(a)s–%(b)s", a=a, b=b))
        for a, b in pairs
    ] + [(_link(embed, indikator=ind["id"]), _("Karte des neuesten Jahres"))]
    if len(years) < 2:
        raise BadRequestWithChoices(
            404,
            _(
                "Für „%(i)s“ gibt es nur Werte für %(y)s: eine Veränderung lässt sich nicht zeigen.",
                i=ind["name_de"],
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
            raise BadRequestWithChoices(
                404,
                _(
                    "Für „%(i)s“ gibt es im Jahr %(y)s keine Daten. Verfügbar: %(a)s–%(b)s.",
                    i=ind["name_de"],
                    y=y,
                    a=years[0],
                    b=years[-1],
                ),
                choices,
            )
    return y0, y1


def _profile_href(ags: str) -> str | None:
    """Link to a Kommune's profile when that page exists in this app."""
    if "kommune.profile" in current_app.view_functions:
        return url_for("kommune.profile", ags=ags)
    return None


def _assets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Leaflet and the page script, served by the app (folium's defaults point to CDNs)."""
    js = [
        ("leaflet", url_for("static", filename="vendor/leaflet/leaflet.js")),
        ("sozmon_karte", url_for("static", filename="js/karte.js")),
    ]
    css = [
        ("leaflet_css", url_for("static", filename="vendor/leaflet/leaflet.css")),
        ("sozmon_karte_css", url_for("static", filename="css/karte.css")),
    ]
    return js, css


def _cached_map(key: tuple, build) -> MapParts:
    """The rendered map for a key from the in-process cache, else built and kept (LRU)."""
    return _MAPS.get_or_build(key, build)


def _etag(st: dict, embed: bool) -> str:
    """ETag of a map page: everything its markup depends on."""
    ind, release = st["indicator"], st["release"]
    return etag_for(
        "karte",
        MAP_VERSION,
        embed,
        ind["id"],
        st["year"],
        st["method"],
        st["scheme"],
        st["fixed"],
        st["change"],
        st["group"].ags if st.get("group") else None,
        release["id"],
        release["label"],
        release["published_at"],
        str(get_locale()),
        current_app.config.get("TILE_URL") or "",
        [e for e, _x in nav_items()],
        "kommune.profile" in current_app.view_functions,
    )


def _geometry() -> dict:
    """Boundaries (split for the map layer), label points and bounds, per data version."""

    def build() -> dict:
        geo = map_geometry(get_conn())
        return {**geo, "shapes": map_shapes(geo["geojson"])}

    return _DATA.get_or_build(("geometry", data_version_now()), build)


def year_values(ind: dict, year: int, release: dict) -> dict:
    """The Kommunen's and the Region's value rows of one year, per data version."""
    # All years of the indicator at once: the next year's map (slider, small multiples, change
    # map, visitors moving through the years) then needs no query.
    by_year = _DATA.get_or_build(
        ("values-by-year", data_version_now(), ind["id"], release["id"], release["label"]),
        lambda: map_area_values_by_year(get_conn(), ind["id"], release["id"]),
    )
    return by_year.get(year) or map_area_values(get_conn(), ind["id"], year, release["id"])


def _values(st: dict) -> dict:
    """The Kommunen's and the Region's value rows of the map's year, per data version."""
    return year_values(st["indicator"], st["year"], st["release"])


def sources(indicator_id: str) -> dict:
    """Release label → provenance (tables, source) of an indicator, per data version."""
    # Every indicator's at once (a few hundred rows): a new indicator's map needs no query.
    every = _DATA.get_or_build(
        ("sources", data_version_now()), lambda: indicator_sources(get_conn())
    )
    return every.get(indicator_id, {})


def _model(st: dict) -> MapModel:
    """The map's domain model per data version and state (indicators.map_model)."""
    ind, release, year = st["indicator"], st["release"], st["year"]
    version = data_version_now()
    fixed = bool(st.get("fixed"))

    def build() -> MapModel:
        data = _values(st)
        return map_model(
            get_conn(),
            ind,
            year,
            release["id"],
            st["method"],
            st["scheme"],
            fixed_classes=fixed,
            data=data,
        )

    key = (
        "model",
        version,
        ind["id"],
        year,
        release["id"],
        release["label"],
        st["method"],
        st["scheme"],
        fixed,
    )
    return _DATA.get_or_build(key, build)


def _row_label(r, decimals: int, unit: str, no_data: str) -> str:
    """A Kommune's shown value as text: the number, "geheim", a GENESIS reason or keine Daten."""
    if r.suppressed:  # small-number protection: "geheim"
        return fmt_cell(None, True)
    if r.value is not None:
        return fmt_value(r.value, decimals, unit)
    return fmt_cell(None, False, r.flag) if r.flag in FLAG_TEXT else no_data


def _mark_group(rows: list[dict], group: Group | None, value_key: str, polarity: str) -> None:
    """Each row's `group` (member or not; None without a group) and `group_rank` within it."""
    members = group.members if group else frozenset()
    ranks = group_ranks({r["ags"]: r[value_key] for r in rows}, members, polarity)
    for r in rows:
        r["group"] = (r["ags"] in members) if group else None
        r["group_rank"] = ranks.get(r["ags"])


def _shared_context(
    st: dict, state: dict, model, provenance: list, areas: dict, embed: bool
) -> dict:
    """Template variables every map (one year or a change) has: links, labels, provenance."""
    # The embed code on an English page embeds the English map.
    embed_state = dict(state, lang="en") if str(get_locale()) == "en" else state
    return dict(
        ind=st["indicator"],
        release=st["release"],
        years=st["years"],
        topics=st["topics"],
        classification_labels=CLASSIFICATION_LABELS,
        scheme_labels=SCHEME_LABELS,
        state=state,
        link=lambda **kw: _link(False, **dict(state, **kw)),
        embed_url=_link(True, **embed_state),
        full_url=_link(False, **embed_state),
        synthetic=model.synthetic,
        mixed=model.mixed,
        provenance=provenance,
        boundary_attribution=BOUNDARY_ATTRIBUTION,
        areas=areas,
        embed=embed,
        parts_url=url_for("maps.parts"),
        group=st.get("group"),
        group_choices=_DATA.get_or_build(
            ("group-choices", data_version_now(), str(get_locale())),
            lambda: [(k["ags"], k["name"]) for k in kommunen_with_groups()],
        ),
    )


def _map_areas(
    rows: list[dict],
    geo: dict,
    tooltip: Callable[[dict], str],
    spoken: Callable[[dict], str],
    missing: Callable[[dict], bool],
) -> dict[str, dict]:
    """Per Kommune what the folium layer needs: colour, tooltip, link, accessible name, label
    point (the one-year map and the change map differ only in the texts and what is missing)."""
    labels = {lab["ags"]: lab for lab in geo["labels"]}
    # Outside the f-string, so that pybabel finds it (the English map said "Profil öffnen").
    open_profile = _("Profil öffnen")
    in_group = _("Vergleichsgruppe")
    return {
        r["ags"]: {
            "color": r["color"],
            "label": tooltip(r),
            "href": r["href"],
            "no_data": missing(r),
            "group": r["group"],
            "aria": f"{r['name']}: {spoken(r)}"
            + (f" ({in_group})" if r["group"] else "")
            + (f" – {open_profile}" if r["href"] else ""),
            "label_lat": labels[r["ags"]]["lat"],
            "label_lon": labels[r["ags"]]["lon"],
        }
        for r in rows
        if r["ags"] in labels
    }


def _map_builder(
    geo: dict, areas: dict[str, dict], embed: bool, tile_url: str
) -> Callable[[], MapParts]:
    """The map of a state: the page kind's folium skeleton (per data version) with its data."""

    def skeleton() -> MapParts:
        js, css = _assets()
        points = [dict(p, short=short_name(p["name"])) for p in geo["labels"]]
        return map_skeleton(
            points,
            geo["bounds"],
            js,
            css,
            f"{BOUNDARY_ATTRIBUTION}, dl-de/by-2-0",
            tile_url,
            current_app.config.get("TILE_ATTRIBUTION") or "",
            new_window=embed,
        )

    def build() -> MapParts:
        key = ("skeleton", data_version_now(), embed, tile_url)
        return fill_map(_DATA.get_or_build(key, skeleton), geo["shapes"], areas)

    return build


def page_context(st: dict, embed: bool) -> dict:
    """Template variables of the map (page, embed or the start page's map) for a _state()."""
    ind, release, year = st["indicator"], st["release"], st["year"]
    locale = str(get_locale())
    tile_url = current_app.config.get("TILE_URL") or ""
    model = _model(st)
    geo = _geometry()
    provenance = [
        src | {"release": lab}
        for lab, src in sources(ind["id"]).items()
        if lab in model.release_labels
    ]
    decimals, unit = ind["decimals"], ind["unit"]
    scheme = model.scheme
    no_data = _("keine Daten")
    # 95 % intervals (Wilson for shares, Byar for rates) where numerator and denominator exist,
    # from the value rows the map already read (they carry numerator and denominator).
    vals = _values(st)
    intervals = intervals_of_rows(
        vals["values"] + ([vals["region"]] if vals["region"] else []), ind["unit"]
    )
    rows = []
    for r in model.rows:
        row = dict(
            vars(r).copy(), label=_row_label(r, decimals, unit, no_data), href=_profile_href(r.ags)
        )
        ci = intervals.get(r.ags)
        row["interval"] = (
            f"{fmt_value(ci.lower, decimals, '')} – {fmt_value(ci.upper, decimals, unit)}"
            if ci is not None and r.value is not None
            else None
        )
        if r.verdict is not None:  # the verdict's sentence is the text alternative
            row["label"] = f"{row['label']} – {verdict_label({'verdict': r.verdict})}"
            row["sentence"] = benchmark_sentence(
                r.name, ind, r.value, model.region_value, dict(r.benchmark or {})
            )
        rows.append(row)
    _mark_group(rows, st.get("group"), "value", ind["polarity"])
    by_ags = {r["ags"]: r for r in rows}
    table_rows = [by_ags[r.ags] for r in model.ranked_rows()]
    if scheme == "vergleich":  # colours by verdict against the Region
        legend = [
            {"color": v.color, "label": verdict_label({"verdict": v.verdict}), "count": v.count}
            for v in model.verdicts
        ]
    else:
        legend = [
            {
                "color": c.color,
                "count": c.count,
                "label": f"{fmt_value(c.lower, decimals, '')} – {fmt_value(c.upper, decimals, unit)}",
            }
            for c in model.classes
        ]
        if model.no_data_count:  # an empty "keine Daten (0 Kommunen)" row says nothing
            legend.append(
                {"color": classify.NO_DATA_COLOR, "label": no_data, "count": model.no_data_count}
            )
    ci_word = _("95-%(p)s-Intervall", p="%")
    areas = _map_areas(
        rows,
        geo,
        lambda r: r["label"] + (f" ({ci_word} {r['interval']})" if r["interval"] else ""),
        lambda r: r["label"],
        lambda r: r["value"] is None,
    )
    build = _map_builder(geo, areas, embed, tile_url)

    key = (
        embed,
        ind["id"],
        year,
        st["method"],
        scheme,
        bool(st.get("fixed")),
        st["group"].ags if st.get("group") else None,
        release["id"],
        release["label"],
        release["published_at"],
        locale,
        tile_url,
        "kommune.profile" in current_app.view_functions,
    )
    parts = _cached_map(key, build)
    state = {
        "indikator": ind["id"],
        "jahr": year,
        "klassen": request.args.get("klassen"),
        "farben": request.args.get("farben"),
        "feste": "1" if st.get("fixed") else None,
        "release": st["release_param"],
        "gruppe": st["group"].ags if st.get("group") else None,
    }
    region_value = model.region_value
    return dict(
        _shared_context(st, state, model, provenance, areas, embed),
        map=parts,
        year=year,
        table_rows=table_rows,
        has_intervals=any(r["interval"] for r in rows),
        legend=legend,
        region_label=fmt_value(region_value, decimals, unit)
        if region_value is not None
        else no_data,
        model=model,
        method=st["method"],
        scheme=scheme,
        can_diverge=st["can_diverge"],
        fixed=model.fixed_classes,
        change=None,
        year_from=None,
        year_to=None,
    )


def _change_model(st: dict) -> ChangeModel:
    """The change map's domain model per data version and state (indicators.map_model)."""
    ind, release = st["indicator"], st["release"]
    (y0, y1), version = st["change"], data_version_now()
    method = request.args.get("klassen") or "quantile"  # changes are no counts: quantiles

    def values(year: int) -> dict:
        return year_values(ind, year, release)

    key = ("change", version, ind["id"], y0, y1, release["id"], release["label"], method)
    return _DATA.get_or_build(
        key,
        lambda: change_model(
            get_conn(), ind, y0, y1, release["id"], method, values(y0), values(y1)
        ),
    )


def _change_label(value: float | None, kind: str, decimals: int, unit: str) -> str:
    """'+1,2 Pp.' (points of the unit) or '+3,4 %' (counts), '–' without both values."""
    if kind == "percent":
        return fmt_signed(value, 1, "%", points=False)
    return fmt_signed(value, decimals, unit)


def change_unit(ind: dict, kind: str) -> str:
    """What a change map's numbers are: per cent of the first year, percentage points or the unit."""
    if kind == "percent":
        # The msgid is the legend template's, where %% is Jinja's escape of a percent sign.
        return _("Veränderung in %%").replace("%%", "%")
    return _("Prozentpunkte") if ind["unit"] == "%" else unit_label(ind["unit"])


def _change_note(y0: int, y1: int, kind: str, method: str) -> str:
    """The legend's line on how a change map's classes are made."""
    what = (
        _("in Prozent des Werts von %(a)s", a=y0)
        if kind == "percent"
        else _("Differenz in der Einheit der Kennzahl")
    )
    between = _("Veränderung %(a)s–%(b)s", a=y0, b=y1)
    centre = _("Farben um 0 (keine Veränderung)")
    return f"{between}: {what}; {CLASSIFICATION_LABELS[method]}; {centre}"


def change_context(st: dict, embed: bool) -> dict:
    """Template variables of a change map (von/bis): the map coloured by each Kommune's change."""
    ind, release = st["indicator"], st["release"]
    y0, y1 = st["change"]
    locale = str(get_locale())
    tile_url = current_app.config.get("TILE_URL") or ""
    model = _change_model(st)
    geo = _geometry()
    provenance = [
        src | {"release": lab}
        for lab, src in sources(ind["id"]).items()
        if lab in model.release_labels
    ]
    decimals, unit, kind = ind["decimals"], ind["unit"], model.kind
    no_data = _("keine Daten")

    def row(r) -> dict:
        return dict(
            vars(r).copy(),
            href=_profile_href(r.ags),
            label_from=fmt_value(r.value_from, decimals, unit),
            label_to=fmt_value(r.value_to, decimals, unit),
            label=_change_label(r.change, kind, decimals, unit)
            if r.change is not None
            else no_data,
        )

    rows = [row(r) for r in model.rows]
    _mark_group(rows, st.get("group"), "change", ind["polarity"])
    by_ags = {r["ags"]: r for r in rows}
    table_rows = [by_ags[r.ags] for r in model.ranked_rows()]
    legend = [
        {
            "color": c.color,
            "count": c.count,
            "label": f"{_change_label(c.lower, kind, decimals, unit)} – {_change_label(c.upper, kind, decimals, unit)}",
        }
        for c in model.classes
    ]
    if model.no_data_count:
        legend.append(
            {"color": classify.NO_DATA_COLOR, "label": no_data, "count": model.no_data_count}
        )
    between = _("Veränderung %(a)s–%(b)s", a=y0, b=y1)
    areas = _map_areas(
        rows,
        geo,
        lambda r: f"{between}: {r['label']}",
        lambda r: f"{between}: {r['label']}",
        lambda r: r["change"] is None,
    )
    build = _map_builder(geo, areas, embed, tile_url)

    key = (
        embed,
        "change",
        ind["id"],
        y0,
        y1,
        request.args.get("klassen"),
        st["group"].ags if st.get("group") else None,
        release["id"],
        release["label"],
        release["published_at"],
        locale,
        tile_url,
        "kommune.profile" in current_app.view_functions,
    )
    parts = _cached_map(key, build)
    state = {
        "indikator": ind["id"],
        "von": y0,
        "bis": y1,
        "klassen": request.args.get("klassen"),
        "release": st["release_param"],
        "gruppe": st["group"].ags if st.get("group") else None,
    }
    region = model.region
    return dict(
        _shared_context(st, state, model, provenance, areas, embed),
        map=parts,
        year=f"{y0}–{y1}",
        change=model,
        year_from=y0,
        year_to=y1,
        table_rows=table_rows,
        legend=legend,
        region_row=row(region) if region else None,
        method=request.args.get("klassen") or "quantile",
        scheme="divergierend",
        fixed=False,
        can_diverge=True,
        region_label=region and _change_label(region.change, kind, decimals, unit) or no_data,
        change_unit=change_unit(ind, kind),
        change_note=_change_note(y0, y1, kind, request.args.get("klassen") or "quantile"),
    )


def _render(embed: bool):
    st = state_from_request(embed)
    etag = _etag(st, embed)
    release = st["release"]
    not_modified = conditional(etag, release["published_at"])
    if not_modified is not None:
        return not_modified
    ctx = change_context(st, embed) if st["change"] else page_context(st, embed)
    html = render_template("embed.html" if embed else "karte.html", **ctx)
    # The map's one inline script is allowed by its hash (no 'unsafe-inline' in the CSP).
    response = with_inline_scripts(make_response(html), ctx["map"].script)
    response = cached(response, etag, release["published_at"])
    if release["status"] == "draft":  # an editor's preview: never held by a shared cache
        response.cache_control.public = False
        response.cache_control.no_store = True
    return response


# What the year slider replaces on the page (data-part="…") and the templates that draw it.
_PAGE_PARTS = {
    "legend": "maps/_legend.html",
    "table": "maps/_table.html",
    "info": "maps/_info.html",
    "export": "maps/_export_links.html",
}
_EMBED_PARTS = {"legend": "maps/_legend.html", "source": "maps/_source.html"}


@bp.get("/karte/teile")
@page_cache
def parts():
    """The parts of a map that follow its year, as JSON: colours and labels per Kommune, the
    legend, table, sources and titles (the year slider fetches them instead of a whole page)."""
    embed = request.args.get("einbettung") == "1"
    st = state_from_request(embed)
    etag = _etag(st, embed) + "-teile"
    release = st["release"]
    not_modified = conditional(etag, release["published_at"])
    if not_modified is not None:
        return not_modified
    ctx = page_context(st, embed)
    body = {
        "jahr": st["year"],
        "title": render_template("maps/_doc_title.html", **ctx),
        "areas": {
            a: {k: v[k] for k in ("color", "label", "aria", "no_data", "group")}
            for a, v in ctx["areas"].items()
        },
        "parts": {
            k: render_template(t, **ctx)
            for k, t in (_EMBED_PARTS if embed else _PAGE_PARTS).items()
        },
        "banner": render_template("maps/_banner.html", **ctx),
        "synthetic": ctx["synthetic"],
        "embed_code": None if embed else render_template("maps/_embed_code.html", **ctx),
        "embed_url": ctx["embed_url"],
    }
    response = cached(jsonify(body), etag, release["published_at"])
    if release["status"] == "draft":
        response.cache_control.public = False
        response.cache_control.no_store = True
    return response


@bp.get("/karte")
@page_cache
def karte():
    """The map page with controls, legend, table and embed code."""
    if gebiet.wants_gebiet():  # a Kreis, Land or Germany split into many areas
        return gebiet.render(embed=False)
    return _render(embed=False)


@bp.get("/embed/karte")
@page_cache
def embed():
    """Just the map, legend, title and source, for an <iframe> on other sites."""
    if gebiet.wants_gebiet():
        return gebiet.render(embed=True)
    return _render(embed=True)


MAX_MULTIPLES = 12  # small maps on one page; more would be too small to read


def multiple_years(st: dict) -> list[int]:
    """The years of the small multiples (jahre=2008,2012,…), checked; default the last 12."""
    years, ind = st["years"], st["indicator"]
    raw = request.args.get("jahre")
    choices = [
        (
            url_for("maps.jahre", indikator=ind["id"]),
            _("Alle Jahre (höchstens %(n)s)", n=MAX_MULTIPLES),
        )
    ]
    if not raw:
        return years[-MAX_MULTIPLES:]
    parts = raw.split(",")
    if len(parts) > MAX_MULTIPLES or not all(args.YEAR.fullmatch(p) for p in parts):
        raise BadRequestWithChoices(
            400,
            _(
                "„jahre=%(j)s“: bis zu %(n)s vierstellige Jahre, durch Komma getrennt. Verfügbar: %(a)s–%(b)s.",
                j=raw[:60],
                n=MAX_MULTIPLES,
                a=years[0],
                b=years[-1],
            ),
            choices,
        )
    chosen = sorted({int(p) for p in parts})
    missing = [y for y in chosen if y not in years]
    if missing:
        raise BadRequestWithChoices(
            404,
            _(
                "Für „%(i)s“ gibt es im Jahr %(y)s keine Daten. Verfügbar: %(a)s–%(b)s.",
                i=ind["name_de"],
                y=missing[0],
                a=years[0],
                b=years[-1],
            ),
            choices,
        )
    return chosen


def multiples_etag(st: dict, shown_years: list[int], *extra) -> str:
    """ETag of the small multiples (page, or with extra parts its image export)."""
    ind, release = st["indicator"], st["release"]
    return etag_for(
        "karte-jahre",
        MAP_VERSION,
        ind["id"],
        shown_years,
        st["method"],
        st["group"].ags if st.get("group") else None,
        release["id"],
        release["label"],
        release["published_at"],
        str(get_locale()),
        *extra,
    )


def multiples_context(st: dict, shown_years: list[int]) -> dict:
    """Template variables of the small multiples: a small SVG map per year in shared classes."""
    ind, release, group = st["indicator"], st["release"], st.get("group")
    members = group.members if group else None  # a comparison group: outlined, others paler
    conn = get_conn()
    data = {y: year_values(ind, y, release) for y in shown_years}
    decimals, unit = ind["decimals"], ind["unit"]
    no_data = _("keine Daten")

    def shown(r: dict | None) -> float | None:
        return None if r is None or r["suppressed"] else r["value"]

    def label(r: dict | None) -> str:
        if r is None or (r["value"] is None and not r["suppressed"]):
            return no_data
        return fmt_cell(None, True) if r["suppressed"] else fmt_value(r["value"], decimals, unit)

    # One classification over every shown year: a colour means the same range in each map.
    basis = [shown(r) for y in shown_years for r in data[y]["values"]]
    maps = []
    for y in shown_years:
        values = {r["ags"]: shown(r) for r in data[y]["values"]}
        tips = {r["ags"]: f"{r['name']}, {y}: {label(r)}" for r in data[y]["values"]}
        svg, _legend = svgmap.choropleth(
            conn,
            values,
            tips,
            st["method"],
            ind["polarity"],
            lambda v, with_unit: fmt_value(v, decimals, unit if with_unit else ""),
            f"jahr-{y}",
            no_data,
            basis=basis,
            group=members,
        )
        maps.append({"year": y, "svg": svg})
    classes = classify.classify(basis, st["method"], "sequenziell", ind["polarity"])
    legend = [
        {"color": c, "label": f"{fmt_value(lo, decimals, '')} – {fmt_value(hi, decimals, unit)}"}
        for (lo, hi), c in zip(classes.bounds, classes.colors, strict=True)
    ]
    if any(v is None for v in basis):
        legend.append({"color": classify.NO_DATA_COLOR, "label": no_data})
    names = [(r["ags"], r["name"]) for r in data[shown_years[0]]["values"]]
    cells = {(r["ags"], y): r for y in shown_years for r in data[y]["values"]}
    table = [
        {
            "ags": a,
            "name": n,
            "href": _profile_href(a),
            "group": a in members if members else None,
            "cells": [
                (label(cells.get((a, y))), (cells.get((a, y)) or {}).get("synthetic"))
                for y in shown_years
            ],
        }
        for a, n in names
    ]
    region = [
        (label(data[y]["region"]), (data[y]["region"] or {}).get("synthetic")) for y in shown_years
    ]
    rows = [
        r
        for y in shown_years
        for r in [*data[y]["values"], data[y]["region"] or {}]
        if r.get("release_label")
    ]
    synthetic = any(r["synthetic"] for r in rows)
    labels_shown = {r["release_label"] for r in rows}
    provenance = [
        src | {"release": lab} for lab, src in sources(ind["id"]).items() if lab in labels_shown
    ]
    params = {  # the page's state: its links and the image export's query string
        "indikator": ind["id"],
        "jahre": request.args.get("jahre"),
        "klassen": request.args.get("klassen"),
        "release": st["release_param"],
        "gruppe": group.ags if group else None,
    }
    return dict(
        ind=ind,
        release=release,
        years=st["years"],
        shown_years=shown_years,
        maps=maps,
        legend=legend,
        table=table,
        region=region,
        method=st["method"],
        classification_labels=CLASSIFICATION_LABELS,
        synthetic=synthetic,
        mixed=synthetic and any(r["synthetic"] is False for r in rows),
        provenance=provenance,
        boundary_attribution=BOUNDARY_ATTRIBUTION,
        release_param=st["release_param"],
        max_multiples=MAX_MULTIPLES,
        params=params,
        group=group,
        link=lambda **kw: url_for("maps.jahre", **dict(params, **kw)),
        embed=False,
    )


@bp.get("/karte/jahre")
@page_cache
def jahre():
    """Small multiples: one small server-drawn SVG map per year, shared classes, one table."""
    st = state_from_request(embed=False)
    release = st["release"]
    shown_years = multiple_years(st)
    etag = multiples_etag(st, shown_years)
    not_modified = conditional(etag, release["published_at"])
    if not_modified is not None:
        return not_modified
    html = render_template("karte_jahre.html", **multiples_context(st, shown_years))
    response = cached(make_response(html), etag, release["published_at"])
    if release["status"] == "draft":  # an editor's preview: never held by a shared cache
        response.cache_control.public = False
        response.cache_control.no_store = True
    return response
