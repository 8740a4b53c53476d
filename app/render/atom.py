"""Atom feeds (RFC 4287) written with the standard library's XML: the one writer of the
Fokusberichte feed (app/berichte/feed.py) and the alerts' feeds (app/pages/data/alerts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Entry:
    """One entry: its id is its URL (absolute)."""

    url: str
    title: str
    published: datetime
    updated: datetime
    summary: str
    category: tuple[str, str] | None = None  # (term, label)


@dataclass(frozen=True)
class Feed:
    """The feed's own metadata; `self_url` and `page_url` absolute."""

    id: str
    title: str
    updated: datetime
    self_url: str
    page_url: str
    author: str
    rights: str
    lang: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (rel, absolute URL): a paged feed's other pages


def atom(feed: Feed, entries: list[Entry]) -> bytes:
    """The feed as UTF-8 XML with its declaration, entries in the order given."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    if feed.lang:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", feed.lang)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(root, "id", feed.id)
    sub(root, "title", feed.title)
    sub(root, "updated", feed.updated.isoformat())
    sub(root, "link", href=feed.self_url, rel="self")
    sub(root, "link", href=feed.page_url, rel="alternate", type="text/html")
    for rel, href in feed.links:
        sub(root, "link", href=href, rel=rel)
    author = sub(root, "author")
    sub(author, "name", feed.author)
    sub(root, "rights", feed.rights)
    for e in entries:
        entry = sub(root, "entry")
        sub(entry, "id", e.url)
        sub(entry, "title", e.title)
        sub(entry, "published", e.published.isoformat())
        sub(entry, "updated", e.updated.isoformat())
        sub(entry, "link", href=e.url, rel="alternate", type="text/html")
        if e.category is not None:
            sub(entry, "category", term=e.category[0], label=e.category[1])
        sub(entry, "summary", e.summary)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
