"""Start page (search and a live map), search results, accessibility statement."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from app.pages.data.map_page import page_context
from app.pages.data.map_state import home_values, state_from_request
from app.pages.nav import search_suggestions
from app.web.db import get_conn
from app.web.home import home_ags
from app.web.http_cache import page_cache
from app.web.i18n import localized
from app.web.security import with_inline_scripts
from app.web.urls import area_url
from geodata.model import AreaHit
from geodata.queries import list_areas
from geodata.search import search_areas
from indicators.catalogue_status import catalogue_status
from indicators.queries import list_releases, topics_with_indicators

bp = Blueprint("pages", __name__)
MAX_QUERY = 80  # characters of a search term that are looked at


def _endpoint(name: str) -> str | None:
    """An endpoint if another blueprint provides it (the start page links onward)."""
    return name if name in current_app.view_functions else None


def _start_map() -> dict | None:
    """The map page's default map (headline indicator, latest year) for the start page."""
    if "maps.karte" not in current_app.view_functions:
        return None
    try:
        return page_context(state_from_request(embed=False), embed=False)
    except HTTPException:  # no mappable data yet: the start page works without a map
        return None


@bp.get("/")
def start():
    conn = get_conn()
    topics = topics_with_indicators(conn)
    releases = list_releases(conn)
    live = _start_map()
    html = render_template(
        "start.html",
        topics=topics,
        n_indicators=sum(len(t.indicators) for t in topics),
        releases=releases,
        # the home region's Kommunen and the Region (Kreise, Länder and Bund are benchmarks)
        areas=[*list_areas(conn, "region"), *list_areas(conn, "kommune")],
        synthetic=any(r.synthetic for r in releases),
        map_endpoint=_endpoint("maps.karte"),
        live=live,
    )
    # The live map's one inline script is allowed by its hash (no 'unsafe-inline' in the CSP).
    return with_inline_scripts(make_response(html), live["map"].script) if live else html


def search_hits(conn, query: str) -> tuple[list[AreaHit], list[dict]]:
    """Areas (any Gemeinde, Kreis, Land, the Bund: name or key, geodata.search, at most 25) and
    indicators (name in either language or id) matching a query."""
    q = query.casefold()
    areas = search_areas(conn, query, home=home_ags())
    indicators = [
        dict(vars(i), topic=localized(t, "name"))
        for t in topics_with_indicators(conn)
        for i in t.indicators
        if q in i.name_de.casefold() or q in (i.name_en or "").casefold() or q == i.id
    ]
    return areas, indicators


@bp.get("/suche")
def search():
    """Search for a Kommune or an indicator; one exact hit goes straight to its page."""
    query = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    conn = get_conn()
    areas, indicators = search_hits(conn, query) if query else ([], [])
    exact_area = [a for a in areas if a.name.casefold() == query.casefold()]
    exact_ind = [
        i
        for i in indicators
        if query.casefold() in (i["name_de"].casefold(), (i["name_en"] or "").casefold(), i["id"])
    ]
    lang = {"lang": request.args["lang"]} if request.args.get("lang") in ("de", "en") else {}
    if len(exact_area) == 1 and not exact_ind:
        # the page that exists for that area (app.web.urls.area_url: the one rule)
        return redirect(area_url(exact_area[0].ags, **lang), 303)
    if len(exact_ind) == 1 and not exact_area and _endpoint("maps.karte"):
        return redirect(url_for("maps.karte", indikator=exact_ind[0]["id"], **lang), 303)
    return render_template(
        "suche.html",
        query=query,
        areas=areas,
        indicators=indicators,
        map_endpoint=_endpoint("maps.karte"),
        datalist=search_suggestions(),
    )


@bp.get("/barrierefreiheit")
def accessibility() -> str:
    """Erklärung zur Barrierefreiheit (BITV 2.0): what was tested, how, and what is not accessible."""
    return render_template("barrierefreiheit.html")


@bp.get("/kennzahlen")
@page_cache
def kennzahlen():
    """Every Kennzahl of the catalogue with what is published of it, or "noch keine Daten"."""
    topics = catalogue_status(get_conn(), home_values(), home_ags())
    inds = [i for t in topics for i in t.indicators]
    return render_template(
        "kennzahlen.html",
        topics=topics,
        n_indicators=len(inds),
        n_with_data=sum(1 for i in inds if i.has_data),
        import_endpoint=_endpoint("editor.index"),
    )
