"""Click commands for Germany: all Gemeinden with their real values, and the stored web shapes."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from app.web.db import get_engine
from geodata.shapes import build_shapes
from indicators.inkar import GEMEINDEN_LABEL
from indicators.inkar import RELEASE_LABEL as INKAR_LABEL
from indicators.outline_bodies import build_outline_bodies

GERMANY_GEMEINDEN_LABEL = "regionalstatistik-2017-gemeinden"


@click.command("build-shapes")
@click.option("--all", "rebuild", is_flag=True, help="Rebuild every shape, not only stale ones.")
@with_appcontext
def build_shapes_cmd(rebuild: bool) -> None:
    """Encode each area's web outline once for maps of many areas (table area_shape)."""
    t0 = time.perf_counter()
    with get_engine().begin() as conn:
        if rebuild:
            conn.execute(text("DELETE FROM outline_body"))
        n = build_shapes(conn, only_missing=not rebuild)
        bodies = build_outline_bodies(conn)
    click.echo(
        f"{n} Umrisse für Karten vieler Gebiete gespeichert, {bodies} Gesamtkarten vorab"
        f" komprimiert ({time.perf_counter() - t0:.1f} s)."
    )


@click.command("load-germany")
@click.option(
    "--gpkg",
    type=click.Path(path_type=Path),
    default=None,
    help="Germany-wide Gemeinde file (default DATA_DIR/geodata/vg5000_gem_2021_deutschland.gpkg).",
)
@click.pass_context
@with_appcontext
def load_germany_cmd(ctx: click.Context, gpkg: Path | None) -> None:
    """Load Germany's Gemeinden (level gemeinde) and their real GENESIS values, then shapes.

    That is `load-all` with Germany (its default unless SOZMON_GERMANY=0): home region,
    Kreise/Länder/Bund, catalogue, Germany's Gemeinden before the releases that hold values
    for every loaded Gemeinde (Zensus, Gemeindeverzeichnis, INKAR). The GENESIS Gemeinde
    values come as their own release (regionalstatistik-2017-gemeinden) holding only the
    level 'gemeinde': the home region's Kommunen, the Kreise, Länder and the Bund keep the
    values (and release) they had, so their pages do not change. INKAR's Gemeinde values
    come as inkar-2024-gemeinden when INKAR was loaded before the Gemeinden.
    """
    from app.cli.data import load_all_cmd

    gpkg = gpkg or current_app.config["DATA_DIR"] / "geodata" / GERMANY_GPKG
    if not gpkg.exists():
        click.secho(f"{gpkg}: Datei fehlt.", fg="red", err=True)
        sys.exit(1)
    ctx.invoke(load_all_cmd, germany=True, gpkg=gpkg)


GERMANY_GPKG = "vg5000_gem_2021_deutschland.gpkg"


def load_germany_areas(ctx: click.Context, gpkg: Path) -> None:
    """Germany's Gemeinde areas (level gemeinde), if not loaded: before the releases that hold
    values for every loaded Gemeinde (Zensus, Gemeindeverzeichnis, INKAR)."""
    from app.cli.data import load_boundaries_cmd

    with get_engine().connect() as conn:
        if conn.scalar(text("SELECT count(*) FROM area WHERE level = 'gemeinde'")):
            return
    t0 = time.perf_counter()
    ctx.invoke(
        load_boundaries_cmd,
        path=gpkg,
        layer=None,
        ags_prefix=None,
        level="gemeinde",
        tolerance=50.0,
        no_region=True,
    )
    click.echo(f"Gemeinden Deutschlands geladen ({time.perf_counter() - t0:.1f} s).", err=True)


def load_germany_values(ctx: click.Context, mappings: tuple[Path, ...] = ()) -> None:
    """The real GENESIS (and, where INKAR came first, INKAR) values of every German Gemeinde,
    each as a release of its own, where not loaded yet."""
    from app.cli.genesis import import_genesis_cmd

    tables = sorted((current_app.config["DATA_DIR"] / "regionalstatistik").glob("*.csv"))
    with get_engine().connect() as conn:
        labels = set(conn.scalars(text("SELECT label FROM release")))
    t0 = time.perf_counter()
    if GERMANY_GEMEINDEN_LABEL not in labels and tables:
        ctx.invoke(
            import_genesis_cmd,
            paths=tuple(tables),
            label=GERMANY_GEMEINDEN_LABEL,
            gebiet=None,
            allow_unmatched=True,
            do_publish=True,
            report=None,
            levels=("gemeinde",),
            mappings=mappings,
        )
    inkar_dir = current_app.config["DATA_DIR"] / "inkar"
    if INKAR_LABEL in labels and inkar_dir.is_dir() and not _inkar_has_gemeinden():
        from app.cli.inkar import load_inkar_cmd

        # inkar-2024 was loaded before the Gemeinden existed (load-all --no-germany): theirs
        # come as a release of their own (level 'gemeinde' only), like the GENESIS values.
        # Otherwise load-all loads inkar-2024 after this, with every Gemeinde in it.
        ctx.invoke(load_inkar_cmd, path=inkar_dir, label=GEMEINDEN_LABEL, levels=("gemeinde",))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    click.echo(
        f"Amtliche Werte aller Gemeinden: {time.perf_counter() - t0:.1f} s;"
        f" Spitzenspeicher {peak_mb:.0f} MB.",
        err=True,
    )


def _inkar_has_gemeinden() -> bool:
    """Whether an INKAR release already holds values of Germany's Gemeinden (level gemeinde)."""
    with get_engine().connect() as conn:
        return bool(
            conn.scalar(
                text(
                    "SELECT EXISTS (SELECT 1 FROM value v JOIN release r ON r.id = v.release_id"
                    " JOIN area a ON a.ags = v.ags WHERE r.label IN (:a, :b)"
                    " AND a.level = 'gemeinde')"
                ),
                {"a": INKAR_LABEL, "b": GEMEINDEN_LABEL},
            )
        )


GERMANY_COMMANDS = (build_shapes_cmd, load_germany_cmd)
