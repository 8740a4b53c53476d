"""Security headers: a strict CSP; only /embed/ pages may be framed by other sites."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Flask, Response, current_app, request


def content_security_policy(embeddable: bool) -> str:
    """CSP allowing only the app's own assets (plus the configured tile host, if any)."""
    img = "'self' data:"
    tile_url = current_app.config.get("TILE_URL") or ""
    if tile_url:
        host = urlparse(tile_url.replace("{s}", "a")).netloc
        img += f" https://{host}" if host else ""
    frame = "*" if embeddable else "'none'"
    return (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline';"
        f" img-src {img}; font-src 'self'; connect-src 'self'; frame-ancestors {frame};"
        " base-uri 'self'; form-action 'self'"
    )


def add_headers(response: Response) -> Response:
    """Attach CSP and related headers to every response."""
    embeddable = request.path.startswith("/embed/")
    response.headers.setdefault("Content-Security-Policy", content_security_policy(embeddable))
    if not embeddable:
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    """Register the header hook."""
    app.after_request(add_headers)
