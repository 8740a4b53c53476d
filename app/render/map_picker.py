"""The map page's indicator picker, rendered once per data version and language."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import get_locale
from markupsafe import Markup, escape

from app.web.cache import InputMemo

_PICKER = InputMemo(8)


def _picker_input(topics) -> tuple:
    """Everything of the topics the options show (_picker_options.html), as a key."""
    return tuple(
        (
            t.name_de,
            t.name_en,
            tuple((i.id, i.name_de, i.name_en, i.years) for i in t.indicators),
        )
        for t in topics
    )


def picker_options(topics: list[dict], selected: str) -> Markup:
    """The <optgroup>/<option> list of every mappable indicator, `selected` marked.

    About a hundred options with their names were a third of a cold map render's template
    time; they depend on the data and the language only, so they are rendered once and the
    chosen one is marked in the text. Kept by what they show (ids, names, year ranges) and the
    language, not by the data version: a publish that changes neither renders nothing.
    """
    html = _PICKER.get_or_build(
        (str(get_locale()), _picker_input(topics)),
        lambda: render_template("maps/_picker_options.html", topics=topics),
    )
    option = f'<option value="{escape(selected)}"'
    return Markup(html.replace(option + " ", option + " selected ", 1))


def init_app(app: Flask) -> None:
    """Offer picker_options() to the templates."""
    app.jinja_env.globals["picker_options"] = picker_options
