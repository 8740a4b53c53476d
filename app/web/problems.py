"""RFC 9457 problem documents (application/problem+json) for every API error."""

from __future__ import annotations

import json

from flask import Response, request
from werkzeug.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"
# Problem types are documented on the docs page; the type URI points at its section.
DOCS = "/daten#problem-"

TITLES = {
    400: "Ungültige Anfrage",
    404: "Nicht gefunden",
    405: "Methode nicht erlaubt",
    406: "Format nicht verfügbar",
    410: "Nicht mehr verfügbar",
    500: "Interner Fehler",
    503: "Dienst vorübergehend nicht verfügbar",
}

# (slug, title, when): the problem types the API returns, listed on the docs page.
TYPES = (
    ("unknown-parameter", "Unbekannter Parameter", "Ein Abfrageparameter ist nicht dokumentiert."),
    (
        "invalid-parameter",
        "Ungültiger Parameterwert",
        "Ein Wert hat das falsche Format, liegt außerhalb des Bereichs oder die Liste ist zu lang.",
    ),
    ("not-found", "Nicht gefunden", "Indikator, Gebiet, Release oder Pfad existiert nicht."),
    (
        "release-unavailable",
        "Release nicht verfügbar",
        "Das Release ist unbekannt oder ein Entwurf (404).",
    ),
    ("method-not-allowed", "Methode nicht erlaubt", "Die API kennt nur GET, HEAD und OPTIONS."),
    (
        "conflict",
        "Konflikt mit dem Datenstand",
        "Die Aktion passt nicht zum Stand der Daten (409), z. B. ein schon veröffentlichtes"
        " Release veröffentlichen; nur beim Ändern (Redaktion), nie beim Lesen.",
    ),
    (
        "invalid-content",
        "Inhalt fehlerhaft",
        "Gesendete Inhalte haben Fehler (422): eine Datei zum Laden (mit Zeile und Spalte jedes"
        " Fehlers) oder ein Formular; nichts wurde gespeichert. Nur beim Ändern (Redaktion).",
    ),
    ("server-error", "Interner Fehler", "Ein unerwarteter Fehler; bitte melden."),
    ("unavailable", "Dienst nicht verfügbar", "Die Datenbank ist gerade nicht erreichbar."),
    (
        "timeout",
        "Zeitüberschreitung",
        "Die Abfrage hat ihre Zeitgrenze überschritten und wurde abgebrochen (503).",
    ),
)

# Where an API client finds the valid values of a parameter a domain error names as unknown.
SEE_ALSO = {"x": "/api/v1/indicators", "y": "/api/v1/indicators"}
SLUG_BY_STATUS = {404: "not-found", 405: "method-not-allowed", 503: "unavailable"}
# German details in place of werkzeug's English default descriptions.
DEFAULT_DETAILS = {
    400: "Die Anfrage ist fehlerhaft.",
    405: "Diese Methode ist hier nicht erlaubt; die API kennt nur GET, HEAD und OPTIONS.",
    413: "Die Anfrage ist zu groß.",
    414: "Die Adresse (URL) ist zu lang.",
}


class ApiProblem(HTTPException):
    """An API error carrying a problem type slug and extension members."""

    def __init__(self, status: int, slug: str, detail: str, **extensions: object):
        super().__init__(description=detail)
        self.code = status
        self.slug = slug
        self.extensions = extensions


def problem(status: int, slug: str, detail: str, **extensions: object) -> Response:
    """A problem+json response with type, title, status, detail and instance."""
    title = next((t for s, t, _ in TYPES if s == slug), TITLES.get(status, "Fehler"))
    body = {
        "type": DOCS + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.full_path.rstrip("?"),
        **extensions,
    }
    resp = Response(json.dumps(body, ensure_ascii=False, default=str), status, mimetype=MEDIA_TYPE)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def from_http_exception(err: HTTPException) -> Response:
    """Render any HTTP error raised under /api/ as a problem document."""
    if isinstance(err, ApiProblem):
        return problem(err.code, err.slug, str(err.description), **err.extensions)
    status = err.code or 500
    if status >= 500:
        slug = SLUG_BY_STATUS.get(status, "server-error")
        detail = "Ein unerwarteter Fehler ist aufgetreten."
    else:
        slug = SLUG_BY_STATUS.get(status, "invalid-parameter")
        detail = err.description or TITLES.get(status, "")
        if err.description == type(err).description:
            detail = DEFAULT_DETAILS.get(status, TITLES.get(status, "Fehler"))
        if status == 404 and err.description == type(err).description:
            detail = "Diesen Pfad gibt es in der API nicht; siehe /api/v1/openapi.json."
    resp = problem(status, slug, str(detail))
    if status == 405 and getattr(err, "valid_methods", None):
        resp.headers["Allow"] = ", ".join(err.valid_methods)
    return resp
