"""Database engine per app and one connection per request."""

from __future__ import annotations

import select

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError

from app.web.cache import VERSION_MEMO
from geodata.memo import MEMO_OPTION


def make_engine(url: str, demo: bool = False, web_timeout: float = 0) -> Engine:
    """Create an engine whose pool recovers by itself after a server restart.

    demo: the connections see synthetic values (view shown_value reads `sozmon.demo`,
    migrations 0009 and 0014); without it every page, download and API answer is real data only.
    web_timeout: statement_timeout (seconds, 0 = none) of a connection taken for a web request;
    taken outside a request (CLI commands, loads, migrations) it has none.
    """
    # work_mem: Germany-wide answers aggregate 6 MB of stored text in key order; with the
    # default 4 MB that sort spills to disk (90 ms instead of 50 ms). Per sort, not per server.
    # jit=off: with Germany loaded the planner's cost of plain lookups crosses jit_above_cost,
    # and compiling took longer than the query (a release's change summary: 30 s with JIT,
    # 0.18 s without; docs/development.md). No query of this app runs long enough to gain.
    options = "-c work_mem=32MB -c jit=off" + (" -c sozmon.demo=on" if demo else "")
    engine = create_engine(
        url,
        pool_size=5,
        max_overflow=10,
        connect_args={"options": options},
    )
    event.listen(engine, "checkout", _alive)
    event.listen(engine, "checkout", _timeout_setter(round(web_timeout * 1000)))
    return engine


def _timeout_setter(web_ms: int):
    """A checkout hook: statement_timeout web_ms inside a request, none outside one.

    The setting stays with the server connection; the pool remembers it per connection, so a
    SET is sent only when a connection changes sides (in a served process: once per
    connection). A transaction may raise it with SET LOCAL (publish, app.editors.views).
    """

    def checkout(dbapi_conn, record, _proxy) -> None:
        want = web_ms if has_request_context() else 0
        if record.info.get("statement_timeout") == want:
            return
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET statement_timeout = {int(want)}")
        if not dbapi_conn.autocommit:
            dbapi_conn.commit()  # the SET opened a transaction: keep the setting
        record.info["statement_timeout"] = want

    return checkout


def _alive(dbapi_conn, _record, _proxy) -> None:
    """Refuse a pooled connection the server has closed (restart, crash, idle timeout).

    SQLAlchemy's pre-ping asks the server (a round trip for every request); a closed
    connection's socket is readable at once (end of file, or the server's last message),
    which select() sees without asking. SQLAlchemy then takes a fresh connection.
    """
    if dbapi_conn.closed:
        raise DisconnectionError("connection closed")
    readable, _w, _x = select.select([dbapi_conn.fileno()], [], [], 0)
    if readable:  # an idle connection receives nothing unless the server is ending it
        raise DisconnectionError("server closed the connection")


def init_app(app: Flask) -> None:
    """Attach the engines (primary, optional read replica); close the request's connection."""
    demo = bool(app.config.get("DEMO"))
    timeout = float(app.config.get("STATEMENT_TIMEOUT") or 0)
    app.extensions["sozmon_engine"] = make_engine(app.config["DATABASE_URL"], demo, timeout)
    read_url = app.config.get("DATABASE_READ_URL")
    if read_url:
        app.extensions["sozmon_read_engine"] = make_engine(read_url, demo, timeout)
    app.teardown_appcontext(close_conn)


def set_local_timeout(conn: Connection, seconds: float) -> None:
    """statement_timeout for the rest of this transaction only (SET LOCAL; 0 = none)."""
    conn.execute(
        text("SELECT set_config('statement_timeout', :ms, true)"),
        {"ms": str(round(seconds * 1000))},
    )


def get_engine() -> Engine:
    """The engine of the current app (the primary: every write goes here)."""
    return current_app.extensions["sozmon_engine"]


def read_engine() -> Engine:
    """The replica for the public's reads when DATABASE_READ_URL is set, else the primary.

    Editors and non-GET requests read from the primary, so an editor sees a publish at once
    (read-your-writes) whatever the replica's lag.
    """
    replica = current_app.extensions.get("sozmon_read_engine")
    if replica is None or not has_request_context() or request.method not in ("GET", "HEAD"):
        return get_engine()
    from app.editors.auth import is_editor  # auth imports this module

    return get_engine() if request.cookies and is_editor() else replica


def get_conn() -> Connection:
    """The current request's connection (read-only use; opened on first call)."""
    if "db_conn" not in g:
        # Autocommit: reads need no BEGIN and no ROLLBACK when the connection goes back (two
        # round trips a request); under READ COMMITTED each statement had its own snapshot
        # anyway. Writes use get_engine().begin().
        # The memo: reads the same for every visitor of the data version, built once
        # (geodata.memo.memoised, app.web.cache.VersionMemo; issue #32).
        g.db_conn = (
            read_engine()
            .connect()
            .execution_options(isolation_level="AUTOCOMMIT", **{MEMO_OPTION: VERSION_MEMO})
        )
    return g.db_conn


def close_conn(_exc: BaseException | None = None) -> None:
    """Return the request's connection to the pool."""
    conn = g.pop("db_conn", None)
    if conn is not None:
        conn.close()
