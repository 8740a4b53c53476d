"""The `sozmon` command: Click commands, one module per group, registered on the app's CLI.

data (schema, boundaries, catalogue, releases, load-all), releases (import, publish, rollback,
diff, editors), genesis (levels, GENESIS tables), gv (Gemeindeverzeichnis), inkar, germany,
ops (backup, restore), reports (Fokusberichte), inspect (what a file is, a mapping skeleton).
"""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""
    from app.cli.alerts import ALERT_COMMANDS  # alerts subscribe|confirm|send
    from app.cli.data import DATA_COMMANDS  # db, load-boundaries, load-catalogue, load-all …
    from app.cli.genesis import GENESIS_COMMANDS  # load-levels, import-genesis
    from app.cli.germany import GERMANY_COMMANDS  # load-germany, build-shapes
    from app.cli.gv import load_gv_cmd
    from app.cli.inkar import INKAR_COMMANDS  # load-inkar
    from app.cli.inspect import INSPECT_COMMANDS  # inspect
    from app.cli.notes import NOTES_COMMANDS  # notes-import, notes
    from app.cli.ops import OPS_COMMANDS  # backup, restore
    from app.cli.releases import RELEASE_COMMANDS  # import, publish, rollback, diff, editor-add
    from app.cli.reports import load_example_report_cmd, report_outputs_cmd

    for cmd in (
        DATA_COMMANDS
        + RELEASE_COMMANDS
        + GENESIS_COMMANDS
        + OPS_COMMANDS
        + GERMANY_COMMANDS
        + INKAR_COMMANDS
        + INSPECT_COMMANDS
        + ALERT_COMMANDS
        + NOTES_COMMANDS
    ):
        app.cli.add_command(cmd)
    app.cli.add_command(load_example_report_cmd)
    app.cli.add_command(report_outputs_cmd)
    app.cli.add_command(load_gv_cmd)


def _create() -> Flask:
    """The `sozmon` command's app: it connects as the owner role (DDL of migrations, loads)."""
    from app import create_app
    from app.web.config import owner_database_url

    return create_app({"DATABASE_URL": owner_database_url()})


main = FlaskGroup(create_app=_create, help="Sozialmonitoring Region Hannover: data commands.")
