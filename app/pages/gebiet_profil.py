"""Any area: search by name or key (/suche) and the profile of any area (/gebiet/<ags>)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from app.pages.data.cite import parse_pin, pinned_page_cite
from app.pages.data.profile_tables import area_table
from app.render.formatting import FLAG_TEXT, fmt_cell, fmt_value, kind_label
from app.web import args, downloads
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.home import home_ags
from app.web.http_cache import page_cache
from app.web.i18n import gettext as _
from app.web.urls import area_url, is_home_area
from geodata.model import AreaHit
from geodata.queries import list_areas
from geodata.search import MAX_QUERY, clean_query, nearest_names, picker_label, search_areas
from indicators.gebiet_profile import area_profile, area_with_parents, read_areas
from indicators.gebiet_queries import EBENEN_IN
from indicators.model import Indicator
from indicators.queries import topics_with_indicators

bp = Blueprint("gebiet", __name__)

_AGS = re.compile(r"DG|\d{2}|\d{5}|\d{8}")


PICKER_HITS = 10  # suggestions a picker shows while typing


def _with_href(hit: AreaHit) -> dict:
    """A search hit with the link to its page (for the template)."""
    return {**vars(hit), "href": area_url(hit.ags)}


@bp.get("/suche/gebiet")
def suche():
    """Search any Gemeinde, Kreis or Land by name (umlauts, 'Stadt' variants) or by key."""
    raw = request.args.get("q", "")
    q = clean_query(raw)
    conn = get_conn()
    hits = [_with_href(h) for h in search_areas(conn, q)] if q else []
    near = []
    if q and not hits:
        near = [_with_href(h) for h in nearest_names(conn, q)]
    if len(hits) == 1 and request.args.get("direkt"):
        return redirect(hits[0]["href"])
    return render_template("suche_gebiet.html", q=q, cut=len(raw) > MAX_QUERY, hits=hits, near=near)


@bp.get("/suche/gebiet.json")
def suche_json() -> Response:
    """Suggestions for the area pickers (js/area-picker.js): at most PICKER_HITS hits, each with
    the text a picker writes into its field (`label`, read back by geodata.search.resolve)."""
    q = clean_query(request.args.get("q", ""))
    hits = search_areas(get_conn(), q, PICKER_HITS, home=home_ags()) if len(q) >= 2 else []
    body = {
        "q": q,
        "hits": [
            {
                "ags": h.ags,
                "name": h.name,
                "kind": kind_label(h.kind),
                "level": h.level,
                "kreis": h.kreis if h.level in ("gemeinde", "kommune") else None,
                "land": h.land if h.level in ("gemeinde", "kommune", "kreis", "region") else None,
                "label": picker_label(h),
                "href": area_url(h.ags),
            }
            for h in hits
        ],
    }
    resp = jsonify(body)
    resp.headers["Cache-Control"] = "public, max-age=60"
    return resp


def _lang() -> dict:
    """The request's explicit language, kept by a redirect."""
    return {"lang": request.args["lang"]} if request.args.get("lang") in ("de", "en") else {}


def _label(v: dict | None, ind: Indicator) -> str:
    if v is None:
        return "–"
    if v["suppressed"]:
        return fmt_cell(None, True)
    if v["value"] is None:
        return fmt_cell(None, False, v.get("flag")) if v.get("flag") in FLAG_TEXT else "–"
    return fmt_value(v["value"], ind.decimals, ind.unit)


@bp.get("/gebiet/<ags>")
@page_cache
def profile(ags: str):
    """Profile of any area: every indicator with its Kreis, Land and Germany, and ranks."""
    conn = get_conn()
    area = area_with_parents(conn, ags) if _AGS.fullmatch(ags) else None
    if area is None:
        near = nearest_names(conn, ags)
        raise BadRequestWithChoices(
            404,
            _("Ein Gebiet mit dem Schlüssel „%(a)s“ gibt es nicht.", a=ags[:20]),
            [(area_url(h.ags), f"{h.name} ({h.ags})") for h in near]
            + [(url_for("gebiet.suche"), _("Gebiet suchen"))],
        )
    if is_home_area(ags):  # the home region's Kommunen and the Region: their own profile
        return redirect(area_url(ags, **_lang()))
    fmt = args.download_format(downloads.VIEW_FORMATS)
    # A cited area profile (`stand`): its values and ranks of the releases it showed.
    pinned = parse_pin(None, url_for("gebiet.profile", ags=ags))
    data = {d["indicator_id"]: d for d in area_profile(conn, area, pinned)}
    sections = []
    synthetic = False
    for t in topics_with_indicators(conn):
        rows = []
        for ind in t.indicators:
            d = data.get(ind.id)
            if d is None:
                continue
            own = d["values"].get(ags)
            synthetic = synthetic or bool(own and own["synthetic"])
            # The row's kind (an indicator is wholly real or synthetic): from any shown value.
            shown = [v for v in (own, *(d["values"].get(p.ags) for p in area.parents)) if v]
            rows.append(
                {
                    "ind": ind,
                    "year": d["year"],
                    "own": _label(own, ind),
                    "own_synthetic": bool(own and own["synthetic"]),
                    "synthetic": bool(shown[0]["synthetic"]) if shown else None,
                    "parents": [_label(d["values"].get(p.ags), ind) for p in area.parents],
                    "rank_kreis": d["rank_kreis"],
                    "rank_land": d["rank_land"],
                    "release": own["release"] if own else None,
                    "values": [own, *(d["values"].get(p.ags) for p in area.parents)],
                }
            )
        if rows:
            sections.append({"topic": t, "rows": rows})
    cited = pinned_page_cite(
        "gebiet.profile",
        {"ags": area.ags},
        _("Profil %(name)s", name=area.name),
        read_areas(area),
        pinned,
        None,
        synthetic=synthetic,
    )
    if fmt:
        return downloads.response(area_table(area, sections, synthetic, cited["cite"]), fmt)
    maps = [
        (url_for("maps.karte", gebiet=area.ags, ebene=e), e) for e in EBENEN_IN.get(area.level, ())
    ]
    return render_template(
        "gebiet.html",
        area=area,
        sections=sections,
        synthetic=synthetic,
        maps=maps,
        kommunen=list_areas(conn, "kommune"),  # the compare picker's offers without JavaScript
        **cited,
    )


def init_app(app) -> None:
    """Make site_name(), region_name() and home_is_default() available in every template."""
    from app.web.home import home, region_name, site_name

    app.jinja_env.globals.update(
        site_name=site_name, region_name=region_name, home_is_default=lambda: home().is_default
    )
