"""Operations: backup/restore, the durable served cluster and a crash in the middle of a publish.

The crash test runs its own throw-away cluster with the served (durable) settings, started by
scripts/localdb exactly as the served one is, and kills all of its processes with SIGKILL.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from app import create_app
from tests.conftest import admin_sql, drop_database, invoke, make_app
from tests.test_releases import SMALL, small_release

ROOT = Path(__file__).resolve().parents[1]
LOCALDB = ROOT / "scripts" / "localdb"
DEADLINE = 60  # seconds any single wait in this module may take


def table_checksums(application) -> dict[str, tuple[int, str]]:
    """Row count and md5 of every table of the application (PostGIS's catalogue left out)."""
    out = {}
    with application.extensions["sozmon_engine"].connect() as c:
        names = c.scalars(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'spatial_ref_sys' ORDER BY tablename"
            )
        ).all()
        for t in names:
            out[t] = tuple(
                c.execute(
                    text(
                        f"SELECT count(*), md5(coalesce(string_agg(x::text, '|'"
                        f" ORDER BY x::text), '')) FROM \"{t}\" x"
                    )
                ).one()
            )
    return out


def _wait(check, what: str, limit: float = DEADLINE):
    started = time.monotonic()
    while time.monotonic() - started < limit:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {limit} s waiting for {what}")


# --- backup and restore -------------------------------------------------------------------------


def test_backup_restores_every_table_into_an_empty_database(fresh_app, tmp_path):
    assert (
        invoke(
            fresh_app, "editor-add", "redaktion", "--password", "richtig-langes-passwort"
        ).exit_code
        == 0
    )
    path = small_release(tmp_path / "klein.csv", SMALL)
    assert invoke(fresh_app, "import", str(path), "--label", "2025-1").exit_code == 0
    dump = tmp_path / "sozmon.dump"
    result = invoke(fresh_app, "backup", str(dump))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600  # holds the editors' password hashes
    target = f"sozmon_restore_{os.getpid()}"
    drop_database(target)
    admin_sql(f'CREATE DATABASE "{target}"')
    restored = make_app(target)
    try:
        result = invoke(restored, "restore", str(dump))
        assert result.exit_code == 0, result.output
        before, after = table_checksums(fresh_app), table_checksums(restored)
        assert {"editor", "release", "value", "area", "indicator", "audit_log"} <= set(after)
        assert after == before
        # a database with tables is not overwritten without --clean
        again = invoke(restored, "restore", str(dump))
        assert again.exit_code == 1 and "nicht leer" in again.output
        assert table_checksums(restored) == before
        # --clean replaces changed tables, in one transaction …
        with restored.extensions["sozmon_engine"].begin() as c:
            c.execute(text("DELETE FROM editor"))
        result = invoke(restored, "restore", "--clean", str(dump))
        assert result.exit_code == 0, result.output
        assert table_checksums(restored) == before
        # … and a damaged backup changes nothing
        with restored.extensions["sozmon_engine"].begin() as c:
            c.execute(text("DELETE FROM editor"))
        changed = table_checksums(restored)
        cut = tmp_path / "abgeschnitten.dump"
        cut.write_bytes(dump.read_bytes()[: dump.stat().st_size * 2 // 3])
        result = invoke(restored, "restore", "--clean", str(cut))
        assert result.exit_code == 1 and "nichts geändert" in result.output
        assert table_checksums(restored) == changed
    finally:
        restored.extensions["sozmon_engine"].dispose()
        drop_database(target)


def test_restore_refuses_a_file_that_is_no_backup(empty_app, tmp_path):
    bad = tmp_path / "kein-backup.dump"
    bad.write_text("ags,indicator\n")
    result = invoke(empty_app, "restore", str(bad))
    assert result.exit_code == 1 and "kein-backup.dump" in result.output


# --- the durable cluster and the crash --------------------------------------------------------


@pytest.fixture(scope="module")
def durable_cluster():
    """A cluster started by scripts/localdb with the served settings, in a temporary folder."""
    if shutil.which("pg_ctl") is None and not list(Path("/usr/lib/postgresql").glob("*/bin")):
        pytest.skip("no PostgreSQL server binaries")
    pgdir = Path(tempfile.mkdtemp(prefix="sozmon-durable-", dir="/tmp"))
    env = {**os.environ, "SOZMON_PGDIR": str(pgdir), "SOZMON_PG_PORT": "5449"}
    out = subprocess.run(
        [str(LOCALDB), "start", "served"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    ).stdout
    url = out.strip().rsplit(" ", 1)[-1]
    yield {"dir": pgdir, "env": env, "url": url}
    subprocess.run([str(LOCALDB), "stop", "served"], env=env, capture_output=True, timeout=DEADLINE)
    shutil.rmtree(pgdir, ignore_errors=True)


def test_served_cluster_settings_are_durable_and_private(durable_cluster):
    eng = create_engine(durable_cluster["url"])
    with eng.connect() as c:
        for setting in ("fsync", "full_page_writes", "synchronous_commit"):
            assert c.scalar(text(f"SHOW {setting}")) == "on", setting
        # Root sets the cluster up for the app's own OS user (group sozmon-db, docs/operations.md).
        private = "0770" if os.getuid() == 0 else "0700"
        assert c.scalar(text("SHOW unix_socket_permissions")) == private
        methods = set(c.scalars(text("SELECT DISTINCT auth_method FROM pg_hba_file_rules")))
        types = set(c.scalars(text("SELECT DISTINCT type FROM pg_hba_file_rules")))
    eng.dispose()
    assert methods == {"peer"} and types == {"local"}  # no trust, no TCP
    run = durable_cluster["dir"] / "run"
    assert stat.S_IMODE(run.stat().st_mode) == (0o750 if os.getuid() == 0 else 0o700)
    if os.getuid() == 0:  # another local user cannot even reach the socket
        host = make_url(durable_cluster["url"]).query["host"]
        probe = subprocess.run(
            [
                "runuser",
                "-u",
                "nobody",
                "--",
                sys.executable,
                "-c",
                f"import psycopg; psycopg.connect(host={host!r}, port=5449,"
                " user='postgres', dbname='postgres')",
            ],
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
        assert probe.returncode != 0
        assert "Permission denied" in probe.stderr or "ermission" in probe.stderr


def test_the_local_served_cluster_is_durable():
    """The cluster scripts/serve uses (when it is the local one) has the durable settings."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("DATABASE_URL names another server")
    sock = ROOT / ".pgdata" / "run"
    if not sock.exists():
        pytest.skip("the local served cluster was not set up (scripts/setup)")
    from app.web.config import local_database_url

    eng = create_engine(local_database_url())
    with eng.connect() as c:
        assert [c.scalar(text(f"SHOW {s}")) for s in ("fsync", "full_page_writes")] == ["on"] * 2
    eng.dispose()


def _kill_cluster(pgdir: Path) -> None:
    """SIGKILL the postmaster and every backend at once: a crash, not a shutdown."""
    pid = int((pgdir / "cluster" / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    pids = [pid, *(int(p) for p in children.split())]
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def gone() -> bool:
        return not any(
            Path(f"/proc/{p}").exists()
            and "zombie" not in Path(f"/proc/{p}/status").read_text().lower()
            for p in pids
        )

    _wait(gone, "the killed cluster's processes to end")


def _restart(cluster: dict) -> None:
    """Start the killed cluster again (PostgreSQL replays its WAL: crash recovery)."""
    run = subprocess.run(
        [str(LOCALDB), "start", "served"],
        env=cluster["env"],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    log = (cluster["dir"] / "server.log").read_text()[-3000:]
    assert run.returncode == 0, run.stdout + run.stderr + log


def test_crash_in_the_middle_of_a_publish(fresh_app, durable_cluster, tmp_path):
    # The draft to publish: imported on the test cluster, moved with backup/restore.
    path = small_release(tmp_path / "klein.csv", SMALL)
    assert invoke(fresh_app, "import", str(path), "--label", "2025-1").exit_code == 0
    dump = tmp_path / "draft.dump"
    assert invoke(fresh_app, "backup", str(dump)).exit_code == 0
    app = create_app(
        {
            "DATABASE_URL": durable_cluster["url"],
            "SECRET_KEY": "test",
            "TESTING": True,
            "DATA_VERSION_TTL": 0,
        }
    )
    eng = app.extensions["sozmon_engine"]
    result = invoke(app, "restore", str(dump))
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert client.get("/api/v1/releases").status_code == 200  # the pool holds a connection now
    with eng.begin() as c:
        # Test only, in the throw-away cluster: publish sleeps after writing the suppression
        # and before marking the release published, so the kill lands in the middle.
        c.execute(
            text(
                "CREATE FUNCTION crash_pause() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN PERFORM pg_sleep(120); RETURN NEW; END $$"
            )
        )
        c.execute(
            text(
                "CREATE TRIGGER crash_pause BEFORE UPDATE ON release"
                " FOR EACH ROW EXECUTE FUNCTION crash_pause()"
            )
        )
    before = table_checksums(app)
    publisher = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "sozmon"), "publish", "2025-1"],
        env={**os.environ, "DATABASE_URL": durable_cluster["url"], "SECRET_KEY": "test"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def writing() -> bool:
            with eng.connect() as c:
                return bool(
                    c.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL"
                            " AND wait_event = 'PgSleep' AND query LIKE 'UPDATE release%'"
                        )
                    )
                )

        _wait(writing, "the publish to have written and to pause")
        with eng.connect() as c:  # it has written the withheld values already
            assert (
                c.scalar(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE mode = 'RowExclusiveLock'"
                        " AND relation = 'value'::regclass"
                    )
                )
                >= 1
            )
        _kill_cluster(durable_cluster["dir"])
        publisher.wait(DEADLINE)
    finally:
        if publisher.poll() is None:
            publisher.kill()
    assert publisher.returncode != 0
    _restart(durable_cluster)

    # The same app object, no restart: the pool notices the dead connections by itself.
    assert client.get("/api/v1/releases").status_code == 200
    assert client.get("/karte").status_code == 200
    with eng.begin() as c:
        assert c.scalar(text("SELECT status FROM release WHERE label = '2025-1'")) == "draft"
        c.execute(text("DROP TRIGGER crash_pause ON release"))
        c.execute(text("DROP FUNCTION crash_pause()"))
    # nothing of the interrupted publish is left (not a value withheld, no log entry)
    assert table_checksums(app) == before

    # Published afterwards, fully; and a committed publish survives the next crash.
    assert invoke(app, "publish", "2025-1").exit_code == 0
    _kill_cluster(durable_cluster["dir"])
    _restart(durable_cluster)
    with eng.connect() as c:
        status, withheld = c.execute(
            text(
                "SELECT r.status, (SELECT count(*) FROM value v WHERE v.release_id = r.id"
                " AND v.suppressed) FROM release r WHERE r.label = '2025-1'"
            )
        ).one()
        actions = c.scalars(text("SELECT action FROM audit_log ORDER BY id")).all()
    assert status == "published" and withheld >= 3  # 2 primary + secondary suppression
    assert actions[-1] == "publish" and actions.count("publish") == 1
    r = client.get("/karte?indikator=sgb2_quote&jahr=2024")  # the release's own indicator
    assert r.status_code == 200 and "2025-1" in r.get_data(as_text=True)
    eng.dispose()


# --- scripts/serve started as root -----------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _uid(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:")))


def test_serve_started_as_root_runs_no_app_process_as_root():
    if os.getuid() != 0:
        pytest.skip("only meaningful when started as root")
    if os.environ.get("DATABASE_URL"):
        pytest.skip("serves the local cluster only")
    import urllib.request

    port = _free_port()
    # The README's first command as root, but without loading the served database's data (all
    # of Germany, minutes): what is checked here is which user each process runs as.
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "serve")],
        env={**os.environ, "PORT": str(port), "SOZMON_SETUP_DATA": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:

        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    return r.status == 200
            except OSError:
                return False

        _wait(answers, "scripts/serve to answer", limit=180)
        # The supervisor puts each part in a process group of its own, all in serve's session.
        group = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True)
        app_pids = [
            int(p)
            for p in group.stdout.split()
            if "gunicorn" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")
        ]
        assert len(app_pids) >= 2  # master and workers
        assert all(_uid(p) not in (None, 0) for p in app_pids), [(p, _uid(p)) for p in app_pids]
        nginx = [
            int(p)
            for p in group.stdout.split()
            if "nginx" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")
        ]
        assert nginx and all(_uid(p) not in (None, 0) for p in nginx), [(p, _uid(p)) for p in nginx]
        # Its own OS user, not the database's (issue #26), connected as the app role only.
        import pwd

        app_uid = pwd.getpwnam(os.environ.get("SOZMON_APP_USER", "sozmon")).pw_uid
        assert app_uid != pwd.getpwnam("postgres").pw_uid
        assert {_uid(p) for p in app_pids} == {app_uid}
        from app.web.config import local_database_url

        eng = create_engine(local_database_url(user="postgres"))
        with eng.connect() as c:
            users = c.scalars(
                text(
                    "SELECT DISTINCT usename FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                    " AND datname = 'sozialmonitoring' AND backend_type = 'client backend'"
                )
            ).all()
        eng.dispose()
        assert users == ["sozmon_app"]
        key = ROOT / "instance" / "secret_key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
