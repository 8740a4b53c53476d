"""The alerts ("Was ist neu?") for the page, its Atom feeds and the API: texts in the
visitor's language from the typed rows of indicators.alert_queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import url_for
from flask_babel import ngettext

from app.pages.data.sozialindex import DYNAMICS_LABELS, STATUS_LABELS
from app.render.atom import Entry, Feed, atom
from app.render.formatting import fmt_value
from app.web.db import get_conn
from app.web.home import publisher
from app.web.i18n import current_lang, in_language
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from app.web.security import public_url
from app.web.urls import area_url
from geodata import attribution
from indicators.alert_queries import AlertRow, alerts, count

KIND_LABELS = {
    "neu": _l("Neue Kennzahl"),
    "intervall": _l("Wert außerhalb des Intervalls"),
    "trend": _l("Trend jetzt signifikant"),
    "status": _l("Statusklasse geändert"),
    "dynamik": _l("Dynamikklasse geändert"),
}


@dataclass(frozen=True)
class AlertItem:
    """One alert as the page and the feeds show it."""

    row: AlertRow
    kind_label: str
    indicator: str  # the indicator's name ('Sozialindex' for class changes)
    subject: str  # "Hannover – SGB-II-Quote"
    text: str
    area_link: str
    indicator_link: str | None
    # A publish's first values of several indicators, shown as one alert (issue #29: the first
    # release made 104 "Neue Kennzahl" alerts); each member keeps its own row and link.
    members: tuple[AlertItem, ...] = ()


@dataclass(frozen=True)
class AlertDay:
    """The alerts of one publish (a release), for one heading of the page."""

    published_at: datetime
    release_label: str
    items: list[AlertItem]


def indicator_name(row: AlertRow) -> str:
    """The indicator's name in the page's language ('Sozialindex' for class changes)."""
    if row.indicator_id is None:
        return _("Sozialindex")
    return (row.indicator_en if current_lang() == "en" else row.indicator_de) or row.indicator_id


def _v(row: AlertRow, value: float | None) -> str:
    return fmt_value(value, row.decimals if row.decimals is not None else 1, row.unit or "")


def sentence(row: AlertRow) -> str:
    """What the alert says, in one or two sentences."""
    if row.kind == "intervall":
        values = {
            "year": row.year,
            "new": _v(row, row.new_value),
            "old": _v(row, row.old_value),
            "ref_year": row.ref_year,
            "lo": _v(row, row.lower),
            "hi": _v(row, row.upper),
        }
        if row.new_label == "steigend":
            return _(
                "%(year)s: %(new)s – über dem 95-%%-Intervall (%(lo)s bis %(hi)s) des bisherigen"
                " Werts %(old)s (%(ref_year)s).",
                **values,
            )
        return _(
            "%(year)s: %(new)s – unter dem 95-%%-Intervall (%(lo)s bis %(hi)s) des bisherigen"
            " Werts %(old)s (%(ref_year)s).",
            **values,
        )
    if row.kind == "trend":
        p = fmt_value(row.p, 3)
        if row.new_label == "steigend":
            return _(
                "Der Trend %(a)s–%(b)s ist jetzt signifikant steigend (p = %(p)s).",
                a=row.ref_year,
                b=row.year,
                p=p,
            )
        return _(
            "Der Trend %(a)s–%(b)s ist jetzt signifikant fallend (p = %(p)s).",
            a=row.ref_year,
            b=row.year,
            p=p,
        )
    if row.kind == "status":
        return _(
            "Statusklasse %(y)s: von „%(old)s“ zu „%(new)s“.",
            y=row.year,
            old=STATUS_LABELS.get(row.old_label or "", row.old_label),
            new=STATUS_LABELS.get(row.new_label or "", row.new_label),
        )
    if row.kind == "dynamik":
        return _(
            "Dynamikklasse %(a)s–%(b)s: von „%(old)s“ zu „%(new)s“.",
            a=row.ref_year,
            b=row.year,
            old=DYNAMICS_LABELS.get(row.old_label or "", row.old_label),
            new=DYNAMICS_LABELS.get(row.new_label or "", row.new_label),
        )
    return _("Erstmals amtliche Werte (bis %(y)s).", y=row.year)


def item(row: AlertRow) -> AlertItem:
    """One row with its texts and links."""
    if row.indicator_id is not None:
        ind_link = url_for("maps.karte", indikator=row.indicator_id, jahr=row.year)
    else:
        ind_link = url_for("sozialindex.index")
    name = indicator_name(row)
    return AlertItem(
        row=row,
        kind_label=str(KIND_LABELS[row.kind]),
        indicator=name,
        subject=f"{row.area_name} – {name}",
        text=sentence(row),
        area_link=area_url(row.ags),
        indicator_link=ind_link,
    )


def new_indicators(members: list[AlertItem]) -> AlertItem:
    """The 'neu' alerts of one publish as one: "N neue Kennzahlen" for the area they name."""
    first = members[0]
    n = len(members)
    return AlertItem(
        row=first.row,
        kind_label=ngettext("%(num)d neue Kennzahl", "%(num)d neue Kennzahlen", n),
        indicator="",
        subject=first.row.area_name,
        text=ngettext(
            "Erstmals amtliche Werte für %(num)d Kennzahl.",
            "Erstmals amtliche Werte für %(num)d Kennzahlen.",
            n,
        ),
        area_link=first.area_link,
        indicator_link=None,
        members=tuple(members),
    )


def grouped(items: list[AlertItem]) -> list[AlertItem]:
    """One publish's items with its 'neu' alerts (two or more) as one, where the first stood."""
    new = [it for it in items if it.row.kind == "neu"]
    if len(new) < 2:
        return items
    out: list[AlertItem] = []
    for it in items:
        if it.row.kind != "neu":
            out.append(it)
        elif it is new[0]:
            out.append(new_indicators(new))
    return out


def by_publish(rows: list[AlertRow]) -> list[AlertDay]:
    """Alerts grouped by their publish (newest first, as the rows come); a publish's new
    indicators are one alert."""
    days: list[AlertDay] = []
    for r in rows:
        if not days or days[-1].release_label != r.release_label:
            days.append(AlertDay(r.published_at, r.release_label, []))
        days[-1].items.append(item(r))
    return [AlertDay(d.published_at, d.release_label, grouped(d.items)) for d in days]


# Alerts per page of /was-ist-neu and per page of its feeds (RFC 5005 paged feeds).
PAGE_SIZE = 500


@dataclass(frozen=True)
class AlertPage:
    """One page of the alerts (newest first) and where it lies in the whole list."""

    rows: list[AlertRow]
    total: int
    page: int  # 1-based
    pages: int  # at least 1 (an empty list is one empty page)


def page_rows(
    ags: str | None, indicator_id: str | None, page: int = 1, size: int | None = None
) -> AlertPage:
    """The alerts the page (or a feed) lists on page `page`: of one Kommune and/or indicator
    if named. A page beyond the last one has no rows (the view answers 404)."""
    size = size or PAGE_SIZE
    rows, total = page_slice(ags, indicator_id, (page - 1) * size, size)
    return AlertPage(rows, total, page, max(1, -(-total // size)))


def page_slice(
    ags: str | None, indicator_id: str | None, offset: int, limit: int
) -> tuple[list[AlertRow], int]:
    """`limit` alerts from `offset` on (the API's paging) and how many there are in all."""
    conn = get_conn()
    return alerts(conn, ags, indicator_id, limit, offset=offset), count(conn, ags, indicator_id)


def feed(
    rows: list[AlertRow],
    title: str,
    self_path: str,
    page_path: str,
    links: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """An Atom feed of alerts; each entry links to the page's entry. links: (rel, path) of the
    feed's other pages (RFC 5005: first, previous, next, last)."""
    base = public_url()
    pub = publisher()
    updated = max((r.published_at for r in rows), default=datetime(2026, 1, 1, tzinfo=UTC))
    head = Feed(
        id=base + self_path,
        title=f"{pub} – {title}",
        updated=updated,
        self_url=base + self_path,
        page_url=base + page_path,
        author=pub,
        rights=_(
            "Werte: © %(o)s (%(l)s)", o=attribution.STATISTICAL_OFFICES, l=attribution.LICENCE
        ),
        lang=current_lang(),
        links=tuple((rel, base + path) for rel, path in links),
    )
    entries = []
    # The page's items: a publish's new indicators are one entry, as on the page.
    for it in (it for day in by_publish(rows) for it in day.items):
        r = it.row
        summary = it.text
        if it.members:
            summary += " " + ", ".join(f"{m.indicator} ({m.row.year})" for m in it.members)
        entries.append(
            Entry(
                url=f"{base}{url_for('alerts.index')}#alarm-{'neu-' if it.members else ''}{r.id}",
                title=f"{it.kind_label}: {it.subject}",
                published=r.published_at,
                updated=r.published_at,
                summary=summary,
                category=(r.kind, it.kind_label),
            )
        )
    return atom(head, entries)


def api_row(r: AlertRow) -> dict:
    """One alert for the API: every field of the row, the page's sentence in German and
    English, and the area's page."""
    with in_language("de"):
        text_de = sentence(r)
    with in_language("en"):
        text_en = sentence(r)
    return {
        **r.as_dict(),
        "published_at": r.published_at.isoformat(),
        "area_url": area_url(r.ags, _external=True),
        "text_de": text_de,
        "text_en": text_en,
    }
