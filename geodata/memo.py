"""Reads that are the same for every visitor of one data version, built once (issue #32).

The app's request connection (app.web.db.get_conn) carries a memo under the execution option
`MEMO_OPTION` (app.web.cache.VersionMemo): kept in the app's cache under the current data
version, so a publish, rollback, withdrawal or a change of catalogue, areas, breaks or index
definition (each bumps data_epoch, migrations 0008, 0009, 0021) empties it with everything
else. One app has one demo mode and its own cache, so demo and real reads never meet. Other
connections (CLI, tests, writes) carry none and read the database each time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar, cast

from sqlalchemy import Connection

T = TypeVar("T")

MEMO_OPTION = "sozmon_memo"


class Memo(Protocol):
    """What is the same for every reader of one data version, built once (app.web.cache)."""

    def get_or_build(self, key: str, build: Callable[[], object]) -> object: ...

    def peek(self, key: str) -> object | None:
        """What is kept under key for the current data version, or None (nothing is built)."""
        ...


def has_memo(conn: Connection) -> bool:
    """Whether the connection carries a memo of the data version."""
    return conn.get_execution_options().get(MEMO_OPTION) is not None


def memoised(conn: Connection, key: str, build: Callable[[], T]) -> T:
    """build()'s result, kept in the connection's memo of the data version when it has one.

    Only for reads that depend on nothing but the data version, the connection's demo mode and
    the key (a small, bounded set of keys: the region holds few items). The result is shared
    by every request: callers must not change it (keep tuples, frozen dataclasses, or copy).
    """
    memo = conn.get_execution_options().get(MEMO_OPTION)
    return build() if memo is None else cast(T, memo.get_or_build(key, build))


def not_memoised(conn: Connection, keys: Sequence[str]) -> list[str]:
    """The keys of `keys` the connection's memo keeps nothing under yet ([] without a memo)."""
    memo = conn.get_execution_options().get(MEMO_OPTION)
    return [] if memo is None else [k for k in keys if memo.peek(k) is None]
