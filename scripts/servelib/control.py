"""Start `scripts/serve --no-setup` on a free port and stop it again (bench and tests)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from scripts.servelib.stack import ROOT, free_port


@contextmanager
def served(database_url: str | None = None, instances: int = 1, **env: str) -> Iterator[dict]:
    """nginx + gunicorn instance(s) exactly as scripts/serve runs them; yields instances.json."""
    port = free_port()
    state = ROOT / ".serve" / str(port)
    log = ROOT / ".serve" / f"{port}.log"
    log.parent.mkdir(exist_ok=True)
    full_env = {**os.environ, "PORT": str(port), "INSTANCES": str(instances), **env}
    # scripts/serve runs the app as its own OS user, which the local cluster lets in as the app
    # role only: a local cluster's URL naming another role (a test's or the bench's superuser
    # URL) is served as the app role, as scripts/serve's default is.
    for key, url in (("DATABASE_URL", database_url), ("DATABASE_READ_URL", None)):
        url = url or full_env.get(key)
        if url:
            full_env[key] = as_app_role(url)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(ROOT / "scripts" / "serve"), "--no-setup"],
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while not (state / "instances.json").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"scripts/serve did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield json.loads((state / "instances.json").read_text())
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(state, ignore_errors=True)
        log.unlink(missing_ok=True)


def as_app_role(url: str) -> str:
    """A local cluster's URL (a socket folder as host) as the app role; another server's as is."""
    from sqlalchemy import make_url

    from app.web.config import APP_ROLE

    parsed = make_url(url)
    if not str(parsed.query.get("host", "")).startswith("/"):
        return url
    return parsed.set(username=APP_ROLE, password=None).render_as_string(hide_password=False)
