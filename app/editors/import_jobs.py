"""Editors' uploads imported in the background: a job row in PostgreSQL, one worker process each.

Why a process per job, started by the upload request (and not a thread or a standing worker):
- the import's memory is returned to the system when the process ends (a gunicorn worker that
  had grown by an import would stay grown), and a crash of it takes no web worker with it;
- gunicorn's timeout and worker restarts do not touch it (own session, not a child gunicorn
  waits for), and nothing else has to be supervised: scripts/serve needs no extra service.
A worker holds a PostgreSQL advisory lock (JOB_LOCK, job id) for its whole life and the import
slot lock (JOB_LOCK, 0) while it imports, so imports run one at a time (memory stays bounded
on a small server) and a job whose worker died (killed, server restart) is recognised by the
missing lock: `refresh_stale` marks it failed the next time anyone looks at a job.
The draft, the audit entry and the job's 'done' are written in one transaction.

Run by the app as `python -m app.editors.import_jobs JOB_ID` with DATABASE_URL (and IMPORT_MAX_BYTES)
in its environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path

from sqlalchemy import Connection, Engine, text

JOB_LOCK = 26012  # first key of the advisory locks: (JOB_LOCK, job id), (JOB_LOCK, 0) = slot
QUEUED_GRACE_S = 120  # a queued job whose worker has not taken its lock by then never started


def upload_folder(instance_path: str) -> Path:
    """A new folder for one upload's files (below instance/uploads)."""
    folder = Path(instance_path) / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True, mode=0o700)
    return folder


def create(
    conn: Connection,
    *,
    label: str,
    note: str,
    editor: str,
    ip: str | None,
    folder: Path,
    files: list[tuple[str, str]],
    catalogue: tuple[str, str] | None,
) -> int:
    """Insert a queued job (files: stored path and the editor's file name); its id."""
    import json

    return conn.scalar(
        text(
            "INSERT INTO import_job (label, note, editor, ip, folder, files, catalogue)"
            " VALUES (:l, :n, :e, :ip, :f, CAST(:files AS jsonb), CAST(:cat AS jsonb))"
            " RETURNING id"
        ),
        {
            "l": label,
            "n": note,
            "e": editor[:80],
            "ip": (ip or "")[:64] or None,
            "f": str(folder),
            "files": json.dumps(files),
            "cat": json.dumps(catalogue) if catalogue else None,
        },
    )


def start(job_id: int, database_url: str, max_bytes: int) -> None:
    """Start the job's worker process (detached; a thread of this process reaps it)."""
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "IMPORT_MAX_BYTES": str(max_bytes),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.editors.import_jobs", str(job_id)],
        env=env,
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=None,  # a crash's traceback goes to the app's log
        start_new_session=True,
    )
    threading.Thread(target=proc.wait, daemon=True, name=f"import-job-{job_id}").start()


_HELD = (
    "EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND l.classid = {lock} AND l.objid = j.id AND l.objsubid = 2)"
)


def refresh_stale(engine: Engine) -> int:
    """Mark jobs failed whose worker is gone (no lock held); the number marked."""
    with engine.begin() as conn:
        gone = conn.execute(
            text(
                "UPDATE import_job j SET status = 'failed', finished_at = now(),"
                " error = 'worker' WHERE j.status IN ('queued', 'running')"
                f" AND NOT {_HELD.format(lock=JOB_LOCK)}"
                " AND (j.status = 'running'"
                f" OR j.created_at < now() - interval '{QUEUED_GRACE_S} seconds')"
                " RETURNING folder"
            )
        ).scalars()
        folders = list(gone)
    for f in folders:
        shutil.rmtree(f, ignore_errors=True)
    return len(folders)


def get(conn: Connection, job_id: int) -> dict | None:
    row = conn.execute(text("SELECT * FROM import_job WHERE id = :id"), {"id": job_id}).first()
    return dict(row._mapping) if row else None


def run(engine: Engine, job_id: int, max_bytes: int) -> str:
    """Do one job (in the worker process); its final status."""
    from app.editors import audit
    from geodata.report import LoadError
    from indicators.importer import import_release, renamed

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
        lock.execute(text("SELECT pg_advisory_lock(:k, :id)"), {"k": JOB_LOCK, "id": job_id})
        job = get(lock, job_id)
        if job is None or job["status"] != "queued":
            return job["status"] if job else "missing"
        lock.execute(text("SELECT pg_advisory_lock(:k, 0)"), {"k": JOB_LOCK})  # one at a time
        lock.execute(
            text("UPDATE import_job SET status = 'running', started_at = now() WHERE id = :id"),
            {"id": job_id},
        )
        names = {p: name for p, name in job["files"]}
        cat = job["catalogue"]
        if cat:
            names[cat[0]] = cat[1]
        try:
            with engine.begin() as conn:  # one transaction: the draft, the audit entry, 'done'
                rid, v = import_release(
                    conn,
                    [Path(p) for p, _ in job["files"]],
                    job["label"],
                    catalogue=Path(cat[0]) if cat else None,
                    note=job["note"],
                    created_by=job["editor"],
                    max_bytes=max_bytes,
                )
                audit.record(
                    conn, job["editor"], "import", job["label"], f"{v.count} Werte", job["ip"]
                )
                conn.execute(
                    text(
                        "UPDATE import_job SET status = 'done', release_id = :r,"
                        " value_count = :n, finished_at = now() WHERE id = :id"
                    ),
                    {"r": rid, "n": v.count, "id": job_id},
                )
            status = "done"
        except LoadError as err:
            problems = [p.as_dict() for p in renamed(err.problems, names)]
            _fail(lock, job_id, problems=problems)
            status = "failed"
        except Exception as exc:
            _fail(lock, job_id, error=f"{type(exc).__name__}: {exc}"[:2000])
            raise
        finally:
            shutil.rmtree(job["folder"], ignore_errors=True)
            lock.execute(text("SELECT pg_advisory_unlock_all()"))
    return status


def _fail(conn: Connection, job_id: int, problems: list | None = None, error: str | None = None):
    import json

    conn.execute(
        text(
            "UPDATE import_job SET status = 'failed', finished_at = now(),"
            " problems = CAST(:p AS jsonb), error = :e WHERE id = :id"
        ),
        {"p": json.dumps(problems) if problems is not None else None, "e": error, "id": job_id},
    )


def main(argv: list[str]) -> int:
    from app.web.db import make_engine

    engine = make_engine(os.environ["DATABASE_URL"])
    max_bytes = int(os.environ.get("IMPORT_MAX_BYTES") or 20 * 1024 * 1024)
    try:
        return 0 if run(engine, int(argv[1]), max_bytes) in ("done", "failed") else 1
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
