"""The ranking's data as a download: the rows of its table (same Kommunen, year, order and
intervals, the Region last) with the view's citation, and that citation for the page."""

from __future__ import annotations

from app.pages.data.cite import absolute, page_citation, pin_note, view_data_links
from app.pages.data.notes import public_notes
from app.pages.data.profile_tables import flag_or_num, notes_cell
from app.render.citation import Citation
from app.render.formatting import unit_label
from app.render.provenance_marks import demo
from app.render.rank_charts import reference_name
from app.render.sentences import verdict_label
from app.web.db import get_conn
from app.web.downloads import SYNTHETIC_MARK, SYNTHETIC_NOTE, Num, Table
from app.web.i18n import current_lang, localized
from app.web.i18n import gettext as _
from app.web.urls import url_for
from indicators.intervals import AreaInterval
from indicators.pinning import format_ids
from indicators.queries import release_for
from indicators.ranking import Ranking


def _mark(synthetic: bool | None) -> str:
    if synthetic is None:
        return ""
    if demo():
        return SYNTHETIC_MARK if synthetic else _("amtlich")
    return SYNTHETIC_MARK if synthetic else ""


def ranking_cite(
    r: Ranking, title: str, state: dict, endpoint: str, pinned: tuple[int, ...] | None
) -> dict:
    """The ranking's citation, permalink, data links and (pinned) its note. The permalink names
    the release when the ranking shows one (its values never change); layered values are pinned
    to the ids of the releases shown (`ShownRelease.ids`, `stand=`)."""
    cite_ids = pinned or (r.release.ids if r.release.id is None else ())
    pinned_state = {k: v for k, v in state.items() if v not in (None, "")}
    if cite_ids:
        pinned_state["stand"] = format_ids(cite_ids)
    if current_lang() == "en":
        pinned_state["lang"] = "en"
    permalink = absolute(url_for(endpoint, **pinned_state))
    cite: Citation = page_citation(
        title,
        permalink,
        r.release.releases or (r.release.label,),
        r.provenance,
        cite_ids,
        synthetic=r.synthetic,
        issued=r.release.published_at,
    )
    live = release_for(get_conn(), r.indicator.id, None, home=True) if pinned else None
    current = {k: v for k, v in state.items() if k != "stand"}
    return dict(
        cite=cite,
        permalink=permalink,
        data_links=view_data_links("rangfolge.index", pinned_state),
        **pin_note(pinned, r.release.ids, live.ids if live else (), url_for(endpoint, **current)),
    )


def _cells(a: AreaInterval, dec: int) -> list:
    value = flag_or_num(a.value, a.flag, dec) if not a.suppressed else _("geheim")
    lower = Num(a.interval.lower, dec + 1) if a.interval else None
    upper = Num(a.interval.upper, dec + 1) if a.interval else None
    return [a.name, a.ags, value, lower, upper]


def ranking_table(r: Ranking, cite: Citation) -> Table:
    """The ranking's table: rank, Kommune, value, interval, verdict; the Region last; a column
    with the year's Kontextnotizen only where a row has any (other downloads stay as they were)."""
    ind, dec = r.indicator, r.indicator.decimals
    cols = [
        _("Rang"),
        _("Kommune"),
        "AGS",
        f"{localized(ind, 'name')} ({unit_label(ind.unit)})",
        _("untere Grenze"),
        _("obere Grenze"),
        _("Vergleich mit der Region")
        if r.benchmark_choice == "region"
        else _("Vergleich mit %(b)s", b=reference_name(r)),
        _("Jahr"),
        _("Datenstand"),
        _("Herkunft") if demo() else _("Beispieldaten"),
    ]
    rows: list[list] = []
    for row in r.rows:
        a = row.area
        rows.append(
            [
                row.rank,
                *_cells(a, dec),
                verdict_label({"verdict": row.verdict}),
                r.year,
                a.release_label or "",
                _mark(a.synthetic if a.value is not None else None),
            ]
        )
    # The Region last, then the Land or Germany when one of them is the benchmark.
    refs = [g for g in (r.region, r.benchmark) if g is not None]
    for g in refs:
        rows.append(
            [
                None,
                *_cells(g, dec),
                _("Bezugswert") if g is r.reference else "–",
                r.year,
                g.release_label or "",
                _mark(g.synthetic if g.value is not None else None),
            ]
        )
    index = public_notes()
    shown = [row.area for row in r.rows] + refs
    notes = [index.at(a.ags, ind.id, r.year) for a in shown]
    if any(notes):
        cols.append(_("Kontextnotizen"))
        for cells, items in zip(rows, notes, strict=True):
            cells.append(notes_cell(items))
    header = [cite.title]
    if r.synthetic:
        header.append(SYNTHETIC_NOTE)
    return Table(f"rangfolge_{ind.id}_{r.year}", cols, rows, header, citation=cite)
