"""What the area queries return: areas and search hits, typed and frozen.

(The tables are in geodata/models.py; these are the values read from them.) Templates read them
by attribute (`area.name`), JSON gets them through Flask's provider (dataclasses become objects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self, TypeVar

T = TypeVar("T")

# [[south, west], [north, east]] in WGS84 degrees, as Leaflet's fitBounds takes them.
Bounds = tuple[tuple[float, float], tuple[float, float]]


class FromRow:
    """`from_row`: a dataclass from a query row's mapping (columns it does not name ignored)."""

    @classmethod
    def from_row(cls, row: Mapping[Any, Any], **extra: Any) -> Self:
        """The dataclass of a row (`row._mapping`), `extra` given or overriding columns."""
        names = field_names(cls)
        return cls(**{**{k: v for k, v in row.items() if k in names}, **extra})


def field_names(cls: type) -> frozenset[str]:
    """A dataclass's field names, worked out once per class and kept on it (`fields()` per row
    was most of `from_row`: the catalogue's ~170 indicators are built on each first request
    after a publish). Code, not data: a class's fields never change."""
    names = cls.__dict__.get("_row_fields")
    if names is None:
        names = frozenset(f.name for f in fields(cls))  # a dataclass
        cls._row_fields = names  # type: ignore[attr-defined]  # on the class, not an instance
    return names


def evolve(obj: T, **changes: Any) -> T:
    """`dataclasses.replace` for a frozen dataclass without `__post_init__` and without
    `init=False` fields (the catalogue's): its fields copied and `changes` set, without the
    generated `__init__` (one `object.__setattr__` per field made `replace` ~7 µs; the map's
    picker copies ~140 indicators with their year ranges on each first request after a publish)."""
    unknown = changes.keys() - field_names(type(obj))
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field(s) {sorted(unknown)}")
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new


@dataclass(frozen=True)
class Area(FromRow):
    """An area: a Kommune or the home Region, a Gemeinde, Kreis, Land or the Bund ('DG')."""

    ags: str
    name: str
    kind: str  # Stadt, Gemeinde, Region, Kreis, Land, Bund
    level: str  # kommune, region, gemeinde, kreis, land, bund
    area_km2: float
    bounds: Bounds | None = None  # with get_area only
    parents: tuple[Area, ...] = ()  # Kreis, Land, Bund, nearest first (area_with_parents only)


@dataclass(frozen=True)
class AreaHit(FromRow):
    """An area found by name or key, with the Kreis and Land it lies in (None above them)."""

    ags: str
    name: str
    kind: str
    level: str
    kreis: str | None
    land: str | None
    score: float | None = None  # trigram similarity (None for a search by key)


@dataclass(frozen=True)
class LabelPoint(FromRow):
    """Where an area's name is written on a map: a point inside it (WGS84)."""

    ags: str
    name: str
    lat: float
    lon: float
