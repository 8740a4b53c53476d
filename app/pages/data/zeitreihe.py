"""The time series' default indicator and its error pages, shared by the page and its image."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.pages.data import figure_texts
from app.pages.data.notes import public_notes
from app.render.formatting import unit_label
from app.render.notes import note_line
from app.web.db import get_conn
from app.web.errors import with_links
from app.web.home import region_name
from app.web.i18n import localized
from indicators.errors import InvalidChoice
from indicators.profile import valid_areas
from indicators.queries import topics_with_indicators

DEFAULT_INDICATOR = "bev_insgesamt"


def choice_error(err: InvalidChoice, indicator_id: str) -> InvalidChoice:
    """The domain error with the valid choices for the parameter that was wrong (its 4xx page)."""
    conn = get_conn()
    if err.field == "indikator":
        links = [
            (url_for("zeitreihe.zeitreihe", indikator=i.id), localized(i, "name"))
            for t in topics_with_indicators(conn)
            for i in t.indicators
        ]
        return with_links(err, links)
    if err.field == "kommunen":
        links = [
            (url_for("zeitreihe.zeitreihe", indikator=indicator_id, kommunen=a.ags), a.name)
            for a in valid_areas(conn)
            if a.level == "kommune"
        ]
        return with_links(err, links)
    links = [(url_for("zeitreihe.zeitreihe", indikator=indicator_id), _("Neuester Datenstand"))]
    if err.field == "darstellung":
        links += [
            (url_for("zeitreihe.zeitreihe", indikator=indicator_id, darstellung=m), m)
            for m in ("absolut", "index")
        ]
    return with_links(err, links)


def series_text(ts: dict) -> str:
    """The chart as text (its lines' first and last values), for the page and its image."""
    ind, index = ts["indicator"], ts["mode"] == "index"
    unit = _("Index (erstes Jahr = 100)") if index else unit_label(ind.unit)
    # The Region's line under the page's name for it (as the image's legend names it).
    lines = [dict(ln, name=region_name()) if k == 0 else ln for k, ln in enumerate(ts["lines"])]
    return figure_texts.line_chart(
        f"{localized(ind, 'name')} ({unit})",
        ts["years"],
        lines,
        ts["decimals"],
        "" if index else ind.unit,
        [b.year for b in ts["breaks"]],
        [ln["name"] for ln in lines[1:]],  # the Kommunen's names (German data)
    )


def with_notes(ts: dict) -> dict:
    """The time series with its Kontextnotizen: per line `notes` (year → the notes' lines, the
    chart's markers) and `note_items` (the notes, listed below the chart); `notes` on the series
    says whether there are any. Published notes only, as every other page shows them."""
    ind = ts["indicator"].id
    index = public_notes()
    lines = []
    for ln in ts["lines"]:
        items = index.of(ln["ags"], ind)
        by_year = {
            y: [note_line(n) for n in items if n.covers(y)]
            for y in ts["years"]
            if any(n.covers(y) for n in items)
        }
        lines.append(dict(ln, notes=by_year, note_items=items))
    return dict(ts, lines=lines, notes=any(ln["note_items"] for ln in lines))
