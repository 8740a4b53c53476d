"""Serialise API rows: CSV (standard and German Excel), XLSX; licence headers for downloads."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from flask import Response

from app.api.openapi import LICENCE
from app.web.cache import Region
from app.web.downloads import API, content_disposition, write_csv, write_xlsx

CSV_STANDARD, CSV_DE = "csv", "csv-de"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_text(rows: Iterable[dict], columns: list[str], variant: str = CSV_STANDARD) -> str:
    """CSV text: RFC 4180 (comma, dot) or for German Excel (semicolon, decimal comma, BOM)."""
    table = ([r.get(c) for c in columns] for r in rows)
    return write_csv(columns, table, german=variant == CSV_DE, preset=API)


def xlsx_bytes(rows: Iterable[dict], columns: list[str], notes: list[tuple[str, str]]) -> bytes:
    """An XLSX workbook: sheet 'Daten' with the rows, sheet 'Hinweise' with licence and sources."""
    return write_xlsx(columns, ([r.get(c) for c in columns] for r in rows), notes=notes, preset=API)


# A whole release as XLSX takes seconds to build and ~1.5 MB to keep.
XLSX_CACHE = Region("xlsx")
# All German Gemeinden as GeoJSON: ~1 s to serialise, a few MB to keep.
GEOJSON_CACHE = Region("geojson")


def cached_xlsx(key: str, build: Callable[[], bytes]) -> bytes:
    """XLSX bytes by ETag: built once per data version and request, kept for the next client."""
    return XLSX_CACHE.get_or_build(key, build)


def json_text(data: object) -> str:
    """Compact JSON (UTF-8, not ASCII-escaped) with dates as ISO strings."""
    return json.dumps(data, ensure_ascii=False, default=_default, separators=(",", ":"))


def extend_json_object(text: str, extra: dict) -> str:
    """A JSON object's text with more members appended, without parsing it."""
    end = text.rindex("}")  # ValueError if it is no object
    more = json_text(extra)[1:-1]
    if not more:
        return text
    sep = "," if text[:end].rstrip()[-1] != "{" else ""
    return "".join((text[:end], sep, more, "}"))


# PostgreSQL's json_build_object writes every feature as {"type" : "Feature", …} (the collection
# is "FeatureCollection"); inside JSON strings a quote is escaped, so this only counts features.
_FEATURE = '"type" : "Feature",'


def count_features(geojson: str) -> int:
    """Number of features in a FeatureCollection's text (PostGIS output), without parsing it."""
    return geojson.count(_FEATURE)


def header_safe(text: str) -> str:
    """HTTP header values are Latin-1: replace what does not fit (dashes, quotes)."""
    text = text.replace("–", "-").replace("“", '"').replace("„", '"')
    text = " ".join(text.split())  # no line breaks in a header (release notes may have them)
    return text.encode("latin-1", "replace").decode("latin-1")


def download(body: str | bytes, mimetype: str, filename: str, attribution: list[str]) -> Response:
    """A file response naming licence (Link rel=license) and attribution (X-Attribution)."""
    resp = Response(body, mimetype=mimetype)
    if mimetype == "text/csv":
        resp.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    resp.headers["Content-Disposition"] = content_disposition(filename)
    resp.headers["Link"] = f'<{LICENCE["url"]}>; rel="license"; title="{LICENCE["id"]}"'
    resp.headers["X-Attribution"] = header_safe("; ".join(attribution))
    return resp


def json_response(data: object, mimetype: str = "application/json") -> Response:
    """A JSON response (a serialised str is passed through) with the licence Link header."""
    body = data if isinstance(data, str) else json_text(data)
    resp = Response(body, mimetype=mimetype)
    resp.headers["Link"] = f'<{LICENCE["url"]}>; rel="license"; title="{LICENCE["id"]}"'
    return resp


def _default(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
