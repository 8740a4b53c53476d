"""Editor login: hashed passwords, a DB-backed lockout, session handling and CSRF tokens.

CSRF: written here in a few lines instead of Flask-WTF — one random token per session, sent
as the hidden form field `csrf_token` and compared in constant time on every POST the app routes
(the editors' forms are the only POSTs; everything else is read-only GET).
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import Connection, text
from werkzeug.security import check_password_hash, generate_password_hash

from app.db import get_engine

# Compared against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("timing-equaliser", method="scrypt")
MIN_PASSWORD_LENGTH = 12


def add_editor(conn: Connection, name: str, password: str) -> None:
    """Create an editor or set a new password (stored as a scrypt hash only)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Das Passwort braucht mindestens {MIN_PASSWORD_LENGTH} Zeichen.")
    conn.execute(
        text(
            "INSERT INTO editor (name, password_hash) VALUES (:n, :h)"
            " ON CONFLICT (name) DO UPDATE SET password_hash = EXCLUDED.password_hash"
        ),
        {"n": name, "h": generate_password_hash(password, method="scrypt")},
    )


def locked_out(conn: Connection, name: str, ip: str) -> bool:
    """True after too many failed logins for this name or from this IP in the lock window."""
    cfg = current_app.config
    n = conn.scalar(
        text(
            "SELECT greatest(count(*) FILTER (WHERE name = :n), count(*) FILTER (WHERE ip = :ip))"
            " FROM login_failure WHERE (name = :n OR ip = :ip)"
            " AND failed_at > now() - make_interval(mins => :m)"
        ),
        {"n": name, "ip": ip, "m": cfg["LOGIN_LOCK_MINUTES"]},
    )
    return n >= cfg["LOGIN_MAX_FAILURES"]


def check_login(name: str, password: str, ip: str) -> str:
    """'ok', 'wrong' or 'locked'; failures are recorded (committed even though login fails)."""
    with get_engine().begin() as conn:
        if locked_out(conn, name, ip):
            return "locked"
        stored = conn.scalar(text("SELECT password_hash FROM editor WHERE name = :n"), {"n": name})
        if check_password_hash(stored or _DUMMY_HASH, password) and stored:
            conn.execute(
                text("UPDATE editor SET last_login_at = now() WHERE name = :n"), {"n": name}
            )
            conn.execute(
                text("DELETE FROM login_failure WHERE name = :n AND ip = :ip"),
                {"n": name, "ip": ip},
            )
            return "ok"
        conn.execute(
            text("INSERT INTO login_failure (name, ip) VALUES (:n, :ip)"),
            {"n": name[:80], "ip": ip[:64]},
        )
        return "wrong"


def current_editor() -> str | None:
    """The logged-in editor's name, or None for the (anonymous) public."""
    return session.get("editor")


def is_editor() -> bool:
    """Whether this request comes from a logged-in editor (for draft visibility)."""
    return current_editor() is not None


def login_session(name: str) -> None:
    """Start a fresh session (new CSRF token) for the editor."""
    session.clear()
    session.permanent = True
    session["editor"] = name
    session["csrf"] = secrets.token_urlsafe(32)


def editor_required(view: Callable) -> Callable:
    """Send anonymous users to the login page."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not is_editor():
            nxt = request.full_path if request.query_string else request.path
            return redirect(url_for("editor.login", next=nxt))
        return view(*args, **kwargs)

    return wrapped


def csrf_token() -> str:
    """The session's CSRF token (created on first use) for hidden form fields."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Refuse a POST without the session's token (400), before the view runs."""
    # Only routed POSTs: a POST to a GET-only URL stays a 405 (or problem+json under /api).
    if request.method in ("GET", "HEAD", "OPTIONS") or request.routing_exception is not None:
        return
    sent = request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        g.csrf_failed = True
        abort(400, description="Sicherheitstoken fehlt oder ist abgelaufen. Bitte neu laden.")


def init_app(app: Flask) -> None:
    """Cookie flags, lockout settings, the CSRF check and the template helper."""
    app.before_request(check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["is_editor"] = is_editor
