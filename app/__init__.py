"""The web layer: the Flask application factory and everything that knows about HTTP.

Belongs here: requests and responses, pages, the API, translations, formatting for readers,
caching (`app.web.cache`), security, the CLI. Must not be here: SQL and statistics (they belong in
`indicators/` and `geodata/`, which the views call and which must never import `app`).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_compress import Compress

from app.pages import nav
from app.render import formatting, map_picker, notes, provenance_marks, sentences
from app.web import args, assets, attribution, config, db, errors, front, i18n, security, urls
from app.web.cache import DataCache
from app.web.config import PROJECT_ROOT
from geodata.home import region_key

# gzip and brotli for every text response (JSON, GeoJSON, CSV, HTML, JS, CSS).
compress = Compress()


def instance_secret_key(app: Flask) -> str:
    """SECRET_KEY from the environment, else one kept in instance/ (shared by all workers).

    Whoever reads the key can forge an editor's session: the file is created 0600 (never
    readable for a moment by others) and a pre-existing wider mode is narrowed.
    """
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        # Written completely under a private name, then linked into place: a parallel worker
        # sees either no key or the whole key, and the first one to link wins.
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    if path.stat().st_mode & 0o077:  # a key from before: narrow it
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, database, languages, blueprints, CLI, error pages."""
    # The environment is read here, once; test_config overrides it.
    settings = {**config.from_environment(), **(test_config or {})}
    # From a checkout the instance folder (secret key) is beside the code; an installed wheel
    # uses Flask's default (<prefix>/var/app-instance) or INSTANCE_PATH (SOZMON_INSTANCE_PATH).
    checkout = (PROJECT_ROOT / "pyproject.toml").exists()
    instance = settings["INSTANCE_PATH"] or (str(PROJECT_ROOT / "instance") if checkout else None)
    app = Flask(
        __name__,
        # app/templates: inside the package (the wheel's own copy; a checkout's link to the
        # top-level templates/), like app/translations.
        template_folder="templates",
        instance_path=instance,
    )
    # Before any blueprint: every `<int:…>` route refuses ids beyond PostgreSQL's integer (404).
    app.url_map.converters["int"] = args.Int32Converter
    app.config.from_mapping(settings)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app)
    # Read once here; the queries get the key as a parameter (no module-level global).
    app.config["REGION"] = region_key(app.config["REGION"])

    db.init_app(app)
    DataCache().init_app(app)  # the one in-process cache, emptied on each new data version
    # First registered, so its after_request hook runs last and sees every header (Set-Cookie).
    front.init_app(app)
    i18n.init_app(app)
    attribution.init_app(app)  # the sources' attribution texts for every template
    formatting.init_app(app)
    notes.init_app(app)  # Kontextnotizen: category names, text in the page's language
    nav.init_app(app)  # navigation and cross-page links for every template
    provenance_marks.init_app(app)  # demo mode: every value says amtlich or Beispieldaten
    sentences.init_app(app)  # verdict, trend and benchmark wording for every template
    map_picker.init_app(app)  # the map's indicator picker, rendered once per data version
    urls.init_app(app)  # url_for that remembers the URLs it built
    security.init_app(app)
    errors.init_app(app)

    # Imported here: blueprints import app submodules, and the factory does no work at import.
    from app import cli
    from app.api import bp as api_bp
    from app.api import docs as api_docs
    from app.editors import auth
    from app.editors import berichte as berichte_editor
    from app.editors import mapping as editor_mapping
    from app.editors import sozialindex as sozialindex_editor
    from app.editors import views as editor
    from app.pages import (
        alerts,
        berichte,
        disparities,
        export,
        gebiet,
        gebiet_profil,
        kommune,
        maps,
        rangfolge,
        sozialindex,
        start,
        streuung,
        zeitreihe,
    )

    compress.init_app(app)
    auth.init_app(app)
    for bp in (
        start.bp,
        maps.bp,
        kommune.bp,
        zeitreihe.bp,
        disparities.bp,
        api_bp,
        api_docs.bp,
        editor.bp,
        gebiet.bp,
        gebiet_profil.bp,
        berichte.bp,
        berichte_editor.bp,
        editor_mapping.bp,
        sozialindex_editor.bp,
        streuung.bp,
        export.bp,
        rangfolge.bp,
        sozialindex.bp,
        alerts.bp,
    ):
        app.register_blueprint(bp)
    gebiet_profil.init_app(app)  # site_name() for the home region's name in templates
    cli.init_app(app)
    assets.init_app(app)  # wraps wsgi_app with WhiteNoise: last
    return app
