"""Click commands for official data: higher area levels and GENESIS (Regionaldatenbank) tables."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.web.db import get_engine
from geodata.levels import load_levels
from geodata.report import LoadError
from indicators.genesis import parse_genesis
from indicators.genesis_cache import ComputedCache
from indicators.genesis_import import import_genesis
from indicators.genesis_mapping import SHIPPED_DIR, load_mapping
from indicators.ingest import data_catalogues
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


def mapping_option(fn: Callable[..., None]) -> Callable[..., None]:
    """`--mapping FILE` (repeatable): mapping files beyond the shipped ones and DATA_DIR's."""
    return click.option(
        "--mapping",
        "mappings",
        multiple=True,
        type=click.Path(path_type=Path),
        help="A mapping file (table;label / indicator;kind;… lines, as `sozmon inspect"
        " --skeleton` writes them), read after the shipped ones and DATA_DIR/mappings/genesis/;"
        " it replaces the mapping of every table it lists (repeatable).",
    )(fn)


def genesis_cache() -> ComputedCache | None:
    """The cache of computed GENESIS rows (setting CACHE_DIR; default cache/ in the instance
    folder; 'off': none)."""
    setting = current_app.config.get("CACHE_DIR")
    if setting == "off":
        return None
    folder = Path(setting) if setting else Path(current_app.instance_path) / "cache"
    return ComputedCache(folder / "genesis")


def write_report(path: Path, data: dict) -> None:
    """The import report as JSON (also for a refusal: then `refused` and `problems`)."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def refusal(label: str, err: LoadError, seconds: float) -> dict:
    """The report of a refused import: every problem, nothing written."""
    return {
        "release": label,
        "refused": True,
        "problems": [p.as_dict() for p in err.problems],
        "values": 0,
        "seconds": round(seconds, 3),
    }


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
@click.option(
    "--report",
    type=click.Path(path_type=Path),
    help="Write the import report (JSON), also when the files are refused.",
)
@click.option(
    "--level",
    "levels",
    multiple=True,
    type=click.Choice(["kommune", "region", "gemeinde", "kreis", "land", "bund"]),
    help="Store only values of these area levels (repeatable); default all.",
)
@mapping_option
@with_appcontext
def import_genesis_cmd(
    paths: tuple[Path, ...],
    label: str,
    gebiet: str | None,
    allow_unmatched: bool,
    do_publish: bool,
    report: Path | None,
    levels: tuple[str, ...] = (),
    mappings: tuple[Path, ...] = (),
) -> None:
    """Load GENESIS CSV exports exactly as published (header, keys, special values, footer).

    Each indicator is computed through the mapping: the shipped one, the files in
    DATA_DIR/mappings/genesis/ and each --mapping FILE. Every file's table code and header are
    checked against it before anything is parsed: an unknown table is refused at once, saying
    how to add it (sozmon inspect). A bad file is refused with file, row and column of every
    problem, and nothing is written.
    """
    t0 = time.perf_counter()
    data_dir: Path = current_app.config["DATA_DIR"]
    try:
        mapping = load_mapping(data_dir, mappings)
        with get_engine().begin() as conn:  # one transaction: all of it or nothing
            # New indicators a mapping names may come in DATA_DIR/mappings/catalogue/*.csv.
            data_catalogues(conn, data_dir)
            rep = import_genesis(
                conn,
                list(paths),
                label,
                territory=gebiet,
                allow_unmatched=allow_unmatched,
                levels=set(levels) if levels else None,
                mapping=mapping,
                cache=genesis_cache(),
            )
            if do_publish:
                publish(conn, label, current_app.config["SUPPRESS_NUMERATOR_BELOW"], by="cli")
            else:  # statistics and the draft page's change summary, once
                draft_written(conn, rep.release_id)
    except LoadError as err:
        seconds = time.perf_counter() - t0
        if report:
            write_report(report, refusal(label, err, seconds))
        click.echo(f"Abgelehnt nach {seconds:.2f} s.", err=True)
        _fail(err)
    seconds = time.perf_counter() - t0
    levels = ", ".join(f"{n} {lvl}" for lvl, n in sorted(rep.by_level.items()))
    click.echo(
        f"Release {label} (id {rep.release_id}): {rep.values} amtliche Werte ({levels}) für"
        f" {len(rep.indicators)} Kennzahlen aus {len(rep.tables)} Tabellen in {seconds:.1f} s"
        f"{', veröffentlicht' if do_publish else ' als Entwurf'}."
    )
    own = [f for f in rep.mapping_files if Path(f).parent != SHIPPED_DIR]
    if own:
        click.echo(f"  Mapping: mitgeliefert + {', '.join(own)}", err=True)
    for code, file in sorted(rep.replaced.items()):
        click.echo(f"  Tabelle {code}: Mapping aus {file} (ersetzt das mitgelieferte)", err=True)
    if rep.cached:
        click.echo(
            f"  aus dem Zwischenspeicher (unverändert): {len(rep.cached)} Tabellen", err=True
        )
    for indicator, missing in rep.not_formed:
        click.secho(
            f"  nicht gebildet: {indicator} (braucht auch {', '.join(missing)})",
            fg="yellow",
            err=True,
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
        write_report(
            report,
            {
                "release": label,
                "refused": False,
                "values": rep.values,
                "by_level": rep.by_level,
                "indicators": rep.indicators,
                "tables": rep.tables,
                "mapping_files": rep.mapping_files,
                "replaced": rep.replaced,
                "not_formed": rep.not_formed,
                "cached": rep.cached,
                "skipped": rep.skipped,
                "unmatched": rep.unmatched,
                "outside": rep.outside,
                "kreis_rows": rep.kreis_rows,
                "unvollstaendig": rep.unvollstaendig,
                "over_100": rep.over_100,
                "seconds": round(seconds, 2),
            },
        )


GENESIS_COMMANDS = (load_levels_cmd, import_genesis_cmd)
