"""One pipeline for every source: rows → validated → `write_draft()` → publish (releases.py).

Every source (the office's CSV/XLSX through importer.py and the demo generator, GENESIS,
INKAR, GV-ISys, Zensus) reads its format into value rows and hands them to write_draft(): it
checks the catalogue entries of the indicators the rows name (the one catalogue validator,
validate.catalogue_problems), each row (the one row validator, validate.value_problems, with
the source's policy), creates the draft release, writes the rows by COPY into the release's own
partition of `value` (checked and indexed set-based there: known areas and indicators, one value
per indicator, area and year) and records where each indicator's values come from. Nothing is
written unless all of it passes; the caller's transaction holds it. Publishing is
`releases.publish`, as before.

New indicators come with the data too: the catalogue files of the data directory
(DATA_DIR/mappings/catalogue/*.csv, the columns of indicators/data/catalogue.csv) are read by
`data_catalogues()` (through the same validator as `sozmon load-catalogue`) before a source loads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from math import isfinite
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from geodata.report import LoadError, Problem
from indicators.bulk import attach_partition, create_partition
from indicators.catalogue import CATALOGUE_COLUMNS
from indicators.loaders import (
    Progress,
    SourceNote,
    create_release,
    no_progress,
    upsert_indicators,
    validate_catalogue,
    write_sources,
)
from indicators.tables import read_table
from indicators.validate import YEAR_MAX, YEAR_MIN, Policy, catalogue_problems, value_problems

# The data directory's catalogue files: new indicators without a file inside the code tree.
CATALOGUE_DIR = Path("mappings") / "catalogue"
# A value row: (indicator_id, ags, year, value, numerator, denominator[, suppressed, flag]).
ROW_COLUMNS = ("indicator_id", "ags", "year", "value", "numerator", "denominator")
FLAG_COLUMNS = ("suppressed", "flag")  # GENESIS: a secret value ('.') and the source's flag
# Problems listed one by one before the rest are counted (a whole file can be wrong alike).
LISTED = 20
CHUNK = 20000  # COPY lines per write


@dataclass(frozen=True)
class Draft:
    """What a source hands to write_draft besides its rows: the release and where it is from."""

    label: str
    origin: str  # the file or folder the rows come from: problems name it
    note: str = ""
    synthetic: bool = False
    policy: Policy = Policy.PUBLISHED
    flags: bool = False  # rows carry FLAG_COLUMNS after ROW_COLUMNS
    created_by: str | None = None  # an editor's login (imports in the browser)
    # Catalogue rows that come with the release: stored with it, applied when it is published.
    catalogue: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Staged:
    """Rows validated while read and kept in a temporary table of the transaction (the office's
    files: each row checked by the row validator where its file, row and column are known);
    `seq` numbers them 1..count."""

    table: str
    count: int
    progress: Progress = no_progress


def data_catalogue_files(data_dir: Path) -> list[Path]:
    """The data directory's catalogue files (DATA_DIR/mappings/catalogue/*.csv), by name."""
    folder = data_dir / CATALOGUE_DIR
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


def data_catalogues(conn: Connection, data_dir: Path) -> list[str]:
    """Check and upsert the data directory's catalogue files (new indicators go to the end of the
    order, known ones keep their place); LoadError naming file, row and column of every fault.
    Returns the indicator ids the files define."""
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in data_catalogue_files(data_dir):
        table = read_table(path)
        table.rows = list(table.rows)
        found_rows, found = validate_catalogue(conn, table)
        problems += found
        for n, r in table.rows:  # the same indicator in two files (in one: validate_catalogue)
            if seen.get(r.get("id", ""), str(path)) != str(path):
                problems.append(
                    Problem(str(path), n, "id", f"{r['id']!r} schon in {seen[r['id']]}")
                )
            seen.setdefault(r.get("id", ""), str(path))
        rows += found_rows
    if problems:
        raise LoadError(problems)
    if rows:
        upsert_indicators(conn, rows, partial=True)
    return [r["id"] for r in rows]


def catalogue_entry_problems(conn: Connection, indicators: Iterable[str]) -> list[Problem]:
    """The catalogue validator on the stored entries of the given indicators (an entry stored
    before the validator knew a rule, or written past it, refuses every source alike)."""
    found: list[Problem] = []
    rows = conn.execute(
        text(
            "SELECT id, unit, polarity, decimals::text AS decimals FROM indicator"
            " WHERE id = ANY(:i) ORDER BY sort, id"
        ),
        {"i": sorted(set(indicators))},
    ).mappings()
    for r in rows:
        for p in catalogue_problems(
            "Katalog (Tabelle indicator)", None, {k: str(v) for k, v in r.items()}
        ):
            found.append(
                Problem(p.file, p.row, p.column, f"{r['id']}: {p.message}", expected=p.expected)
            )
    return found


def write_draft(
    conn: Connection,
    draft: Draft,
    rows: Iterable[Sequence[Any]] | Staged,
    sources: Iterable[SourceNote] = (),
) -> tuple[int, int]:
    """Validate the rows and write them as the draft release draft.label; (release id, rows).

    LoadError with every problem (catalogue entries, rows: the first LISTED, then a count) and
    nothing written: the release is created only after every check passed."""
    units: dict[str, str] = dict(conn.execute(text("SELECT id, unit FROM indicator")).all())
    problems: list[Problem] = []
    lines: list[bytes] = []
    if isinstance(rows, Staged):
        used = set(conn.scalars(text(f"SELECT DISTINCT indicator_id FROM {rows.table}")))
        count = rows.count
    else:
        rows = rows if isinstance(rows, list) else list(rows)
        used = {r[0] for r in rows}
        lines = list(encode_rows(rows, units, draft, problems))
        count = len(rows)
    problems[:0] = catalogue_entry_problems(conn, used & units.keys())
    if problems:
        raise LoadError(_counted(problems))
    release_id = create_release(conn, draft.label, synthetic=draft.synthetic, note=draft.note)
    if draft.created_by is not None or draft.catalogue:
        conn.execute(
            text(
                "UPDATE release SET created_by = :by, catalogue = CAST(:cat AS jsonb)"
                " WHERE id = :id"
            ),
            {
                "by": draft.created_by,
                "cat": json.dumps(draft.catalogue) if draft.catalogue else None,
                "id": release_id,
            },
        )
    columns = ROW_COLUMNS + (FLAG_COLUMNS if draft.flags else ())
    if isinstance(rows, Staged):
        write_partition(conn, release_id, staged=rows)
    else:
        write_partition(conn, release_id, lines, columns)
    write_sources(conn, release_id, sources)
    return release_id, count


def write_partition(
    conn: Connection,
    release_id: int,
    chunks: Iterable[bytes] = (),
    columns: Sequence[str] = ROW_COLUMNS,
    staged: Staged | None = None,
) -> None:
    """The release's values into its own partition of `value` (COPY of text chunks, or from the
    staging table in steps, progress shown per step), then indexed, checked (known areas and
    indicators, one value per key) and attached.

    A role that does not own `value` (least privilege: no DDL) cannot attach a partition: its
    rows go into the default partition instead (slower: three indexes per row)."""
    own = conn.scalar(
        text(
            "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class"
            " WHERE oid = 'value'::regclass"
        )
    )
    part = create_partition(conn, release_id) if own else "value"
    cols = ", ".join(columns)
    if staged is not None:
        step = 50000
        conn.execute(text(f"CREATE INDEX ON {staged.table} (seq)"))
        stmt = text(
            f"INSERT INTO {part} (release_id, {cols}) SELECT :rid, {cols} FROM {staged.table}"
            " WHERE seq > :a AND seq <= :b"
        )
        for start in staged.progress(range(0, staged.count, step)):
            conn.execute(stmt, {"rid": release_id, "a": start, "b": start + step})
    else:
        raw: Any = conn.connection.dbapi_connection  # psycopg's own connection: COPY
        # FREEZE (the partition is new in this transaction): rows are written final, so the
        # checks and index builds that read them next do not rewrite every page for hint bits.
        how = f"{part} ({cols}) FROM STDIN WITH (FREEZE)"
        if not own:
            how = f"{part} (release_id, {cols}) FROM STDIN"
            chunks = _with_release(chunks, release_id)
        with raw.cursor() as cur, cur.copy(f"COPY {how}") as cp:
            for chunk in chunks:
                cp.write(chunk)
    if own:
        # Shares were checked by the row validator with the source's policy.
        attach_partition(conn, release_id, check_shares=False)
    # ANALYZE follows in releases.draft_written or publish (through the owner's sozmon_analyze).


def _with_release(chunks: Iterable[bytes], release_id: int) -> Iterator[bytes]:
    prefix = f"{int(release_id)}\t".encode()
    for chunk in chunks:
        yield b"".join(prefix + line + b"\n" for line in chunk.splitlines())


def encode_rows(
    rows: list[Sequence[Any]], units: dict[str, str], draft: Draft, problems: list[Problem]
) -> Iterator[bytes]:
    """COPY text of the rows in chunks, each row checked by the row validator on the way."""
    buf: list[str] = []
    policy, origin = draft.policy, draft.origin
    office = policy is Policy.OFFICE
    for n, r in enumerate(rows, start=1):
        ind, ags, year, value, num, den = r[:6]
        if ind not in units:
            problems.append(Problem(origin, n, "indicator", f"unbekannter Indikator {ind!r}"))
            continue
        if not YEAR_MIN <= year <= YEAR_MAX:
            problems.append(
                Problem(
                    origin,
                    n,
                    "year",
                    f"{ind}/{ags}: Jahr {year} liegt nicht in {YEAR_MIN}–{YEAR_MAX}",
                )
            )
        # The published policy's only value rule is finiteness: tested inline (millions of
        # rows of a Germany load), the validator asked only when it could find something.
        if (
            office
            or (value is not None and not isfinite(value))
            or (num is not None and not isfinite(num))
            or (den is not None and not isfinite(den))
        ):
            for col, msg in value_problems(units[ind], value, num, den, policy):
                problems.append(Problem(origin, n, col, f"{ind}/{ags}/{year}: {msg}"))
        buf.append("\t".join(map(_cell, r)))
        if len(buf) >= CHUNK:
            yield ("\n".join(buf) + "\n").encode()
            buf = []
    if buf:
        yield ("\n".join(buf) + "\n").encode()


def _cell(v: object) -> str:
    if v is None:
        return "\\N"
    if v is True or v is False:
        return "t" if v else "f"
    return str(v)  # str of a float is its shortest repr: every digit of the double kept


def _counted(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= LISTED:
        return problems
    rest = len(problems) - LISTED
    return [
        *problems[:LISTED],
        Problem(problems[LISTED].file, None, None, f"… und {rest} weitere Probleme"),
    ]


__all__ = ["CATALOGUE_COLUMNS", "Draft", "Policy", "Staged", "write_draft"]
