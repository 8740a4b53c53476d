"""url_for with memory: within one app, the same endpoint and values always build the same URL.

And the one rule which page an area key opens (`area_url`): search hits and their redirects, map
links, tables, the comparison and time series, and the API's `links` all ask it.
"""

from __future__ import annotations

from collections.abc import Iterable

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


def is_home_area(ags: str) -> bool:
    """A key of the home region (setting SOZMON_REGION): its Kreis or one of its Kommunen.

    By key alone (no query): the home Kreis's Gemeinden are its Kommunen, whatever else is loaded.
    """
    return _is_home(current_app.config["REGION"], ags)


def _is_home(home: str, ags: str) -> bool:
    return ags == home or (len(ags) == 8 and ags.startswith(home))


def area_url(ags: str, **values: object) -> str:
    """The page an area key opens: the home region's Kommunen and the Region their
    Sozialstrukturprofil (/kommune/<ags>), every other Gemeinde, Kreis, Land and the Bund its area
    profile (/gebiet/<ags>). `values` are further query parameters (e.g. release, lang)."""
    endpoint = "kommune.profile" if is_home_area(ags) else "gebiet.profile"
    return url_for(endpoint, ags=ags, **values)


_SENTINEL = "AGSXAGS"


def area_urls(keys: Iterable[str], **values: object) -> dict[str, str]:
    """area_url of each key, each once in order of appearance: the same URLs, built from one
    URL per page kind with the key put in (an answer of the API names up to 50,000 areas;
    flask.url_for took ~20 µs each). A key that is not plain letters and digits is built by
    area_url itself."""
    home: str = current_app.config["REGION"]
    parts: dict[str, list[str]] = {}
    out: dict[str, str] = {}
    for ags in keys:
        if ags in out:
            continue
        if not (ags.isascii() and ags.isalnum()):
            out[ags] = area_url(ags, **values)
            continue
        endpoint = "kommune.profile" if _is_home(home, ags) else "gebiet.profile"
        made = parts.get(endpoint)
        if made is None:
            made = parts[endpoint] = url_for(endpoint, ags=_SENTINEL, **values).split(_SENTINEL)
        out[ags] = ags.join(made) if len(made) == 2 else area_url(ags, **values)
    return out


def init_app(app: Flask) -> None:
    """Templates build their URLs through the remembering url_for too (and area_url)."""
    app.extensions[EXTENSION] = {}
    app.jinja_env.globals["url_for"] = url_for
    app.jinja_env.globals["area_url"] = area_url
