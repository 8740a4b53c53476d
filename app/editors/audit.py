"""The editors' audit log: who logged in (or failed to), imported, published, withdrew or
discarded what, and who added, removed or re-passworded an editor.

Append-only: the web app's role may only INSERT, and a trigger refuses UPDATE, DELETE and
TRUNCATE for everyone (migration 0013, docs/operations.md)."""

from __future__ import annotations

import getpass

from sqlalchemy import Connection, text

ACTIONS = (
    "login",
    "login_failed",  # detail: wrong name or password, or locked; with the client's address
    "logout",
    "editor_add",
    "editor_password",  # a new password for an existing editor (ends their sessions)
    "editor_remove",
    "import",
    "publish",
    "rollback",
    "discard",
    "note_add",  # Kontextnotizen added to a draft (web form or sozmon notes-import)
    "note_remove",
    "report_save",
    "report_publish",
    "mapping_save",  # a table's mapping saved from the browser into DATA_DIR/mappings/genesis/
    "catalogue_add",  # a new indicator described in the mapping form
    "index_save",  # a Sozialindex definition stored in a draft (/redaktion/sozialindex)
    "index_remove",
)


def record(
    conn: Connection,
    editor: str,
    action: str,
    release: str | None = None,
    detail: str | None = None,
    ip: str | None = None,
) -> None:
    """Add one entry in the caller's transaction (written only if the action is)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(
        text(
            "INSERT INTO audit_log (editor, action, release_label, detail, ip)"
            " VALUES (:e, :a, :r, :d, :ip)"
        ),
        {"e": editor[:80], "a": action, "r": release, "d": detail, "ip": (ip or "")[:64] or None},
    )


def recent(conn: Connection, limit: int = 50) -> list[dict]:
    """The newest entries first."""
    rows = conn.execute(
        text(
            "SELECT at, editor, action, release_label, detail, ip FROM audit_log"
            " ORDER BY at DESC, id DESC LIMIT :l"
        ),
        {"l": limit},
    )
    return [dict(r._mapping) for r in rows]


def cli_actor() -> str:
    """Who ran a command line action: the operating-system user, marked as such."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
