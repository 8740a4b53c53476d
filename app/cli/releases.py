"""Click commands for the release cycle: import (draft), publish, rollback, diff, editors."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.editors import audit
from app.editors.auth import MIN_PASSWORD_LENGTH, add_editor, remove_editor
from app.web.db import get_engine
from geodata.report import LoadError, Problem
from indicators import releases
from indicators.importer import import_release, write_report
from indicators.ingest import data_catalogues
from indicators.precomputed import Refreshed, refresh


def _refuse(err: releases.ReleaseError) -> None:
    click.secho(str(err), fg="red", err=True)
    sys.exit(1)


def progress_lines(items: range) -> Iterable[int]:
    """Chunks of an insert, with one line per written chunk on stderr (shows how far it got)."""
    for start in items:
        yield start  # the caller writes this chunk before asking for the next one
        click.echo(f"geschrieben: {min(start + items.step, items.stop)} von {items.stop}", err=True)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--label", required=True, help="Label of the new release, e.g. 2025-1.")
@click.option(
    "--catalogue",
    type=click.Path(path_type=Path),
    help="Catalogue file (CSV/XLSX) with new or changed indicators.",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path),
    help="Also write the validation report to this .csv or .json file.",
)
@click.option("--note", default="", help="Note shown with the release.")
@click.option("--synthetic", is_flag=True, help="Mark as synthetic (shown as Beispieldaten).")
@with_appcontext
def import_cmd(
    paths: tuple[Path, ...],
    label: str,
    catalogue: Path | None,
    report: Path | None,
    note: str,
    synthetic: bool,
) -> None:
    """Validate the office's files (CSV/XLSX, long or wide form) and load them as a DRAFT.

    Every problem of every file is listed at once; with any problem nothing is written.
    Publish the draft afterwards with `sozmon publish LABEL`.
    """
    problems: list[Problem] = []
    files = [str(p) for p in (*paths, *([catalogue] if catalogue else []))]
    try:
        with get_engine().begin() as conn:  # one transaction: all of it or nothing
            data_catalogues(conn, current_app.config["DATA_DIR"])
            rid, v = import_release(
                conn,
                list(paths),
                label,
                catalogue=catalogue,
                note=note,
                synthetic=synthetic,
                created_by="cli",
                max_bytes=current_app.config["IMPORT_MAX_BYTES"],
                progress=progress_lines,
            )
            audit.record(conn, audit.cli_actor(), "import", label, f"{v.count} Werte")
    except LoadError as err:
        problems = err.problems
    if report:
        write_report(problems, report, files)
        click.echo(f"Prüfbericht geschrieben: {report}", err=True)
    if problems:
        click.secho(f"{len(problems)} Problem(e) gefunden, nichts geändert:", fg="red", err=True)
        for p in problems:
            click.echo(f"  {p}", err=True)
        sys.exit(1)
    click.echo(
        f"Entwurf {label} (id {rid}) mit {v.count} Werten geladen"
        f"{f', {len(v.catalogue)} Katalogzeilen' if v.catalogue else ''}."
        f" Vorschau: /redaktion/release/{rid} · veröffentlichen: sozmon publish {label}"
    )


def report_precomputed(kept: Refreshed) -> None:
    """The added work of a publish or rollback: the figures kept per data version (issue #32),
    the whole time and per kept table the rows written and the seconds taken."""
    click.echo(
        f"Vorberechnet: {kept.rows} Streuungen und {kept.disparities} Disparitäten-Jahre"
        " der Kommunen für"
        f" {len(kept.indicators) if kept.indicators is not None else 'alle'} Indikatoren"
        f" in {kept.seconds:.2f} s."
    )
    for table, rows in kept.table_rows.items():
        click.echo(f"  {table}: {rows} Zeilen in {kept.table_seconds.get(table, 0.0):.2f} s")


@click.command("publish")
@click.argument("label")
@with_appcontext
def publish_cmd(label: str) -> None:
    """Publish a draft (or re-publish a withdrawn release) atomically.

    Applies the small-number rule (SUPPRESS_NUMERATOR_BELOW) first, then the catalogue changes
    that came with the draft; it becomes the current release of its indicators.
    """
    threshold = current_app.config["SUPPRESS_NUMERATOR_BELOW"]
    try:
        with get_engine().begin() as conn:
            res = releases.publish(conn, label, threshold, by="cli")
            audit.record(conn, audit.cli_actor(), "publish", label, f"{res['withheld']} geheim")
    except releases.ReleaseError as err:
        _refuse(err)
    click.echo(
        f"Release {label} veröffentlicht; {res['withheld']} Werte geheim gehalten"
        f" (Zähler < {threshold} und Sekundärsperrung); {res['alerts']} Meldungen"
        " (/was-ist-neu)."
    )
    report_precomputed(res["precomputed"])


@click.command("rollback")
@click.argument("label", required=False)
@click.option("--force", is_flag=True, help="Also when indicators would be left without data.")
@with_appcontext
def rollback_cmd(label: str | None, force: bool) -> None:
    """Withdraw the newest published release (or LABEL): the previous one is current again.

    The withdrawn release stays readable with ?release=ID; `sozmon publish LABEL` restores it.
    """
    try:
        with get_engine().begin() as conn:
            res = releases.rollback(conn, label, force=force)
            audit.record(
                conn,
                audit.cli_actor(),
                "rollback",
                res["withdrawn"],
                "erzwungen" if force else None,
            )
    except releases.ReleaseError as err:
        _refuse(err)
    click.echo(
        f"Release {res['withdrawn']} zurückgezogen. Jetzt aktuell für seine Indikatoren:"
        f" {', '.join(res['now_current']) or '–'}."
    )
    report_precomputed(res["precomputed"])
    if res["uncovered"]:
        click.secho(f"  ohne veröffentlichte Daten: {', '.join(res['uncovered'])}", fg="yellow")


@click.command("discard-draft")
@click.argument("label")
@with_appcontext
def discard_cmd(label: str) -> None:
    """Delete a draft and its values (published or withdrawn releases are kept for good)."""
    try:
        with get_engine().begin() as conn:
            n = releases.discard_draft(conn, label)
            audit.record(conn, audit.cli_actor(), "discard", label, f"{n} Werte")
    except releases.ReleaseError as err:
        _refuse(err)
    click.echo(f"Entwurf {label} mit {n} Werten verworfen.")


@click.command("releases")
@with_appcontext
def releases_cmd() -> None:
    """List every release with status, dates and numbers of values."""
    with get_engine().connect() as conn:
        for r in releases.releases_overview(conn):
            when = r["published_at"].strftime("%Y-%m-%d %H:%M") if r["published_at"] else "–"
            click.echo(
                f"{r['id']:>4}  {r['label']:<20} {r['status']:<10} {when:<16}"
                f" {r['n_indicators']:>4} Indikatoren {r['n_values']:>7} Werte"
                f" {r['n_suppressed']:>5} geheim"
            )


@click.command("diff")
@click.argument("a")
@click.argument("b", required=False)
@click.option("--out", type=click.Path(path_type=Path), help="Write the full diff as CSV.")
@with_appcontext
def diff_cmd(a: str, b: str | None, out: Path | None) -> None:
    """Values changed, added or removed from release A to release B (labels).

    With one label: what that release changes on the pages — each of its values against the
    value shown without it (releases layer, so most cells of other releases stay as they are).
    """
    if b is None:
        _layer_diff(a)
        return
    with get_engine().connect() as conn:
        ra, rb = releases.by_label(conn, a), releases.by_label(conn, b)
        missing = [x for x, r in ((a, ra), (b, rb)) if r is None]
        if missing:
            _refuse(
                releases.UnknownRelease("release", f"Release {', '.join(missing)} gibt es nicht.")
            )
        d = releases.diff(conn, ra["id"], rb["id"])
    c = d["counts"]
    click.echo(f"{a} → {b}: {c['geändert']} geändert, {c['neu']} neu, {c['entfallen']} entfallen.")
    if out:
        out.write_text(releases.diff_csv(d), encoding="utf-8")
        click.echo(f"Geschrieben: {out}")
    else:
        for r in d["rows"][:50]:
            click.echo(
                f"  {r['change']:<10} {r['indicator_id']} {r['ags']} {r['year']}:"
                f" {releases.cell_text(r['old_value'], r['old_suppressed']) or '–'} →"
                f" {releases.cell_text(r['new_value'], r['new_suppressed']) or '–'}"
            )
        if len(d["rows"]) > 50:
            click.echo(f"  … {len(d['rows']) - 50} weitere (alle mit --out F.csv)")


def _layer_diff(label: str) -> None:
    with get_engine().begin() as conn:
        rel = releases.by_label(conn, label)
        if rel is None:
            _refuse(releases.UnknownRelease("release", f"Release {label} gibt es nicht."))
        # Also kept as the release's change summary (the editors' page shows it).
        d = releases.store_changes(conn, rel["id"], "cli")
    c = d["counts"]
    click.echo(
        f"{label} ändert auf den Seiten: {c['geändert']} Werte geändert, {c['neu']} neu,"
        f" {c['entfallen']} entfallen; {c['verdeckt']} Werte des Releases werden nicht gezeigt"
        " (verdeckt)."
    )
    for r in d["rows"][:50]:
        click.echo(
            f"  {r['change']:<9} {r['indicator_id']} {r['ags']} {r['year']}:"
            f" {releases.cell_text(r['old_value'], r['old_suppressed']) or '–'}"
            f" ({r['old_release'] or '–'}) → {releases.cell_text(r['new_value'], r['new_suppressed']) or '–'}"
            f" ({r['new_release'] or '–'})"
        )
    if d["total"] > 50:
        click.echo(f"  … {d['total'] - 50} weitere")


@click.command("editor-add")
@click.argument("name")
@click.password_option(help=f"At least {MIN_PASSWORD_LENGTH} characters (asked if not given).")
@with_appcontext
def editor_add_cmd(name: str, password: str) -> None:
    """Create an editor account for /redaktion (or set a new password); stored hashed."""
    try:
        with get_engine().begin() as conn:
            add_editor(conn, name, password, by=audit.cli_actor())
    except ValueError as err:
        click.secho(str(err), fg="red", err=True)
        sys.exit(1)
    click.echo(f"Redakteur {name} gespeichert.")


@click.command("editor-remove")
@click.argument("name")
@with_appcontext
def editor_remove_cmd(name: str) -> None:
    """Delete an editor account; its open sessions stop working at once."""
    with get_engine().begin() as conn:
        if not remove_editor(conn, name, by=audit.cli_actor()):
            click.secho(f"Einen Redakteur {name!r} gibt es nicht.", fg="red", err=True)
            sys.exit(1)
    click.echo(f"Redakteur {name} entfernt; seine Sitzungen sind beendet.")


@click.command("precompute")
@with_appcontext
def precompute_cmd() -> None:
    """Recompute every figure kept per data version (publish and rollback keep them in step).

    Needed only after published values were changed outside publish and rollback (by hand in
    SQL); one transaction, readers see the old figures until it commits.
    """
    with get_engine().begin() as conn:
        kept = refresh(conn)
    report_precomputed(kept)


RELEASE_COMMANDS = (
    import_cmd,
    publish_cmd,
    rollback_cmd,
    precompute_cmd,
    discard_cmd,
    releases_cmd,
    diff_cmd,
    editor_add_cmd,
    editor_remove_cmd,
)
