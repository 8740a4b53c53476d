"""Ranks, territory indicator lists and trends kept at publish (issue #32, migration 0024) and
the territory maps' years and values (0025) give what the live computation gives, in both demo
modes, and follow publishes and breaks.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from geodata.queries import get_area
from indicators.gebiet_profile import LEVEL_EBENE, kept_ranks, live_ranks
from indicators.gebiet_queries import (
    EBENEN_IN,
    area_value,
    indicators_at,
    live_indicators_at,
    live_scope_default_year,
    live_scope_values,
    live_scope_years,
    scope_areas,
    scope_default_year,
    scope_values,
    scope_values_and_own,
    scope_years,
)
from indicators.queries import value_source
from indicators.trend_queries import area_trends, live_area_trends
from tests.conftest import invoke
from tests.test_release_rule import DEMOS, engine_of, long_csv, set_demo

HANNOVER, REGION = "03241001", "03241"
TERRITORIES = ("DG", "03", "03241", "03254", "09")


def _sample_areas(c) -> list[str]:
    """Gemeinden of several Kreise of Niedersachsen, home Kommunen, Kreise of two Länder."""
    return list(
        c.scalars(
            text(
                "(SELECT DISTINCT ON (left(ags, 5)) ags FROM area WHERE level = 'gemeinde'"
                "  ORDER BY left(ags, 5), ags DESC LIMIT 12)"
                " UNION ALL (SELECT ags FROM area WHERE level = 'kommune' ORDER BY ags LIMIT 3)"
                " UNION ALL (SELECT ags FROM area WHERE level IN ('kreis', 'region')"
                "  AND (ags LIKE '03%' OR ags LIKE '09%') ORDER BY ags LIMIT 6)"
            )
        )
    )


@pytest.mark.parametrize("demo", DEMOS)
def test_kept_ranks_are_the_live_ranks(germany_app, demo):
    with germany_app.app_context(), engine_of(germany_app).connect() as c:
        set_demo(c, demo)
        areas = _sample_areas(c)
        assert any(len(a) == 8 and not a.startswith("03241") for a in areas)
        ranked = 0
        for ags in areas:
            area = get_area(c, ags)
            assert area is not None
            ebene = LEVEL_EBENE[area.level]
            assert ebene is not None
            kept = kept_ranks(c, ags)
            live = live_ranks(c, ags, ebene, value_source(None))
            assert kept == live, ags
            ranked += sum(1 for r in kept.values() if r[0] is not None and r[1] > 1)
        assert ranked > 20  # ranks among several peers, not only empty rows
        # Outside demo mode no Beispieldaten's rank is read (the demo partition is pruned).
        n_all, n_demo = c.execute(
            text(
                "SELECT count(*), count(*) FILTER (WHERE synthetic) FROM area_rank WHERE ags = :a"
            ),
            {"a": HANNOVER},
        ).one()
        assert n_demo > 0
        assert len(kept_ranks(c, HANNOVER)) == n_all - (n_demo if demo == "off" else 0)
        c.rollback()


def test_the_kept_ranks_are_read(germany_app):
    """The area profile reads area_rank: a rank changed there (in this transaction) shows."""
    from indicators.gebiet_profile import area_profile, area_with_parents

    with germany_app.app_context(), engine_of(germany_app).connect() as c:
        ags = c.scalar(
            text(
                "SELECT ags FROM area_rank WHERE length(ags) = 8 AND ags NOT LIKE '03241%'"
                " AND rank_land IS NOT NULL LIMIT 1"
            )
        )
        area = area_with_parents(c, ags)
        assert area is not None
        before = {d["indicator_id"]: d["rank_land"] for d in area_profile(c, area)}
        c.execute(text("UPDATE area_rank SET rank_land = 99999 WHERE ags = :a"), {"a": ags})
        after = {d["indicator_id"]: d["rank_land"] for d in area_profile(c, area)}
        c.rollback()
    assert before and all(r[0] == 99999 for r in after.values() if r[0] is not None)
    assert any(r[0] is not None for r in after.values())


@pytest.mark.parametrize("demo", DEMOS)
def test_kept_territory_indicators_are_the_live_ones(germany_app, demo):
    with germany_app.app_context(), engine_of(germany_app).connect() as c:
        set_demo(c, demo)
        seen = 0
        for t in TERRITORIES:
            territory = get_area(c, t)
            assert territory is not None, t
            for ebene in EBENEN_IN[territory.level]:
                kept = indicators_at(c, territory, ebene, None)
                assert kept == live_indicators_at(c, territory, ebene, None), (t, ebene)
                seen += len(kept)
        assert seen > 100
        c.rollback()


@pytest.mark.parametrize("demo", DEMOS)
def test_kept_territory_years_and_values_are_the_live_ones(germany_app, demo):
    """Per territory and level, for a sample of its indicators: the kept years and default
    year (territory_indicator) and the kept values of the default and the first year
    (territory_value) are the live ones."""
    with germany_app.app_context(), engine_of(germany_app).connect() as c:
        set_demo(c, demo)
        compared = valued = owns = 0
        for t in TERRITORIES:
            territory = get_area(c, t)
            assert territory is not None, t
            for ebene in EBENEN_IN[territory.level]:
                areas = scope_areas(c, territory, ebene)
                for ind in sorted(indicators_at(c, territory, ebene, None))[::7]:
                    years = scope_years(c, ind, territory, ebene, None)
                    assert years == live_scope_years(c, ind, territory, ebene, None), (t, ind)
                    default = scope_default_year(c, ind, territory, ebene, None)
                    live = live_scope_default_year(c, ind, territory, ebene, None)
                    assert default == live, (t, ebene, ind)
                    for year in {y for y in (default, years[0] if years else None) if y}:
                        kept = scope_values(c, ind, year, territory, ebene, None, areas)
                        assert kept == live_scope_values(
                            c, ind, year, territory, ebene, None, areas
                        ), (t, ebene, ind, year)
                        # with the territory's own value, from the same kept statement (germ33)
                        both, own = scope_values_and_own(
                            c, ind, year, territory, ebene, None, areas
                        )
                        assert both == kept, (t, ebene, ind, year)
                        live_own = area_value(c, ind, year, territory.ags, None)
                        assert _own(own) == _own(live_own), (t, ebene, ind, year)
                        owns += own is not None and own["value"] is not None
                        valued += sum(v is not None for v in kept.value)
                    compared += 1
        assert compared > 40 and valued > 1000 and owns > 20
        c.rollback()


def _own(row: dict | None) -> dict | None:
    """A territory's own value row, `suppressed` as a truth value (the kept rows send NULL as
    false; the map only asks whether it is true)."""
    return None if row is None else {**row, "suppressed": bool(row["suppressed"])}


def test_the_kept_territory_values_are_read(germany_app):
    """A territory map's values come from territory_value: a value changed there shows."""
    with germany_app.app_context(), engine_of(germany_app).connect() as c:
        territory = get_area(c, "03")
        assert territory is not None
        ind = "bev_anteil_65plus"
        year = scope_default_year(c, ind, territory, "gemeinde", None)
        assert year is not None
        areas = scope_areas(c, territory, "gemeinde")
        c.execute(
            text(
                "UPDATE territory_value SET value[1] = -1 WHERE indicator_id = :i AND year = :y"
                " AND len = 8 AND land = '03'"
            ),
            {"i": ind, "y": year},
        )
        kept = scope_values(c, ind, year, territory, "gemeinde", None, areas)
        assert kept.value[0] == -1
        assert live_scope_values(c, ind, year, territory, "gemeinde", None, areas).value[0] != -1
        c.rollback()


def _breaks_file(c, path: Path, extra: list[tuple[str, int]]) -> Path:
    rows = c.execute(
        text("SELECT indicator_id, year, reason_de, coalesce(reason_en, '') FROM series_break")
    ).all()
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["indicator_id", "year", "reason_de", "reason_en"])
        w.writerows([tuple(r) for r in rows])
        w.writerows([(i, y, "Methodenwechsel (Test)", "Change of method (test)") for i, y in extra])
    return path


def test_the_kept_trends_follow_the_breaks_and_a_publish(fresh_app, tmp_path):
    engine = engine_of(fresh_app)
    with fresh_app.app_context(), engine.connect() as c:
        assessed = c.execute(
            text(
                "SELECT indicator_id, years FROM area_trend WHERE ags = :a AND NOT synthetic"
                " AND method IS NOT NULL AND cardinality(years) >= 4"
                " AND indicator_id NOT IN (SELECT indicator_id FROM series_break) LIMIT 1"
            ),
            {"a": HANNOVER},
        ).first()
    assert assessed is not None
    ind, years = assessed
    # A break in the series' last year: only that year counts, too few for a trend.
    with engine.connect() as c:
        path = _breaks_file(c, tmp_path / "breaks.csv", [(ind, years[-1])])
    result = invoke(fresh_app, "load-catalogue", "--breaks", str(path))
    assert result.exit_code == 0, result.output
    with fresh_app.app_context(), engine.connect() as c:
        kept = area_trends(c, [HANNOVER, REGION], [ind])
        assert kept[(ind, HANNOVER)]["reason"] == "too_few"
        assert kept[(ind, HANNOVER)]["years"] == [years[-1]]
        assert kept == live_area_trends(c, [HANNOVER, REGION], [ind])
    # A publish of new years for the Kommunen: their kept trends and ranks follow.
    new = long_csv(tmp_path / "neu.csv", {ind: [years[-1] + 1, years[-1] + 2]}, 20.0)
    assert invoke(fresh_app, "import", str(new), "--label", "neu-32").exit_code == 0
    result = invoke(fresh_app, "publish", "neu-32")
    assert result.exit_code == 0, result.output
    # The publish names the time and the rows kept per table.
    tables = ("area_rank", "territory_indicator", "territory_value", "area_trend", "profile_value")
    for table in tables:
        assert f"  {table}: " in result.output, result.output
    for demo in DEMOS:
        with fresh_app.app_context(), engine.connect() as c:
            set_demo(c, demo)
            kept = area_trends(c, [HANNOVER, REGION, "03", "DG"])
            assert kept == live_area_trends(c, [HANNOVER, REGION, "03", "DG"]), demo
            assert kept[(ind, HANNOVER)]["years"][-1] == years[-1] + 2
            for ags in (HANNOVER, "03241005", REGION, "03254"):
                area = get_area(c, ags)
                assert area is not None
                ebene = LEVEL_EBENE[area.level]
                assert ebene is not None
                assert kept_ranks(c, ags) == live_ranks(c, ags, ebene, value_source(None))
            assert kept_ranks(c, HANNOVER)[(ind, years[-1] + 2)][1] >= 21
            territory = get_area(c, "03")
            assert territory is not None
            assert ind in indicators_at(c, territory, "gemeinde", None)
            # The Region's map of its Kommunen has the new years, kept as the live reads.
            region = get_area(c, REGION)
            assert region is not None
            shown_years = scope_years(c, ind, region, "gemeinde", None)
            assert shown_years == live_scope_years(c, ind, region, "gemeinde", None)
            assert shown_years[-1] == years[-1] + 2
            areas = scope_areas(c, region, "gemeinde")
            kept_values = scope_values(c, ind, years[-1] + 2, region, "gemeinde", None, areas)
            assert kept_values == live_scope_values(
                c, ind, years[-1] + 2, region, "gemeinde", None, areas
            )
            assert sum(v is not None and 20 <= v < 23 for v in kept_values.value) == 21
            c.rollback()


def test_the_migration_fills_the_ranks_and_lists_as_the_writer_does(fresh_app):
    """0024's upgrade on a database with data: its copies of the writers' statements give the
    rows the publishes kept; the trends are left to `sozmon precompute` (empty)."""
    from alembic import command

    from app.cli.data import alembic_config

    cfg = alembic_config(fresh_app.config["DATABASE_URL"])
    tables = {
        "area_rank": "indicator_id, ags, year, rank_land, n_land, rank_kreis, n_kreis, synthetic",
        "territory_indicator": "territory, ebene, indicator_id, synthetic",
    }

    def rows() -> dict[str, set]:
        with engine_of(fresh_app).connect() as c:
            return {
                t: {tuple(r) for r in c.execute(text(f"SELECT {cols} FROM {t}"))}
                for t, cols in tables.items()
            }

    before = rows()
    assert all(before.values())
    engine_of(fresh_app).dispose()
    command.downgrade(cfg, "0023")
    with engine_of(fresh_app).connect() as c:
        assert c.scalar(text("SELECT to_regclass('area_rank')")) is None
    engine_of(fresh_app).dispose()
    command.upgrade(cfg, "0024")
    assert rows() == before
    with engine_of(fresh_app).connect() as c:
        assert c.scalar(text("SELECT count(*) FROM area_trend")) == 0
    engine_of(fresh_app).dispose()
    command.upgrade(cfg, "head")


def test_db_upgrade_of_a_database_with_data_recomputes_the_kept_figures(fresh_app):
    """`sozmon db upgrade` past 0024 fills what the migration cannot (the trends), so an
    upgraded install shows its trends without a second command; an upgrade that changes no
    revision recomputes nothing."""
    from alembic import command

    from app.cli.data import alembic_config

    def trends() -> int:
        with engine_of(fresh_app).connect() as c:
            n: int = c.scalar(text("SELECT count(*) FROM area_trend"))
        engine_of(fresh_app).dispose()
        return n

    kept = trends()
    assert kept > 0
    command.downgrade(alembic_config(fresh_app.config["DATABASE_URL"]), "0023")
    result = invoke(fresh_app, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "Schema von 0023" in result.output and "area_trend" in result.output, result.output
    assert trends() == kept
    again = invoke(fresh_app, "db", "upgrade")
    assert again.exit_code == 0 and "neu berechnet" not in again.output, again.output
