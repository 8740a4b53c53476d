"""HTTP caching from the release: ETag and Last-Modified, 304 on a matching request."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from flask import Response, make_response, request
from flask_babel import get_locale

from app.web.cache import Region, data_version_now
from app.web.precompressed import cached_response, encoding_for, variant_etag


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


# A cited (pinned) view's data: the values of fixed releases never change (a year, "immutable").
FOREVER = 365 * 24 * 3600


def forever(response: Response) -> Response:
    """Mark a response of a pinned state cacheable for good: its values cannot change."""
    response.cache_control.public = True
    response.cache_control.max_age = FOREVER
    response.cache_control.immutable = True
    return response


PAGES = Region("pages")
_DOMAIN = Region("domain")


def domain_cache(key: tuple, build: Callable[[], object]) -> object:
    """The domain's expensive results (disparities, spatial weights, LISA) per data version."""
    return _DOMAIN.get_or_build(key, build)


KEPT_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Cache-Control",
    "ETag",
    "Last-Modified",
    "Vary",
    "Link",
    "X-Attribution",
    "Content-Security-Policy",
)


def page_cache(view: Callable) -> Callable:
    """Serve a public page from memory while the data are unchanged ("as fast as a static file").

    The key is the path, the query string, the language and the data version (a fingerprint of
    releases, catalogue and areas, one small query); a publish, rollback or new catalogue gives a
    new version, so nothing stale is served. Editors (drafts) and non-200 answers bypass it.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        from app.editors.auth import is_editor

        if is_editor():
            return view(*args, **kwargs)
        # request.host is validated (TRUSTED_HOSTS) and part of the key: absolute links in a
        # cached page are those of the host it was built for.
        key = (
            request.host,
            request.path,
            tuple(sorted(request.args.items(multi=True))),
            str(get_locale()),
            data_version_now(),
        )
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
            # (keeping a lifetime the view chose: a pinned view's data are `forever`)
            cached(resp, etag_for("page", *key), max_age=resp.cache_control.max_age or 300)
        etag = resp.get_etag()[0]
        PAGES.put(
            key,
            (
                etag,
                resp.get_data(),
                [(h, resp.headers[h]) for h in KEPT_HEADERS if h in resp.headers],
                {},
            ),
        )
        return resp

    return wrapper
