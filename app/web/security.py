"""Security headers (strict CSP, Permissions-Policy), trusted hosts and request sanity checks.

Only /embed/ pages may be framed by other sites. Scripts: no 'unsafe-inline'; the one inline
script a page may carry (the folium map) is allowed by its SHA-256 hash, which the view sends
(`script_hashes`), so a cached copy of the page carries the same header.

Styles: 'self' only — no <style> element and no style="" attribute in any page. What used to
need them is drawn without: colour squares are a tiny SVG (`fill()`, a presentation attribute,
not CSS), names over the SVG maps are placed by classes in 0.5 % steps (`at()`, rules in
site.css), the folium map's box is styled in karte.css. Scripts may still set element.style
(CSSOM), which CSP does not restrict (Leaflet does that).
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlparse, urlsplit

from flask import Flask, Response, abort, current_app, request
from markupsafe import Markup, escape

# Browser features the site never uses: refused for it and for anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(),"
    " fullscreen=(self), geolocation=(), gyroscope=(), magnetometer=(), microphone=(),"
    " midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(),"
    " screen-wake-lock=(), sync-xhr=(), usb=(), xr-spatial-tracking=()"
)
LOCAL_HOSTS = ["localhost", "127.0.0.1", "::1"]


def script_hash(script: str) -> str:
    """The CSP source expression for one inline script's exact text."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy(embeddable: bool, script_hashes: tuple[str, ...] = ()) -> str:
    """CSP allowing only the app's own assets (plus the configured tile host, if any)."""
    img = "'self' data:"
    tile_url = current_app.config.get("TILE_URL") or ""
    if tile_url:
        host = urlparse(tile_url.replace("{s}", "a")).netloc
        img += f" https://{host}" if host else ""
    frame = "*" if embeddable else "'none'"
    scripts = " ".join(("'self'", *script_hashes))
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self';"
        f" img-src {img}; font-src 'self'; connect-src 'self'; frame-ancestors {frame};"
        " base-uri 'self'; form-action 'self'; object-src 'none'"
    )


POSITION_STEPS = 2  # label positions in 0.5 % steps: classes .lx-0 … .lx-200, .ly-0 … .ly-200


def at(left: float, top: float) -> str:
    """Classes placing a label at left/top per cent of its box (rules in site.css)."""

    def step(v: float) -> int:
        return min(max(round(float(v) * POSITION_STEPS), 0), 100 * POSITION_STEPS)

    return f"lx-{step(left)} ly-{step(top)}"


def position_css() -> str:
    """The rules behind at() (pasted into app/static/css/site.css; a test keeps them in step)."""
    n = 100 * POSITION_STEPS
    return "".join(
        f".l{axis}-{i}{{{prop}:{i / POSITION_STEPS:g}%}}"
        for axis, prop in (("x", "left"), ("y", "top"))
        for i in range(n + 1)
    )


def fill(color: str) -> Markup:
    """A colour square's inside: an SVG filled with `color` (no style attribute, see above)."""
    # (an f-string of the escaped colour: Markup.format's escaping formatter cost ~4 µs a call,
    # 26 calls a map page)
    return Markup(
        '<svg viewBox="0 0 1 1" preserveAspectRatio="none" focusable="false">'
        f'<rect width="1" height="1" fill="{escape(color)}"/></svg>'
    )


def with_inline_scripts(response: Response, *scripts: str) -> Response:
    """Allow exactly these inline scripts on this response (by hash)."""
    embeddable = request.path.startswith("/embed/")
    hashes = tuple(script_hash(s) for s in scripts)
    response.headers["Content-Security-Policy"] = content_security_policy(embeddable, hashes)
    return response


def add_headers(response: Response) -> Response:
    """Attach CSP and related headers to every response."""
    embeddable = request.path.startswith("/embed/")
    response.headers.setdefault("Content-Security-Policy", content_security_policy(embeddable))
    if not embeddable:
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    hsts = current_app.config.get("HSTS_MAX_AGE", 0)
    if hsts and request.is_secure:  # only over https: browsers ignore it on http anyway
        response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts}")
    return response


def refuse_nul_bytes() -> None:
    """A NUL byte can reach no query (PostgreSQL text cannot hold it): 400, not 500."""
    if (
        "\x00" in request.path
        or any("\x00" in k + v for k, v in request.args.items(multi=True))
        or (
            request.method == "POST"
            and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
            and any("\x00" in k + v for k, v in request.form.items(multi=True))
        )
    ):
        abort(400, description="Die Anfrage enthält ein Nullzeichen (%00); das ist nie gültig.")


def public_url() -> str:
    """Scheme and host for absolute links: PUBLIC_URL, else the validated request host."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def trusted_hosts(config: dict) -> list[str]:
    """Host headers the app answers: TRUSTED_HOSTS and PUBLIC_URL's host, else loopback only."""
    hosts = list(config.get("TRUSTED_HOSTS") or [])
    if config.get("PUBLIC_URL"):
        hosts.append(urlsplit(config["PUBLIC_URL"]).hostname or "")
    return [h for h in hosts if h] or list(LOCAL_HOSTS)


def init_app(app: Flask) -> None:
    """Register the header hook, the NUL check and the Host validation."""
    # Flask answers any other Host header with 400 before routing: no page, cache entry or
    # absolute link can carry a Host the operator did not configure.
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    app.before_request(refuse_nul_bytes)
    app.after_request(add_headers)
    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals.update(at=at, fill=fill)


def public_form(one_click: bool = False):
    """Mark a view whose POST comes from a public, anonymous form on a cached page (the alerts'
    sign-up): it carries no session token (a cached page has none to give), so the CSRF check
    asks the browser where the form was: `Origin` (sent with every POST by current browsers)
    must be this site, or without it `Sec-Fetch-Site: same-origin`. A cross-site form, or a
    POST saying neither, is refused. one_click: also accept RFC 8058's
    `List-Unsubscribe=One-Click` POST of a mail program (it has no origin; the unguessable
    token in the URL is the authority there)."""

    def mark(view):
        view.public_form = "one-click" if one_click else "same-origin"
        return view

    return mark


def same_origin() -> bool:
    """The POST says it comes from a page of this site (Origin or Fetch Metadata). A page with
    `Referrer-Policy: no-referrer` makes the browser send `Origin: null`; then only the Fetch
    Metadata header (which no page can set) decides."""
    origin = request.headers.get("Origin")
    if origin is not None and origin != "null":
        here = urlsplit(request.host_url)
        there = urlsplit(origin)
        return (there.scheme, there.netloc) == (here.scheme, here.netloc)
    return request.headers.get("Sec-Fetch-Site") == "same-origin"
