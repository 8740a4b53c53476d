"""Query-string checks against the OpenAPI document, and the release a request asks for."""

from __future__ import annotations

import re

from flask import request
from sqlalchemy import Connection

from app.api.openapi import query_parameters
from app.editors.auth import is_editor
from app.web.problems import ApiProblem
from indicators.api_queries import find_release
from indicators.model import Release
from indicators.releases import visible_release


def _full(pattern: str) -> re.Pattern:
    # fullmatch: in Python '$' also matches before a trailing newline.
    return re.compile(pattern.removeprefix("^").removesuffix("$"))


def check_value(name: str, value: str, schema: dict) -> None:
    """Refuse a value the document's schema refuses (enum, anchored pattern, integer range),
    with a reason."""
    if schema.get("type") == "integer":
        check_integer(name, value, schema)
    if "enum" in schema and value not in schema["enum"]:
        raise ApiProblem(
            400,
            "invalid-parameter",
            f"{name}={value!r} ist nicht erlaubt; möglich: {', '.join(schema['enum'])}.",
            parameter=name,
            allowed=schema["enum"],
        )
    if "pattern" in schema and not _full(schema["pattern"]).fullmatch(value):
        n = value.count(",") + 1
        limit = re.search(r"\{0,(\d+)\}\$$", schema["pattern"])
        why = (
            f"zu viele Einträge ({n}, höchstens {int(limit.group(1)) + 1})"
            if limit and n > int(limit.group(1)) + 1
            else "ungültiges Format"
        )
        raise ApiProblem(
            400, "invalid-parameter", f"{name}: {why}.", parameter=name, pattern=schema["pattern"]
        )


def check_integer(name: str, value: str, schema: dict) -> None:
    """A decimal integer within the schema's minimum/maximum (both optional)."""
    low, high = schema.get("minimum"), schema.get("maximum")
    span = f"{low}–{high}" if high is not None else f"≥ {low}"
    if not re.fullmatch(r"-?[0-9]{1,12}", value):
        raise ApiProblem(
            400,
            "invalid-parameter",
            f"{name}={value!r} ist keine ganze Zahl; erlaubt: {span}.",
            parameter=name,
        )
    n = int(value)
    if (low is not None and n < low) or (high is not None and n > high):
        raise ApiProblem(
            400,
            "invalid-parameter",
            f"{name}={n} liegt außerhalb des erlaubten Bereichs {span}.",
            parameter=name,
        )


def integer(args: dict[str, str], name: str, schema: dict) -> int:
    """A checked integer parameter (see query), or the schema's default when not given."""
    return int(args[name]) if name in args else int(schema["default"])


def query(path: str) -> dict[str, str]:
    """The request's query parameters after checking names, repetition and values."""
    allowed = query_parameters(path)
    unknown = sorted(k for k in request.args if k not in allowed)
    if unknown:
        raise ApiProblem(
            400,
            "unknown-parameter",
            f"Unbekannte(r) Parameter: {', '.join(unknown)}. Erlaubt: "
            f"{', '.join(allowed) or 'keine'}.",
            parameters=unknown,
            allowed=list(allowed),
        )
    out = {}
    for name in request.args:
        values = request.args.getlist(name)
        if len(values) > 1:
            raise ApiProblem(
                400,
                "invalid-parameter",
                f"{name} ist mehrfach angegeben; Listen bitte durch Komma trennen.",
                parameter=name,
            )
        check_value(name, values[0], allowed[name])
        out[name] = values[0]
    return out


def path_value(name: str, value: str, pattern: str) -> str:
    """A path segment checked against its pattern."""
    check_value(name, value, {"pattern": pattern})
    return value


def release(conn: Connection, ref: str | None) -> Release | None:
    """The release a request names (published or withdrawn), None if none named; 404 for drafts."""
    if ref is None:
        return None
    rel = find_release(conn, ref)
    if rel is None or rel.status == "draft":
        # Drafts are not public: answered exactly like an unknown release.
        raise ApiProblem(
            404,
            "release-unavailable",
            f"Release {ref!r} ist unbekannt oder nicht veröffentlicht; siehe /api/v1/releases.",
            parameter="release",
        )
    # A withdrawn release stays readable when named explicitly (permalinks keep working);
    # its attribution says it was withdrawn. It is never the default.
    return rel


def page_release(conn: Connection, ref: str | None, newest: str) -> Release | None:
    """A release by id as the pages read it: published or withdrawn, drafts only for editors.

    The same rule as /streuung?release= (indicators.releases.visible_release); anything else
    is a 404 linking `newest`, the same request without `release`.
    """
    if ref is None:
        return None
    rel = visible_release(conn, int(ref), is_editor())
    if rel is None:
        raise ApiProblem(
            404,
            "release-unavailable",
            f"Release {ref} ist unbekannt oder nicht veröffentlicht; der neueste Datenstand:"
            f" {newest} (alle Releases: /api/v1/releases).",
            parameter="release",
            newest=newest,
        )
    return rel


def csv_list(value: str | None) -> list[str] | None:
    """A comma list, or None when the parameter was not given."""
    return value.split(",") if value is not None else None
