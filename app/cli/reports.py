"""Command: load and publish the example report (on the real Regionalstatistik data)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from app.berichte import outputs, pdf, store
from app.berichte.render import render
from app.berichte.values import published_release_ids
from app.editors import audit
from app.web.db import get_engine

EXAMPLE = {
    "slug": "bevoelkerung-und-mindestsicherung-2010-2015",
    "topic_id": "mindestsicherung",
    "title": "Bevölkerung und Mindestsicherung in der Region Hannover 2010–2015",
    "summary": "Wie sich Einwohnerzahl und Mindestsicherungsquote in der Region, der"
    " Landeshauptstadt, Niedersachsen und Deutschland entwickelt haben – auf Grundlage"
    " der Regionaldatenbank Deutschland.",
}
EXAMPLE_BODY = (
    Path(__file__).parents[1] / "berichte" / "data" / "bevoelkerung-mindestsicherung-2010-2015.md"
)


@click.command("load-example-report")
@click.option("--no-audit", is_flag=True, hidden=True, help="Part of load-all: not logged.")
@with_appcontext
def load_example_report_cmd(no_audit: bool = False) -> None:
    """Publish the example Fokusbericht unless a report with its address exists."""
    fields = {**EXAMPLE, "body": EXAMPLE_BODY.read_text(encoding="utf-8")}
    actor = audit.cli_actor()
    with get_engine().begin() as conn:
        if conn.scalar(text("SELECT 1 FROM report WHERE slug = :s"), {"s": fields["slug"]}):
            click.echo(f"Bericht {fields['slug']} ist schon geladen.")
            return
        with current_app.test_request_context():  # numbers are formatted in German
            out = render(conn, fields["body"], published_release_ids(conn))
        if out.errors:
            click.secho(
                f"{EXAMPLE_BODY}: {len(out.errors)} Fehler, nichts geändert:", fg="red", err=True
            )
            for n, source, message in out.errors:
                click.echo(f"  {n}. {source}: {message}", err=True)
            sys.exit(1)
        rid = store.save(conn, None, fields, actor)
        res = store.publish(conn, rid, actor)
        if not no_audit:  # like the other steps of load-all, setting up is not an editor's act
            audit.record(conn, actor, "report_publish", res["slug"], f"Version {res['version']}")
    click.echo(f"Beispielbericht {res['slug']} veröffentlicht (Version {res['version']}).")
    _build_all()


def _build_all() -> int:
    """Print every published version whose page or PDF is missing; returns the count."""
    app = current_app._get_current_object()
    base = app.config.get("PUBLIC_URL") or "http://localhost"
    done = 0
    with get_engine().connect() as conn:
        todo = outputs.missing(conn)
    for row in todo:
        with get_engine().begin() as conn:
            v = store.version(conn, row["slug"], row["version"])
            done += outputs.build(app, conn, v, base)
        click.echo(f"Bericht {row['slug']} Version {row['version']}: Seite und PDF gespeichert.")
    return done


@click.command("report-outputs")
@with_appcontext
def report_outputs_cmd() -> None:
    """Render and keep the page and PDF (de, en) of every published report version lacking them.

    Publishing does this itself; run it after migration 0011 for versions published before, or
    when a publish could not print (Chromium missing). Readers never start Chromium.
    """
    n = _build_all()
    click.echo(f"{n} PDF gedruckt (Chromium-Starts: {pdf.LAUNCHES}).")
