"""Kontextnotizen for the pages: every public note, read once per data version, indexed."""

from __future__ import annotations

from app.web.cache import Region
from app.web.db import get_conn
from app.web.http_cache import data_version_now
from indicators.notes import NoteIndex, note_index

_NOTES = Region("notes")


def public_notes() -> NoteIndex:
    """Every published note by (area, indicator), read once per data version (a publish or
    rollback is a new version)."""
    return _NOTES.get_or_build(("notes", data_version_now()), lambda: note_index(get_conn()))


def pinned_notes(pinned: tuple[int, ...] | None) -> NoteIndex:
    """The notes of a cited (pinned) view: those of its releases; not pinned, every public one."""
    if pinned is None:
        return public_notes()
    return _NOTES.get_or_build(
        ("notes", pinned), lambda: note_index(get_conn(), release_ids=pinned)
    )


def notes_etag_part(indicator_id: str) -> list:
    """What a cached page of one indicator depends on in the notes: their ids and periods
    (empty without notes: such pages' ETags stay as they were)."""
    found = sorted(
        (n.id, n.release_id, n.ags, n.year_from, n.year_to)
        for (_ags, ind), items in public_notes().by_key.items()
        if ind == indicator_id
        for n in items
    )
    return [found] if found else []
