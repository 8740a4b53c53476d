"""Licence, attribution and caching that every API response carries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import Response, request

from app.api.openapi import LICENCE
from app.web.home import publisher
from app.web.http_cache import cached, conditional, etag_for
from geodata import attribution as sources  # `attribution` is the function below
from indicators.model import Release

BOUNDARIES = f"{sources.BOUNDARIES} ({sources.BOUNDARIES_PRODUCT}, {sources.LICENCE})"
SYNTHETIC_NOTE = (
    "Beispieldaten: Die Werte synthetischer Releases ({labels}) sind erfunden und keine"
    " amtlichen Zahlen."
)
MAX_AGE = 300  # browsers and proxies revalidate after 5 minutes: a rollback shows up soon


def attribution(releases: Iterable[Release], boundaries: bool = False) -> list[str]:
    """Who to name for what a response contains: publisher, releases, boundaries."""
    out = [publisher()]
    for r in releases:
        if r.status == "withdrawn":
            out.append(f"{r.label}: zurückgezogenes Release (nicht mehr aktuell)")
        if r.status == "draft":  # only editors see drafts
            out.append(f"{r.label}: Entwurf (nicht veröffentlicht)")
        if r.synthetic:
            out.append(f"{r.label}: Beispieldaten, synthetisch erzeugt (keine amtlichen Werte)")
        else:
            out.append(f"{r.label}: {r.note or out[0]}")
    if boundaries:
        out.append(BOUNDARIES)
    return out


def envelope(releases: list[Release], boundaries: bool = False) -> dict:
    """The licence/attribution/synthetic members of a JSON response."""
    synthetic = [r.label for r in releases if r.synthetic]
    out: dict = {
        "licence": LICENCE,
        "attribution": attribution(releases, boundaries),
        "synthetic": bool(synthetic),
    }
    if synthetic:
        out["hinweis"] = SYNTHETIC_NOTE.format(labels=", ".join(synthetic))
    return out


def etag(version: str) -> str:
    """The ETag of this request: path, its parameters and the data version."""
    params = sorted(request.args.items(multi=True))
    return etag_for("api", request.path, params, version)


def newest(releases: Iterable[Release]) -> datetime | None:
    """Last-Modified: when the newest of the involved releases was published."""
    dates = [r.published_at for r in releases if r.published_at]
    return max(dates) if dates else None


def cacheable(resp: Response, tag: str, last_modified: datetime | None) -> Response:
    """ETag, Last-Modified and Cache-Control that let browsers, proxies and CDNs hold it."""
    return cached(resp, tag, last_modified, MAX_AGE, vary=())


def not_modified_response(tag: str, last_modified: datetime | None) -> Response | None:
    """304 when the client's copy is current."""
    return conditional(tag, last_modified, vary=())
