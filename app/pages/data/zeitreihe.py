"""The time series' default indicator and its error pages, shared by the page and its image."""

from __future__ import annotations

from flask import url_for

from app.pages.data import figure_texts
from app.pages.data.cite import absolute, page_citation, pin_note, view_data_links
from app.pages.data.notes import public_notes
from app.render.formatting import unit_label
from app.render.notes import footnotes, note_line
from app.web.db import get_conn
from app.web.errors import with_links
from app.web.home import region_name
from app.web.i18n import current_lang, localized
from app.web.i18n import gettext as _
from indicators.errors import InvalidChoice
from indicators.pinning import format_ids
from indicators.profile import valid_areas
from indicators.queries import (
    indicator_sources,
    release_for,
    shown_provenance,
    topics_with_indicators,
)

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


def series_footnotes(ts: dict) -> list[str]:
    """The image's footnote lines: one per published note of a shown line about a shown year."""
    ind, years = ts["indicator"].id, ts["years"]
    index = public_notes()
    return footnotes(
        (ln["name"], n)
        for ln in ts["lines"]
        for n in index.of(ln["ags"], ind)
        if any(n.covers(y) for y in years)
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


def series_cite(ts: dict, state: dict, pinned: tuple[int, ...] | None = None) -> dict:
    """The time series' citation, permalink, data links and (pinned) its note: a named release
    pins it, layered values are pinned to the ids of the releases shown (`stand=`)."""
    ind, rel = ts["indicator"], ts["release"]
    clean = {k: v for k, v in state.items() if v not in (None, "")}
    cite_ids = pinned or (rel.ids if rel is not None and rel.id is None else ())
    if cite_ids:
        clean["stand"] = format_ids(cite_ids)
    if current_lang() == "en":
        clean["lang"] = "en"
    permalink = absolute(url_for("zeitreihe.zeitreihe", **clean))
    provenance = shown_provenance(
        indicator_sources(get_conn(), [ind.id]).get(ind.id, {}), rel.releases if rel else ()
    )
    unit = _("Index (erstes Jahr = 100)") if ts["mode"] == "index" else unit_label(ind.unit)
    title = _(
        "Zeitreihe: %(name)s, %(a)s–%(b)s (%(unit)s)",
        name=localized(ind, "name"),
        a=ts["years"][0],
        b=ts["years"][-1],
        unit=unit,
    )
    cite = page_citation(
        title,
        permalink,
        rel.releases if rel else (),
        provenance,
        cite_ids,
        synthetic=ts["synthetic"],
        issued=rel.published_at if rel else None,
    )
    live = release_for(get_conn(), ind.id, None) if pinned else None
    current = {k: v for k, v in state.items() if k != "stand"}
    return dict(
        cite=cite,
        permalink=permalink,
        data_links=view_data_links("zeitreihe.zeitreihe", clean),
        **pin_note(
            pinned,
            rel.ids if rel else (),
            live.ids if live else (),
            url_for("zeitreihe.zeitreihe", **current),
        ),
    )
