"""Release life cycle: draft → published (with small-number protection) → withdrawn; diffs."""

from __future__ import annotations

import csv
import io

from sqlalchemy import Connection, text

from indicators.errors import Conflict
from indicators.loaders import upsert_indicators
from indicators.queries import get_release, values_for_year
from indicators.text import _, defuse

WITHHELD = "geheim"  # same word as app.formatting.WITHHELD (indicators/ must not import app/)
RELEASE_COLUMNS = (
    "r.id, r.label, r.status, r.published_at, r.created_at, r.note, r.synthetic,"
    " r.created_by, r.published_by, r.withdrawn_at"
)


class ReleaseError(Conflict):
    """A release operation that was refused; the message says why."""


def by_label(conn: Connection, label: str) -> dict | None:
    """One release by its label, or None."""
    row = conn.execute(
        text(f"SELECT {RELEASE_COLUMNS} FROM release r WHERE r.label = :l"), {"l": label}
    ).first()
    return dict(row._mapping) if row else None


def visible_release(conn: Connection, release_id: int, editor: bool) -> dict | None:
    """The release if this user may see it: drafts only for editors (others get None → 404)."""
    release = get_release(conn, release_id)
    if release is None or (release["status"] == "draft" and not editor):
        return None
    return release


def releases_overview(conn: Connection) -> list[dict]:
    """Every release (drafts too) with its number of indicators, values and withheld values."""
    rows = conn.execute(
        text(
            f"SELECT {RELEASE_COLUMNS}, count(DISTINCT v.indicator_id) AS n_indicators,"
            " count(v.*) AS n_values, count(v.*) FILTER (WHERE v.suppressed) AS n_suppressed"
            " FROM release r LEFT JOIN value v ON v.release_id = r.id GROUP BY r.id"
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


def suppression_plan(conn: Connection, release_id: int, threshold: int) -> list[dict]:
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


def _locked(conn: Connection, label: str) -> dict:
    """The release row locked for this transaction (a second publish/rollback waits)."""
    row = conn.execute(
        text(f"SELECT {RELEASE_COLUMNS}, r.catalogue FROM release r WHERE r.label = :l FOR UPDATE"),
        {"l": label},
    ).first()
    if row is None:
        raise ReleaseError("release", _("Release „%(l)s“ gibt es nicht.", l=label), status=404)
    return dict(row._mapping)


def _planner_statistics(conn: Connection) -> None:
    # The release table is tiny and changes by a row or two: autovacuum never re-analyses it,
    # and with stale statistics ("1 published release") the planner joined every shown value
    # to each release in turn (4× the work for a Germany-wide map). Part of the transaction.
    # Through the owner's definer function: the web app's role owns no table (migration 0013).
    conn.execute(text("SELECT sozmon_analyze('release')"))


def publish(conn: Connection, label: str, threshold: int, by: str | None = None) -> dict:
    """Publish a draft (or re-publish a withdrawn release) in the caller's one transaction."""
    rel = _locked(conn, label)
    if rel["status"] == "published":
        raise ReleaseError("release", _("Release „%(l)s“ ist bereits veröffentlicht.", l=label))
    # Small-number protection keeps real persons from being identified; synthetic numbers
    # (Beispieldaten) describe nobody, so they are published as generated.
    withheld = 0 if rel["synthetic"] else apply_suppression(conn, rel["id"], threshold)
    if rel["catalogue"]:  # the catalogue changes that came with the draft go live now
        upsert_indicators(conn, rel["catalogue"], partial=True)
    # Which indicators the release holds (view real_indicator reads it: a synthetic value of
    # an indicator with real values is never shown, migration 0009).
    # A skip scan over the (indicator, year) index: one probe per indicator, not a DISTINCT
    # over every value (a release of all Gemeinden holds 14 million).
    conn.execute(
        text(
            "WITH RECURSIVE i AS ("
            " SELECT min(indicator_id) AS id FROM value WHERE release_id = :id"
            " UNION ALL SELECT (SELECT min(indicator_id) FROM value"
            "  WHERE release_id = :id AND indicator_id > i.id) FROM i WHERE i.id IS NOT NULL)"
            " INSERT INTO release_source (release_id, indicator_id)"
            " SELECT :id, id FROM i WHERE id IS NOT NULL ON CONFLICT DO NOTHING"
        ),
        {"id": rel["id"]},
    )
    conn.execute(
        text(
            "UPDATE release SET status = 'published', published_at = now(), published_by = :by,"
            " withdrawn_at = NULL WHERE id = :id"
        ),
        {"id": rel["id"], "by": by},
    )
    _planner_statistics(conn)
    return {
        "id": rel["id"],
        "label": label,
        "withheld": withheld,
        "catalogue": len(rel["catalogue"] or []),
    }


def rollback(conn: Connection, label: str | None = None, force: bool = False) -> dict:
    """Withdraw the newest published release (or the named one): the previous one is current.

    Refused when an indicator of it would be left without any published release, unless force.
    """
    if label is None:
        label = conn.scalar(
            text(
                "SELECT label FROM release WHERE status = 'published'"
                " ORDER BY published_at DESC, id DESC LIMIT 1"
            )
        )
        if label is None:
            raise ReleaseError("release", _("Es gibt keinen veröffentlichten Release."), status=404)
    rel = _locked(conn, label)
    if rel["status"] != "published":
        raise ReleaseError(
            "release",
            _("Release „%(l)s“ ist nicht veröffentlicht (Status %(s)s).", l=label, s=rel["status"]),
        )
    fallback = conn.execute(
        text(
            "SELECT i.indicator_id, (SELECT r.label FROM release r WHERE r.status = 'published'"
            "  AND r.id <> :id AND EXISTS (SELECT 1 FROM value v WHERE v.release_id = r.id"
            "  AND v.indicator_id = i.indicator_id) ORDER BY r.published_at DESC, r.id DESC"
            "  LIMIT 1) AS label"
            " FROM (SELECT DISTINCT indicator_id FROM value WHERE release_id = :id) i"
            " ORDER BY i.indicator_id"
        ),
        {"id": rel["id"]},
    ).all()
    uncovered = [r.indicator_id for r in fallback if r.label is None]
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
    _planner_statistics(conn)
    now_current = sorted({r.label for r in fallback if r.label})
    return {"withdrawn": label, "now_current": now_current, "uncovered": uncovered}


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


# What a release changes on the pages: for every cell it holds, the value shown without it and
# the value shown with it (the layered rule of view shown_value, the release counted as newest
# if it is still a draft). Cells where both are the same are left out.
CHANGES_SQL = """
WITH ranked AS (
  SELECT v.*, (v.release_id = :b) AS is_b,
         row_number() OVER (PARTITION BY v.indicator_id, v.ags, v.year ORDER BY v.synthetic,
           coalesce(v.published_at, 'infinity') DESC, v.release_id DESC) AS n_with,
         row_number() OVER (PARTITION BY v.indicator_id, v.ags, v.year ORDER BY
           (v.release_id = :b), v.synthetic, v.published_at DESC NULLS LAST, v.release_id DESC)
           AS n_without
  FROM release_value v
  WHERE (v.status = 'published' OR v.release_id = :b)
    AND (v.indicator_id, v.ags, v.year) IN
        (SELECT indicator_id, ags, year FROM value WHERE release_id = :b)
), before AS (SELECT * FROM ranked WHERE n_without = 1 AND NOT is_b),
after AS (SELECT * FROM ranked WHERE n_with = 1)
SELECT x.indicator_id, i.name_de AS indicator_name, i.unit, i.decimals, x.ags,
       ar.name AS area_name, x.year,
       CASE WHEN b.release_id IS NULL THEN 'neu' WHEN NOT a.is_b THEN 'verdeckt'
            ELSE 'geändert' END AS change,
       b.value AS old_value, b.suppressed AS old_suppressed, b.release_label AS old_release,
       a.value AS new_value, a.suppressed AS new_suppressed, a.release_label AS new_release
FROM (SELECT DISTINCT indicator_id, ags, year FROM ranked) x
JOIN after a USING (indicator_id, ags, year)
LEFT JOIN before b USING (indicator_id, ags, year)
JOIN indicator i ON i.id = x.indicator_id JOIN area ar ON ar.ags = x.ags
WHERE b.release_id IS NULL OR a.value IS DISTINCT FROM b.value
   OR a.suppressed IS DISTINCT FROM b.suppressed OR NOT a.is_b
ORDER BY i.sort, x.indicator_id, x.ags, x.year
"""


def changes(conn: Connection, release_id: int) -> dict:
    """What publishing a release changes on the pages (new, changed, or hidden by real values)."""
    rows = [dict(r._mapping) for r in conn.execute(text(CHANGES_SQL), {"b": release_id})]
    for r in rows:
        old, new = r["old_value"], r["new_value"]
        r["delta"] = new - old if old is not None and new is not None else None
    counts = {k: sum(1 for r in rows if r["change"] == k) for k in ("geändert", "neu", "verdeckt")}
    return {"release": get_release(conn, release_id), "rows": rows, "counts": counts}


def diff(conn: Connection, a_id: int, b_id: int) -> dict:
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


def diff_csv(d: dict) -> str:
    """The diff as CSV (',' and decimal point, like the other downloads); withheld = geheim."""
    buf = io.StringIO()
    w = csv.writer(buf)
    # Synthetic values say so in every row (a download travels without the page around it).
    note = ["Beispieldaten (synthetisch)"] if d["a"]["synthetic"] or d["b"]["synthetic"] else []
    w.writerow(
        [
            "indicator",
            "indicator_name",
            "ags",
            "area",
            "year",
            "change",
            defuse(f"value_{d['a']['label']}"),
            defuse(f"value_{d['b']['label']}"),
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
) -> dict:
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
    values: list[dict] = []
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
