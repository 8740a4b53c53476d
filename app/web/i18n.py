"""Languages: German by default, English on request (?lang=en, remembered in a cookie)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import flask_babel
from flask import Flask, Response, appcontext_popped, appcontext_pushed, has_app_context, request
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

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


class _Bound:
    """The language and translations of one app context (a request), each looked up once."""

    __slots__ = ("lang", "translations")

    def __init__(self) -> None:
        self.lang: str | None = None
        self.translations: Any = None


# The app context's _Bound, in a context variable of this module rather than in flask.g: a
# profile asks ~600 times, and each `g` access walks werkzeug's LocalProxy (~5-8 µs on the
# 2-core machine, ~4 ms of a first profile request). Emptied whenever an app context is pushed
# or popped (a request's starts and ends with one), so no request sees another's language.
_BOUND: ContextVar[_Bound | None] = ContextVar("sozmon_i18n", default=None)


def _forget(*_args: object, **_kwargs: object) -> None:
    _BOUND.set(None)


appcontext_pushed.connect(_forget, weak=False)
appcontext_popped.connect(_forget, weak=False)


def _bound() -> _Bound:
    b = _BOUND.get()
    if b is None:
        b = _Bound()
        _BOUND.set(b)
    return b


def current_lang() -> str:
    """'de' or 'en': the request's language, looked up once per request (a page asks ~150 times)."""
    b = _BOUND.get()
    if b is not None and b.lang is not None:
        return b.lang
    if not has_app_context():  # e.g. a formatter called outside the app
        return str(get_locale())
    b = _bound()
    b.lang = str(get_locale())
    return b.lang


@contextmanager
def in_language(lang: str) -> Iterator[None]:
    """Texts and numbers in `lang` for a while (Flask-Babel's force_locale, and this
    module's per-request memory of the language set aside meanwhile)."""
    saved = _BOUND.get()
    _BOUND.set(None)
    try:
        with force_locale(lang):
            yield
    finally:
        _BOUND.set(saved)


def _translations():
    """The request's translations, looked up once per request (a map page asks ~100 times;
    Flask-Babel's own lookup walks several context proxies each time, ~8 µs)."""
    b = _BOUND.get()
    if b is not None and b.translations is not None:
        return b.translations
    b = _bound()
    b.translations = get_translations()
    return b.translations


def gettext(string: str, **variables: object) -> str:
    """Flask-Babel's gettext (same result) with the request's translations looked up once per
    request: Flask-Babel's own walks its context proxies on every call (a profile calls ~1,300
    times). Outside an app context Flask-Babel's, which returns the German text."""
    b = _BOUND.get()  # bound: inside an app context (the common case first, without a proxy)
    if b is not None and b.translations is not None:
        s = b.translations.ugettext(string)
        return s % variables if variables else s
    if not has_app_context():
        return str(flask_babel.gettext(string, **variables))
    s = _translations().ugettext(string)
    return s % variables if variables else s


def lazy_gettext(string: str, **variables: object) -> LazyString:
    """Flask-Babel's lazy_gettext (a text translated when shown) through `gettext` above."""
    return LazyString(gettext, string, **variables)


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, string: str, **variables: object) -> str:
    """The templates' _() and gettext(): Jinja's newstyle gettext in one call instead of three.

    Same rules as Jinja's (always %-formatted, so a literal % is written %%; the text is
    Markup where the template escapes, so the variables are escaped); Jinja's own reaches the
    translation through three nested context calls, ~65 times a map page. It takes the
    evaluation context, not the template context: Jinja derives a new template context (a copy
    of every variable) for each call of a context function inside a loop, ~1,250 per profile.
    """
    rv = _translations().ugettext(string)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


def localized(row: Mapping | object, field: str, lang: str | None = None) -> str:
    """Pick row['<field>_en'] for English (when filled), else the German row['<field>_de'];
    a dataclass row (e.g. catalogue_status' TopicStatus) by its attributes. `lang`: the
    request's language when the caller has it already (a profile names ~200 indicators)."""
    row = row if isinstance(row, Mapping) else vars(row)
    if (lang or current_lang()) == "en" and row.get(f"{field}_en"):
        return row[f"{field}_en"]
    return row[f"{field}_de"]


def init_app(app: Flask) -> None:
    """Attach Flask-Babel and the language cookie."""
    babel.init_app(app, locale_selector=select_locale)
    # The templates' _(), ngettext() etc. as Flask-Babel installs them, with the lookup above.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.after_request(remember_choice)
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["current_locale"] = current_lang
