"""Configuration: defaults plus environment variables; no I/O at import time."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


# Database roles made by scripts/localdb (docs/operations.md): the web app connects as
# APP_ROLE (owns nothing, migration 0013), migrations and loads as OWNER_ROLE.
APP_ROLE = "sozmon_app"
OWNER_ROLE = "sozmon_owner"


def local_database_url(
    root: Path = PROJECT_ROOT, db: str = "sozialmonitoring", user: str = APP_ROLE
) -> str:
    """URL of the project-local cluster started by scripts/localdb (socket in .pgdata/run)."""
    port = os.environ.get("SOZMON_PG_PORT", "5439")
    return f"postgresql+psycopg://{user}@/{db}?host={root / '.pgdata' / 'run'}&port={port}"


def owner_database_url() -> str:
    """DATABASE_OWNER_URL; else a DATABASE_URL named by the operator (one role for both, as
    before the roles); else the local cluster as the owner role."""
    return (
        os.environ.get("DATABASE_OWNER_URL")
        or os.environ.get("DATABASE_URL")
        or local_database_url(user=OWNER_ROLE)
    )


def from_environment() -> dict:
    """Settings read from the environment, with the project's defaults."""
    return {
        # The web app's connection: the app role, which owns nothing (docs/operations.md).
        "DATABASE_URL": os.environ.get("DATABASE_URL") or local_database_url(),
        # Migrations and loads (the `sozmon` command): the owner role.
        "DATABASE_OWNER_URL": owner_database_url(),
        # Optional streaming replica for the public's reads (writes and editors: DATABASE_URL).
        "DATABASE_READ_URL": os.environ.get("DATABASE_READ_URL") or None,
        # Real data (boundaries, Zensus) lives outside the repository.
        "DATA_DIR": Path(os.environ.get("DATA_DIR") or PROJECT_ROOT.parent / "shared" / "data"),
        # Computed GENESIS rows kept by the hash of files, mapping and code (genesis_cache); None:
        # cache/ in the instance folder; "off": nothing kept.
        "CACHE_DIR": os.environ.get("SOZMON_CACHE_DIR") or None,
        # The home Kreis (5-digit key) whose Gemeinden are "the Kommunen"; checked by create_app.
        "REGION": os.environ.get("SOZMON_REGION") or "03241",
        # Demo mode: synthetic "Beispieldaten" are loaded (load-all) and shown, each value marked;
        # off by default, so a default install shows real data only.
        "DEMO": os.environ.get("SOZMON_DEMO", "") not in ("", "0"),
        # load-all loads every German Gemeinde with its real values (~1 min, ~2 GB), so any
        # Land's Gemeinde map is whole; SOZMON_GERMANY=0 leaves them out.
        "GERMANY": os.environ.get("SOZMON_GERMANY", "1") != "0",
        # What a first visit of the map and the ranking opens with: the first of these with
        # values for most Kommunen, in its newest such year (else the catalogue's first):
        # child poverty 2022 from INKAR, else the Regionaldatenbank's series.
        "HEADLINE_INDICATORS": tuple(
            (
                os.environ.get("HEADLINE_INDICATORS")
                or "sgb2_u15_quote_inkar,sgb2_u15_quote,sgb2_quote,alo_anteil"
            )
            .replace(" ", "")
            .split(",")
        ),
        # Basemap tiles are a third party too: off unless configured.
        "TILE_URL": os.environ.get("TILE_URL", ""),
        # A publish is visible everywhere within this many seconds: processes re-read the data
        # version at most this often, nginx keeps public answers TTL - 1 whole seconds.
        "DATA_VERSION_TTL": float(os.environ.get("DATA_VERSION_TTL") or 2.0),
        "TILE_ATTRIBUTION": os.environ.get("TILE_ATTRIBUTION", ""),
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        # The instance folder (secret_key, stored outputs); None: create_app's default.
        "INSTANCE_PATH": os.environ.get("SOZMON_INSTANCE_PATH") or None,
        "BABEL_DEFAULT_LOCALE": "de",
        # Relative to the app package (Flask-Babel joins it to app.root_path): app/translations.
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        "LANGUAGES": ("de", "en"),
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        # Static files are streamed; flask-compress leaves gzip out for streams by default, so a
        # gzip-only client would get leaflet.js (147 KB) uncompressed.
        "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "text/csv",
            "application/json",
            "application/geo+json",
            "application/problem+json",
            "application/rdf+xml",
            "image/svg+xml",
        ],
        # Editors' session cookie: https only unless SESSION_COOKIE_SECURE=0 (local http server).
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "1") != "0",
        "SESSION_COOKIE_HTTPONLY": True,
        # Strict-Transport-Security on https answers (seconds; 0 = no header). is_secure comes
        # from X-Forwarded-Proto when TRUSTED_PROXY_HOPS is set (ProxyFix).
        "HSTS_MAX_AGE": int(os.environ.get("HSTS_MAX_AGE") or 31536000),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,  # one working day
        # Absolute: a session ends this long after login, however active (checked server-side).
        "LOGIN_SESSION_HOURS": 8,
        "SESSION_REFRESH_EACH_REQUEST": False,  # requests do not extend the cookie
        "LOGIN_MAX_FAILURES": 5,  # failed logins for one account …
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,  # … or from one client address …
        "LOGIN_LOCK_MINUTES": 15,  # … within this window lock the login
        # Reverse proxies in front of the app that set X-Forwarded-For/-Proto (0: none, the
        # socket's peer is the client). Only with this set is the client address trustworthy.
        "TRUSTED_PROXY_HOPS": int(os.environ.get("TRUSTED_PROXY_HOPS") or 0),
        # … and only on requests from them: over a Unix socket (scripts/serve) or from these
        # addresses (comma-separated; a proxy on another host). Others keep their peer address.
        "TRUSTED_PROXY_ADDRS": frozenset(
            a.strip() for a in os.environ.get("TRUSTED_PROXY_ADDRS", "").split(",") if a.strip()
        ),
        # Absolute URLs (embed code) come from here; its host is the only one accepted.
        "PUBLIC_URL": (os.environ.get("PUBLIC_URL") or "").rstrip("/"),
        # Host headers accepted (besides PUBLIC_URL's); others get 400 (Flask TRUSTED_HOSTS).
        "TRUSTED_HOSTS": [
            h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()
        ]
        or None,
        # Small-number protection at publish: numerator below this → value withheld ("geheim").
        "SUPPRESS_NUMERATOR_BELOW": int(os.environ.get("SUPPRESS_NUMERATOR_BELOW") or 3),
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES") or 20 * 1024 * 1024),
        # Bounded work per request (issue #26): PostgreSQL's statement_timeout, in seconds, for
        # every statement of a web request (editors' pages and uploads included) and a longer
        # one for a release's publish; 0 = none. CLI commands (loads, migrations, load-all,
        # publish) have none. A statement that hits it answers 503 with a message.
        "STATEMENT_TIMEOUT": float(os.environ.get("STATEMENT_TIMEOUT") or 30),
        "PUBLISH_STATEMENT_TIMEOUT": float(os.environ.get("PUBLISH_STATEMENT_TIMEOUT") or 300),
        # Uploads larger than this (all files together) are imported as a background job
        # (app/editors/import_jobs.py); smaller ones at once in the request (a few seconds at most).
        "UPLOAD_INLINE_MAX_BYTES": int(os.environ.get("UPLOAD_INLINE_MAX_BYTES") or 1024 * 1024),
        # Map images with more areas are offered as SVG only (a PNG of many areas takes seconds).
        "EXPORT_PNG_MAX_AREAS": int(os.environ.get("EXPORT_PNG_MAX_AREAS") or 2000),
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,  # whole upload request (several files)
        # E-mail alerts (`sozmon alerts send`, issue #31): the SMTP server they go through; empty
        # SMTP_HOST: nothing is ever sent (the queue is kept). STARTTLS unless SMTP_STARTTLS=0.
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT") or 587),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_FROM": os.environ.get("SMTP_FROM", ""),
        "SMTP_STARTTLS": os.environ.get("SMTP_STARTTLS", "1") != "0",
        # Public sign-ups for the alerts (/was-ist-neu): at most this many unconfirmed ones an
        # hour over all addresses (beyond it the form answers 503); the double opt-in is the
        # guard of each address, this the guard of the mail server's reputation.
        "ALERT_SIGNUPS_PER_HOUR": int(os.environ.get("SOZMON_ALERT_SIGNUPS_PER_HOUR") or 100),
        # The browser that prints Fokusberichte as PDF (Playwright drives it); empty: Debian's,
        # app.render.chromium.EXECUTABLE.
        "CHROMIUM_PATH": os.environ.get("CHROMIUM_PATH") or "",
        # The access date written in citations (YYYY-MM-DD); empty: today (UTC). Fixed only
        # where bytes must not change with the calendar (the characterisation harness).
        "CITATION_DATE": os.environ.get("SOZMON_CITATION_DATE") or "",
    }
