"""Plain-language findings as typed claims: what a sentence may say, decided by the app's tests.

A finding of one Kommune and indicator holds two claims, each carrying its test's outcome:
- the difference from the benchmark (indicators.benchmarks): significant only when the 95 %
  interval of the Kommune's value (Wilson for shares, Byar for rates: indicators.stats) lies
  entirely above or below the benchmark's value;
- the recent trend (indicators.trends): Cochran–Armitage for shares, the Poisson score test for
  rates, over the last five years since the newest series break; significant at p < 0.05.
The sentence writer (app.render.findings) words exactly these outcomes and names the test;
it never adds a claim of its own, so a sentence cannot claim what its test does not support.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from indicators.benchmarks import Comparator
from indicators.disparities import benchmark_rows
from indicators.model import AreaValue, Indicator
from indicators.units import COUNT_UNITS


@dataclass(frozen=True)
class DifferenceClaim:
    """The Kommune's value against the benchmark's, as its interval test decided."""

    direction: str | None  # 'above' | 'below' | 'within'; None: not assessable
    verdict: str  # indicators.stats.VERDICTS
    method: str | None  # 'wilson' | 'byar' (the interval's method); None: no test ran
    reason: str | None  # why not assessable (code of app.render.sentences.REASONS)

    @property
    def significant(self) -> bool:
        """True only when the interval lies entirely on one side of the benchmark's value."""
        return self.method is not None and self.direction in ("above", "below")


@dataclass(frozen=True)
class TrendClaim:
    """The recent trend of the Kommune's series, as its trend test decided."""

    direction: str | None  # 'steigend' | 'fallend' | 'gleichbleibend'; None: not assessable
    significant: bool | None
    method: str | None  # 'cochran-armitage' | 'poisson-score'
    p: float | None
    first_year: int | None  # the test's window
    reason: str | None


@dataclass(frozen=True)
class Finding:
    """One Kommune's indicator: value, benchmark and the two claims the sentence may make."""

    ags: str
    name: str
    indicator: Indicator
    year: int
    value: float | None
    benchmark_choice: str  # indicators.benchmarks.CHOICES
    benchmark_name: str
    benchmark_value: float | None
    benchmark_source: str | None  # the benchmark value's release label
    difference: DifferenceClaim | None  # None: absolute counts are not compared
    trend: TrendClaim | None  # None: no trend test for this series
    synthetic: bool | None = None  # Beispieldaten (demo mode only): the sentence says so

    @property
    def notable(self) -> bool:
        """A significant difference or a significant trend: what a summary leads with."""
        return bool(
            (self.difference and self.difference.significant)
            or (self.trend and self.trend.significant)
        )


def difference_claim(bench: Mapping[str, Any] | None) -> DifferenceClaim:
    """The claim of a Benchmark.as_dict() (None: not assessable, no test ran)."""
    if not bench or bench.get("verdict") == "not_assessable":
        reason = (bench or {}).get("reason") or "n/a"
        return DifferenceClaim(None, "not_assessable", None, reason)
    return DifferenceClaim(bench["direction"], bench["verdict"], bench["method"], None)


def trend_claim(t: Mapping[str, Any] | None) -> TrendClaim | None:
    """The claim of an area_trends entry (None: no series to test)."""
    if not t:
        return None
    years = t.get("years") or []
    return TrendClaim(
        t.get("direction"),
        t.get("significant"),
        t.get("method"),
        t.get("p"),
        years[0] if years else None,
        t.get("reason"),
    )


def profile_findings(
    p: Mapping[str, Any], trends: Mapping[str, Mapping[str, Any]]
) -> list[Finding]:
    """Every row of a Kommune's profile (indicators.profile.profile) as a finding, in the
    profile's order; `trends`: indicator → its area_trends entry."""
    comp = p["comparator"]
    area = p["area"]
    out = []
    for topic in p["topics"]:
        for r in topic["rows"]:
            ind: Indicator = r["indicator"]
            if r["value"] is None:
                continue  # nothing to say about a missing or withheld value
            out.append(
                Finding(
                    ags=area.ags,
                    name=area.name,
                    indicator=ind,
                    year=r["year"],
                    value=r["value"],
                    benchmark_choice=comp.choice,
                    benchmark_name=comp.name,
                    benchmark_value=r["bench_value"],
                    benchmark_source=r["bench_source"],
                    difference=None
                    if ind.unit in COUNT_UNITS
                    else difference_claim(r["benchmark"]),
                    trend=trend_claim(trends.get(ind.id)),
                    synthetic=r["synthetic"],
                )
            )
    return out


def map_findings(
    rows: Sequence[AreaValue],
    indicator: Indicator,
    year: int,
    comp: Comparator,
    reference: AreaValue | None,
) -> list[Finding]:
    """The Kommunen of a map (one indicator and year) as findings against the benchmark's row
    (`reference`: the Region's, Land's or Germany's value row; None: it has none). Kommunen
    without a shown value are left out: there is nothing to claim."""
    shown = [replace(r, value=r.shown) for r in rows if r.shown is not None]
    judged = benchmark_rows(
        indicator,
        shown,
        reference,
        no_reference="no_region" if comp.is_default else "no_benchmark",
    )
    ref_value = reference.shown if reference is not None else None
    return [
        Finding(
            ags=j.ags,
            name=j.name,
            indicator=indicator,
            year=year,
            value=j.value,
            benchmark_choice=comp.choice,
            benchmark_name=comp.name,
            benchmark_value=ref_value,
            benchmark_source=reference.release_label
            if reference and ref_value is not None
            else None,
            difference=None if indicator.unit in COUNT_UNITS else difference_claim(j.benchmark),
            trend=None,  # a map shows one year: it claims no trend
            synthetic=j.synthetic,
        )
        for j in judged
    ]
