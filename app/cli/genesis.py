"""Click commands for official data: higher area levels and GENESIS (Regionaldatenbank) tables."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.web.db import get_engine
from geodata.levels import load_levels
from geodata.report import LoadError
from indicators.genesis import parse_genesis
from indicators.genesis_import import import_genesis
from indicators.releases import draft_written, publish


def _fail(err: LoadError) -> None:
    click.secho(f"{len(err.problems)} Problem(e) gefunden, nichts geändert:", fg="red", err=True)
    for p in err.problems[:200]:
        click.echo(f"  {p}", err=True)
    if len(err.problems) > 200:
        click.echo(f"  … und {len(err.problems) - 200} weitere", err=True)
    sys.exit(1)


def kreis_names(data_dir: Path) -> dict[str, str]:
    """Names of the Kreise as the Regionaldatenbank writes them (from a Kreis table, if any)."""
    folder = data_dir / "regionalstatistik"
    for path in sorted(folder.glob("*-4-B.csv")) if folder.is_dir() else []:
        try:
            table = parse_genesis(path)
        except LoadError:
            continue
        return {c.ags: c.name for c in table.cells if c.level == "kreis"}
    return {}


@click.command("load-levels")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--layer", default=None, help="Layer of the Gemeinde file (e.g. 'gemeinden').")
@with_appcontext
def load_levels_cmd(path: Path | None, layer: str | None) -> None:
    """Build Kreise, Länder and the Bund (DG) as unions of a Germany-wide Gemeinde file."""
    data_dir: Path = current_app.config["DATA_DIR"]
    path = path or data_dir / "geodata" / "vg5000_gem_2021_deutschland.gpkg"
    try:
        with get_engine().begin() as conn:
            rep = load_levels(conn, path, layer=layer, kreis_names=kreis_names(data_dir))
    except LoadError as err:
        _fail(err)
    click.echo(f"{rep.kreis} Kreise, {rep.land} Länder und {rep.bund} Bund gebildet.")


@click.command("import-genesis")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--label", required=True, help="Label of the new release, e.g. regionalstatistik-2017."
)
@click.option(
    "--gebiet",
    default=None,
    help="AGS prefix of the Gemeinden to store (e.g. 03241); others only count in totals.",
)
@click.option(
    "--allow-unmatched",
    is_flag=True,
    help="Use keys without an area (merged Gemeinden) for totals only, and list them.",
)
@click.option(
    "--publish/--draft",
    "do_publish",
    default=False,
    help="Publish at once (through the same publish step) or keep as draft.",
)
@click.option("--report", type=click.Path(path_type=Path), help="Write the import report (JSON).")
@click.option(
    "--level",
    "levels",
    multiple=True,
    type=click.Choice(["kommune", "region", "gemeinde", "kreis", "land", "bund"]),
    help="Store only values of these area levels (repeatable); default all.",
)
@with_appcontext
def import_genesis_cmd(
    paths: tuple[Path, ...],
    label: str,
    gebiet: str | None,
    allow_unmatched: bool,
    do_publish: bool,
    report: Path | None,
    levels: tuple[str, ...] = (),
) -> None:
    """Load GENESIS CSV exports exactly as published (header, keys, special values, footer).

    Each indicator is computed through indicators/data/genesis_mapping.csv. A bad file is
    refused with file, row and column of every problem, and nothing is written.
    """
    t0 = time.perf_counter()
    try:
        with get_engine().begin() as conn:  # one transaction: all of it or nothing
            rep = import_genesis(
                conn,
                list(paths),
                label,
                territory=gebiet,
                allow_unmatched=allow_unmatched,
                levels=set(levels) if levels else None,
            )
            if do_publish:
                publish(conn, label, current_app.config["SUPPRESS_NUMERATOR_BELOW"], by="cli")
            else:  # statistics and the draft page's change summary, once
                draft_written(conn, rep.release_id)
    except LoadError as err:
        _fail(err)
    seconds = time.perf_counter() - t0
    levels = ", ".join(f"{n} {lvl}" for lvl, n in sorted(rep.by_level.items()))
    click.echo(
        f"Release {label} (id {rep.release_id}): {rep.values} amtliche Werte ({levels}) für"
        f" {len(rep.indicators)} Kennzahlen aus {len(rep.tables)} Tabellen in {seconds:.1f} s"
        f"{', veröffentlicht' if do_publish else ' als Entwurf'}."
    )
    click.echo(f"  übersprungen (Gemeindeverbände, Bezirke …): {len(rep.skipped)}", err=True)
    click.echo(f"  außerhalb des Gebiets (nur in Summen): {rep.outside}", err=True)
    click.echo(f"  Kreiswerte aus eigenen Kreiszeilen (statt Summen): {rep.kreis_rows}", err=True)
    if rep.unvollstaendig:
        click.echo(
            f"  unvollständige Summen ('u', ein Teil geheim, Teile genannt): {rep.unvollstaendig}",
            err=True,
        )
    if rep.unmatched:
        sample = ", ".join(f"{a} {n}" for _f, a, n in rep.unmatched[:5])
        click.secho(
            f"  ohne Gebiet (Gebietsstand), nur in Summen: {len(rep.unmatched)} (z. B. {sample})",
            fg="yellow",
            err=True,
        )
    if rep.over_100:
        sample = ", ".join(f"{i} {a} {y}: {v:.1f}" for i, a, y, v in rep.over_100[:5])
        click.secho(
            f"  Anteile außerhalb 0–100 % (wie berechnet übernommen): {len(rep.over_100)}"
            f" (z. B. {sample})",
            fg="yellow",
            err=True,
        )
    if report:
        report.write_text(
            json.dumps(
                {
                    "release": label,
                    "values": rep.values,
                    "by_level": rep.by_level,
                    "indicators": rep.indicators,
                    "tables": rep.tables,
                    "skipped": rep.skipped,
                    "unmatched": rep.unmatched,
                    "outside": rep.outside,
                    "kreis_rows": rep.kreis_rows,
                    "unvollstaendig": rep.unvollstaendig,
                    "over_100": rep.over_100,
                    "seconds": round(seconds, 2),
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )


GENESIS_COMMANDS = (load_levels_cmd, import_genesis_cmd)
