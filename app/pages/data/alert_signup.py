"""The public sign-up for the e-mail alerts (form on /was-ist-neu): checks and the stored,
unconfirmed subscription. The confirmation e-mail is queued as for `sozmon alerts subscribe`
and sent by `sozmon alerts send`; nothing but that one e-mail goes to an address until its
owner confirms (double opt-in).

What keeps a stranger from subscribing others en masse:
- the double opt-in: an unconfirmed address gets the confirmation e-mail only (with a link to
  delete it), never an alert;
- per address at most PER_ADDRESS_DAY unconfirmed sign-ups a day (more are accepted with the
  same answer but stored nowhere: the answer says nothing about whether an address is known);
- over all addresses at most ALERT_SIGNUPS_PER_HOUR unconfirmed sign-ups an hour (then 503),
  so a flood cannot turn the mail server into a spam source;
- the same subscription twice is stored once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import Enum

from flask import current_app
from sqlalchemy import Connection

from indicators import alert_queries as q

PER_ADDRESS_DAY = 3


class Outcome(Enum):
    """What became of a sign-up. The form answers STORED and IGNORED alike (it says nothing about
    an address); PAUSED (too many unconfirmed sign-ups in the last hour) is a 503, try later."""

    STORED = "stored"
    IGNORED = "ignored"  # the address has it already, or had PER_ADDRESS_DAY sign-ups today
    PAUSED = "paused"


@dataclass(frozen=True)
class Signup:
    """What the form sent, checked: an address and a Kommune and/or an indicator."""

    email: str
    ags: str | None
    indicator_id: str | None
    lang: str


def sign_up(conn: Connection, s: Signup) -> Outcome:
    """Store the unconfirmed subscription and so queue its confirmation e-mail, unless the
    address has it already or had PER_ADDRESS_DAY sign-ups today, or the hourly limit over all
    addresses is reached."""
    # One sign-up at a time: the counts below stay true until this one is stored.
    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(260032)")
    state = q.signup_state(conn, s.email, s.ags, s.indicator_id)
    if state.pending_all_hour >= current_app.config["ALERT_SIGNUPS_PER_HOUR"]:
        return Outcome.PAUSED
    if state.exists or state.pending_address_day >= PER_ADDRESS_DAY:
        return Outcome.IGNORED
    q.subscribe(conn, s.email, s.ags, s.indicator_id, s.lang, secrets.token_urlsafe(32))
    return Outcome.STORED
