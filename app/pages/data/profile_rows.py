"""The Kommune profile's table rows (templates/kommune.html), each made once in Python:
its cells (ProfileRow) and its <tr>, with the bytes the template made.

A profile prints ~100 rows of ~15 cells. As template expressions each cell cost a global's
or macro's call through Jinja's context, attribute lookups and an escape: ~2,150 calls,
~4,950 escapes and ~11,700 yields a profile, half of its render (issue #32). The template
keeps the page and the table head; the rows, in the head's columns, are made here.

Escaping as the template escaped (app.render.row_text): text escaped, a translated text the
translation as markup with its variables escaped, charts and trend labels markup already.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, get_template_attribute
from markupsafe import Markup

from app.pages.data.series_breaks import break_text
from app.render.formatting import Numbers
from app.render.provenance_marks import demo, mark_text
from app.render.row_text import DASH, EMPTY, SLOT, esc, template_text, trend_cell, url_maker
from app.render.sentences import benchmark_sentence_for, verdict_label
from app.web.i18n import gettext, localized
from indicators.classify import COUNT_UNITS


@dataclass(slots=True)
class ProfileRow:
    """One row of a profile topic's table: every cell's content (a str is text, Markup is
    markup) and `tr`, the row's <tr> the template prints (_profile_tr).

    The cells of columns the page does not show (Region, comparison group, Land, Bund,
    the Kreise's rank) are empty."""

    id: str
    href: str
    name: str
    unit: str
    marks: Markup  # "amtlich" with its table code, or the demo mode's kind
    notes: list  # the row's Kontextnotizen (the template's notes_list macro prints them)
    value: str
    year: object
    is_count: bool
    spark: Markup
    change: Markup
    trend: str  # data-trend
    trend_sig: Markup  # ` data-significant="…"` or ""
    trend_label: Markup
    region: str = ""
    verdict: str = ""  # data-verdict
    verdict_label: str = ""
    spine: Markup = EMPTY  # <span class="spine-box"> with the row's spine chart, or ""
    diff: str = ""
    sentence: str = ""
    rank: Markup = EMPTY
    group: Markup = EMPTY
    land: str = ""
    bund: str = ""
    rank_kreise: Markup = EMPTY
    tr: Markup = EMPTY


class _ProfilePage:
    """What every row of one profile shares: the page's switches, its fixed texts, its URL
    makers and the trend labels made so far."""

    def __init__(
        self,
        p: dict,
        notes: Any,
        group: Mapping,
        spines: Mapping,
        bench_clauses: Mapping,
        release: int | None,
        sparkline: Callable[..., Markup],
        bench_heading: str,
    ) -> None:
        self.p, self.notes, self.group, self.spines = p, notes, group, spines
        self.bench_clauses, self.sparkline = bench_clauses, sparkline
        self.ags, self.name, self.demo = p["area"].ags, p["area"].name, demo()
        self.num = Numbers()
        kommunen = None if p["is_region"] else self.ags
        rel_args = {"release": release} if release else {}
        self.map_url = (
            url_maker("maps.karte", indikator=SLOT)
            if "maps.karte" in current_app.view_functions
            else None
        )
        self.series_url = url_maker("zeitreihe.zeitreihe", indikator=SLOT, kommunen=kommunen)
        self.spark_url = url_maker(
            "zeitreihe.zeitreihe", indikator=SLOT, kommunen=kommunen, **rel_args
        )
        self.ranking_url = url_maker("rangfolge.index", indikator=SLOT, jahr=SLOT)
        self.trends: dict[tuple, tuple] = {}
        # The rows' fixed texts translated once a page, not once a row.
        lab = {
            k: esc(template_text(v))
            for k, v in {
                "official": gettext("amtlich"),
                "table": gettext("Tabelle"),
                "count": gettext("(absolute Anzahl, kein Vergleich)"),
                "open_ranking": gettext("Rangfolge öffnen"),
                "neutral": gettext("neutral"),
                "median": gettext("Median"),
                "synthetic": gettext("Beispieldaten"),
            }.items()
        }
        self.official = Markup(f'<span class="badge-official">{lab["official"]}</span>')
        self.synthetic = Markup(f'<span class="badge-synthetic">{lab["synthetic"]}</span>')
        self.table, self.open_ranking, self.median = (
            lab["table"],
            lab["open_ranking"],
            lab["median"],
        )
        self.neutral = f' <span class="neutral">({lab["neutral"]})</span>'
        self.count_note = Markup(f'–<span class="visually-hidden"> {lab["count"]}</span>')
        # "3 von 21": the translation once; its variables are numbers, which escaping keeps.
        self.of = gettext("%(rank)s von %(of)s")
        self.group_of = gettext("Rang %(rank)s von %(of)s")
        # The cells' column names (data-label, shown as the cards' labels on small screens).
        col = {
            k: esc(template_text(v))
            for k, v in {
                "region": gettext("Region"),
                "diff": gettext("Differenz"),
                "rank": gettext("Rang"),
                "similar": gettext("Ähnliche Kommunen"),
                "rank_kreise": gettext("Rang unter den Kreisen"),
                "course": gettext("Verlauf"),
                "change": gettext("Veränderung"),
                "trend": gettext("Trend (letzte fünf Jahre)"),
            }.items()
        }
        col.update(
            name=esc(self.name),
            bench=esc(bench_heading),
            count=lab["count"],
            land=esc(p["land"]["name"]) if p["has_land"] else "",
            bund=esc(p["bund"]["name"]) if p["has_bund"] else "",
            period=f"{col['change']} {esc(p['year_from'])}–{esc(p['year_to'])}",
        )
        self.col = col
        self.notes_list = get_template_attribute("_notes.html", "notes_list") if notes else None


def profile_rows(
    p: dict,
    *,
    notes: Any,
    trends: Mapping[str, dict],
    group: Mapping,
    spines: Mapping[str, Markup],
    bench_clauses: Mapping[str, str],
    release: int | None,
    sparkline: Callable[..., Markup],
    bench_heading: str,
) -> list[list[ProfileRow]]:
    """Per topic of the profile `p` (indicators.profile.profile) its rows' cells and <tr>,
    in order."""
    page = _ProfilePage(p, notes, group, spines, bench_clauses, release, sparkline, bench_heading)
    out = []
    for t in p["topics"]:
        n_synth = sum(1 for r in t["rows"] if r["release"].get("synthetic"))
        mixed = 0 < n_synth < len(t["rows"])
        out.append([_profile_row(page, r, trends.get(r["indicator"].id), mixed) for r in t["rows"]])
    return out


def _profile_row(page: _ProfilePage, r: dict, tr: dict | None, mixed: bool) -> ProfileRow:
    p, i = page.p, r["indicator"]
    iid, dec, unit, is_region = i.id, i.decimals, i.unit, p["is_region"]
    is_count = unit in COUNT_UNITS
    cells: dict[str, Any] = {}
    if not is_region:
        cells["region"] = page.num.or_withheld(
            r.get("region"), r.get("region_suppressed"), dec, unit
        )
        if not is_count:
            bench = r.get("benchmark")
            spine = page.spines.get(iid)
            cells.update(
                verdict=bench["verdict"] if bench else "not_assessable",
                verdict_label=verdict_label(bench),
                spine=Markup(f'<span class="spine-box">{esc(spine)}</span>') if spine else EMPTY,
                diff=page.num.signed(r.get("bench_diff"), dec, unit),
                sentence=page.bench_clauses.get(iid)
                or benchmark_sentence_for(
                    page.name, i, r["value"], r.get("bench_value"), bench, page.num
                ),
            )
        cells["rank"] = _rank_cell(page, r, i)
        if page.group:
            cells["group"] = _group_cell(page, page.group.get(iid), dec, unit, is_count)
    if p["has_land"]:
        cells["land"] = page.num.or_withheld(r.get("land"), r.get("land_suppressed"), dec, unit)
    if p["has_bund"]:
        cells["bund"] = page.num.or_withheld(r.get("bund"), r.get("bund_suppressed"), dec, unit)
    if is_region:
        rank = r.get("rank")
        cells["rank_kreise"] = (
            Markup(page.of % {"rank": esc(rank), "of": esc(r.get("ranked_of"))}) if rank else DASH
        )
    direction, sig, label = trend_cell(tr, page.trends)
    row = ProfileRow(
        id=iid,
        href=(page.map_url and page.map_url(indikator=iid)) or page.series_url(indikator=iid),
        name=localized(i, "name", page.num.lang),
        unit=page.num.unit(unit),
        marks=_profile_marks(page, r, mixed),
        notes=page.notes.of(page.ags, iid) if page.notes else [],
        value=page.num.cell(r["value"], r.get("suppressed"), r.get("flag"), dec, unit),
        year=r["year"],
        is_count=is_count,
        spark=_spark_cell(page, r, i),
        change=_change_cell(page, r, dec, unit),
        trend=direction,
        trend_sig=sig,
        trend_label=label,
        **cells,
    )
    row.tr = _profile_tr(page, row)
    return row


def _profile_tr(page: _ProfilePage, x: ProfileRow) -> Markup:
    """The row's <tr>, its cells in the columns of templates/kommune.html's table head (the
    page's switches: a Kommune's columns or the Region's, the comparison group, Land, Bund).

    Made here, not in the template: as template expressions the ~35 cells and labels of ~100
    rows were ~8,000 yields and ~3,500 escapes, a third of the profile's render."""
    c, p, NL = page.col, page.p, "\n        "
    notes = page.notes_list(x.notes) if x.notes and page.notes_list else ""
    out = [
        f'\n      <tr id="row-{esc(x.id)}" data-indicator="{esc(x.id)}" role="row">'
        f'{NL}<th scope="row" role="rowheader"><a href="{esc(x.href)}">{esc(x.name)}</a>'
        f'{NL}  <span class="unit">({esc(x.unit)})</span>'
        f"{NL}  {x.marks}{notes}</th>"
        f'{NL}<td class="num value" role="cell" data-label="{c["name"]}">{esc(x.value)}'
        f' <span class="year">{esc(x.year)}</span></td>{NL}'
    ]
    if not p["is_region"]:
        out.append(
            f'{NL}<td class="num region" role="cell" data-label="{c["region"]}">{esc(x.region)}</td>{NL}'
        )
        if x.is_count:
            out.append(
                f'{NL}<td class="benchmark" role="cell" data-label="{c["bench"]}" data-verdict="none">'
                f'–<span class="visually-hidden"> {c["count"]}</span></td>{NL}'
            )
        else:
            out.append(
                f'{NL}<td class="benchmark" role="cell" data-label="{c["bench"]}"'
                f' data-verdict="{esc(x.verdict)}"><strong>{esc(x.verdict_label)}</strong>'
                f"{NL}  {x.spine}"
                f'{NL}  <span class="diff">{c["diff"]} {esc(x.diff)}</span>'
                f'{NL}  <span class="bench-sentence">{esc(x.sentence)}</span></td>{NL}'
            )
        out.append(
            f'{NL}<td class="num rank" role="cell" data-label="{c["rank"]}">{x.rank}</td>{NL}'
        )
        if page.group:
            out.append(
                f'{NL}<td class="num group" role="cell" data-label="{c["similar"]}">{x.group}</td>{NL}'
            )
        out.append(NL)
    out.append(NL)
    if p["has_land"]:
        out.append(f'<td class="num land" role="cell" data-label="{c["land"]}">{esc(x.land)}</td>')
    out.append(NL)
    if p["has_bund"]:
        out.append(f'<td class="num bund" role="cell" data-label="{c["bund"]}">{esc(x.bund)}</td>')
    out.append(NL)
    if p["is_region"]:
        out.append(
            f'<td class="num rank" role="cell" data-label="{c["rank_kreise"]}">{x.rank_kreise}</td>'
        )
    out.append(
        f'{NL}{NL}<td class="spark" role="cell" data-label="{c["course"]}">{x.spark}</td>'
        f'{NL}<td class="num change" role="cell" data-label="{c["period"]}">{x.change}</td>'
        f'{NL}{NL}<td class="trend" role="cell" data-label="{c["trend"]}"'
        f' data-trend="{esc(x.trend)}"{x.trend_sig}>{x.trend_label}</td>'
        "\n      </tr>\n    "
    )
    return Markup("".join(out))


def _profile_marks(page: _ProfilePage, r: dict, mixed: bool) -> Markup:
    """ "amtlich" with the table code and source of an official row; in demo mode (or in a
    topic mixing kinds) the row's kind."""
    prov = r.get("provenance")
    if not r.get("synthetic") and prov:
        return Markup(
            f'{page.official} <span class="provenance">{page.table} <span lang="de"'
            f' title="{esc(prov.get("source", ""))}">{esc(prov.get("tables", ""))}</span></span>'
        )
    if (mixed or page.demo) and not r["release"].get("synthetic"):
        return page.official
    if page.demo:
        return page.synthetic
    return EMPTY


def _rank_cell(page: _ProfilePage, r: dict, i: Any) -> Markup:
    """The rank among the Kommunen, linked to the ranking; "–" without one."""
    rank = r.get("rank")
    if not rank:
        return DASH
    href = esc(page.ranking_url(indikator=i.id, jahr=r["year"]))
    text = page.of % {"rank": esc(rank), "of": esc(r.get("ranked_of"))}
    neutral = page.neutral if i.polarity == "neutral" else ""
    return Markup(
        f'<a href="{href}">{text}<span class="visually-hidden"> – {page.open_ranking}</span></a>'
        f"{neutral}"
    )


def _group_cell(page: _ProfilePage, g: Any, dec: int, unit: str, is_count: bool) -> Markup:
    """The comparison group's median and the Kommune's rank among its members."""
    if g and g.median is not None:
        out = f'<span class="group-median">{page.median} {esc(page.num.value(g.median, dec, unit))}</span>'
        if g.rank:
            text = page.group_of % {"rank": esc(g.rank), "of": esc(g.size)}
            out += f' <span class="group-rank">{text}</span>'
        return Markup(out)
    return page.count_note if is_count else DASH


def _spark_cell(page: _ProfilePage, r: dict, i: Any) -> Markup:
    """The row's course as a sparkline linked to its time series (one with breaks drawn
    broken); "–" with fewer than two years."""
    series = r["series"]
    if len(series) <= 1:
        return DASH
    first, last = series[0][0], series[-1][0]
    synthetic = r["release"].get("synthetic")
    demo_mark = (" – " + mark_text(synthetic)) if page.demo else ""
    spark_breaks = [b for b in r.get("break_years") or () if first < b <= last]
    if spark_breaks:
        label = template_text(
            gettext(
                "Verlauf %(first)s–%(last)s mit Zeitreihenbruch %(b)s (Linie dort unterbrochen); Zeitreihe als Tabelle öffnen"
            ),
            first=first,
            last=last,
            b=", ".join(map(str, spark_breaks)),
        )
        chart = page.sparkline(
            series, label + demo_mark, breaks=spark_breaks, synthetic=page.demo and synthetic
        )
    else:
        label = template_text(
            gettext(
                "Verlauf %(first)s–%(last)s: von %(v0)s auf %(v1)s; Zeitreihe als Tabelle öffnen"
            ),
            first=first,
            last=last,
            v0=page.num.value(series[0][1], i.decimals, i.unit),
            v1=page.num.value(series[-1][1], i.decimals, i.unit),
        )
        chart = page.sparkline(series, label + demo_mark, synthetic=page.demo and synthetic)
    href = esc(page.spark_url(indikator=i.id))
    return Markup(f'<a href="{href}">{esc(chart)}</a>')


def _change_cell(page: _ProfilePage, r: dict, dec: int, unit: str) -> Markup:
    """The change over the page's period in points and per cent, or the series break."""
    if page.p["year_from"] == page.p["year_to"]:
        return DASH
    if r.get("series_break"):
        return Markup(f'<span class="change-break">{esc(break_text(r["series_break"]))}</span>')
    if r.get("change_points") is None:
        return DASH
    pct = r.get("change_percent")
    return Markup(
        f'{esc(page.num.signed(r["change_points"], dec, unit))}<span class="change-pct">'
        f"{esc(page.num.signed(pct, 1, '%', points=False)) if pct is not None else '–'}</span>"
    )
