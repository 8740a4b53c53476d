"""Least privilege (issue #26): the web app's role owns nothing, cannot run programs or DDL, and
cannot edit the audit log; the editors' flows still work as that role; the log covers failed
logins and editor changes. Real PostGIS, the role as scripts/localdb and migration 0013 make it."""

from __future__ import annotations

import os
import subprocess

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from app.web.config import APP_ROLE
from indicators import releases
from tests.conftest import ROOT, invoke
from tests.test_editor import PASSWORD, login, token, upload
from tests.test_releases import SMALL, small_release

REFUSED = [
    "COPY (SELECT 1) TO PROGRAM 'true'",
    "UPDATE audit_log SET detail = 'verändert'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
    "DROP TABLE value",
    "DROP TABLE audit_log",
    "CREATE TABLE eigene (i int)",
    "ALTER TABLE release ADD COLUMN x int",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "UPDATE editor SET password_hash = 'x'",
    "INSERT INTO editor (name, password_hash) VALUES ('eindringling', 'x')",
    "DELETE FROM editor",
    "UPDATE data_epoch SET n = 0",
    "DELETE FROM area",
    "SELECT sozmon_analyze('pg_catalog.pg_authid')",
    "SET ROLE postgres",
    "SELECT pg_read_file('/etc/passwd')",
]


def _engine(application):
    return application.extensions["sozmon_engine"]


def _audit(application) -> list[tuple]:
    with _engine(application).connect() as c:
        rows = c.execute(text("SELECT editor, action, release_label, detail, ip FROM audit_log"))
        return [tuple(r) for r in rows]


def test_the_app_role_owns_nothing_and_is_no_superuser(app_role_app):
    as_app, _admin = app_role_app
    with _engine(as_app).connect() as c:
        assert c.scalar(text("SELECT current_user")) == APP_ROLE
        attrs = c.execute(
            text(
                "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls"
                " FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
        assert not any(attrs)
        owned = c.scalar(
            text(
                "SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole"
                " UNION ALL SELECT count(*) FROM pg_proc WHERE proowner = current_user::regrole"
            )
        )
        assert owned == 0
        assert not c.scalar(text("SELECT has_schema_privilege('public', 'CREATE')"))
        assert not c.scalar(text("SELECT has_database_privilege(current_database(), 'CREATE')"))
        # no membership in a predefined role that reads files or runs programs
        assert not c.scalar(
            text("SELECT count(*) FROM pg_auth_members WHERE member = current_user::regrole")
        )


def test_the_app_role_cannot_run_programs_ddl_or_edit_the_log(app_role_app):
    as_app, admin = app_role_app
    with _engine(admin).begin() as c:  # a row to update or delete
        c.execute(text("INSERT INTO audit_log (editor, action) VALUES ('x', 'login')"))
    allowed = []
    for sql in REFUSED:
        try:
            with _engine(as_app).begin() as c:
                c.execute(text(sql))
            allowed.append(sql)
        except DBAPIError as err:
            assert err.orig.sqlstate == "42501", (sql, err)  # insufficient privilege
    assert allowed == []
    with _engine(admin).connect() as c:
        assert c.scalar(text("SELECT count(*) FROM audit_log WHERE editor = 'x'")) == 1
        assert c.scalar(text("SELECT count(*) FROM audit_log WHERE detail = 'verändert'")) == 0


def test_the_app_role_may_record_incomplete_sums_but_not_change_them(app_role_app):
    """0022: a table saved in the editors' area (/redaktion/tabelle/) writes the parts of its
    'u' sums as the app role; a stored row is never updated or deleted by it."""
    as_app, _admin = app_role_app
    with _engine(as_app).connect() as c:
        can = {
            p: c.scalar(text(f"SELECT has_table_privilege('incomplete_value', '{p}')"))
            for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        }
    assert can == {
        "SELECT": True,
        "INSERT": True,
        "UPDATE": False,
        "DELETE": False,
        "TRUNCATE": False,
    }


def test_the_audit_log_is_append_only_even_for_the_superuser(app_role_app):
    _as_app, admin = app_role_app
    with _engine(admin).begin() as c:
        c.execute(text("INSERT INTO audit_log (editor, action) VALUES ('x', 'login')"))
    for sql in ("UPDATE audit_log SET detail = 'v'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), _engine(admin).begin() as c:
            c.execute(text(sql))


def test_editors_flows_work_as_the_app_role_and_are_audited(app_role_app, tmp_path):
    as_app, admin = app_role_app
    client = as_app.test_client()
    assert login(client, password="falsch-falsch-falsch").status_code == 401
    assert login(client).status_code == 302
    r = upload(client, [small_release(tmp_path / "klein.csv", SMALL)], "2025-1")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    rid = int(r.headers["Location"].rsplit("/", 1)[-1])
    assert client.get(f"/redaktion/release/{rid}").status_code == 200
    r = client.post(
        f"/redaktion/release/{rid}/veroeffentlichen",
        data={"csrf_token": token(client, "/redaktion/")},
    )
    assert r.status_code == 302
    with _engine(as_app).connect() as c:
        assert c.scalar(text("SELECT status FROM release WHERE id = :i"), {"i": rid}) == "published"
    # A report saved and published by the editor.
    form = {
        "slug": "rechte-test",
        "topic_id": "mindestsicherung",
        "title": "Rechte",
        "summary": "Kurz",
        "body": "Ein Satz.",
        "csrf_token": token(client, "/redaktion/berichte/neu"),
    }
    r = client.post("/redaktion/berichte/neu", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    report_id = int(r.headers["Location"].split("#")[0].rstrip("/").rsplit("/", 1)[-1])
    r = client.post(
        f"/redaktion/berichte/{report_id}/veroeffentlichen",
        data={"csrf_token": token(client, f"/redaktion/berichte/{report_id}")},
    )
    assert r.status_code == 302
    # The rollback's writes (the web app has no rollback button; the role could do it).
    with _engine(as_app).begin() as c:
        assert releases.rollback(c, "2025-1", force=True)["withdrawn"] == "2025-1"
    client.post("/redaktion/abmelden", data={"csrf_token": token(client, "/redaktion/")})
    actions = [(e, a, r) for e, a, r, _d, _ip in _audit(admin)]
    assert actions[-7:] == [
        ("redaktion", "login_failed", None),
        ("redaktion", "login", None),
        ("redaktion", "import", "2025-1"),
        ("redaktion", "publish", "2025-1"),
        ("redaktion", "report_save", "rechte-test"),
        ("redaktion", "report_publish", "rechte-test"),
        ("redaktion", "logout", None),
    ]
    failed = [row for row in _audit(admin) if row[1] == "login_failed"]
    assert failed[0][3] == "falsches Passwort" and failed[0][4] == "127.0.0.1"


def test_publish_analyses_release_through_the_definer_function(app_role_app):
    as_app, _admin = app_role_app
    with _engine(as_app).connect() as c:
        notices: list = []
        raw = c.connection.dbapi_connection
        raw.add_notice_handler(lambda d: notices.append(d.message_primary))
        c.execute(text("ANALYZE release"))  # directly: PostgreSQL skips it with a warning
        c.execute(text("SELECT sozmon_analyze('release')"))  # the definer function analyses
        c.commit()
    assert len(notices) == 1 and "skipping" in notices[0]


def test_editor_changes_and_failed_logins_are_audited(app_role_app):
    as_app, admin = app_role_app
    assert invoke(admin, "editor-add", "neu", "--password", PASSWORD).exit_code == 0
    assert invoke(admin, "editor-add", "neu", "--password", PASSWORD + "!").exit_code == 0
    assert invoke(admin, "editor-remove", "neu").exit_code == 0
    client = as_app.test_client()
    for _ in range(6):  # the sixth is refused by the lockout: logged as such
        login(client, name="neu")
    log = _audit(admin)
    changes = [(a, d) for e, a, _r, d, _ip in log if a.startswith("editor_")]
    assert changes == [
        ("editor_add", "redaktion"),
        ("editor_add", "neu"),
        ("editor_password", "neu"),
        ("editor_remove", "neu"),
    ]
    assert all(e.startswith("cli") for e, a, *_ in log if a.startswith("editor_"))
    failed = [(e, d, ip) for e, a, _r, d, ip in log if a == "login_failed"]
    assert failed == [("neu", "falsches Passwort", "127.0.0.1")] * 5 + [
        ("neu", "gesperrt", "127.0.0.1")
    ]
    html_client = as_app.test_client()
    login(html_client)
    page = html_client.get("/redaktion/").get_data(as_text=True)
    assert "Anmeldung fehlgeschlagen" in page and "Redakteur entfernt" in page


@pytest.mark.skipif(os.getuid() != 0, reason="separate OS users need root")
def test_the_app_os_user_is_the_app_role_only(app_role_app):
    """scripts/localdb: 'sozmon' reaches the socket (group sozmon-db) as sozmon_app only."""
    _as_app, admin = app_role_app
    url = make_url(admin.config["DATABASE_URL"])
    host, port, db = url.query["host"], url.query["port"], url.database
    if not str(host).startswith(str(ROOT)):
        pytest.skip("the test server is not the local cluster")

    def connect(os_user: str, role: str) -> subprocess.CompletedProcess:
        code = (
            f"import psycopg; c = psycopg.connect(host={host!r}, port={port!r}, user={role!r},"
            f" dbname={db!r}); print(c.execute('SELECT current_user').fetchone()[0])"
        )
        return subprocess.run(
            ["runuser", "-u", os_user, "--", str(ROOT / ".venv" / "bin" / "python"), "-c", code],
            capture_output=True,
            text=True,
            timeout=30,
        )

    ok = connect("sozmon", APP_ROLE)
    assert ok.returncode == 0 and ok.stdout.strip() == APP_ROLE, ok.stderr
    for role in ("postgres", "sozmon_owner"):
        refused = connect("sozmon", role)
        assert refused.returncode != 0 and "Peer authentication failed" in refused.stderr
    assert connect("nobody", APP_ROLE).returncode != 0  # no other local user reaches the socket
