"""Click commands for the e-mail alerts: `sozmon alerts subscribe|confirm|send` (issue #31).

A subscription is double opt-in: `subscribe` stores it unconfirmed and queues a confirmation
e-mail with its token; `confirm TOKEN` confirms it; only confirmed subscriptions get alerts
(queued at publish, indicators/alerts.py). `send` delivers what is queued through the SMTP
server of the settings SMTP_*; without SMTP_HOST nothing is sent and the queue is kept.
"""

from __future__ import annotations

import secrets
import smtplib
import sys
from email.message import EmailMessage

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import Connection

from app.pages.data.alerts import item
from app.web.db import get_engine
from app.web.home import publisher
from indicators import alert_queries as q


def _in_language(lang: str):
    """A request context in the subscriber's language, with PUBLIC_URL's (or a local) host:
    url_for gives absolute links and gettext the subscriber's texts."""
    base = current_app.config.get("PUBLIC_URL") or "http://localhost"
    return current_app.test_request_context("/", base_url=base, query_string={"lang": lang})


def _lang(sub: q.Subscription) -> dict[str, str]:
    """The query of a link to a page in the subscriber's language (German needs none)."""
    return {"lang": "en"} if sub.lang == "en" else {}


def _unsubscribe_link(msg: EmailMessage, sub: q.Subscription) -> str:
    """The subscription's unsubscribe link, also as the headers of RFC 2369 and RFC 8058: a
    mail program's "Abbestellen" button POSTs `List-Unsubscribe=One-Click` to it (one click,
    no page); the link in the text opens a page with one button (a GET changes nothing, so a
    mail scanner that opens every link unsubscribes nobody)."""
    link = url_for("alerts.unsubscribe", token=sub.token, _external=True, **_lang(sub))
    msg["List-Unsubscribe"] = f"<{link}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return link


def _confirmation(sub: q.Subscription, sender: str) -> EmailMessage:
    msg = EmailMessage()
    with _in_language(sub.lang):
        msg["Subject"] = _("%(p)s: Meldungen bestätigen", p=publisher())
        stop = _unsubscribe_link(msg, sub)
        msg.set_content(
            _(
                "Sie haben Meldungen des %(p)s bestellt (Kommune: %(a)s, Kennzahl: %(i)s).\n\n"
                "Bitte bestätigen Sie hier: %(u)s\n\n"
                "Wenn Sie nichts bestellt haben, müssen Sie nichts tun: ohne Bestätigung"
                " bekommen Sie keine weitere E-Mail. Die Adresse löschen: %(s)s\n",
                p=publisher(),
                a=sub.ags or _("alle"),
                i=sub.indicator_id or _("alle"),
                u=url_for("alerts.confirm", token=sub.token, _external=True, **_lang(sub)),
                s=stop,
            )
        )
    msg["From"], msg["To"] = sender, sub.email
    return msg


def _digest(sub: q.Subscription, rows: list[q.AlertRow], sender: str) -> EmailMessage:
    msg = EmailMessage()
    with _in_language(sub.lang):
        msg["Subject"] = _("%(p)s: %(n)s neue Meldungen", p=publisher(), n=len(rows))
        stop = _unsubscribe_link(msg, sub)
        lines = []
        for r in rows:
            it = item(r)
            lines.append(f"{it.kind_label}: {it.subject}\n{it.text}")
            lines.append(url_for("alerts.index", _external=True, _anchor=f"alarm-{r.id}") + "\n")
        lines.append(_("Alle Meldungen: %(u)s", u=url_for("alerts.index", _external=True)))
        lines.append(_("Abbestellen: %(u)s", u=stop))
        msg.set_content("\n".join(lines) + "\n")
    msg["From"], msg["To"] = sender, sub.email
    return msg


def _smtp() -> smtplib.SMTP:
    c = current_app.config
    server = smtplib.SMTP(c["SMTP_HOST"], c["SMTP_PORT"], timeout=30)
    if c["SMTP_STARTTLS"]:
        server.starttls()
    if c["SMTP_USER"]:
        server.login(c["SMTP_USER"], c["SMTP_PASSWORD"])
    return server


def send_queue(conn: Connection, server: smtplib.SMTP, sender: str) -> tuple[int, int]:
    """Send the queued confirmations and alert digests (one e-mail per subscriber), each
    marked sent and committed as soon as the server took it (a failure later sends nothing
    twice). Returns (confirmations, digests)."""
    asked = 0
    for sub in q.unconfirmed_unasked(conn):
        server.send_message(_confirmation(sub, sender))
        q.mark_asked(conn, sub.id)
        conn.commit()
        asked += 1
    digests = 0
    for sid, alert_ids in q.queued(conn).items():
        sub = q.subscription(conn, sid)
        rows = q.alerts(conn, limit=None, ids=alert_ids)
        if sub is None or not sub.confirmed or not rows:
            continue
        server.send_message(_digest(sub, rows, sender))
        q.mark_sent(conn, sid, alert_ids)
        conn.commit()
        digests += 1
    return asked, digests


@click.group("alerts")
def alerts_group() -> None:
    """E-mail alerts: subscribe (double opt-in), confirm, send the queue."""


@alerts_group.command("subscribe")
@click.argument("email")
@click.option("--kommune", "ags", help="AGS of a Kommune (or the Region).")
@click.option("--indicator", "indicator_id", help="An indicator's id.")
@click.option("--lang", type=click.Choice(["de", "en"]), default="de")
@with_appcontext
def subscribe_cmd(email: str, ags: str | None, indicator_id: str | None, lang: str) -> None:
    """Subscribe EMAIL to a Kommune's and/or an indicator's alerts (unconfirmed: a confirmation
    e-mail with the token is queued for `sozmon alerts send`)."""
    if not q.valid_email(email):
        click.secho(f"Keine gültige E-Mail-Adresse: {email!r}", fg="red", err=True)
        sys.exit(1)
    if not ags and not indicator_id:
        click.secho("Bitte --kommune und/oder --indicator angeben.", fg="red", err=True)
        sys.exit(1)
    with get_engine().begin() as conn:
        known = conn.exec_driver_sql(
            "SELECT (%(a)s::text IS NULL OR EXISTS (SELECT 1 FROM area WHERE ags = %(a)s"
            "  AND level IN ('kommune', 'region')))"
            " AND (%(i)s::text IS NULL OR EXISTS (SELECT 1 FROM indicator WHERE id = %(i)s))",
            {"a": ags, "i": indicator_id},
        ).scalar()
        if not known:
            click.secho("Unbekannte Kommune oder Kennzahl.", fg="red", err=True)
            sys.exit(1)
        sub = q.subscribe(conn, email, ags, indicator_id, lang, secrets.token_urlsafe(24))
    click.echo(f"Abonnement {sub.id} angelegt (unbestätigt); Bestätigung mit: {sub.token}")


@alerts_group.command("confirm")
@click.argument("token")
@with_appcontext
def confirm_cmd(token: str) -> None:
    """Confirm a subscription by the token of its confirmation e-mail."""
    with get_engine().begin() as conn:
        sub = q.confirm(conn, token)
    if sub is None:
        click.secho("Unbekannter Schlüssel.", fg="red", err=True)
        sys.exit(1)
    click.echo(f"Abonnement {sub.id} ({sub.email}) bestätigt.")


@alerts_group.command("send")
@with_appcontext
def send_cmd() -> None:
    """Send the queued confirmations and alerts through SMTP_HOST (nothing without it)."""
    c = current_app.config
    if not c["SMTP_HOST"]:
        click.echo(
            "Kein SMTP-Server eingestellt (SMTP_HOST): nichts gesendet, Warteschlange bleibt."
        )
        return
    sender = c["SMTP_FROM"] or f"sozialmonitoring@{c['SMTP_HOST']}"
    with get_engine().connect() as conn:
        # one sender at a time (a second one waits instead of sending the same queue again)
        conn.exec_driver_sql("SELECT pg_advisory_lock(260031)")
        conn.commit()
        # addresses nobody confirmed within a week are not kept (nor asked again)
        forgotten = q.forget_unconfirmed(conn)
        conn.commit()
        with _smtp() as server:
            asked, digests = send_queue(conn, server, sender)
        conn.exec_driver_sql("SELECT pg_advisory_unlock(260031)")
        conn.commit()
    click.echo(
        f"{asked} Bestätigungen und {digests} Meldungs-E-Mails gesendet;"
        f" {forgotten} unbestätigte Anmeldungen (älter als {q.UNCONFIRMED_DAYS} Tage) gelöscht."
    )


ALERT_COMMANDS = (alerts_group,)
