"""Run the served configuration: N gunicorn app instances, nginx in front of them, supervised.

`scripts/serve` runs this (after the setup), and so do `scripts/bench` and the tests, so what is
measured and tested is what is served. Usage:

    python -m scripts.servelib.stack --port 5000 [--instances 2] -- <gunicorn options>

The instances share nothing but the database. The state (nginx.conf, pid, logs, cache) lives in
`.serve/<port>/` in the checkout; `instances.json` there names the front and every instance.
A supervisor (scripts/servelib/supervise.py) restarts the local database, an instance or nginx
when it dies; started as root it keeps root alone, the app and nginx run as `--user`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from scripts.servelib.nginx import FrontConfig, command, write_config
from scripts.servelib.supervise import LocalCluster, Part, Proc, Run, Supervisor

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# gunicorn's configuration module of every app instance: its post_worker_init hook freezes the
# objects of the app's start-up out of the garbage collector's way (gunicorn_hooks.py).
GUNICORN_CONFIG = "python:scripts.servelib.gunicorn_hooks"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, parts: list[Part | subprocess.Popen], timeout: float = 120.0) -> None:
    """Poll a URL until it answers; fail early when a part we started has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in parts:
            if isinstance(p, subprocess.Popen):  # a plain process (the bench's baseline nginx)
                if p.poll() is not None:
                    raise RuntimeError(f"{p.args[0]} exited with {p.returncode} before {url}")
            elif not p.alive():
                raise RuntimeError(f"{p.name} {p.describe_exit()} before {url} answered")
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def build_assets() -> Path:
    """Build the asset folder before any worker starts (nginx serves it directly)."""
    sys.path.insert(0, str(ROOT))
    from app.web.assets import BUILD_DIR, build

    target = Path(os.environ.get("ASSETS_DIR") or BUILD_DIR)
    build(target=target)
    return target


def database_part(args: argparse.Namespace) -> LocalCluster | None:
    """The local cluster to supervise: `--db served|test`, or none (a server of its own)."""
    kind = args.db or os.environ.get("SOZMON_SUPERVISE_DB")
    kind = kind or ("none" if os.environ.get("DATABASE_URL") else "served")
    if kind == "none":
        return None
    default = ROOT / (".pgdata" if kind == "served" else ".pgdata-test")
    pgdir = Path(os.environ.get("SOZMON_PGDIR") or default)
    return LocalCluster("database", localdb=ROOT / "scripts" / "localdb", kind=kind, pgdir=pgdir)


def start(args: argparse.Namespace, supervisor: Supervisor) -> dict:
    """Start the database (if local), the instances, then nginx; return the
    addresses (parts join the supervisor as they start). nginx reaches each instance by its Unix socket (in a folder only the app user can
    enter); the loopback port of each instance is for benchmarks and tests, and the app trusts
    no X-Forwarded-* header arriving there (app/editors/auth.py)."""
    run = Run.for_app(args.user)
    state = Path(args.state_dir or ROOT / ".serve" / str(args.port)).resolve()
    if state.exists():
        shutil.rmtree(state)  # the cache of an earlier run may hold pages of other data
    state.mkdir(parents=True)
    sockets = state / "run"
    sockets.mkdir(mode=0o700)
    assets = build_assets()
    gunicorn_args = [a for a in args.gunicorn if a != "--"]
    ports = [free_port() for _ in range(args.instances)]
    listen = f"{args.host}:{args.port}"
    conf = write_config(
        FrontConfig(
            listen=listen,
            upstreams=[f"unix:{sockets}/app-{i}.sock" for i in range(1, len(ports) + 1)],
            state=state,
            static_root=assets,
            access_log=bool(os.environ.get("ACCESS_LOG")),
            runs_as=run.user,
        )
    )
    run.chown(state)
    parts = supervisor.parts
    db = database_part(args)
    if db is not None:
        parts.append(db)
        if db.postmaster_pid() is None:
            db.start()
            while db.starter is not None and db.alive():
                time.sleep(0.2)
            if not db.alive():
                raise RuntimeError(f"{db.name} {db.describe_exit()}")
        else:
            db.started_at = time.monotonic()
    instances = []
    for i, port in enumerate(ports, 1):
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "--chdir",
            str(ROOT),
            *gunicorn_args,
            # Its hook freezes what start-up made, out of the garbage collector's way (map33).
            "-c",
            GUNICORN_CONFIG,
            # Forwarded headers only over the socket (gunicorn trusts Unix peers, no address).
            "--forwarded-allow-ips",
            "",
            "--pid",
            f"{sockets}/app-{i}.pid",
            "-b",
            f"unix:{sockets}/app-{i}.sock",
            "-b",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ]
        part = Proc(f"app-{i}", cmd=cmd, cwd=ROOT, run=run)
        part.start()
        parts.append(part)
        instances.append(part)
    for port in ports:
        wait_http(f"http://127.0.0.1:{port}/static/favicon.svg", parts)
    nginx = Proc("nginx", cmd=command(conf, state), cwd=state, run=run)
    nginx.start()
    parts.append(nginx)
    front = f"http://{listen}"
    wait_http(front + "/static/favicon.svg", parts)
    info = {
        "front": front,
        "instances": [f"http://127.0.0.1:{p}" for p in ports],
        "sockets": [str(sockets / f"app-{i}.sock") for i in range(1, len(ports) + 1)],
        "state": str(state),
        "pid": os.getpid(),
        "parts": {p.name: getattr(p, "pid", None) for p in parts},
        "database": str(db.pgdir) if db else None,
    }
    # Written aside and renamed: a waiting reader (servelib.control) polls for the name and must
    # never see the file created but not yet filled (a CI run read it empty).
    part = state / "instances.json.part"
    part.write_text(json.dumps(info, indent=1))
    part.replace(state / "instances.json")
    return info


def main() -> None:
    """Start everything, report the address, and supervise the parts until stopped."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--instances", type=int, default=1)
    p.add_argument("--state-dir")
    p.add_argument("--user", help="as root: the app user gunicorn and nginx run as")
    p.add_argument(
        "--db",
        choices=("served", "test", "none"),
        help="local cluster to supervise (default: served, none when DATABASE_URL is set)",
    )
    p.add_argument("gunicorn", nargs=argparse.REMAINDER, help="options for gunicorn (after --)")
    args = p.parse_args()
    supervisor = Supervisor([])

    def on_signal(signum: int, _frame: object) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        info = start(args, supervisor)
        print(
            f"==> serving on {info['front']}/ (nginx → {len(info['instances'])} app "
            f"instance(s): {', '.join(info['instances'])}); supervising "
            f"{', '.join(p.name for p in supervisor.parts)}",
            flush=True,
        )
        supervisor.run()
    finally:
        supervisor.stop()


if __name__ == "__main__":
    main()
