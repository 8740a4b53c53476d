"""The catalogue with each indicator's data status: years shown, real or synthetic, or none yet."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from indicators.map_queries import HomeData
from indicators.queries import topics_with_indicators


@dataclass(frozen=True)
class IndicatorStatus:
    """One Kennzahl and what is published of it (first/last year None: no data yet)."""

    id: str
    name_de: str
    name_en: str
    unit: str
    source: str
    first_year: int | None
    last_year: int | None
    n_years: int
    synthetic: bool
    kommunen: int  # how many of the home Kommunen have a value in some year
    region: bool  # whether the Region has one

    @property
    def has_data(self) -> bool:
        """Whether any value of the indicator is shown."""
        return self.first_year is not None


@dataclass(frozen=True)
class TopicStatus:
    """A topic with its indicators' status, in catalogue order."""

    id: str
    name_de: str
    name_en: str
    indicators: tuple[IndicatorStatus, ...]


def catalogue_status(conn: Connection, home: HomeData, region: str) -> list[TopicStatus]:
    """Every topic and indicator of the catalogue with what is shown of it for the home region
    (`home`: the layered home values, read once per data version by the map; `region`: the home
    Kreis's key)."""
    out = []
    for t in topics_with_indicators(conn):
        inds = []
        for i in t.indicators:
            rows = [r for r in home.rows.get(i.id, []) if r.value is not None or r.flag]
            years = sorted({r.year for r in rows})
            inds.append(
                IndicatorStatus(
                    id=i.id,
                    name_de=i.name_de,
                    name_en=i.name_en,
                    unit=i.unit,
                    source=i.source,
                    first_year=years[0] if years else None,
                    last_year=years[-1] if years else None,
                    n_years=len(years),
                    synthetic=any(r.synthetic for r in rows),
                    kommunen=len({r.ags for r in rows if r.ags != region}),
                    region=any(r.ags == region for r in rows),
                )
            )
        out.append(TopicStatus(t.id, t.name_de, t.name_en, tuple(inds)))
    return out
