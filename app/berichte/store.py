"""Reports in the database: drafts, published versions (never changed), listings."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import Connection, text

from app.berichte import directives
from app.berichte.values import published_release_ids
from indicators.errors import InvalidContent

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_VERSION_COLUMNS = (
    "r.id AS report_id, r.slug, v.version, v.title, v.summary, v.body, v.release_ids,"
    " v.published_at, v.published_by, v.topic_id, t.name_de AS topic_de, t.name_en AS topic_en"
)


class ReportError(InvalidContent):
    """An editor's input that cannot be saved or published (message for the form)."""


def published(conn: Connection) -> list[dict]:
    """The newest version of every published report, newest first."""
    rows = conn.execute(
        text(
            f"SELECT DISTINCT ON (r.id) {_VERSION_COLUMNS},"
            " (SELECT min(published_at) FROM report_version f WHERE f.report_id = r.id)"
            "  AS first_published_at"
            " FROM report r JOIN report_version v ON v.report_id = r.id"
            " JOIN topic t ON t.id = v.topic_id ORDER BY r.id, v.version DESC"
        )
    )
    out = [dict(r._mapping) for r in rows]
    return sorted(out, key=lambda r: r["published_at"], reverse=True)


def version(conn: Connection, slug: str, number: int | None = None) -> dict | None:
    """One published version of a report (the newest when number is None)."""
    row = conn.execute(
        text(
            f"SELECT {_VERSION_COLUMNS},"
            " (SELECT max(version) FROM report_version m WHERE m.report_id = r.id) AS newest"
            " FROM report r JOIN report_version v ON v.report_id = r.id"
            " JOIN topic t ON t.id = v.topic_id WHERE r.slug = :s"
            " AND (CAST(:n AS int) IS NULL OR v.version = :n) ORDER BY v.version DESC LIMIT 1"
        ),
        {"s": slug, "n": number},
    ).first()
    return dict(row._mapping) if row else None


def versions(conn: Connection, report_id: int) -> list[dict]:
    """Every published version of a report, newest first."""
    rows = conn.execute(
        text(
            "SELECT version, title, published_at, published_by, release_ids FROM report_version"
            " WHERE report_id = :r ORDER BY version DESC"
        ),
        {"r": report_id},
    )
    return [dict(r._mapping) for r in rows]


def drafts(conn: Connection) -> list[dict]:
    """Every report with its draft and newest version number (for the editors' list)."""
    rows = conn.execute(
        text(
            "SELECT r.id, r.slug, r.title, r.updated_at, r.updated_by, t.name_de AS topic_de,"
            " (SELECT max(version) FROM report_version v WHERE v.report_id = r.id) AS version,"
            " EXISTS (SELECT 1 FROM report_version v WHERE v.report_id = r.id"
            "  AND v.version = (SELECT max(version) FROM report_version w WHERE w.report_id = r.id)"
            "  AND v.body = r.body AND v.title = r.title AND v.summary = r.summary"
            "  AND v.topic_id = r.topic_id) AS unchanged"
            " FROM report r JOIN topic t ON t.id = r.topic_id ORDER BY r.updated_at DESC"
        )
    )
    return [dict(r._mapping) for r in rows]


def draft(conn: Connection, report_id: int) -> dict | None:
    """The editors' working copy of a report."""
    row = conn.execute(
        text(
            "SELECT id, slug, topic_id, title, summary, body, updated_at, updated_by FROM report"
            " WHERE id = :i"
        ),
        {"i": report_id},
    ).first()
    return dict(row._mapping) if row else None


def check_fields(conn: Connection, fields: dict) -> None:
    """Refuse a missing title, a bad slug or an unknown topic with a message for the form."""
    if not SLUG.fullmatch(fields["slug"]) or len(fields["slug"]) > 80:
        raise ReportError(
            "Die Adresse (Slug) besteht aus Kleinbuchstaben, Ziffern und Bindestrichen,"
            " z. B. bevoelkerung-2015 (höchstens 80 Zeichen)."
        )
    if not fields["title"].strip() or len(fields["title"]) > 300:
        raise ReportError("Bitte einen Titel angeben (höchstens 300 Zeichen).")
    if len(fields["body"]) > 200_000 or len(fields["summary"]) > 2_000:
        raise ReportError("Der Text ist zu lang (höchstens 200.000 Zeichen, Kurzfassung 2.000).")
    figures, found = directives.over_budget(directives.split(fields["body"]))
    if figures > directives.MAX_FIGURES or found > directives.MAX_DIRECTIVES:
        raise ReportError(
            _(
                "Der Bericht hat %(f)d Abbildungen und %(d)d Direktiven; erlaubt sind höchstens"
                " %(mf)d Abbildungen (Karten, Zeitreihen, Vergleiche, Rangfolgen) und %(md)d"
                " Direktiven je Bericht, damit Vorschau, Veröffentlichung und PDF in wenigen"
                " Sekunden fertig sind. Bitte teilen Sie den Bericht auf.",
                f=figures,
                d=found,
                mf=directives.MAX_FIGURES,
                md=directives.MAX_DIRECTIVES,
            )
        )
    if not conn.scalar(text("SELECT 1 FROM topic WHERE id = :t"), {"t": fields["topic_id"]}):
        raise ReportError("Bitte ein vorhandenes Thema wählen.")


def save(conn: Connection, report_id: int | None, fields: dict, editor: str) -> int:
    """Create a report or update its draft; returns its id (published versions stay as they are)."""
    check_fields(conn, fields)
    clash = conn.scalar(
        text("SELECT id FROM report WHERE slug = :s AND id IS DISTINCT FROM :i"),
        {"s": fields["slug"], "i": report_id},
    )
    if clash:
        raise ReportError(f"Die Adresse {fields['slug']!r} hat schon ein anderer Bericht.")
    params = {**fields, "e": editor[:80], "i": report_id}
    if report_id is None:
        return conn.scalar(
            text(
                "INSERT INTO report (slug, topic_id, title, summary, body, created_by, updated_by)"
                " VALUES (:slug, :topic_id, :title, :summary, :body, :e, :e) RETURNING id"
            ),
            params,
        )
    published_before = conn.scalar(
        text(
            "SELECT slug FROM report r WHERE id = :i AND EXISTS"
            " (SELECT 1 FROM report_version v WHERE v.report_id = r.id)"
        ),
        {"i": report_id},
    )
    if published_before and published_before != fields["slug"]:
        raise ReportError(
            "Die Adresse eines veröffentlichten Berichts bleibt (Links zeigen auf sie)."
        )
    done = conn.execute(
        text(
            "UPDATE report SET slug = :slug, topic_id = :topic_id, title = :title,"
            " summary = :summary, body = :body, updated_at = now(), updated_by = :e"
            " WHERE id = :i"
        ),
        params,
    ).rowcount
    if not done:
        raise ReportError("Diesen Bericht gibt es nicht.")
    return report_id


def publish(conn: Connection, report_id: int, editor: str) -> dict:
    """Publish the draft as a new version pinned to the releases published now.

    The caller has rendered the draft without errors in the same transaction; the row lock
    keeps two publishes of one report from taking the same version number.
    """
    row = conn.execute(
        text(
            "SELECT id, slug, topic_id, title, summary, body FROM report WHERE id = :i FOR UPDATE"
        ),
        {"i": report_id},
    ).first()
    if row is None:
        raise ReportError("Diesen Bericht gibt es nicht.")
    ids = published_release_ids(conn)
    number = conn.scalar(
        text(
            "INSERT INTO report_version (report_id, version, topic_id, title, summary, body,"
            " release_ids, published_by) SELECT :i, coalesce(max(version), 0) + 1, :t, :ti, :su,"
            " :b, :ids, :e FROM report_version WHERE report_id = :i RETURNING version"
        ),
        {
            "i": report_id,
            "t": row.topic_id,
            "ti": row.title,
            "su": row.summary,
            "b": row.body,
            "ids": ids,
            "e": editor[:80],
        },
    )
    return {"slug": row.slug, "version": number, "release_ids": ids}
