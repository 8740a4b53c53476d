"""url_for with memory: within one app, the same endpoint and values always build the same URL."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask import url_for as flask_url_for

EXTENSION = "sozmon_urls"
MAX_URLS = 8192  # distinct (endpoint, values) per process; then the map starts afresh


def url_for(endpoint: str, **values: object) -> str:
    """flask.url_for for relative URLs, remembered per app (a map page builds ~80 URLs, ~20 µs
    each; most of them — years, profiles, navigation — are the same on every page)."""
    # Relative endpoints depend on the request's blueprint; _external, _anchor etc. on more.
    if endpoint.startswith(".") or any(k.startswith("_") for k in values):
        return flask_url_for(endpoint, **values)
    try:
        key = (request.script_root, endpoint, tuple(sorted(values.items())))
        hash(key)
    except TypeError:  # a list among the values: not hashable, built each time
        return flask_url_for(endpoint, **values)
    built: dict = current_app.extensions[EXTENSION]
    url = built.get(key)
    if url is None:
        if len(built) >= MAX_URLS:
            built.clear()
        url = built[key] = flask_url_for(endpoint, **values)
    return url


def init_app(app: Flask) -> None:
    """Templates build their URLs through the remembering url_for too."""
    app.extensions[EXTENSION] = {}
    app.jinja_env.globals["url_for"] = url_for
