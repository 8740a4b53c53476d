"""The map page's indicator picker, rendered once per data version and language."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import get_locale
from markupsafe import Markup, escape

from app.web.cache import Region, data_version_now

_PICKER = Region("data")


def picker_options(topics: list[dict], selected: str) -> Markup:
    """The <optgroup>/<option> list of every mappable indicator, `selected` marked.

    About a hundred options with their names were a third of a cold map render's template
    time; they depend on the data and the language only, so they are rendered once and the
    chosen one is marked in the text.
    """
    html = _PICKER.get_or_build(
        ("picker", data_version_now(), str(get_locale())),
        lambda: render_template("maps/_picker_options.html", topics=topics),
    )
    option = f'<option value="{escape(selected)}"'
    return Markup(html.replace(option + " ", option + " selected ", 1))


def init_app(app: Flask) -> None:
    """Offer picker_options() to the templates."""
    app.jinja_env.globals["picker_options"] = picker_options
