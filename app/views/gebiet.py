"""Maps of many areas: /karte?gebiet=…&ebene=… (any Kreis, Land or all of Germany).

The page is rendered with the classification, legend and a paged table; the outlines come once
from /karte/umrisse (stored shapes, see geodata/shapes.py) and are drawn on a Leaflet canvas;
a change of year or indicator fetches only the colours from /karte/farben.
"""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
from flask import Blueprint, Response, current_app, make_response, render_template, request, url_for
from flask_babel import gettext as _

from app import args
from app.cache import Region
from app.db import get_conn
from app.errors import BadRequestWithChoices
from app.formatting import FLAG_TEXT, fmt_cell, fmt_value
from app.http_cache import (
    cached,
    data_version_now,
    etag_for,
    not_modified,
    page_cache,
)
from indicators import classify
from indicators.gebiet_queries import (
    EBENEN,
    EBENEN_IN,
    ScopeAreas,
    area_value,
    get_territory,
    indicators_at,
    scope_areas,
    scope_default_year,
    scope_shapes,
    scope_values,
    scope_years,
    territories,
)
from indicators.outline_bodies import encode_bodies, stored_outline_body
from indicators.queries import get_indicator, indicator_sources, release_for, topics_with_indicators
from indicators.releases import visible_release

bp = Blueprint("gebiet_karte", __name__)

DEFAULT_INDICATOR = "bev_anteil_65plus"  # real at every level, so a Germany map opens with data
PAGE_SIZE = 100
BOUNDARY_ATTRIBUTION = "© GeoBasis-DE / BKG 2021"
_AGS = re.compile(r"DG|\d{2}|\d{5}")
EBENE_LABELS = {"land": "Länder", "kreis": "Kreise", "gemeinde": "Gemeinden"}
SCHEMES = ("sequenziell", "divergierend")


def wants_gebiet() -> bool:
    """True when /karte is asked for a territory map (gebiet= or ebene= in the query)."""
    return "gebiet" in request.args or "ebene" in request.args


def _link(endpoint: str = "maps.karte", **params) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return url_for(endpoint, **clean)


def _ebene_label(e: str) -> str:
    return {"land": _("Länder"), "kreis": _("Kreise"), "gemeinde": _("Gemeinden")}[e]


def _territory_choices(conn, ebene: str | None = None) -> list[tuple[str, str]]:
    out = []
    for t in territories(conn):
        for e in EBENEN_IN[t["level"]]:
            if ebene in (None, e):
                out.append((_link(gebiet=t["ags"], ebene=e), f"{t['name']}: {_ebene_label(e)}"))
    return out


def _place() -> tuple[dict, str]:
    """The territory and level from gebiet/ebene; unknown ones are a 4xx with the choices."""
    conn = get_conn()
    raw = request.args.get("gebiet") or "DG"
    territory = get_territory(conn, raw) if _AGS.fullmatch(raw) else None
    if territory is None:
        raise BadRequestWithChoices(
            404,
            _(
                "Das Gebiet „%(g)s“ gibt es nicht (Deutschland: DG, ein Land: zweistellig, ein Kreis: fünfstellig).",
                g=raw[:40],
            ),
            _territory_choices(conn),
        )
    allowed = EBENEN_IN[territory["level"]]
    ebene = request.args.get("ebene") or allowed[-1 if territory["level"] != "bund" else 1]
    if ebene not in allowed:
        raise BadRequestWithChoices(
            400,
            _(
                "Die Ebene „%(e)s“ gibt es für %(g)s nicht. Möglich: %(a)s.",
                e=ebene[:40],
                g=territory["name"],
                a=", ".join(allowed),
            ),
            [
                (_link(gebiet=territory["ags"], ebene=e), f"{territory['name']}: {_ebene_label(e)}")
                for e in allowed
            ],
        )
    return territory, ebene


def _release_param() -> int | None:
    return args.integer(
        "release",
        [
            (
                _link(gebiet=request.args.get("gebiet"), ebene=request.args.get("ebene")),
                _("Karte mit dem neuesten Datenstand"),
            )
        ],
        lo=1,
    )


# Years of an indicator at a level of a territory, per data version: a scan of the
# indicator's values (~0.1 s for Germany's Gemeinden) that every repaint would repeat.
_YEARS = Region("gebiet")


def _years(indicator_id: str, territory: dict, ebene: str, release_id: int | None) -> list[int]:
    return _YEARS.get_or_build(
        ("years", indicator_id, territory["ags"], ebene, release_id),
        lambda: scope_years(get_conn(), indicator_id, territory, ebene, release_id),
    )


def state() -> dict:
    """Validate the query string; every fault is a 4xx naming it, with valid choices."""
    from app.auth import is_editor

    conn = get_conn()
    territory, ebene = _place()
    g = {"gebiet": territory["ags"], "ebene": ebene}
    release_id = _release_param()
    requested = request.args.get("indikator") or DEFAULT_INDICATOR
    ind = get_indicator(conn, requested)
    # Layered values (no release named): which releases contribute is read from the values
    # shown (colour_map); release_for's summary over every area and year of the indicator
    # would cost a scan of all its values per request (~0.3–0.6 s for Germany's Gemeinden).
    release = (
        None
        if ind is None
        else {"id": None, "status": "published", "label": ""}
        if release_id is None
        else release_for(conn, ind["id"], release_id)
    )

    def choices() -> list[tuple[str, str]]:
        have = indicators_at(conn, territory, ebene, release_id)
        return [
            (_link(**g, indikator=i["id"]), f"{i['name_de']} ({t['name_de']})")
            for t in topics_with_indicators(conn)
            for i in t["indicators"]
            if i["id"] in have
        ]

    if ind is None:
        raise BadRequestWithChoices(
            404, _("Die Kennzahl „%(i)s“ gibt es nicht.", i=requested[:60]), choices()
        )
    if release_id is not None and (
        release is None or visible_release(conn, release["id"], is_editor()) is None
    ):
        raise BadRequestWithChoices(
            404,
            _("Einen veröffentlichten Datenstand Nr. %(r)s gibt es nicht.", r=release_id),
            [(_link(**g, indikator=ind["id"]), _("Karte mit dem neuesten Datenstand"))],
        )
    years = _years(ind["id"], territory, ebene, release["id"]) if release else []
    if not years:
        other = [
            (
                _link(gebiet=territory["ags"], ebene=e, indikator=ind["id"]),
                f"{territory['name']}: {_ebene_label(e)}",
            )
            for e in EBENEN_IN[territory["level"]]
            if e != ebene and release and _years(ind["id"], territory, e, release["id"])
        ]
        raise BadRequestWithChoices(
            404,
            _(
                "Für „%(i)s“ gibt es auf der Ebene %(e)s in %(g)s keine Werte.",
                i=ind["name_de"],
                e=_ebene_label(ebene),
                g=territory["name"],
            ),
            other + choices(),
        )
    year_links = [(_link(**g, indikator=ind["id"], jahr=y), str(y)) for y in years]
    year = args.year("jahr", year_links, years[-1])
    if year is None:
        year = (
            _YEARS.get_or_build(
                ("default", ind["id"], territory["ags"], ebene, release_id),
                lambda: scope_default_year(conn, ind["id"], territory, ebene, release_id),
            )
            or years[-1]
        )
    elif year not in years:
        raise BadRequestWithChoices(
            404,
            _(
                "Für „%(i)s“ gibt es im Jahr %(y)s hier keine Daten. Verfügbar: %(a)s–%(b)s.",
                i=ind["name_de"],
                y=year,
                a=years[0],
                b=years[-1],
            ),
            year_links,
        )
    method = request.args.get("klassen") or classify.default_classification(ind["unit"])
    base = dict(g, indikator=ind["id"], jahr=year)
    if method not in classify.CLASSIFICATIONS:
        raise BadRequestWithChoices(
            400,
            _("Die Klassenbildung „%(k)s“ gibt es nicht.", k=method[:40]),
            [(_link(**base, klassen=k), k) for k in classify.CLASSIFICATIONS],
        )
    scheme = request.args.get("farben") or "sequenziell"
    can_diverge = ind["unit"] not in classify.COUNT_UNITS
    if scheme not in SCHEMES or (scheme == "divergierend" and not can_diverge):
        raise BadRequestWithChoices(
            400,
            _("Das Farbschema „%(f)s“ ist für diese Karte nicht verfügbar.", f=scheme[:40]),
            [(_link(**base, farben=s), s) for s in SCHEMES if s == "sequenziell" or can_diverge],
        )
    return {
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
        "params": {
            **base,
            "klassen": request.args.get("klassen"),
            "farben": request.args.get("farben"),
            "release": release_id,
        },
    }


def _profile_href(r: dict) -> str:
    if r["level"] == "kommune" and "kommune.profile" in current_app.view_functions:
        return url_for("kommune.profile", ags=r["ags"])
    return url_for("gebiet.profile", ags=r["ags"])


def fast_labels(values: list[float | None], decimals: int, unit: str) -> list[str | None]:
    """fmt_value for thousands of values at once (None stays None): Python's format per value,
    the locale's separators swapped in one pass over all of them."""
    sample = fmt_value(1000.5, 1, "")  # "1.000,5" in German, "1,000.5" in English
    table = str.maketrans({",": sample[1], ".": sample[-2]})
    suffix = f" {unit}" if unit and unit not in ("Anzahl", "Personen") else ""
    fmt = f"{{:,.{max(decimals, 0)}f}}".format
    present = [fmt(v if decimals >= 0 else round(v, decimals)) for v in values if v is not None]
    done = iter("\n".join(present).translate(table).split("\n") if present else [])
    return [None if v is None else next(done) + suffix for v in values]


def competition_ranks(values: list[float | None]) -> list[int | None]:
    """Rank 1 = highest value, ties share the best rank ("1224"), None stays None."""
    x = np.array([np.nan if v is None else v for v in values], dtype=float)
    present = ~np.isnan(x)
    neg = np.sort(-x[present])
    ranks = np.zeros(len(values), dtype=int)
    ranks[present] = np.searchsorted(neg, -x[present], side="left") + 1
    return [int(r) if p else None for r, p in zip(ranks.tolist(), present.tolist(), strict=True)]


# The areas (keys, names, order) of a territory's level per data version: they change only
# with a load, and every state of the map (indicator, year, classes) shares them.
_AREAS = Region("areas")


def scope_areas_cached(territory: dict, ebene: str) -> ScopeAreas:
    """The areas of the level in the territory, read once per data version."""
    return _AREAS.get_or_build(
        (territory["ags"], ebene), lambda: scope_areas(get_conn(), territory, ebene)
    )


def colour_map(st: dict) -> dict:
    """Values, classes, labels, ranks and legend of every area (lists in the areas' order)."""
    conn = get_conn()
    ind, year, rel = st["indicator"], st["year"], st["release"]
    areas = scope_areas_cached(st["territory"], st["ebene"])
    sv = scope_values(conn, ind["id"], year, st["territory"], st["ebene"], rel["id"], areas)
    own = area_value(conn, ind["id"], year, st["territory"]["ags"], rel["id"])
    own_value = None if own is None or own["suppressed"] else own["value"]
    scheme = st["scheme"] if own_value is not None else "sequenziell"
    values = [None if s else v for v, s in zip(sv.value, sv.suppressed, strict=True)]
    classes = classify.classify(values, st["method"], scheme, ind["polarity"], own_value)
    decimals, unit = ind["decimals"], ind["unit"]
    no_data = _("keine Daten")
    used = {sv.releases[r] for r in set(sv.release) if r is not None}
    if own and own["release_label"]:
        used.add((own["release_label"], own["synthetic"]))
    synthetic = any(syn for _lab, syn in used)
    mixed = synthetic and any(not syn for _lab, syn in used)
    withheld = fmt_cell(None, True)
    flags = {f: fmt_cell(None, False, f) for f in FLAG_TEXT}
    labels = [
        withheld if s else label if label is not None else flags.get(f, no_data)
        for label, s, f in zip(
            fast_labels(values, decimals, unit), sv.suppressed, sv.flag, strict=True
        )
    ]
    ranks = competition_ranks(values)
    legend = classify.legend_entries(
        classes, lambda v, with_unit: fmt_value(v, decimals, unit if with_unit else ""), no_data
    )
    labels_shown = {lab for lab, _syn in used}
    provenance = [
        src | {"release": lab}
        for lab, src in indicator_sources(conn, [ind["id"]]).get(ind["id"], {}).items()
        if lab in labels_shown
    ]
    return {
        "areas": areas,
        "values": values,
        "labels": labels,
        "ranks": ranks,
        "synthetic_of": [None if r is None else sv.releases[r][1] for r in sv.release],
        "release_labels": sorted(labels_shown),
        "classes": classes,
        "legend": legend,
        "scheme": scheme,
        "own_label": fmt_value(own_value, decimals, unit) if own_value is not None else no_data,
        "synthetic": synthetic,
        "mixed": mixed,
        "provenance": provenance,
    }


def _name_order(areas: ScopeAreas) -> np.ndarray:
    """Each area's place in the alphabetical order of names (ties: key order), per load."""

    def build() -> np.ndarray:
        by_name = np.argsort(np.array(areas.names), kind="stable")
        place = np.empty(len(by_name), dtype=int)
        place[by_name] = np.arange(len(by_name))
        return place

    return _AREAS.get_or_build(("names", _order(areas)), build)


def _table_page(cm: dict, page: int) -> tuple[list[dict], int]:
    """The rows of one page of the table (by rank, then name); only these become dicts."""
    areas, ranks = cm["areas"], cm["ranks"]
    n = len(areas.ags)
    # By rank, areas without a value last, then by name (numpy: 11,000 areas per request).
    missing = np.array([r is None for r in ranks])
    rank = np.array([r or 0 for r in ranks])
    order = np.lexsort((_name_order(areas), rank, missing)).tolist()
    pages = max(1, -(-n // PAGE_SIZE))
    if page > pages:
        raise BadRequestWithChoices(
            404,
            _("Die Tabelle hat nur %(n)s Seiten.", n=pages),
            [
                (_link(**dict(request.args.items(), seite=p)), str(p))
                for p in range(1, min(pages, 20) + 1)
            ],
        )
    part = []
    for i in order[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        r = {
            "ags": areas.ags[i],
            "name": areas.names[i],
            "level": areas.levels[i],
            "rank": ranks[i],
            "k": cm["classes"].assignment[i],
            "label": cm["labels"][i],
            "synthetic": cm["synthetic_of"][i],
        }
        r["href"] = _profile_href(r)
        part.append(r)
    return part, pages


_CLASS_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _order(areas: ScopeAreas) -> str:
    """A token of the areas' order (their keys): page data and repaints must agree on it."""
    return hashlib.blake2b("".join(areas.ags).encode(), digest_size=8).hexdigest()


def _areas_data(cm: dict, names: bool) -> dict:
    """Colours of the canvas, aligned with the areas' order (AGS ascending) instead of keyed:
    one character per area for its class ('.' no data) and its label for the tooltip. The page
    also carries the keys and names; a repaint sends only what changes (~25 KB brotli for
    11,000 areas instead of ~60 KB with every key and name again)."""
    areas = cm["areas"]
    data = {
        "colors": cm["classes"].colors,
        "none": classify.NO_DATA_COLOR,
        "order": _order(areas),
        "k": "".join("." if k is None else _CLASS_CHARS[k] for k in cm["classes"].assignment),
        "labels": cm["labels"],
    }
    if names:
        data["ags"] = areas.ags
        data["names"] = areas.names
    return data


def _json(obj) -> str:
    # "</" escaped: the page embeds this in a <script> element; names come from data.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _context(st: dict, cm: dict, embed: bool, with_areas: bool = True) -> dict:
    page = args.integer("seite", args.without("seite"), lo=1) or 1
    table_rows, pages = _table_page(cm, page)
    p = st["params"]
    t = st["territory"]
    return dict(
        st,
        **cm,
        ind=st["indicator"],
        table_rows=table_rows,
        page=page,
        pages=pages,
        n_areas=len(cm["areas"].ags),
        ebene_label=_ebene_label(st["ebene"]),
        link=lambda **kw: _link(**dict(p, **kw)),
        embed_url=_link("maps.embed", **p),
        full_url=_link(**p),
        shapes_url=url_for("gebiet_karte.umrisse", gebiet=t["ags"], ebene=st["ebene"]),
        colours_url=url_for("gebiet_karte.farben"),
        areas_json=_json(_areas_data(cm, names=True)) if with_areas else None,
        bounds=json.dumps(t["bounds"]),
        boundary_attribution=BOUNDARY_ATTRIBUTION,
        territory_choices=territories(get_conn()),
        ebenen=EBENEN_IN[t["level"]],
        ebene_labels={e: _ebene_label(e) for e in EBENEN},
        embed=embed,
    )


_HAVE = Region("gebiet")  # indicators with values per (data version, territory, level, release)


def render(embed: bool) -> Response:
    """The territory map page (or its embeddable twin)."""
    st = state()
    conn = get_conn()
    t = st["territory"]
    st["have"] = _HAVE.get_or_build(
        (data_version_now(), t["ags"], st["ebene"], st["release_param"]),
        lambda: indicators_at(conn, t, st["ebene"], st["release_param"]),
    )
    st["topics"] = topics_with_indicators(conn)
    cm = colour_map(st)
    if st["release"]["id"] is None:  # layered: name the releases whose values are shown
        st["release"] = {**st["release"], "label": " + ".join(cm["release_labels"])}
    html = render_template(
        "karte_gebiet_embed.html" if embed else "karte_gebiet.html", **_context(st, cm, embed)
    )
    response = make_response(html)
    if st["release"]["status"] == "draft":
        response.cache_control.no_store = True
    return response


# Outline bodies per (territory, level, data version), already compressed: 2.3 MB of JSON would
# otherwise be brotli-compressed again on every request (≈ 100 ms each).
_SHAPES = Region("shapes")


def _shape_bodies(territory: dict, ebene: str) -> dict:
    conn = get_conn()
    # Germany and the Länder were compressed at load time (indicators/outline_bodies.py).
    bodies = stored_outline_body(conn, territory["ags"], ebene)
    if bodies is None:
        bodies = encode_bodies(scope_shapes(conn, territory, ebene).encode())
    return {
        "identity": bodies["plain"],
        "br": bodies["br"],
        "gzip": bodies["gzip"],
        "etag": etag_for("umrisse", territory["ags"], ebene, bodies["digest"]),
    }


@bp.get("/karte/umrisse")
def umrisse() -> Response:
    """Outlines of every area of a level in a territory (stored compact shapes, JSON)."""
    territory, ebene = _place()
    bodies = _SHAPES.get_or_build(
        (territory["ags"], ebene, data_version_now()), lambda: _shape_bodies(territory, ebene)
    )
    accepted = request.accept_encodings
    encoding = "br" if accepted["br"] else "gzip" if accepted["gzip"] else "identity"
    etag = f"{bodies['etag']}-{encoding}"  # one strong ETag per representation
    if not_modified(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    resp = Response(bodies[encoding], mimetype="application/json")
    if encoding != "identity":  # flask-compress leaves an encoded response alone
        resp.headers["Content-Encoding"] = encoding
    return cached(resp, etag, vary=("Accept-Encoding",))


@bp.get("/karte/farben")
@page_cache
def farben() -> Response:
    """Colours, labels, legend and table of a map state, for repainting without a reload."""
    st = state()
    cm = colour_map(st)
    ctx = _context(st, cm, embed=False, with_areas=False)
    body = {
        "url": ctx["full_url"],
        "embed_url": ctx["embed_url"],
        "embed_code": render_template("maps/_gebiet_embed_code.html", **ctx),
        "title": render_template("maps/_gebiet_title.html", **ctx),
        "legend": render_template("maps/_gebiet_legend.html", **ctx),
        "info": render_template("maps/_gebiet_info.html", **ctx),
        "table": render_template("maps/_gebiet_table.html", **ctx),
        "years": render_template("maps/_gebiet_years.html", **ctx),
        "data": _areas_data(cm, names=False),
    }
    return Response(_json(body), mimetype="application/json")
