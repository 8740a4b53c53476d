"""The web app may record incomplete sums: INSERT on `incomplete_value` for `sozmon_app`.

A GENESIS table added in the editors' area (/redaktion/tabelle/) is imported by the web app's
role. A sum over parts of which one is withheld is stored as 'u' (unvollständig) and its parts
are named in `incomplete_value` (0009); 0013 left that table read-only for the web app, so such
a table could be loaded by `sozmon import-genesis` but not saved from the browser. INSERT only:
the rows go with their draft (ON DELETE CASCADE runs as the table's owner), nothing is updated.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"


def _grant(statement: str) -> None:
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "') THEN"
        f" {statement}; END IF; END $$"
    )


def upgrade() -> None:
    _grant(f"GRANT INSERT ON incomplete_value TO {APP_ROLE}")


def downgrade() -> None:
    _grant(f"REVOKE INSERT ON incomplete_value FROM {APP_ROLE}")
