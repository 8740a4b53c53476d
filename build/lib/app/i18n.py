"""Languages: German by default, English on request (?lang=en, remembered in a cookie)."""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_babel import Babel, get_locale

babel = Babel()


def select_locale() -> str:
    """German unless the user chose English with ?lang= or earlier via the cookie."""
    choice = request.args.get("lang") or request.cookies.get("lang")
    return choice if choice in ("de", "en") else "de"


def remember_choice(response: Response) -> Response:
    """Keep an explicit ?lang= choice for later pages."""
    lang = request.args.get("lang")
    if lang in ("de", "en"):
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _lang() -> str:
    """The request's language, looked up once per request (a page asks ~150 times)."""
    lang = g.get("_sozmon_lang")
    if lang is None:
        lang = g._sozmon_lang = str(get_locale())
    return lang


def localized(row: dict, field: str) -> str:
    """Pick row['<field>_en'] for English (when filled), else the German row['<field>_de']."""
    if _lang() == "en" and row.get(f"{field}_en"):
        return row[f"{field}_en"]
    return row[f"{field}_de"]


def init_app(app: Flask) -> None:
    """Attach Flask-Babel and the language cookie."""
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(remember_choice)
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
