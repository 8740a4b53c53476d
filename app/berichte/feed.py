"""An Atom feed (RFC 4287) of published reports, written with the standard library's XML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from geodata import attribution

ATOM = "http://www.w3.org/2005/Atom"


def atom(reports: list[dict], base: str, path_of: Callable[[dict], str], publisher: str) -> bytes:
    """The feed: one entry per report (its newest version), newest first; publisher names the
    site ('Sozialmonitoring <home region>')."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(root, "id", base + "/berichte")
    sub(root, "title", f"{publisher} – Fokusberichte")
    updated = max((r["published_at"] for r in reports), default=datetime(2026, 1, 1, tzinfo=UTC))
    sub(root, "updated", updated.isoformat())
    sub(root, "link", href=base + "/berichte/feed.atom", rel="self")
    sub(root, "link", href=base + "/berichte", rel="alternate", type="text/html")
    author = sub(root, "author")
    sub(author, "name", publisher)
    sub(
        root,
        "rights",
        f"Texte: {publisher}; Werte: © {attribution.STATISTICAL_OFFICES} ({attribution.LICENCE});"
        f" Karten: {attribution.BOUNDARIES}",
    )
    for r in reports:
        entry = sub(root, "entry")
        url = base + path_of(r)
        sub(entry, "id", url)
        sub(entry, "title", r["title"])
        sub(entry, "published", r["first_published_at"].isoformat())
        sub(entry, "updated", r["published_at"].isoformat())
        sub(entry, "link", href=url, rel="alternate", type="text/html")
        sub(entry, "category", term=r["topic_id"], label=r["topic_de"])
        sub(entry, "summary", r["summary"] or r["title"])
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
