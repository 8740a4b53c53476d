"""Kontextnotizen (issue #31, part 1): local experts' notes next to the numbers.

A note is about one area and one indicator (or every indicator of a topic) in a year or a
period. It belongs to a release and follows that release's status (migration 0016): written
into a draft, public once the draft is published, gone again when the release is withdrawn.
Nothing here writes HTML: the text is plain, every page escapes it, and the only link a note
carries is its source, http(s) only. The same checks stand in the table's constraints.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from geodata.memo import has_memo, memoised
from indicators.errors import InvalidContent
from indicators.loaders import create_release
from indicators.model import Note
from indicators.text import _

# Stored key → German name (the English comes from the translations: the app's NOTE_CATEGORIES).
CATEGORIES: dict[str, str] = {
    "einrichtung": "Einrichtung",
    "gebietsaenderung": "Gebietsänderung",
    "definitionsaenderung": "Definitionsänderung",
    "datenqualitaet": "Datenqualität",
    "ereignis": "Ereignis",
}
MAX_TEXT = 500  # characters of each language's text (the table's check says the same)
MAX_URL = 500
YEARS = (1950, 2100)
URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
# The notes CSV of a release (sozmon notes-import): these columns, in any order.
CSV_COLUMNS = (
    "ags",
    "indikator",
    "thema",
    "jahr_von",
    "jahr_bis",
    "kategorie",
    "text_de",
    "text_en",
    "quelle",
)

NOTE_SQL = """
SELECT n.id, n.release_id, r.label AS release_label, n.ags, n.indicator_id, n.topic_id,
       n.year_from, n.year_to, n.category, n.text_de, n.text_en, n.source_url
FROM context_note n JOIN release r ON r.id = n.release_id
"""


class NoteError(InvalidContent):
    """A note's form or CSV row refused: the field and what to change (nothing stored)."""


@dataclass(frozen=True)
class NoteInput:
    """A note as an editor or a CSV row gives it, before it is checked."""

    ags: str
    indicator_id: str | None
    topic_id: str | None
    year_from: int | None
    year_to: int | None
    category: str
    text_de: str
    text_en: str = ""
    source_url: str = ""


def plain(value: str) -> str:
    """Text as one plain line: control and format characters dropped, whitespace collapsed."""
    kept = "".join(
        " " if c.isspace() else c for c in value if unicodedata.category(c)[0] != "C" or c.isspace()
    )
    return " ".join(kept.split())


def _year(value: object) -> int | None:
    """A year from a form or CSV cell ('' or None: none)."""
    if value is None or str(value).strip() == "":
        return None
    s = str(value).strip()
    return int(s) if s.isdigit() and len(s) == 4 else -1


def check_note(conn: Connection, given: NoteInput) -> NoteInput:
    """The note made plain and checked against the catalogue, or a NoteError naming the field."""
    text_de, text_en = plain(given.text_de), plain(given.text_en)
    url = given.source_url.strip()
    indicator_id = (given.indicator_id or "").strip() or None
    topic_id = (given.topic_id or "").strip() or None
    year_from = given.year_from
    year_to = given.year_to if given.year_to is not None else year_from
    if not text_de:
        raise NoteError(_("Bitte einen deutschen Text angeben."), field="text_de")
    for field, value in (("text_de", text_de), ("text_en", text_en)):
        if len(value) > MAX_TEXT:
            raise NoteError(
                _(
                    "Der Text ist %(n)d Zeichen lang; höchstens %(max)d sind erlaubt.",
                    n=len(value),
                    max=MAX_TEXT,
                ),
                field=field,
            )
    if url and (len(url) > MAX_URL or not URL_RE.match(url)):
        raise NoteError(
            _("Der Quellenlink muss mit http:// oder https:// beginnen (höchstens 500 Zeichen)."),
            field="source_url",
        )
    if given.category not in CATEGORIES:
        raise NoteError(
            _("Bitte eine Kategorie wählen: %(c)s.", c=", ".join(CATEGORIES.values())),
            field="category",
        )
    if (indicator_id is None) == (topic_id is None):
        raise NoteError(
            _("Bitte entweder eine Kennzahl oder ein Themenfeld wählen."), field="indicator_id"
        )
    if year_from is None or year_to is None:
        raise NoteError(_("Bitte ein Jahr angeben."), field="year_from")
    lo, hi = YEARS
    if not (lo <= year_from <= year_to <= hi):
        raise NoteError(
            _(
                "Der Zeitraum muss zwischen %(lo)d und %(hi)d liegen, das Anfangsjahr nicht nach dem Endjahr.",
                lo=lo,
                hi=hi,
            ),
            field="year_from",
        )
    ags = given.ags.strip()
    if not conn.scalar(text("SELECT 1 FROM area WHERE ags = :a"), {"a": ags}):
        raise NoteError(
            _("Ein Gebiet mit dem Schlüssel „%(a)s“ gibt es nicht.", a=ags[:20]), field="ags"
        )
    if indicator_id and not conn.scalar(
        text("SELECT 1 FROM indicator WHERE id = :i"), {"i": indicator_id}
    ):
        raise NoteError(
            _("Die Kennzahl „%(id)s“ gibt es nicht.", id=indicator_id[:64]), field="indicator_id"
        )
    if topic_id and not conn.scalar(text("SELECT 1 FROM topic WHERE id = :t"), {"t": topic_id}):
        raise NoteError(
            _("Das Themenfeld „%(id)s“ gibt es nicht.", id=topic_id[:40]), field="topic_id"
        )
    return NoteInput(
        ags, indicator_id, topic_id, year_from, year_to, given.category, text_de, text_en, url
    )


def _draft(conn: Connection, release_id: int) -> None:
    """Refuse a release that is not a draft: a public release's notes change only with it."""
    status = conn.scalar(
        text("SELECT status FROM release WHERE id = :id FOR UPDATE"), {"id": release_id}
    )
    if status != "draft":
        raise NoteError(
            _("Notizen lassen sich nur in einem Entwurf anlegen oder löschen."), field="release"
        )


def create_notes_draft(conn: Connection, label: str, by: str | None, note: str = "") -> int:
    """A new draft release without values, for notes alone; its id (LoadError: bad label)."""
    rid = create_release(conn, label, note=note or "Kontextnotizen")
    conn.execute(
        text("UPDATE release SET created_by = :by WHERE id = :id"),
        {"by": (by or "")[:80] or None, "id": rid},
    )
    return rid


def add_note(conn: Connection, release_id: int, given: NoteInput, by: str | None) -> int:
    """Check the note and store it in the draft (the caller's transaction); its id."""
    _draft(conn, release_id)
    n = check_note(conn, given)
    return int(
        conn.scalar(
            text(
                "INSERT INTO context_note (release_id, ags, indicator_id, topic_id, year_from,"
                " year_to, category, text_de, text_en, source_url, created_by)"
                " VALUES (:r, :ags, :ind, :topic, :yf, :yt, :cat, :de, :en, :url, :by)"
                " RETURNING id"
            ),
            {
                "r": release_id,
                "ags": n.ags,
                "ind": n.indicator_id,
                "topic": n.topic_id,
                "yf": n.year_from,
                "yt": n.year_to,
                "cat": n.category,
                "de": n.text_de,
                "en": n.text_en,
                "url": n.source_url,
                "by": (by or "")[:80] or None,
            },
        )
    )


def delete_note(conn: Connection, release_id: int, note_id: int) -> Note | None:
    """Delete a note of a draft; the note deleted, or None if the draft has no such note."""
    _draft(conn, release_id)
    row = conn.execute(
        text(NOTE_SQL + " WHERE n.id = :n AND n.release_id = :r"), {"n": note_id, "r": release_id}
    ).first()
    if row is None:
        return None
    conn.execute(text("DELETE FROM context_note WHERE id = :n"), {"n": note_id})
    return Note.from_row(row._mapping)


def release_notes(conn: Connection, release_id: int) -> list[Note]:
    """Every note of one release (any status), by area, indicator or topic, period."""
    rows = conn.execute(
        text(
            NOTE_SQL + " WHERE n.release_id = :r"
            " ORDER BY n.ags, n.indicator_id NULLS LAST, n.topic_id, n.year_from, n.id"
        ),
        {"r": release_id},
    )
    return [Note.from_row(r._mapping) for r in rows]


def public_notes(
    conn: Connection,
    ags: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    release_ids: Sequence[int] | None = None,
) -> list[Note]:
    """The public notes (their release published) of these areas and indicators (None: all);
    with release_ids those of these releases instead (a Fokusbericht pinned to them).

    A topic's note counts for each indicator of the topic: asked for indicators, it is found
    through their topics.
    """
    if ags is None and indicators is None and release_ids is None and has_memo(conn):
        # Every public note: once per data version (indicators.version_reads reads it with the
        # catalogue).
        return list(memoised(conn, "public_notes", lambda: _public_notes(conn, {})))
    return list(
        _public_notes(
            conn,
            {
                "ags": list(ags) if ags is not None else None,
                "ind": list(indicators) if indicators is not None else None,
                "rel": list(release_ids) if release_ids is not None else None,
            },
        )
    )


PUBLIC_NOTES_SQL = (
    NOTE_SQL + " WHERE (CASE WHEN CAST(:rel AS integer[]) IS NULL"
    " THEN r.status = 'published' ELSE n.release_id = ANY(:rel) END)"
    " AND (CAST(:ags AS text[]) IS NULL OR n.ags = ANY(:ags))"
    " AND (CAST(:ind AS text[]) IS NULL OR n.indicator_id = ANY(:ind)"
    "  OR n.topic_id IN (SELECT topic_id FROM indicator WHERE id = ANY(:ind)))"
    " ORDER BY n.year_from, n.year_to, n.ags, n.id"
)


def _public_notes(conn: Connection, params: dict[str, Any]) -> tuple[Note, ...]:
    rows = conn.execute(text(PUBLIC_NOTES_SQL), {"ags": None, "ind": None, "rel": None, **params})
    return notes_from(list(rows.keys()), rows.all())


def notes_from(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[Note, ...]:
    """public_notes from PUBLIC_NOTES_SQL's rows (columns `names`)."""
    return tuple(Note.from_row(dict(zip(names, r, strict=True))) for r in rows)


@dataclass(frozen=True)
class NoteIndex:
    """Public notes looked up by (area, indicator) and year; topic notes under each indicator."""

    by_key: Mapping[tuple[str, str], tuple[Note, ...]]

    def of(self, ags: str, indicator_id: str) -> tuple[Note, ...]:
        """Every note of an area's indicator, oldest period first."""
        return self.by_key.get((ags, indicator_id), ())

    def at(self, ags: str, indicator_id: str, year: int) -> tuple[Note, ...]:
        """The notes of an area's indicator that are about this year."""
        return tuple(n for n in self.of(ags, indicator_id) if n.covers(year))

    def of_area(self, ags: str) -> list[Note]:
        """Every note of an area (a topic's note once), oldest period first."""
        found = {n.id: n for (a, _i), items in self.by_key.items() if a == ags for n in items}
        return sorted(found.values(), key=lambda n: (n.year_from, n.year_to, n.id))

    def __bool__(self) -> bool:
        return bool(self.by_key)


def note_index(
    conn: Connection,
    ags: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    release_ids: Sequence[int] | None = None,
) -> NoteIndex:
    """The public notes of these areas and indicators, indexed (see NoteIndex); with
    release_ids those of these releases (a cited view pinned to them)."""
    notes = public_notes(conn, ags, indicators, release_ids)
    topic_of: dict[str, list[str]] = {}
    if any(n.topic_id for n in notes):
        for ind, topic in conn.execute(text("SELECT id, topic_id FROM indicator")):
            if indicators is None or ind in indicators:
                topic_of.setdefault(topic, []).append(ind)
    by_key: dict[tuple[str, str], list[Note]] = {}
    for n in notes:
        targets = [n.indicator_id] if n.indicator_id else topic_of.get(n.topic_id or "", [])
        for ind in targets:
            by_key.setdefault((n.ags, ind), []).append(n)
    return NoteIndex({k: tuple(v) for k, v in by_key.items()})


def note_fields(n: Note) -> dict[str, Any]:
    """A note as the API and JSON downloads write it (plain text; the link http(s) or '')."""
    return {
        "id": n.id,
        "release": n.release_label,
        "ags": n.ags,
        "indicator": n.indicator_id,
        "topic": n.topic_id,
        "year_from": n.year_from,
        "year_to": n.year_to,
        "category": n.category,
        "text_de": n.text_de,
        "text_en": n.text_en,
        "source_url": n.source_url,
    }


def note_line(n: Note) -> str:
    """A note in one line of a CSV or XLSX cell: 'period Category: text (source)' (German)."""
    return notes_text([note_fields(n)])


def notes_text(fields: Iterable[Mapping[str, Any]]) -> str:
    """Notes as written by note_fields, in one CSV or XLSX cell (German): '' without any."""
    lines = []
    for f in fields:
        period = (
            str(f["year_from"])
            if f["year_from"] == f["year_to"]
            else f"{f['year_from']}–{f['year_to']}"
        )
        line = f"{period} {CATEGORIES[f['category']]}: {f['text_de']}"
        lines.append(f"{line} ({f['source_url']})" if f["source_url"] else line)
    return " | ".join(lines)


def category_key(value: str) -> str:
    """A category's key from its key or its German name (any case); else the value as given."""
    v = value.strip().lower()
    return next((k for k, name in CATEGORIES.items() if v in (k, name.lower())), v)


def read_notes_csv(data: str) -> list[NoteInput]:
    """The rows of a notes CSV (UTF-8, ',' or ';'), or a NoteError naming the first bad row."""
    sample = data[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("ags", "jahr_von", "kategorie", "text_de") if c not in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if missing or unknown:
        raise NoteError(
            _(
                "Spalten der Notizdatei: erwartet %(cols)s; fehlt: %(missing)s, unbekannt: %(unknown)s.",
                cols=", ".join(CSV_COLUMNS),
                missing=", ".join(missing) or "–",
                unknown=", ".join(unknown) or "–",
            ),
            field="file",
        )
    out = []
    for row in reader:
        r = {(k or "").strip(): (v or "") for k, v in row.items()}
        out.append(
            NoteInput(
                ags=r.get("ags", ""),
                indicator_id=r.get("indikator") or None,
                topic_id=r.get("thema") or None,
                year_from=_year(r.get("jahr_von")),
                year_to=_year(r.get("jahr_bis")),
                category=category_key(r.get("kategorie", "")),
                text_de=r.get("text_de", ""),
                text_en=r.get("text_en", ""),
                source_url=r.get("quelle", ""),
            )
        )
    return out


def import_notes(
    conn: Connection, release_id: int, rows: Iterable[NoteInput], by: str | None
) -> int:
    """Add every row to the draft (the caller's one transaction: all or none); how many.

    A refused row raises NoteError with its line number (header = line 1).
    """
    n = 0
    for line, row in enumerate(rows, start=2):
        try:
            add_note(conn, release_id, row, by)
        except NoteError as err:
            raise NoteError(
                _("Zeile %(line)d: %(msg)s", line=line, msg=str(err.message)), field=err.field
            ) from None
        n += 1
    return n


def form_year(value: str | None) -> int | None:
    """A year field of the editors' form ('' none, anything else not a year: -1, refused)."""
    return _year(value)
