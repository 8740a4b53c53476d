"""Kontextnotizen on the pages: category names, the text in the page's language, one line.

The note's text is plain (indicators.notes); every function here returns plain text that
Jinja (or the SVG writer, or the map's textNode) escapes. The link is given out only when it
is http(s), checked again here although the table allows nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask

from app.web.i18n import current_lang
from app.web.i18n import gettext as _
from indicators.model import Note
from indicators.notes import URL_RE


def category_names() -> dict[str, str]:
    """Category key → its name in the page's language."""
    return {
        "einrichtung": _("Einrichtung"),
        "gebietsaenderung": _("Gebietsänderung"),
        "definitionsaenderung": _("Definitionsänderung"),
        "datenqualitaet": _("Datenqualität"),
        "ereignis": _("Ereignis"),
    }


def note_lang(n: Note) -> str:
    """The language the note is shown in: English where the page is and the note has it."""
    return "en" if current_lang() == "en" and n.text_en else "de"


def note_text(n: Note) -> str:
    """The note's text in the page's language (German where there is no English)."""
    return n.text_en if note_lang(n) == "en" else n.text_de


def note_line(n: Note) -> str:
    """One line for a tooltip or a point's title: 'Notiz 2015 (Einrichtung): text'."""
    return _(
        "Notiz %(period)s (%(category)s): %(text)s",
        period=n.period,
        category=category_names()[n.category],
        text=note_text(n),
    )


def footnotes(shown: Iterable[tuple[str, Note]]) -> list[str]:
    """An image's footnote lines, one per note it shows: 'Hannover – Notiz 2015 (Einrichtung):
    text (link)'; each (area name, note) once, in the order given."""
    lines: dict[tuple[str, int], str] = {}
    for name, n in shown:
        link = note_link(n)
        line = f"{name} – {note_line(n)}" + (f" ({link})" if link else "")
        lines.setdefault((name, n.id), line)
    return list(lines.values())


def note_link(n: Note) -> str | None:
    """The source link if it is http(s), else None (nothing else is ever written as a link)."""
    return n.source_url if n.source_url and URL_RE.match(n.source_url) else None


def init_app(app: Flask) -> None:
    """Expose the helpers to templates."""
    app.jinja_env.globals["note_category_names"] = category_names
    app.jinja_env.globals["note_text"] = note_text
    app.jinja_env.globals["note_lang"] = note_lang
    app.jinja_env.globals["note_link"] = note_link
    app.jinja_env.globals["note_line"] = note_line
