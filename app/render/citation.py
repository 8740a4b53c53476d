"""How a view is cited: the one place that writes a citation line, BibTeX and CSL-JSON.

Every page's data download (CSV, XLSX, JSON), the "Zitieren" box of the pages and the image
exports (PNG/SVG/PDF footers) take their citation from here: title, publisher, data release
(labels and ids), the sources with their table codes, the licence, the page's URL and the access
date. The line is written in German and in English whatever the page's language (a council
paper in either language can quote it); the attribution texts come from their one home,
`geodata.attribution`. Nothing here reads the request: the caller passes the URL and the date.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from markupsafe import Markup, escape

from geodata import attribution

LANGS = ("de", "en")
# The fixed words of a citation per language (not gettext: both languages are always written).
_WORDS = {
    "de": {
        "release": "Datenstand",
        "source": "Quelle",
        "table": "Tabelle",
        "tables": "Tabellen",
        "boundaries": "Gebietsgrenzen",
        "licence": "Lizenz",
        "accessed": "abgerufen am",
        "synthetic": "Beispieldaten (synthetisch), keine amtlichen Zahlen",
        "pinned": "zitierter Stand",
    },
    "en": {
        "release": "Data release",
        "source": "Source",
        "table": "table",
        "tables": "tables",
        "boundaries": "Boundaries",
        "licence": "Licence",
        "accessed": "accessed",
        "synthetic": "example data (synthetic), not official figures",
        "pinned": "cited state",
    },
}


@dataclass(frozen=True)
class CitedSource:
    """Where the values of one release come from: its source text and GENESIS table codes."""

    source: str
    tables: str = ""
    release: str = ""


@dataclass(frozen=True)
class Citation:
    """What a citation of one view says (a view = a page or export in one state)."""

    title: str
    publisher: str
    url: str  # absolute; the pinned permalink where the view can be pinned
    accessed: date
    releases: tuple[str, ...]  # labels of the releases whose values are shown
    release_ids: tuple[int, ...] = ()
    sources: tuple[CitedSource, ...] = ()
    boundaries: bool = False  # a map: name the boundaries too
    synthetic: bool = False
    issued: date | None = None  # publication of the newest release shown
    keywords: tuple[str, ...] = field(default_factory=tuple)


def today() -> date:
    """The access date of a citation: today in UTC (the date a reader fetched the view)."""
    return datetime.now(UTC).date()


def _sources_text(c: Citation, lang: str) -> str:
    w = _WORDS[lang]
    parts = []
    for s in c.sources:
        # Codes the stored source text already names (the Regionaldatenbank's) are not repeated.
        codes = [t.strip() for t in s.tables.split(",") if t.strip() and t.strip() not in s.source]
        if codes:
            word = w["tables"] if len(codes) > 1 else w["table"]
            parts.append(f"{s.source} ({word} {', '.join(codes)})")
        else:
            parts.append(s.source)
    if c.synthetic:
        parts.append(w["synthetic"])
    return "; ".join(dict.fromkeys(parts))


def _date(d: date, lang: str) -> str:
    return d.strftime("%d.%m.%Y") if lang == "de" else d.isoformat()


def line(c: Citation, lang: str) -> str:
    """The citation line in one language (German for any other)."""
    lang = lang if lang in LANGS else "de"
    w = _WORDS[lang]
    releases = ", ".join(c.releases) or "–"
    if c.release_ids:
        releases += f" ({w['pinned']} {'.'.join(map(str, c.release_ids))})"
    text = f"{c.publisher}: {c.title}. {w['release']}: {releases}."
    sources = _sources_text(c, lang)
    if sources:
        text += f" {w['source']}: {sources}."
    if c.boundaries:
        text += f" {w['boundaries']}: {attribution.BOUNDARIES}."
    text += (
        f" {w['licence']}: {attribution.licence_name(lang)} ({attribution.LICENCE}),"
        f" {attribution.LICENCE_URL}."
    )
    return f"{text} {c.url} ({w['accessed']} {_date(c.accessed, lang)})."


def line_html(c: Citation, lang: str) -> Markup:
    """The citation line as HTML: escaped, German names (publisher, sources) marked lang="de" in
    the English line (BITV: language of parts), and a break allowed after each / and & (a long
    URL wraps on a phone)."""
    text = str(escape(line(c, lang)))
    if lang == "en":
        german = {str(escape(x)) for x in (c.publisher, *(s.source for s in c.sources)) if x}
        if german:
            pattern = "|".join(map(re.escape, sorted(german, key=len, reverse=True)))
            text = re.sub(pattern, lambda m: f'<span lang="de">{m.group(0)}</span>', text)
    text = re.sub(r"(/|&amp;)(?![^<]*>)", r"\1<wbr>", text)  # not inside a tag
    return Markup(text)


def lines(c: Citation) -> list[str]:
    """The citation line in German, then in English (download headers, image footers)."""
    return [line(c, lang) for lang in LANGS]


_KEY = re.compile(r"[^a-z0-9]+")
_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _tex(text: str) -> str:
    """A text safe inside a BibTeX field: LaTeX's specials escaped, no line breaks."""
    flat = " ".join(text.split())
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in flat)


def _url(text: str) -> str:
    """A URL inside a BibTeX url field: braces and whitespace cannot occur in it."""
    return re.sub(r"[{}\s\\]", "", text)


def key(c: Citation) -> str:
    """The citation key: publisher, title words and access year (ASCII, lower case)."""
    words = _KEY.sub("-", f"sozmon {c.title}".lower().translate(_UMLAUTS)).strip("-")
    return f"{words[:60].rstrip('-')}-{c.accessed.year}"


_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
)


def bibtex(c: Citation) -> str:
    """A BibTeX @misc entry (biblatex's url/urldate fields, understood by BibTeX's url package)."""
    note = " ".join(
        [
            f"{_WORDS['de']['release']}: {', '.join(c.releases) or '–'}.",
            f"{_WORDS['de']['source']}: {_sources_text(c, 'de')}."
            if _sources_text(c, "de")
            else "",
            f"{_WORDS['de']['licence']}: {attribution.LICENCE}.",
        ]
    ).strip()
    fields = [
        ("author", "{" + _tex(c.publisher) + "}"),
        ("title", _tex(c.title)),
        ("publisher", _tex(c.publisher)),
        ("year", str((c.issued or c.accessed).year)),
        ("url", _url(c.url)),
        ("urldate", c.accessed.isoformat()),
        ("howpublished", r"\url{" + _url(c.url) + "}"),
        ("version", _tex(", ".join(c.releases))),
        ("note", _tex(note) + r", " + f"abgerufen am {c.accessed.isoformat()}"),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key(c)},\n{body}\n}}\n"


def csl_json(c: Citation) -> list[dict[str, object]]:
    """The citation as CSL-JSON (an array of one item, type "dataset"), for Zotero & Co."""
    item: dict[str, object] = {
        "id": key(c),
        "type": "dataset",
        "title": c.title,
        "author": [{"literal": c.publisher}],
        "publisher": c.publisher,
        "URL": c.url,
        "accessed": {"date-parts": [[c.accessed.year, c.accessed.month, c.accessed.day]]},
        "version": ", ".join(c.releases),
        "source": _sources_text(c, "de"),
        "note": f"{attribution.licence_name('de')} ({attribution.LICENCE}), {attribution.LICENCE_URL}",
        "license": attribution.LICENCE_URL,
    }
    if c.issued is not None:
        item["issued"] = {"date-parts": [[c.issued.year, c.issued.month, c.issued.day]]}
    return [item]


def metadata(c: Citation) -> dict[str, object]:
    """The citation as the `metadata` member of a JSON download."""
    return {
        "title": c.title,
        "publisher": c.publisher,
        "url": c.url,
        "accessed": c.accessed.isoformat(),
        "releases": list(c.releases),
        "release_ids": list(c.release_ids),
        "sources": [
            {"source": s.source, "tables": s.tables, "release": s.release} for s in c.sources
        ],
        "licence": {
            "id": attribution.LICENCE,
            "url": attribution.LICENCE_URL,
            "name": {lang: attribution.licence_name(lang) for lang in LANGS},
        },
        "boundaries": attribution.BOUNDARIES if c.boundaries else None,
        "synthetic": c.synthetic,
        "citation": {lang: line(c, lang) for lang in LANGS},
    }


def csl_text(c: Citation) -> str:
    """CSL-JSON as text (UTF-8, indented)."""
    return json.dumps(csl_json(c), ensure_ascii=False, indent=2) + "\n"
