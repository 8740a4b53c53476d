"""Static assets: content-hashed names, gzip and brotli variants built once, served immutable.

`build()` copies app/static to the build folder twice, under its own name and under a name with
a hash of the content (`leaflet.3f2a9c1b7e44.js`), and writes `.gz` and `.br` next to every text
asset. Pages link the hashed names (`url_for('static', …)` is rewritten), so a browser or a CDN
may keep them for a year: a changed file gets a new name. WhiteNoise serves the folder inside the
app; nginx serves the same folder in front of it (`scripts/servelib/nginx.py`). Nothing is
compressed per request.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from wsgiref.util import FileWrapper

import brotli
from flask import Flask
from whitenoise import WhiteNoise

from app.web.config import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "app" / "static"
BUILD_DIR = PROJECT_ROOT / ".assets"
# name.<12 hex digits>.ext — nginx's config matches the same pattern.
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"  # un-hashed names (old links, other sites): may change
COMPRESS = {".js", ".css", ".svg", ".json", ".txt", ".md", ".html", ".map", ".xml"}
SKIP = ("_bench/",)  # the benchmark's scratch files are not assets
_CSS_URL = re.compile(r"url\((['\"]?)([^'\")#?:]+)\1\)")


def _hashed_name(rel: str, content: bytes) -> str:
    stem, dot, ext = rel.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:12]
    return f"{stem}.{digest}.{ext}" if dot else f"{rel}.{digest}"


def _write(path: Path, content: bytes) -> bool:
    """Write atomically (several workers may build at once) and readable by a front server."""
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o755)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return True


def _write_variants(path: Path, content: bytes) -> None:
    """The file, and for text assets its gzip (level 9) and brotli (quality 11) variants."""
    changed = _write(path, content)
    if path.suffix in COMPRESS:
        gz = path.with_name(path.name + ".gz")
        if changed or not gz.exists():
            _write(gz, gzip.compress(content, 9, mtime=0))
        br = path.with_name(path.name + ".br")
        if changed or not br.exists():
            _write(br, brotli.compress(content, quality=11))


def _rewrite_css(rel: str, css: bytes, manifest: dict[str, str]) -> bytes:
    """Point relative url(…) references in a stylesheet to the hashed names."""
    base = Path(rel).parent

    def repl(m: re.Match) -> str:
        target = os.path.normpath(base / m.group(2)).replace(os.sep, "/")
        if target not in manifest:
            return m.group(0)
        hashed = os.path.relpath(manifest[target], base).replace(os.sep, "/")
        return f"url({m.group(1)}{hashed}{m.group(1)})"

    return _CSS_URL.sub(repl, css.decode()).encode()


def build(source: Path = SOURCE, target: Path = BUILD_DIR) -> dict[str, str]:
    """Build the served asset folder; return the manifest (name → hashed name)."""
    files = sorted(
        p.relative_to(source).as_posix()
        for p in source.rglob("*")
        if p.is_file() and not p.relative_to(source).as_posix().startswith(SKIP)
    )
    manifest: dict[str, str] = {}
    # Stylesheets last: their url(…) references need the other files' hashed names.
    for rel in sorted(files, key=lambda r: r.endswith(".css")):
        content = (source / rel).read_bytes()
        if rel.endswith(".css"):
            content = _rewrite_css(rel, content, manifest)
        manifest[rel] = _hashed_name(rel, content)
        _write_variants(target / rel, content)
        _write_variants(target / manifest[rel], content)
    _write(target / "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode())
    return manifest


def _headers(headers, path: str, url: str) -> None:
    """Cache-Control by name (hashed: a year, immutable), and no MIME sniffing."""
    headers["Cache-Control"] = IMMUTABLE if HASHED.search(url) else SHORT
    headers["X-Content-Type-Options"] = "nosniff"


class EncodedETagWhiteNoise(WhiteNoise):
    """WhiteNoise with one ETag per encoding ("<etag>-br"), as RFC 9110 asks of strong ETags.

    WhiteNoise gives the gzip, brotli and plain variants one ETag; a cache that stores by ETag
    could then hand a client an encoding it did not ask for.
    """

    @staticmethod
    def serve(static_file, environ, start_response):
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm and re.search(r'-(br|gzip)"$', inm):
            environ = dict(environ, HTTP_IF_NONE_MATCH=re.sub(r'-(br|gzip)"$', '"', inm))
        response = static_file.get_response(environ["REQUEST_METHOD"], environ)
        headers = list(response.headers)
        enc = dict(headers).get("Content-Encoding")
        if enc is None and response.status == 304 and inm:
            found = re.search(r'-(br|gzip)"$', inm)  # a 304 names the variant the client has
            enc = found.group(1) if found else None
        if enc:
            headers = [
                (k, v[:-1] + f'-{enc}"' if k == "ETag" and v.endswith('"') else v)
                for k, v in headers
            ]
        start_response(f"{response.status} {response.status.phrase}", headers)
        if response.file is None:
            return []
        return environ.get("wsgi.file_wrapper", FileWrapper)(response.file)


def init_app(app: Flask) -> None:
    """Build the assets if needed, link hashed names, serve the folder with WhiteNoise."""
    target = Path(app.config.get("ASSETS_DIR") or BUILD_DIR)
    manifest = build(SOURCE, target)
    app.extensions["sozmon_assets"] = manifest

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.wsgi_app = EncodedETagWhiteNoise(
        app.wsgi_app, root=str(target), prefix="static/", max_age=300, add_headers_function=_headers
    )
