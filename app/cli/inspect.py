"""`sozmon inspect FILE`: what a file is (GENESIS export or the office's release file) and, for
a GENESIS table, a mapping skeleton to fill in."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.cli.genesis import mapping_option
from app.web.db import get_engine
from geodata.report import LoadError
from indicators.genesis import is_genesis, parse_genesis
from indicators.genesis_import import check_header
from indicators.genesis_inspect import inspect_table, render, skeleton
from indicators.genesis_mapping import load_mapping
from indicators.release_inspect import inspect_release, render_release


def _fail(err: LoadError) -> None:
    click.secho(f"{len(err.problems)} Problem(e):", fg="red", err=True)
    for p in err.problems:
        click.echo(f"  {p}", err=True)
    sys.exit(1)


def _db_keys() -> tuple[set[str], set[str]] | None:
    """(area keys, indicator ids) of the database, or None if it cannot be read."""
    try:
        with get_engine().connect() as conn:
            areas = set(conn.scalars(text("SELECT ags FROM area")))
            indicators = set(conn.scalars(text("SELECT id FROM indicator")))
    except SQLAlchemyError:
        return None
    return areas, indicators


def boundary_keys(data_dir: Path) -> set[str] | None:
    """The AGS of Germany's Gemeinden in the boundaries file, with their Kreise (first 5
    digits), or None without the file."""
    path = data_dir / "geodata" / "vg5000_gem_2021_deutschland.gpkg"
    if not path.exists():
        return None
    import pyogrio

    frame = pyogrio.read_dataframe(path, columns=["AGS"], read_geometry=False)
    gemeinden = {str(a) for a in frame["AGS"]}
    return gemeinden | {a[:5] for a in gemeinden}


@click.command("inspect")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--skeleton",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the mapping skeleton (GENESIS) to this file, to fill in and pass with --mapping.",
)
@mapping_option
@with_appcontext
def inspect_cmd(path: Path, out: Path | None, mappings: tuple[Path, ...]) -> None:
    """Show what a file is: a GENESIS export (table code, title, periods, levels, column paths,
    special values, keys matched against the areas, its mapping) with a mapping skeleton, or an
    office release file (CSV/XLSX: form, columns, indicators and keys known or not)."""
    data_dir: Path = current_app.config["DATA_DIR"]
    db = _db_keys()
    if not is_genesis(path):
        try:
            rep = inspect_release(
                path,
                indicators=db[1] if db else None,
                areas=db[0] if db and db[0] else None,
            )
        except LoadError as err:
            _fail(err)
        click.echo(render_release(rep), nl=False)
        if out:
            click.secho("--skeleton gilt nur für GENESIS-Tabellen.", fg="yellow", err=True)
        return
    try:
        mapping = load_mapping(data_dir, mappings)
        table = parse_genesis(path)
    except LoadError as err:
        _fail(err)
    areas: set[str] | None
    if db and db[0]:
        areas, source = db[0], "Datenbank"
    else:
        areas, source = boundary_keys(data_dir), "Grenzen in DATA_DIR/geodata"
    header = check_header(table, mapping) if mapping.knows(table.code) else []
    # The advice to run inspect is for the import; here the differing paths are what counts.
    header = [p for p in header if not p.message.startswith(f"Tabelle {table.code}: der Kopf")]
    ins = inspect_table(table, mapping, header, areas, source)
    click.echo(render(ins), nl=False)
    text_ = skeleton(ins)
    if out:
        out.write_text(text_, encoding="utf-8")
        click.echo(
            f"\nMapping-Gerüst geschrieben: {out}. Ausfüllen, dann laden mit\n"
            f"  sozmon import-genesis {path} --mapping {out} --label LABEL --draft\n"
            f"(oder nach {data_dir / 'mappings' / 'genesis'}/ legen: dann liest jeder Lauf es)."
        )
    else:
        click.echo("\nMapping-Gerüst (mit --skeleton DATEI speichern):\n")
        click.echo(text_, nl=False)


INSPECT_COMMANDS = (inspect_cmd,)
