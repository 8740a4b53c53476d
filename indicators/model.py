"""What the statistics' queries return: indicators, topics, releases, value rows, a map's context.

Typed and frozen: what a cache holds cannot be changed by a page that reads it. (The tables are
in indicators/models.py; areas and search hits in geodata/model.py.) Templates read these by
attribute (`indicator.unit`) as they read the dicts before; Flask's JSON provider writes a
dataclass as an object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from geodata.model import FromRow


@dataclass(frozen=True)
class Indicator(FromRow):
    """A Kennzahl of the catalogue: names, unit, decimals, polarity, definition and source."""

    id: str
    topic_id: str
    name_de: str
    name_en: str
    unit: str  # "%", "‰", "Anzahl", "je 1.000 Einw." … (indicators/units.py)
    decimals: int
    polarity: str  # higher_better, higher_worse, neutral
    first_year: int
    definition_de: str
    definition_en: str
    source: str
    numerator_de: str
    denominator_de: str
    topic_de: str | None = None  # its topic's names (get_indicator, home_data)
    topic_en: str | None = None
    years: tuple[int, int] | None = None  # first and last year shown (picker_topics)


@dataclass(frozen=True)
class Topic(FromRow):
    """A topic field (Themenfeld) with its indicators in catalogue order."""

    id: str
    name_de: str
    name_en: str
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class Release(FromRow):
    """A data release as stored: draft, published or withdrawn; synthetic = Beispieldaten."""

    id: int
    label: str
    status: str  # draft, published, withdrawn
    published_at: datetime | None
    note: str
    synthetic: bool
    created_at: datetime | None = None  # list_releases only

    @property
    def ids(self) -> tuple[int, ...]:
        """Its id as ShownRelease.ids (the releases whose values are shown)."""
        return (self.id,)


@dataclass(frozen=True)
class ShownRelease:
    """Where an indicator's shown values come from (release_for): one named release, or
    (id None) the summary of every release the layered rule takes values from."""

    id: int | None  # None: the layered values (view shown_value)
    label: str  # the releases' labels joined by " + "
    status: str
    published_at: datetime | None  # the newest contributing release's
    note: str
    synthetic: bool  # some shown value is Beispieldaten
    real: bool  # some shown value is real (both: the page marks each value)
    releases: tuple[str, ...]  # labels, real first, then newest
    ids: tuple[int, ...]


@dataclass(frozen=True)
class AreaValue(FromRow):
    """One area's value of an indicator in one year and where it comes from.

    value None: missing or withheld (suppressed: "geheim"); flag: GENESIS' sign instead of a
    number; release_label None: no value in any shown release (synthetic None then, too).
    """

    ags: str
    name: str
    level: str
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool
    flag: str | None
    release_label: str | None
    synthetic: bool | None

    @property
    def shown(self) -> float | None:
        """The value a page shows: None when withheld."""
        return None if self.suppressed else self.value


@dataclass(frozen=True)
class BenchmarkRow(AreaValue):
    """A value row with its verdict against the Region (indicators.stats.benchmark)."""

    benchmark: Mapping[str, Any]  # Benchmark.as_dict(): verdict, lower, upper, method, reason …
    region_value: float | None  # the Region's shown value


@dataclass(frozen=True)
class YearValues:
    """One year's values of an indicator: the home Kommunen by name and the Region apart."""

    values: tuple[AreaValue, ...]
    region: AreaValue | None


@dataclass(frozen=True)
class MapContext:
    """What a map of an indicator needs before its values: indicator, release, years, topics."""

    topics: tuple[Topic, ...]  # the picker's (picker_topics)
    indicator: Indicator | None  # None: no such indicator
    release: ShownRelease | None  # None: no values
    years: tuple[int, ...]  # years with values of the Kommunen, ascending
    default_year: int | None  # the year a map opens with


@dataclass(frozen=True)
class Note(FromRow):
    """A Kontextnotiz: an expert's plain-text note on an area's indicator (or a whole topic) in
    a period of years, with its category, source link and the release it came with (0016)."""

    id: int
    release_id: int
    release_label: str
    ags: str
    indicator_id: str | None
    topic_id: str | None
    year_from: int
    year_to: int
    category: str  # one of indicators.notes.CATEGORIES
    text_de: str
    text_en: str
    source_url: str  # '' or an http(s) URL

    @property
    def period(self) -> str:
        """The year, or the period as 'from–to'."""
        if self.year_from == self.year_to:
            return str(self.year_from)
        return f"{self.year_from}–{self.year_to}"

    def covers(self, year: int) -> bool:
        """Whether the note is about this year."""
        return self.year_from <= year <= self.year_to
