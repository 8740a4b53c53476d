"""Least privilege: the web app's role `sozmon_app` owns nothing; the audit log is append-only.

Run as the owner role (`sozmon_owner`, scripts/localdb; the test suite: the superuser), which
owns the schema and every table and grants here:

- `sozmon_app`: CONNECT, USAGE on schema public (no CREATE; TEMPORARY for an upload's staging table), SELECT on every
  table and view, INSERT/UPDATE/DELETE on the tables the web app writes (every table but the
  READ_ONLY ones below: releases and their values from uploads, publish, reports, login
  failures, and tables later migrations add, by default privileges), on `editor` only UPDATE
  of `last_login_at` and `session_version`, on `audit_log` only INSERT.
- What needed the owner inside a web request goes through SECURITY DEFINER functions owned by
  the owner with a fixed search_path: `sozmon_analyze(regclass)` (ANALYZE of a table in public:
  publish, rollback, a written draft) and the data epoch trigger (`data_epoch` stays read-only).
- `audit_log` refuses UPDATE, DELETE and TRUNCATE for everyone (trigger `audit_log_append_only`).
  The one way round is DDL only the table's owner may run (docs/operations.md).

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-06
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

APP_ROLE = "sozmon_app"
# Tables the web app only reads (CLI loads, run as the owner, write them).
READ_ONLY = (
    "alembic_version",
    "area",
    "area_shape",
    "outline_body",
    "topic",
    "series_break",
    "incomplete_value",
    "data_epoch",
    "editor",  # column UPDATE below (login time, session version); accounts: CLI only
    "audit_log",  # INSERT only
)

ROLE = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
END $$;
"""

# Every table, partitioned table, view and sequence in public the migration's runner owns
# (PostGIS' spatial_ref_sys belongs to the extension), partitions left out: the app reads and
# writes `value`, never a partition by name.
GRANTS = f"""
DO $$
DECLARE r record;
BEGIN
  EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO {APP_ROLE}', current_database());
  -- Temporary tables only: an upload stages its rows in one (COPY, checks in SQL) that
  -- lives in the session alone and is dropped at the end of the transaction.
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO {APP_ROLE}', current_database());
  REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  GRANT USAGE ON SCHEMA public TO {APP_ROLE};
  FOR r IN
    SELECT c.relname, c.relkind FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND pg_has_role(c.relowner, 'USAGE') AND NOT c.relispartition
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
  LOOP
    IF r.relkind = 'S' THEN
      EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %I TO {APP_ROLE}', r.relname);
    ELSE
      EXECUTE format('GRANT SELECT ON %I TO {APP_ROLE}', r.relname);
      IF r.relkind IN ('r', 'p') AND r.relname <> ALL (:read_only) THEN
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I TO {APP_ROLE}', r.relname);
      END IF;
    END IF;
  END LOOP;
END $$;
GRANT UPDATE (last_login_at, session_version) ON editor TO {APP_ROLE};
GRANT INSERT ON audit_log TO {APP_ROLE};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE};
"""

FUNCTIONS = f"""
ALTER FUNCTION sozmon_data_epoch_bump() SECURITY DEFINER SET search_path = pg_catalog, public;
CREATE FUNCTION sozmon_analyze(target regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF (SELECT relnamespace FROM pg_class WHERE oid = target) <> 'public'::regnamespace THEN
    RAISE EXCEPTION 'sozmon_analyze: only tables in schema public'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  EXECUTE format('ANALYZE %s', target);
END $$;
REVOKE ALL ON FUNCTION sozmon_analyze(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sozmon_analyze(regclass) TO {APP_ROLE};
CREATE FUNCTION sozmon_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION sozmon_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION sozmon_audit_append_only();
"""


def upgrade() -> None:
    """The app role (if missing), its grants, the definer functions, the audit log's trigger."""
    op.execute(ROLE)
    read_only = "ARRAY[" + ", ".join(f"'{t}'" for t in READ_ONLY) + "]::name[]"
    op.execute(GRANTS.replace(":read_only", read_only))
    op.execute(FUNCTIONS)


def downgrade() -> None:
    """Back to 0009's privileges (the role itself stays: other databases may use it)."""
    op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION sozmon_audit_append_only()")
    op.execute("DROP FUNCTION sozmon_analyze(regclass)")
    op.execute("ALTER FUNCTION sozmon_data_epoch_bump() SECURITY INVOKER RESET search_path")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {APP_ROLE};"
        f" ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {APP_ROLE};"
        f" REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE};"
        f" REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE};"
        f" REVOKE USAGE ON SCHEMA public FROM {APP_ROLE};"
    )
