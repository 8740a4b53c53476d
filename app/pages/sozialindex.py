"""Sozialindex: status × dynamics of the Kommunen, its table, 12-group matrix and method."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.pages.data.sozialindex import (
    DYNAMICS_LABELS,
    DYNAMICS_PATTERNS,
    STATUS_COLOURS,
    STATUS_LABELS,
    index_page,
    kreis_map,
)
from app.web.db import get_conn
from app.web.home import home_ags
from app.web.http_cache import page_cache
from geodata.queries import locator_paths
from indicators.social_index import DYNAMICS_CLASSES, STATUS_CLASSES

bp = Blueprint("sozialindex", __name__)


@bp.get("/sozialindex")
@page_cache
def index() -> str:
    page = index_page(request.args.get("gebiet") or None)
    idx = page.index
    with_status = [a for a in idx.areas if a.status_class is not None]
    example = max(with_status, key=lambda a: a.status_score or 0.0) if with_status else None
    # Another Kreis' Gemeinden: the territory maps' component (Leaflet canvas, outlines from
    # /karte/umrisse); the home region: its own SVG of the Kommunen.
    kmap = kreis_map(page) if page.kreis is not None else {}
    return render_template(
        "sozialindex.html",
        idx=idx,
        d=idx.definition,
        source=page.source,
        inds=page.indicators,
        groups=idx.group_members(),
        status_classes=STATUS_CLASSES,
        dynamics_classes=DYNAMICS_CLASSES,
        status_labels=STATUS_LABELS,
        dynamics_labels=DYNAMICS_LABELS,
        dynamics_patterns=DYNAMICS_PATTERNS,
        colours=STATUS_COLOURS,
        example=example,
        # the SVG map of the home region's Kommunen (another Kreis: kmap below)
        geo=locator_paths(get_conn(), "", home_ags()) if page.kreis is None else None,
        kreis=page.kreis,
        kreis_name=page.kreis_name,
        by_ags={a.ags: a for a in idx.areas},
        kreis_map=bool(kmap),
        **kmap,
    )
