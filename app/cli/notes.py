"""Click commands for Kontextnotizen: load a notes CSV into a draft, list a release's notes."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.editors import audit
from app.web.db import get_engine
from geodata.report import LoadError
from indicators import notes, releases


@click.command("notes-import")
@click.argument("label")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--new-draft",
    is_flag=True,
    help="Create LABEL as a new draft holding only these notes (else LABEL must be a draft).",
)
@with_appcontext
def notes_import_cmd(label: str, path: Path, new_draft: bool) -> None:
    """Add the Kontextnotizen of a CSV (UTF-8; columns ags, indikator or thema, jahr_von[,
    jahr_bis], kategorie, text_de[, text_en, quelle]) to the draft LABEL, all or none.

    They become public when the draft is published (`sozmon publish LABEL`).
    """
    actor = audit.cli_actor()
    try:
        rows = notes.read_notes_csv(path.read_text(encoding="utf-8"))
        with get_engine().begin() as conn:  # one transaction: every note or none
            if new_draft:
                rid = notes.create_notes_draft(conn, label, actor)
            else:
                rel = releases.by_label(conn, label)
                if rel is None:
                    raise click.ClickException(f"Release {label!r} gibt es nicht.")
                rid = rel["id"]
            n = notes.import_notes(conn, rid, rows, actor)
            audit.record(conn, actor, "note_add", label, f"{n} Notizen aus {path.name}")
    except (notes.NoteError, LoadError) as err:
        click.secho(str(err), fg="red", err=True)
        sys.exit(1)
    except UnicodeDecodeError:
        click.secho("Die Notizdatei ist nicht UTF-8.", fg="red", err=True)
        sys.exit(1)
    click.echo(
        f"{n} Kontextnotizen in Entwurf {label} geladen; veröffentlichen: sozmon publish {label}"
    )


@click.command("notes")
@click.argument("label")
@with_appcontext
def notes_cmd(label: str) -> None:
    """List the Kontextnotizen of the release LABEL (any status), one per line."""
    with get_engine().connect() as conn:
        rel = releases.by_label(conn, label)
        if rel is None:
            raise click.ClickException(f"Release {label!r} gibt es nicht.")
        for n in notes.release_notes(conn, rel["id"]):
            what = n.indicator_id or f"Thema {n.topic_id}"
            click.echo(f"{n.id}\t{n.ags}\t{what}\t{n.period}\t{notes.note_line(n)}")


NOTES_COMMANDS = (notes_import_cmd, notes_cmd)
