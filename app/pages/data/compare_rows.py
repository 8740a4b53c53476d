"""The comparison's table rows (templates/vergleich.html), each made once in Python: its
cells (CompareRow) and its <tr>, with the bytes the template made (as profile_rows: ~30
template expressions a row were ~13,800 yields and ~6,300 escapes a comparison).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import get_template_attribute
from markupsafe import Markup

from app.render.formatting import Numbers
from app.render.provenance_marks import demo
from app.render.row_text import EMPTY, esc, template_text, trend_cell
from app.render.sentences import reason_text, verdict_label
from app.web.i18n import gettext, localized
from app.web.urls import url_for


@dataclass(slots=True)
class CompareRow:
    """One row of a comparison topic's table: every cell's content (a str is text, Markup
    is markup) and `tr`, the row's <tr> the template prints (_compare_tr)."""

    indicator: Any  # for the Kontextnotizen of each side (the template's notes_list macro)
    id: str
    href: str  # the topic's charts (this page when they are shown) and the row's chart
    name: str
    unit: str
    marks: Markup
    year: object
    better_a: str  # " better" on the favourable side's value cell
    better_b: str
    a: Markup
    b: Markup
    context: Markup  # the <td> of each context area (Region, Land, Bund)
    diff: Markup
    verdict_a: str  # data-verdict
    verdict_a_text: Markup
    verdict_b: str
    verdict_b_text: Markup
    rank_a: object
    rank_b: object
    trend_a: str
    trend_a_sig: Markup
    trend_a_label: Markup
    trend_b: str
    trend_b_sig: Markup
    trend_b_label: Markup
    tr: Markup = EMPTY


class _ComparePage:
    """What every row of one comparison shares: its fixed texts, the context columns' cells
    and the trend labels made so far."""

    def __init__(
        self, c: dict, context_labels: Sequence[str], notes: Any, bench_heading: str
    ) -> None:
        self.demo, self.num = demo(), Numbers()
        self.c, self.notes = c, notes
        self.notes_list = get_template_attribute("_notes.html", "notes_list") if notes else None
        a, b, bench = esc(c["a"].name), esc(c["b"].name), esc(bench_heading)
        rank, trend = esc(template_text(gettext("Rang"))), esc(template_text(gettext("Trend")))
        # The cells' column names (data-label, shown as the cards' labels on small screens).
        self.col = {
            "year": esc(template_text(gettext("Jahr"))),
            "a": a,
            "b": b,
            "diff": esc(template_text(gettext("Differenz"))),
            "verdict_a": f"{a}: {bench}",
            "verdict_b": f"{b}: {bench}",
            "rank_a": f"{rank} {a}",
            "rank_b": f"{rank} {b}",
            "trend_a": f"{trend} {a}",
            "trend_b": f"{trend} {b}",
        }
        lab = {
            k: esc(template_text(v))
            for k, v in {
                "official": gettext("amtlich"),
                "better": gettext("günstiger"),
                "no_diff_mixed": gettext(
                    "keine Differenz: Beispieldaten werden nicht mit echten Werten verglichen"
                ),
                "no_diff_count": gettext("keine Differenz bei Anzahlen"),
                "no_verdict": gettext(
                    "kein Urteil (absolute Anzahl, kein Wert oder das Vergleichsgebiet selbst)"
                ),
                "synthetic": gettext("Beispieldaten"),
            }.items()
        }
        self.official = f'<span class="badge-official">{lab["official"]}</span>'
        self.row_synthetic = f' <span class="badge-synthetic">{lab["synthetic"]}</span>'
        self.better = f'<span class="visually-hidden"> ({lab["better"]})</span>'
        hidden = '<span aria-hidden="true">–</span><span class="visually-hidden">{}</span>'
        self.no_diff_mixed = Markup(hidden.format(lab["no_diff_mixed"]))
        self.no_diff_count = Markup(hidden.format(lab["no_diff_count"]))
        self.no_verdict = Markup(hidden.format(lab["no_verdict"]))
        # Each context column's <td> up to its value (the same in every row).
        self.context_tds = [
            f'<td class="num {esc(x.level)} context" data-label="{esc(label)}">'
            for x, label in zip(c["context"], context_labels, strict=False)
        ]
        self.trends: dict[tuple, tuple] = {}


def compare_rows(
    c: dict,
    *,
    trends: Mapping[str, Mapping[str, dict]],
    thema: str | None,
    page_args: Mapping[str, str],
    context_labels: Sequence[str],
    notes: Any,
    bench_heading: str,
) -> list[list[CompareRow]]:
    """Per topic of the comparison `c` (indicators.profile.compare) its rows' cells and <tr>.

    context_labels: the name of each of `c["context"]`'s areas as its column shows it."""
    page = _ComparePage(c, context_labels, notes, bench_heading)
    out = []
    for t in c["topics"]:
        n_synth = sum(1 for r in t["rows"] if r["release"].get("synthetic"))
        mixed = 0 < n_synth < len(t["rows"])
        # The row's link: this topic's charts (on this page when they are shown) at its chart.
        topic = (
            url_for(
                "kommune.compare", ags_a=c["a"].ags, ags_b=c["b"].ags, thema=t["id"], **page_args
            )
            if t["id"] != thema
            else ""
        )
        out.append([_compare_row(page, r, topic, mixed, trends) for r in t["rows"]])
    return out


def _compare_row(
    page: _ComparePage,
    r: dict,
    topic_url: str,
    mixed: bool,
    trends: Mapping[str, Mapping[str, dict]],
) -> CompareRow:
    i = r["indicator"]
    dec, unit = i.decimals, i.unit
    better = r.get("better")
    cells: dict[str, Any] = {}
    for side in ("a", "b"):
        v = r.get(f"verdict_{side}")
        cells[f"verdict_{side}"] = v["verdict"] if v else "none"
        cells[f"verdict_{side}_text"] = _verdict_cell(page, v)
        value = esc(page.num.or_withheld(r.get(side), r.get(f"{side}_suppressed"), dec, unit))
        cells[side] = Markup(value + page.better if better == side else value)
        cells[f"better_{side}"] = " better" if better == side else ""
        cells[f"rank_{side}"] = r.get(f"rank_{side}") or "–"
        d, sig, label = trend_cell(trends[side].get(i.id), page.trends)
        cells[f"trend_{side}"], cells[f"trend_{side}_sig"], cells[f"trend_{side}_label"] = (
            d,
            sig,
            label,
        )
    marks = ""
    synthetic = r["release"].get("synthetic")
    if mixed and not page.demo and not synthetic:
        marks = page.official
    if page.demo:  # the row_mark macro of _herkunft.html
        if synthetic:
            marks += page.row_synthetic
        elif synthetic is False:
            marks += " " + page.official
    context = "".join(
        f"{td}{esc(page.num.or_withheld(x.get('value'), x.get('suppressed'), dec, unit))}</td>"
        for td, x in zip(page.context_tds, r.get("context") or (), strict=False)
    )
    row = CompareRow(
        indicator=i,
        id=i.id,
        href=f"{topic_url}#chart-{i.id}",
        name=localized(i, "name", page.num.lang),
        unit=page.num.unit(unit),
        marks=Markup(marks),
        year=r["year"],
        context=Markup(context),
        diff=_compare_diff(page, r, dec, unit),
        **cells,
    )
    row.tr = _compare_tr(page, row)
    return row


def _compare_tr(page: _ComparePage, x: CompareRow) -> Markup:
    """The row's <tr>, its cells in the columns of templates/vergleich.html's table head
    (made here, not in the template: ~30 template expressions a row, see profile_rows._profile_tr)."""
    c, NL = page.col, "\n        "
    notes = ""
    if page.notes and page.notes_list:
        for side in (page.c["a"], page.c["b"]):
            found = page.notes.of(side.ags, x.indicator.id)
            if found:
                notes += f'<span class="note-owner">{esc(side.name)}</span>{page.notes_list(found)}'
    ranks = (
        f'<td class="num" data-label="{c["rank_a"]}">{esc(x.rank_a)}</td>'
        f'<td class="num" data-label="{c["rank_b"]}">{esc(x.rank_b)}</td>'
        if page.c["ranked"]
        else ""
    )
    return Markup(
        f'\n      <tr id="row-{esc(x.id)}" data-indicator="{esc(x.id)}">'
        f'{NL}<th scope="row"><a href="{esc(x.href)}" data-chart="chart-{esc(x.id)}">{esc(x.name)}</a>'
        f' <span class="unit">({esc(x.unit)})</span>'
        f"{NL}  {x.marks}{notes}</th>"
        f'{NL}<td class="num" data-label="{c["year"]}">{esc(x.year)}</td>'
        f'{NL}<td class="num value-a{esc(x.better_a)}" data-label="{c["a"]}">{x.a}</td>'
        f'{NL}<td class="num value-b{esc(x.better_b)}" data-label="{c["b"]}">{x.b}</td>'
        f"{NL}{x.context}"
        f'{NL}<td class="num diff" data-label="{c["diff"]}">{x.diff}</td>'
        f'{NL}<td class="verdict verdict-a" data-label="{c["verdict_a"]}"'
        f' data-verdict="{esc(x.verdict_a)}">{x.verdict_a_text}</td>'
        f'<td class="verdict verdict-b" data-label="{c["verdict_b"]}"'
        f' data-verdict="{esc(x.verdict_b)}">{x.verdict_b_text}</td>'
        f"{NL}{ranks}{NL}"
        f'{NL}<td class="trend trend-a" data-label="{c["trend_a"]}" data-trend="{esc(x.trend_a)}"'
        f"{x.trend_a_sig}>{x.trend_a_label}</td>{NL}"
        f'{NL}<td class="trend trend-b" data-label="{c["trend_b"]}" data-trend="{esc(x.trend_b)}"'
        f"{x.trend_b_sig}>{x.trend_b_label}</td>{NL}"
        "\n      </tr>\n    "
    )


def _verdict_cell(page: _ComparePage, v: dict | None) -> Markup:
    """A side's verdict against the benchmark, with the reason where none can be given."""
    if not v:
        return page.no_verdict
    out = esc(verdict_label(v))
    if v.get("verdict") == "not_assessable":
        out += f' <span class="reason">({esc(reason_text(v.get("reason")))})</span>'
    return Markup(out)


def _compare_diff(page: _ComparePage, r: dict, dec: int, unit: str) -> Markup:
    """A − B, or why there is none (mixed kinds of data, counts)."""
    if r.get("mixed_synthetic"):
        return page.no_diff_mixed
    if r.get("diff") is None and r.get("a") is not None and r.get("b") is not None:
        return page.no_diff_count
    return Markup(esc(page.num.signed(r.get("diff"), dec, unit)))
