"""Compressed variants of a cached page, made once per page and encoding, not per request."""

from __future__ import annotations

import gzip

import brotli
from flask import Response, current_app, request

ENCODINGS = ("br", "gzip")  # preference order, as flask-compress's COMPRESS_ALGORITHM
MIN_SIZE = 500  # below this compression does not pay (flask-compress's default too)


def choose_encoding(accept_encoding: str) -> str | None:
    """The preferred encoding the client accepts (q > 0), or None."""
    accepted = {}
    for part in accept_encoding.lower().split(","):
        name, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        accepted[name.strip()] = q
    for enc in ENCODINGS:
        if accepted.get(enc, accepted.get("*", 0.0)) > 0:
            return enc
    return None


def compress(body: bytes, encoding: str) -> bytes:
    """The body in one encoding, at the app's configured levels."""
    cfg = current_app.config
    if encoding == "br":
        return brotli.compress(body, quality=int(cfg.get("COMPRESS_BR_LEVEL", 4)))
    return gzip.compress(body, int(cfg.get("COMPRESS_LEVEL", 6)), mtime=0)


def _compressible(headers: list[tuple[str, str]], body: bytes) -> bool:
    ctype = dict(headers).get("Content-Type", "").split(";")[0].strip()
    return len(body) >= MIN_SIZE and ctype in current_app.config.get("COMPRESS_MIMETYPES", ())


def variant_etag(etag: str, encoding: str | None) -> str:
    """flask-compress's convention: one ETag per encoding ("<etag>:gzip")."""
    return f"{etag}:{encoding}" if encoding else etag


def encoding_for(headers: list, body: bytes) -> str | None:
    """The encoding this request gets for a cached page (None: sent as it is)."""
    if not _compressible(headers, body):
        return None
    return choose_encoding(request.headers.get("Accept-Encoding", ""))


def cached_response(etag: str, body: bytes, headers: list, variants: dict) -> Response:
    """A response from a cached page; a compressed variant is made once and kept in `variants`."""
    enc = encoding_for(headers, body)
    if enc is None:
        return Response(body, headers=headers)
    data = variants.get(enc)
    if data is None:
        data = variants[enc] = compress(body, enc)  # a race builds it twice, harmlessly
    resp = Response(data, headers=headers)
    resp.headers["Content-Encoding"] = enc  # flask-compress leaves encoded answers alone
    resp.set_etag(variant_etag(etag, enc))
    resp.vary.add("Accept-Encoding")
    return resp
