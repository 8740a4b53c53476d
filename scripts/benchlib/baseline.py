"""The baseline: nginx (Debian) serving the same bytes as plain files, same settings as the front.

Every page's body is saved as a file, its gzip body (the bytes the served app sends for
`Accept-Encoding: gzip`) beside it as `.gz` for `gzip_static`. nginx then does no more than a
static file server can: open, sendfile, headers. Workers, keep-alive and logging are those of
the front (scripts/servelib/nginx.py), so the ratio shows what the app adds.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts.servelib.nginx import BROTLI_STATIC, NGINX
from scripts.servelib.stack import ROOT, build_assets, free_port, wait_http

CONF = """daemon off;
worker_processes auto;
pid {state}/nginx.pid;
error_log {state}/error.log warn;
{modules}
events {{ worker_connections 4096; }}
http {{
    types {{ text/html html; text/javascript js; text/css css; image/svg+xml svg; image/png png; }}
    default_type application/octet-stream;
    access_log off;
    server_tokens off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65s;
    keepalive_requests 10000;
    client_body_temp_path {state}/tmp/body;
    proxy_temp_path {state}/tmp/proxy;
    fastcgi_temp_path {state}/tmp/fastcgi;
    uwsgi_temp_path {state}/tmp/uwsgi;
    scgi_temp_path {state}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {root};
        gzip_static on;
        {brotli}
        gzip_vary on;
        # The page twins link the app's assets: the same folder the front serves.
        location /static/ {{ alias {assets}/; }}
    }}
}}
"""


class Baseline:
    """A running nginx serving `root` on `base`."""

    def __init__(self, root: Path, base: str):
        self.root = root
        self.base = base

    def add(self, name: str, body: bytes, gzip_body: bytes | None = None) -> str:
        """Save a file (and its gzip variant); return its URL."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        path.chmod(0o644)
        if gzip_body is not None:
            gz = path.with_name(path.name + ".gz")
            gz.write_bytes(gzip_body)
            gz.chmod(0o644)
        return f"{self.base}/{name}"


@contextmanager
def nginx_files() -> Iterator[Baseline]:
    """Start the baseline nginx on a free port; remove its files afterwards."""
    port = free_port()
    state = ROOT / ".serve" / f"baseline-{port}"
    root = state / "files"
    for d in (root, state / "tmp"):
        d.mkdir(parents=True, exist_ok=True)
    for d in (state, root):
        d.chmod(0o755)
    modules = f"load_module {BROTLI_STATIC};" if BROTLI_STATIC.exists() else ""
    (state / "nginx.conf").write_text(
        CONF.format(
            state=state,
            port=port,
            root=root,
            modules=modules,
            assets=build_assets(),
            brotli="brotli_static on;" if modules else "",
        )
    )
    # `user` is left out: started as root, nginx's workers run as nobody (files are 0644).
    proc = subprocess.Popen(
        [NGINX, "-p", str(state), "-c", str(state / "nginx.conf"), "-e", str(state / "error.log")]
    )
    try:
        base = Baseline(root, f"http://127.0.0.1:{port}")
        base.add("ready.txt", b"ok")
        wait_http(base.base + "/ready.txt", [proc])
        yield base
    finally:
        proc.terminate()
        proc.wait(15)
        shutil.rmtree(state, ignore_errors=True)
