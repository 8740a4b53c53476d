"""Adding a table in the editors' area: upload, inspect, map, preview on a map, save as draft.

The same path as `sozmon inspect FILE --skeleton` + `sozmon import-genesis FILE --mapping F
--draft`, without a terminal (issue #28). The upload is kept in its own folder below
instance/uploads (named by a random token) until the mapping is saved. The form's mapping is
written as a mapping file and read by the same functions as any file (indicators.mapping_form),
so its checks and messages are the file's; each message is shown next to its field. Preview
imports into a draft inside a transaction that is rolled back; saving imports again, writes the
mapping to DATA_DIR/mappings/genesis/<table>.csv (so the next export of the table loads by
itself) and commits the draft, the new indicator and the audit entries together.
An office CSV/XLSX is inspected only (it needs no mapping): its upload is the release form.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from pathlib import Path

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import text
from werkzeug.utils import secure_filename

from app.editors import audit, auth
from app.editors.blueprint import editors_blueprint
from app.pages.data.image_parts import map_drawing
from app.web.db import get_conn, get_engine
from app.web.errors import BadRequestWithChoices, translate
from geodata.report import LoadError, Problem
from indicators.genesis import GenesisTable, is_genesis, parse_genesis
from indicators.genesis_cache import ComputedCache
from indicators.genesis_import import check_header, import_genesis
from indicators.genesis_inspect import Inspection, inspect_table, render
from indicators.genesis_mapping import KINDS, USER_DIR, GenesisMapping, load_mapping
from indicators.labels import label_problem
from indicators.loaders import upsert_indicators
from indicators.mapping_form import (
    NEW_FIELDS,
    NEW_PREFIX,
    ROW_FIELDS,
    FieldErrors,
    FormRow,
    catalogue_row,
    default_rows,
    field_errors,
    form_rows,
    mapping_text,
    new_indicator,
    new_indicator_problems,
    row_field,
)
from indicators.mapping_preview import draft_preview
from indicators.models import POLARITIES
from indicators.release_inspect import inspect_release, render_release
from indicators.releases import draft_written
from indicators.units import UNITS

bp = editors_blueprint("mapping", __name__, "/redaktion/tabelle")

TOKEN = re.compile(r"^[0-9a-f]{32}$")
STAGED_DAYS = 2  # uploads never mapped are removed after this long (at the next upload)
FORM_MAPPING = "formular.csv"  # the form's mapping file in the upload's folder


def _staging() -> Path:
    return Path(current_app.instance_path) / "uploads" / "tabellen"


def _clean_old(root: Path) -> None:
    """Remove uploads older than STAGED_DAYS (left when an editor never saved a mapping)."""
    limit = time.time() - STAGED_DAYS * 86400
    for d in root.glob("*") if root.is_dir() else []:
        if d.is_dir() and d.stat().st_mtime < limit:
            shutil.rmtree(d, ignore_errors=True)


def _back() -> list[tuple[str, str]]:
    return [(url_for("mapping.start"), _("Tabelle hochladen"))]


def _staged(token: str) -> Path:
    """The uploaded file of a token, or 404."""
    folder = _staging() / token
    files = [p for p in folder.glob("upload-*")] if TOKEN.match(token) and folder.is_dir() else []
    if len(files) != 1:
        raise BadRequestWithChoices(
            404, _("Diese hochgeladene Tabelle gibt es nicht (mehr)."), _back()
        )
    return files[0]


@bp.get("/")
@auth.editor_required
def start():
    """The upload form."""
    return render_template("editor/table_upload.html")


@bp.post("/")
@auth.editor_required
def upload():
    """Keep the file, then show what it is (GENESIS: with the mapping form)."""
    f = request.files.get("datei")
    if f is None or not f.filename:
        raise BadRequestWithChoices(400, _("Bitte eine Datei wählen."), _back())
    root = _staging()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    _clean_old(root)
    token = uuid.uuid4().hex
    folder = root / token
    folder.mkdir(mode=0o700)
    path = folder / f"upload-{secure_filename(f.filename) or 'datei.csv'}"
    f.save(path)
    max_bytes = current_app.config["IMPORT_MAX_BYTES"]
    if path.stat().st_size > max_bytes:
        shutil.rmtree(folder, ignore_errors=True)
        raise BadRequestWithChoices(
            413, _("Die Datei ist größer als %(n)d Bytes.", n=max_bytes), _back()
        )
    if not is_genesis(path):
        try:
            conn = get_conn()
            rep = inspect_release(
                path,
                indicators=set(conn.scalars(text("SELECT id FROM indicator"))),
                areas=set(conn.scalars(text("SELECT ags FROM area"))) or None,
            )
        except LoadError as err:
            return _problems_page(err.problems, f.filename, path), err.status
        finally:
            shutil.rmtree(folder, ignore_errors=True)  # nothing to map: not kept
        return render_template(
            "editor/table_office.html", name=f.filename, text=render_release(rep)
        )
    try:
        parse_genesis(path)
    except LoadError as err:
        shutil.rmtree(folder, ignore_errors=True)
        return _problems_page(err.problems, f.filename, path), err.status
    (folder / "name.txt").write_text(f.filename, encoding="utf-8")
    return redirect(url_for("mapping.table", token=token))


def _problems_page(problems: list[Problem], name: str, path: Path) -> str:
    shown = [
        Problem(
            name if p.file == str(path) else p.file, p.row, p.column, p.message, p.sheet, p.expected
        )
        for p in problems
    ]
    return render_template("editor/table_problems.html", problems=shown, name=name)


def _mapping() -> GenesisMapping:
    """The mapping in force (shipped + data directory); a faulty data directory is a 422."""
    return load_mapping(current_app.config["DATA_DIR"])


def _inspection(path: Path, mapping: GenesisMapping) -> Inspection:
    table = parse_genesis(path)
    areas = set(get_conn().scalars(text("SELECT ags FROM area")))
    header = check_header(table, mapping) if mapping.knows(table.code) else []
    header = [p for p in header if not p.message.startswith(f"Tabelle {table.code}: der Kopf")]
    return inspect_table(table, mapping, header, areas or None, _("Datenbank"))


def _open(token: str) -> tuple[Path, GenesisMapping, Inspection]:
    """The staged file, the mapping in force and what the file holds. A LoadError here (the file
    or the mapping cannot be read) is answered by `refused` with the file's problems."""
    path = _staged(token)
    mapping = _mapping()
    return path, mapping, _inspection(path, mapping)


@bp.errorhandler(LoadError)
def refused(err: LoadError):
    """What a view of one staged file did not catch itself: the problems page of that file."""
    token = (request.view_args or {}).get("token")
    path = _staged(token) if token else Path()
    return _problems_page(err.problems, path.name, path), err.status


def _paths(t: GenesisTable) -> list[str]:
    return list(dict.fromkeys(c.label for c in t.columns))


def _page(
    token: str,
    ins: Inspection,
    rows: list[FormRow],
    *,
    values: dict[str, str],
    errors: FieldErrors | None = None,
    preview: list | None = None,
    drawings: dict | None = None,
) -> str:
    conn = get_conn()
    t = ins.table
    return render_template(
        "editor/table_map.html",
        token=token,
        file_name=(_staging() / token / "name.txt").read_text(encoding="utf-8"),
        ins=ins,
        t=t,
        text=render(ins),
        paths=_paths(t),
        rows=rows,
        values=values,
        errors=errors or FieldErrors(),
        preview=preview,
        drawings=drawings or {},
        kinds=KINDS,
        units=UNITS,
        polarities=POLARITIES,
        new_fields=NEW_FIELDS,
        new_prefix=NEW_PREFIX,
        row_fields=ROW_FIELDS,
        row_field=row_field,
        indicators=conn.execute(text("SELECT id, name_de FROM indicator ORDER BY sort, id")).all(),
        topics=conn.execute(text("SELECT id, name_de FROM topic ORDER BY sort, id")).all(),
        target=Path(current_app.config["DATA_DIR"]) / USER_DIR / f"{t.code}.csv",
    )


@bp.get("/<token>")
@auth.editor_required
def table(token: str):
    """What the table holds, and the mapping form (a known table's lines filled in)."""
    _path, _mapping_now, ins = _open(token)
    t = ins.table
    rows = default_rows(t.code, _paths(t), t.row_labels, ins.lines)
    unmatched = any(k.unmatched for k in ins.keys)
    values = {"label": "", "fremde": "1" if unmatched else "", "note": ""}
    values |= {NEW_PREFIX + f: "" for f in NEW_FIELDS} | {NEW_PREFIX + "decimals": "0"}
    return _page(token, ins, rows, values=values)


@bp.post("/<token>")
@auth.editor_required
def submit(token: str):
    """Check the form; 'vorschau' shows the values on a map, 'speichern' stores the draft."""
    path, mapping_now, ins = _open(token)
    t = ins.table
    paths = _paths(t)
    rows = form_rows(t.code, paths, request.form)
    values = {k: request.form.get(k, "").strip()[:500] for k in ("label", "fremde", "note")}
    new = new_indicator(request.form)
    for f in NEW_FIELDS:
        values[NEW_PREFIX + f] = request.form.get(NEW_PREFIX + f, "").strip()[:2000]
    form_file = path.parent / FORM_MAPPING
    fm = mapping_text(t.code, " ".join(t.title), paths, rows, auth.current_editor())
    errors = FieldErrors()
    if not values["label"]:
        errors.add("label", _("leer: ein Label für den Entwurf, z. B. kita-2016"))
    elif (problem := label_problem(values["label"])) is not None:
        errors.add("label", translate(problem))
    if fm.used == 0:
        errors.add(
            None, _("Keine Zeile ausgefüllt: in mindestens einer Zeile Kennzahl und Art angeben.")
        )
    conn = get_conn()
    if new is not None:
        topics = set(conn.scalars(text("SELECT id FROM topic")))
        known = set(conn.scalars(text("SELECT id FROM indicator")))
        field_errors(new_indicator_problems(new, topics, known), str(form_file), fm, errors)
    form_file.write_text(fm.text, encoding="utf-8")
    data_dir = Path(current_app.config["DATA_DIR"])
    target = data_dir / USER_DIR / f"{t.code}.csv"
    other = mapping_now.table_files.get(t.code)
    if other and Path(other).parent == target.parent and Path(other) != target:
        errors.add(
            None,
            _(
                "Tabelle %(t)s ist schon in %(f)s gemappt: diese Datei zuerst entfernen.",
                t=t.code,
                f=other,
            ),
        )
    mapping: GenesisMapping | None = None
    if not errors:
        try:
            mapping = load_mapping(data_dir, [form_file])
        except LoadError as err:
            field_errors(err.problems, str(form_file), fm, errors)
    if errors or mapping is None:
        return _page(token, ins, rows, values=values, errors=errors), 422
    saving = request.form.get("aktion") == "speichern"
    first_year = min(t.years) if t.years else 2000
    engine = get_engine()
    with engine.connect() as c:
        tx = c.begin()
        try:
            if new is not None:
                upsert_indicators(c, [catalogue_row(new, first_year)], partial=True)
            rep = import_genesis(
                c,
                [path],
                values["label"],
                allow_unmatched=bool(values["fremde"]),
                note=values["note"],
                mapping=mapping,
                cache=_cache(),
            )
            if not saving:
                preview = draft_preview(c, rep.release_id or 0)
                tx.rollback()
                drawings = {p.id: map_drawing(p.fills, False) for p in preview}
                return _page(token, ins, rows, values=values, preview=preview, drawings=drawings)
            draft_written(c, rep.release_id)
            editor, ip = auth.current_editor(), request.remote_addr
            c.execute(
                text("UPDATE release SET created_by = :by WHERE id = :id"),
                {"by": editor, "id": rep.release_id},
            )
            if new is not None:
                audit.record(c, editor, "catalogue_add", values["label"], new["id"], ip)
            audit.record(c, editor, "mapping_save", values["label"], f"{t.code} → {target}", ip)
            audit.record(c, editor, "import", values["label"], f"{rep.values} Werte", ip)
            _write_atomically(target, fm.text)
            try:
                tx.commit()
            except Exception:
                target.unlink(missing_ok=True)
                raise
        except LoadError as err:
            if tx.is_active:
                tx.rollback()
            field_errors(
                [
                    Problem(
                        p.file if p.file != str(path) else path.name,
                        p.row,
                        p.column,
                        p.message,
                        p.sheet,
                        p.expected,
                    )
                    for p in err.problems
                ],
                str(form_file),
                fm,
                errors,
            )
            return _page(token, ins, rows, values=values, errors=errors), err.status
    shutil.rmtree(path.parent, ignore_errors=True)
    flash(
        _(
            "Mapping gespeichert (%(f)s) und Entwurf %(l)s mit %(n)d Werten geladen. Bitte prüfen und veröffentlichen.",
            f=str(target),
            l=values["label"],
            n=rep.values,
        )
    )
    return redirect(url_for("editor.release", release_id=rep.release_id))


def _write_atomically(target: Path, content: str) -> None:
    """The mapping file in the data directory, whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".csv.neu")
    tmp.write_text(content, encoding="utf-8")
    os.replace(tmp, target)


def _cache() -> ComputedCache | None:
    """The computed-rows cache of the command line (setting CACHE_DIR; 'off': none)."""
    setting = current_app.config.get("CACHE_DIR")
    if setting == "off":
        return None
    folder = Path(setting) if setting else Path(current_app.instance_path) / "cache"
    return ComputedCache(folder / "genesis")
