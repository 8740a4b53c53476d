"""Was ist neu? The alerts of every publish (issue #31): a page, Atom feeds per Kommune and per
indicator, each paged (`seite`); the public sign-up for e-mail alerts (double opt-in) with its
confirmation and unsubscribe pages. The API's list is `app.api.alerts`; the rows come from
`app.pages.data.alerts`, the sign-up's checks from `app.pages.data.alert_signup`."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from app.pages.data.alert_signup import Outcome, Signup, sign_up
from app.pages.data.alerts import AlertPage, by_publish, feed, page_rows
from app.web import args
from app.web.db import get_conn, get_engine
from app.web.errors import BadRequestWithChoices
from app.web.http_cache import page_cache
from app.web.i18n import gettext as _
from app.web.i18n import localized
from app.web.security import public_form
from geodata.queries import list_areas
from indicators import alert_queries as q
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


def _indicators() -> list[tuple[str, str]]:
    return [
        (i.id, localized(i, "name"))
        for t in topics_with_indicators(get_conn())
        for i in t.indicators
    ]


def _page_url(p: int) -> str:
    """Page p of this list (this view, its filters)."""
    keep = {k: v for k, v in request.args.items() if k != "seite"}
    return url_for(
        request.endpoint or "alerts.index",
        **(request.view_args or {}),
        **keep,
        **({"seite": p} if p > 1 else {}),
    )


def _page(ags: str | None, ind: str | None) -> AlertPage:
    """The page `seite` of the alerts; 404 with the pages there are beyond the last one."""
    number = args.integer("seite", args.without("seite"), lo=1) or 1
    page = page_rows(ags, ind, number)
    if number > page.pages:
        raise BadRequestWithChoices(
            404,
            _("Die Liste hat nur %(n)s Seiten.", n=page.pages),
            [(_page_url(p), str(p)) for p in range(1, min(page.pages, 20) + 1)],
        )
    return page


def _page_links(page: AlertPage) -> dict[str, str]:
    """rel → URL of the other pages of this list (RFC 5005's names)."""
    links = {}
    if page.pages > 1:
        links["first"], links["last"] = _page_url(1), _page_url(page.pages)
    if page.page > 1:
        links["previous"] = _page_url(page.page - 1)
    if page.page < page.pages:
        links["next"] = _page_url(page.page + 1)
    return links


@bp.get("/was-ist-neu")
@page_cache
def index():
    ags, ind = _checked(request.args.get("kommune"), request.args.get("indikator"))
    page = _page(ags, ind)
    days = by_publish(page.rows)
    return render_template(
        "was_ist_neu.html",
        days=days,
        page=page,
        page_links=_page_links(page),
        areas=_home_areas(),
        indicators=_indicators(),
        ags=ags,
        indicator_id=ind,
        # A publish's new indicators count once, as the page shows them (grouped on this page).
        n=page.total - len(page.rows) + sum(len(d.items) for d in days),
        api_url=url_for("api.alerts", **{k: v for k, v in (("ags", ags), ("indikator", ind)) if v}),
    )


def _atom(rows: AlertPage, title: str, page_path: str) -> Response:
    links = tuple(_page_links(rows).items())
    self_path = request.full_path if request.query_string else request.path
    body = feed(rows.rows, title, self_path, page_path, links)
    return Response(body, mimetype=ATOM_TYPE)


@bp.get("/was-ist-neu/feed.atom")
def atom_all():
    return _atom(_page(None, None), _("Was ist neu?"), url_for("alerts.index"))


@bp.get("/was-ist-neu/kommune/<ags>.atom")
def atom_area(ags: str):
    _checked(ags, None)
    name = next(a.name for a in _home_areas() if a.ags == ags)
    return _atom(
        _page(ags, None), _("Was ist neu? %(n)s", n=name), url_for("alerts.index", kommune=ags)
    )


@bp.get("/was-ist-neu/kennzahl/<indicator_id>.atom")
def atom_indicator(indicator_id: str):
    _checked(None, indicator_id)
    ind = get_indicator(get_conn(), indicator_id)
    name = localized(ind, "name") if ind else indicator_id
    return _atom(
        _page(None, indicator_id),
        _("Was ist neu? %(n)s", n=name),
        url_for("alerts.index", indikator=indicator_id),
    )


# --- e-mail alerts: public sign-up (double opt-in), confirmation, unsubscribe ---------------


def _personal(html: str, status: int = 200) -> Response:
    """A page about one address or token: never stored by any cache, never indexed."""
    resp = make_response(html, status)
    resp.cache_control.no_store = True
    resp.headers["X-Robots-Tag"] = "noindex"
    # the token is in the URL: no Referer from this page to another site ("same-origin":
    # "no-referrer" would make the browser send `Origin: null` with the page's own form)
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp


def _form_error(message: str) -> BadRequestWithChoices:
    return BadRequestWithChoices(
        400, message, [(url_for("alerts.index", _anchor="abonnieren"), _("Zum Formular"))]
    )


@bp.post("/was-ist-neu/abonnieren")
@public_form()
def subscribe():
    email = (request.form.get("email") or "").strip()
    if not q.valid_email(email):
        raise _form_error(_("Bitte eine gültige E-Mail-Adresse angeben."))
    ags, ind = _checked(request.form.get("kommune"), request.form.get("indikator"))
    if not ags and not ind:
        raise _form_error(_("Bitte eine Kommune oder eine Kennzahl wählen."))
    lang = "en" if request.form.get("sprache") == "en" else "de"
    with get_engine().begin() as conn:
        outcome = sign_up(conn, Signup(email, ags, ind, lang))
    if outcome is Outcome.PAUSED:
        raise BadRequestWithChoices(
            503,
            _("Zurzeit werden sehr viele Anmeldungen gesendet. Bitte versuchen Sie es später."),
            [(url_for("alerts.index"), _("Was ist neu?"))],
        )
    # The same answer whether stored or not: it says nothing about an address.
    return _personal(render_template("alarm_abo.html", step="bestellt", email=email))


@bp.get("/was-ist-neu/abonnieren")
def subscribe_form():
    """The form's address opened directly (the language link of the answer page): the form."""
    lang = request.args.get("lang")
    keep = {"lang": lang} if lang in ("de", "en") else {}
    return redirect(url_for("alerts.index", _anchor="abonnieren", **keep))


def _token_page(token: str, step: str) -> Response:
    with get_engine().connect() as conn:
        sub = q.by_token(conn, token)
    if sub is None:
        raise BadRequestWithChoices(
            404,
            _("Dieser Link ist nicht (mehr) gültig: das Abonnement gibt es nicht."),
            [(url_for("alerts.index"), _("Was ist neu?"))],
        )
    return _personal(render_template("alarm_abo.html", step=step, sub=sub, token=token))


@bp.get("/was-ist-neu/bestaetigen/<token>")
def confirm(token: str):
    # A GET changes nothing: mail scanners open every link of an e-mail.
    return _token_page(token, "bestaetigen")


@bp.post("/was-ist-neu/bestaetigen/<token>")
@public_form()
def confirm_post(token: str):
    with get_engine().begin() as conn:
        sub = q.confirm(conn, token)
    if sub is None:
        return _token_page(token, "bestaetigt")  # 404
    return _personal(render_template("alarm_abo.html", step="bestaetigt", sub=sub, token=token))


@bp.get("/was-ist-neu/abbestellen/<token>")
def unsubscribe(token: str):
    return _token_page(token, "abbestellen")


@bp.post("/was-ist-neu/abbestellen/<token>")
@public_form(one_click=True)
def unsubscribe_post(token: str):
    with get_engine().begin() as conn:
        sub = q.unsubscribe(conn, token)
    # Unsubscribing twice is no error: the address is gone either way.
    return _personal(render_template("alarm_abo.html", step="abbestellt", sub=sub))
