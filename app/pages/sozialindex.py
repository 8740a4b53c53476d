"""Sozialindex: status × dynamics of the Kommunen, its table, 12-group matrix and method."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from app.pages.data.cite import parse_pin
from app.pages.data.sozialindex import (
    DYNAMICS_LABELS,
    DYNAMICS_PATTERNS,
    STATUS_COLOURS,
    STATUS_LABELS,
    index_cite,
    index_page,
    kreis_map,
)
from app.web import args, downloads
from app.web.db import get_conn
from app.web.home import home_ags
from app.web.http_cache import page_cache
from app.web.urls import url_for
from geodata.queries import locator_paths
from indicators.social_index import DYNAMICS_CLASSES, STATUS_CLASSES

bp = Blueprint("sozialindex", __name__)
# The page's citation downloads (its numbers: /api/v1/sozialindex, pinned with the same `stand`).
CITE_FORMATS = ("bib", "csl-json")


@bp.get("/sozialindex")
@page_cache
def index() -> str | Response:
    fmt = args.download_format(CITE_FORMATS)
    pinned = parse_pin(None, url_for("sozialindex.index"))
    page = index_page(request.args.get("gebiet") or None, pinned)
    cite = index_cite(page)
    if fmt is not None:
        table = downloads.Table("sozialindex", [], [], citation=cite["cite"])
        return downloads.response(table, fmt)
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
        # the API's link keeps a pinned page's `stand` (the same numbers as JSON)
        api_args={
            **({"gebiet": page.kreis} if page.kreis else {}),
            **({"stand": cite["pin_state"]["stand"]} if pinned else {}),
        },
        **cite,
        **kmap,
    )
