"""The sources' attribution for templates: the texts' one home (`geodata.attribution`) as the
Jinja global `attribution`, and `licence_name()`, the licence's name in the reader's language."""

from __future__ import annotations

from flask import Flask

from app.render.citation import line_html as cite_line
from app.web.i18n import current_lang
from geodata import attribution


def licence_name() -> str:
    """The licence's name in the language of this request."""
    return attribution.licence_name(current_lang())


def init_app(app: Flask) -> None:
    """Every template reads the attribution texts from one place."""
    app.jinja_env.globals["attribution"] = attribution
    app.jinja_env.globals["licence_name"] = licence_name
    # A view's citation line (app.render.citation, the one writer) in German or English.
    app.jinja_env.globals["cite_line"] = cite_line
