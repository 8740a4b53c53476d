"""Release life cycle: draft → published (with small-number protection) → withdrawn; diffs.

Which value a cell (indicator, area, year) shows is decided in one place, the SQL of migration
0014: `visible_value_in(ids)` (real values; synthetic ones only in demo mode and only for an
indicator without a real release among `ids`) and `shown_value_in(ids)` (per cell the visible
value of the highest `release_precedence`: real before synthetic, the newest publication — a
draft counts as newest —, the highest id); NULL stands for the published releases (views
`visible_value`, `shown_value`). This module asks those functions rather than saying the rule
again: what publishing a release changes compares `shown_value_in` of the published releases
without it and with it; rollback names the releases `shown_value_in` shows after it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from indicators import alerts
from indicators.errors import Conflict, NotFound
from indicators.loaders import upsert_indicators
from indicators.model import AreaValue, Release
from indicators.precomputed import refresh
from indicators.queries import DEMO_ON, get_release, values_for_year
from indicators.text import _, defuse

QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout
WITHHELD = (
    "geheim"  # same word as app.render.formatting.WITHHELD (indicators/ must not import app/)
)
RELEASE_COLUMNS = (
    "r.id, r.label, r.status, r.published_at, r.created_at, r.note, r.synthetic,"
    " r.created_by, r.published_by, r.withdrawn_at"
)


class ReleaseError(Conflict):
    """A release operation that was refused; the message says why."""


class UnknownRelease(NotFound, ReleaseError):
    """A release operation on a release that does not exist (or none published to withdraw)."""


def by_label(conn: Connection, label: str) -> dict[str, Any] | None:
    """One release by its label, or None."""
    row = conn.execute(
        text(f"SELECT {RELEASE_COLUMNS} FROM release r WHERE r.label = :l"), {"l": label}
    ).first()
    return dict(row._mapping) if row else None


def visible_release(conn: Connection, release_id: int, editor: bool) -> Release | None:
    """The release if this user may see it: drafts only for editors (others get None → 404)."""
    release = get_release(conn, release_id)
    if release is None or (release.status == "draft" and not editor):
        return None
    return release


def releases_overview(conn: Connection) -> list[dict[str, Any]]:
    """Every release (drafts too) with its number of indicators, values and withheld values."""
    # Per release, not one GROUP BY over every value of the database (that sorted all of them
    # on disk: 12 s for 2.2 million values, the editors' start page, issue #26): a count over
    # its partition and a skip scan over the (release, indicator, …) key for the indicators.
    rows = conn.execute(
        text(
            f"SELECT {RELEASE_COLUMNS}, s.n_values, s.n_suppressed, (WITH RECURSIVE i AS ("
            "  SELECT min(indicator_id) AS id FROM value WHERE release_id = r.id"
            "  UNION ALL SELECT (SELECT min(indicator_id) FROM value"
            "   WHERE release_id = r.id AND indicator_id > i.id) FROM i WHERE i.id IS NOT NULL)"
            " SELECT count(id) FROM i) AS n_indicators"
            " FROM release r LEFT JOIN LATERAL (SELECT count(*) AS n_values,"
            "  count(*) FILTER (WHERE v.suppressed) AS n_suppressed"
            "  FROM value v WHERE v.release_id = r.id) s ON true"
            " ORDER BY r.status = 'draft' DESC, r.published_at DESC NULLS FIRST, r.id DESC"
        )
    )
    return [dict(r._mapping) for r in rows]


# Small-number protection. Primary: a value whose numerator is below the threshold is withheld.
# Secondary: the Region total (03241) is published, and for most indicators it is the sum of
# the 21 Kommunen (numerators add up). If exactly one Kommune of an indicator/year were withheld,
# its numerator would be "Region minus the 20 others" — so the Kommune with the next-smallest
# numerator is withheld too; with two withheld only their sum can be derived. Values already
# withheld (a re-published release) count as primary.
SUPPRESSION_SQL = """
WITH v AS (
  SELECT v.indicator_id, v.ags, v.year, v.numerator, v.value, a.level,
         (v.suppressed OR coalesce(v.numerator < :t, false)) AS primary_
  FROM value v JOIN area a ON a.ags = v.ags WHERE v.release_id = :r
), lonely AS (
  SELECT indicator_id, year FROM v WHERE level = 'kommune'
  GROUP BY indicator_id, year HAVING count(*) FILTER (WHERE primary_) = 1
), secondary AS (
  SELECT DISTINCT ON (v.indicator_id, v.year) v.indicator_id, v.ags, v.year
  FROM v JOIN lonely USING (indicator_id, year)
  WHERE v.level = 'kommune' AND NOT v.primary_
  ORDER BY v.indicator_id, v.year, v.numerator NULLS LAST, v.value NULLS LAST, v.ags
)
SELECT indicator_id, ags, year, 'primär' AS reason FROM v WHERE primary_
UNION ALL SELECT indicator_id, ags, year, 'sekundär' FROM secondary
"""


def suppression_plan(conn: Connection, release_id: int, threshold: int) -> list[dict[str, Any]]:
    """Values that publish would withhold (primary and secondary), for the draft preview."""
    rows = conn.execute(
        text(
            f"SELECT s.*, a.name FROM ({SUPPRESSION_SQL}) s JOIN area a USING (ags)"
            " ORDER BY s.indicator_id, s.year, s.ags"
        ),
        {"r": release_id, "t": threshold},
    )
    return [dict(r._mapping) for r in rows]


def apply_suppression(conn: Connection, release_id: int, threshold: int) -> int:
    """Withhold per the plan: suppressed = true, value and numerator NULL (nothing recoverable)."""
    result = conn.execute(
        text(
            "UPDATE value t SET suppressed = true, value = NULL, numerator = NULL"
            f" FROM ({SUPPRESSION_SQL}) s WHERE t.release_id = :r"
            " AND t.indicator_id = s.indicator_id AND t.ags = s.ags AND t.year = s.year"
        ),
        {"r": release_id, "t": threshold},
    )
    return result.rowcount


def _locked(conn: Connection, label: str) -> dict[str, Any]:
    """The release row locked for this transaction (a second publish/rollback waits)."""
    row = conn.execute(
        text(f"SELECT {RELEASE_COLUMNS}, r.catalogue FROM release r WHERE r.label = :l FOR UPDATE"),
        {"l": label},
    ).first()
    if row is None:
        raise UnknownRelease("release", _("Release „%(l)s“ gibt es nicht.", l=label))
    return dict(row._mapping)


def _planner_statistics(conn: Connection) -> None:
    # The release table is tiny and changes by a row or two: autovacuum never re-analyses it,
    # and with stale statistics ("1 published release") the planner joined every shown value
    # to each release in turn (4× the work for a Germany-wide map). Part of the transaction.
    # Through the owner's definer function: the web app's role owns no table (migration 0013).
    conn.execute(text("SELECT sozmon_analyze('release')"))


# The indicators release :r holds. A skip scan over the (release, indicator, …) key: one probe
# per indicator, not a DISTINCT over every value (a release of all Gemeinden holds millions).
HELD_INDICATORS = (
    "WITH RECURSIVE i AS ("
    " SELECT min(indicator_id) AS id FROM value WHERE release_id = :r"
    " UNION ALL SELECT (SELECT min(indicator_id) FROM value"
    "  WHERE release_id = :r AND indicator_id > i.id) FROM i WHERE i.id IS NOT NULL)"
    " SELECT id FROM i WHERE id IS NOT NULL"
)


def note_indicators(conn: Connection, release_id: int) -> None:
    """Record which indicators a release holds in release_source (rows the loaders wrote with
    their sources stay as they are). The rule reads it (function real_indicator_in, migration
    0014): an indicator with a real release among those looked at shows no synthetic value —
    for a draft too, in the prediction of what publishing it changes."""
    conn.execute(
        text(
            f"INSERT INTO release_source (release_id, indicator_id) SELECT :r, id"
            f" FROM ({HELD_INDICATORS}) i ON CONFLICT DO NOTHING"
        ),
        {"r": release_id},
    )


def held_indicators(conn: Connection, release_id: int) -> list[str]:
    """The indicators a release holds (release_source: note_indicators made it complete)."""
    return list(
        conn.scalars(
            text("SELECT indicator_id FROM release_source WHERE release_id = :r ORDER BY 1"),
            {"r": release_id},
        )
    )


def published_ids(
    conn: Connection, without: int | None = None, plus: int | None = None
) -> list[int]:
    """The ids of the published releases, without one or plus one (a draft counted as published
    newest: release_precedence ranks a release never published above every published one)."""
    return list(
        conn.scalars(
            text(
                "SELECT id FROM release WHERE (status = 'published' AND id IS DISTINCT FROM :w)"
                " OR id = :p ORDER BY id"
            ),
            {"w": without, "p": plus},
        )
    )


def publish(conn: Connection, label: str, threshold: int, by: str | None = None) -> dict[str, Any]:
    """Publish a draft (or re-publish a withdrawn release) in the caller's one transaction."""
    before = _take_turn(conn)
    rel = _locked(conn, label)
    if rel["status"] == "published":
        raise ReleaseError("release", _("Release „%(l)s“ ist bereits veröffentlicht.", l=label))
    # Small-number protection keeps real persons from being identified; synthetic numbers
    # (Beispieldaten) describe nobody, so they are published as generated.
    withheld = 0 if rel["synthetic"] else apply_suppression(conn, rel["id"], threshold)
    if rel["catalogue"]:  # the catalogue changes that came with the draft go live now
        upsert_indicators(conn, rel["catalogue"], partial=True)
    note_indicators(conn, rel["id"])
    published_at = conn.scalar(
        text(
            "UPDATE release SET status = 'published', published_at = now(), published_by = :by,"
            " withdrawn_at = NULL WHERE id = :id RETURNING published_at"
        ),
        {"id": rel["id"], "by": by},
    )
    _planner_statistics(conn)
    # A release loaded and published in one go (load-all, load-inkar, load-genesis without
    # --draft) was never ANALYZEd: its partition had no column statistics until autovacuum
    # came, and with INKAR's 1.5 M rows unanalysed an area profile planned a 1.5 s join
    # instead of 0.1 s. The refresh below and the first visitors plan with them now.
    analyze_release(conn, rel["id"])
    # The figures kept per data version follow in this transaction (issue #32).
    kept = refresh(conn, held_indicators(conn, rel["id"]), rel["id"])
    # What changed significantly, as a dated list in this transaction (issue #31).
    n_alerts = 0
    if not rel["synthetic"]:
        n_alerts = alerts.record(
            conn,
            rel["id"],
            published_at,
            published_ids(conn, without=rel["id"]),
            published_ids(conn),
            list(conn.scalars(text(HELD_INDICATORS), {"r": rel["id"]})),
        )
    # Every other draft's "before" has changed: their stored summaries follow in this transaction.
    refresh_draft_changes(conn, rel["id"], before, "publish")
    return {
        "id": rel["id"],
        "label": label,
        "withheld": withheld,
        "catalogue": len(rel["catalogue"] or []),
        "alerts": n_alerts,
        "precomputed": kept,
    }


def rollback(conn: Connection, label: str | None = None, force: bool = False) -> dict[str, Any]:
    """Withdraw the newest published release (or the named one): the previous one is current.

    Refused when an indicator of it that shows values now would show none, unless force.
    `now_current`: the releases whose values its indicators show after the withdrawal.
    """
    before = _take_turn(conn)
    if label is None:
        label = conn.scalar(
            text(
                "SELECT label FROM release WHERE status = 'published'"
                " ORDER BY published_at DESC, id DESC LIMIT 1"
            )
        )
        if label is None:
            raise UnknownRelease("release", _("Es gibt keinen veröffentlichten Release."))
    rel = _locked(conn, label)
    if rel["status"] != "published":
        raise ReleaseError(
            "release",
            _("Release „%(l)s“ ist nicht veröffentlicht (Status %(s)s).", l=label, s=rel["status"]),
        )
    after, uncovered = shown_after_withdrawal(conn, rel["id"])
    if uncovered and not force:
        raise ReleaseError(
            "release",
            _(
                "Nach dem Zurückziehen von „%(l)s“ hätten %(n)s Indikatoren keinen veröffentlichten"
                " Datenstand mehr (z. B. %(ids)s). Mit --force trotzdem zurückziehen.",
                l=label,
                n=len(uncovered),
                ids=", ".join(uncovered[:5]),
            ),
            uncovered,
        )
    conn.execute(
        text("UPDATE release SET status = 'withdrawn', withdrawn_at = now() WHERE id = :id"),
        {"id": rel["id"]},
    )
    alerts.forget(conn, rel["id"])  # what it changed is no longer so
    _planner_statistics(conn)
    kept = refresh(
        conn, held_indicators(conn, rel["id"]), rel["id"]
    )  # in step, in this transaction
    refresh_draft_changes(conn, rel["id"], before, "withdraw")
    now_current = sorted({x for labels in after.values() for x in labels})
    return {
        "withdrawn": label,
        "now_current": now_current,
        "uncovered": uncovered,
        "precomputed": kept,
    }


# Per indicator of a release, the releases whose values it shows once that release is
# withdrawn: the rule itself (shown_value_in) over the published releases without it, one
# indicator at a time through the (indicator, year) indexes; and whether it shows any value now
# (visible_value: every visible value is shown somewhere).
AFTER_WITHDRAWAL_SQL = f"""
SELECT i.id AS indicator_id, ARRAY(
  SELECT DISTINCT s.release_label FROM shown_value_in(CAST(:rest AS int[])) s
  WHERE s.indicator_id = i.id ORDER BY 1) AS labels,
  EXISTS (SELECT 1 FROM visible_value v WHERE v.indicator_id = i.id) AS shown_now
FROM ({HELD_INDICATORS}) i ORDER BY i.id
"""


def shown_after_withdrawal(
    conn: Connection, release_id: int
) -> tuple[dict[str, list[str]], list[str]]:
    """For every indicator the release holds: the labels of the releases its shown values come
    from once `release_id` is withdrawn; and the indicators that show values now and none then
    (in the connection's demo mode: outside it Beispieldaten do not count)."""
    rest = published_ids(conn, without=release_id)
    rows = conn.execute(text(AFTER_WITHDRAWAL_SQL), {"r": release_id, "rest": rest}).all()
    after = {r.indicator_id: list(r.labels) for r in rows}
    return after, [r.indicator_id for r in rows if r.shown_now and not r.labels]


def discard_draft(conn: Connection, label: str) -> int:
    """Delete a draft and its values (published and withdrawn releases are never deleted)."""
    rel = _locked(conn, label)
    if rel["status"] != "draft":
        raise ReleaseError(
            "release",
            _("Nur Entwürfe können verworfen werden; „%(l)s“ ist %(s)s.", l=label, s=rel["status"]),
        )
    n = conn.execute(text("DELETE FROM value WHERE release_id = :id"), {"id": rel["id"]}).rowcount
    conn.execute(text("DELETE FROM release WHERE id = :id"), {"id": rel["id"]})
    return n


DIFF_SQL = """
SELECT d.indicator_id, i.name_de AS indicator_name, i.unit, i.decimals, d.ags,
       ar.name AS area_name, d.year,
       CASE WHEN d.a_in IS NULL THEN 'neu' WHEN d.b_in IS NULL THEN 'entfallen'
            ELSE 'geändert' END AS change,
       d.a_value AS old_value, d.a_suppressed AS old_suppressed,
       d.b_value AS new_value, d.b_suppressed AS new_suppressed
FROM (
  SELECT indicator_id, ags, year, a.value AS a_value, a.suppressed AS a_suppressed,
         b.value AS b_value, b.suppressed AS b_suppressed,
         a.release_id AS a_in, b.release_id AS b_in,
         a.numerator AS a_num, b.numerator AS b_num, a.denominator AS a_den, b.denominator AS b_den
  FROM (SELECT * FROM value WHERE release_id = :a) a
  FULL JOIN (SELECT * FROM value WHERE release_id = :b) b USING (indicator_id, ags, year)
) d
JOIN indicator i ON i.id = d.indicator_id JOIN area ar ON ar.ags = d.ags
WHERE d.a_in IS NULL OR d.b_in IS NULL OR d.a_value IS DISTINCT FROM d.b_value
   OR d.a_suppressed IS DISTINCT FROM d.b_suppressed OR d.a_num IS DISTINCT FROM d.b_num
   OR d.a_den IS DISTINCT FROM d.b_den
ORDER BY i.sort, d.indicator_id, d.ags, d.year
"""


# What a release changes on the pages: the values shown by the published releases without it
# (:without) against those shown with it (:with; a draft counted as published newest), both by
# the rule itself (function shown_value_in, migration 0014: real first, demo mode, precedence).
# Cells looked at: every cell the release holds, and — because "real first" looks at whole
# indicators — every cell shown with or without it of an indicator that has a real release in
# only one of the two sets (a real draft of an indicator shown with Beispieldaten hides all of
# them, also where it holds no value). Cells where both agree are left out.
# One lookup per cell, each pushed into the rule's (indicator, area, year) ranges of the
# indexes of each partition: the work grows with the release, not with the database, and needs
# no statistics of a draft loaded a moment ago. (A first version ranked every published value
# of those cells with window functions: minutes for a draft of 30,000 values, issue #26.)
# Kinds: 'neu' (nothing was shown), 'geändert' (another value), 'entfallen' (nothing is shown
# any more: synthetic values giving way to real ones), 'verdeckt' (the release holds the cell
# but its value is not shown: an older, a synthetic beside real, or outside demo mode).
CHANGES_CORE = """
WITH d AS (
  SELECT indicator_id, ags, year, true AS own FROM value WHERE release_id = :b
  UNION ALL
  SELECT s.indicator_id, s.ags, s.year, false AS own
  FROM ((SELECT indicator_id FROM real_indicator_in(CAST(:with AS int[]))
         EXCEPT SELECT indicator_id FROM real_indicator_in(CAST(:without AS int[])))
        UNION (SELECT indicator_id FROM real_indicator_in(CAST(:without AS int[]))
         EXCEPT SELECT indicator_id FROM real_indicator_in(CAST(:with AS int[])))) f
  CROSS JOIN LATERAL (
    SELECT w.indicator_id, w.ags, w.year FROM shown_value_in(CAST(:without AS int[])) w
    WHERE w.indicator_id = f.indicator_id
    UNION
    SELECT w.indicator_id, w.ags, w.year FROM shown_value_in(CAST(:with AS int[])) w
    WHERE w.indicator_id = f.indicator_id
  ) s
  WHERE NOT EXISTS (SELECT 1 FROM value x WHERE x.release_id = :b
    AND x.indicator_id = s.indicator_id AND x.ags = s.ags AND x.year = s.year)
), held AS MATERIALIZED (
  -- The indicators of these cells that a release of :without holds at all: one probe of the
  -- (release, indicator, …) key per indicator. A cell of any other indicator (one new to the
  -- catalogue) has no value "before", so its lookup below is skipped (a one-time filter):
  -- an upload of new indicators paid two lookups per cell, now one.
  SELECT coalesce(array_agg(i.indicator_id), '{}') AS ids
  FROM (SELECT DISTINCT indicator_id FROM d) i
  WHERE EXISTS (SELECT 1 FROM value v WHERE v.release_id = ANY(CAST(:without AS int[]))
    AND v.indicator_id = i.indicator_id)
), x AS (
  SELECT d.indicator_id, d.ags, d.year, d.own,
         o.release_id AS o_id, o.value AS old_value, o.suppressed AS old_suppressed,
         o.release_label AS old_release,
         n.release_id AS n_id, n.value AS new_value, n.suppressed AS new_suppressed,
         n.release_label AS new_release
  FROM d
  LEFT JOIN LATERAL (
    SELECT * FROM shown_value_in(CAST(:without AS int[])) s
    WHERE s.indicator_id = d.indicator_id AND s.ags = d.ags AND s.year = d.year
      AND d.indicator_id = ANY(CAST((SELECT ids FROM held) AS text[])) LIMIT 1
  ) o ON true
  LEFT JOIN LATERAL (
    SELECT * FROM shown_value_in(CAST(:with AS int[])) s
    WHERE s.indicator_id = d.indicator_id AND s.ags = d.ags AND s.year = d.year LIMIT 1
  ) n ON true
), c AS (
  SELECT indicator_id, ags, year,
         CASE WHEN own AND n_id IS DISTINCT FROM :b THEN 'verdeckt'
              WHEN o_id IS NULL THEN 'neu' WHEN n_id IS NULL THEN 'entfallen'
              ELSE 'geändert' END AS change,
         old_value, old_suppressed, old_release, new_value, new_suppressed, new_release
  FROM x
  WHERE (own AND n_id IS DISTINCT FROM :b) OR (o_id IS NULL) <> (n_id IS NULL)
     OR old_value IS DISTINCT FROM new_value OR old_suppressed IS DISTINCT FROM new_suppressed
)
"""
CHANGE_KINDS = ("geändert", "neu", "verdeckt", "entfallen")
# Each kind's count: a column of CHANGES_SQL and of table release_changes.
COUNT_COLUMNS = {
    "geändert": "n_changed",
    "neu": "n_new",
    "verdeckt": "n_hidden",
    "entfallen": "n_removed",
}
CHANGES_SQL = (
    CHANGES_CORE
    + """
SELECT c.*, i.name_de AS indicator_name, i.unit, i.decimals, ar.name AS area_name,
       count(*) FILTER (WHERE c.change = 'geändert') OVER () AS n_changed,
       count(*) FILTER (WHERE c.change = 'neu') OVER () AS n_new,
       count(*) FILTER (WHERE c.change = 'verdeckt') OVER () AS n_hidden,
       count(*) FILTER (WHERE c.change = 'entfallen') OVER () AS n_removed
FROM c JOIN indicator i ON i.id = c.indicator_id JOIN area ar ON ar.ags = c.ags
ORDER BY i.sort, c.indicator_id, c.ags, c.year
"""
)
# The rows a stored summary keeps (the page shows this many; `sozmon diff L` lists all).
SUMMARY_ROWS = 200
ROW_KEYS = (
    "indicator_id",
    "ags",
    "year",
    "change",
    "old_value",
    "old_suppressed",
    "old_release",
    "new_value",
    "new_suppressed",
    "new_release",
)
# Which releases are published, and since when, whether the connection is in demo mode, and
# the release's own status: every "before" (and a draft's "after") of a summary follows from
# the first two (the rule, migration 0014); its own values change only when it is published
# (small-number protection). A stored summary with another basis is stale.
PUBLISHED_SQL = (
    "(SELECT md5(coalesce(string_agg(id || '@' || extract(epoch FROM published_at), ','"
    f" ORDER BY id), '')) || CASE WHEN {DEMO_ON} THEN '+demo' ELSE '' END"
    " FROM release WHERE status = 'published')"
)
OWN_SQL = (
    "(SELECT status || '@' || coalesce(extract(epoch FROM published_at)::text, '')"
    " FROM release WHERE id = :r)"
)
BASIS_SQL = f"({PUBLISHED_SQL} || ';' || {OWN_SQL})"
# Publishes and withdrawals take turns (transaction-level advisory lock), so each one brings the
# stored summaries up to date from the state the previous one committed.
PUBLISH_LOCK = 26_0010


def _with_delta(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        old, new = r["old_value"], r["new_value"]
        r["delta"] = new - old if old is not None and new is not None else None
    return rows


def changes(conn: Connection, release_id: int, limit: int | None = None) -> dict[str, Any]:
    """What publishing a release changes on the pages: values new, changed, gone (synthetic
    values giving way to real ones) and the release's own values that are not shown (hidden).

    counts over every changed cell; rows in catalogue order, the first `limit` (all if None).
    Computed in the connection's demo mode. A draft's values count as they are: small-number
    protection withholds some of them only when it is published.
    """
    sql = CHANGES_SQL + (" LIMIT :limit" if limit is not None else "")
    params = {
        "b": release_id,
        "without": published_ids(conn, without=release_id),
        "with": published_ids(conn, plus=release_id),
        "limit": limit,
    }
    result = conn.execute(text(sql), params).mappings().all()
    first = result[0] if result else {}
    counts = {kind: first.get(column, 0) for kind, column in COUNT_COLUMNS.items()}
    rows = [{k: v for k, v in r.items() if k not in COUNT_COLUMNS.values()} for r in result]
    return {"release": get_release(conn, release_id), "rows": _with_delta(rows), "counts": counts}


def store_changes(conn: Connection, release_id: int, cause: str) -> dict[str, Any]:
    """Compute a release's change summary and keep it (table release_changes, migration 0010).

    cause says why it was computed ('load', 'publish', 'withdraw', 'view', 'cli'); the page
    shows it with the time. The basis is read first: a publish that commits in between leaves
    the stored summary stale (recomputed), never wrong.
    """
    basis = conn.scalar(text(f"SELECT {BASIS_SQL}"), {"r": release_id})
    # The planner's cost of one lookup per cell grows with the release and would switch on JIT
    # compilation (~1 s of the page's budget) for a query that needs none (this transaction).
    conn.execute(text("SELECT set_config('jit', 'off', true)"))
    d = changes(conn, release_id, SUMMARY_ROWS)
    rows = [{k: r[k] for k in ROW_KEYS} for r in d["rows"]]
    columns = ", ".join(COUNT_COLUMNS.values())
    conn.execute(
        text(
            f"INSERT INTO release_changes (release_id, computed_at, cause, basis, {columns}, rows)"
            " VALUES (:r, clock_timestamp(), :cause, :basis, :n_changed, :n_new, :n_hidden,"
            " :n_removed, CAST(:rows AS jsonb))"
            " ON CONFLICT (release_id) DO UPDATE SET computed_at = excluded.computed_at,"
            " cause = excluded.cause, basis = excluded.basis, n_changed = excluded.n_changed,"
            " n_new = excluded.n_new, n_hidden = excluded.n_hidden,"
            " n_removed = excluded.n_removed, rows = excluded.rows"
        ),
        {
            "r": release_id,
            "cause": cause,
            "basis": basis,
            **{column: d["counts"][kind] for kind, column in COUNT_COLUMNS.items()},
            "rows": json.dumps(rows),
        },
    )
    return stored_changes(conn, release_id) or {}


def stored_changes(conn: Connection, release_id: int) -> dict[str, Any] | None:
    """The stored change summary (None if there is none) with `fresh`: still the right one?

    One statement reads the summary and compares its basis with the current one (one snapshot).
    Names, units and decimals come from the catalogue as it is now.
    """
    row = conn.execute(
        text(
            f"SELECT computed_at, cause, {', '.join(COUNT_COLUMNS.values())}, rows,"
            f" basis = {BASIS_SQL} AS fresh FROM release_changes WHERE release_id = :r"
        ),
        {"r": release_id},
    ).first()
    if row is None:
        return None
    rows = [dict(r) for r in row.rows]
    indicators = {
        r.id: r
        for r in conn.execute(
            text("SELECT id, name_de, unit, decimals FROM indicator WHERE id = ANY(:i)"),
            {"i": sorted({r["indicator_id"] for r in rows})},
        )
    }
    areas: dict[str, str] = dict(
        conn.execute(
            text("SELECT ags, name FROM area WHERE ags = ANY(:a)"),
            {"a": sorted({r["ags"] for r in rows})},
        ).all()
    )
    for r in rows:
        ind = indicators.get(r["indicator_id"])
        r["indicator_name"] = ind.name_de if ind else r["indicator_id"]
        r["unit"] = ind.unit if ind else ""
        r["decimals"] = ind.decimals if ind else 1
        r["area_name"] = areas.get(r["ags"], r["ags"])
    counts = {kind: getattr(row, column) for kind, column in COUNT_COLUMNS.items()}
    return {
        "computed_at": row.computed_at,
        "cause": row.cause,
        "fresh": row.fresh,
        "counts": counts,
        "rows": _with_delta(rows),
        "total": sum(counts.values()),
    }


def _take_turn(conn: Connection) -> str:
    """Wait for any other publish or withdrawal to commit; the published state before ours."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PUBLISH_LOCK})
    return str(conn.scalar(text(f"SELECT {PUBLISHED_SQL}")))


def refresh_draft_changes(conn: Connection, changed_id: int, before: str, cause: str) -> int:
    """Bring every draft's stored summary up to date after release `changed_id` was published
    or withdrawn (in that transaction; `before`: the published state it started from).

    Only the cells of that release's indicators can change (its own cells, and — real first
    looks at whole indicators — the others of an indicator it makes real or no longer real):
    a draft holding one of those indicators is recomputed; any other keeps its numbers under
    the new basis — if they were current before this change (else it is recomputed too).
    Returns how many were recomputed.
    """
    drafts = conn.scalars(
        text(
            "SELECT c.release_id FROM release_changes c JOIN release r ON r.id = c.release_id"
            " WHERE r.status = 'draft' ORDER BY c.release_id"
        )
    ).all()
    recomputed = 0
    for rid in drafts:
        # one probe of the (release, indicator, …) key per indicator of the draft
        shared = conn.scalar(
            text(
                f"SELECT EXISTS (SELECT 1 FROM ({HELD_INDICATORS}) i WHERE EXISTS"
                " (SELECT 1 FROM value p WHERE p.release_id = :p AND p.indicator_id = i.id))"
            ),
            {"r": rid, "p": changed_id},
        )
        kept = (
            not shared
            and conn.execute(
                text(
                    f"UPDATE release_changes SET basis = {BASIS_SQL}"
                    f" WHERE release_id = :r AND basis = :before || ';' || {OWN_SQL}"
                ),
                {"r": rid, "before": before},
            ).rowcount
        )
        if not kept:
            recomputed += _store_if_in_time(conn, rid, cause) is not None
    return recomputed


def _store_if_in_time(conn: Connection, release_id: int, cause: str) -> dict[str, Any] | None:
    """store_changes in a savepoint; None if it hit the statement timeout (a web request's):
    the load or publish goes on, and the summary is left missing or stale — the page says so
    and never shows it, `sozmon diff LABEL` computes it without a limit."""
    try:
        with conn.begin_nested():
            return store_changes(conn, release_id, cause)
    except OperationalError as err:
        if getattr(err.orig, "sqlstate", None) != QUERY_CANCELED:
            raise
    return None


def analyze_release(conn: Connection, release_id: int) -> str | None:
    """ANALYZE the partition of `value` that holds a release (its own, or the default one).

    A draft loaded a moment ago has no planner statistics (autovacuum comes later, and never
    to a transaction that has not committed); the draft's page and its publish plan with them.
    Runs in the caller's transaction: the statistics count the new rows and commit with them.
    """
    part: str | None = conn.scalar(
        text("SELECT tableoid::regclass::text FROM value WHERE release_id = :r LIMIT 1"),
        {"r": release_id},
    )
    if part is None or not re.fullmatch(r"value_(default|r\d+)", part):
        return None
    # The owner's ANALYZE (migration 0013): the web app's role owns no table, and PostgreSQL
    # skips a plain ANALYZE of a table one does not own with a mere warning.
    may = conn.scalar(
        text(
            "SELECT pg_has_role(c.relowner, 'USAGE') FROM pg_class c"
            " WHERE c.oid = CAST(:t AS regclass)"
        ),
        {"t": part},
    )
    if may:  # the owner (CLI loads): its own ANALYZE
        conn.execute(text(f"ANALYZE {part}"))
    elif conn.scalar(text("SELECT has_function_privilege('sozmon_analyze(regclass)', 'EXECUTE')")):
        conn.execute(text("SELECT sozmon_analyze(CAST(:t AS regclass))"), {"t": part})
    return part


def draft_written(conn: Connection, release_id: int) -> dict[str, Any] | None:
    """After a draft's values are written (one step for every writer of drafts): statistics,
    its indicators in release_source (the rule reads them), then its change summary, all in
    the caller's transaction."""
    analyze_release(conn, release_id)
    note_indicators(conn, release_id)
    return _store_if_in_time(conn, release_id, "load")


def diff(conn: Connection, a_id: int, b_id: int) -> dict[str, Any]:
    """Values changed, added or removed from release a to release b, with counts per kind."""
    rows = [dict(r._mapping) for r in conn.execute(text(DIFF_SQL), {"a": a_id, "b": b_id})]
    for r in rows:
        if r["old_suppressed"]:
            r["old_value"] = None  # stored NULL anyway after publish; never shown
        if r["new_suppressed"]:
            r["new_value"] = None
        old, new = r["old_value"], r["new_value"]
        r["delta"] = new - old if old is not None and new is not None else None
    counts = {k: sum(1 for r in rows if r["change"] == k) for k in ("geändert", "neu", "entfallen")}
    return {
        "a": get_release(conn, a_id),
        "b": get_release(conn, b_id),
        "rows": rows,
        "counts": counts,
    }


def cell_text(value: float | None, suppressed: bool | None) -> str:
    """A value for CSV: "geheim" when withheld, empty when missing."""
    if suppressed:
        return WITHHELD
    return "" if value is None else repr(round(value, 6))


def diff_csv(d: dict[str, Any]) -> str:
    """The diff as CSV (',' and decimal point, like the other downloads); withheld = geheim."""
    buf = io.StringIO()
    w = csv.writer(buf)
    # Synthetic values say so in every row (a download travels without the page around it).
    note = ["Beispieldaten (synthetisch)"] if d["a"].synthetic or d["b"].synthetic else []
    w.writerow(
        [
            "indicator",
            "indicator_name",
            "ags",
            "area",
            "year",
            "change",
            defuse(f"value_{d['a'].label}"),
            defuse(f"value_{d['b'].label}"),
            "difference",
        ]
        + (["hinweis"] if note else [])
    )
    for r in d["rows"]:
        w.writerow(
            [
                r["indicator_id"],
                defuse(r["indicator_name"]),
                r["ags"],
                defuse(r["area_name"]),
                r["year"],
                r["change"],
                cell_text(r["old_value"], r["old_suppressed"]),
                cell_text(r["new_value"], r["new_suppressed"]),
                "" if r["delta"] is None else repr(round(r["delta"], 6)),
            ]
            + note
        )
    return buf.getvalue()


def draft_preview(
    conn: Connection, release_id: int, threshold: int, indicator_id: str | None, year: int | None
) -> dict[str, Any]:
    """A release for the editors' preview: indicators with years, planned withholding, values."""
    indicators = [
        dict(r._mapping)
        for r in conn.execute(
            text(
                "SELECT v.indicator_id AS id, i.name_de, i.name_en, i.unit, i.decimals,"
                " min(v.year) AS first, max(v.year) AS last, count(*) AS n,"
                " count(*) FILTER (WHERE v.suppressed) AS n_suppressed"
                " FROM value v JOIN indicator i ON i.id = v.indicator_id"
                " WHERE v.release_id = :r GROUP BY v.indicator_id, i.id ORDER BY i.sort"
            ),
            {"r": release_id},
        )
    ]
    chosen = next((i for i in indicators if i["id"] == indicator_id), None)
    chosen = chosen or (indicators[0] if indicators else None)
    values: list[AreaValue] = []
    if chosen:
        year = year if year and chosen["first"] <= year <= chosen["last"] else chosen["last"]
        values = values_for_year(conn, chosen["id"], year, release_id, "region")
        values += values_for_year(conn, chosen["id"], year, release_id, "kommune")
    plan = suppression_plan(conn, release_id, threshold) if chosen else []
    others = [
        dict(r._mapping)
        for r in conn.execute(
            text(
                "SELECT id, label, status FROM release WHERE id <> :r"
                " ORDER BY published_at DESC NULLS LAST, id DESC"
            ),
            {"r": release_id},
        )
    ]
    return {
        "indicators": indicators,
        "indicator": chosen,
        "year": year,
        "values": values,
        "plan": plan,
        "others": others,
    }
