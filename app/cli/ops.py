"""Operations commands: backup and restore of the whole database (pg_dump / pg_restore)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import make_url, text

from app.web.db import get_engine


def pg_tool(name: str) -> str:
    """Path of a PostgreSQL client program, newest server version first (dump format)."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/" + name),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    found = str(versions[-1]) if versions else shutil.which(name)
    if not found:
        raise click.ClickException(f"{name} nicht gefunden (Paket postgresql-client installieren).")
    return found


def libpq_env(url: str) -> dict[str, str]:
    """The SQLAlchemy URL as libpq environment variables (no password on a command line)."""
    u = make_url(url)
    env = dict(os.environ)
    host = u.query.get("host") or u.host
    port = u.query.get("port") or u.port
    for var, value in (
        ("PGHOST", host),
        ("PGPORT", port),
        ("PGUSER", u.username),
        ("PGPASSWORD", u.password),
        ("PGDATABASE", u.database),
    ):
        if value:
            env[var] = str(value)
    return env


def user_tables(conn) -> list[str]:
    """Tables of the application (public schema), PostGIS's own catalogue left out."""
    return list(
        conn.scalars(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'spatial_ref_sys' ORDER BY tablename"
            )
        )
    )


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_cmd(file: Path) -> None:
    """Write the whole database (releases, catalogue, areas, editors, log) to FILE (pg_dump -Fc).

    The file holds the editors' password hashes: it is created readable by its owner only.
    """
    tmp = file.with_name(f".{file.name}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    run = subprocess.run(
        [pg_tool("pg_dump"), "--format=custom", "--file", str(tmp)],
        env=libpq_env(current_app.config["DATABASE_URL"]),
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        tmp.unlink(missing_ok=True)
        click.secho(
            f"Sicherung fehlgeschlagen, {file} nicht geschrieben:\n{run.stderr}", fg="red", err=True
        )
        sys.exit(1)
    tmp.replace(file)  # complete or not at all: an old backup is never half overwritten
    click.echo(f"Sicherung geschrieben: {file} ({file.stat().st_size / 1e6:.1f} MB)")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--clean", is_flag=True, help="Replace the tables of a non-empty database (dropped first)."
)
@with_appcontext
def restore_cmd(file: Path, clean: bool) -> None:
    """Restore a backup from FILE into the database, in one transaction.

    Into an empty database (createdb NAME; DATABASE_URL=… sozmon restore FILE); a database
    that has tables is refused unless --clean.
    """
    env = libpq_env(current_app.config["DATABASE_URL"])
    listing = subprocess.run(
        [pg_tool("pg_restore"), "--list", str(file)], capture_output=True, text=True
    )
    if listing.returncode != 0:
        click.secho(
            f"{file}: keine Sicherung von sozmon backup (pg_dump -Fc): {listing.stderr.strip()}",
            fg="red",
            err=True,
        )
        sys.exit(1)
    with get_engine().connect() as conn:
        existing = user_tables(conn)
    get_engine().dispose()  # pg_restore --clean must not wait for our idle connection
    if existing and not clean:
        click.secho(
            f"Die Datenbank {env.get('PGDATABASE')} ist nicht leer ({len(existing)}"
            " Tabellen); nichts geändert. In eine leere Datenbank wiederherstellen oder"
            " --clean angeben.",
            fg="red",
            err=True,
        )
        sys.exit(1)
    if clean:
        run = _restore_replacing(file, env)
    else:
        run = subprocess.run(
            [
                pg_tool("pg_restore"),
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--dbname",
                env.get("PGDATABASE", ""),
                str(file),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
    if run.returncode != 0:
        click.secho(
            f"Wiederherstellung fehlgeschlagen, nichts geändert:\n{run.stderr}", fg="red", err=True
        )
        sys.exit(1)
    with get_engine().connect() as conn:
        n = len(user_tables(conn))
    click.echo(f"Wiederhergestellt aus {file}: {n} Tabellen.")


def _restore_replacing(file: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Drop the public schema and replay the dump's SQL, in one transaction committed last.

    pg_restore --clean cannot drop the partitions' inherited constraints. Here psql gets
    BEGIN, the drop, the script streamed from pg_restore, and COMMIT only if pg_restore ended
    well (else ROLLBACK): any failure leaves the old database untouched.
    """
    # Messages go to files: a full pipe must not stall either program while we stream.
    psql_err, dump_err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    psql = subprocess.Popen(
        [pg_tool("psql"), "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "-f", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=psql_err,
        env=env,
    )
    dump = subprocess.Popen(
        [pg_tool("pg_restore"), "--no-owner", "--file", "-", str(file)],
        stdout=subprocess.PIPE,
        stderr=dump_err,
        env=env,
    )
    assert psql.stdin is not None and dump.stdout is not None
    try:
        psql.stdin.write(b"BEGIN;\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n")
        while chunk := dump.stdout.read(1 << 20):
            psql.stdin.write(chunk)
        dump_ok = dump.wait() == 0
        psql.stdin.write(b"\nCOMMIT;\n" if dump_ok else b"\nROLLBACK;\n")
        psql.stdin.close()
    except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP): nothing committed
        dump.kill()
        dump.wait()
    psql.wait()
    code = psql.returncode or (0 if dump.returncode == 0 else 1)
    messages = []
    for fh in (psql_err, dump_err):
        fh.seek(0)
        messages.append(fh.read().decode(errors="replace"))
        fh.close()
    return subprocess.CompletedProcess(psql.args, code, "", "".join(messages))


@click.command("coverage")
@click.option("--von", "first_year", default=2012, show_default=True, type=int)
@click.option("--bis", "last_year", default=2021, show_default=True, type=int)
@with_appcontext
def coverage_cmd(first_year: int, last_year: int) -> None:
    """Count the real indicator-years of the Kommunen (README: how much of it is real)."""
    from indicators.coverage import real_coverage, year_spans

    with get_engine().connect() as conn:
        c = real_coverage(conn, first_year, last_year)
    click.echo(
        f"{c.first_year}–{c.last_year}: {c.n_complete} von {c.possible} Kennzahl-Jahren"
        f" ({c.n_indicators} Kennzahlen) amtlich für alle {c.n_kommunen} Kommunen,"
        f" {c.n_any} für mindestens eine."
    )
    click.echo("| Kennzahl | alle Kommunen | einige Kommunen |")
    click.echo("|---|---|---|")
    for ind in sorted(set(c.complete) | set(c.partial)):
        click.echo(
            f"| `{ind}` | {year_spans(c.complete.get(ind, []))}"
            f" | {year_spans(c.partial.get(ind, []))} |"
        )


OPS_COMMANDS = (backup_cmd, restore_cmd, coverage_cmd)
