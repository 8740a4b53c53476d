"""The kept profile rows split by `synthetic`: outside demo mode the demo half is not read.

`profile_value` (0020) keeps the shown values of the Kommunen, the Region, the Länder and the
Bund with demo mode on, the Beispieldaten marked `synthetic`, and its readers dropped those
rows only after reading them (`NOT synthetic OR demo mode`): outside demo mode a profile read
46,604 rows on the Germany fixture where 20,647 would do (docs/ops/budgets2.md).

The table is now list-partitioned by `synthetic` (`profile_value_real`, `profile_value_demo`)
and the readers say `synthetic = ANY(ARRAY[false, <demo mode>])`: the array names `true` only
in demo mode, and PostgreSQL prunes the demo partition when the statement starts (a stable
expression per element; the plan shows "Subplans Removed"). The writer is unchanged (an INSERT
into the parent goes to its partition). The key gains `synthetic` (a partitioned table's key
holds the partition key); an indicator's shown values are all real or all synthetic (0014),
so (indicator, area, year) stays unique.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"
COLUMNS = (
    "release_id, indicator_id, ags, year, value, numerator, denominator, suppressed, flag,"
    " release_label, synthetic, status, published_at"
)
TABLE = """
CREATE TABLE profile_value (
    release_id integer NOT NULL,
    indicator_id varchar(60) NOT NULL REFERENCES indicator (id) ON DELETE CASCADE,
    ags varchar(8) NOT NULL,
    year integer NOT NULL,
    value double precision,
    numerator double precision,
    denominator double precision,
    suppressed boolean NOT NULL,
    flag varchar(3),
    release_label varchar(60) NOT NULL,
    synthetic boolean NOT NULL,
    status varchar(12) NOT NULL,
    published_at timestamp with time zone,
    CONSTRAINT profile_value_pkey PRIMARY KEY ({key})
){partition}
"""


def _grant() -> None:
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "') THEN"
        f" GRANT SELECT, INSERT, DELETE ON profile_value TO {APP_ROLE}; END IF; END $$"
    )


def _swap(key: str, partition: str, parts: list[str]) -> None:
    """Rebuild profile_value with this key and partitioning, its rows copied over."""
    op.execute("ALTER TABLE profile_value RENAME TO profile_value_old")
    op.execute("ALTER INDEX profile_value_pkey RENAME TO profile_value_old_pkey")
    op.execute("ALTER TABLE profile_value_old DROP CONSTRAINT profile_value_indicator_id_fkey")
    op.execute("DROP INDEX profile_value_by_area")
    op.execute(TABLE.format(key=key, partition=partition))
    for part in parts:
        op.execute(part)
    op.execute(f"INSERT INTO profile_value ({COLUMNS}) SELECT {COLUMNS} FROM profile_value_old")
    op.execute("DROP TABLE profile_value_old")
    op.execute("CREATE INDEX profile_value_by_area ON profile_value (ags, indicator_id, year)")
    _grant()
    op.execute("ANALYZE profile_value")


def upgrade() -> None:
    """profile_value partitioned by synthetic: profile_value_real and profile_value_demo."""
    _swap(
        "indicator_id, ags, year, synthetic",
        " PARTITION BY LIST (synthetic)",
        [
            "CREATE TABLE profile_value_real PARTITION OF profile_value FOR VALUES IN (false)",
            "CREATE TABLE profile_value_demo PARTITION OF profile_value FOR VALUES IN (true)",
        ],
    )


def downgrade() -> None:
    """Back to 0022: one table, keyed by indicator, area and year."""
    _swap("indicator_id, ags, year", "", [])
