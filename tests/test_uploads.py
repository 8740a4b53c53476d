"""Big uploads within the limits: streamed (peak RSS growth ≤ 300 MB) and run as a job."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from tests.conftest import invoke
from tests.test_editor import PASSWORD, login, upload
from tests.test_import_corpus import full_checksum
from tests.test_releases import SMALL, small_release

DATA = Path(__file__).parent / "data"

ROOT = Path(__file__).resolve().parents[1]
# The code a measured child runs (another checkout to measure the code before a change).
CODE = Path(os.environ.get("SOZMON_MEASURE_CODE") or ROOT)
AREAS = [f"032410{n:02d}" for n in range(1, 22)] + ["03241"]
YEARS = range(1990, 2025)
RSS_LIMIT_MB = 300  # the bound issue #26 names

# Runs in a child process: the app as tests make it, one CLI command, then its own memory.
CHILD = """
import json, sys, time
from sqlalchemy import text
from tests.conftest import make_app

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024  # kB -> MB

app = make_app(sys.argv[1])
with app.extensions["sozmon_engine"].connect() as c:
    c.execute(text("SELECT 1"))
base = status("VmRSS")
t0 = time.perf_counter()
res = app.test_cli_runner().invoke(args=sys.argv[2:])
print(json.dumps({"base_mb": base, "peak_mb": status("VmHWM"), "s": time.perf_counter() - t0,
                  "exit": res.exit_code, "output": res.output[-3000:]}))
"""


def measured(app, *args: str) -> dict:
    """Run a sozmon command in a child process; its time and peak RSS growth (MB)."""
    db = make_url(app.config["DATABASE_URL"]).database
    out = subprocess.run(
        [sys.executable, "-c", CHILD, db, *args],
        cwd=CODE,
        capture_output=True,
        text=True,
        timeout=600,
        env={
            **os.environ,
            "PYTHONPATH": str(CODE),
            "TEST_DATABASE_URL": app.config["DATABASE_URL"],
        },
    )
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["growth_mb"] = res["peak_mb"] - res["base_mb"]
    print(f"{args[:2]}: {res['s']:.1f} s, peak RSS growth {res['growth_mb']:.0f} MB")
    return res


def add_indicators(app, n: int) -> list[str]:
    """n catalogue indicators (first year 1990) for test releases of any size."""
    ids = [f"up_{i:04d}" for i in range(n)]
    with app.extensions["sozmon_engine"].begin() as c:
        c.execute(
            text(
                "INSERT INTO indicator (id, topic_id, name_de, name_en, unit, decimals, polarity,"
                " first_year, definition_de, definition_en, source, sort)"
                " SELECT i, 'arbeit', 'Test ' || i, 'Test ' || i, 'Index', 1, 'neutral', 1990,"
                " 'Zum Testen.', 'Test.', 'Testamt', 10000 + n"
                " FROM unnest(CAST(:ids AS text[])) WITH ORDINALITY AS t(i, n)"
            ),
            {"ids": ids},
        )
    return ids


def rows(ids: list[str]):
    for i in ids:
        for a in AREAS:
            for y in YEARS:
                yield a, i, y, round((y - 1900) * 1.5 + int(a[-2:]) + 0.25, 2)


def big_csv(path: Path, ids: list[str], target: int) -> int:
    """Long-form rows up to target bytes (whole indicators); returns the row count."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("ags,indicator,year,value\n")
        for i in ids:
            for a, ind, y, v in rows([i]):
                fh.write(f"{a},{ind},{y},{v}\n")
                n += 1
            if fh.tell() >= target:
                break
    return n


def big_xlsx(path: Path, ids: list[str], n_rows: int) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Werte")
    ws.append(["ags", "indicator", "year", "value"])
    n = 0
    for i in ids:
        for row in rows([i]):
            ws.append(list(row))
            n += 1
        if n >= n_rows:
            break
    wb.save(path)
    return n


@pytest.fixture
def big_app(fresh_app):
    fresh_app.config["_ids"] = add_indicators(fresh_app, 1000)
    return fresh_app


def count_values(app, label: str) -> int | None:
    with app.extensions["sozmon_engine"].connect() as c:
        rid = c.scalar(text("SELECT id FROM release WHERE label = :l"), {"l": label})
        if rid is None:
            return None
        return c.scalar(text("SELECT count(*) FROM value WHERE release_id = :r"), {"r": rid})


def test_20mb_csv_import_stays_within_300mb(big_app, tmp_path):
    path = tmp_path / "gross.csv"
    n = big_csv(path, big_app.config["_ids"], 20_000_000)
    size = path.stat().st_size
    assert 20_000_000 <= size <= big_app.config["IMPORT_MAX_BYTES"]
    res = measured(big_app, "load-release", str(path), "--label", "gross", "--draft")
    assert res["exit"] == 0, res["output"]
    assert count_values(big_app, "gross") == n
    assert res["growth_mb"] <= RSS_LIMIT_MB, res


def test_big_xlsx_import_is_streamed(big_app, tmp_path):
    path = tmp_path / "gross.xlsx"
    n = big_xlsx(path, big_app.config["_ids"], 120_000)  # ~2.3 MB (17 MB: see docs/operations.md)
    res = measured(big_app, "load-release", str(path), "--label", "gross-xlsx", "--draft")
    assert res["exit"] == 0, res["output"]
    assert count_values(big_app, "gross-xlsx") == n
    # Read into lists (before #26) these rows alone took ~150 MB; streamed ~15 MB.
    assert res["growth_mb"] <= RSS_LIMIT_MB / 4, res


@pytest.fixture
def site(fresh_app):
    """One editor; every upload (however small) is imported as a background job."""
    result = invoke(fresh_app, "editor-add", "redaktion", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    fresh_app.config["UPLOAD_INLINE_MAX_BYTES"] = 0
    return fresh_app


def finished(client, url: str, timeout: float = 120) -> str:
    """The job page once it no longer reloads itself (the job is done or failed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get(url)
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        if 'http-equiv="refresh"' not in html:
            return html
        time.sleep(0.3)
    raise AssertionError(f"job not finished after {timeout} s: {html[-500:]}")


def job_row(app, label: str) -> dict:
    with app.extensions["sozmon_engine"].connect() as c:
        return dict(
            c.execute(text("SELECT * FROM import_job WHERE label = :l"), {"l": label})
            .one()
            ._mapping
        )


def without_jobs(checksum: dict) -> dict:
    return {
        k: v
        for k, v in checksum.items()
        if k not in ("import_job", "seq:import_job_id_seq", "login_failure")
    }


def test_web_upload_becomes_a_job_and_the_editor_sees_the_draft(site, tmp_path):
    client = site.test_client()
    login(client)
    path = small_release(tmp_path / "klein.csv", SMALL)
    r = upload(client, [path], "2025-job")
    assert r.status_code == 302
    url = r.headers["Location"]
    assert re.fullmatch(r"/redaktion/import/\d+", url)
    html = finished(client, url)
    m = re.search(r"Entwurf 2025-job mit (\d+) Werten geladen", html)
    assert m, html
    rid = job_row(site, "2025-job")["release_id"]
    assert f'href="/redaktion/release/{rid}"' in html
    assert count_values(site, "2025-job") == int(m.group(1)) > 0
    assert client.get(f"/redaktion/release/{rid}").status_code == 200
    job = job_row(site, "2025-job")
    assert job["status"] == "done" and job["editor"] == "redaktion"
    assert not Path(job["folder"]).exists()  # the stored upload is removed after the job
    with site.extensions["sozmon_engine"].connect() as c:
        audit = c.execute(
            text("SELECT editor, detail FROM audit_log WHERE action = 'import'")
        ).all()
    assert audit == [("redaktion", f"{m.group(1)} Werte")]
    assert site.test_client().get(url).status_code == 302  # editors only


def test_bad_file_in_a_job_shows_file_row_column_and_writes_nothing(site):
    client = site.test_client()
    login(client)
    before = without_jobs(full_checksum(site))
    bad = DATA / "bad_releases"
    r = upload(client, [bad / "unknown_ags.csv", bad / "xlsx_text_in_number.xlsx"], "kaputt")
    assert r.status_code == 302
    html = finished(client, r.headers["Location"])
    assert "nichts gespeichert" in html and "/uploads/" not in html  # the editor's file names
    cells = re.findall(
        r"<tr><td>([^<]*)</td><td>([^<]*)</td><td class=\"num\">(\d*)</td>\s*"
        r"<td>([^<]*)</td><td>([^<]*)</td>",
        html,
    )
    assert any(
        f == "unknown_ags.csv" and row and col == "ags" and "03241099" in msg
        for f, _s, row, col, msg in cells
    ), cells
    assert ("xlsx_text_in_number.xlsx", "Werte", "7", "value") in [c[:4] for c in cells]
    assert 'download="pruefbericht.csv"' in html
    assert job_row(site, "kaputt")["status"] == "failed"
    assert without_jobs(full_checksum(site)) == before


def test_a_job_whose_worker_died_is_marked_failed(site, tmp_path):
    client = site.test_client()
    login(client)
    with site.extensions["sozmon_engine"].begin() as c:
        job_id = c.scalar(
            text(
                "INSERT INTO import_job (status, label, editor, folder, files, started_at)"
                " VALUES ('running', 'verwaist', 'redaktion', :f, '[[\"x\", \"werte.csv\"]]', now())"
                " RETURNING id"
            ),
            {"f": str(tmp_path / "weg")},
        )
    html = client.get(f"/redaktion/import/{job_id}").get_data(as_text=True)
    assert "Der Import wurde abgebrochen" in html and 'http-equiv="refresh"' not in html
    assert job_row(site, "verwaist")["status"] == "failed"
    assert client.get("/redaktion/import/999999").status_code == 404


def test_a_role_without_ddl_imports_into_the_default_partition(fresh_app, tmp_path):
    """Least privilege (no DDL, not the owner of value): the import still works."""
    path = small_release(tmp_path / "klein.csv", SMALL)
    role = f"up_noddl_{os.getpid()}"
    eng = fresh_app.extensions["sozmon_engine"]
    with eng.begin() as c:
        c.execute(text(f"DROP ROLE IF EXISTS {role}"))
        c.execute(text(f"CREATE ROLE {role} NOLOGIN"))
        c.execute(text(f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}"))
        c.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    try:
        from indicators.importer import import_release

        with eng.begin() as c:
            c.execute(text(f"SET LOCAL ROLE {role}"))
            rid, v = import_release(c, [path], "ohne-ddl")
        assert count_values(fresh_app, "ohne-ddl") == v.count > 0
        with eng.connect() as c:
            assert not c.scalar(text(f"SELECT to_regclass('value_r{rid}') IS NOT NULL"))
    finally:
        with eng.begin() as c:
            c.execute(text(f"REASSIGN OWNED BY {role} TO CURRENT_USER"))
            c.execute(text(f"DROP OWNED BY {role}"))
            c.execute(text(f"DROP ROLE {role}"))
