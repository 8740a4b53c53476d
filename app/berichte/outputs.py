"""A published version's page and PDF, rendered once per language and kept in `report_output`.

Why the database and not files under instance/: the outputs belong to a version row (foreign
key, deleted and backed up with it), every app instance and worker sees them at once, a restore
brings them back, and the app needs no writable folder beside its code (the served stack may run
the app as a user that cannot write the checkout). A PDF is ~0.1–1 MB; a few per version.

Keyed only by what changes the output: report, version and language. The Host header and the
query string play no part: the PDF's link to its page is built from PUBLIC_URL (else the host of
the editor's request that built it).

Who renders: the publish request (after its commit, both languages), an editor opening a PDF
that is missing, and `sozmon report-outputs` (versions published before migration 0011). An
anonymous request only reads; a missing PDF is a 503 with Retry-After, never a Chromium start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, current_app, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.berichte import pdf
from app.berichte.render import Rendered, render
from app.berichte.values import release_dates
from app.render.accessible_pdf import PdfMeta, finish, headings
from app.web.home import publisher, site_name
from geodata import attribution

LANGS = ("de", "en")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stored:
    """What report_output holds for one version and language (pdf None: not printed yet)."""

    rendered: Rendered
    pdf: bytes | None


def stored(
    conn: Connection, report_id: int, version: int, lang: str, with_pdf: bool
) -> Stored | None:
    """The stored page (and PDF, when asked and present) of a version, or None."""
    row = conn.execute(
        text(
            "SELECT html, labels, synthetic, "
            + ("pdf" if with_pdf else "NULL::bytea AS pdf")
            + " FROM report_output WHERE report_id = :r AND version = :v AND lang = :l"
        ),
        {"r": report_id, "v": version, "l": lang},
    ).first()
    if row is None:
        return None
    out = Rendered(Markup(row.html), labels=set(row.labels), synthetic=row.synthetic)
    return Stored(out, None if row.pdf is None else bytes(row.pdf))


def _keep(conn: Connection, v: dict, lang: str, out: Rendered, body: bytes | None) -> None:
    conn.execute(
        text(
            "INSERT INTO report_output (report_id, version, lang, html, labels, synthetic, pdf)"
            " VALUES (:r, :v, :l, :h, :lab, :s, :p) ON CONFLICT (report_id, version, lang) DO"
            " UPDATE SET html = excluded.html, labels = excluded.labels,"
            " synthetic = excluded.synthetic, pdf = coalesce(excluded.pdf, report_output.pdf),"
            " created_at = now()"
        ),
        {
            "r": v["report_id"],
            "v": v["version"],
            "l": lang,
            "h": str(out.html),
            "lab": sorted(out.labels),
            "s": bool(out.synthetic),
            "p": body,
        },
    )


def pinned_page(conn: Connection, v: dict) -> Rendered:
    """The version rendered on the releases it pins, in the request's language."""
    return render(conn, v["body"], v["release_ids"])


def pdf_bytes(conn: Connection, v: dict, out: Rendered, public: str) -> bytes:
    """The version printed by Chromium (request context of the wanted language needed)."""
    html = render_template(
        "berichte/print.html",
        v=v,
        out=out,
        styles=pdf.inline_styles(),
        stand=release_dates(conn, sorted(out.labels)),
        synthetic=out.synthetic,
        url=public + url_for("berichte.report", slug=v["slug"], version=v["version"]),
    )
    footer = escape(
        f"{v['title']} · {_('Werte')}: © {attribution.STATISTICAL_OFFICES}"
        f" · {_('Karten')}: {attribution.BOUNDARIES} · {attribution.LICENCE}"
    )
    page_of = _("Seite %(page)s von %(total)s", page=pdf.PAGE_NUMBER, total=pdf.TOTAL_PAGES)
    body = pdf.html_to_pdf(html, str(footer), current_app.config["CHROMIUM_PATH"], page_of)
    meta = PdfMeta(
        title=v["title"],
        author=publisher(),
        lang=str(get_locale()),
        subject=v.get("summary") or "",
        creator=f"{site_name()} ({_('Fokusbericht')})",
    )
    return finish(body, meta, headings(html))


def build(app: Flask, conn: Connection, v: dict, base_url: str, with_pdf: bool = True) -> int:
    """Render and keep a version's page (and PDF) in every language; returns PDFs printed."""
    public = (app.config.get("PUBLIC_URL") or base_url).rstrip("/")
    printed = 0
    for lang in LANGS:
        # An app context of its own per language: Flask-Babel keeps the locale it chose on `g`,
        # which a request context shares with the caller's app context (the publish request,
        # the CLI) — without it the English page and PDF were German, as the first one chose.
        with (
            app.app_context(),
            app.test_request_context(f"/berichte/{v['slug']}?lang={lang}", base_url=public),
        ):
            out = pinned_page(conn, v)
            body = pdf_bytes(conn, v, out, public) if with_pdf else None
        _keep(conn, v, lang, out, body)
        printed += body is not None
    return printed


def missing(conn: Connection) -> list[dict]:
    """Published versions whose PDF is missing in some language (oldest first)."""
    rows = conn.execute(
        text(
            "SELECT v.report_id, v.version, r.slug FROM report_version v"
            " JOIN report r ON r.id = v.report_id WHERE (SELECT count(*) FROM report_output o"
            " WHERE o.report_id = v.report_id AND o.version = v.version AND o.pdf IS NOT NULL)"
            " < :n ORDER BY v.report_id, v.version"
        ),
        {"n": len(LANGS)},
    )
    return [dict(r._mapping) for r in rows]
