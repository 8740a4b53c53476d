"""Any area: search by name or key (/suche) and the profile of any area (/gebiet/<ags>)."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.render.formatting import FLAG_TEXT, fmt_cell, fmt_value
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.http_cache import page_cache
from geodata.model import AreaHit
from geodata.search import MAX_QUERY, clean_query, nearest_names, search_areas
from indicators.gebiet_profile import area_profile, area_with_parents
from indicators.gebiet_queries import EBENEN_IN
from indicators.model import Indicator
from indicators.queries import topics_with_indicators

bp = Blueprint("gebiet", __name__)

_AGS = re.compile(r"DG|\d{2}|\d{5}|\d{8}")


def area_href(ags: str, level: str) -> str:
    """The profile page of an area (the home region's Kommunen keep their own profile)."""
    if level == "kommune" and "kommune.profile" in current_app.view_functions:
        return url_for("kommune.profile", ags=ags)
    return url_for("gebiet.profile", ags=ags)


def _with_href(hit: AreaHit) -> dict:
    """A search hit with the link to its profile (for the template)."""
    return {**vars(hit), "href": area_href(hit.ags, hit.level)}


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
            [(area_href(h.ags, h.level), f"{h.name} ({h.ags})") for h in near]
            + [(url_for("gebiet.suche"), _("Gebiet suchen"))],
        )
    if area.level == "kommune" and "kommune.profile" in current_app.view_functions:
        return redirect(url_for("kommune.profile", ags=ags))
    data = {d["indicator_id"]: d for d in area_profile(conn, area)}
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
                }
            )
        if rows:
            sections.append({"topic": t, "rows": rows})
    maps = [
        (url_for("maps.karte", gebiet=area.ags, ebene=e), e) for e in EBENEN_IN.get(area.level, ())
    ]
    return render_template(
        "gebiet.html", area=area, sections=sections, synthetic=synthetic, maps=maps
    )


def init_app(app) -> None:
    """Make site_name(), region_name() and home_is_default() available in every template."""
    from app.web.home import home, region_name, site_name

    app.jinja_env.globals.update(
        site_name=site_name, region_name=region_name, home_is_default=lambda: home().is_default
    )
