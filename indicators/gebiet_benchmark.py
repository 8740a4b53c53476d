"""Verdicts of a territory map's areas against a benchmark (issue #30: the benchmark switch on
`/karte?gebiet=…&vergleich_mit=kreis|land|bund`).

Each area (a Gemeinde, Kreis or Land of the territory) is compared with the real source row of
the area it lies in — its Kreis (first five digits of its key), its Land (first two) or Germany
(`DG`) — read from the same values as the map (the layered rule, a named release or a cited
state). Never a sum over the parts: an area whose benchmark has no row of its own for the year
is "nicht bewertbar" (reason `no_benchmark`). The test is the app's one interval test
(`indicators.stats.benchmark`): the area's 95 % interval (Wilson for shares, Byar for rates per
population) entirely above or below the benchmark's value. Without published counts (INKAR
publishes rates only) there is no interval: "nicht bewertbar" (reason `no_counts`), nothing is
guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, text

from geodata.levels import BUND_AGS
from indicators.errors import InvalidChoice
from indicators.model import Indicator
from indicators.queries import ReleaseRef, value_source
from indicators.stats import Benchmark, benchmark
from indicators.text import _

PARAM = "vergleich_mit"  # the same parameter as the Kommunen's pages (indicators.benchmarks)
CHOICES = ("kreis", "land", "bund")
# Map level → the benchmarks above it (a Kreis is not compared with itself).
CHOICES_AT: dict[str, tuple[str, ...]] = {
    "gemeinde": ("kreis", "land", "bund"),
    "kreis": ("land", "bund"),
    "land": ("bund",),
}
# The map's categories, in the legend's order: significantly above, not different, below, none.
CATEGORIES = ("above", "within", "below", "not_assessable")


def parse_choice(raw: str | None, ebene: str) -> str | None:
    """The benchmark of a territory map (None or empty: none, the map colours by value); a
    choice that does not exist or not at this level is refused (InvalidChoice, 400)."""
    if raw in (None, ""):
        return None
    allowed = CHOICES_AT[ebene]
    if raw not in allowed:
        raise InvalidChoice(
            PARAM,
            _(
                "„%(v)s“ ist auf dieser Ebene kein Vergleichsmaßstab: erlaubt sind %(a)s.",
                v=str(raw)[:40],
                a=", ".join(allowed),
            ),
            allowed,
        )
    return raw


def reference_key(ags: str, choice: str) -> str:
    """The key of the area an area is compared with: its Kreis, its Land or Germany."""
    return {"kreis": ags[:5], "land": ags[:2], "bund": BUND_AGS}[choice]


@dataclass(frozen=True)
class Reference:
    """A benchmark area's own source row for the indicator and year."""

    ags: str
    name: str
    value: float | None  # None: no row, or withheld
    release_label: str | None  # where the value comes from
    synthetic: bool | None


@dataclass(frozen=True)
class AreaVerdict:
    """One area's verdict against its benchmark."""

    reference: str  # the benchmark's key
    result: Benchmark

    @property
    def category(self) -> str:
        """above, within, below or not_assessable (the map's colour classes)."""
        if self.result.verdict == "not_assessable":
            return "not_assessable"
        return self.result.direction or "not_assessable"


@dataclass(frozen=True)
class TerritoryVerdicts:
    """Every area's verdict (in the areas' order) and the benchmark rows they were judged by."""

    choice: str
    verdicts: list[AreaVerdict]
    references: dict[str, Reference]

    def counts(self) -> dict[str, int]:
        """How many areas fall in each category (every category, zero included)."""
        out = dict.fromkeys(CATEGORIES, 0)
        for v in self.verdicts:
            out[v.category] += 1
        return out


def _references(
    conn: Connection, indicator_id: str, year: int, keys: Sequence[str], release_id: ReleaseRef
) -> dict[str, Reference]:
    rows = conn.execute(
        text(
            "SELECT a.ags, a.name, v.value, v.suppressed, v.release_label, v.synthetic"
            " FROM area a LEFT JOIN"
            f" (SELECT * FROM {value_source(release_id)} x"
            "   WHERE x.indicator_id = :i AND x.year = :y AND x.ags = ANY(:keys)) v"
            " ON v.ags = a.ags WHERE a.ags = ANY(:keys)"
        ),
        {"i": indicator_id, "y": year, "keys": list(keys)},
    ).all()
    return {
        r.ags: Reference(
            r.ags,
            r.name,
            None if r.value is None or r.suppressed else float(r.value),
            r.release_label if r.value is not None else None,
            None if r.value is None else bool(r.synthetic),
        )
        for r in rows
    }


def territory_verdicts(
    conn: Connection,
    indicator: Indicator,
    year: int,
    areas: Sequence[str],
    choice: str,
    release_id: ReleaseRef = None,
) -> TerritoryVerdicts:
    """The verdict of every area of `areas` (keys of one level) for the indicator and year
    against its benchmark `choice`, on the values `release_id` shows (None: the layered rule)."""
    keys = sorted({reference_key(a, choice) for a in areas})
    refs = _references(conn, indicator.id, year, keys, release_id)
    # The areas' own rows: value, counts, withheld, kind (one query for the map's areas).
    rows = conn.execute(
        text(
            "SELECT v.ags, v.value, v.numerator, v.denominator, v.suppressed, v.synthetic"
            f" FROM {value_source(release_id)} v WHERE v.indicator_id = :i AND v.year = :y"
            " AND v.ags = ANY(:areas)"
        ),
        {"i": indicator.id, "y": year, "areas": list(areas)},
    ).all()
    own = {r.ags: r for r in rows}
    verdicts = []
    for ags in areas:
        key = reference_key(ags, choice)
        ref = refs.get(key)
        r = own.get(ags)
        if r is None:
            result = benchmark(
                numerator=None,
                denominator=None,
                unit=indicator.unit,
                polarity=indicator.polarity,
                region_value=None if ref is None else ref.value,
            )
        else:
            result = benchmark(
                numerator=None if r.numerator is None else float(r.numerator),
                denominator=None if r.denominator is None else float(r.denominator),
                unit=indicator.unit,
                polarity=indicator.polarity,
                region_value=None if ref is None else ref.value,
                value=None if r.value is None else float(r.value),
                suppressed=bool(r.suppressed),
                no_reference="no_benchmark",
                synthetic=bool(r.synthetic),
                reference_synthetic=None if ref is None else ref.synthetic,
            )
        verdicts.append(AreaVerdict(key, result))
    return TerritoryVerdicts(choice, verdicts, refs)
