"""Self-healing and forwarded headers of the served stack (scripts/serve, supervise.py).

One served stack (two app instances, nginx) on a throw-away local cluster that its supervisor
watches (SOZMON_SUPERVISE_DB, started by scripts/localdb exactly as the served one). The test
kills one part after the other — the postmaster (SIGKILL), a gunicorn master, the nginx master —
and measures how long until the site answers 200 again through nginx (≤ 10 s, issue #26) on a
URL that needs the app and the database (the session cookie bypasses nginx's page cache).
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from tests.conftest import DATA_DIR, invoke
from tests.served import ROOT, served_test

LOCALDB = ROOT / "scripts" / "localdb"
PG_PORT = "5451"  # socket only, in the cluster's own folder: no clash with other clusters
PASSWORD = "richtig-langes-passwort"
PROBE = "/api/v1/releases"  # reads the database; with a session cookie never from nginx's cache
BOUND = 10.0  # seconds: every killed part recovers by itself within this (issue #26)
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def cluster():
    """A throw-away cluster with the served settings and the app's schema, one editor."""
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        pytest.skip("no PostgreSQL server binaries")
    pgdir = Path(tempfile.mkdtemp(prefix="sozmon-supervised-", dir="/tmp"))
    env = {**os.environ, "SOZMON_PGDIR": str(pgdir), "SOZMON_PG_PORT": PG_PORT}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [str(LOCALDB), "start", "served"], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout + out.stderr
    url = f"postgresql+psycopg://postgres@/sozialmonitoring?host={pgdir}/run&port={PG_PORT}"
    app = create_app({"DATABASE_URL": url, "DATA_DIR": DATA_DIR, "SECRET_KEY": "t", "DEMO": True})
    for args in (("db", "upgrade"), ("editor-add", "redaktion", "--password", PASSWORD)):
        result = invoke(app, *args)
        assert result.exit_code == 0, result.output
    app.extensions["sozmon_engine"].dispose()
    try:
        yield {"dir": pgdir, "url": url, "env": env}
    finally:
        subprocess.run([str(LOCALDB), "stop", "served"], env=env, capture_output=True, timeout=60)
        shutil.rmtree(pgdir, ignore_errors=True)


@pytest.fixture(scope="module")
def stack(cluster):
    """The served stack, as scripts/serve runs it, supervising the throw-away cluster."""
    env = {
        "SOZMON_SUPERVISE_DB": "served",
        "SOZMON_PGDIR": str(cluster["dir"]),
        "SOZMON_PG_PORT": PG_PORT,
    }
    with served_test(cluster["url"], instances=2, **env) as info:
        info["log"] = ROOT / ".serve" / f"{urllib.parse.urlsplit(info['front']).port}.log"
        yield info


def _status(host: str, port: int, path: str, headers: dict, source: str = "127.0.0.1") -> int:
    conn = http.client.HTTPConnection(host, port, timeout=5, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers)
        return conn.getresponse().status
    except OSError:
        return 0
    finally:
        conn.close()


def _answers(base: str) -> bool:
    u = urllib.parse.urlsplit(base)
    return _status(u.hostname, u.port, PROBE, {"Cookie": "session=x"}) == 200


def _pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().split()[0])
        state = Path(f"/proc/{pid}/status").read_text()
    except (OSError, ValueError, IndexError):
        return None
    return None if "\nState:\tZ" in state else pid


def _recover(
    stack: dict, name: str, pidfile: Path, others: dict[str, Path], until_also: str | None = None
) -> float:
    """SIGKILL the process in pidfile; seconds until a new one runs and the site answers 200.
    The other parts keep running (same pids)."""
    assert _answers(stack["front"])
    old = _pid(pidfile)
    assert old, pidfile
    before = {k: _pid(p) for k, p in others.items()}
    t0 = time.monotonic()
    os.kill(old, signal.SIGKILL)
    site = restarted = None
    deadline = t0 + 60
    while time.monotonic() < deadline:
        new = _pid(pidfile)
        if restarted is None and new and new != old:
            restarted = time.monotonic() - t0
        if restarted is not None and _answers(stack["front"]):
            site = time.monotonic() - t0
            break
        time.sleep(0.05)
    assert site is not None, f"{name} was not restarted within 60 s:\n{stack['log'].read_text()}"
    TIMINGS[name] = site
    TIMINGS[name + " (new process)"] = restarted
    if until_also:  # the restarted instance itself (besides the site through nginx)
        while not _answers(until_also) and time.monotonic() < deadline:
            time.sleep(0.05)
        TIMINGS[name + " (instance itself)"] = time.monotonic() - t0
    assert {k: _pid(p) for k, p in others.items()} == before
    return site


def test_every_killed_part_comes_back_by_itself(stack, cluster):
    state = Path(stack["state"])
    pids = {
        "database": cluster["dir"] / "cluster" / "postmaster.pid",
        "app-1": state / "run" / "app-1.pid",
        "app-2": state / "run" / "app-2.pid",
        "nginx": state / "nginx.pid",
    }
    for name in ("database", "app-1", "nginx"):
        others = {k: p for k, p in pids.items() if k != name}
        also = stack["instances"][0] if name == "app-1" else None
        _recover(stack, name, pids[name], others, until_also=also)
    print("recovery (s):", {k: round(v, 2) for k, v in TIMINGS.items()})
    for name in ("database", "app-1", "nginx"):
        assert TIMINGS[name] <= BOUND, TIMINGS
    assert TIMINGS["app-1 (instance itself)"] <= 60, TIMINGS
    log = stack["log"].read_text()
    for name in ("database", "app-1", "nginx"):
        assert re.search(rf"supervise: {name} .*restart #1 ", log), log


def test_supervisor_alone_keeps_root(stack):
    if os.geteuid() != 0:
        pytest.skip("only meaningful when started as root")
    state = Path(stack["state"])

    def uid(pid: int) -> int:
        status = Path(f"/proc/{pid}/status").read_text()
        return int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))

    assert uid(stack["pid"]) == 0
    masters = [_pid(state / "run" / "app-1.pid"), _pid(state / "nginx.pid")]
    children = subprocess.run(
        ["pgrep", "-g", ",".join(str(p) for p in masters)], capture_output=True, text=True
    ).stdout.split()
    assert len(children) >= 3  # masters and workers
    assert all(uid(int(p)) != 0 for p in children)
    assert oct(os.stat(state / "run").st_mode & 0o777) == "0o700"


# --- forwarded headers ---------------------------------------------------------------------


def _login_failure(base: str, source: str, xff: str | None) -> int:
    """A failed login from `source` (a loopback address of the test's choice), as a browser."""
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30, source_address=(source, 0))
    extra = {"X-Forwarded-For": xff} if xff else {}
    conn.request("GET", "/redaktion/anmelden", headers=extra)
    r = conn.getresponse()
    html = r.read().decode()
    cookie = r.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({"name": "niemand", "password": "x", "csrf_token": token})
    headers = {
        **extra,
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    conn.request("POST", "/redaktion/anmelden", body=body, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def test_forwarded_for_counts_only_from_nginx(stack, cluster):
    eng = create_engine(cluster["url"])
    try:
        with eng.begin() as c:
            c.execute(text("DELETE FROM login_failure"))
        # Straight to an instance's loopback port, a forged header: the peer address counts.
        assert _login_failure(stack["instances"][0], "127.0.0.5", "6.6.6.6") == 401
        # Through nginx: the real client address, also when the client sends its own header.
        assert _login_failure(stack["front"], "127.0.0.6", None) == 401
        assert _login_failure(stack["front"], "127.0.0.7", "6.6.6.6") == 401
        with eng.connect() as c:
            ips = sorted(c.scalars(text("SELECT ip FROM login_failure")))
        assert ips == ["127.0.0.5", "127.0.0.6", "127.0.0.7"]
    finally:
        eng.dispose()


def test_a_part_that_keeps_crashing_is_restarted_with_backoff(capsys):
    """0 s, then 1, 2 s … between restarts, one log line each; a healthy neighbour stays."""
    from scripts.servelib.supervise import Proc, Supervisor

    crashing = Proc("crashing", cmd=["sh", "-c", "exit 3"])
    healthy = Proc("healthy", cmd=["sleep", "30"])
    sup = Supervisor([crashing, healthy], tick=0.05)
    for part in sup.parts:
        part.start()
    pid = healthy.pid
    try:
        deadline = time.monotonic() + 2.6  # crashes at ~0, ~0, ~1 s; the 4th after 3 s
        while time.monotonic() < deadline:
            sup.check()
            time.sleep(sup.tick)
    finally:
        sup.stop()
    lines = [x for x in capsys.readouterr().out.splitlines() if "supervise: crashing" in x]
    assert [re.search(r"in (\d+) s", x).group(1) for x in lines] == ["0", "1", "2"], lines
    assert "exited with 3; restart #3" in lines[-1]
    assert healthy.pid == pid and healthy.proc.returncode is not None  # stopped, never restarted
