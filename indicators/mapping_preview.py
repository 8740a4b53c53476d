"""What a draft release holds, for the preview of a mapping before it is saved.

The editors' mapping form (app/editors/mapping.py) imports the table into a draft inside a
transaction it then rolls back, and reads the draft's values here: per indicator its latest
year's values of the Kommunen (for the map) and every stored value (for the table beside it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from indicators.classify import NO_DATA_COLOR, quantile_breaks, sequential_palette


@dataclass(frozen=True)
class PreviewValue:
    """One stored value of the draft."""

    ags: str
    name: str
    level: str
    year: int
    value: float | None
    suppressed: bool


@dataclass
class IndicatorPreview:
    """One indicator of the draft: its values, and the map's colours for its latest year."""

    id: str
    name: str
    unit: str
    polarity: str
    year: int | None
    values: list[PreviewValue]
    fills: dict[str, dict[str, object]] = field(
        default_factory=dict
    )  # Kommune ags → color, label, missing
    legend: list[tuple[str, float, float, int]] = field(default_factory=list)  # color, lo, hi, n
    kommunen: int = 0  # Kommunen with a value in the map's year
    of_kommunen: int = 0  # Kommunen in all


def draft_preview(conn: Connection, release_id: int) -> list[IndicatorPreview]:
    """Every indicator of the release with its values, and the latest year's map colours
    (quantile classes of the Kommunen's values, the site's sequential palette)."""
    rows = conn.execute(
        text(
            "SELECT v.indicator_id, i.name_de, i.unit, i.polarity, v.ags, a.name, a.level,"
            " v.year, v.value, v.suppressed FROM value v JOIN indicator i ON i.id = v.indicator_id"
            " JOIN area a ON a.ags = v.ags WHERE v.release_id = :r"
            " ORDER BY v.indicator_id, v.year DESC, a.level, v.ags"
        ),
        {"r": release_id},
    ).all()
    kommunen = int(conn.scalar(text("SELECT count(*) FROM area WHERE level = 'kommune'")) or 0)
    out: dict[str, IndicatorPreview] = {}
    for r in rows:
        p = out.get(r.indicator_id)
        if p is None:
            p = out[r.indicator_id] = IndicatorPreview(
                r.indicator_id, r.name_de, r.unit, r.polarity, r.year, [], of_kommunen=kommunen
            )
        p.values.append(PreviewValue(r.ags, r.name, r.level, r.year, r.value, r.suppressed))
    for p in out.values():
        _colour(p)
    return list(out.values())


def _colour(p: IndicatorPreview) -> None:
    shown = {
        v.ags: v.value
        for v in p.values
        if v.level == "kommune" and v.year == p.year and v.value is not None
    }
    p.kommunen = len(shown)
    uppers = quantile_breaks(list(shown.values()))
    if not uppers:
        return
    colors = sequential_palette(p.polarity, max(len(uppers), 3))[-len(uppers) :]
    lows = [min(shown.values()), *uppers[:-1]]
    counts = [0] * len(uppers)
    for ags, value in shown.items():
        k = next((i for i, hi in enumerate(uppers) if value <= hi), len(uppers) - 1)
        counts[k] += 1
        p.fills[ags] = {"color": colors[k], "label": f"{value:g}", "missing": False}
    p.legend = [(c, lo, hi, n) for c, lo, hi, n in zip(colors, lows, uppers, counts, strict=True)]


__all__ = ["NO_DATA_COLOR", "IndicatorPreview", "PreviewValue", "draft_preview"]
