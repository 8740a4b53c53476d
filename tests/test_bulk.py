"""COPY bulk loading into a release partition: attached when clean, nothing left when not."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from geodata.report import LoadError
from indicators.bulk import copy_values
from indicators.loaders import create_release
from indicators.releases import publish
from tests.conftest import db_checksum


def _rows(*rows: tuple) -> list[bytes]:
    return ["".join("\t".join(map(str, r)) + "\n" for r in rows).encode()]


def test_copy_attaches_a_partition_and_values_are_served(fresh_app):
    eng = fresh_app.extensions["sozmon_engine"]
    with eng.begin() as c:
        rid = create_release(c, "bulk-1", synthetic=True)
        n = copy_values(
            c,
            rid,
            _rows(
                ("armutsgefaehrdung_quote", "03241001", 2030, 12.5, r"\N", r"\N"),
                ("armutsgefaehrdung_quote", "03241002", 2030, 7.25, 5, 69),
            ),
        )
        publish(c, "bulk-1", 3)  # a bulk release goes live the one way, too
    assert n == 2
    with eng.connect() as c:
        part = c.scalar(
            text(
                "SELECT inhrelid::regclass::text FROM pg_inherits"
                " WHERE inhparent = 'value'::regclass AND inhrelid::regclass::text = :p"
            ),
            {"p": f"value_r{rid}"},
        )
        assert part == f"value_r{rid}"
        rows = c.execute(
            text("SELECT ags, value, numerator FROM value WHERE release_id = :r ORDER BY ags"),
            {"r": rid},
        ).all()
    assert rows == [("03241001", 12.5, None), ("03241002", 7.25, 5.0)]
    body = (
        fresh_app.test_client()
        .get("/api/v1/mapdata?indikator=armutsgefaehrdung_quote&jahr=2030")
        .get_json()
    )
    assert body["data"]["03241002"] == 7.25 and body["release"] == "bulk-1"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("armutsgefaehrdung_quote", "09999999", 2030, 1, r"\N", r"\N"), "unbekanntes Gebiet"),
        (("gibts_nicht", "03241001", 2030, 1, r"\N", r"\N"), "unbekannter Indikator"),
        (
            ("armutsgefaehrdung_quote", "03241001", 2030, 101, r"\N", r"\N"),
            "Anteil außerhalb 0–100",
        ),
    ],
)
def test_bad_copy_leaves_nothing_behind(fresh_app, row, message):
    eng = fresh_app.extensions["sozmon_engine"]
    before = db_checksum(fresh_app)
    parts = "SELECT count(*) FROM pg_class WHERE relname LIKE 'value_r%'"
    with eng.connect() as c:
        n_parts = c.scalar(text(parts))  # the loaded releases' own partitions
    with pytest.raises(LoadError, match=message), eng.begin() as c:
        rid = create_release(c, "bulk-bad", synthetic=True)
        copy_values(c, rid, _rows(row))
    assert db_checksum(fresh_app) == before
    with eng.connect() as c:
        assert c.scalar(text(parts)) == n_parts
