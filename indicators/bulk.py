"""Bulk loading with PostgreSQL COPY, for releases of millions of values (all German Gemeinden)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

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
    `value` (which checks areas and indicators). All of it runs in the caller's transaction:
    a failure leaves nothing behind. Returns the number of rows.

    A role that does not own `value` (the web app's, migration 0013: no DDL) cannot make or
    attach a partition: its rows are copied into a temporary table, checked there the same way
    and inserted into `value` (its default partition), as the office upload does.
    """
    own = owns_value(conn)
    part = create_partition(conn, release_id) if own else _temporary_stage(conn, release_id)
    raw: Any = conn.connection.dbapi_connection  # psycopg's own connection: COPY
    with raw.cursor() as cur:
        # FREEZE (the table is new in this transaction): rows are written final, so the checks,
        # index builds and foreign-key check that read them next do not rewrite every page to
        # set hint bits. Nobody else sees the table before the commit anyway.
        with cur.copy(f"COPY {part} ({columns}) FROM STDIN WITH (FREEZE)") as cp:
            for chunk in chunks:
                cp.write(chunk)
        copied: int = cur.rowcount  # from COPY's command tag: no second pass to count
    if own:
        attach_partition(conn, release_id, check_shares)
    else:
        _insert_stage(conn, part, columns, check_shares)
    return copied


def owns_value(conn: Connection) -> bool:
    """Whether the connection's role owns `value` (may create and attach its partitions)."""
    return bool(
        conn.scalar(
            text(
                "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class"
                " WHERE oid = 'value'::regclass"
            )
        )
    )


def _temporary_stage(conn: Connection, release_id: int) -> str:
    """A temporary table shaped like `value` for one release's rows (dropped at commit)."""
    rid = int(release_id)
    stage = f"value_stage_r{rid}"
    conn.execute(
        text(f"CREATE TEMPORARY TABLE {stage} (LIKE value INCLUDING DEFAULTS) ON COMMIT DROP")
    )
    conn.execute(text(f"ALTER TABLE {stage} ALTER COLUMN release_id SET DEFAULT {rid}"))
    return stage


def _insert_stage(conn: Connection, stage: str, columns: str, check_shares: bool) -> None:
    """Check the staged rows as attach_partition does, then insert them into `value`."""
    if check_shares:
        _refuse(conn, _SHARES.format(part=stage))
    try:
        with conn.begin_nested():
            conn.execute(
                text(
                    f"INSERT INTO value (release_id, {columns})"
                    f" SELECT release_id, {columns} FROM {stage}"
                )
            )
    except IntegrityError:
        _refuse(conn, _UNKNOWN_KEYS.format(part=stage))
        raise


def create_partition(conn: Connection, release_id: int) -> str:
    """The release's partition-to-be of `value` (no indexes yet), in the caller's transaction;
    its name. Fill it, then attach_partition."""
    rid = int(release_id)
    part = f"value_r{rid}"
    # The CHECK (checked per row while copying) lets ATTACH skip its own scan.
    conn.execute(
        text(
            f"CREATE TABLE {part} (LIKE value INCLUDING DEFAULTS INCLUDING CONSTRAINTS,"
            f" CONSTRAINT {part}_release CHECK (release_id = {rid}))"
        )
    )
    conn.execute(text(f"ALTER TABLE {part} ALTER COLUMN release_id SET DEFAULT {rid}"))
    return part


def attach_partition(conn: Connection, release_id: int, check_shares: bool = True) -> None:
    """Check, index (by sorting) and attach a filled partition made by create_partition."""
    rid = int(release_id)
    part = f"value_r{rid}"
    if check_shares:
        _refuse(conn, _SHARES.format(part=part))
    # The indexes built here by sorting are adopted as the partition's copies of the parent's
    # primary key and lookup index (duplicate rows fail the primary key here, with
    # PostgreSQL's message).
    conn.execute(text(f"ALTER TABLE {part} ADD PRIMARY KEY (release_id, indicator_id, ags, year)"))
    conn.execute(text(f"CREATE INDEX ON {part} (indicator_id, year, release_id)"))
    conn.execute(text(f"CREATE INDEX ON {part} (ags, indicator_id, year)"))
    # ATTACH checks the foreign keys (known areas and indicators) in one pass over the rows;
    # only when that fails are the unknown keys counted, for a message that names them
    # (checking them first as well cost a second pass: ~5 s for 14 million rows).
    try:
        with conn.begin_nested():
            conn.execute(text(f"ALTER TABLE value ATTACH PARTITION {part} FOR VALUES IN ({rid})"))
    except IntegrityError:
        _refuse(conn, _UNKNOWN_KEYS.format(part=part))
        raise


# Set-based checks: (what, count) per kind of fault.
_SHARES = (
    "SELECT 'Anteil außerhalb 0–100' AS what, count(*) FROM {part} s"
    " WHERE s.indicator_id = ANY(ARRAY(SELECT id FROM indicator WHERE unit = '%'))"
    " AND (s.value < 0 OR s.value > 100)"
)
_UNKNOWN_KEYS = (
    "SELECT 'unbekanntes Gebiet' AS what, count(*) FROM {part} s"
    " WHERE NOT EXISTS (SELECT 1 FROM area a WHERE a.ags = s.ags)"
    " UNION ALL SELECT 'unbekannter Indikator', count(*) FROM {part} s"
    " WHERE NOT EXISTS (SELECT 1 FROM indicator i WHERE i.id = s.indicator_id)"
)


def _refuse(conn: Connection, query: str) -> None:
    """Raise a LoadError listing every kind of fault the query counts (nothing if none)."""
    bad = {what: n for what, n in conn.execute(text(query)).all() if n}
    if bad:
        raise LoadError([Problem("COPY", None, None, f"{n} Zeilen: {w}") for w, n in bad.items()])
