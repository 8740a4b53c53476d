"""How much of the catalogue is real: indicator-years with official values for the Kommunen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class Coverage:
    """Real indicator-years of the home Kommunen in a span of years."""

    first_year: int
    last_year: int
    n_indicators: int  # in the catalogue
    n_kommunen: int
    complete: dict[str, list[int]]  # indicator → years with a real value for every Kommune
    partial: dict[str, list[int]]  # indicator → years with a real value for some Kommunen

    @property
    def possible(self) -> int:
        """Indicator-years the catalogue asks for in the span."""
        return self.n_indicators * (self.last_year - self.first_year + 1)

    @property
    def n_complete(self) -> int:
        """Indicator-years with a real value (or an official reason for none) for every Kommune."""
        return sum(len(ys) for ys in self.complete.values())

    @property
    def n_any(self) -> int:
        """Indicator-years with a real value for at least one Kommune."""
        return self.n_complete + sum(len(ys) for ys in self.partial.values())


# A cell counts when a published real release holds it: a number, or an official reason for
# none (GENESIS '.', 'x', '/', ..., or 'u'); what the office has not delivered does not count.
COVERAGE_SQL = """
SELECT v.indicator_id, v.year, count(DISTINCT v.ags) AS n
FROM value v JOIN release r ON r.id = v.release_id JOIN area a ON a.ags = v.ags
WHERE r.status = 'published' AND NOT r.synthetic AND a.level = 'kommune'
  AND v.year BETWEEN :y0 AND :y1 AND (v.value IS NOT NULL OR v.flag IS NOT NULL OR v.suppressed)
GROUP BY v.indicator_id, v.year
"""


def real_coverage(conn: Connection, first_year: int = 2012, last_year: int = 2021) -> Coverage:
    """Count the real indicator-years of the home Kommunen between two years (inclusive)."""
    n_kommunen = conn.scalar(text("SELECT count(*) FROM area WHERE level = 'kommune'"))
    n_indicators = conn.scalar(text("SELECT count(*) FROM indicator"))
    complete: dict[str, list[int]] = {}
    partial: dict[str, list[int]] = {}
    rows = conn.execute(text(COVERAGE_SQL), {"y0": first_year, "y1": last_year})
    for r in sorted(rows, key=lambda r: (r.indicator_id, r.year)):
        target = complete if r.n >= n_kommunen else partial
        target.setdefault(r.indicator_id, []).append(r.year)
    return Coverage(first_year, last_year, n_indicators, n_kommunen, complete, partial)


def year_spans(years: list[int]) -> str:
    """'2012–2015, 2017' for [2012, 2013, 2014, 2015, 2017]."""
    spans: list[list[int]] = []
    for y in years:
        if spans and y == spans[-1][1] + 1:
            spans[-1][1] = y
        else:
            spans.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)
