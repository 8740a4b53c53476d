"""The Sozialindex's definition in /redaktion/sozialindex: indicators, direction, years, class
rule, drafted into a release and published with it (indicators/social_index_store.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.editors import audit, auth
from app.editors.blueprint import editors_blueprint
from app.web.db import get_conn, get_engine
from app.web.errors import translate
from geodata.report import LoadError
from indicators import social_index_store
from indicators.queries import topics_with_indicators
from indicators.social_index_store import (
    FORM_ROWS,
    IndexDefinitionError,
    current_definition,
    definition_body,
)

bp = editors_blueprint("sozialindex_editor", __name__, "/redaktion/sozialindex")


def _form_of(body: dict) -> dict[str, str]:
    """A stored or shipped definition as the form's fields."""
    form = {k: str(v) for k, v in body.items() if k != "indicators"}
    for n, ind in enumerate(body["indicators"], start=1):
        form[f"indikator_{n}"] = ind["id"]
        form[f"richtung_{n}"] = str(ind["direction"])
    return form


def _page(form: dict[str, str] | None = None, error: str | None = None, field: str | None = None):
    conn = get_conn()
    shown = current_definition(conn)
    drafts = social_index_store.drafts(conn)
    return render_template(
        "editor/sozialindex.html",
        shown=shown,
        form=form or _form_of(definition_body(shown.definition)),
        rows=FORM_ROWS,
        drafts=drafts,
        history=social_index_store.history(conn),
        topics=topics_with_indicators(conn),
        error=error,
        error_field=field,
    )


@bp.get("/")
@auth.editor_required
def index():
    """The definition shown now, its history per release and the form for a new one."""
    return _page()


@bp.post("/")
@auth.editor_required
def save():
    """Store a definition in a draft (an existing one or a new one); refused: 422, the form
    again with the reason, nothing stored (not even the new draft)."""
    form = {k: v[:200] for k, v in request.form.items() if k != "csrf_token"}
    target = form.get("release_id", "")
    label = form.get("label", "").strip()[:60]
    try:
        with get_engine().begin() as conn:
            if target.isdigit():
                rid = int(target)
            elif label:
                rid = social_index_store.create_definition_draft(conn, label, auth.current_editor())
            else:
                raise IndexDefinitionError(
                    _("Bitte einen Entwurf wählen oder eine Kennung für einen neuen angeben."),
                    field="release_id",
                )
            raw = social_index_store.form_definition(form)
            d, rel_label = social_index_store.save_definition(conn, rid, raw, auth.current_editor())
            audit.record(
                conn,
                auth.current_editor(),
                "index_save",
                rel_label,
                f"{d.key}: {', '.join(d.indicator_ids)}; Status {d.status_year},"
                f" Dynamik {d.dynamics_from}–{d.dynamics_to}",
                request.remote_addr,
            )
    except IndexDefinitionError as err:
        return _page(form, translate(err.message), err.field), err.status
    except LoadError as err:
        return _page(form, "; ".join(p.message for p in err.problems), "label"), err.status
    flash(
        _(
            "Indexdefinition %(k)s im Entwurf %(l)s gespeichert; sie gilt, sobald der Entwurf veröffentlicht ist.",
            k=d.key,
            l=rel_label,
        )
    )
    return redirect(url_for("editor.release", release_id=rid))


@bp.post("/<int:release_id>/loeschen")
@auth.editor_required
def remove(release_id: int):
    """Delete a draft's definition (a published release keeps its own: withdraw it instead)."""
    try:
        with get_engine().begin() as conn:
            gone = social_index_store.remove_definition(conn, release_id)
            if gone:
                audit.record(
                    conn,
                    auth.current_editor(),
                    "index_remove",
                    gone,
                    None,
                    request.remote_addr,
                )
    except IndexDefinitionError as err:
        flash(translate(err.message))
        return redirect(url_for("sozialindex_editor.index")), 409
    flash(
        _("Indexdefinition gelöscht.") if gone else _("Dieser Entwurf hat keine Indexdefinition.")
    )
    return redirect(url_for("sozialindex_editor.index"))
