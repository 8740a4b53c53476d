"""Click command for Destatis' Gemeindeverzeichnis (GV-ISys) extracts: one release per file."""

from __future__ import annotations

import re
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.data import fail, transaction
from geodata.report import LoadError
from indicators.gv_isys import LABEL, load_gv
from indicators.ingest import data_catalogues
from indicators.releases import publish

# Destatis names its extracts by their Stichtag: 31122023_Auszug_GV.xlsx.
FILE_NAME = re.compile(r"^3112(\d{4})_Auszug_GV\.xlsx$", re.IGNORECASE)


def gv_files(data_dir: Path) -> dict[str, Path]:
    """The extracts in DATA_DIR/gemeindeverzeichnis by the label their release gets."""
    folder = data_dir / "gemeindeverzeichnis"
    found = {}
    for path in sorted(folder.glob("*.xlsx")) if folder.is_dir() else []:
        if m := FILE_NAME.match(path.name):
            found[LABEL.format(year=m.group(1))] = path
    return found


@click.command("load-gv")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@with_appcontext
def load_gv_cmd(paths: tuple[Path, ...]) -> None:
    """Load GV-ISys extracts (XLSX as published) as releases gemeindeverzeichnis-YYYY.

    Population (Fortschreibung), density, area and share of women for the loaded Gemeinden;
    Region, Kreise, Länder and the Bund as sums over the file's Gemeinden. All files in one
    transaction: a bad file is refused with file, sheet, row and column, and nothing is written.
    """
    t0 = time.perf_counter()
    reports = []
    try:
        with transaction() as conn:
            data_catalogues(conn, current_app.config["DATA_DIR"])
            for path in paths:
                t = time.perf_counter()
                rep = load_gv(conn, path)
                publish(conn, rep.label, current_app.config["SUPPRESS_NUMERATOR_BELOW"], by="cli")
                reports.append((path, rep, time.perf_counter() - t))
    except LoadError as err:
        fail(err)
    for path, rep, seconds in reports:
        levels = ", ".join(f"{n} {lvl}" for lvl, n in sorted(rep.by_level.items()))
        click.echo(
            f"Release {rep.label} (id {rep.release_id}): {rep.values} amtliche Werte ({levels})"
            f" aus {rep.gemeinden} Gemeinden von {path.name} in {seconds:.1f} s, veröffentlicht."
        )
        click.echo(
            f"  Gemeinden ohne geladenes Gebiet (nur in Summen): {rep.outside + len(rep.unmatched)}"
            f" ({rep.outside} in Kreisen ohne geladene Gemeinden)"
        )
        if rep.unmatched:
            sample = ", ".join(f"{a} {n}" for a, n in rep.unmatched[:5])
            click.secho(
                f"  davon ohne Gebiet (Gebietsstand): {len(rep.unmatched)} (z. B. {sample})",
                fg="yellow",
            )
        if rep.repeated:
            click.secho(
                f"  wiederholte gleiche Sätze einmal gezählt: {len(rep.repeated)}"
                f" (z. B. Zeile {rep.repeated[0][0]}: {rep.repeated[0][1]})",
                fg="yellow",
            )
        if rep.kreise_unmatched:
            sample = ", ".join(f"{k} {n}" for k, n in rep.kreise_unmatched[:5])
            click.secho(f"  Kreise ohne geladenes Gebiet: {sample}", fg="yellow")
        if rep.missing:
            click.secho(
                f"  geladene Gebiete ohne Satz: {len(rep.missing)}"
                f" (z. B. {', '.join(rep.missing[:5])})",
                fg="yellow",
            )
    click.echo(f"  zusammen {time.perf_counter() - t0:.1f} s")
