"""The editors' area /redaktion: login, upload with validation report, draft preview, publish, diff."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from flask import (
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from psycopg.errors import QueryCanceled
from sqlalchemy.exc import OperationalError
from werkzeug.utils import secure_filename

from app.editors import audit, auth, import_jobs
from app.editors.blueprint import editors_blueprint
from app.web import args
from app.web.db import get_conn, get_engine, set_local_timeout
from app.web.downloads import content_disposition
from app.web.errors import BadRequestWithChoices, translate
from geodata.report import LoadError, Problem
from indicators import notes, releases
from indicators.importer import import_release, renamed, report_csv
from indicators.labels import label_problem
from indicators.model import Release
from indicators.profile import valid_areas
from indicators.queries import topics_with_indicators

bp = editors_blueprint("editor", __name__, "/redaktion")


def _safe_next(target: str | None) -> str:
    """Only a path on this site after the browser's normalisation; else the editors' start page.

    Browsers drop tabs and newlines, read '\\' as '/', and treat '//host' as another site:
    any whitespace, control or backslash character is refused, and what is left must parse
    as a bare path that stays on a made-up origin.
    """
    fallback = url_for("editor.index")
    if not target or len(target) > 2000:
        return fallback
    if any(c.isspace() or not c.isprintable() or c == "\\" for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if urlsplit(urljoin("https://site.invalid/x/", target)).netloc != "site.invalid":
        return fallback
    return target


@bp.route("/anmelden", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("editor/login.html", next=request.args.get("next", ""))
    name = request.form.get("name", "").strip()
    outcome = auth.check_login(name, request.form.get("password", ""), request.remote_addr or "")
    if outcome == "ok":
        auth.login_session(name)
        return redirect(_safe_next(request.form.get("next")))
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    message = (
        _("Zu viele Fehlversuche: Die Anmeldung ist für %(m)d Minuten gesperrt.", m=minutes)
        if outcome == "locked"
        else _("Name oder Passwort ist falsch.")
    )
    code = 429 if outcome == "locked" else 401
    return render_template(
        "editor/login.html", error=message, name=name, next=request.form.get("next", "")
    ), code


@bp.post("/abmelden")
def logout():
    auth.logout_session()
    return redirect(url_for("pages.start"))


@bp.get("/")
@auth.editor_required
def index():
    conn = get_conn()
    return render_template(
        "editor/index.html",
        releases=releases.releases_overview(conn),
        editor=auth.current_editor(),
        audit=audit.recent(conn),
    )


@bp.post("/hochladen")
@auth.editor_required
def upload():
    label = request.form.get("label", "").strip()
    files = [f for f in request.files.getlist("files") if f.filename]
    catalogue = request.files.get("catalogue")
    if not label or not files:
        flash(_("Bitte ein Label und mindestens eine Datei angeben."))
        return redirect(url_for("editor.index"))
    if (problem := label_problem(label)) is not None:  # before any file is read or saved
        raise BadRequestWithChoices(
            400, translate(problem), [(url_for("editor.index"), _("Zurück zur Redaktion"))]
        )
    cfg = current_app.config
    folder = import_jobs.upload_folder(current_app.instance_path)
    names: dict[str, str] = {}

    def save(f, i: int) -> Path:
        path = folder / f"{i}-{secure_filename(f.filename) or 'datei'}"
        f.save(path)  # streamed to disk (werkzeug spools big uploads to a file already)
        names[str(path)] = f.filename  # the report names the file as the editor knows it
        return path

    try:
        paths = [save(f, i) for i, f in enumerate(files)]
        cat = save(catalogue, len(files)) if catalogue and catalogue.filename else None
        note = request.form.get("note", "").strip()
        if (
            sum(p.stat().st_size for p in (*paths, *([cat] if cat else [])))
            > cfg["UPLOAD_INLINE_MAX_BYTES"]
        ):
            # Longer than a request may take (gunicorn 30 s, nginx 60 s): a background job.
            with get_engine().begin() as conn:
                job_id = import_jobs.create(
                    conn,
                    label=label,
                    note=note,
                    editor=auth.current_editor(),
                    ip=request.remote_addr,
                    folder=folder,
                    files=[(str(p), names[str(p)]) for p in paths],
                    catalogue=(str(cat), names[str(cat)]) if cat else None,
                )
            import_jobs.start(job_id, cfg["DATABASE_URL"], cfg["IMPORT_MAX_BYTES"])
            folder = None  # the job's now; its worker removes it
            return redirect(url_for("editor.job", job_id=job_id))
        try:
            with get_engine().begin() as conn:  # one transaction: all of it or nothing
                rid, v = import_release(
                    conn,
                    paths,
                    label,
                    catalogue=cat,
                    note=note,
                    created_by=auth.current_editor(),
                    max_bytes=cfg["IMPORT_MAX_BYTES"],
                )
                audit.record(
                    conn,
                    auth.current_editor(),
                    "import",
                    label,
                    f"{v.count} Werte",
                    request.remote_addr,
                )
        except LoadError as err:
            return _report(renamed(err.problems, names), label, list(names.values())), err.status
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    flash(
        _(
            "Entwurf %(l)s mit %(n)d Werten geladen. Bitte prüfen und veröffentlichen.",
            l=label,
            n=v.count,
        )
    )
    return redirect(url_for("editor.release", release_id=rid))


def _report(problems: list[Problem], label: str, files: list[str]) -> str:
    """The validation report page: every problem with file, sheet, row and column."""
    csv_b64 = base64.b64encode(report_csv(problems).encode("utf-8-sig")).decode()
    return render_template(
        "editor/report.html", problems=problems, label=label, files=files, csv_b64=csv_b64
    )


@bp.get("/import/<int:job_id>")
@auth.editor_required
def job(job_id: int):
    """A background import's state; the page reloads itself until the job is done."""
    import_jobs.refresh_stale(get_engine())
    j = import_jobs.get(get_conn(), job_id)
    if j is None:
        raise BadRequestWithChoices(
            404, _("Diesen Import gibt es nicht."), [(url_for("editor.index"), _("Redaktion"))]
        )
    if j["status"] == "failed" and j["problems"]:
        problems = [Problem(**p) for p in j["problems"]]
        return _report(problems, j["label"], [name for _p, name in j["files"]])
    return render_template("editor/job.html", job=j)


def _release_or_404(release_id: int) -> Release:
    rel = releases.visible_release(get_conn(), release_id, editor=True)
    if rel is None:
        raise BadRequestWithChoices(
            404, _("Diesen Release gibt es nicht."), [(url_for("editor.index"), _("Alle Releases"))]
        )
    return rel


# A change summary missing or stale (a release was published or withdrawn since, and it was not
# recomputed with that: a published release's own summary) is recomputed when the page is
# opened if that takes no longer than this; larger releases: `sozmon diff LABEL`.
RECOMPUTE_SECONDS = 1.5


def _change_summary(release_id: int) -> dict:
    """The stored change summary of a release, current; or one marked unavailable (no numbers).

    Computed once when a draft is loaded and again in every publish and withdrawal (issue #26);
    never shown when computed against other published releases than the current ones.
    """
    stored = releases.stored_changes(get_conn(), release_id)
    if stored is not None and stored["fresh"]:
        return stored
    try:
        with get_engine().begin() as conn:
            web = current_app.config["STATEMENT_TIMEOUT"]
            set_local_timeout(conn, min(RECOMPUTE_SECONDS, web) if web else RECOMPUTE_SECONDS)
            return releases.store_changes(conn, release_id, "view")
    except OperationalError as err:
        if not isinstance(err.orig, QueryCanceled):
            raise
    return {"unavailable": True, "stale": stored}


@bp.get("/release/<int:release_id>")
@auth.editor_required
def release(release_id: int):
    return _release_page(release_id)


def _release_page(release_id: int, note_form: dict | None = None, note_error: str | None = None):
    """The release page; with a refused note its form again, filled in, and the message."""
    rel = _release_or_404(release_id)
    year = args.year("jahr", args.without("jahr"))
    conn = get_conn()
    preview = releases.draft_preview(
        conn,
        release_id,
        current_app.config["SUPPRESS_NUMERATOR_BELOW"],
        request.args.get("indikator"),
        year,
    )
    links = {e: e in current_app.view_functions for e in ("maps.karte", "kommune.index")}
    changed = _change_summary(release_id)
    return render_template(
        "editor/release.html",
        release=rel,
        p=preview,
        links=links,
        changes=changed,
        threshold=current_app.config["SUPPRESS_NUMERATOR_BELOW"],
        synthetic=rel.synthetic,
        notes=notes.release_notes(conn, release_id),
        note_form=note_form or {},
        note_error=note_error,
        note_choices=note_choices(conn),
    )


def note_choices(conn) -> dict:
    """What the note form offers: areas, indicators by topic, topics, categories."""
    return {
        "areas": valid_areas(conn),
        "topics": topics_with_indicators(conn),
        "categories": notes.CATEGORIES,
    }


NOTE_FIELDS = (
    "ags",
    "indicator_id",
    "topic_id",
    "year_from",
    "year_to",
    "category",
    "text_de",
    "text_en",
    "source_url",
)


@bp.post("/release/<int:release_id>/notizen")
@auth.editor_required
def note_add(release_id: int):
    """Add a Kontextnotiz to a draft; a refused one shows the form again with the reason (422)."""
    rel = _release_or_404(release_id)
    form = {k: request.form.get(k, "")[:2000] for k in NOTE_FIELDS}
    target = form["indicator_id"]  # one select: "i:<indicator>" or "t:<topic>"
    given = notes.NoteInput(
        ags=form["ags"],
        indicator_id=target[2:] if target.startswith("i:") else None,
        topic_id=target[2:] if target.startswith("t:") else None,
        year_from=notes.form_year(form["year_from"]),
        year_to=notes.form_year(form["year_to"]),
        category=form["category"],
        text_de=form["text_de"],
        text_en=form["text_en"],
        source_url=form["source_url"],
    )
    try:
        with get_engine().begin() as conn:
            note_id = notes.add_note(conn, release_id, given, auth.current_editor())
            audit.record(
                conn,
                auth.current_editor(),
                "note_add",
                rel.label,
                f"Notiz {note_id}: {given.ags} {target[2:]} {form['year_from']}",
                request.remote_addr,
            )
    except notes.NoteError as err:
        return _release_page(release_id, form, translate(err.message)), err.status
    flash(_("Notiz gespeichert; sie wird mit dem Release veröffentlicht."))
    return redirect(url_for("editor.release", release_id=release_id, _anchor="notizen"))


@bp.post("/release/<int:release_id>/notizen/<int:note_id>/loeschen")
@auth.editor_required
def note_delete(release_id: int, note_id: int):
    """Delete a note of a draft (published releases keep theirs: withdraw the release instead)."""
    rel = _release_or_404(release_id)
    try:
        with get_engine().begin() as conn:
            gone = notes.delete_note(conn, release_id, note_id)
            if gone is not None:
                audit.record(
                    conn,
                    auth.current_editor(),
                    "note_remove",
                    rel.label,
                    f"Notiz {note_id}: {gone.ags} {gone.indicator_id or gone.topic_id} {gone.period}",
                    request.remote_addr,
                )
    except notes.NoteError as err:
        flash(translate(err.message))
        return redirect(url_for("editor.release", release_id=release_id, _anchor="notizen"))
    flash(_("Notiz gelöscht.") if gone else _("Diese Notiz gibt es in diesem Entwurf nicht."))
    return redirect(url_for("editor.release", release_id=release_id, _anchor="notizen"))


@bp.post("/notizen/entwurf")
@auth.editor_required
def notes_draft():
    """A new draft without values, to publish notes alone."""
    label = request.form.get("label", "").strip()[:60]
    try:
        with get_engine().begin() as conn:
            rid = notes.create_notes_draft(conn, label, auth.current_editor())
            audit.record(
                conn,
                auth.current_editor(),
                "import",
                label,
                "0 Werte (Kontextnotizen)",
                request.remote_addr,
            )
    except LoadError as err:
        flash("; ".join(p.message for p in err.problems))
        return redirect(url_for("editor.index"))
    flash(_("Entwurf %(l)s angelegt: Notizen hinzufügen, dann veröffentlichen.", l=label))
    return redirect(url_for("editor.release", release_id=rid, _anchor="notizen"))


@bp.post("/release/<int:release_id>/veroeffentlichen")
@auth.editor_required
def publish(release_id: int):
    rel = _release_or_404(release_id)
    limit = current_app.config["PUBLISH_STATEMENT_TIMEOUT"]
    g.statement_timeout = limit  # the 503 page names the limit that applied
    try:
        with get_engine().begin() as conn:
            set_local_timeout(conn, limit)  # longer than a page's, still finite
            res = releases.publish(
                conn,
                rel.label,
                current_app.config["SUPPRESS_NUMERATOR_BELOW"],
                by=auth.current_editor(),
            )
            audit.record(
                conn,
                auth.current_editor(),
                "publish",
                rel.label,
                f"{res['withheld']} geheim",
                request.remote_addr,
            )
    except releases.ReleaseError as err:
        flash(translate(err.message))
        return redirect(url_for("editor.release", release_id=release_id))
    flash(
        _(
            "Release %(l)s veröffentlicht; %(n)d Werte geheim gehalten.",
            l=rel.label,
            n=res["withheld"],
        )
    )
    return redirect(url_for("editor.index"))


@bp.get("/vergleich")
@auth.editor_required
def diff():
    a, b = args.number("a"), args.number("b")
    conn = get_conn()
    if a is None or b is None or not all(releases.visible_release(conn, x, True) for x in (a, b)):
        all_ = releases.releases_overview(conn)
        choices = [
            (url_for("editor.diff", a=r["id"], b=r2["id"]), f"{r['label']} → {r2['label']}")
            for r in all_
            for r2 in all_
            if r["id"] != r2["id"]
        ][:20]
        raise BadRequestWithChoices(
            400, _("Bitte zwei vorhandene Releases wählen (a, b)."), choices
        )
    d = releases.diff(conn, a, b)
    if request.args.get("format") == "csv":
        name = f"vergleich_{d['a'].label}_{d['b'].label}.csv"
        return Response(
            releases.diff_csv(d),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": content_disposition(name)},
        )
    synthetic = d["a"].synthetic or d["b"].synthetic
    return render_template("editor/diff.html", d=d, rows=d["rows"][:1000], synthetic=synthetic)
