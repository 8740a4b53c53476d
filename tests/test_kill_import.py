"""An import killed mid-way (a real process, SIGKILL) leaves the published data as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import make_url, text

from indicators.catalogue import CATALOGUE_COLUMNS
from tests.conftest import invoke
from tests.test_import_corpus import full_checksum

SOZMON = Path(sys.executable).parent / "sozmon"
AREAS = [f"032410{n:02d}" for n in range(1, 22)] + ["03241"]
CAT_HEADER = ",".join(CATALOGUE_COLUMNS)


def big_release(
    tmp: Path, n_indicators: int = 150, years: range = range(1990, 2025)
) -> tuple[Path, Path]:
    """A catalogue of new indicators and ~115,000 valid values: big enough to take a while."""
    cat, values = tmp / "katalog.csv", tmp / "werte.csv"
    ids = [f"kill_{i:03d}" for i in range(n_indicators)]
    cat.write_text(
        CAT_HEADER
        + "\n"
        + "".join(
            f"{i},arbeit,Test {i},Test {i},Index,1,neutral,1990,Zum Testen.,Test.,Testamt,,\n"
            for i in ids
        ),
        encoding="utf-8",
    )
    with values.open("w", encoding="utf-8") as fh:
        fh.write("ags,indicator,year,value\n")
        for i in ids:
            for a in AREAS:
                for y in years:
                    fh.write(f"{a},{i},{y},{(y - 1900) * 1.5 + int(a[-2:]):.1f}\n")
    return cat, values


def busy_backends(app) -> list[tuple]:
    """Other sessions on the test database that are inside a transaction."""
    db = make_url(app.config["DATABASE_URL"]).database
    with app.extensions["sozmon_engine"].connect() as c:
        return c.execute(
            text(
                "SELECT pid, state, left(query, 60) FROM pg_stat_activity WHERE datname = :d"
                " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            ),
            {"d": db},
        ).all()


def test_sigkill_mid_import_leaves_published_release_unchanged(fresh_app, tmp_path):
    cat, values = big_release(tmp_path)
    assert values.stat().st_size < fresh_app.config["IMPORT_MAX_BYTES"]
    before = full_checksum(fresh_app)
    env = {**os.environ, "DATABASE_URL": fresh_app.config["DATABASE_URL"], "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [str(SOZMON), "import", str(values), "--catalogue", str(cat), "--label", "abgebrochen"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    try:
        # Wait for the first "geschrieben: 5000 von …" line: values are in the open transaction.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = child.stderr.readline()
            if not line:
                break
            seen.append(line)
            if line.startswith("geschrieben:"):
                break
        assert seen and seen[-1].startswith("geschrieben:"), "".join(seen)
        written, total = (int(x) for x in seen[-1].split()[1::2])
        assert 0 < written < total  # really mid-way
        assert busy_backends(fresh_app), "the import's transaction should be open"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    # PostgreSQL notices the closed socket and rolls the transaction back.
    deadline = time.monotonic() + 60
    while busy_backends(fresh_app) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not busy_backends(fresh_app)
    after = full_checksum(fresh_app)
    # Sequences are not transactional (the killed INSERT took an id): compare the tables.
    assert {k: v for k, v in after.items() if not k.startswith("seq:")} == {
        k: v for k, v in before.items() if not k.startswith("seq:")
    }
    with fresh_app.extensions["sozmon_engine"].connect() as c:
        assert c.scalar(text("SELECT count(*) FROM release WHERE label = 'abgebrochen'")) == 0
        assert c.scalar(text("SELECT count(*) FROM indicator WHERE id LIKE 'kill_%'")) == 0
        assert (
            c.scalar(text("SELECT status FROM release WHERE label = 'demo-2024-2'")) == "published"
        )
    # Nothing half-done blocks a new attempt with the same label.
    (tmp_path / "klein").mkdir()
    small_cat, small_values = big_release(
        tmp_path / "klein", n_indicators=1, years=range(2020, 2022)
    )
    result = invoke(
        fresh_app,
        "import",
        str(small_values),
        "--catalogue",
        str(small_cat),
        "--label",
        "abgebrochen",
    )
    assert result.exit_code == 0, result.output
