"""Click commands for the data: schema (db), boundaries, catalogue, releases, Zensus, demo, load-all."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Connection, text

from app.editors import audit
from app.web.config import PROJECT_ROOT
from app.web.db import get_engine
from geodata.home import DEFAULT_AGS, DEFAULT_NAME, display_name
from geodata.loaders import load_boundaries
from geodata.report import LoadError
from indicators import demo, inkar, zensus
from indicators.importer import import_release
from indicators.ingest import data_catalogues
from indicators.loaders import load_catalogue, load_series_breaks, load_topics
from indicators.releases import publish as publish_release

CATALOGUE_DIR = PROJECT_ROOT / "indicators" / "data"


def home_region(data_dir: Path) -> tuple[str, str]:
    """(key, name) of the home Kreis (app.config["REGION"], setting SOZMON_REGION): Region
    Hannover, or the Kreis so named; its name is looked up when another is chosen."""
    ags = current_app.config["REGION"]
    if ags == DEFAULT_AGS:
        return ags, DEFAULT_NAME
    from app.cli.genesis import kreis_names

    return ags, display_name(kreis_names(data_dir).get(ags, f"Kreis {ags}"))


def alembic_config(url: str) -> AlembicConfig:
    """Alembic configuration pointing at the app's migrations and database."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "app" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextmanager
def transaction() -> Iterable[Connection]:
    """One transaction for a whole load; any problem rolls everything back."""
    with get_engine().begin() as conn:
        yield conn


def fail(err: LoadError) -> None:
    """Print every problem (file, row, column, message) and exit non-zero."""
    click.secho(f"{len(err.problems)} Problem(e) gefunden, nichts geändert:", fg="red", err=True)
    for p in err.problems:
        click.echo(f"  {p}", err=True)
    sys.exit(1)


def progress(label: str) -> Callable[[Iterable], Iterable]:
    """A terminal progress bar for long steps (chunks of a load)."""

    def wrap(items: Iterable) -> Iterable:
        with click.progressbar(list(items), label=label, file=sys.stderr) as bar:
            yield from bar

    return wrap


@click.group("db")
def db_group() -> None:
    """Database schema (Alembic)."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or upgrade the schema to the newest revision (creates PostGIS if missing).

    A database with values that changed revision gets its kept figures recomputed in the same
    command: a migration can add a kept table that only Python can fill (0024's trends), and
    until then the pages would show the table empty, not the data."""
    before = _revision()
    alembic_command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), "head")
    click.echo("Schema ist aktuell.")
    if before is None or before == _revision():
        return
    from app.cli.releases import report_precomputed
    from indicators.precomputed import refresh

    with get_engine().begin() as conn:
        if not conn.scalar(text("SELECT EXISTS (SELECT 1 FROM value)")):
            return
        kept = refresh(conn)
    click.echo(f"Schema von {before} geändert: die vorberechneten Zahlen neu berechnet.")
    report_precomputed(kept)


def _revision() -> str | None:
    """The schema's Alembic revision (None: no schema yet)."""
    with get_engine().connect() as conn:
        if conn.scalar(text("SELECT to_regclass('alembic_version')")) is None:
            return None
        revision: str | None = conn.scalar(text("SELECT version_num FROM alembic_version"))
        return revision


@db_group.command("check")
@with_appcontext
def db_check() -> None:
    """Fail when the models and the database schema differ (alembic check: no drift)."""
    alembic_command.check(alembic_config(current_app.config["DATABASE_URL"]))
    click.echo("Modelle und Schema stimmen überein.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the schema revision of the database."""
    alembic_command.current(alembic_config(current_app.config["DATABASE_URL"]))


@click.command("load-boundaries")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--layer", help="Layer of a multi-layer file (e.g. 'gemeinden' or 'vg250_gem').")
@click.option("--ags-prefix", default=None, help="Only areas whose AGS starts with this.")
@click.option("--level", type=click.Choice(["kommune", "gemeinde"]), default="kommune")
@click.option("--tolerance", default=50.0, show_default=True, help="Simplification in metres.")
@click.option("--no-region", is_flag=True, help="Do not (re)build the Region area 03241.")
@with_appcontext
def load_boundaries_cmd(
    path: Path,
    layer: str | None,
    ags_prefix: str | None,
    level: str,
    tolerance: float,
    no_region: bool,
) -> None:
    """Load boundaries from any GDAL file: reproject, repair, simplify, upsert."""
    region = (
        None if no_region or level != "kommune" else home_region(current_app.config["DATA_DIR"])
    )
    try:
        with transaction() as conn:
            click.echo(f"Lese {path} …", err=True)
            rep = load_boundaries(
                conn,
                path,
                layer=layer,
                ags_prefix=ags_prefix,
                level=level,
                region=region,
                tolerance_m=tolerance,
            )
    except LoadError as err:
        fail(err)
    for ags, reason in rep.repaired:
        click.secho(f"  repariert (ST_MakeValid): {ags}: {reason}", fg="yellow")
    click.echo(f"{rep.loaded} Gebiete geladen, {len(rep.repaired)} Geometrien repariert.")
    from geodata.shapes import build_shapes
    from indicators.outline_bodies import build_outline_bodies

    with transaction() as conn:  # new or changed outlines for the maps of many areas
        build_shapes(conn)
        build_outline_bodies(conn)


@click.command("load-catalogue")
@click.option("--topics", type=click.Path(path_type=Path), default=CATALOGUE_DIR / "topics.csv")
@click.option(
    "--breaks", type=click.Path(path_type=Path), default=CATALOGUE_DIR / "series_breaks.csv"
)
@click.argument(
    "path", type=click.Path(path_type=Path), default=CATALOGUE_DIR / "catalogue.csv", required=False
)
@with_appcontext
def load_catalogue_cmd(topics: Path, path: Path, breaks: Path) -> None:
    """Load (upsert) topics, the indicator catalogue (CSV or XLSX) and the series breaks
    (the table then holds exactly the file's breaks)."""
    try:
        with transaction() as conn:
            nt = load_topics(conn, topics)
            ni = load_catalogue(conn, path)
            # New indicators of the data directory (DATA_DIR/mappings/catalogue/*.csv).
            ni += len(data_catalogues(conn, current_app.config["DATA_DIR"]))
            nb = load_series_breaks(conn, breaks)
    except LoadError as err:
        fail(err)
    click.echo(f"{nt} Themen, {ni} Indikatoren, {nb} Reihenbrüche geladen.")


@click.command("load-release")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--label", required=True, help="Release label, e.g. 2025-1.")
@click.option("--note", default="", help="Note shown with the release.")
@click.option("--synthetic", is_flag=True, help="Mark as synthetic (shown as Beispieldaten).")
@click.option("--draft", is_flag=True, help="Load as draft instead of publishing at once.")
@with_appcontext
def load_release_cmd(
    paths: tuple[Path, ...], label: str, note: str, synthetic: bool, draft: bool
) -> None:
    """Load a release from long-form CSV/XLSX files (ags, indicator, year, value[, …]).

    Without --draft it is published in the same transaction, through the same publish step as
    `sozmon publish` (small-number rule SUPPRESS_NUMERATOR_BELOW included).
    """
    try:
        with transaction() as conn:
            data_catalogues(conn, current_app.config["DATA_DIR"])
            # The one write path (the editors' import too): validated, written as a draft.
            rid, checked = import_release(
                conn, list(paths), label, synthetic=synthetic, note=note, progress=progress("Werte")
            )
            n = checked.count
            audit.record(conn, audit.cli_actor(), "import", label, f"{n} Werte")
            if not draft:
                res = publish_release(conn, label, current_app.config["SUPPRESS_NUMERATOR_BELOW"])
                audit.record(conn, audit.cli_actor(), "publish", label, f"{res['withheld']} geheim")
    except LoadError as err:
        fail(err)
    click.echo(
        f"Release {label} (id {rid}) mit {n} Werten {'als Entwurf ' if draft else ''}geladen."
    )


@click.command("load-zensus")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@with_appcontext
def load_zensus_cmd(path: Path | None) -> None:
    """Load the real Zensus 2022 population (table 1000A-0000) as release zensus-2022."""
    path = path or current_app.config["DATA_DIR"] / "indicators" / (
        "zensus2022_1000A-0000_bevoelkerung_gemeinden.csv"
    )
    try:
        with transaction() as conn:
            data_catalogues(conn, current_app.config["DATA_DIR"])
            rep = zensus.load_zensus(conn, path)
            # Like every release: live only through publish() (small-number rule included).
            publish_release(
                conn, zensus.RELEASE_LABEL, current_app.config["SUPPRESS_NUMERATOR_BELOW"], by="cli"
            )
    except LoadError as err:
        fail(err)
    click.echo(f"Zensus 2022: {rep.loaded} Werte geladen (Release {zensus.RELEASE_LABEL}).")
    if rep.unmatched:
        click.secho(
            f"  {len(rep.unmatched)} Schlüssel ohne Gebiet in den geladenen Grenzen übersprungen"
            f" (z. B. {', '.join(rep.unmatched[:5])})",
            fg="yellow",
        )
    if rep.missing:
        click.secho(f"  ohne Zensus-Wert: {', '.join(rep.missing)}", fg="yellow")


@click.command("demo-release")
@click.option("--seed", default=42, show_default=True)
@click.option("--label", default=demo.DEMO_LABEL, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Also write the generated CSV here.")
@with_appcontext
def demo_release_cmd(seed: int, label: str, out: Path | None) -> None:
    """Generate the seeded synthetic demo release (Beispieldaten) and load it."""
    try:
        with transaction() as conn:
            data_catalogues(conn, current_app.config["DATA_DIR"])
            rows = demo.generate(conn, seed=seed, region=current_app.config["REGION"])
            with tempfile.TemporaryDirectory() as tmp:
                path = out or Path(tmp) / "demo.csv"
                demo.write_csv(rows, path)
                rid, checked = import_release(
                    conn,
                    [path],
                    label,
                    synthetic=True,
                    note=demo.DEMO_NOTE.format(seed=seed),
                    progress=progress("Beispieldaten"),
                )
                n = checked.count
            publish_release(conn, label, current_app.config["SUPPRESS_NUMERATOR_BELOW"], by="cli")
    except LoadError as err:
        fail(err)
    click.echo(f"Beispieldaten-Release {label} (id {rid}) mit {n} Werten geladen.")


GENESIS_LABEL = "regionalstatistik-2017"


@click.command("load-all")
@click.option(
    "--germany/--no-germany",
    default=None,
    help="Also every German Gemeinde with its real values (default: SOZMON_GERMANY, on).",
)
@click.option(
    "--gpkg",
    type=click.Path(path_type=Path),
    default=None,
    help="Germany's Gemeinden (default DATA_DIR/geodata/vg5000_gem_2021_deutschland.gpkg).",
)
@click.option(
    "--mapping",
    "mappings",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A GENESIS mapping file for the Regionalstatistik tables, read after the shipped ones"
    " and DATA_DIR/mappings/genesis/ (repeatable; see sozmon import-genesis).",
)
@click.pass_context
@with_appcontext
def load_all_cmd(
    ctx: click.Context,
    germany: bool | None = None,
    gpkg: Path | None = None,
    mappings: tuple[Path, ...] = (),
) -> None:
    """Load everything missing from DATA_DIR: boundaries, Kreise/Länder/Bund, catalogue,
    Zensus, the real Regionalstatistik release, Germany's Gemeinden with their real values
    (unless SOZMON_GERMANY=0 or --no-germany), the Gemeindeverzeichnis extracts, INKAR 2024; in
    demo mode (SOZMON_DEMO=1) also the synthetic demo release for the indicators without real
    data. The Regionalstatistik tables go through the mapping in force: the shipped one,
    DATA_DIR/mappings/genesis/*.csv and each --mapping FILE."""
    from app.cli.genesis import import_genesis_cmd, load_levels_cmd

    data_dir: Path = current_app.config["DATA_DIR"]
    region: str = current_app.config["REGION"]
    with get_engine().connect() as conn:
        has_areas = conn.scalar(text("SELECT count(*) FROM area WHERE level = 'kommune'"))
        has_levels = conn.scalar(text("SELECT count(*) FROM area WHERE level = 'bund'"))
        labels = set(conn.scalars(text("SELECT label FROM release")))
    germany_gpkg = gpkg or data_dir / "geodata" / "vg5000_gem_2021_deutschland.gpkg"
    if not has_areas:
        # Region Hannover has its own file; another home Kreis comes from the Germany file.
        ctx.invoke(
            load_boundaries_cmd,
            path=data_dir / "geodata" / "vg5000_gem_2021_region_hannover.geojson"
            if region == DEFAULT_AGS
            else germany_gpkg,
            ags_prefix=region,
        )
    if not has_levels and germany_gpkg.exists():
        ctx.invoke(load_levels_cmd, path=germany_gpkg)
    ctx.invoke(load_catalogue_cmd)
    if germany is None:
        germany = current_app.config["GERMANY"]
    if germany and germany_gpkg.exists():
        from app.cli.germany import load_germany_areas

        load_germany_areas(ctx, germany_gpkg)
    if zensus.RELEASE_LABEL not in labels:
        ctx.invoke(load_zensus_cmd)
    from app.cli.gv import gv_files, load_gv_cmd

    if gv := [p for label, p in gv_files(data_dir).items() if label not in labels]:
        ctx.invoke(load_gv_cmd, paths=tuple(gv))
    tables = sorted((data_dir / "regionalstatistik").glob("*.csv"))
    if GENESIS_LABEL not in labels and tables:
        # Region Hannover's Gemeinden and every Kreis, Land and the Bund; merged Gemeinden
        # (Gebietsstand 2021) count in the totals and are listed.
        ctx.invoke(
            import_genesis_cmd,
            paths=tuple(tables),
            label=GENESIS_LABEL,
            gebiet=region,
            allow_unmatched=True,
            do_publish=True,
            mappings=mappings,
        )
    if germany and germany_gpkg.exists():
        from app.cli.germany import load_germany_values

        load_germany_values(ctx, mappings)
    if (data_dir / "inkar").is_dir() and inkar.RELEASE_LABEL not in labels:
        from app.cli.inkar import load_inkar_cmd

        # INKAR's own rows for every loaded Gemeinde, Kreis, Land and the Bund (never summed).
        ctx.invoke(load_inkar_cmd, path=data_dir / "inkar")
    if current_app.config["DEMO"] and demo.DEMO_LABEL not in labels:
        ctx.invoke(demo_release_cmd)
    from app.cli.germany import build_shapes_cmd

    ctx.invoke(build_shapes_cmd)  # only missing or stale shapes: a no-op when nothing changed
    # The example report is written on the real data of Region Hannover (its home region).
    if (GENESIS_LABEL in labels or tables) and region == DEFAULT_AGS:
        from app.cli.reports import load_example_report_cmd

        ctx.invoke(load_example_report_cmd, no_audit=True)


DATA_COMMANDS = (
    db_group,
    load_boundaries_cmd,
    load_catalogue_cmd,
    load_release_cmd,
    load_zensus_cmd,
    demo_release_cmd,
    load_all_cmd,
)
