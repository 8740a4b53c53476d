"""Run the served configuration: N gunicorn app instances on loopback, nginx in front of them.

`scripts/serve` runs this (after the setup), and so do `scripts/bench` and the tests, so what is
measured and tested is what is served. Usage:

    python -m scripts.servelib.stack --port 5000 [--instances 2] -- <gunicorn options>

The instances share nothing but the database. The state (nginx.conf, pid, logs, cache) lives in
`.serve/<port>/` in the checkout; `instances.json` there names the front and every instance.
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

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, procs: list[subprocess.Popen], timeout: float = 120.0) -> None:
    """Poll a URL until it answers; fail early when a process we started has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"{p.args[0]} exited with {p.returncode} before {url} answered")
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
    from app.assets import BUILD_DIR, build

    target = Path(os.environ.get("ASSETS_DIR") or BUILD_DIR)
    build(target=target)
    return target


def start(args: argparse.Namespace) -> tuple[list[subprocess.Popen], dict]:
    """Start the instances, then nginx; return the processes and the addresses."""
    state = Path(args.state_dir or ROOT / ".serve" / str(args.port)).resolve()
    if state.exists():
        shutil.rmtree(state)  # the cache of an earlier run may hold pages of other data
    state.mkdir(parents=True)
    assets = build_assets()
    gunicorn_args = [a for a in args.gunicorn if a != "--"]
    ports = [free_port() for _ in range(args.instances)]
    procs: list[subprocess.Popen] = []
    for port in ports:
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "--chdir",
            str(ROOT),
            *gunicorn_args,
            "-b",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ]
        procs.append(subprocess.Popen(cmd, cwd=ROOT))
    for port in ports:
        wait_http(f"http://127.0.0.1:{port}/static/favicon.svg", procs)
    listen = f"{args.host}:{args.port}"
    conf = write_config(
        FrontConfig(
            listen=listen,
            upstreams=[f"127.0.0.1:{p}" for p in ports],
            state=state,
            static_root=assets,
            access_log=bool(os.environ.get("ACCESS_LOG")),
        )
    )
    procs.append(subprocess.Popen(command(conf, state), cwd=state))
    front = f"http://{listen}"
    wait_http(front + "/static/favicon.svg", procs)
    info = {
        "front": front,
        "instances": [f"http://127.0.0.1:{p}" for p in ports],
        "state": str(state),
        "pid": os.getpid(),
    }
    (state / "instances.json").write_text(json.dumps(info, indent=1))
    return procs, info


def stop(procs: list[subprocess.Popen]) -> None:
    """Stop nginx first (no new requests), then the instances; kill what does not stop."""
    for p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for p in reversed(procs):
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()


def main() -> None:
    """Start everything, report the address, and keep running until stopped or a part fails."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--instances", type=int, default=1)
    p.add_argument("--state-dir")
    p.add_argument("gunicorn", nargs=argparse.REMAINDER, help="options for gunicorn (after --)")
    args = p.parse_args()
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    procs: list[subprocess.Popen] = []
    try:
        procs, info = start(args)
        print(
            f"==> serving on {info['front']}/ (nginx → {len(info['instances'])} app "
            f"instance(s): {', '.join(info['instances'])})",
            flush=True,
        )
        while not stopping:
            dead = [q for q in procs if q.poll() is not None]
            if dead:
                print(f"{dead[0].args[0]} exited with {dead[0].returncode}; stopping", flush=True)
                stop(procs)
                sys.exit(1)
            time.sleep(0.5)
    finally:
        stop(procs)


if __name__ == "__main__":
    main()
