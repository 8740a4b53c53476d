"""Choropleth map page /karte and its embeddable twin /embed/karte (state fully in the URL)."""

from __future__ import annotations

import re
from dataclasses import asdict

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth import is_editor
from app.db import get_conn
from app.errors import BadRequestWithChoices
from app.formatting import FLAG_TEXT, fmt_cell, fmt_value
from app.http_cache import (
    BodyCache,
    cached,
    conditional,
    data_version_now,
    etag_for,
    page_cache,
)
from app.maps import MapParts, build_map, short_name
from app.nav import nav_items
from app.security import with_inline_scripts
from app.views import gebiet
from app.views.disparities import benchmark_sentence, verdict_label
from indicators import classify
from indicators.map_model import MapModel, map_model
from indicators.map_queries import map_area_values, map_context, map_geometry, picker_topics
from indicators.queries import indicator_sources
from indicators.releases import visible_release

bp = Blueprint("maps", __name__)

DEFAULT_INDICATOR = "sgb2_quote"  # the headline indicator of social reporting
MAP_VERSION = "2"  # bump when the map's markup changes, so cached copies are revalidated
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
_YEAR = re.compile(r"\d{4}")
# Rendered folium maps per (indicator, year, classification, colours, release, language, …).
_MAPS = BodyCache(256)
# Query results per data version (a publish gives a new version; nothing stale is served).
_DATA = BodyCache(512)


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
    raw = request.args.get("release")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequestWithChoices(
            400, _("„%(r)s“ ist keine gültige Nummer eines Datenstands.", r=raw[:40]),
            [(url_for("maps.karte"), _("Karte mit dem neuesten Datenstand"))],
        )  # fmt: skip
    return int(raw)


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
            404, _("Die Kennzahl „%(i)s“ gibt es nicht.", i=(requested or "")[:60]),
            _indicator_choices(topics, embed),
        )  # fmt: skip
    # Published and withdrawn releases are readable when named; drafts only for editors.
    if release_id is not None and (
        release is None or visible_release(conn, release["id"], is_editor()) is None
    ):
        raise BadRequestWithChoices(
            404, _("Einen veröffentlichten Datenstand Nr. %(r)s gibt es nicht.", r=release_id),
            [(_link(embed, indikator=ind["id"]), _("Karte mit dem neuesten Datenstand"))],
        )  # fmt: skip
    if release is None or not ctx["years"]:
        raise BadRequestWithChoices(
            404, _("Für die Kennzahl „%(i)s“ gibt es in diesem Datenstand keine veröffentlichten Werte.", i=ind["name_de"]),
            _indicator_choices(topics, embed),
        )  # fmt: skip
    years = ctx["years"]
    year_links = [(_link(embed, indikator=ind["id"], jahr=y), str(y)) for y in years]
    raw_year = request.args.get("jahr")
    if raw_year in (None, ""):
        year = ctx["default_year"]
    elif not _YEAR.fullmatch(raw_year):
        raise BadRequestWithChoices(
            400, _("„%(j)s“ ist keine gültige Jahreszahl (vierstellig, z. B. %(y)s).", j=raw_year[:40], y=years[-1]),
            year_links,
        )  # fmt: skip
    else:
        year = int(raw_year)
        if year not in years:
            raise BadRequestWithChoices(
                404, _("Für „%(i)s“ gibt es im Jahr %(y)s keine Daten. Verfügbar: %(a)s–%(b)s.", i=ind["name_de"], y=year, a=years[0], b=years[-1]),
                year_links,
            )  # fmt: skip
    method = request.args.get("klassen") or classify.default_classification(ind["unit"])
    if method not in classify.CLASSIFICATIONS:
        raise BadRequestWithChoices(
            400, _("Die Klassenbildung „%(k)s“ gibt es nicht.", k=method[:40]),
            [(_link(embed, indikator=ind["id"], jahr=year, klassen=k), str(label))
             for k, label in CLASSIFICATION_LABELS.items()],
        )  # fmt: skip
    scheme = request.args.get("farben") or "sequenziell"
    can_diverge = ind["unit"] not in classify.COUNT_UNITS
    if scheme not in (*classify.SCHEMES, "vergleich") or (
        scheme == "divergierend" and not can_diverge
    ):
        raise BadRequestWithChoices(
            400, _("Das Farbschema „%(f)s“ ist für diese Kennzahl nicht verfügbar.", f=scheme[:40]),
            [(_link(embed, indikator=ind["id"], jahr=year, klassen=method, farben=s), str(label))
             for s, label in SCHEME_LABELS.items() if s == "sequenziell" or can_diverge],
        )  # fmt: skip
    raw_fixed = request.args.get("feste") or "0"
    if raw_fixed not in ("0", "1"):
        raise BadRequestWithChoices(
            400, _("„feste=%(f)s“ gibt es nicht: 1 (feste Klassen über alle Jahre) oder 0.", f=raw_fixed[:40]),
            [(_link(embed, indikator=ind["id"], jahr=year, feste=f), label)
             for f, label in (("1", _("feste Klassen über alle Jahre")), ("0", _("Klassen je Jahr")))],
        )  # fmt: skip
    return dict(ctx, year=year, method=method, scheme=scheme, can_diverge=can_diverge,
                release_param=release_id, fixed=raw_fixed == "1")  # fmt: skip


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
        "karte", MAP_VERSION, embed, ind["id"], st["year"], st["method"], st["scheme"], st["fixed"],
        release["id"], release["label"], release["published_at"], str(get_locale()),
        current_app.config.get("TILE_URL") or "", [e for e, _x in nav_items()],
        "kommune.profile" in current_app.view_functions,
    )  # fmt: skip


def _model(st: dict) -> MapModel:
    """The map's domain model per data version and state (indicators.map_model)."""
    ind, release, year = st["indicator"], st["release"], st["year"]
    version = data_version_now()
    fixed = bool(st.get("fixed"))

    def build() -> MapModel:
        data = _DATA.get_or_build(
            ("values", version, ind["id"], year, release["id"], release["label"]),
            lambda: map_area_values(get_conn(), ind["id"], year, release["id"]),
        )
        return map_model(get_conn(), ind, year, release["id"], st["method"], st["scheme"],
                         fixed_classes=fixed, data=data)  # fmt: skip

    key = ("model", version, ind["id"], year, release["id"], release["label"], st["method"],
           st["scheme"], fixed)  # fmt: skip
    return _DATA.get_or_build(key, build)


def _row_label(r, decimals: int, unit: str, no_data: str) -> str:
    """A Kommune's shown value as text: the number, "geheim", a GENESIS reason or keine Daten."""
    if r.suppressed:  # small-number protection: "geheim"
        return fmt_cell(None, True)
    if r.value is not None:
        return fmt_value(r.value, decimals, unit)
    return fmt_cell(None, False, r.flag) if r.flag in FLAG_TEXT else no_data


def page_context(st: dict, embed: bool) -> dict:
    """Template variables of the map (page, embed or the start page's map) for a _state()."""
    ind, release, year = st["indicator"], st["release"], st["year"]
    locale = str(get_locale())
    tile_url = current_app.config.get("TILE_URL") or ""
    model = _model(st)
    geo = _DATA.get_or_build(("geometry", data_version_now()), lambda: map_geometry(get_conn()))
    provenance = [src | {"release": lab} for lab, src in
                  indicator_sources(get_conn(), [ind["id"]]).get(ind["id"], {}).items()
                  if lab in model.release_labels]  # fmt: skip
    decimals, unit = ind["decimals"], ind["unit"]
    scheme = model.scheme
    no_data = _("keine Daten")
    rows = []
    for r in model.rows:
        row = dict(asdict(r), label=_row_label(r, decimals, unit, no_data),
                   href=_profile_href(r.ags))  # fmt: skip
        if r.verdict is not None:  # the verdict's sentence is the text alternative
            row["label"] = f"{row['label']} – {verdict_label({'verdict': r.verdict})}"
            row["sentence"] = benchmark_sentence(r.name, ind, r.value, model.region_value,
                                                 dict(r.benchmark or {}))  # fmt: skip
        rows.append(row)
    by_ags = {r["ags"]: r for r in rows}
    table_rows = [by_ags[r.ags] for r in model.ranked_rows()]
    if scheme == "vergleich":  # colours by verdict against the Region
        legend = [{"color": v.color, "label": verdict_label({"verdict": v.verdict}),
                   "count": v.count} for v in model.verdicts]  # fmt: skip
    else:
        legend = [{"color": c.color, "count": c.count,
                   "label": f"{fmt_value(c.lower, decimals, '')} – {fmt_value(c.upper, decimals, unit)}"}
                  for c in model.classes]  # fmt: skip
        if model.no_data_count:  # an empty "keine Daten (0 Kommunen)" row says nothing
            legend.append({"color": classify.NO_DATA_COLOR, "label": no_data,
                           "count": model.no_data_count})  # fmt: skip
    labels = {lab["ags"]: lab for lab in geo["labels"]}

    # Outside the f-string, so that pybabel finds it (the English map said "Profil öffnen").
    open_profile = _("Profil öffnen")
    areas = {
        r["ags"]: {
            "color": r["color"], "label": r["label"], "href": r["href"],
            "no_data": r["value"] is None,
            "aria": f"{r['name']}: {r['label']}" + (f" – {open_profile}" if r["href"] else ""),
            "label_lat": labels[r["ags"]]["lat"], "label_lon": labels[r["ags"]]["lon"],
        }
        for r in rows if r["ags"] in labels
    }  # fmt: skip

    def build() -> MapParts:
        js, css = _assets()
        points = [dict(p, short=short_name(p["name"])) for p in geo["labels"]]
        attribution = f"{BOUNDARY_ATTRIBUTION}, dl-de/by-2-0"
        return build_map(
            geo["geojson"], areas, points, geo["bounds"], js, css, attribution,
            tile_url, current_app.config.get("TILE_ATTRIBUTION") or "", new_window=embed,
        )  # fmt: skip

    key = (embed, ind["id"], year, st["method"], scheme, bool(st.get("fixed")), release["id"],
           release["label"], release["published_at"],
           locale, tile_url, "kommune.profile" in current_app.view_functions)  # fmt: skip
    parts = _cached_map(key, build)
    state = {"indikator": ind["id"], "jahr": year, "klassen": request.args.get("klassen"),
             "farben": request.args.get("farben"), "feste": "1" if st.get("fixed") else None,
             "release": st["release_param"]}  # fmt: skip
    # The embed code on an English page embeds the English map.
    embed_state = dict(state, lang="en") if locale == "en" else state
    region_value = model.region_value
    return dict(
        map=parts, ind=ind, release=release, year=year, years=st["years"], table_rows=table_rows,
        legend=legend, region_label=fmt_value(region_value, decimals, unit) if region_value is not None else no_data,
        model=model, method=st["method"], scheme=scheme, topics=st["topics"],
        can_diverge=st["can_diverge"], classification_labels=CLASSIFICATION_LABELS,
        scheme_labels=SCHEME_LABELS, state=state, link=lambda **kw: _link(False, **dict(state, **kw)),
        embed_url=_link(True, **embed_state), full_url=_link(False, **embed_state),
        synthetic=model.synthetic, mixed=model.mixed, provenance=provenance,
        boundary_attribution=BOUNDARY_ATTRIBUTION, fixed=model.fixed_classes, areas=areas,
        embed=embed, parts_url=url_for("maps.parts"),
    )  # fmt: skip


def _render(embed: bool):
    st = state_from_request(embed)
    etag = _etag(st, embed)
    release = st["release"]
    not_modified = conditional(etag, release["published_at"])
    if not_modified is not None:
        return not_modified
    ctx = page_context(st, embed)
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
            a: {k: v[k] for k in ("color", "label", "aria", "no_data")}
            for a, v in ctx["areas"].items()
        },  # fmt: skip
        "parts": {
            k: render_template(t, **ctx)
            for k, t in (_EMBED_PARTS if embed else _PAGE_PARTS).items()
        },  # fmt: skip
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
