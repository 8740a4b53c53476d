"""Choropleth map page /karte and its embeddable twin /embed/karte (state fully in the URL).

The state, ETag and template variables come from `app.pages.data` (map_state, map_page,
change_map, multiples); a territory map (gebiet=/ebene=) from gebiet_state and gebiet_map.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, make_response, render_template, request

from app.pages.data import gebiet_map, gebiet_state
from app.pages.data.change_map import change_context
from app.pages.data.gebiet_table import gebiet_table
from app.pages.data.map_page import page_context
from app.pages.data.map_state import map_etag, state_from_request
from app.pages.data.map_table import change_table, map_table
from app.pages.data.multiples import multiple_years, multiples_context, multiples_etag
from app.pages.data.multiples_table import multiples_table
from app.web import args, downloads
from app.web.http_cache import cached, conditional, forever, page_cache
from app.web.security import with_inline_scripts

bp = Blueprint("maps", __name__)


def _render(embed: bool):
    st = state_from_request(embed)
    etag = map_etag(st, embed)
    release = st["release"]
    not_modified = conditional(etag, release.published_at)
    if not_modified is not None:
        return not_modified
    ctx = change_context(st, embed) if st["change"] else page_context(st, embed)
    html = render_template("embed.html" if embed else "karte.html", **ctx)
    # The map's one inline script is allowed by its hash (no 'unsafe-inline' in the CSP).
    response = with_inline_scripts(make_response(html), ctx["map"].script)
    response = cached(response, etag, release.published_at)
    if release.status == "draft":  # an editor's preview: never held by a shared cache
        response.cache_control.public = False
        response.cache_control.no_store = True
    return response


# What the year slider replaces on the page (data-part="…") and the templates that draw it.
_PAGE_PARTS = {
    "legend": "maps/_legend.html",
    "table": "maps/_table.html",
    "info": "maps/_info.html",
    "findings": "maps/_findings.html",
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
    etag = map_etag(st, embed) + "-teile"
    release = st["release"]
    not_modified = conditional(etag, release.published_at)
    if not_modified is not None:
        return not_modified
    ctx = page_context(st, embed)
    body = {
        "jahr": st["year"],
        "title": render_template("maps/_doc_title.html", **ctx),
        "areas": {
            a: {
                k: v[k]
                for k in ("color", "label", "aria", "no_data", "synthetic", "group")
                if k in v
            }
            for a, v in ctx["areas"].items()
        },
        "parts": {
            k: render_template(t, **ctx)
            for k, t in (_EMBED_PARTS if embed else _PAGE_PARTS).items()
        },
        "synthetic": ctx["synthetic"],
        "embed_code": None if embed else render_template("maps/_embed_code.html", **ctx),
        "embed_url": ctx["embed_url"],
    }
    response = cached(jsonify(body), etag, release.published_at)
    if release.status == "draft":
        response.cache_control.public = False
        response.cache_control.no_store = True
    return response


@bp.get("/karte")
@page_cache
def karte():
    """The map page with controls, legend, table and embed code."""
    if gebiet_state.wants_gebiet():  # a Kreis, Land or Germany split into many areas
        return gebiet_map.render(embed=False)
    return _render(embed=False)


@bp.get("/embed/karte")
@page_cache
def embed():
    """Just the map, legend, title and source, for an <iframe> on other sites."""
    if gebiet_state.wants_gebiet():
        return gebiet_map.render(embed=True)
    return _render(embed=True)


@bp.get("/karte/daten")
@page_cache
def daten():
    """The map's data (?format=csv|csv-de|xlsx|json) or its citation (bib, csl-json): the rows of
    the map's table for the same state, with the citation line in German and English."""
    fmt = args.download_format(downloads.VIEW_FORMATS) or "csv"
    if gebiet_state.wants_gebiet():  # a territory map's areas
        return _gebiet_daten(fmt)
    st = state_from_request(embed=False)
    if st["change"]:  # a change map (von/bis): its table's rows
        table = change_table(change_context(st, embed=False))
    else:
        table = map_table(page_context(st, embed=False))
    response = downloads.response(table, fmt)
    if st["pinned"] or st["release_param"]:  # a cited state never changes
        return forever(response)
    return response


def _gebiet_daten(fmt: str):
    """A territory map's data or citation: every area's value, rank and release in its year."""
    gst = gebiet_state.state()
    cm = gebiet_map.colour_map(gst)
    ctx = gebiet_map.gebiet_context(gst, cm, embed=False, with_areas=False)
    response = downloads.response(gebiet_table(ctx), fmt)
    if gst["pinned"] or gst["release_param"]:  # a cited state never changes
        return forever(response)
    return response


@bp.get("/karte/jahre")
@page_cache
def jahre():
    """Small multiples: one small server-drawn SVG map per year, shared classes, one table."""
    st = state_from_request(embed=False)
    release = st["release"]
    shown_years = multiple_years(st)
    etag = multiples_etag(st, shown_years)
    not_modified = conditional(etag, release.published_at)
    if not_modified is not None:
        return not_modified
    html = render_template("karte_jahre.html", **multiples_context(st, shown_years))
    response = cached(make_response(html), etag, release.published_at)
    if release.status == "draft":  # an editor's preview: never held by a shared cache
        response.cache_control.public = False
        response.cache_control.no_store = True
    return response


@bp.get("/karte/jahre/daten")
@page_cache
def jahre_daten():
    """The small multiples' data (?format=csv|csv-de|xlsx|json) or citation (bib, csl-json):
    per Kommune and shown year the values of the page's table, with its citation lines."""
    fmt = args.download_format(downloads.VIEW_FORMATS) or "csv"
    st = state_from_request(embed=False)
    ctx = multiples_context(st, multiple_years(st))
    response = downloads.response(multiples_table(ctx), fmt)
    if st["pinned"] or st["release_param"]:  # a cited state never changes
        return forever(response)
    return response
