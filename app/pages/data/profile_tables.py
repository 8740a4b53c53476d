"""Download tables of the profile, comparison and time-series pages: the values shown, rounded alike."""

from __future__ import annotations

from collections.abc import Iterable

from app.pages.data.series_breaks import break_text
from app.render.citation import Citation
from app.render.findings import bench_heading, bench_name
from app.render.formatting import FLAG_TEXT, WITHHELD
from app.render.notes import note_line, note_link
from app.render.provenance_marks import demo
from app.render.sentences import reason_text, verdict_label
from app.web.downloads import (
    ATTRIBUTION_BOUNDARIES,
    ATTRIBUTION_ZENSUS,
    SYNTHETIC_MARK,
    SYNTHETIC_NOTE,
    Num,
    Table,
)
from app.web.home import region_name
from app.web.i18n import gettext as _
from app.web.i18n import localized
from geodata.model import Area
from indicators.model import Note
from indicators.notes import NoteIndex
from indicators.units import COUNT_UNITS

POLARITY = {
    "higher_better": "höher = besser",
    "higher_worse": "niedriger = besser",
    "neutral": "neutral",
}


def _header(title: str, synthetic: bool, boundaries: bool) -> list[str]:
    lines = [title, ATTRIBUTION_ZENSUS]
    if boundaries:
        lines.append(ATTRIBUTION_BOUNDARIES)
    if synthetic:
        lines.append(SYNTHETIC_NOTE)
    return lines


def _mark(synthetic: bool) -> str:
    """The last column's cell: in demo mode every row's kind, else the Beispieldaten mark."""
    if demo():
        return SYNTHETIC_MARK if synthetic else _("amtlich")
    return SYNTHETIC_MARK if synthetic else ""


def _mark_column() -> str:
    """The last column: "Herkunft" in demo mode (every row says its kind), else "Beispieldaten"."""
    return _("Herkunft") if demo() else _("Beispieldaten")


def flag_or_num(value: float | None, flag: str | None, dec: int):
    """A number, or where official statistics gave a sign instead, its reason (as on the page)."""
    if value is None and flag in FLAG_TEXT:
        return str(FLAG_TEXT[flag])
    return Num(value, dec)


def trend_cells(trend: dict | None) -> list:
    """Direction, significance and p-value of a recent trend (or why it is not assessable)."""
    if not trend or not trend.get("direction"):
        return [_("nicht bewertbar"), "", None]
    words = {
        "steigend": _("steigend"),
        "fallend": _("fallend"),
        "gleichbleibend": _("gleichbleibend"),
    }
    return [
        words[trend["direction"]],
        _("ja") if trend["significant"] else _("nein"),
        Num(trend["p"], 4),
    ]


def notes_cell(items: Iterable[Note]) -> str:
    """A row's Kontextnotizen in one cell, in the page's language: 'Notiz 2015 (…): text (URL)'."""
    return " | ".join(
        note_line(n) + (f" ({link})" if (link := note_link(n)) else "") for n in items
    )


def profile_table(
    p: dict,
    trends: dict[str, dict] | None = None,
    notes: NoteIndex | None = None,
    citation: Citation | None = None,
) -> Table:
    """One row per indicator: value, Region, difference, rank, change, recent trend; a last
    column with the row's Kontextnotizen where the area has any."""
    area, y0, y1 = p["area"], p["year_from"], p["year_to"]
    cols = [_("Thema"), _("Kennzahl"), _("Kennzahl-ID"), _("Einheit"), _("Jahr"), area.name]
    if not p["is_region"]:
        cols += [
            region_name(),
            _("Differenz zur Region"),
            _("Rang"),
            _("Rang unter"),
            _("Polarität"),
        ]
    cols += [
        f"{_('Wert')} {y0}",
        f"{_('Wert')} {y1}",
        f"{_('Veränderung')} {y0}–{y1} ({_('Punkte')})",
        f"{_('Veränderung')} {y0}–{y1} (%)",
        _("Trend (letzte fünf Jahre)"),
        _("Trend signifikant"),
        _("Trend p-Wert"),
        _("Datenstand"),
        _mark_column(),
    ]
    # Only where the area has notes: other profiles' downloads stay as they were.
    has_notes = notes is not None and any(
        notes.of(area.ags, r["indicator"].id) for t in p["topics"] for r in t["rows"]
    )
    if has_notes:
        cols.append(_("Kontextnotizen"))
    trends = trends or {}
    rows = []
    for t in p["topics"]:
        for r in t["rows"]:
            i, dec = r["indicator"], r["indicator"].decimals
            # Small-number protection: a withheld value reads "geheim", as on the page.
            row = [
                localized(t, "name"),
                localized(i, "name"),
                i.id,
                i.unit,
                r["year"],
                WITHHELD if r["suppressed"] else flag_or_num(r["value"], r.get("flag"), dec),
            ]
            if not p["is_region"]:
                row += [
                    WITHHELD if r["region_suppressed"] else Num(r["region"], dec),
                    Num(r["diff"], dec),
                    r["rank"],
                    r["ranked_of"],
                    POLARITY[i.polarity],
                ]
            row += [
                Num(r["from_value"], dec),
                Num(r["to_value"], dec),
                # Across a series break: no number, the break and its reason instead.
                break_text(r["series_break"])
                if r.get("series_break")
                else Num(r["change_points"], dec),
                Num(r["change_percent"], 1),
                *trend_cells(trends.get(i.id)),
                r["release"]["label"],
                _mark(bool(r["release"]["synthetic"])),
            ]
            if has_notes and notes is not None:
                row.append(notes_cell(notes.of(area.ags, i.id)))
            rows.append(row)
    title = f"{_('Sozialstrukturprofil')} {area.name} ({area.ags})"
    return Table(
        f"profil_{area.ags}", cols, rows, _header(title, p["synthetic"], True), citation=citation
    )


def verdict_cells(bench: dict | None, dec: int, headline: bool) -> list:
    """Verdict, reason, benchmark value and its source of one area (indicators.profile.compare's
    `bench_a`/`bench_b`), in the row of the year it is made for; empty in the other years.
    None in that row: no verdict (an absolute count, no value, or the benchmark area itself)."""
    if not headline:
        return ["", "", None, ""]
    if bench is None:
        return [
            _("kein Urteil"),
            _("absolute Anzahl, kein Wert oder das Vergleichsgebiet selbst"),
            None,
            "",
        ]
    v = bench["benchmark"]
    reason = reason_text(v.get("reason")) if v.get("verdict") == "not_assessable" else ""
    # The benchmark's source has no value: said, never filled in.
    value = (
        _("nicht verfügbar") if bench["region_value"] is None else Num(bench["region_value"], dec)
    )
    return [verdict_label(v), reason, value, bench["source"] or ""]


def compare_table(
    c: dict, notes: NoteIndex | None = None, citation: Citation | None = None
) -> Table:
    """One row per indicator and year: both areas, the areas they lie in (the Region, Land,
    Germany …) and the difference (chart data); a last column with the two areas' Kontextnotizen
    of the year where either has any."""
    a, b = c["a"], c["b"]
    has_notes = notes is not None and any(
        notes.of(x.ags, r["indicator"].id) for t in c["topics"] for r in t["rows"] for x in (a, b)
    )
    context = [region_name() if x.level == "region" else x.name for x in c["context"]]
    cols = [
        _("Thema"),
        _("Kennzahl"),
        _("Kennzahl-ID"),
        _("Einheit"),
        _("Jahr"),
        a.name,
        b.name,
        *context,
        f"{_('Differenz')} {a.name} − {b.name}",
        _("Datenstand"),
        _mark_column(),
    ]
    # Both areas' verdicts against the chosen benchmark (Region, Land or Germany) in the row of
    # the year they are made for (the page's year), with the benchmark's value and source.
    comp = c.get("comparator")
    bench = bench_name(comp) if comp is not None else region_name()
    heading = bench_heading(comp) if comp is not None else _("Vergleich mit der Region")
    for x in (a, b):
        cols += [
            f"{x.name}: {heading}",
            f"{x.name}: {_('Grund')}",
            f"{x.name}: {_('Vergleichswert')} {bench}",
            f"{x.name}: {_('Quelle des Vergleichswerts')}",
        ]
    if has_notes:
        cols.append(_("Kontextnotizen"))
    rows = []
    for t in c["topics"]:
        for r in t["rows"]:
            i, dec = r["indicator"], r["indicator"].decimals
            sa, sb = dict(r["series"]["a"]), dict(r["series"]["b"])
            sc = [dict(x) for x in r["series"]["context"]]
            for y in r["years"]:
                va, vb = sa.get(y), sb.get(y)
                # No difference of counts: as on the page (indicators.profile.compare).
                diff = (
                    va - vb
                    if va is not None and vb is not None and i.unit not in COUNT_UNITS
                    else None
                )
                rows.append(
                    [
                        localized(t, "name"),
                        localized(i, "name"),
                        i.id,
                        i.unit,
                        y,
                        Num(va, dec),
                        Num(vb, dec),
                        *[Num(x.get(y), dec) for x in sc],
                        Num(diff, dec),
                        r["release"]["label"],
                        _mark(bool(r["release"]["synthetic"])),
                        *verdict_cells(r.get("bench_a"), dec, y == r["year"]),
                        *verdict_cells(r.get("bench_b"), dec, y == r["year"]),
                    ]
                )
                if has_notes and notes is not None:
                    rows[-1].append(
                        " | ".join(
                            f"{x.name}: {notes_cell(found)}"
                            for x in (a, b)
                            if (found := notes.at(x.ags, i.id, y))
                        )
                    )
    title = f"{_('Vergleich')} {a.name} ({a.ags}) – {b.name} ({b.ags})"
    return Table(
        f"vergleich_{a.ags}_{b.ags}",
        cols,
        rows,
        _header(title, c["synthetic"], False),
        citation=citation,
    )


def series_table(ts: dict, citation: Citation | None = None) -> Table:
    """One row per year, one column per line (Region first), as shown in the chart's table.

    With series breaks, a last column names the break at the first year after it, and the
    header lists them (a series without breaks gets neither).
    """
    i, dec = ts["indicator"], ts["decimals"]
    breaks, after = ts.get("breaks") or [], ts.get("break_years") or {}
    cols = [_("Jahr"), *[ln["name"] for ln in ts["lines"]], _("Datenstand"), _mark_column()]
    if breaks:
        cols.append(_("Zeitreihenbruch"))
    if ts.get("notes"):
        cols.append(_("Kontextnotizen"))
    rows = []
    for k, y in enumerate(ts["years"]):
        vals = [
            WITHHELD if y in ln["withheld"] else Num(ln["points"][k][1], dec) for ln in ts["lines"]
        ]
        rows.append([y, *vals, ts["release"].label, _mark(ts["release"].synthetic)])
        if breaks:
            rows[-1].append(break_text(after[y]) if y in after else "")
        if ts.get("notes"):
            rows[-1].append(
                " | ".join(
                    f"{ln['name']}: {notes_cell(n for n in ln['note_items'] if n.covers(y))}"
                    for ln in ts["lines"]
                    if any(n.covers(y) for n in ln["note_items"])
                )
            )
    unit = _("Index (erstes Jahr = 100)") if ts["mode"] == "index" else i.unit
    title = f"{_('Zeitreihe')}: {localized(i, 'name')} ({unit})"
    header = _header(title, ts["synthetic"], False) + [break_text(b) for b in breaks]
    return Table(f"zeitreihe_{i.id}_{ts['mode']}", cols, rows, header, citation=citation)


def area_table(area: Area, sections: list[dict], synthetic: bool, citation: Citation) -> Table:
    """The area profile's table (/gebiet/<ags>): per indicator the headline year, the area's
    and its parents' values, its ranks, the release, as on the page."""
    ranks = [
        *([_("Rang im Kreis")] if area.level == "gemeinde" else []),
        *([_("Rang im Land")] if area.level in ("gemeinde", "kreis", "region") else []),
    ]
    cols = [
        _("Thema"),
        _("Kennzahl"),
        _("Kennzahl-ID"),
        _("Einheit"),
        _("Jahr"),
        area.name,
        *(p.name for p in area.parents),
        *ranks,
        _("Datenstand"),
        _mark_column(),
    ]
    rows: list[list] = []
    for s in sections:
        for r in s["rows"]:
            ind = r["ind"]
            cells: list = [
                localized(s["topic"], "name"),
                localized(ind, "name"),
                ind.id,
                ind.unit,
                r["year"],
            ]
            for v in r["values"]:
                if v is None:
                    cells.append(None)
                elif v["suppressed"]:
                    cells.append(WITHHELD)
                else:
                    cells.append(flag_or_num(v["value"], v["flag"], ind.decimals))
            if area.level == "gemeinde":
                cells.append(r["rank_kreis"][0] if r["rank_kreis"] else None)
            if area.level in ("gemeinde", "kreis", "region"):
                cells.append(r["rank_land"][0] if r["rank_land"] else None)
            cells += [r["release"] or "", _mark(bool(r["synthetic"]))]
            rows.append(cells)
    title = _("Profil %(name)s (%(ags)s)", name=area.name, ags=area.ags)
    return Table(
        f"gebiet_{area.ags}", cols, rows, _header(title, synthetic, False), citation=citation
    )
