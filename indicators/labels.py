"""Release labels: the one rule for every path that creates a release (CLI, upload, importers).

A label is shown on pages, named in file names (Content-Disposition), CSV column headers and
the audit log, and typed by editors on the command line. So it is short (the column is
VARCHAR(60)), printable, and never starts like a spreadsheet formula (= + - @).
"""

from __future__ import annotations

import re

from indicators.text import Message, _

MAX_LENGTH = 60  # release.label is VARCHAR(60)
# Letters of any alphabet (umlauts, ß), digits, space and . , : _ - / ( ) +; the first
# character a letter or digit (so never = + - @ or a blank), no control characters.
LABEL_EXPECTED = "bis zu 60 Zeichen: Buchstaben, Ziffern, Leerzeichen, . , : _ - / ( ) +"
_LABEL = re.compile(r"[^\W_][\w .,:/()+-]*")


def label_problem(label: str) -> Message | None:
    """Why this label cannot name a release (German msgid), or None when it is fine."""
    if not label:
        return _("Bitte ein Label für den Release angeben.")
    if len(label) > MAX_LENGTH:
        return _(
            "Das Label ist %(n)d Zeichen lang; höchstens %(max)d sind erlaubt.",
            n=len(label),
            max=MAX_LENGTH,
        )
    if not _LABEL.fullmatch(label) or label != label.strip():
        return _(
            "Das Label „%(l)s“ ist ungültig: erlaubt sind Buchstaben (auch Umlaute), Ziffern,"
            " Leerzeichen und . , : _ - / ( ) +; am Anfang steht ein Buchstabe oder eine Ziffer.",
            l=printable(label),
        )
    return None


def printable(text: str, limit: int = 80) -> str:
    """Text safe to echo in a message: control characters shown as escapes, length capped."""
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return out + ("…" if len(text) > limit else "")
