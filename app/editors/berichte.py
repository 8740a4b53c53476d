"""Writing Fokusberichte in /redaktion/berichte: draft, preview with errors in place, publish."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from app.berichte import outputs, store
from app.berichte.render import render
from app.berichte.values import published_release_ids
from app.editors import audit, auth
from app.editors.blueprint import editors_blueprint
from app.render.findings import draft_markdown
from app.web import args
from app.web.db import get_conn, get_engine
from app.web.errors import BadRequestWithChoices
from indicators.benchmarks import comparator
from indicators.errors import InvalidChoice
from indicators.findings import profile_findings
from indicators.profile import profile
from indicators.queries import topics_with_indicators
from indicators.trend_queries import area_trends

bp = editors_blueprint("berichte_editor", __name__, "/redaktion/berichte")


def _fields() -> dict:
    f = request.form
    return {
        "slug": f.get("slug", "").strip(),
        "topic_id": f.get("topic_id", ""),
        "title": f.get("title", "").strip(),
        "summary": f.get("summary", "").strip(),
        "body": f.get("body", "").replace("\r\n", "\n"),
    }


def _form(report: dict | None, fields: dict, error: str | None = None, code: int = 200):
    conn = get_conn()
    # Only an existing report's page shows the preview (bounded by the render budget).
    preview = render(conn, fields["body"], None) if report and fields.get("body") else None
    return render_template(
        "berichte/edit.html",
        report=report,
        f=fields,
        error=error,
        preview=preview,
        topics=topics_with_indicators(conn),
        versions=store.versions(conn, report["id"]) if report else [],
    ), code


def _findings_draft(ags: str) -> dict:
    """A new report's fields filled with a Kommune's findings against the chosen benchmark
    (`vergleich_mit`), as its profile shows them."""
    conn = get_conn()
    region = current_app.config["REGION"]
    against = comparator(conn, args.benchmark(), region)
    try:
        p = profile(conn, ags, region=region, against=against)
    except InvalidChoice:
        raise BadRequestWithChoices(
            404,
            _("Die Kommune „%(a)s“ gibt es nicht.", a=ags[:12]),
            [(url_for("berichte_editor.new"), _("Leerer Bericht"))],
        ) from None
    if p["is_region"]:
        raise BadRequestWithChoices(
            400,
            _("Befunde gibt es für eine Kommune, nicht für die Region als Ganzes."),
            [(url_for("berichte_editor.new"), _("Leerer Bericht"))],
        )
    trends = {i: t for (i, _a), t in area_trends(conn, [ags]).items()}
    name = p["area"].name
    return {
        "slug": "",
        "topic_id": "",
        "title": _("Befunde: %(name)s", name=name),
        "summary": "",
        "body": draft_markdown(profile_findings(p, trends), name, against),
    }


def _report_or_404(report_id: int) -> dict:
    r = store.draft(get_conn(), report_id)
    if r is None:
        raise BadRequestWithChoices(
            404,
            _("Diesen Bericht gibt es nicht."),
            [(url_for("berichte_editor.index"), _("Alle Berichte"))],
        )
    return r


@bp.get("/")
@auth.editor_required
def index():
    return render_template("berichte/editor_index.html", reports=store.drafts(get_conn()))


@bp.route("/neu", methods=["GET", "POST"])
@auth.editor_required
def new():
    if request.method == "GET":
        empty = {"slug": "", "topic_id": "", "title": "", "summary": "", "body": ""}
        if request.args.get("befunde"):  # the starting draft offered on a Kommune's profile
            empty = _findings_draft(request.args["befunde"])
        return _form(None, empty)
    fields = _fields()
    try:
        with get_engine().begin() as conn:
            rid = store.save(conn, None, fields, auth.current_editor())
            audit.record(
                conn,
                auth.current_editor(),
                "report_save",
                fields["slug"],
                _("Bericht angelegt"),
                request.remote_addr,
            )
    except store.ReportError as err:
        return _form(None, fields, str(err), err.status)
    flash(_("Entwurf gespeichert."))
    return redirect(url_for("berichte_editor.edit", report_id=rid) + "#vorschau")


@bp.route("/<int:report_id>", methods=["GET", "POST"])
@auth.editor_required
def edit(report_id: int):
    report = _report_or_404(report_id)
    if request.method == "GET":
        return _form(report, report)
    fields = _fields()
    try:
        with get_engine().begin() as conn:
            store.save(conn, report_id, fields, auth.current_editor())
            audit.record(
                conn,
                auth.current_editor(),
                "report_save",
                fields["slug"],
                _("Entwurf gespeichert"),
                request.remote_addr,
            )
    except store.ReportError as err:
        return _form(report, fields, str(err), err.status)
    flash(_("Entwurf gespeichert."))
    return redirect(url_for("berichte_editor.edit", report_id=report_id) + "#vorschau")


@bp.post("/<int:report_id>/veroeffentlichen")
@auth.editor_required
def publish(report_id: int):
    report = _report_or_404(report_id)
    with get_engine().begin() as conn:
        # Checked in the publishing transaction, on exactly the releases the version pins.
        out = render(conn, report["body"], published_release_ids(conn))
        if out.errors:
            conn.rollback()
            flash(
                _(
                    "Nicht veröffentlicht: Der Bericht hat %(n)d Fehler (siehe Vorschau).",
                    n=len(out.errors),
                )
            )
            return redirect(url_for("berichte_editor.edit", report_id=report_id) + "#vorschau")
        res = store.publish(conn, report_id, auth.current_editor())
        audit.record(
            conn,
            auth.current_editor(),
            "report_publish",
            res["slug"],
            f"Version {res['version']}",
            request.remote_addr,
        )
    # The readers' page and PDF, both languages, printed now (after the commit: a failing
    # Chromium does not undo the publish); anonymous readers never print one themselves.
    v = store.version(get_conn(), res["slug"], res["version"])
    try:
        with get_engine().begin() as conn:
            outputs.build(current_app._get_current_object(), conn, v, request.host_url)
    except Exception:  # noqa: BLE001 — the version is published; `sozmon report-outputs` repeats
        current_app.logger.exception("report outputs of %s v%s", res["slug"], res["version"])
        flash(_("Das PDF konnte nicht erstellt werden; bitte `sozmon report-outputs` ausführen."))
    flash(_("Bericht veröffentlicht (Version %(v)d).", v=res["version"]))
    return redirect(url_for("berichte.report", slug=res["slug"]))
