"""Scatter plot of two indicators over the Kommunen, with a small linked map (/streuung).

State in the URL: /streuung?x=<id>&y=<id>&jahr=<year>&auswahl=<ags,…> (permalink); the same as
/embed/streuung for iframes and /streuung.svg as a standalone image. Every bad parameter is a
German (or English) 4xx page naming the valid choices (`app.pages.data.streuung`).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template

from app.pages.data.scatter_table import scatter_cite, scatter_table
from app.pages.data.streuung import (
    comparison_group,
    parse_request,
    pinned_ids,
    scatter_context,
    scatter_link,
    standalone_image,
)
from app.render.image_export import png_response, svg_response
from app.web import args, downloads
from app.web.http_cache import page_cache

bp = Blueprint("streuung", __name__)


@bp.get("/streuung")
@page_cache
def page():
    """The scatter plot page: pickers, chart, map, selection, table, permalink and embed code."""
    fmt = args.download_format(downloads.VIEW_FORMATS)
    s, chosen, release = parse_request("streuung.page")
    group = comparison_group("streuung.page", s)
    if group is not None:  # the GET form's "Vergleichsgruppe": on to the permalink
        return redirect(
            scatter_link("streuung.page", x=s.x.id, y=s.y.id, jahr=s.year, auswahl=group), 303
        )
    ctx = scatter_context(s, chosen, False, release)
    cited = scatter_cite(s, ctx["state"], pinned_ids())
    if fmt:
        return downloads.response(scatter_table(s, cited["cite"]), fmt)
    return render_template("streuung.html", **{**ctx, **cited})


@bp.get("/embed/streuung")
@page_cache
def embed():
    """Chart, map, selection and source for an <iframe> on other sites."""
    s, chosen, release = parse_request("streuung.embed")
    group = comparison_group("streuung.embed", s)
    if group is not None:
        return redirect(
            scatter_link("streuung.embed", x=s.x.id, y=s.y.id, jahr=s.year, auswahl=group),
            303,
        )
    return render_template("streuung_embed.html", **scatter_context(s, chosen, True, release))


@bp.get("/streuung.svg", endpoint="svg", defaults={"fmt": "svg"})
@bp.get("/streuung.png", endpoint="png", defaults={"fmt": "png"})
@page_cache
def image(fmt: str):
    """The chart as a standalone SVG (or PNG) image with title, axes, source and licence inside."""
    s, chosen, _named = parse_request("streuung.svg")
    body = standalone_image(s, chosen)
    name = f"streuung-{s.x.id}-{s.y.id}-{s.year}"
    return png_response(body, name) if fmt == "png" else svg_response(body, name)
