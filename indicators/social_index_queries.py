"""The Sozialindex's values: real values of the home region's Kommunen, never synthetic ones.

Reads the layered view `shown_value` and drops synthetic values explicitly, so the index is the
same in demo mode and in a default install (docs/ops/index.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text

from geodata.queries import kommune_names
from indicators.errors import UnknownChoice
from indicators.precomputed import home_values_source
from indicators.queries import KOMMUNE_KEYS, indicator_units
from indicators.social_index import (
    AreaInput,
    IndexDefinition,
    Observation,
    SocialIndex,
    compute,
)
from indicators.text import _


def kreis_name(conn: Connection, kreis: str) -> str:
    """The name of a Kreis (the home region's too); UnknownChoice for any other key."""
    name = conn.scalar(
        text(
            "SELECT name FROM area WHERE ags = :k AND level IN ('kreis', 'region')"
            " AND length(ags) = 5"
        ),
        {"k": kreis},
    )
    if name is None:
        raise UnknownChoice(
            "gebiet",
            _("„%(k)s“ ist kein Kreis (fünfstelliger Kreisschlüssel, z. B. 03241).", k=kreis[:20]),
        )
    return str(name)


def index_inputs(
    conn: Connection,
    definition: IndexDefinition,
    ids: Sequence[int] | None = None,
    kreis: str | None = None,
) -> list[AreaInput]:
    """Every Kommune of the home region (or every Gemeinde of the Kreis `kreis`, with Germany
    loaded) with its real values of the index's indicators/years (as published now, or as the
    releases `ids` show them: the alerts compare before/after)."""
    source = "shown_value" if ids is None else "shown_value_in(CAST(:rids AS int[]))"
    if kreis is None and ids is None:  # the home Kommunen's layered values: the kept rows
        source = home_values_source(None)
    if kreis is None:
        areas = list(kommune_names(conn).items())
        where = KOMMUNE_KEYS
    else:
        areas = [
            (r.ags, r.name)
            for r in conn.execute(
                text(
                    "SELECT ags, name FROM area WHERE level IN ('kommune', 'gemeinde')"
                    " AND length(ags) = 8 AND left(ags, 5) = :k ORDER BY ags"
                ),
                {"k": kreis},
            )
        ]
        where = "v.ags = ANY(:areas)"
    rows = conn.execute(
        text(
            "SELECT v.ags, v.indicator_id, v.year, v.value, v.numerator, v.denominator, v.suppressed"
            f" FROM {source} v"
            " WHERE v.indicator_id = ANY(:ind) AND v.year = ANY(:years) AND NOT v.synthetic"
            f" AND {where}"
        ),
        {
            "ind": list(definition.indicator_ids),
            "years": list(definition.years),
            "rids": None if ids is None else list(ids),
            "areas": [a for a, _ in areas],
        },
    ).all()
    values: dict[str, dict[tuple[str, int], Observation]] = {a: {} for a, _ in areas}
    for r in rows:
        if r.ags in values:
            values[r.ags][(r.indicator_id, r.year)] = Observation(
                None if r.value is None else float(r.value),
                None if r.numerator is None else float(r.numerator),
                bool(r.suppressed),
                None if r.denominator is None else float(r.denominator),
            )
    return [AreaInput(a, name, values[a]) for a, name in areas]


# The releases a Sozialindex view pins: every release (published, or of the pinned set) with a
# value of one of the index's indicators in one of its years for the areas indexed, and the
# release whose published definition is in force. Within these ids `shown_value_in` gives every
# cell the index reads the winner it had (a release without a value there cannot change it), and
# `current_definition(ids)` finds the same definition (its release is in the pin; without one the
# shipped file, as live).
# (The release set is `indicators.pinning.RELEASE_IN_PIN`'s, not imported: pinning imports
# releases, which imports alerts, which imports this module.)
_INDEX_IDS_SQL = """
SELECT r.id FROM release r
WHERE (CASE WHEN CAST(:ids AS int[]) IS NULL THEN r.status = 'published'
       ELSE r.id = ANY(CAST(:ids AS int[])) END)
  AND (r.id = CAST(:def AS int)
       OR EXISTS (SELECT 1 FROM value v
                  WHERE v.release_id = r.id AND v.ags = ANY(CAST(:ags AS text[]))
                    AND v.indicator_id = ANY(CAST(:ind AS text[]))
                    AND v.year = ANY(CAST(:years AS int[]))))
ORDER BY r.id
"""


def index_release_ids(
    conn: Connection,
    definition: IndexDefinition,
    definition_release: int | None,
    area_keys: Sequence[str],
    ids: Sequence[int] | None,
) -> tuple[int, ...]:
    """The pin of a Sozialindex view (the page, its API): the ids of the releases with a value
    of the definition's indicators and years for `area_keys` (every published release, or
    within the pinned set `ids`) and of `definition_release` (the release of the definition
    in force; None: the shipped file)."""
    rows = conn.scalars(
        text(_INDEX_IDS_SQL),
        {
            "ids": list(ids) if ids is not None else None,
            "def": definition_release,
            "ags": sorted(set(area_keys)),
            "ind": list(definition.indicator_ids),
            "years": list(definition.years),
        },
    )
    return tuple(rows)


def social_index(
    conn: Connection,
    definition: IndexDefinition,
    crossed: Sequence[str] = (),
    ids: Sequence[int] | None = None,
    kreis: str | None = None,
) -> SocialIndex:
    """The index of the home region's Kommunen (or of a Kreis' Gemeinden) on their real values
    (of the releases `ids`), the z-scores' intervals from the counts where these are published."""
    units = indicator_units(conn, definition.indicator_ids)
    return compute(definition, index_inputs(conn, definition, ids, kreis), crossed, units)
