"""Error pages in German (English on request); never a bare 500 for bad input."""

from __future__ import annotations

from typing import TypeVar

from flask import Flask, Response, current_app, g, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from psycopg.errors import QueryCanceled
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.web import problems
from indicators.errors import DomainError, NotFound
from indicators.text import Message

E = TypeVar("E", bound=DomainError)


def translate(message) -> str:
    """A domain message (indicators.text.Message) in the request's language; text as it is."""
    if isinstance(message, Message):
        return gettext(message.msgid, **message.params)
    return str(message)


class BadRequestWithChoices(HTTPException):
    """A 400/404 the app itself raises (a malformed query parameter, an unknown page) that names
    what was wrong and offers valid choices (links). What the domain refuses is a DomainError
    (`indicators.errors`); its view adds links with `with_links`."""

    def __init__(self, code: int, message, choices: list[tuple[str, str]] | None = None):
        super().__init__(description=translate(message))
        self.code = code
        self.choices = choices or []


def with_links(err: E, choices: list[tuple[str, str]]) -> E:
    """The domain error with links to valid choices for its page (the view knows the URLs).

    Re-raise it: the one handler (`domain_error`) answers it with its class's status. URLs are
    the app's business, so the attribute is set here and never by the domain.
    """
    err.links = choices  # type: ignore[attr-defined]
    return err


GENERIC = {
    400: _l("Die Anfrage ist fehlerhaft."),
    403: _l("Zugriff verweigert."),
    404: _l("Diese Seite wurde nicht gefunden."),
    405: _l("Diese Methode ist hier nicht erlaubt."),
    413: _l("Die gesendeten Daten sind zu groß."),
    429: _l("Zu viele Anfragen. Bitte etwas später erneut versuchen."),
    500: _l("Ein interner Fehler ist aufgetreten."),
}


def render_error(code: int, message: str, choices: list[tuple[str, str]] | None = None):
    """The HTML error page with a status code."""
    return render_template(
        "errors/error.html", code=code, message=message, choices=choices or []
    ), code


def timed_out():
    """A statement hit its statement_timeout (bounded work per request, issue #26): 503."""
    seconds = g.get("statement_timeout") or current_app.config.get("STATEMENT_TIMEOUT") or 0
    message = _(
        "Die Anfrage hat länger gedauert als erlaubt (%(s)s Sekunden) und wurde abgebrochen,"
        " damit die Seite für alle erreichbar bleibt. Bitte später erneut versuchen oder eine"
        " kleinere Auswahl treffen.",
        s=f"{seconds:g}",
    )
    if request.path.startswith("/api/"):
        return problems.problem(503, "timeout", message, limit_seconds=seconds)
    return render_error(503, message)


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors and a lost database connection (503)."""

    @app.errorhandler(BadRequestWithChoices)
    def with_choices(err: BadRequestWithChoices):
        return render_error(err.code, err.description, err.choices)

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        # The one answer to every domain error: status and problem type are its class's.
        if request.path.startswith("/api/"):
            message = str(err.message)  # German, as every detail of the API
            extensions: dict[str, object] = {}
            if err.field in request.args:  # not for a field that names no parameter ("pair")
                extensions["parameter"] = err.field
            if err.valid:
                extensions["allowed"] = err.valid
            if isinstance(err, NotFound) and err.field in problems.SEE_ALSO:
                message = f"{message} Siehe {problems.SEE_ALSO[err.field]}."
            return problems.problem(err.status, err.problem_type, message, **extensions)
        message = translate(err.message)
        links = getattr(err, "links", None)  # added by its view (with_links)
        if links is None and err.valid:  # no view offered links: the valid values as text
            message = f"{message} " + _("Möglich: %(v)s.", v=", ".join(map(str, err.valid[:30])))
        return render_error(err.status, message, links)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if request_ctx.url_adapter is None:
            # Refused before routing (a Host header not in TRUSTED_HOSTS): no page can be built
            # without links, and nothing of the request is echoed.
            return Response(
                _("Ungültige Anfrage: Dieser Host wird hier nicht bedient.") + "\n",
                err.code or 400,
                mimetype="text/plain",
            )
        if request.path.startswith("/api/"):
            return problems.from_http_exception(err)  # RFC 9457 problem+json
        code = err.code or 500
        # Werkzeug's default descriptions are English: replace them with German ones.
        is_default = err.description == type(err).description
        message = GENERIC.get(code, err.name) if is_default else err.description
        if code == 413 and is_default:
            limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
            message = _(
                "Die gesendeten Daten sind zu groß (höchstens %(mb)d MB je Anfrage).", mb=limit
            )
        return render_error(code, str(message))

    @app.errorhandler(OperationalError)
    def db_down(err: OperationalError):
        if isinstance(err.orig, QueryCanceled):
            return timed_out()
        if request.path.startswith("/api/"):
            return problems.problem(503, "unavailable", "Die Datenbank ist nicht erreichbar.")
        msg = _("Die Datenbank ist gerade nicht erreichbar. Bitte gleich noch einmal versuchen.")
        return render_error(503, msg)
