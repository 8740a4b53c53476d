"""The domain's one error type: what was refused, which parameter, why, and what would be valid.

Domain code raises `DomainError` (or a subclass) with a translatable `Message` and plain data
(`valid`: the allowed values); it knows nothing of HTTP pages or endpoints. The app turns it into
an HTML page with links or a problem+json document, in the request's language, in one place
(`app.errors`); the CLI prints `str(err)` (German).
"""

from __future__ import annotations

from collections.abc import Sequence

from indicators.text import Message


class DomainError(Exception):
    """A request the domain refuses: status (HTTP-like), parameter, message, allowed values."""

    status = 400  # 400 malformed or not allowed; 404 does not exist; 409 conflicts with state

    def __init__(
        self,
        field: str | None,
        message: Message | str,
        valid: Sequence = (),
        status: int | None = None,
    ):
        super().__init__(str(message))
        self.field = field
        self.message = message
        self.valid = list(valid)
        if status is not None:
            self.status = status


class NotFound(DomainError):
    """Something named in the request does not exist (an indicator, a year, a release)."""

    status = 404


class Conflict(DomainError):
    """An operation that the current state does not allow (publish a published release)."""

    status = 409
