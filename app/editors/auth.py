"""Editor login: hashed passwords, a DB-backed lockout, revocable sessions and CSRF tokens.

Sessions: the signed cookie carries the editor's name, the editor's `session_version` at login
and the login time. Every editor request checks both against the database, so logout, a new
password or removal revoke every cookie at once, and a session ends LOGIN_SESSION_HOURS after
login however active it is (the cookie is not extended per request).

Lockout: failures are counted per account (LOGIN_MAX_FAILURES) and, with a higher limit, per
client address (LOGIN_MAX_FAILURES_PER_ADDRESS), so one person behind a shared address cannot
lock the real editors out with made-up names. Check and count run under advisory locks on the
name and the address: parallel tries are checked one after the other, never past the limit.

CSRF: written here in a few lines instead of Flask-WTF — one random token per session, sent
as the hidden form field `csrf_token` and compared in constant time on every POST the app routes.
The one exception are the public alert forms (`app.web.security.public_form`: sign-up,
confirmation, unsubscribe): they sit on cached pages that carry no session, so their POSTs
are checked by the browser's `Origin` / `Sec-Fetch-Site` instead.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import Connection, text
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import check_password_hash, generate_password_hash

from app.editors import audit
from app.web.db import get_conn, get_engine
from app.web.security import same_origin

# Compared against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("timing-equaliser", method="scrypt")
MIN_PASSWORD_LENGTH = 12


COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# Digits, punctuation and blanks at either end: "Sonnenschein2024!" has the core "sonnenschein".
_PADDING = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_REPEATED = re.compile(r"(.+?)\1+")


def common_passwords() -> frozenset[str]:
    """The deny-list (lower-case). Read per call: only an editor's password change asks."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def password_problem(name: str, password: str) -> str | None:
    """Why this password is refused for this editor (German), or None.

    The rule an editor knows from public-sector IT (BSI IT-Grundschutz ORP.4): at least
    MIN_PASSWORD_LENGTH characters, not one character repeated, not the user name or a word
    derived from it, and not a commonly used password (app/editors/common_passwords.txt), also not
    with digits or punctuation merely added in front or behind.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Das Passwort braucht mindestens {MIN_PASSWORD_LENGTH} Zeichen."
    lower = password.lower()
    if len(set(lower)) == 1:
        return "Das Passwort darf nicht aus einem einzigen, wiederholten Zeichen bestehen."
    if name and len(name) >= 3 and name.lower() in lower:
        return "Das Passwort darf den Benutzernamen nicht enthalten."
    core = _PADDING.sub("", lower)
    deny = common_passwords()
    repeated = _REPEATED.fullmatch(core or lower)  # "hallohallohallo", "abcabcabcabc"
    unit = repeated.group(1) if repeated else ""
    if lower in deny or core in deny or unit in deny or 0 < len(unit) <= 4:
        return (
            "Dieses Passwort ist zu verbreitet (es steht auf einer Liste häufig benutzter"
            " Passwörter oder wiederholt nur ein Wort); bitte ein anderes wählen, z. B. einen"
            " Satz aus mehreren Wörtern."
        )
    return None


def add_editor(conn: Connection, name: str, password: str, by: str | None = None) -> bool:
    """Create an editor or set a new password (a scrypt hash only); a new password ends sessions.

    True when the account is new. With `by` (who did it) the change is written to the audit log.
    """
    if (problem := password_problem(name, password)) is not None:
        raise ValueError(problem)
    created = conn.execute(
        text(
            "INSERT INTO editor (name, password_hash) VALUES (:n, :h)"
            " ON CONFLICT (name) DO UPDATE SET password_hash = EXCLUDED.password_hash,"
            " session_version = editor.session_version + 1 RETURNING (xmax = 0) AS created"
        ),
        {"n": name, "h": generate_password_hash(password, method="scrypt")},
    ).scalar_one()
    if by is not None:
        audit.record(conn, by, "editor_add" if created else "editor_password", detail=name)
    return created


def remove_editor(conn: Connection, name: str, by: str | None = None) -> bool:
    """Delete an editor account (its sessions stop working); False if there is none.

    With `by` (who did it) the removal is written to the audit log.
    """
    gone = conn.execute(text("DELETE FROM editor WHERE name = :n"), {"n": name}).rowcount > 0
    if gone and by is not None:
        audit.record(conn, by, "editor_remove", detail=name)
    return gone


def end_sessions(conn: Connection, name: str) -> None:
    """Revoke every session of the editor (logout ends them on all devices)."""
    conn.execute(
        text("UPDATE editor SET session_version = session_version + 1 WHERE name = :n"),
        {"n": name},
    )


def locked_out(conn: Connection, name: str, ip: str) -> bool:
    """True after too many failures for this account, or far more from this address."""
    cfg = current_app.config
    by_name, by_ip = conn.execute(
        text(
            "SELECT count(*) FILTER (WHERE name = :n), count(*) FILTER (WHERE ip = :ip)"
            " FROM login_failure WHERE (name = :n OR ip = :ip)"
            " AND failed_at > now() - make_interval(mins => :m)"
        ),
        {"n": name[:80], "ip": ip[:64], "m": cfg["LOGIN_LOCK_MINUTES"]},
    ).one()
    return by_name >= cfg["LOGIN_MAX_FAILURES"] or by_ip >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]


def check_login(name: str, password: str, ip: str) -> str:
    """'ok', 'wrong' or 'locked'; failures are recorded (committed even though login fails)."""
    with get_engine().begin() as conn:
        # Serialise attempts on the same name or address (name first, then address: no
        # deadlock), so count-then-check cannot be overtaken by a parallel try.
        conn.execute(
            text(
                "SELECT pg_advisory_xact_lock(1, hashtext(:n)), pg_advisory_xact_lock(2, hashtext(:ip))"
            ),
            {"n": name[:80], "ip": ip[:64]},
        )
        if locked_out(conn, name, ip):
            audit.record(conn, name, "login_failed", detail="gesperrt", ip=ip)
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
            audit.record(conn, name, "login", ip=ip)
            return "ok"
        conn.execute(
            text("INSERT INTO login_failure (name, ip) VALUES (:n, :ip)"),
            {"n": name[:80], "ip": ip[:64]},
        )
        audit.record(conn, name, "login_failed", detail="falsches Passwort", ip=ip)
        return "wrong"


def _valid_session(name: str) -> bool:
    """The cookie's version is the editor's current one and the login is recent enough."""
    hours = current_app.config["LOGIN_SESSION_HOURS"]
    login_at = session.get("login_at")
    if not isinstance(login_at, int | float) or time.time() - login_at > hours * 3600:
        return False
    # Always the primary: a revoked session ends at once, whatever a read replica lags (and
    # the read routing itself asks whether this is an editor).
    with get_engine().connect() as conn:
        version = conn.scalar(
            text("SELECT session_version FROM editor WHERE name = :n"), {"n": name}
        )
    return version is not None and version == session.get("ver")


def current_editor() -> str | None:
    """The logged-in editor's name, or None for the (anonymous) public."""
    name = session.get("editor")
    if name is None:
        return None
    if "editor_ok" not in g:  # one database check per request
        g.editor_ok = _valid_session(name)
        if not g.editor_ok:
            session.clear()  # revoked or expired: the cookie is deleted
    return name if g.editor_ok else None


def is_editor() -> bool:
    """Whether this request comes from a logged-in editor (for draft visibility)."""
    return current_editor() is not None


def login_session(name: str) -> None:
    """Start a fresh session (new CSRF token) bound to the editor's current session version."""
    version = get_conn().scalar(
        text("SELECT session_version FROM editor WHERE name = :n"), {"n": name}
    )
    session.clear()
    session.permanent = True
    session["editor"] = name
    session["ver"] = version
    session["login_at"] = int(time.time())
    session["csrf"] = secrets.token_urlsafe(32)
    g.pop("editor_ok", None)


def logout_session() -> None:
    """End this editor's sessions everywhere (the version moves on) and clear the cookie."""
    name = current_editor()
    if name is not None:
        with get_engine().begin() as conn:
            end_sessions(conn, name)
            audit.record(conn, name, "logout", ip=request.remote_addr)
    session.clear()


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
    kind = getattr(current_app.view_functions.get(request.endpoint or ""), "public_form", None)
    if kind is not None:  # a public form of a cached page (app.web.security.public_form)
        one_click = kind == "one-click" and request.form.get("List-Unsubscribe") == "One-Click"
        if not one_click and not same_origin():
            g.csrf_failed = True
            abort(400, description="Dieses Formular wurde nicht von dieser Website gesendet.")
        return
    sent = request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        g.csrf_failed = True
        abort(400, description="Sicherheitstoken fehlt oder ist abgelaufen. Bitte neu laden.")


class FromProxyOnly:
    """X-Forwarded-For/-Proto are honoured only on requests from the proxy: over a Unix socket
    (no peer address — scripts/serve puts nginx's sockets in a folder only the app user can
    enter) or from an address in TRUSTED_PROXY_ADDRS. A request sent straight to an instance's
    loopback port keeps its real peer address, whatever headers it carries."""

    def __init__(self, wsgi_app, hops: int, trusted: frozenset[str]):
        self.plain = wsgi_app
        self.fixed = ProxyFix(wsgi_app, x_for=hops, x_proto=hops)
        self.trusted = trusted

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR") or ""
        try:
            ipaddress.ip_address(peer)
        except ValueError:  # a Unix socket's peer has no address
            return self.fixed(environ, start_response)
        if peer in self.trusted:
            return self.fixed(environ, start_response)
        return self.plain(environ, start_response)


def init_app(app: Flask) -> None:
    """Trusted proxy, the CSRF check and the template helpers."""
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:  # client address and scheme from X-Forwarded-* set by that many proxies …
        app.wsgi_app = FromProxyOnly(  # type: ignore[method-assign]
            app.wsgi_app, hops, app.config["TRUSTED_PROXY_ADDRS"]
        )
    app.before_request(check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["is_editor"] = is_editor
