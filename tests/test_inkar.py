"""INKAR 2024 (BBSR) end to end: stored values against the Parquet files, refused files.

Expected numbers are read from the original files here with pyarrow, independently of
indicators/inkar.py: no number is copied from a file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from geodata import attribution
from geodata.report import LoadError
from indicators import inkar
from tests.conftest import DATA_DIR, app_on_clone, db_checksum, invoke

INKAR = DATA_DIR / "inkar"
FILES = ("sozialleistungen", "medizinische_und_soziale_versorgung", "siedlungsstruktur")
pytestmark = pytest.mark.skipif(not INKAR.is_dir(), reason="inkar/ not available")


@pytest.fixture(scope="module")
def inkar_app(real_template: str):
    """A default install (load-all, which loads inkar-2024) on its own database."""
    yield from app_on_clone(real_template, DEMO=False)


def _mapping() -> dict[str, str]:
    with inkar.MAPPING.open(encoding="utf-8") as fh:
        return {r["kuerzel"]: r["indicator"] for r in csv.DictReader(fh, delimiter=";")}


def _stored(app, ags: set[str]) -> dict[tuple[str, str, int], float]:
    with app.extensions["sozmon_engine"].connect() as conn:
        rows = conn.execute(
            text(
                "SELECT v.indicator_id, v.ags, v.year, v.value FROM value v"
                " JOIN release r ON r.id = v.release_id"
                " WHERE r.label = 'inkar-2024' AND v.ags = ANY(:a)"
            ),
            {"a": sorted(ags)},
        ).all()
    return {(i, a, y): v for i, a, y, v in rows}


def test_every_value_of_the_region_niedersachsen_and_germany_is_stored_as_published(inkar_app):
    """Every value of every code for the 21 Kommunen, the Region, Niedersachsen and the Bund."""
    ours = {("Bundesländer", "03"): "03", ("Bund", "111"): "DG", ("Kreise", "03241000"): "03241"}
    mapping = _mapping()
    expected: dict[tuple[str, str, int], float] = {}
    kommunen = set()
    for stem in FILES:
        table = pq.read_table(INKAR / f"{stem}.parquet").to_pylist()
        for r in table:
            key = (r["raumbezug"], r["kennziffer"])
            if key[0] == "Gemeinden" and key[1].startswith("03241"):
                ags = key[1]
                kommunen.add(ags)
            elif key in ours:
                ags = ours[key]
            else:
                continue
            for code, v in r.items():
                if code not in ("raumbezug", "kennziffer", "name", "zeitbezug") and v is not None:
                    expected[mapping[code], ags, int(r["zeitbezug"])] = v
    assert len(kommunen) == 21
    stored = _stored(inkar_app, kommunen | set(ours.values()))
    assert stored == expected  # same keys (nothing left out, nothing added), same numbers
    # The 22 Gemeinde-level codes: child poverty 2021–2022, doctors 2015–2022, density 1996–2022.
    codes = {c for c in mapping if (mapping[c], "03241001", 2022) in stored}
    assert len(codes) == 22
    assert {y for i, a, y in stored if i == "sgb2_u15_quote_inkar" and a == "03241001"} == {
        2021,
        2022,
    }
    assert min(y for i, a, y in stored if i == "bev_dichte_inkar" and a == "03241013") == 1996


def test_release_names_inkar_and_each_statistic(inkar_app):
    with inkar_app.extensions["sozmon_engine"].connect() as conn:
        rel = conn.execute(
            text("SELECT id, note, status, synthetic FROM release WHERE label = 'inkar-2024'")
        ).one()
        sources = dict(
            conn.execute(
                text("SELECT indicator_id, source FROM release_source WHERE release_id = :r"),
                {"r": rel.id},
            ).all()
        )
    assert rel.status == "published" and not rel.synthetic
    assert attribution.INKAR in rel.note and attribution.LICENCE in rel.note
    assert set(sources) == set(_mapping().values())
    assert all(s.startswith(f"{attribution.INKAR_COPYRIGHT}; ") for s in sources.values())
    assert "Statistik der Grundsicherung für Arbeitsuchende" in sources["sgb2_u15_quote_inkar"]
    assert "Kassenärztliche Bundesvereinigung" in sources["hausaerzte_quote"]
    assert sources["bev_dichte_inkar"].endswith(f"({attribution.LICENCE})")


def _copy(tmp_path: Path, stem: str, table: pa.Table) -> Path:
    """A folder with INKAR's files, one of them replaced by the given table."""
    folder = tmp_path / "inkar"
    folder.mkdir()
    for f in INKAR.glob("*.parquet"):
        (folder / f.name).symlink_to(f)
    (folder / f"{stem}.parquet").unlink()
    pq.write_table(table, folder / f"{stem}.parquet")
    return folder


def _region_row(table: pa.Table) -> int:
    """Index of the Region's first Kreis record (0-based)."""
    keys = table["kennziffer"].to_pylist()
    return next(i for i, k in enumerate(keys) if k == "03241000")


def _without(table: pa.Table, column: str) -> pa.Table:
    return table.drop_columns([column])


def _bad_year(table: pa.Table) -> pa.Table:
    years = table["zeitbezug"].to_pylist()
    years[_region_row(table)] = "2O21"  # letter O
    return table.set_column(table.column_names.index("zeitbezug"), "zeitbezug", pa.array(years))


def _unknown_code(table: pa.Table) -> pa.Table:
    return table.append_column("q_neu_bev", pa.array([1.0] * table.num_rows))


SOZ = pq.read_table(INKAR / "sozialleistungen.parquet") if INKAR.is_dir() else None


@pytest.mark.parametrize(
    ("change", "row", "column"),
    [
        (lambda t: _without(t, "kennziffer"), None, "kennziffer"),
        (lambda t: _without(t, "raumbezug"), None, "raumbezug"),
        (lambda t: _without(t, "zeitbezug"), None, "zeitbezug"),
        (_bad_year, "region", "zeitbezug"),
        (_unknown_code, None, "q_neu_bev"),
    ],
    ids=["no-kennziffer", "no-raumbezug", "no-zeitbezug", "year-2O21", "unknown-kuerzel"],
)
def test_a_malformed_file_is_refused_with_file_row_column_and_nothing_changes(
    inkar_app, tmp_path, change, row, column
):
    folder = _copy(tmp_path, "sozialleistungen", change(SOZ))
    before = db_checksum(inkar_app)
    result = invoke(inkar_app, "load-inkar", str(folder), "--label", "inkar-test")
    assert result.exit_code == 1
    out = result.output
    assert "nichts geändert" in out
    assert f"{folder / 'sozialleistungen.parquet'}" in out
    assert f"Spalte {column}" in out
    if row == "region":
        assert f"Zeile {_region_row(SOZ) + 1}, Spalte zeitbezug: kein Jahr: '2O21'" in out
    assert db_checksum(inkar_app) == before


def test_a_mapping_that_contradicts_the_catalogue_is_refused(inkar_app, tmp_path):
    text_ = inkar.MAPPING.read_text(encoding="utf-8")
    bad = tmp_path / "mapping.csv"
    bad.write_text(
        text_.replace(
            ";hausaerzte_quote;gesundheit;je 10.000;", ";hausaerzte_quote;gesundheit;je 100.000;"
        ),
        encoding="utf-8",
    )
    line = next(n for n, r in enumerate(text_.splitlines(), start=1) if "q_hausarzt_bev" in r)
    with inkar_app.extensions["sozmon_engine"].connect() as conn:
        with pytest.raises(LoadError) as err:
            inkar.load_inkar(conn, INKAR, "inkar-test", mapping_path=bad)
    [p] = err.value.problems
    assert (p.file, p.row, p.column) == (str(bad), line, "unit")


def test_keys_without_a_loaded_area_are_counted_and_reported(inkar_app, tmp_path):
    """A Kreis key INKAR has and the boundaries do not, and Germany's Gemeinden (not loaded)."""
    table = SOZ
    i = _region_row(table)
    extra = table.slice(i, 1)
    extra = extra.set_column(
        extra.column_names.index("kennziffer"), "kennziffer", pa.array(["03999000"])
    )
    folder = _copy(tmp_path, "sozialleistungen", pa.concat_tables([table, extra]))
    with inkar_app.extensions["sozmon_engine"].connect() as conn:
        trans = conn.begin()
        rep = inkar.load_inkar(conn, folder, "inkar-test")
        stored = conn.scalar(
            text("SELECT count(*) FROM value WHERE release_id = :r"), {"r": rep.release_id}
        )
        trans.rollback()
    assert [k for k, _n in rep.unmatched["Kreise"]] == ["03999000"]
    gemeinden = dict(rep.unmatched["Gemeinden"])
    assert "01001000" in gemeinden and gemeinden["01001000"].startswith("Flensburg")
    assert not any(k.startswith("03241") for k in gemeinden)  # the 21 Kommunen all matched
    assert len(gemeinden) > 10_000
    assert stored == rep.values == sum(rep.by_level.values())
    assert rep.by_level["kommune"] and rep.by_level["region"] and rep.by_level["bund"]
    assert rep.other_levels["Raumordnungsregionen"] > 0  # BBSR regions: counted, not read


@pytest.fixture
def own_app(real_template: str):
    """A default install on a database of this test's own (it writes a release)."""
    yield from app_on_clone(real_template, DEMO=False)


def test_cli_reports_unmatched_keys(own_app):
    """The command says how many keys had no area (here: a second load under another label)."""
    result = invoke(own_app, "load-inkar", str(INKAR), "--label", "inkar-again", "--draft")
    assert result.exit_code == 0, result.output
    assert "Gemeinden: " in result.output and "Schlüssel ohne geladenes Gebiet" in result.output
    assert "als Entwurf" in result.output


def test_a_release_published_at_load_has_planner_statistics_at_once(own_app):
    """Loaded and published in one transaction (no draft step): the release's partition of
    `value` has column statistics when the command returns, so the first visitors after the
    publish do not plan without them (issue #32: an unanalysed INKAR made an area profile 1.5 s)."""
    result = invoke(own_app, "load-inkar", str(INKAR), "--label", "inkar-bund", "--level", "bund")
    assert result.exit_code == 0, result.output
    with own_app.extensions["sozmon_engine"].connect() as c:
        part = c.scalar(
            text(
                "SELECT tableoid::regclass::text FROM value"
                " WHERE release_id = (SELECT id FROM release WHERE label = 'inkar-bund') LIMIT 1"
            )
        )
        n_stats = c.scalar(text("SELECT count(*) FROM pg_stats WHERE tablename = :t"), {"t": part})
    assert part and n_stats > 0, (part, n_stats)
