"""Database engine per app and one connection per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine


def make_engine(url: str) -> Engine:
    """Create an engine; pre-ping so the pool recovers by itself after a server restart."""
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def init_app(app: Flask) -> None:
    """Attach the engine to the app and close the request's connection at teardown."""
    app.extensions["sozmon_engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(close_conn)


def get_engine() -> Engine:
    """The engine of the current app."""
    return current_app.extensions["sozmon_engine"]


def get_conn() -> Connection:
    """The current request's connection (read-only use; opened on first call)."""
    if "db_conn" not in g:
        g.db_conn = get_engine().connect()
    return g.db_conn


def close_conn(_exc: BaseException | None = None) -> None:
    """Return the request's connection to the pool."""
    conn = g.pop("db_conn", None)
    if conn is not None:
        conn.close()
