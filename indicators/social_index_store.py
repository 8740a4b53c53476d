"""Sozialindex definitions kept per release (migration 0021): the office's index, checked.

A definition is drafted into a draft release, shown once that release is published and gone
again when it is withdrawn (the release rule's status, as the Kontextnotizen). The page and the
API use the definition of the newest published release that carries one, else the shipped
TOML (`indicators/data/sozialindex.toml`). A definition is stored only if it can be computed on
real values: every indicator exists, has real (not synthetic) values of the Kommunen, and has
them in the status year and both years of the dynamics period; otherwise an
`IndexDefinitionError` (422) names the field and nothing is stored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, text

from geodata.memo import memoised
from indicators.errors import InvalidContent
from indicators.loaders import create_release
from indicators.queries import KOMMUNE_KEYS
from indicators.social_index import IndexDefinition, load_definition, parse_definition
from indicators.text import _

MAX_INDICATORS = 12  # the table's check says the same
FORM_ROWS = 6  # indicator rows the editor's form offers
NUMBER_FIELDS = (
    "status_year",
    "dynamics_from",
    "dynamics_to",
    "min_cases",
    "min_base",
    "status_very_low",
    "status_low",
    "status_high",
    "dynamics_negative",
    "dynamics_positive",
)
INTEGER_FIELDS = ("status_year", "dynamics_from", "dynamics_to", "min_cases", "min_base")


class IndexDefinitionError(InvalidContent):
    """An index definition refused (editor's form): the field and what to change."""


@dataclass(frozen=True)
class StoredDefinition:
    """The definition in use and where it comes from (release None: the shipped file)."""

    definition: IndexDefinition
    release_id: int | None = None
    release_label: str | None = None
    status: str | None = None  # the release's status: draft, published, withdrawn


def definition_body(d: IndexDefinition) -> dict[str, Any]:
    """The definition as the JSON stored (the TOML file's fields)."""
    return {
        "key": d.key,
        "name_de": d.name_de,
        "name_en": d.name_en,
        "status_year": d.status_year,
        "dynamics_from": d.dynamics_from,
        "dynamics_to": d.dynamics_to,
        "min_cases": d.min_cases,
        "min_base": d.min_base,
        "status_very_low": d.status_very_low,
        "status_low": d.status_low,
        "status_high": d.status_high,
        "dynamics_negative": d.dynamics_negative,
        "dynamics_positive": d.dynamics_positive,
        "indicators": [{"id": i.id, "direction": i.direction} for i in d.indicators],
    }


def form_definition(form: Mapping[str, str]) -> dict[str, object]:
    """The raw definition from the editor's form fields (numbers parsed, empty rows skipped);
    a number that is none names its field."""
    raw: dict[str, object] = {k: form.get(k, "").strip() for k in ("key", "name_de", "name_en")}
    for name in NUMBER_FIELDS:
        cell = form.get(name, "").strip().replace(",", ".").replace("\u2212", "-")
        try:
            raw[name] = int(cell) if name in INTEGER_FIELDS else float(cell)
        except ValueError:
            raise IndexDefinitionError(
                _("„%(v)s“ ist keine Zahl (Feld %(f)s).", v=cell[:20], f=name), field=name
            ) from None
    inds = []
    for n in range(1, FORM_ROWS + 1):
        ind = form.get(f"indikator_{n}", "").strip()
        if not ind:
            continue
        direction = form.get(f"richtung_{n}", "1").strip().replace("\u2212", "-")
        if direction not in ("1", "-1"):
            raise IndexDefinitionError(
                _("Die Richtung muss 1 oder −1 sein (Zeile %(n)d).", n=n), field=f"richtung_{n}"
            )
        inds.append({"id": ind, "direction": int(direction)})
    raw["indicators"] = inds
    return raw


def _real_years(conn: Connection, ind: str, release_id: int | None) -> tuple[set[int], bool]:
    """Years with a real value of a Kommune (published releases and the draft), and whether
    the indicator has synthetic values there."""
    rows = conn.execute(
        text(
            "SELECT v.year, v.synthetic FROM release_value v"
            " WHERE v.indicator_id = :i AND v.value IS NOT NULL"
            " AND (v.status = 'published' OR v.release_id = :r)"
            f" AND {KOMMUNE_KEYS} GROUP BY v.year, v.synthetic"
        ),
        {"i": ind, "r": release_id},
    ).all()
    return {r.year for r in rows if not r.synthetic}, any(r.synthetic for r in rows)


def check_definition(
    conn: Connection, raw: dict[str, object], release_id: int | None = None
) -> IndexDefinition:
    """The definition checked against the catalogue and the real values (of the published
    releases and the draft `release_id`), or an IndexDefinitionError naming the field."""
    try:
        d = parse_definition(raw)
    except IndexDefinitionError:
        raise
    except InvalidContent as err:
        raise IndexDefinitionError(err.message, field=err.field) from None
    if len(d.indicators) > MAX_INDICATORS:
        raise IndexDefinitionError(
            _("Höchstens %(n)d Indikatoren.", n=MAX_INDICATORS), field="indicators"
        )
    if len(d.key) > 80:
        raise IndexDefinitionError(
            _("Der Schlüssel ist zu lang (höchstens 80 Zeichen)."), field="key"
        )
    for ind in d.indicator_ids:
        if not conn.scalar(text("SELECT 1 FROM indicator WHERE id = :i"), {"i": ind}):
            raise IndexDefinitionError(
                _("Die Kennzahl „%(id)s“ gibt es nicht.", id=ind[:64]), field="indicators"
            )
        years, synthetic = _real_years(conn, ind, release_id)
        if not years:
            raise IndexDefinitionError(
                _(
                    "„%(id)s“ hat nur synthetische Werte der Kommunen: ein Index rechnet nur mit echten.",
                    id=ind,
                )
                if synthetic
                else _("„%(id)s“ hat keine Werte der Kommunen.", id=ind),
                field="indicators",
            )
        for name, year in (
            ("status_year", d.status_year),
            ("dynamics_from", d.dynamics_from),
            ("dynamics_to", d.dynamics_to),
        ):
            if year not in years:
                raise IndexDefinitionError(
                    _(
                        "„%(id)s“ hat %(y)d keine echten Werte der Kommunen (Jahre mit Werten: %(ys)s).",
                        id=ind,
                        y=year,
                        ys=", ".join(str(y) for y in sorted(years)),
                    ),
                    field=name,
                )
    return d


def _draft(conn: Connection, release_id: int) -> str:
    """The draft's label; refuses a release that is not a draft."""
    row = conn.execute(
        text("SELECT label, status FROM release WHERE id = :id FOR UPDATE"), {"id": release_id}
    ).first()
    if row is None or row.status != "draft":
        raise IndexDefinitionError(
            _("Eine Indexdefinition lässt sich nur in einem Entwurf speichern oder löschen."),
            field="release",
        )
    return str(row.label)


def create_definition_draft(conn: Connection, label: str, by: str | None) -> int:
    """A new draft release without values, for a definition alone; its id (LoadError: bad
    or taken label)."""
    rid = create_release(conn, label, note="Indexdefinition")
    conn.execute(
        text("UPDATE release SET created_by = :by WHERE id = :id"),
        {"by": (by or "")[:80] or None, "id": rid},
    )
    return rid


def drafts(conn: Connection) -> list[tuple[int, str]]:
    """The drafts a definition can go into (id, label), newest first."""
    rows = conn.execute(
        text("SELECT id, label FROM release WHERE status = 'draft' ORDER BY id DESC")
    )
    return [(int(r.id), str(r.label)) for r in rows]


def save_definition(
    conn: Connection, release_id: int, raw: dict[str, object], by: str | None
) -> tuple[IndexDefinition, str]:
    """Check the definition and store it in the draft (replacing the draft's own), in the
    caller's transaction; the definition and the draft's label. Refused: nothing stored."""
    label = _draft(conn, release_id)
    d = check_definition(conn, raw, release_id)
    conn.execute(
        text(
            "INSERT INTO index_definition (release_id, key, body, created_by)"
            " VALUES (:r, :k, CAST(:b AS jsonb), :by)"
            " ON CONFLICT (release_id) DO UPDATE SET key = EXCLUDED.key, body = EXCLUDED.body,"
            " created_by = EXCLUDED.created_by, created_at = now()"
        ),
        {
            "r": release_id,
            "k": d.key,
            "b": json.dumps(definition_body(d)),
            "by": (by or "")[:80] or None,
        },
    )
    return d, label


def remove_definition(conn: Connection, release_id: int) -> str | None:
    """Delete the draft's definition; the draft's label if it had one, else None."""
    label = _draft(conn, release_id)
    n = conn.execute(
        text("DELETE FROM index_definition WHERE release_id = :r"), {"r": release_id}
    ).rowcount
    return label if n else None


SELECT = (
    "SELECT d.body, r.id, r.label, r.status FROM index_definition d"
    " JOIN release r ON r.id = d.release_id"
)


def _stored(row: Any) -> StoredDefinition:
    body = row.body if isinstance(row.body, dict) else json.loads(row.body)
    return StoredDefinition(parse_definition(body), int(row.id), str(row.label), str(row.status))


def release_definition(conn: Connection, release_id: int) -> StoredDefinition | None:
    """The definition stored in one release (any status), or None."""
    row = conn.execute(text(SELECT + " WHERE r.id = :r"), {"r": release_id}).first()
    return None if row is None else _stored(row)


def current_definition(conn: Connection, ids: Sequence[int] | None = None) -> StoredDefinition:
    """The definition in use: the newest published release's that carries one (or, with `ids`,
    the newest of these releases'); else the shipped file."""
    if ids is None:
        return memoised(conn, "index_definition", lambda: _current_definition(conn, None))
    return _current_definition(conn, ids)


_NEWEST = " ORDER BY r.published_at DESC NULLS LAST, r.id DESC LIMIT 1"
# current_definition without `ids` (the same for every visitor of a data version: the reads a
# profile sends ahead in one round trip, indicators.version_reads).
CURRENT_DEFINITION_SQL = SELECT + " WHERE r.status = 'published'" + _NEWEST


def definition_from(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> StoredDefinition:
    """current_definition's result from CURRENT_DEFINITION_SQL's rows (columns `names`)."""
    row = SimpleNamespace(**dict(zip(names, rows[0], strict=True))) if rows else None
    return StoredDefinition(load_definition()) if row is None else _stored(row)


def _current_definition(conn: Connection, ids: Sequence[int] | None) -> StoredDefinition:
    row = conn.execute(
        text(
            SELECT + " WHERE (CASE WHEN CAST(:ids AS int[]) IS NULL THEN r.status = 'published'"
            " ELSE r.id = ANY(:ids) END)" + _NEWEST
        ),
        {"ids": None if ids is None else list(ids)},
    ).first()
    return StoredDefinition(load_definition()) if row is None else _stored(row)


def history(conn: Connection) -> list[dict[str, Any]]:
    """Every stored definition with its release, newest first (the editors' overview)."""
    rows = conn.execute(
        text(
            "SELECT r.id AS release_id, r.label, r.status, r.published_at, d.key,"
            " d.created_by, d.created_at FROM index_definition d"
            " JOIN release r ON r.id = d.release_id ORDER BY d.created_at DESC, d.id DESC"
        )
    )
    return [dict(r._mapping) for r in rows]
