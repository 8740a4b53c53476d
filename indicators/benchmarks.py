"""The benchmark a Kommune is compared with: the Region (default), its Land or Germany.

One request parameter everywhere (`vergleich_mit=region|land|bund`, PARAM). The Land's and the
Bund's values are the real ones loaded (INKAR 2024's Länder and Bund series, Regionalstatistik
where it has them) under the same shown-value rule as every value; where the benchmark has no
value for an indicator and year the comparison says so (reason "no_benchmark") — nothing is
filled in. The test is the same for every benchmark: the Kommune's 95 % interval (Wilson or
Byar, indicators.stats) lies entirely above or below the benchmark's value.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from geodata.levels import BUND_AGS
from geodata.memo import memoised
from geodata.queries import home_areas
from indicators.errors import InvalidChoice
from indicators.precomputed import kept_areas
from indicators.queries import value_source
from indicators.text import _

PARAM = "vergleich_mit"
CHOICES = ("region", "land", "bund")
DEFAULT = "region"


@dataclass(frozen=True)
class Comparator:
    """The area every Kommune is compared with: which choice, its key and name."""

    choice: str  # one of CHOICES
    ags: str
    name: str

    @property
    def is_default(self) -> bool:
        """True for the Region (links then leave the parameter out)."""
        return self.choice == DEFAULT


@dataclass(frozen=True)
class BenchmarkValue:
    """The benchmark's shown value of one indicator and year and where it comes from."""

    value: float | None  # None: no value (or withheld) — the comparison says so
    year: int
    release_label: str | None  # the source (release) of the value
    synthetic: bool | None


def parse_choice(raw: str | None) -> str:
    """The benchmark choice of a request (None or empty: the default); anything else is a 400."""
    if raw in (None, ""):
        return DEFAULT
    if raw not in CHOICES:
        raise InvalidChoice(
            PARAM,
            _(
                "„%(v)s“ ist kein Vergleichsmaßstab: erlaubt sind region (Region), land (Land) und bund (Deutschland).",
                v=str(raw)[:40],
            ),
            CHOICES,
        )
    return raw


def comparator(conn: Connection, choice: str, region: str) -> Comparator:
    """The area of a choice for the home Kreis `region` (its Land is the Kreis's first two
    digits), with its name from the area table."""
    ags = {"region": region, "land": region[:2], "bund": BUND_AGS}[choice]
    # The same for every visitor (three choices): kept per data version; the Region's name
    # comes with the home areas (geodata.queries.home_areas) the map page reads anyway.
    home = home_areas(conn)
    if home is not None and ags in home:
        return Comparator(choice, ags, home[ags].name)
    kept = kept_areas(conn, read=False)  # the Land and the Bund, when a page read them ahead
    if kept is not None and ags in kept:
        return Comparator(choice, ags, kept[ags].name)
    name = memoised(conn, area_name_key(ags), lambda: conn.scalar(text(AREA_NAME_SQL), {"a": ags}))
    return Comparator(choice, ags, name or ags)


AREA_NAME_SQL = "SELECT name FROM area WHERE ags = :a"


def area_name_key(ags: str) -> str:
    """The memo key of an area's name (comparator; indicators.version_reads reads it ahead)."""
    return f"area_name:{ags}"


def benchmark_values(
    conn: Connection,
    ags: str,
    wanted: dict[str, int],
    release_id: int | None = None,
) -> dict[str, BenchmarkValue]:
    """indicator → the benchmark area's value in the wanted year (indicator → year), from the
    same source as every shown value; indicators without a row in that year get value None."""
    if not wanted:
        return {}
    rows = conn.execute(
        text(
            "SELECT v.indicator_id, v.year, v.value, v.suppressed, v.release_label, v.synthetic"
            f" FROM {value_source(release_id)} v"
            " WHERE v.ags = :ags AND v.indicator_id = ANY(:ids) AND v.year = ANY(:years)"
        ),
        {"ags": ags, "ids": list(wanted), "years": sorted(set(wanted.values()))},
    )
    out = {i: BenchmarkValue(None, y, None, None) for i, y in wanted.items()}
    for r in rows:
        if wanted.get(r.indicator_id) != r.year:
            continue
        out[r.indicator_id] = BenchmarkValue(
            None if r.suppressed else r.value, r.year, r.release_label, r.synthetic
        )
    return out


def benchmark_release_ids(
    conn: Connection, ags: str, indicator_id: str, source: tuple[int, ...] | None = None
) -> tuple[int, ...]:
    """The releases whose values of the indicator the benchmark area shows (any year): what a
    cited view against the Land or Germany pins besides the Kommunen's releases (`source`: in
    the cited state of those release ids; None: the layered values now). Adding them changes
    no Kommune's value: each cell's shown value comes from one of the releases pinned either way."""
    return tuple(
        sorted(
            int(i)
            for i in conn.scalars(
                text(
                    f"SELECT DISTINCT v.release_id FROM {value_source(source)} v"
                    " WHERE v.ags = :ags AND v.indicator_id = :i AND v.release_id IS NOT NULL"
                ),
                {"ags": ags, "i": indicator_id},
            )
        )
    )
