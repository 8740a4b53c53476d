"""Bulk loading with PostgreSQL COPY, for releases of millions of values (all German Gemeinden)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text

from geodata.report import LoadError, Problem

COPY_COLUMNS = "indicator_id, ags, year, value, numerator, denominator"


def copy_values(
    conn: Connection,
    release_id: int,
    chunks: Iterable[bytes],
    columns: str = COPY_COLUMNS,
    check_shares: bool = True,
) -> int:
    """Stream tab-separated rows (indicator, ags, year, value, numerator, denominator) via COPY.

    Shares outside 0–100 are refused unless check_shares is off (official numbers computed from
    two sources, e.g. employees of 30 June over population of 31 December, may exceed 100 in a
    tiny Gemeinde: they are published as computed and listed by the importer).
    The rows go into a table of their own (the release's partition-to-be) without indexes,
    are checked set-based, indexed by sorting, and attached as the release's partition of
    `value`. All of it runs in the caller's transaction: a failure leaves nothing behind.
    """
    rid = int(release_id)
    part = f"value_r{rid}"
    conn.execute(text(f"CREATE TABLE {part} (LIKE value INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
    conn.execute(text(f"ALTER TABLE {part} ALTER COLUMN release_id SET DEFAULT {rid}"))
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cur, cur.copy(f"COPY {part} ({columns}) FROM STDIN") as cp:
        for chunk in chunks:
            cp.write(chunk)
    problems = conn.execute(
        text(
            f"SELECT 'unbekanntes Gebiet' AS what, count(*) FROM {part} s"
            "  WHERE NOT EXISTS (SELECT 1 FROM area a WHERE a.ags = s.ags)"
            f" UNION ALL SELECT 'unbekannter Indikator', count(*) FROM {part} s"
            "  WHERE NOT EXISTS (SELECT 1 FROM indicator i WHERE i.id = s.indicator_id)"
            f" UNION ALL SELECT 'Anteil außerhalb 0–100', count(*) FROM {part} s"
            "  JOIN indicator i ON i.id = s.indicator_id WHERE i.unit = '%'"
            f"  AND (s.value < 0 OR s.value > 100) AND {'true' if check_shares else 'false'}"
        )
    ).all()
    bad = {what: n for what, n in problems if n}
    if bad:
        raise LoadError([Problem("COPY", None, None, f"{n} Zeilen: {w}") for w, n in bad.items()])
    # The CHECK lets ATTACH skip its own scan; the indexes built here by sorting are adopted
    # as the partition's copies of the parent's primary key and lookup index (duplicate rows
    # fail the primary key here, with PostgreSQL's message).
    conn.execute(
        text(f"ALTER TABLE {part} ADD CONSTRAINT {part}_release CHECK (release_id = {rid})")
    )
    conn.execute(text(f"ALTER TABLE {part} ADD PRIMARY KEY (release_id, indicator_id, ags, year)"))
    conn.execute(text(f"CREATE INDEX ON {part} (indicator_id, year, release_id)"))
    conn.execute(text(f"CREATE INDEX ON {part} (ags, indicator_id, year)"))
    conn.execute(text(f"ALTER TABLE value ATTACH PARTITION {part} FOR VALUES IN ({rid})"))
    return conn.scalar(text(f"SELECT count(*) FROM {part}"))
