"""Seeded generator of the synthetic demo release ("Beispieldaten", never real numbers)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from geodata.report import LoadError, Problem
from indicators.units import SCALE
from indicators.validate import catalogue_problems
from indicators.zensus import INDICATOR as ZENSUS_INDICATOR

CATALOGUE = Path(__file__).parent / "data" / "catalogue.csv"
DEMO_LABEL = "demo-2024-2"
DEMO_NOTE = (
    "Beispieldaten: synthetisch erzeugt (Seed {seed}), plausibel, aber keine amtlichen Werte."
)
LAST_YEAR = 2024
BASE_YEAR = 2018

# How urban each Kommune is (1 = Hannover), steering the city/suburb/rural gradient.
URBANITY = {
    "03241001": 1.0,
    "03241010": 0.65,
    "03241009": 0.65,
    "03241005": 0.6,
    "03241015": 0.5,
    "03241014": 0.5,
    "03241007": 0.45,
    "03241021": 0.45,
    "03241002": 0.4,
    "03241008": 0.35,
    "03241006": 0.35,
    "03241004": 0.3,
    "03241013": 0.3,
    "03241020": 0.3,
    "03241017": 0.25,
    "03241019": 0.25,
    "03241012": 0.2,
}
RURAL_EAST = ("03241003", "03241011", "03241016", "03241018")  # Burgdorf, Lehrte, Sehnde, Uetze


def read_params(path: Path = CATALOGUE) -> list[dict[str, str]]:
    """Catalogue rows with their demo_* generator hints, checked by the catalogue validator
    (the unit decides how values are generated); LoadError naming file, row and column."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    problems = [p for n, r in enumerate(rows, start=2) for p in catalogue_problems(str(path), n, r)]
    if problems:
        raise LoadError(problems)
    return rows


def _profile(ags: str, city: float, east: float) -> float:
    """Relative level of a Kommune between rural east (east) and the city (city)."""
    if ags in RURAL_EAST:
        return east
    u = URBANITY.get(ags, 0.3)
    return east + (city - east) * u


def generate(
    conn: Connection, seed: int = 42, region: str = "03241", params_path: Path = CATALOGUE
) -> list[dict[str, Any]]:
    """Long-form rows for every indicator with demo hints, 2012 (or later) to 2024."""
    params = [p for p in read_params(params_path) if p["demo_kind"] != "none"]
    rng = np.random.default_rng(seed)
    pop22: dict[str, float] = dict(
        conn.execute(
            text(
                "SELECT v.ags, v.value FROM value v JOIN release r ON r.id = v.release_id"
                " JOIN area a ON a.ags = v.ags WHERE v.indicator_id = :i AND a.level = 'kommune'"
                " AND v.ags LIKE :p AND NOT r.synthetic"
            ),
            {"i": ZENSUS_INDICATOR, "p": region + "%"},
        ).all()
    )
    if not pop22:
        raise LoadError(
            [Problem("zensus-2022", None, None, "Demo braucht die Zensus-Bevölkerung als Anker")]
        )
    kommunen = sorted(pop22)
    pop_trend = float(next(p for p in params if p["id"] == "bev_insgesamt")["demo_trend"])
    years = list(range(2012, LAST_YEAR + 1))
    # Population per Kommune and year, anchored at the Zensus count (as a synthetic series).
    drift = {a: pop_trend + rng.normal(0, 0.003) for a in kommunen}
    pop = {
        (a, y): pop22[a] * (1 + drift[a]) ** (y - 2022) * (1 + rng.normal(0, 0.001))
        for a in kommunen
        for y in years
    }
    rows: list[dict[str, Any]] = []
    for p in params:
        rows.extend(_indicator_rows(p, kommunen, years, pop, rng, region))
    return rows


def _smooth_noise(rng: np.random.Generator, n: int, sigma: float) -> np.ndarray:
    """A gently wandering multiplier series (random walk, centred on 1)."""
    walk: np.ndarray = np.cumsum(rng.normal(0, sigma, n))
    return walk - float(walk.mean()) + 1


def _indicator_rows(
    p: dict[str, str],
    kommunen: list[str],
    years: list[int],
    pop: dict[tuple[str, int], float],
    rng: np.random.Generator,
    region: str,
) -> list[dict[str, Any]]:
    """Rows of one indicator for the Kommunen and the Region."""
    kind, ind, unit = p["demo_kind"], p["id"], p["unit"]
    base, trend = float(p["demo_base"]), float(p["demo_trend"])
    city, east = float(p["demo_city"] or 1), float(p["demo_rural_east"] or 1)
    ys = [y for y in years if y >= int(p["first_year"])]
    out: list[dict[str, Any]] = []

    def row(a: str, y: int, v: float, num: float | None = None, den: float | None = None) -> None:
        out.append(
            {
                "indicator_id": ind,
                "ags": a,
                "year": y,
                "value": round(v, 4),
                "numerator": num,
                "denominator": den,
            }
        )

    if ind == "bev_insgesamt":
        for y in ys:
            for a in kommunen:
                row(a, y, round(pop[a, y]))
            row(region, y, float(sum(round(pop[a, y]) for a in kommunen)))
        return out
    level = {a: _profile(a, city, east) * rng.lognormal(0, 0.08) for a in kommunen}
    wiggle = {a: _smooth_noise(rng, len(ys), 0.012) for a in kommunen}
    for i, y in enumerate(ys):
        total_pop = sum(pop[a, y] for a in kommunen)
        target = base * (1 + trend) ** (y - BASE_YEAR)
        raw = {a: level[a] * wiggle[a][i] for a in kommunen}
        # Scale so the population-weighted mean hits the Region's target value.
        mean = sum(raw[a] * pop[a, y] for a in kommunen) / total_pop
        vals = {a: target * raw[a] / mean for a in kommunen}
        if kind == "rate":
            scale = SCALE.get(unit, 100.0)
            share = float(p["demo_denominator"] or 1)
            nums = dens = 0.0
            for a in kommunen:
                den = max(1.0, round(pop[a, y] * share))
                v = min(vals[a], 0.95 * scale) if unit == "%" else vals[a]
                num = float(round(v / scale * den))
                row(a, y, num / den * scale, num, den)
                nums, dens = nums + num, dens + den
            row(region, y, nums / dens * scale, nums, dens)
        elif kind == "count":
            weights = {a: pop[a, y] / total_pop * vals[a] / target for a in kommunen}
            wsum = sum(weights.values())
            counts = {a: float(round(target * weights[a] / wsum)) for a in kommunen}
            for a in kommunen:
                row(a, y, counts[a])
            row(region, y, sum(counts.values()))
        else:  # level: a population-weighted mean for the Region
            for a in kommunen:
                row(a, y, vals[a])
            row(region, y, sum(vals[a] * pop[a, y] for a in kommunen) / total_pop)
    return out


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """Write generated rows in the long form that load-release reads."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ags", "indicator", "year", "value", "numerator", "denominator"])
        for r in rows:
            w.writerow(
                [
                    r["ags"],
                    r["indicator_id"],
                    r["year"],
                    r["value"],
                    "" if r["numerator"] is None else int(r["numerator"]),
                    "" if r["denominator"] is None else int(r["denominator"]),
                ]
            )
