"""Outline answers of the large territories, built and compressed once at load time.

A map of all Germany's Gemeinden starts with 1.5 MB of outlines. Concatenating the stored
shapes takes ~35 ms, but compressing them took ~250 ms (gzip and brotli) on the first request
of every process. The bodies of Germany and of each Land are therefore stored whole in
`outline_body` (migration 0008), brotli at quality 11 (10 % smaller than a request could
afford), and a first request only reads bytes. Triggers drop them whenever areas or shapes
change; build-shapes builds the missing ones again.
"""

from __future__ import annotations

import gzip
import hashlib
from typing import Any

import brotli
from sqlalchemy import Connection, text

from indicators.gebiet_queries import EBENEN_IN, get_territory, scope_shapes


def encode_bodies(raw: bytes, at_load: bool = False) -> dict[str, Any]:
    """The plain, gzip and brotli bodies of an outline answer and its content digest."""
    return {
        "digest": hashlib.sha256(raw).hexdigest(),
        "plain": raw,
        "gzip": gzip.compress(raw, compresslevel=9 if at_load else 6, mtime=0),
        "br": brotli.compress(raw, quality=11 if at_load else 5),
    }


def _large_territories(conn: Connection) -> list[str]:
    return ["DG", *conn.scalars(text("SELECT ags FROM area WHERE level = 'land' ORDER BY ags"))]


def build_outline_bodies(conn: Connection) -> int:
    """Store the missing outline bodies of Germany and each Land, every level; caller commits."""
    have = {
        (r.territory, r.ebene)
        for r in conn.execute(text("SELECT territory, ebene FROM outline_body"))
    }
    built = 0
    for ags in _large_territories(conn):
        territory = get_territory(conn, ags)
        if territory is None:
            continue
        for ebene in EBENEN_IN[territory.level]:
            if (ags, ebene) in have:
                continue
            raw = scope_shapes(conn, territory, ebene)
            if not raw or raw == "{}":
                continue
            b = encode_bodies(raw.encode(), at_load=True)
            conn.execute(
                text(
                    "INSERT INTO outline_body (territory, ebene, digest, plain, gzip, br)"
                    " VALUES (:t, :e, :digest, :plain, :gzip, :br)"
                ),
                {"t": ags, "e": ebene, **b},
            )
            built += 1
    return built


def stored_outline_body(conn: Connection, territory: str, ebene: str) -> dict[str, Any] | None:
    """The stored bodies of a territory's level (digest, plain, gzip, br), or None."""
    row = conn.execute(
        text(
            "SELECT digest, plain, gzip, br FROM outline_body WHERE territory = :t AND ebene = :e"
        ),
        {"t": territory, "e": ebene},
    ).first()
    if row is None:
        return None
    return {
        "digest": row.digest,
        "plain": bytes(row.plain),
        "gzip": bytes(row.gzip),
        "br": bytes(row.br),
    }
