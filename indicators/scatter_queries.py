"""Scatter of two indicators over the Kommunen: values, population, provenance, regression."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, text

from indicators.errors import InvalidChoice, UnknownChoice
from indicators.model import Indicator
from indicators.precomputed import home_values_source, kept_indicator_years
from indicators.queries import (
    ReleaseRef,
    ShownProvenance,
    get_indicator,
    indicator_sources,
    kommune_keys,
    shown_provenance,
    value_source,
)
from indicators.scatter import MIN_POINTS, Regression, least_squares
from indicators.text import _

# Dot areas follow the population: the yearly series where it exists, else the Zensus 2022.
POPULATION_INDICATORS = ("bev_insgesamt", "bev_zensus22")


@dataclass(frozen=True)
class Cell:
    """One shown value and where it comes from (None where there is none)."""

    value: float | None
    suppressed: bool = False
    synthetic: bool | None = None
    release: str | None = None
    flag: str | None = None
    year: int | None = None
    indicator: str | None = None


@dataclass(frozen=True)
class ScatterPoint:
    """A Kommune (or the Region) with its x, y and population."""

    ags: str
    name: str
    level: str
    x: Cell
    y: Cell
    population: Cell

    @property
    def complete(self) -> bool:
        """Both values known (not missing, not withheld): the point is drawn."""
        return self.x.value is not None and self.y.value is not None


@dataclass
class Scatter:
    """Everything the scatter page, its API and its image need for one pair and year."""

    x: Indicator
    y: Indicator
    year: int
    years: list[int]  # the pair's years (each indicator has values for MIN_POINTS Kommunen)
    points: list[ScatterPoint]  # the Kommunen, by name
    region: ScatterPoint | None
    regression: Regression | None
    # x and y of different kinds (real against synthetic, demo mode): no regression is drawn.
    kinds_mixed: bool = False
    provenance: dict[str, list[ShownProvenance]] = field(default_factory=dict)  # by indicator
    # With a named release: the areas (AGS) whose population comes from the newest published
    # data because the named release has none for the year (empty without a named release).
    population_newest: list[str] = field(default_factory=list)

    @property
    def drawn(self) -> list[ScatterPoint]:
        """The Kommunen with both values."""
        return [p for p in self.points if p.complete]

    @property
    def cells(self) -> list[Cell]:
        """Every shown value (x, y, population) of the Kommunen and the Region."""
        pts = [*self.points, *([self.region] if self.region else [])]
        return [c for p in pts for c in (p.x, p.y, p.population) if c.release]

    @property
    def synthetic(self) -> bool:
        """Any shown value is synthetic (Beispieldaten)."""
        return any(c.synthetic for c in self.cells)

    @property
    def mixed(self) -> bool:
        """Both real and synthetic values are shown: every value is marked."""
        return self.synthetic and any(c.synthetic is False for c in self.cells)

    @property
    def releases(self) -> list[str]:
        """Labels of the releases the shown values come from."""
        return sorted({c.release for c in self.cells if c.release})


def indicator_years(conn: Connection, release_id: ReleaseRef = None) -> dict[str, list[int]]:
    """Per indicator the years in which at least MIN_POINTS Kommunen have a shown value
    (of the named release, else the newest published values: kept per data version)."""
    if release_id is None:
        return kept_indicator_years(conn, MIN_POINTS)
    return live_indicator_years(conn, release_id)


def live_indicator_years(conn: Connection, release_id: ReleaseRef) -> dict[str, list[int]]:
    """indicator_years computed from the values (the kept rows' reference, a named release).

    The Kommunen's keys also as a plain filter on the values: the join alone does not reach
    inside the rule (a cited view's `shown_value_in`), which then ranked every value of the
    database per cell first (0.8 s per call on the loaded test database, docs/ops/suite33.md)."""
    rows = conn.execute(
        text(
            f"SELECT v.indicator_id, v.year FROM {value_source(release_id)} v"
            " JOIN area a ON a.ags = v.ags AND a.level = 'kommune'"
            f" WHERE {kommune_keys('v')} AND v.value IS NOT NULL AND NOT v.suppressed"
            " GROUP BY v.indicator_id, v.year HAVING count(*) >= :n"
            " ORDER BY v.indicator_id, v.year"
        ),
        {"n": MIN_POINTS},
    )
    out: dict[str, list[int]] = {}
    for r in rows:
        out.setdefault(r.indicator_id, []).append(r.year)
    return out


def pair_years(years: dict[str, list[int]], x_id: str, y_id: str) -> list[int]:
    """Years in which both indicators have values, ascending."""
    return sorted(set(years.get(x_id, [])) & set(years.get(y_id, [])))


def _pair_default_year(
    conn: Connection, x_id: str, y_id: str, years: list[int], release_id: ReleaseRef = None
) -> int:
    """The newest common year in which at least half the Kommunen have real values of both,
    else the newest common year (a synthetic continuation is not what the page opens with)."""
    # The Kommunen's values only, their keys pushed into each side (the layered ones from the
    # kept rows): not every Gemeinde of Germany of both indicators joined first (94 ms, #32).
    source = home_values_source(release_id)
    found = conn.scalar(
        text(
            f"SELECT max(vx.year) FROM {source} vx"
            f" JOIN {source} vy ON vy.ags = vx.ags AND vy.year = vx.year AND vy.indicator_id = :y"
            f" WHERE vx.indicator_id = :x AND vx.year = ANY(:years)"
            f"  AND {kommune_keys('vx')}"
            f"  AND {kommune_keys('vy')}"
            "  AND NOT vx.synthetic AND NOT vy.synthetic"
            "  AND vx.value IS NOT NULL AND vy.value IS NOT NULL"
            " GROUP BY vx.year"
            " HAVING count(*) * 2 >= (SELECT count(*) FROM area WHERE level = 'kommune')"
            " ORDER BY vx.year DESC LIMIT 1"
        ),
        {"x": x_id, "y": y_id, "years": years},
    )
    return found if found is not None else years[-1]


_POINTS_SQL = """
SELECT a.ags, a.name, a.level,
  vx.value AS x, coalesce(vx.suppressed, false) AS x_suppressed, vx.synthetic AS x_synthetic,
  vx.release_label AS x_release, vx.flag AS x_flag,
  vy.value AS y, coalesce(vy.suppressed, false) AS y_suppressed, vy.synthetic AS y_synthetic,
  vy.release_label AS y_release, vy.flag AS y_flag,
  p.value AS pop, p.year AS pop_year, p.synthetic AS pop_synthetic,
  p.release_label AS pop_release, p.indicator_id AS pop_indicator, p.named AS pop_named
FROM area a
LEFT JOIN {source} vx ON vx.ags = a.ags AND vx.indicator_id = :x AND vx.year = :year
LEFT JOIN {source} vy ON vy.ags = a.ags AND vy.indicator_id = :y AND vy.year = :year
LEFT JOIN LATERAL (
  -- The population of the same year, else of the nearest year (earlier on a tie), else the
  -- Zensus: dot sizes only need the order of magnitude, but the table says which year it is.
  -- A named release's own population of the year comes first (`named`).
  SELECT v.value, v.year, v.synthetic, v.release_label, v.indicator_id, v.named FROM {population} v
  WHERE v.ags = a.ags AND v.indicator_id = ANY(:pop) AND v.value IS NOT NULL AND NOT v.suppressed
  ORDER BY v.named DESC, array_position(CAST(:pop AS text[]), CAST(v.indicator_id AS text)),
           abs(v.year - :year), v.year
  LIMIT 1
) p ON true
WHERE a.level IN ('kommune', 'region')
ORDER BY a.level = 'region', a.name
"""
_POP_COLUMNS = "ags, indicator_id, year, value, suppressed, synthetic, release_label"
# With a named release its population of the year before the newest published one.
_NAMED_POPULATION = (
    f"(SELECT {_POP_COLUMNS}, true AS named FROM {{source}} n WHERE n.year = :year"
    f" UNION ALL SELECT {_POP_COLUMNS}, false FROM shown_value)"
)


def _points_sql(release_id: ReleaseRef) -> str:
    """The points' query: x and y from the release (or the newest, or a cited view's pinned
    releases), the population to size dots (a pinned view's too: of its releases only)."""
    source = home_values_source(release_id)
    if release_id is None or isinstance(release_id, tuple):
        population = f"(SELECT {_POP_COLUMNS}, false AS named FROM {source} k)"
    else:
        population = _NAMED_POPULATION.format(source=source)
    return _POINTS_SQL.format(source=source, population=population)


def _point(r: Row[Any]) -> ScatterPoint:
    def cell(prefix: str) -> Cell:
        suppressed = getattr(r, f"{prefix}_suppressed")
        return Cell(
            value=None if suppressed else getattr(r, prefix),
            suppressed=suppressed,
            synthetic=getattr(r, f"{prefix}_synthetic"),
            release=getattr(r, f"{prefix}_release"),
            flag=getattr(r, f"{prefix}_flag"),
        )

    pop = Cell(
        value=r.pop,
        synthetic=r.pop_synthetic,
        release=r.pop_release,
        year=r.pop_year,
        indicator=r.pop_indicator,
    )
    return ScatterPoint(r.ags, r.name, r.level, cell("x"), cell("y"), pop)


def check_pair(conn: Connection, x_id: str, y_id: str) -> tuple[Indicator, Indicator]:
    """The two indicators, or InvalidChoice naming the parameter that is wrong."""
    x = get_indicator(conn, x_id)
    if x is None:
        raise UnknownChoice("x", _("Die Kennzahl „%(id)s“ (x-Achse) gibt es nicht.", id=x_id[:60]))
    y = get_indicator(conn, y_id)
    if y is None:
        raise UnknownChoice("y", _("Die Kennzahl „%(id)s“ (y-Achse) gibt es nicht.", id=y_id[:60]))
    if x_id == y_id:
        raise InvalidChoice(
            "y",
            _(
                "x und y sind dieselbe Kennzahl („%(name)s“): bitte zwei verschiedene Kennzahlen wählen.",
                name=x.name_de,
            ),
        )
    return x, y


def scatter(
    conn: Connection,
    x_id: str,
    y_id: str,
    year: int | None,
    years_by_indicator: dict[str, list[int]] | None = None,
    release_id: ReleaseRef = None,
) -> Scatter:
    """The scatter of y against x in a year (None: the pair's default year).

    UnknownChoice: field 'x'/'y' (unknown), 'pair' (no common year) or 'jahr' (not a year of
    the pair; `valid` lists the pair's years); InvalidChoice 'y' when x = y.
    """
    x, y = check_pair(conn, x_id, y_id)
    all_years = (
        years_by_indicator if years_by_indicator is not None else indicator_years(conn, release_id)
    )
    years = pair_years(all_years, x_id, y_id)
    if not years:
        raise UnknownChoice(
            "pair",
            _(
                "„%(x)s“ und „%(y)s“ haben kein gemeinsames Jahr mit Werten für mindestens %(n)s Kommunen.",
                x=x.name_de,
                y=y.name_de,
                n=MIN_POINTS,
            ),
        )
    if year is None:
        year = _pair_default_year(conn, x_id, y_id, years, release_id)
    elif year not in years:
        raise UnknownChoice(
            "jahr",
            _(
                "Für „%(x)s“ und „%(y)s“ gibt es im Jahr %(j)s keine gemeinsamen Werte. Gemeinsame Jahre: %(years)s.",
                x=x.name_de,
                y=y.name_de,
                j=year,
                years=", ".join(map(str, years)),
            ),
            years,
        )
    rows = conn.execute(
        text(_points_sql(release_id)),
        {"x": x_id, "y": y_id, "year": year, "pop": list(POPULATION_INDICATORS)},
    ).all()
    points = [_point(r) for r in rows if r.level == "kommune"]
    region = next((_point(r) for r in rows if r.level == "region"), None)
    drawn = [p for p in points if p.complete]
    # A figure never combines real and synthetic values (demo mode): no line through a real x
    # against a synthetic y.
    kinds = {c.synthetic for p in drawn for c in (p.x, p.y)}
    mixed_kinds = True in kinds and False in kinds
    xy = [(p.x.value, p.y.value) for p in drawn if p.x.value is not None and p.y.value is not None]
    regression = None if mixed_kinds else least_squares([a for a, _b in xy], [b for _a, b in xy])
    result = Scatter(
        x=x,
        y=y,
        year=year,
        years=years,
        points=points,
        region=region,
        regression=regression,
        kinds_mixed=mixed_kinds,
    )
    if isinstance(release_id, int):  # dots sized from the newest data where it has none
        result.population_newest = [r.ags for r in rows if r.pop is not None and not r.pop_named]
    # Per indicator only the releases its shown values come from (a table code is named only
    # where a value of that table is on the page).
    used: dict[str, set[str]] = {x_id: set(), y_id: set()}
    for p in [*points, *([region] if region else [])]:
        for ind, release in (
            (x_id, p.x.release),
            (y_id, p.y.release),
            (p.population.indicator, p.population.release),
        ):
            if ind and release:  # a missing value has no release
                used.setdefault(ind, set()).add(release)
    sources = indicator_sources(conn, list(used))
    result.provenance = {
        ind: shown_provenance(sources.get(ind, {}), labels) for ind, labels in used.items()
    }
    return result
