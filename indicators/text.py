"""Messages of the domain without a web framework: a German msgid and its parameters.

`indicators/` must not import Flask or Flask-Babel (import-linter checks it). A message is
marked with `_()` so pybabel extracts it as usual; the app translates it at the moment it is
shown (app.web.errors), and str() gives the German text anywhere else (CLI, logs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """A translatable message: msgid (German) with %(name)s parameters."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.msgid % self.params if self.params else self.msgid


def _(msgid: str, **params: Any) -> Message:
    """Mark a message for translation; the app translates it when it is shown."""
    return Message(msgid, params)


# Cells a spreadsheet would run as a formula (OWASP "CSV injection"). Every CSV and XLSX the
# site writes passes its text cells through defuse() (app.web.downloads, the diff, import reports).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(cell: object) -> object:
    """Text that a spreadsheet would evaluate, prefixed with ' (shown, never run); rest as is."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell
