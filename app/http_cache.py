"""HTTP caching from the release: ETag and Last-Modified, 304 on a matching request."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, request


def etag_for(*parts: object) -> str:
    """A strong ETag from what determines the content (release ids, parameters, language)."""
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


def not_modified(etag: str) -> bool:
    """True when the client's If-None-Match already holds this ETag."""
    # flask-compress marks compressed variants as "<etag>:gzip" / "<etag>:br".
    return etag in request.if_none_match or any(
        t.startswith(etag + ":") for t in request.if_none_match.as_set()
    )


def cached(
    response: Response, etag: str, last_modified: datetime | None = None, max_age: int = 300
) -> Response:
    """Mark a response cacheable by browsers and shared caches, validated by ETag."""
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.vary.add("Accept-Encoding")
    response.vary.add("Cookie")  # the language cookie changes the HTML
    return response


def conditional(etag: str, last_modified: datetime | None = None) -> Response | None:
    """A ready 304 response when the client's copy is current, else None."""
    if not_modified(etag):
        return cached(Response(status=304), etag, last_modified)
    return None
