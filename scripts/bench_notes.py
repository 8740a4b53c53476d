"""Measure what Kontextnotizen cost: the index of all public notes and three pages, with none
and with many notes (a copy of the test suite's loaded template; run from the checkout:
`PYTHONPATH=. .venv/bin/python scripts/bench_notes.py [N]`, after a test run built the
template)."""

from __future__ import annotations

import sys
import time

from sqlalchemy import create_engine, text

from indicators import notes
from tests.conftest import clone_database, drop_database, invoke, make_app, server_url
from tests.test_editor import PASSWORD, login

URLS = (
    "/kommune/03241001",
    "/zeitreihe?indikator=bev_insgesamt&kommunen=03241001",
    "/api/v1/values?indikator=bev_insgesamt",
    "/karte/teile?indikator=bev_insgesamt&jahr=2015",
)


def timed(client, url: str, runs: int = 5) -> float:
    """Median seconds of a request (computed each time: the client is an editor's)."""
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        assert client.get(url).status_code == 200, url
        out.append(time.perf_counter() - t)
    return sorted(out)[len(out) // 2]


def main(n: int) -> None:
    server = create_engine(server_url())
    with server.connect() as c:  # the kept template of the suite's loaded database
        template = c.scalar(
            text("SELECT datname FROM pg_database WHERE datname LIKE 'sozmon_tpl_loaded_%'")
        )
    server.dispose()
    name = clone_database(template)
    try:
        app = make_app(name)
        engine = app.extensions["sozmon_engine"]
        # an editor's requests bypass the page cache (every run computes the page)
        app.config["SESSION_COOKIE_SECURE"] = False
        assert invoke(app, "editor-add", "bench", "--password", PASSWORD).exit_code == 0
        client = app.test_client()
        assert login(client, "bench").status_code == 302
        before = {u: timed(client, u) for u in URLS}
        with engine.begin() as c:
            rid = notes.create_notes_draft(c, "bench-notizen", "bench")
            areas = list(c.scalars(text("SELECT ags FROM area WHERE ags LIKE '03241%'")))
            inds = list(c.scalars(text("SELECT id FROM indicator ORDER BY id")))
            rows = [
                notes.NoteInput(a, i, None, 2008 + k % 16, None, "ereignis", f"Notiz {k}")
                for k, (a, i) in enumerate((a, i) for i in inds for a in areas)
            ][:n]
            notes.import_notes(c, rid, rows, "bench")
        assert invoke(app, "publish", "bench-notizen").exit_code == 0
        with engine.connect() as c:
            t = time.perf_counter()
            index = notes.note_index(c)
            build = time.perf_counter() - t
        after = {u: timed(client, u) for u in URLS}
        print(f"{len(rows)} notes; note_index(): {build * 1000:.0f} ms, {len(index.by_key)} keys")
        for u in URLS:
            print(f"{u}: {before[u] * 1000:.0f} ms without notes, {after[u] * 1000:.0f} ms with")
        engine.dispose()
    finally:
        drop_database(name)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
