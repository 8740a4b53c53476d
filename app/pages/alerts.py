"""Was ist neu? The alerts of every publish (issue #31): a page, Atom feeds per Kommune and per
indicator. The API's list is `app.api.alerts`; the rows come from `app.pages.data.alerts`."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _

from app.pages.data.alerts import by_publish, feed, page_rows
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.http_cache import page_cache
from app.web.i18n import localized
from geodata.queries import list_areas
from indicators.queries import get_indicator, topics_with_indicators

bp = Blueprint("alerts", __name__)
ATOM_TYPE = "application/atom+xml"


def _home_areas() -> list:
    conn = get_conn()
    return [a for level in ("region", "kommune") for a in list_areas(conn, level)]


def _checked(ags: str | None, indicator_id: str | None) -> tuple[str | None, str | None]:
    """The filters if they name a Kommune (or the Region) and an indicator that exist; 404
    with the way back otherwise."""
    back = [(url_for("alerts.index"), _("Alle Meldungen"))]
    if ags and ags not in {a.ags for a in _home_areas()}:
        raise BadRequestWithChoices(404, _("Diese Kommune gibt es hier nicht."), back)
    if indicator_id and (len(indicator_id) > 60 or get_indicator(get_conn(), indicator_id) is None):
        raise BadRequestWithChoices(404, _("Diese Kennzahl gibt es nicht."), back)
    return ags or None, indicator_id or None


@bp.get("/was-ist-neu")
@page_cache
def index():
    ags, ind = _checked(request.args.get("kommune"), request.args.get("indikator"))
    rows = page_rows(ags, ind)
    indicators = [
        (i.id, localized(i, "name"))
        for t in topics_with_indicators(get_conn())
        for i in t.indicators
    ]
    days = by_publish(rows)
    return render_template(
        "was_ist_neu.html",
        days=days,
        areas=_home_areas(),
        indicators=indicators,
        ags=ags,
        indicator_id=ind,
        n=sum(len(d.items) for d in days),  # a publish's new indicators count once
        api_url=url_for("api.alerts", **{k: v for k, v in (("ags", ags), ("indikator", ind)) if v}),
    )


def _atom(body: bytes) -> Response:
    return Response(body, mimetype=ATOM_TYPE)


@bp.get("/was-ist-neu/feed.atom")
def atom_all():
    rows = page_rows(None, None)
    return _atom(feed(rows, _("Was ist neu?"), request.path, url_for("alerts.index")))


@bp.get("/was-ist-neu/kommune/<ags>.atom")
def atom_area(ags: str):
    _checked(ags, None)
    rows = page_rows(ags, None)
    name = next(a.name for a in _home_areas() if a.ags == ags)
    return _atom(
        feed(
            rows,
            _("Was ist neu? %(n)s", n=name),
            request.path,
            url_for("alerts.index", kommune=ags),
        )
    )


@bp.get("/was-ist-neu/kennzahl/<indicator_id>.atom")
def atom_indicator(indicator_id: str):
    _checked(None, indicator_id)
    rows = page_rows(None, indicator_id)
    ind = get_indicator(get_conn(), indicator_id)
    name = localized(ind, "name") if ind else indicator_id
    return _atom(
        feed(
            rows,
            _("Was ist neu? %(n)s", n=name),
            request.path,
            url_for("alerts.index", indikator=indicator_id),
        )
    )
