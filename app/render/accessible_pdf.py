"""What Chromium's tagged PDF lacks, added with pikepdf: language, metadata, artifacts, figure
groups and the outline's words.

Chromium (Playwright's `page.pdf(tagged=True, outline=True)`) writes the structure tree
(headings, paragraphs, lists, tables with TH and scope, figures with /Alt from the accessible
name), the outline from the headings, the document title from <title> and /Lang from
<html lang> ("de"). Measured with Chromium 156 (docs/ops/pdf.md), it leaves out:

- the author, the subject and an XMP metadata stream;
- the page footer (`footer_template`: title, licence, "Seite x von y") and the boxes' borders
  and backgrounds: drawn outside any marked content, neither tagged nor marked as artifacts;
- an outline title's space where its heading breaks across lines ("… inder Region …");
- the meaning of an HTML <figure>: tagged /Figure, although the report's <figure> holds a
  caption, the picture and its data table, so that /Figure would have no /Alt and a reader that
  honours /Figure as one picture would skip the table.

`finish` fills those gaps; it never moves, adds or removes anything drawn on a page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser

# BCP 47 tags for the document language (the site's locales are "de" and "en").
LANG_TAGS = {"de": "de-DE", "en": "en"}
# Operators that draw: text shown, a path painted, an XObject, a shading, an inline image.
_TEXT_OPS = {"Tj", "TJ", "'", '"'}
_PAINT_OPS = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"}
_PATH_OPS = {"m", "l", "c", "v", "y", "h", "re", "W", "W*"}
_SINGLE_OPS = {"Do", "sh", "INLINE IMAGE"}


@dataclass(frozen=True)
class PdfMeta:
    """Document information: title, author (the publisher), subject, language, creator."""

    title: str
    author: str
    lang: str
    subject: str = ""
    creator: str = ""


class _Headings(HTMLParser):
    """The text of every h1–h6 of an HTML document, in order, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self._open = []

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._open is not None:
            self.found.append(" ".join("".join(self._open).split()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def headings(html: str) -> list[str]:
    """The headings (h1–h6) of the HTML that is printed, in document order."""
    parser = _Headings()
    parser.feed(html)
    return parser.found


def _regroup(elem, seen: set) -> int:
    """/Figure elements that hold other structure (a <figure> with caption, picture and table)
    become /Div, the tag Chromium gives a grouping; returns how many were changed."""
    import pikepdf

    if not isinstance(elem, pikepdf.Dictionary) or elem.objgen in seen:
        return 0
    if elem.objgen != (0, 0):
        seen.add(elem.objgen)
    kids = elem.get("/K")
    if kids is None:
        return 0
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    structured = [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]
    changed = 0
    if elem.get("/S") == pikepdf.Name.Figure and structured and "/Alt" not in elem:
        elem.S = pikepdf.Name.Div
        changed = 1
    return changed + sum(_regroup(k, seen) for k in structured)


def _mark_artifacts(pdf) -> int:
    """Wrap what a page draws outside any marked content in /Artifact BMC … EMC (each text
    operator, each path from its first point to its painting, each XObject or shading);
    returns how many were wrapped. Properly nested: nothing spans a BT/ET or q/Q boundary."""
    import pikepdf

    artifact = [pikepdf.Name.Artifact]
    wrapped = 0
    for page in pdf.pages:
        ops = pikepdf.parse_content_stream(page)
        out: list = []
        depth = 0  # marked-content nesting
        path: list = []  # a path being built outside marked content
        changed = False
        for operands, op in ops:
            name = str(op)
            if depth == 0 and name in _PATH_OPS:
                path.append((operands, op))
                continue
            if depth == 0 and path and name in _PAINT_OPS:
                out += [(artifact, pikepdf.Operator("BMC")), *path, (operands, op)]
                out.append(([], pikepdf.Operator("EMC")))
                path, changed, wrapped = [], True, wrapped + 1
                continue
            out += path  # a path not painted (not expected): kept as it was
            path = []
            if name in ("BDC", "BMC"):
                depth += 1
            elif name == "EMC":
                depth -= 1
            elif depth == 0 and (name in _TEXT_OPS or name in _SINGLE_OPS):
                out += [(artifact, pikepdf.Operator("BMC")), (operands, op)]
                out.append(([], pikepdf.Operator("EMC")))
                changed, wrapped = True, wrapped + 1
                continue
            out.append((operands, op))
        out += path
        if changed:
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
    return wrapped


def _outline_titles(pdf, wanted: list[str]) -> int:
    """Outline titles as the headings read (Chromium joins a heading's lines without their
    space); an item is matched to the next heading with the same letters; returns changes."""
    outlines = pdf.Root.get("/Outlines")
    if outlines is None or not wanted:
        return 0

    def letters(s: str) -> str:
        return "".join(s.split())

    items = []

    def walk(item) -> None:
        while item is not None:
            items.append(item)
            if "/First" in item:
                walk(item.First)
            item = item.get("/Next")

    walk(outlines.get("/First"))
    changed, at = 0, 0
    for item in items:
        title = str(item.get("/Title", ""))
        for k in range(at, len(wanted)):
            if letters(wanted[k]) == letters(title):
                if wanted[k] != title:
                    item.Title = wanted[k]
                    changed += 1
                at = k + 1
                break
    return changed


def finish(body: bytes, meta: PdfMeta, heading_texts: list[str] | None = None) -> bytes:
    """The PDF with /Lang, document information and XMP metadata, untagged drawing marked as
    artifacts, figure groups as /Div and the outline's titles as the headings read."""
    import pikepdf  # imported on first print: pages that never print do not load it

    with pikepdf.open(io.BytesIO(body)) as pdf:
        lang = LANG_TAGS.get(meta.lang, meta.lang)
        pdf.Root.Lang = pikepdf.String(lang)
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is not None:
            _regroup(tree, set())
        _mark_artifacts(pdf)
        _outline_titles(pdf, heading_texts or [])
        prefs = pdf.Root.get("/ViewerPreferences") or pikepdf.Dictionary()
        prefs.DisplayDocTitle = True  # viewers show the title, not the file name
        pdf.Root.ViewerPreferences = prefs
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp.load_from_docinfo(pdf.docinfo)  # Chromium's dates and producer
            xmp["dc:title"] = meta.title
            xmp["dc:creator"] = [meta.author]
            xmp["dc:language"] = [lang]
            if meta.subject:
                xmp["dc:description"] = meta.subject
            if meta.creator:
                xmp["xmp:CreatorTool"] = meta.creator
        # The document information dictionary too: pdfinfo and older readers read only that.
        pdf.docinfo["/Title"] = meta.title
        pdf.docinfo["/Author"] = meta.author
        if meta.subject:
            pdf.docinfo["/Subject"] = meta.subject
        if meta.creator:
            pdf.docinfo["/Creator"] = meta.creator
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
