"""What shared caches may keep: headers for the caching front server (nginx) and for CDNs.

The app decides, nginx follows: every answer carries `X-Accel-Expires` (hidden from clients by
nginx), the seconds nginx may keep it — 0 unless the answer is public and cacheable. Editors'
answers and everything under /redaktion are `no-store` for every cache.

Why TTL − 1: nginx counts in whole seconds and keeps an entry up to one second longer than it is
told, and the app reads the data version afresh for every request nginx sends (the header
`X-Sozmon-Front`), so a publish is visible through nginx within DATA_VERSION_TTL seconds.
"""

from __future__ import annotations

import math

from flask import Flask, Response, current_app, request

FRONT_HEADER = "X-Sozmon-Front"


def front_ttl() -> int:
    """Whole seconds nginx may keep a public answer before it asks the app again (revalidation)."""
    return max(0, math.floor(float(current_app.config.get("DATA_VERSION_TTL", 2))) - 1)


def from_front() -> bool:
    """True when nginx forwards this request (it then needs the current data version)."""
    return request.headers.get(FRONT_HEADER) == "1"


def _never_store(response: Response) -> None:
    """`no-store`: no browser, proxy or CDN keeps it (it may show drafts)."""
    cc = response.cache_control
    cc.public = False
    cc.max_age = None
    cc.no_store = True


def cache_policy(response: Response) -> Response:
    """Editors' answers never stored; public answers kept by nginx for front_ttl() seconds."""
    from app.editors.auth import is_editor

    if request.path.startswith("/redaktion") or (request.cookies and is_editor()):
        _never_store(response)
    cc = response.cache_control
    shareable = (
        response.status_code in (200, 304)
        and cc.public
        and not (cc.private or cc.no_store)
        and "Set-Cookie" not in response.headers
    )
    response.headers["X-Accel-Expires"] = str(front_ttl() if shareable else 0)
    return response


def init_app(app: Flask) -> None:
    """Attach the cache policy to every response."""
    app.after_request(cache_policy)
