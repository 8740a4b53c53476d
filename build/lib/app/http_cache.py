"""HTTP caching from the release: ETag and Last-Modified, 304 on a matching request."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from flask import Response, current_app, make_response, request
from flask_babel import get_locale

from app.precompressed import cached_response, encoding_for, variant_etag


def etag_for(*parts: object) -> str:
    """A strong ETag from what determines the content (release ids, parameters, language)."""
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


def not_modified(etag: str) -> bool:
    """True when the client's If-None-Match already holds this ETag."""
    # flask-compress marks compressed variants as "<etag>:gzip" / "<etag>:br".
    return etag in request.if_none_match or any(
        t.startswith(etag + ":") for t in request.if_none_match.as_set()
    )


# Pages: the language cookie changes the HTML. The API's answers depend on the URL alone.
PAGE_VARY = ("Accept-Encoding", "Cookie")


def cached(
    response: Response,
    etag: str,
    last_modified: datetime | None = None,
    max_age: int = 300,
    vary: tuple[str, ...] = PAGE_VARY,
) -> Response:
    """Mark a response cacheable by browsers and shared caches, validated by ETag."""
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    for header in vary:
        response.vary.add(header)
    return response


def conditional(
    etag: str, last_modified: datetime | None = None, vary: tuple[str, ...] = PAGE_VARY
) -> Response | None:
    """A ready 304 response when the client's copy is current, else None."""
    if not_modified(etag):
        return cached(Response(status=304), etag, last_modified, vary=vary)
    return None


class BodyCache:
    """A small thread-safe LRU of response bodies keyed by ETag (data version + request)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object) -> object | None:
        """The cached item, or None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: object, item: object) -> None:
        """Keep an item, dropping the least recently used beyond the size."""
        with self._lock:
            self._items[key] = item
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_build(self, key: object, build: Callable[[], object]) -> object:
        """The cached item, or build it once and keep it for the next client."""
        hit = self.get(key)
        if hit is None:
            hit = build()
            self.put(key, hit)
        return hit


PAGES = BodyCache(512)
_VERSION: dict = {}  # app name → (monotonic time, data version)
_VERSION_LOCK = threading.Lock()


def data_version_now() -> str:
    """The data version, re-read from the database at most every DATA_VERSION_TTL seconds.

    A cached page then costs no database round trip at all; a publish or rollback shows up on
    cached pages within that many seconds (default 2 s).
    """
    from app.db import get_conn
    from app.front import from_front
    from indicators.api_queries import data_version

    # nginx asks only when its copy is due: it gets the current version (see app/front.py).
    ttl = 0.0 if from_front() else float(current_app.config.get("DATA_VERSION_TTL", 2.0))
    now = time.monotonic()
    with _VERSION_LOCK:
        seen = _VERSION.get(id(current_app._get_current_object()))
    if seen is not None and now - seen[0] < ttl:
        return seen[1]
    version = data_version(get_conn())
    with _VERSION_LOCK:
        _VERSION[id(current_app._get_current_object())] = (now, version)
    return version


_DOMAIN = BodyCache(256)


def domain_cache(key: tuple, build: Callable[[], object]) -> object:
    """The one cache for the domain's expensive results (disparities, spatial weights, LISA):
    keyed by this app's database and the data version, so a publish invalidates it."""
    db = current_app.config.get("DATABASE_URL")
    return _DOMAIN.get_or_build((str(db), data_version_now(), *key), build)


KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control", "ETag", "Last-Modified",
                "Vary", "Link", "X-Attribution", "Content-Security-Policy")  # fmt: skip


def page_cache(view: Callable) -> Callable:
    """Serve a public page from memory while the data are unchanged ("as fast as a static file").

    The key is the path, the query string, the language and the data version (a fingerprint of
    releases, catalogue and areas, one small query); a publish, rollback or new catalogue gives a
    new version, so nothing stale is served. Editors (drafts) and non-200 answers bypass it.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        from app.auth import is_editor

        if is_editor():
            return view(*args, **kwargs)
        # request.host is validated (TRUSTED_HOSTS) and part of the key: absolute links in a
        # cached page are those of the host it was built for.
        key = (request.host, request.path, tuple(sorted(request.args.items(multi=True))),
               str(get_locale()), data_version_now())  # fmt: skip
        hit = PAGES.get(key)
        if hit is not None:
            etag, body, headers, variants = hit
            if not_modified(etag):
                enc = encoding_for(headers, body)
                kept = [
                    (h, v) for h, v in headers if h in ("Cache-Control", "Vary", "Last-Modified")
                ]
                resp = Response(status=304, headers=kept)
                resp.set_etag(variant_etag(etag, enc))
                return resp
            # Compressed once per page and encoding, kept beside the page.
            return cached_response(etag, body, headers, variants)
        resp = make_response(view(*args, **kwargs))
        if resp.status_code != 200 or resp.cache_control.no_store or resp.direct_passthrough:
            return resp
        if resp.get_etag()[0] is None:  # pages without their own ETag get one from the key
            cached(resp, etag_for("page", *key))
        etag = resp.get_etag()[0]
        PAGES.put(key, (etag, resp.get_data(), [(h, resp.headers[h]) for h in KEPT_HEADERS
                                                 if h in resp.headers], {}))  # fmt: skip
        return resp

    return wrapper
