"""The root of every domain error: what was refused, which parameter, why, what would be valid.

Each class says at class level how the web answers it (pygeoapi's pattern): `status` (HTTP) and
`problem_type` (the slug of the API's problem+json type, listed on the API docs page,
`app.web.problems.TYPES`). Domain code raises a subclass with a message (text, or a translatable
`indicators.text.Message`) and plain data (`valid`: the allowed values); it knows nothing of
pages, URLs or endpoints. The app answers every DomainError in one handler (`app.web.errors`): an
HTML page or a problem document, in the request's language; the CLI prints `str(err)` (German).

Why here: `geodata/` is the bottom layer. `indicators/` builds on it, and `geodata/` may not
import `indicators/` (import-linter), yet its LoadError (geodata.report) belongs under the same
root. So the root and the four kinds live here; `indicators.errors` re-exports them and adds the
indicators' own (InvalidChoice, UnknownChoice). Import them from `indicators.errors` outside
`geodata/`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar


class DomainError(Exception):
    """A request the domain refuses: parameter (`field`), message, allowed values (`valid`).

    The class decides the answer: a subclass with another `status` and `problem_type` is
    another kind of refusal. Instances never change them.
    """

    status: ClassVar[int] = 400  # malformed, or not allowed in this combination
    problem_type: ClassVar[str] = "invalid-parameter"

    def __init__(self, field: str | None, message: object, valid: Sequence[object] = ()):
        super().__init__(str(message))
        self.field = field
        self.message = message  # str, or indicators.text.Message (translated when shown)
        self.valid = list(valid)


class NotFound(DomainError):
    """Something named in the request does not exist (an indicator, a year, a release)."""

    status = 404
    problem_type = "not-found"


class Conflict(DomainError):
    """An operation that the current state does not allow (publish a published release)."""

    status = 409
    problem_type = "conflict"


class InvalidContent(DomainError):
    """Content sent to be stored has faults: a file to load, a report's text or form fields.

    Nothing is stored; the message (for a file: every problem with file, row and column) says
    what to change.
    """

    status = 422
    problem_type = "invalid-content"

    def __init__(self, message: object, *, field: str | None = None):
        super().__init__(field, message)
