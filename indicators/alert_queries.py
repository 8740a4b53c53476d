"""The stored alerts (table `alert`, written at publish by indicators.alerts), newest first."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class AlertRow:
    """One alert with the names the page, the feeds and the API show."""

    id: int
    kind: str  # intervall | trend | status | dynamik | neu
    published_at: datetime
    release_label: str
    ags: str
    area_name: str
    indicator_id: str | None
    indicator_de: str | None
    indicator_en: str | None
    unit: str | None
    decimals: int | None
    year: int | None
    ref_year: int | None
    old_value: float | None
    new_value: float | None
    lower: float | None
    upper: float | None
    old_label: str | None
    new_label: str | None
    p: float | None

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON)."""
        return asdict(self)


# Per publish, in the catalogue's order; the kinds in a fixed order within an indicator.
ALERTS_SQL = """
SELECT a.id, a.kind, a.published_at, r.label AS release_label, a.ags, ar.name AS area_name,
       a.indicator_id, i.name_de AS indicator_de, coalesce(nullif(i.name_en, ''), i.name_de)
       AS indicator_en, i.unit, i.decimals, a.year, a.ref_year, a.old_value, a.new_value,
       a.lower, a.upper, a.old_label, a.new_label, a.p
FROM alert a JOIN release r ON r.id = a.release_id AND r.status = 'published'
JOIN area ar ON ar.ags = a.ags LEFT JOIN indicator i ON i.id = a.indicator_id
WHERE (CAST(:ags AS text) IS NULL OR a.ags = :ags)
  AND (CAST(:ind AS text) IS NULL OR a.indicator_id = :ind)
  AND (CAST(:ids AS int[]) IS NULL OR a.id = ANY(:ids))
ORDER BY a.published_at DESC, a.release_id DESC, i.sort NULLS FIRST, a.indicator_id NULLS FIRST,
         array_position(ARRAY['neu', 'intervall', 'trend', 'status', 'dynamik'], a.kind::text),
         ar.level DESC, a.ags, a.year, a.id
LIMIT :limit OFFSET :offset
"""

COUNT_SQL = """
SELECT count(*) FROM alert a JOIN release r ON r.id = a.release_id AND r.status = 'published'
WHERE (CAST(:ags AS text) IS NULL OR a.ags = :ags)
  AND (CAST(:ind AS text) IS NULL OR a.indicator_id = :ind)
"""


def alerts(
    conn: Connection,
    ags: str | None = None,
    indicator_id: str | None = None,
    limit: int | None = 500,
    ids: list[int] | None = None,
    offset: int = 0,
) -> list[AlertRow]:
    """The newest alerts of published releases, of one area and/or indicator if named (or
    those with the ids given); `limit` None: all; `offset` skips that many (paging: the order
    is total: the alert's id breaks the last tie)."""
    rows = conn.execute(
        text(ALERTS_SQL),
        {"ags": ags, "ind": indicator_id, "limit": limit, "ids": ids, "offset": offset},
    ).mappings()
    return [AlertRow(**r) for r in rows]


def count(conn: Connection, ags: str | None = None, indicator_id: str | None = None) -> int:
    """How many alerts `alerts` would list without a limit."""
    return int(conn.scalar(text(COUNT_SQL), {"ags": ags, "ind": indicator_id}) or 0)


# --- e-mail subscriptions and their queue (tables alert_subscription, alert_delivery) --------


@dataclass(frozen=True)
class Subscription:
    """An e-mail address for a Kommune's and/or an indicator's alerts."""

    id: int
    email: str
    ags: str | None
    indicator_id: str | None
    lang: str
    token: str
    confirmed: bool


SUBSCRIPTION_COLUMNS = (
    "id, email, ags, indicator_id, lang, token, confirmed_at IS NOT NULL AS confirmed"
)


def subscribe(
    conn: Connection, email: str, ags: str | None, indicator_id: str | None, lang: str, token: str
) -> Subscription:
    """A new, unconfirmed subscription; its confirmation e-mail (double opt-in) is queued."""
    row = (
        conn.execute(
            text(
                "INSERT INTO alert_subscription (email, ags, indicator_id, lang, token)"
                f" VALUES (:e, :a, :i, :l, :t) RETURNING {SUBSCRIPTION_COLUMNS}"
            ),
            {"e": email, "a": ags, "i": indicator_id, "l": lang, "t": token},
        )
        .mappings()
        .one()
    )
    return Subscription(**row)


def confirm(conn: Connection, token: str) -> Subscription | None:
    """Confirm the subscription of a token (the second step of the opt-in); None if unknown."""
    row = (
        conn.execute(
            text(
                "UPDATE alert_subscription SET confirmed_at = coalesce(confirmed_at, now())"
                f" WHERE token = :t RETURNING {SUBSCRIPTION_COLUMNS}"
            ),
            {"t": token},
        )
        .mappings()
        .first()
    )
    return Subscription(**row) if row else None


def unconfirmed_unasked(conn: Connection) -> list[Subscription]:
    """Subscriptions whose confirmation e-mail has not been sent yet."""
    rows = conn.execute(
        text(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM alert_subscription"
            " WHERE confirmed_at IS NULL AND confirm_sent_at IS NULL ORDER BY id"
        )
    ).mappings()
    return [Subscription(**r) for r in rows]


def mark_asked(conn: Connection, subscription_id: int) -> None:
    """The confirmation e-mail went out."""
    conn.execute(
        text("UPDATE alert_subscription SET confirm_sent_at = now() WHERE id = :s"),
        {"s": subscription_id},
    )


def queued(conn: Connection) -> dict[int, list[int]]:
    """Subscription id → the ids of its alerts not yet sent."""
    out: dict[int, list[int]] = {}
    for r in conn.execute(
        text(
            "SELECT subscription_id, alert_id FROM alert_delivery WHERE sent_at IS NULL"
            " ORDER BY subscription_id, alert_id"
        )
    ):
        out.setdefault(r.subscription_id, []).append(r.alert_id)
    return out


def subscription(conn: Connection, subscription_id: int) -> Subscription | None:
    """One subscription by id."""
    row = (
        conn.execute(
            text(f"SELECT {SUBSCRIPTION_COLUMNS} FROM alert_subscription WHERE id = :s"),
            {"s": subscription_id},
        )
        .mappings()
        .first()
    )
    return Subscription(**row) if row else None


def mark_sent(conn: Connection, subscription_id: int, alert_ids: list[int]) -> None:
    """These alerts went out to this subscription."""
    conn.execute(
        text(
            "UPDATE alert_delivery SET sent_at = now()"
            " WHERE subscription_id = :s AND alert_id = ANY(:a)"
        ),
        {"s": subscription_id, "a": alert_ids},
    )


# One address, as the HTML form field type=email accepts it (WHATWG), no display name.
EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)


def valid_email(email: str) -> bool:
    """One plain address of at most 254 characters (the column's and SMTP's limit)."""
    return len(email) <= 254 and EMAIL.fullmatch(email) is not None


def by_token(conn: Connection, token: str) -> Subscription | None:
    """The subscription of a confirmation or unsubscribe link's token; None if unknown."""
    if not token or len(token) > 64:
        return None
    row = (
        conn.execute(
            text(f"SELECT {SUBSCRIPTION_COLUMNS} FROM alert_subscription WHERE token = :t"),
            {"t": token},
        )
        .mappings()
        .first()
    )
    return Subscription(**row) if row else None


def unsubscribe(conn: Connection, token: str) -> Subscription | None:
    """Delete the subscription of a token (its queued alerts go with it: ON DELETE CASCADE);
    None if unknown (already deleted)."""
    if not token or len(token) > 64:
        return None
    row = (
        conn.execute(
            text(
                f"DELETE FROM alert_subscription WHERE token = :t RETURNING {SUBSCRIPTION_COLUMNS}"
            ),
            {"t": token},
        )
        .mappings()
        .first()
    )
    return Subscription(**row) if row else None


@dataclass(frozen=True)
class SignupState:
    """What the database knows before a public sign-up: whether this address already has this
    subscription, how many unconfirmed ones it was given in the last day, and how many
    unconfirmed ones everybody was given in the last hour."""

    exists: bool
    pending_address_day: int
    pending_all_hour: int


def signup_state(
    conn: Connection, email: str, ags: str | None, indicator_id: str | None
) -> SignupState:
    """One query for the checks of a public sign-up (addresses compared case-insensitively)."""
    row = conn.execute(
        text(
            "SELECT"
            " EXISTS (SELECT 1 FROM alert_subscription WHERE lower(email) = lower(:e)"
            "   AND ags IS NOT DISTINCT FROM :a AND indicator_id IS NOT DISTINCT FROM :i),"
            " (SELECT count(*) FROM alert_subscription WHERE lower(email) = lower(:e)"
            "   AND confirmed_at IS NULL AND created_at > now() - interval '1 day'),"
            " (SELECT count(*) FROM alert_subscription WHERE confirmed_at IS NULL"
            "   AND created_at > now() - interval '1 hour')"
        ),
        {"e": email, "a": ags, "i": indicator_id},
    ).one()
    return SignupState(bool(row[0]), int(row[1]), int(row[2]))


# An address that has not confirmed within this many days is deleted (it asked for nothing).
UNCONFIRMED_DAYS = 7


def forget_unconfirmed(conn: Connection, days: int = UNCONFIRMED_DAYS) -> int:
    """Delete subscriptions never confirmed within `days` of their sign-up; how many."""
    result = conn.execute(
        text(
            "DELETE FROM alert_subscription WHERE confirmed_at IS NULL"
            " AND created_at < now() - make_interval(days => :d)"
        ),
        {"d": days},
    )
    return int(result.rowcount or 0)
