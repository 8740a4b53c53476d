"""Fokusberichte for readers: list, report (pinned or with current data), PDF, Atom feed.

Their API (/api/v1/berichte) is `app.api.berichte`.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale

from app.berichte import feed, outputs, store
from app.berichte.render import render
from app.berichte.values import release_dates
from app.editors.auth import is_editor
from app.web import args
from app.web.cache import Region
from app.web.db import get_conn, get_engine
from app.web.errors import BadRequestWithChoices, render_error
from app.web.home import publisher
from app.web.http_cache import data_version_now
from app.web.i18n import gettext as _
from app.web.i18n import localized
from app.web.security import public_url

bp = Blueprint("berichte", __name__)
_RENDERS = Region("berichte")


def _version_or_404(slug: str) -> dict:
    number = args.integer("version", [(url_for("berichte.index"), _("Alle Berichte"))], lo=1)
    v = store.version(get_conn(), slug, number)
    if v is None or len(slug) > 80:
        raise BadRequestWithChoices(
            404,
            _("Diesen Bericht (oder diese Version) gibt es nicht."),
            [(url_for("berichte.index"), _("Alle Berichte"))],
        )
    return v


def _rendered(v: dict, current: bool):
    """The version pinned to its data, or with the current data and every change marked.

    Pinned: the page rendered at publish (report_output), else rendered now and kept in memory.
    Current: kept in memory per version, view, language and data version (releases, catalogue,
    areas): a published version's text never changes, and new data gives a new data version.
    """
    conn = get_conn()
    lang = str(get_locale())
    key = (v["report_id"], v["version"], current, lang, data_version_now())
    if current:
        return _RENDERS.get_or_build(key, lambda: render(conn, v["body"], None, v["release_ids"]))

    def pinned():
        kept = outputs.stored(conn, v["report_id"], v["version"], lang, with_pdf=False)
        return kept.rendered if kept else outputs.pinned_page(conn, v)

    return _RENDERS.get_or_build(key, pinned)


@bp.get("/berichte")
def index():
    reports = store.published(get_conn())
    topics: dict[str, dict] = {}
    for r in reports:
        t = topics.setdefault(r["topic_id"], {"name": localized(r, "topic"), "reports": []})
        t["reports"].append(r)
    return render_template("berichte/index.html", topics=list(topics.values()))


@bp.get("/berichte/<slug>")
def report(slug: str):
    v = _version_or_404(slug)
    current = request.args.get("daten") == "aktuell"
    out = _rendered(v, current)
    conn = get_conn()
    return render_template(
        "berichte/report.html",
        v=v,
        out=out,
        current=current,
        synthetic=out.synthetic,
        stand=release_dates(conn, sorted(out.labels)),
        versions=store.versions(conn, v["report_id"]),
    )


@bp.get("/berichte/<slug>.pdf")
def report_pdf(slug: str):
    """The PDF printed at publish; anonymous readers never start Chromium (503 while missing)."""
    v = _version_or_404(slug)
    lang = str(get_locale())
    kept = outputs.stored(get_conn(), v["report_id"], v["version"], lang, with_pdf=True)
    body = kept.pdf if kept else None
    if body is None and is_editor():  # an editor's first need: print and keep both languages
        with get_engine().begin() as conn:
            outputs.build(current_app._get_current_object(), conn, v, request.host_url)
        kept = outputs.stored(get_conn(), v["report_id"], v["version"], lang, with_pdf=True)
        body = kept.pdf if kept else None
    if body is None:
        current_app.logger.warning(
            "PDF of %s version %s (%s) missing: run `sozmon report-outputs`",
            slug,
            v["version"],
            lang,
        )
        resp = make_response(
            render_error(
                503,
                _("Das PDF dieses Berichts wird noch erstellt. Bitte später erneut versuchen."),
                [(url_for("berichte.report", slug=slug, version=v["version"]), _("Bericht lesen"))],
            )
        )
        resp.headers["Retry-After"] = "60"
        return resp
    resp = Response(body, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="{slug}-v{v["version"]}.pdf"'
    return resp


@bp.get("/berichte/feed.atom")
def atom():
    reports = store.published(get_conn())
    body = feed.atom(
        reports, public_url(), lambda r: url_for("berichte.report", slug=r["slug"]), publisher()
    )
    return Response(body, mimetype="application/atom+xml")
