"""Click command for INKAR 2024 (BBSR): load the published Parquet files as a real release."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.web.db import get_engine
from geodata.report import LoadError
from indicators import inkar
from indicators.ingest import data_catalogues
from indicators.releases import draft_written, publish


@click.command("load-inkar")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--label", default=inkar.RELEASE_LABEL, show_default=True, help="Release label.")
@click.option(
    "--level",
    "levels",
    multiple=True,
    type=click.Choice(["kommune", "region", "gemeinde", "kreis", "land", "bund"]),
    help="Store only values of these area levels (repeatable); default all.",
)
@click.option("--draft", is_flag=True, help="Keep as draft instead of publishing at once.")
@click.option("--report", type=click.Path(path_type=Path), help="Write the load report (JSON).")
@with_appcontext
def load_inkar_cmd(
    path: Path | None,
    label: str = inkar.RELEASE_LABEL,
    levels: tuple[str, ...] = (),
    draft: bool = False,
    report: Path | None = None,
) -> None:
    """Load INKAR 2024 (DATA_DIR/inkar) as published: Gemeinden, Kreise, Länder, Bund.

    Each INKAR code is mapped through indicators/data/inkar_mapping.csv. A bad file is refused
    with file, row and column of every problem, and nothing is written.
    """
    from app.cli.data import fail

    folder = path or current_app.config["DATA_DIR"] / "inkar"
    t0 = time.perf_counter()
    try:
        with get_engine().begin() as conn:  # one transaction: all of it or nothing
            data_catalogues(conn, current_app.config["DATA_DIR"])
            rep = inkar.load_inkar(conn, folder, label, levels=set(levels) if levels else None)
            if not draft:
                publish(conn, label, current_app.config["SUPPRESS_NUMERATOR_BELOW"], by="cli")
            else:  # statistics and the draft page's change summary, once
                draft_written(conn, rep.release_id)
    except LoadError as err:
        fail(err)
    seconds = time.perf_counter() - t0
    by_level = ", ".join(f"{n} {lvl}" for lvl, n in sorted(rep.by_level.items()))
    click.echo(
        f"Release {label} (id {rep.release_id}): {rep.values} amtliche Werte ({by_level}) für"
        f" {len(rep.indicators)} Kennzahlen aus {len(rep.files)} INKAR-Dateien in {seconds:.1f} s"
        f"{' als Entwurf' if draft else ', veröffentlicht'}."
    )
    for level, keys in sorted(rep.unmatched.items()):
        sample = ", ".join(f"{k} {n}" for k, n in keys[:5])
        # Germany's Gemeinden are areas only after `sozmon load-germany` (which loads theirs).
        hint = "; alle Gemeinden: sozmon load-germany" if level == "Gemeinden" else ""
        click.secho(
            f"  {level}: {len(keys)} Schlüssel ohne geladenes Gebiet übersprungen"
            f" (z. B. {sample}{hint})",
            fg="yellow",
            err=True,
        )
    if rep.not_requested:
        click.echo(f"  Werte anderer Ebenen (nicht verlangt): {rep.not_requested}", err=True)
    if rep.outside_0_100:
        sample = ", ".join(f"{i} {a} {y}: {v:.1f}" for i, a, y, v in rep.outside_0_100[:5])
        click.secho(
            f"  Anteile außerhalb 0–100 % (wie veröffentlicht übernommen):"
            f" {len(rep.outside_0_100)} (z. B. {sample})",
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
                    "files": rep.files,
                    "unmatched": rep.unmatched,
                    "not_requested": rep.not_requested,
                    "other_levels": dict(rep.other_levels),
                    "outside_0_100": rep.outside_0_100,
                    "seconds": round(seconds, 2),
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )


INKAR_COMMANDS = (load_inkar_cmd,)
