"""Early-warning alerts: what a publish changed significantly, per area and indicator.

Written by `indicators.releases.publish` in the publish's own transaction (table `alert`,
migration 0017; a failed publish leaves none, withdrawing the release deletes them). Only the
home region's Kommunen and the Region, only real values (Beispieldaten describe nobody: a
synthetic release gets no alerts). "Before" is what the published releases without the release
show, "after" what they show with it — the rule itself (`shown_value_in`, migration 0014).
Kinds, each per area and indicator whose shown series the publish changed:

- 'intervall': a value the publish shows anew lies outside the 95 % interval (Wilson for
  shares, Byar for rates: `indicators.intervals.interval_of`) of the value shown before — the
  same year's old value for a revision, else the newest earlier year shown before; never
  across a series break, and not for values without counts (no interval is invented).
- 'trend': the trend of the last five years (`indicators.trends`, since the newest series
  break) is significant after the publish and was not (or pointed the other way) before.
- 'status' / 'dynamik': a Kommune's class of the Sozialindex changed from one class to
  another (only when the release holds an index indicator).
- 'neu': an indicator shows real values in the home region for the first time (one alert,
  for the Region); its series get no interval or trend alerts of their own.

Confirmed e-mail subscriptions matching an alert are queued (`alert_delivery`) in the same
transaction; `app/cli/alerts.py` sends the queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from indicators.breaks import Breaks, break_between, series_breaks
from indicators.intervals import interval_of
from indicators.social_index import SocialIndex
from indicators.social_index_queries import social_index
from indicators.social_index_store import current_definition
from indicators.trend_queries import series_trend


@dataclass(frozen=True)
class NewAlert:
    """One alert as computed at publish (the columns of table `alert` without id and date)."""

    kind: str
    ags: str
    indicator_id: str | None
    year: int | None = None
    ref_year: int | None = None
    old_value: float | None = None
    new_value: float | None = None
    lower: float | None = None
    upper: float | None = None
    old_label: str | None = None
    new_label: str | None = None
    p: float | None = None


# The real values of the home region's Kommunen and the Region for the indicators :held, as
# the releases :ids show them: one (indicator, area) range of the rule's indexes per pair.
SERIES_SQL = """
SELECT s.indicator_id, i.unit, s.ags, s.year, s.value, s.numerator, s.denominator, s.suppressed
FROM indicator i CROSS JOIN LATERAL (
  SELECT * FROM shown_value_in(CAST(:ids AS int[])) s
  WHERE s.indicator_id = i.id
    AND s.ags = ANY(ARRAY(SELECT ags FROM area WHERE level IN ('kommune', 'region')))
) s
WHERE i.id = ANY(:held) AND NOT s.synthetic
ORDER BY s.indicator_id, s.ags, s.year
"""

Series = dict[tuple[str, str], dict[int, Any]]


def _series(conn: Connection, ids: Sequence[int], held: Sequence[str]) -> Series:
    out: Series = {}
    for r in conn.execute(text(SERIES_SQL), {"ids": list(ids), "held": list(held)}):
        out.setdefault((r.indicator_id, r.ags), {})[r.year] = r
    return out


def _shown(r: Any) -> bool:
    return r is not None and r.value is not None and not r.suppressed


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return (a.value, a.numerator, a.denominator, a.suppressed) == (
        b.value,
        b.numerator,
        b.denominator,
        b.suppressed,
    )


def interval_alerts(
    ind: str, ags: str, before: dict[int, Any], after: dict[int, Any], own: Breaks
) -> list[NewAlert]:
    """Values shown anew outside the interval of the value shown before (module docstring)."""
    out = []
    for year, new in sorted(after.items()):
        if not _shown(new) or _same(before.get(year), new):
            continue
        if _shown(before.get(year)):
            ref_year = year
        else:
            earlier = [y for y, r in before.items() if y < year and _shown(r)]
            if not earlier:
                continue
            ref_year = max(earlier)
            if break_between(ref_year, year, own) is not None:
                continue
        ref = before[ref_year]
        ci, _reason = interval_of(ref.numerator, ref.denominator, new.unit)
        if ci is None or ci.lower <= new.value <= ci.upper:
            continue
        out.append(
            NewAlert(
                "intervall",
                ags,
                ind,
                year=year,
                ref_year=ref_year,
                old_value=ref.value,
                new_value=new.value,
                lower=ci.lower,
                upper=ci.upper,
                new_label="steigend" if new.value > ci.upper else "fallend",
            )
        )
    return out


def trend_alert(
    ind: str, ags: str, before: dict[int, Any], after: dict[int, Any], own: Breaks
) -> NewAlert | None:
    """A trend that is significant after the publish and was not, or the other way, before."""
    rows_after = [r for _, r in sorted(after.items()) if _shown(r)]
    rows_before = [r for _, r in sorted(before.items()) if _shown(r)]
    if not rows_after or not rows_before:
        return None
    t1 = series_trend(rows_after, own)
    if not t1.significant:
        return None
    t0 = series_trend(rows_before, own)
    if t0.significant and t0.direction == t1.direction:
        return None
    return NewAlert(
        "trend",
        ags,
        ind,
        year=t1.years[-1],
        ref_year=t1.years[0],
        old_label=t0.direction if t0.significant else None,
        new_label=t1.direction,
        p=t1.p,
    )


def class_alerts(before: SocialIndex, after: SocialIndex) -> list[NewAlert]:
    """Kommunen whose status or dynamics class of the Sozialindex changed."""
    old = {a.ags: a for a in before.areas}
    out = []
    for a in after.areas:
        b = old.get(a.ags)
        if b is None:
            continue
        d = after.definition
        for kind, c0, c1, year in (
            ("status", b.status_class, a.status_class, d.status_year),
            ("dynamik", b.dynamics_class, a.dynamics_class, d.dynamics_to),
        ):
            if c0 is not None and c1 is not None and c0 != c1:
                ref = d.dynamics_from if kind == "dynamik" else None
                out.append(NewAlert(kind, a.ags, None, year, ref, old_label=c0, new_label=c1))
    return out


def compute(
    conn: Connection, before_ids: Sequence[int], after_ids: Sequence[int], held: Sequence[str]
) -> list[NewAlert]:
    """The alerts of a publish: the releases shown without (before) and with it (after), the
    indicators it holds."""
    before, after = _series(conn, before_ids, held), _series(conn, after_ids, held)
    breaks = series_breaks(conn, held)
    region = conn.scalar(text("SELECT ags FROM area WHERE level = 'region' LIMIT 1"))
    had = {ind for (ind, _a), s in before.items() if any(_shown(r) for r in s.values())}
    out: list[NewAlert] = []
    new_inds: dict[str, int] = {}
    for (ind, ags), s1 in after.items():
        shown_years = [y for y, r in s1.items() if _shown(r)]
        if ind not in had:
            if shown_years:
                new_inds[ind] = max(new_inds.get(ind, 0), *shown_years)
            continue
        s0 = before.get((ind, ags), {})
        if all(_same(s0.get(y), r) for y, r in s1.items()) and set(s0) <= set(s1):
            continue  # this series is as it was
        own = breaks.get(ind, ())
        out += interval_alerts(ind, ags, s0, s1, own)
        if (t := trend_alert(ind, ags, s0, s1, own)) is not None:
            out.append(t)
    if region is not None:
        out += [NewAlert("neu", region, ind, year=y) for ind, y in sorted(new_inds.items())]
    definition = current_definition(conn, after_ids).definition
    if set(definition.indicator_ids) & set(held):
        index_breaks = series_breaks(conn, definition.indicator_ids)
        crossed = [
            i
            for i in definition.indicator_ids
            if break_between(
                definition.dynamics_from, definition.dynamics_to, index_breaks.get(i, ())
            )
        ]
        out += class_alerts(
            social_index(conn, definition, crossed, before_ids),
            social_index(conn, definition, crossed, after_ids),
        )
    return out


COLUMNS = (
    "kind",
    "ags",
    "indicator_id",
    "year",
    "ref_year",
    "old_value",
    "new_value",
    "lower",
    "upper",
    "old_label",
    "new_label",
    "p",
)


def record(
    conn: Connection,
    release_id: int,
    published_at: datetime,
    before_ids: Sequence[int],
    after_ids: Sequence[int],
    held: Sequence[str],
) -> int:
    """Compute and store a publish's alerts and queue them for the confirmed subscriptions
    (in the caller's transaction); returns how many alerts."""
    found = compute(conn, before_ids, after_ids, held)
    if found:
        conn.execute(
            text(
                f"INSERT INTO alert (release_id, published_at, {', '.join(COLUMNS)})"
                f" VALUES (:r, :at, {', '.join(':' + c for c in COLUMNS)})"
            ),
            [
                {"r": release_id, "at": published_at, **{c: getattr(a, c) for c in COLUMNS}}
                for a in found
            ],
        )
        conn.execute(
            text(
                "INSERT INTO alert_delivery (subscription_id, alert_id)"
                " SELECT s.id, a.id FROM alert a JOIN alert_subscription s"
                "  ON s.confirmed_at IS NOT NULL AND (s.ags IS NULL OR s.ags = a.ags)"
                "  AND (s.indicator_id IS NULL OR s.indicator_id = a.indicator_id)"
                " WHERE a.release_id = :r ON CONFLICT DO NOTHING"
            ),
            {"r": release_id},
        )
    return len(found)


def forget(conn: Connection, release_id: int) -> int:
    """Delete a withdrawn release's alerts (and their queued e-mails)."""
    return conn.execute(text("DELETE FROM alert WHERE release_id = :r"), {"r": release_id}).rowcount
