"""Sozialmonitoring Region Hannover: the Flask application factory."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask
from flask_compress import Compress

from app import assets, config, db, errors, formatting, front, i18n, security
from app.config import PROJECT_ROOT

# gzip and brotli for every text response (JSON, GeoJSON, CSV, HTML, JS, CSS).
compress = Compress()


def _secret_key(app: Flask) -> str:
    """SECRET_KEY from the environment, else one kept in instance/ (shared by all workers)."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, database, languages, blueprints, CLI, error pages."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app)

    db.init_app(app)
    # First registered, so its after_request hook runs last and sees every header (Set-Cookie).
    front.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    # Imported here: blueprints import app submodules, and the factory does no work at import.
    from app import auth, cli
    from app.api import bp as api_bp
    from app.views import api_docs, disparities, editor, kommune, maps, pages, zeitreihe

    compress.init_app(app)
    auth.init_app(app)
    for bp in (pages.bp, maps.bp, kommune.bp, zeitreihe.bp, disparities.bp, api_bp,
               api_docs.bp, editor.bp):  # fmt: skip
        app.register_blueprint(bp)
    cli.init_app(app)
    assets.init_app(app)  # wraps wsgi_app with WhiteNoise: last
    return app
