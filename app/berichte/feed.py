"""An Atom feed (RFC 4287) of published reports (the writer: app/render/atom.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from app.render.atom import Entry, Feed
from app.render.atom import atom as write_atom
from geodata import attribution


def atom(reports: list[dict], base: str, path_of: Callable[[dict], str], publisher: str) -> bytes:
    """The feed: one entry per report (its newest version), newest first; publisher names the
    site ('Sozialmonitoring <home region>')."""
    updated = max((r["published_at"] for r in reports), default=datetime(2026, 1, 1, tzinfo=UTC))
    feed = Feed(
        id=base + "/berichte",
        title=f"{publisher} – Fokusberichte",
        updated=updated,
        self_url=base + "/berichte/feed.atom",
        page_url=base + "/berichte",
        author=publisher,
        rights=f"Texte: {publisher}; Werte: © {attribution.STATISTICAL_OFFICES}"
        f" ({attribution.LICENCE}); Karten: {attribution.BOUNDARIES}",
    )
    entries = [
        Entry(
            url=base + path_of(r),
            title=r["title"],
            published=r["first_published_at"],
            updated=r["published_at"],
            summary=r["summary"] or r["title"],
            category=(r["topic_id"], r["topic_de"]),
        )
        for r in reports
    ]
    return write_atom(feed, entries)
