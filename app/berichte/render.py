"""Render a report: Markdown (markdown-it-py) sanitised by nh3, directives filled from the data.

Directives are cut out before Markdown sees the text and replaced by random placeholders; the
Markdown HTML is sanitised (only the tags Markdown itself writes; raw HTML, script and images
are removed), and only then do the placeholders become the directives' HTML, which this module
builds itself with every value escaped.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from itertools import count

import nh3
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import Connection, text

from app.berichte import directives, svgmap
from app.berichte.directives import Directive, DirectiveError
from app.berichte.values import Cell, Values, areas
from app.render import charts, figure_text
from app.render.findings import bench_name, map_summary, summary_sentences
from app.render.formatting import fmt_cell, fmt_value, unit_label
from app.render.notes import category_names, note_lang, note_link, note_text
from app.render.provenance_marks import demo
from app.render.sentences import number as fmt_number
from app.web.i18n import in_language, localized
from geodata import attribution
from indicators.api_queries import area_values
from indicators.benchmarks import comparator
from indicators.breaks import Breaks, break_between, breaks_within, series_breaks
from indicators.errors import InvalidChoice, UnknownChoice
from indicators.findings import map_findings, profile_findings
from indicators.model import Indicator
from indicators.notes import public_notes
from indicators.profile import change, profile
from indicators.queries import get_indicator, indicator_sources
from indicators.social_index import SocialIndex
from indicators.social_index_queries import kreis_name, social_index
from indicators.social_index_store import StoredDefinition, current_definition
from indicators.trend_queries import area_trends

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "code",
    "pre",
    "blockquote",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
BOUNDARIES = f"{attribution.BOUNDARIES} ({attribution.LICENCE})"

_figure_ids = count(1)
_md = MarkdownIt("commonmark", {"html": True}).enable("table")


def markdown_html(text: str) -> str:
    """Markdown to sanitised HTML; the text's top heading level becomes h2 (the title is h1)."""
    tokens = _md.parse(text)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    shift = 2 - min(levels) if levels else 0
    for t in tokens:
        if t.type in ("heading_open", "heading_close"):
            t.tag = f"h{min(max(int(t.tag[1]) + shift, 2), 6)}"
    html = _md.renderer.render(tokens, _md.options, {})
    return sanitise(html)


def sanitise(html: str) -> str:
    """Keep only Markdown's own tags and safe links (nh3, the Ammonia sanitiser)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


@dataclass
class Rendered:
    """A rendered report: HTML, the editor's errors, and what its numbers rest on."""

    html: Markup
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (number, source, message)
    labels: set[str] = field(default_factory=set)
    synthetic: bool = False
    changed: int = 0


class Renderer:
    """Renders directives in one data state; with `compare` marks values that differ from it."""

    def __init__(
        self, conn: Connection, release_ids: list[int] | None, compare: list[int] | None = None
    ):
        self.conn = conn
        self.region = current_app.config["REGION"]  # the home Kreis
        self.values = Values(conn, release_ids)
        self.old = Values(conn, compare) if compare is not None else None
        self.out = Rendered(Markup(""))
        self._indicators: dict[str, Indicator | None] = {}
        self._breaks: dict[str, Breaks] | None = None

    # --- lookups -------------------------------------------------------------------------
    def indicator(self, ind_id: str) -> Indicator:
        if ind_id not in self._indicators:
            self._indicators[ind_id] = get_indicator(self.conn, ind_id)
        ind = self._indicators[ind_id]
        if ind is None:
            raise DirectiveError(f"Unbekannter Indikator {ind_id!r} (siehe /api/v1/indicators).")
        return ind

    def breaks(self, ind: Indicator) -> Breaks:
        """The indicator's series breaks (every indicator's read once per rendering)."""
        if self._breaks is None:
            self._breaks = series_breaks(self.conn)
        return self._breaks.get(ind.id, ())

    @staticmethod
    def lang() -> str:
        return str(get_locale())

    def areas(self, keys: list[str]) -> dict[str, dict]:
        found = areas(self.conn, keys)
        missing = [k for k in keys if k not in found]
        if missing:
            raise DirectiveError(f"Unbekanntes Gebiet {', '.join(missing)} (siehe /api/v1/areas).")
        return found

    def fetch(self, ind: Indicator, **kw) -> tuple[dict, dict | None]:
        cur = self.values.cells(ind.id, **kw)
        old = self.old.cells(ind.id, **kw) if self.old else None
        return cur, old

    def no_year(self, ind: Indicator, year: int, ags: list[str] | None = None) -> DirectiveError:
        years = self.values.years(ind.id, ags)
        have = f"{years[0]}–{years[-1]}" if years else "keine"
        where = f" für {', '.join(ags)}" if ags else ""
        return DirectiveError(f"{ind.id}: kein Wert für {year}{where} (Jahre mit Werten: {have}).")

    # --- numbers -------------------------------------------------------------------------
    def text_of(self, ind: Indicator, cell: Cell | None, unit: bool = True) -> str:
        if cell is None:
            return "–"
        return fmt_cell(
            cell.value, cell.suppressed, cell.flag, ind.decimals, ind.unit if unit else ""
        )

    def note(self, cell: Cell | None) -> None:
        if cell is not None:
            self.out.labels.add(cell.release_label)
            self.out.synthetic |= cell.synthetic

    def number(
        self,
        shown: str,
        cells: list[Cell | None],
        olds: list[Cell | None] | None,
        old_text: str = "",
    ) -> Markup:
        """A shown number, marked as Beispieldaten (in demo mode: or amtlich) and (current view) as
        changed."""
        for c in cells:
            self.note(c)
        html = Markup('<span class="zahl">{}</span>').format(shown)
        if any(c is not None and c.synthetic for c in cells):
            html += Markup(' <span class="badge-synthetic">{}</span>').format(_("Beispieldaten"))
        elif demo() and any(c is not None for c in cells):  # demo mode: every value its kind
            html += Markup(' <span class="badge-official">{}</span>').format(_("amtlich"))
        if olds is not None:
            same = all(
                (c is None and o is None) or (c is not None and c.same_as(o))
                for c, o in zip(cells, olds, strict=True)
            )
            if not same:
                self.out.changed += 1
                html = Markup(
                    '<mark class="geaendert">{} <span class="vorher">({}: {})</span></mark>'
                ).format(html, _("bei Veröffentlichung"), old_text or "–")
        return html

    # --- directives ----------------------------------------------------------------------
    def zahl(self, p: dict) -> Markup:
        ind = self.indicator(p["indikator"])
        self.areas([p["gebiet"]])
        key = (p["gebiet"], p["jahr"])
        cur, old = self.fetch(ind, ags=[p["gebiet"]], years=[p["jahr"]])
        if key not in cur:
            raise self.no_year(ind, p["jahr"], [p["gebiet"]])
        o = old.get(key) if old is not None else None
        # A number inside the author's German sentence is written the German way, also on the
        # English page ("12,3 %", never "12.3 %" in German text: issue #29).
        with in_language("de"):
            shown, old_text = self.text_of(ind, cur[key]), self.text_of(ind, o)
        return self.number(shown, [cur[key]], None if old is None else [o], old_text)

    def veraenderung(self, p: dict) -> Markup:
        from app.render.formatting import fmt_signed  # the profile's signed format ('+1,2 Pp.')

        ind = self.indicator(p["indikator"])
        self.areas([p["gebiet"]])
        years = [p["von"], p["bis"]]
        cur, old = self.fetch(ind, ags=[p["gebiet"]], years=years)
        for y in years:
            if (p["gebiet"], y) not in cur:
                raise self.no_year(ind, y, [p["gebiet"]])
        percent = p.get("art") == "prozent"
        crossed = break_between(*years, self.breaks(ind))

        def text(cells: dict) -> str:
            a, b = cells.get((p["gebiet"], years[0])), cells.get((p["gebiet"], years[1]))
            if crossed:  # not comparable: the break and its reason instead of a number
                return _(
                    "Zeitreihenbruch %(y)s: %(r)s", y=crossed.year, r=crossed.reason(self.lang())
                )
            if a is None or b is None or a.value is None or b.value is None:
                return "–"
            points, pct = change(a.value, b.value)
            if percent:
                return fmt_signed(pct, 1, "%", points=False) if pct is not None else "–"
            return fmt_signed(points, ind.decimals, ind.unit)

        keys = [(p["gebiet"], y) for y in years]
        with in_language("de"):  # in the author's German sentence, as `zahl`
            shown, old_text = text(cur), text(old or {})
        return self.number(
            shown,
            [cur.get(k) for k in keys],
            None if old is None else [old.get(k) for k in keys],
            old_text,
        )

    def _cell_html(self, ind: Indicator, cur: dict, old: dict | None, key: tuple) -> Markup:
        c = cur.get(key)
        o = old.get(key) if old is not None else None
        return self.number(
            self.text_of(ind, c, unit=False),
            [c],
            None if old is None else [o],
            self.text_of(ind, o, unit=False),
        )

    def _source(self, inds: list[Indicator], cells: list[Cell], boundaries: bool = False) -> Markup:
        labels = {c.release_label for c in cells}
        synthetic = {c.release_label for c in cells if c.synthetic}
        prov = indicator_sources(self.conn, [i.id for i in inds])
        parts: list[str] = []
        for i in inds:
            for label, p in sorted(prov.get(i.id, {}).items()):
                if label in labels:
                    tables = f", {_('Tabelle')} {p['tables']}" if p["tables"] else ""
                    parts.append(f"{p['source'] or i.source}{tables} ({label})")
        parts += [f"{_('Beispieldaten')} ({label})" for label in sorted(synthetic)]
        if not parts:
            parts = sorted({i.source for i in inds if i.source})
        # The sources' own wording (German) is marked as such on English pages.
        html = Markup('{}: <span lang="de">{}</span>.').format(
            _("Quelle"), "; ".join(dict.fromkeys(parts))
        )
        if boundaries:
            html += Markup(" {}: {}.").format(_("Karte"), BOUNDARIES)
        return Markup('<p class="quelle">{}</p>').format(html)

    def _figure(
        self, p: dict, title: str, body: Markup, table: Markup, source: Markup, kind: str = ""
    ) -> Markup:
        """A figure in the reader's language: caption (the author's own title is German),
        picture, its data table in a scrolling box, source line."""
        caption = Markup(' lang="de"') if p.get("titel") else Markup("")
        cid = f"fig-{next(_figure_ids)}"
        # Picture and table are named by the caption (aria-labelledby), so an author's German
        # title never sits in an attribute of the reader's language.
        return Markup(
            '<figure class="bericht-figur{}" lang="{}"><figcaption id="{}"{}>{}</figcaption>{}'
            '<div class="table-scroll" tabindex="0" role="region" aria-labelledby="{}">{}</div>'
            "{}</figure>"
        ).format(
            kind,
            str(get_locale()),
            cid,
            caption,
            title,
            Markup(str(body).replace("@@CAPTION@@", cid)),
            cid,
            table,
            source,
        )

    def karte(self, p: dict) -> Markup:
        ind = self.indicator(p["indikator"])
        year = p["jahr"]
        cur, old = self.fetch(ind, years=[year], levels=["kommune"])
        if not cur:
            raise self.no_year(ind, year)
        region, region_old = self.fetch(ind, ags=[self.region], years=[year])
        title = p.get("titel") or f"{localized(ind, 'name')} {year}"
        unit = ind.unit
        vals = {a: c.value for (a, _y), c in cur.items()}
        tips = {a: f"{c.name}: {self.text_of(ind, c)}" for (a, _y), c in cur.items()}

        def fmt(v: float, with_unit: bool) -> str:
            return fmt_value(v, ind.decimals, unit if with_unit else "")

        method = p.get("klassen") or "quantile"
        shown = [figure_text.Shown(c.name, c.value, self.text_of(ind, c)) for c in cur.values()]
        own = region.get((self.region, year))
        extra = f"{own.name}: {self.text_of(ind, own)}" if own is not None else ""

        def describe(legend: list[dict]) -> str:
            return figure_text.map_text(
                f"{localized(ind, 'name')} ({unit_label(unit)})",
                str(year),
                shown,
                [(e["label"], e["count"]) for e in legend],
                extra=extra,
            )

        svg, legend = svgmap.choropleth(
            self.conn,
            vals,
            tips,
            method,
            ind.polarity,
            fmt,
            "@@CAPTION@@",
            _("keine Daten"),
            region=self.region,
            describe=describe,
        )
        items = Markup("").join(
            Markup(
                '<li><span class="swatch" data-color="{}"><svg viewBox="0 0 10 10"'
                ' width="14" height="14" aria-hidden="true"><rect width="10" height="10"'
                ' fill="{}" stroke="#666"/></svg></span> {} ({} {})</li>'
            ).format(e["color"], e["color"], e["label"], e["count"], _("Kommunen"))
            for e in legend
        )
        rows = sorted(cur.items(), key=lambda kv: kv[1].name)
        head = Markup('<tr><th scope="col">{}</th><th scope="col" class="num">{}</th></tr>').format(
            _("Kommune"), f"{localized(ind, 'name')} ({unit_label(unit)})"
        )
        body_rows = Markup("").join(
            Markup('<tr><th scope="row">{}</th><td class="num">{}</td></tr>').format(
                c.name, self._cell_html(ind, cur, old, k)
            )
            for k, c in rows
        )
        if (self.region, year) in region:
            body_rows += Markup(
                '<tr class="region"><th scope="row">{}</th><td class="num">{}</td></tr>'
            ).format(
                region[(self.region, year)].name,
                self._cell_html(ind, region, region_old, (self.region, year)),
            )
        table = Markup(
            "<table><caption>{}</caption><thead>{}</thead><tbody>{}</tbody></table>"
        ).format(_("Die Werte der Karte"), head, body_rows)
        picture = Markup(
            '<div class="karte-wrap">{}<ul class="legende" aria-label="{}">{}</ul></div>'
        ).format(svg, _("Legende"), items)
        return self._figure(
            p, title, picture, table, self._source([ind], list(cur.values()), boundaries=True)
        )

    def zeitreihe(self, p: dict) -> Markup:
        ind = self.indicator(p["indikator"])
        keys = p.get("gebiete") or [self.region]
        found = self.areas(keys)
        span = range(p.get("von", 1990), p.get("bis", 2100) + 1)
        cur, old = self.fetch(ind, ags=keys, years=list(span))
        years = sorted({y for (_a, y) in cur})
        if not years:
            raise DirectiveError(
                f"{ind.id}: keine Werte für {', '.join(keys)} im gewählten Zeitraum."
            )
        if old is not None:
            years = sorted(set(years) | {y for (_a, y) in old})
        title = p.get("titel") or f"{localized(ind, 'name')} {years[0]}–{years[-1]}"
        series = [
            {
                "name": found[a]["name"],
                "points": [(y, cur[(a, y)].value if (a, y) in cur else None) for y in years],
                # the line's kind (demo mode marks each point with it)
                "synthetic": any(c.synthetic for (b, _y), c in cur.items() if b == a),
            }
            for a in keys
        ]
        # The unit stands above the chart: inside it, it would collide with long tick labels.
        chart = Markup('<p class="einheit">{}: {}</p>').format(_("Einheit"), unit_label(ind.unit))
        shown_breaks = breaks_within(years, self.breaks(ind))
        chart += charts.line_chart(
            charts.style_lines(series, region_first=keys[0] == self.region),
            years,
            "",
            f"{localized(ind, 'name')} {years[0]}–{years[-1]}",
            decimals=ind.decimals,
            breaks=[b.year for b in shown_breaks],
            label=figure_text.lines_text(
                f"{localized(ind, 'name')} ({unit_label(ind.unit)})",
                years,
                [(ln["name"], ln["points"]) for ln in series],
                lambda v: fmt_value(v, ind.decimals, ind.unit),
                [b.year for b in shown_breaks],
            ),
        )
        if shown_breaks:
            chart += Markup('<ul class="brueche">{}</ul>').format(
                Markup("").join(
                    Markup("<li>{}</li>").format(
                        _("Zeitreihenbruch %(y)s: %(r)s", y=b.year, r=b.reason(self.lang()))
                    )
                    for b in shown_breaks
                )
            )
        names = [found[a]["name"] for a in keys]
        key_html = Markup('<ul class="linien">{}</ul>').format(
            Markup("").join(
                Markup(
                    '<li><svg viewBox="0 0 30 10" width="30" height="10" aria-hidden="true">'
                    '<line x1="0" y1="5" x2="30" y2="5" stroke="{}" stroke-width="2.5"'
                    ' stroke-dasharray="{}"/></svg> {}</li>'
                ).format(ln["color"], ln["dash"], ln["name"])
                for ln in charts.style_lines(series, region_first=keys[0] == self.region)
            )
        )
        head = Markup('<th scope="col">{}</th>').format(_("Jahr")) + Markup("").join(
            Markup('<th scope="col" class="num">{}</th>').format(n) for n in names
        )
        body_rows = Markup("").join(
            Markup('<tr><th scope="row">{}</th>{}</tr>').format(
                y,
                Markup("").join(
                    Markup('<td class="num">{}</td>').format(self._cell_html(ind, cur, old, (a, y)))
                    for a in keys
                ),
            )
            for y in years
        )
        table = Markup(
            "<table><caption>{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
        ).format(f"{localized(ind, 'name')} ({unit_label(ind.unit)})", head, body_rows)
        return self._figure(
            p, title, chart + key_html, table, self._source([ind], list(cur.values()))
        )

    def vergleich(self, p: dict) -> Markup:
        inds = [self.indicator(i) for i in p["indikatoren"]]
        keys = p["gebiete"]
        found = self.areas(keys)
        year = p["jahr"]
        data = []
        for ind in inds:
            cur, old = self.fetch(ind, ags=keys, years=[year])
            if not cur:
                raise self.no_year(ind, year, keys)
            data.append((ind, cur, old))
        title = p.get("titel") or _("Vergleich %(year)s", year=year)
        head = Markup('<th scope="col">{}</th>').format(_("Gebiet")) + Markup("").join(
            Markup('<th scope="col" class="num">{} ({})</th>').format(
                localized(i, "name"), unit_label(i.unit)
            )
            for i in inds
        )
        body_rows = Markup("").join(
            Markup('<tr><th scope="row">{}</th>{}</tr>').format(
                found[a]["name"],
                Markup("").join(
                    Markup('<td class="num">{}</td>').format(
                        self._cell_html(ind, cur, old, (a, year))
                    )
                    for ind, cur, old in data
                ),
            )
            for a in keys
        )
        table = Markup("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>").format(
            head, body_rows
        )
        cells = [c for _i, cur, _o in data for c in cur.values()]
        return self._figure(
            p, title, Markup(""), table, self._source(inds, cells), " bericht-tabelle"
        )

    def rangfolge(self, p: dict) -> Markup:
        ind = self.indicator(p["indikator"])
        year = p["jahr"]
        level = p.get("ebene") or "kommune"
        land = p.get("land") if level == "kreis" else None
        # The home Kreis (level 'region') is one of the Kreise of its Land.
        levels = ["kommune"] if level == "kommune" else ["kreis", "region"]
        cur, old = self.fetch(ind, years=[year], levels=levels, land=land)
        if not cur:
            raise self.no_year(ind, year)
        ranked = sorted(
            cur.items(), key=lambda kv: (kv[1].value is None, -(kv[1].value or 0), kv[1].name)
        )
        shown = ranked[: p.get("anzahl") or len(ranked)]
        what = _("Kommunen") if level == "kommune" else _("Kreise")
        title = p.get("titel") or _(
            "Rangfolge %(what)s: %(name)s %(year)s",
            what=what,
            name=localized(ind, "name"),
            year=year,
        )
        head = Markup(
            '<tr><th scope="col" class="num">{}</th><th scope="col">{}</th>'
            '<th scope="col" class="num">{}</th></tr>'
        ).format(_("Rang"), _("Gebiet"), f"{localized(ind, 'name')} ({unit_label(ind.unit)})")
        body_rows = Markup("").join(
            Markup(
                '<tr{}><td class="num">{}</td><th scope="row" lang="de">{}</th><td class="num">{}</td></tr>'
            ).format(
                Markup(' class="region"') if k[0] == self.region else "",
                n if c.value is not None else "–",
                c.name,
                self._cell_html(ind, cur, old, k),
            )
            for n, (k, c) in enumerate(shown, start=1)
        )
        caption = _(
            "Absteigend nach Wert; %(n)d von %(total)d %(what)s",
            n=len(shown),
            total=len(ranked),
            what=what,
        )
        table = Markup(
            "<table><caption>{}</caption><thead>{}</thead><tbody>{}</tbody></table>"
        ).format(caption, head, body_rows)
        return self._figure(
            p, title, Markup(""), table, self._source([ind], list(cur.values())), " bericht-tabelle"
        )

    def notizen(self, p: dict) -> Markup:
        """The Kontextnotizen of an area (of one indicator; within von–bis) as a list: those
        published now, or those of the pinned releases."""
        keys = [p["gebiet"]]
        found = self.areas(keys)
        ind = self.indicator(p["indikator"]) if "indikator" in p else None
        lo, hi = p.get("von", 0), p.get("bis", 9999)
        items = [
            n
            for n in public_notes(
                self.conn, keys, [ind.id] if ind else None, self.values.release_ids
            )
            if n.year_to >= lo and n.year_from <= hi
        ]
        names = category_names()
        name = found[p["gebiet"]]["name"]
        title = p.get("titel") or (
            _("Kontextnotizen: %(area)s, %(what)s", area=name, what=localized(ind, "name"))
            if ind
            else _("Kontextnotizen: %(area)s", area=name)
        )
        if not items:
            body = Markup("<p>{}</p>").format(_("Keine Kontextnotizen."))
        else:
            lines = []
            for n in items:
                link = note_link(n)
                source = (
                    Markup(' <a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(
                        link, _("Quelle")
                    )
                    if link
                    else Markup("")
                )
                what = "" if ind else f" {n.indicator_id or n.topic_id}"
                lines.append(
                    Markup(
                        '<li><span class="note-period">{}{}</span> ({}): <span lang="{}">{}</span>{}</li>'
                    ).format(n.period, what, names[n.category], note_lang(n), note_text(n), source)
                )
            body = Markup('<ul class="context-notes">{}</ul>').format(Markup("").join(lines))
        return Markup(
            '<section class="bericht-notizen"><p class="bericht-titel">{}</p>{}</section>'
        ).format(title, body)

    # --- findings and the Sozialindex (issue #30) ------------------------------------------
    def _pin(self, values: Values) -> tuple[int, ...] | None:
        return None if values.release_ids is None else tuple(values.release_ids)

    def _sentences(self, p: dict, values: Values) -> tuple[list[str], str]:
        """The findings' sentences of a directive in one data state, and the benchmark's name."""
        try:
            against = comparator(self.conn, p.get("vergleich", "region"), self.region)
        except KeyError:  # the choices are checked by the parser; kept for a direct call
            raise DirectiveError(
                f"vergleich={p.get('vergleich')!r}: möglich sind region, land, bund."
            ) from None
        pin = self._pin(values)
        if "gebiet" in p:
            ags = p["gebiet"]
            found = self.areas([ags])
            if found[ags].get("level") != "kommune":
                raise DirectiveError(
                    f"befunde: {ags} ist keine Kommune der Region (Befunde gibt es für die"
                    " 21 Kommunen, siehe /kommunen)."
                )
            try:
                prof = profile(self.conn, ags, pin, region=self.region, against=against)
            except (UnknownChoice, InvalidChoice) as err:
                raise DirectiveError(f"befunde: {err}") from None
            trends = {i: t for (i, _a), t in area_trends(self.conn, [ags], None, pin).items()}
            findings = profile_findings(prof, trends)
            for r in (r for topic in prof["topics"] for r in topic["rows"]):
                if r["value"] is not None:
                    self.out.synthetic |= bool(r["synthetic"])
            sentences = summary_sentences(findings) or [
                _(
                    "Keine Kennzahl unterscheidet sich signifikant vom Vergleichswert oder hat einen signifikanten Trend."
                )
            ]
            return sentences, bench_name(against)
        ind = self.indicator(p["indikator"])
        year = p["jahr"]
        kommunen = list(
            self.conn.scalars(text("SELECT ags FROM area WHERE level = 'kommune' ORDER BY ags"))
        )
        rows = area_values(self.conn, ind.id, [year], pin, [*kommunen, against.ags])
        kom = [rows[(a, year)] for a in kommunen if (a, year) in rows]
        if not any(r.shown is not None for r in kom):
            raise self.no_year(ind, year)
        ref = rows.get((against.ags, year))
        ref = ref if ref is not None and ref.shown is not None else None
        found = map_findings(kom, ind, year, against, ref)
        for f in found:
            self.out.synthetic |= bool(f.synthetic)
        for r in [*kom, *([ref] if ref else [])]:
            if r.shown is not None and r.release_label:
                self.out.labels.add(r.release_label)
        return map_summary(found, against, ref), bench_name(against)

    def befunde(self, p: dict) -> Markup:
        """The plain-language findings of a Kommune (its profile's "Befunde in Sätzen") or of an
        indicator's map in a year ("Die Karte in Sätzen"), in the report's data state; the
        current view marks the list when its sentences differ from those at publication."""
        sentences, bench = self._sentences(p, self.values)
        if "gebiet" in p:
            name = self.areas([p["gebiet"]])[p["gebiet"]]["name"]
            title = p.get("titel") or _("Befunde: %(name)s", name=name)
        else:
            ind = self.indicator(p["indikator"])
            title = p.get("titel") or _(
                "%(ind)s %(y)s in Sätzen", ind=localized(ind, "name"), y=p["jahr"]
            )
        note = _(
            "Nur was die Tests der App stützen: ein Unterschied heißt signifikant, wenn das 95 %%-Konfidenzintervall des Werts ganz über oder unter dem Vergleichswert liegt; ein Trend, wenn sein Test p < 0,05 ergibt. Vergleich mit: %(b)s.",
            b=bench,
        )
        items = Markup("").join(Markup("<li>{}</li>").format(s) for s in sentences)
        body = Markup('<ul class="findings-list">{}</ul>').format(items)
        if self.old is not None:
            before, _b = self._sentences(p, self.old)
            if before != sentences:
                self.out.changed += 1
                body = Markup(
                    '<mark class="geaendert">{} <span class="vorher">({}: {})</span></mark>'
                ).format(body, _("bei Veröffentlichung"), " ".join(before))
        return Markup(
            '<section class="bericht-befunde"><p class="bericht-titel">{}</p>'
            '<p class="note">{}</p>{}</section>'
        ).format(title, note, body)

    def _index(
        self, values: Values, kreis: str | None = None
    ) -> tuple[SocialIndex, StoredDefinition]:
        """The Sozialindex of the home region's Kommunen (or of the Gemeinden of the Kreis
        `kreis`) on the values and with the definition of a data state (as /sozialindex
        computes it: an indicator whose dynamics period crosses a series break has no change)."""
        source = current_definition(self.conn, values.release_ids)
        d = source.definition
        if self._breaks is None:
            self._breaks = series_breaks(self.conn)
        crossed = [
            i
            for i in d.indicator_ids
            if break_between(d.dynamics_from, d.dynamics_to, self._breaks.get(i, ())) is not None
        ]
        return social_index(self.conn, d, crossed, values.release_ids, kreis=kreis), source

    def _index_rows(self, index: SocialIndex) -> list[tuple[str, str, str, str]]:
        """Kommune, status class, dynamics class and the note of each row, in the language."""
        status = {
            "hoch": _("hoch"),
            "mittel": _("mittel"),
            "niedrig": _("niedrig"),
            "sehr_niedrig": _("sehr niedrig"),
        }
        dynamics = {"positiv": _("positiv"), "stabil": _("stabil"), "negativ": _("negativ")}
        rows = []
        for a in index.areas:
            why = ""
            if a.status_class is None or a.dynamics_class is None:
                gaps = dict.fromkeys((*a.status_gaps, *a.dynamics_gaps))
                why = _(
                    "ohne Klasse: es fehlen %(what)s",
                    what=", ".join(f"{g.indicator} {g.year}" for g in gaps) or "–",
                )
            elif a.attention:
                why = _("besonderer Aufmerksamkeitsbedarf")
            rows.append(
                (
                    a.name,
                    status[a.status_class] if a.status_class else "–",
                    dynamics[a.dynamics_class] if a.dynamics_class else "–",
                    why,
                )
            )
        return rows

    def sozialindex(self, p: dict) -> Markup:
        """The Sozialindex (status × dynamics class per Kommune) of the report's releases, with
        the definition it used (indicators, years, class rule) and where that comes from."""
        kreis = p.get("gebiet")
        if kreis == self.region:
            kreis = None
        where = None
        if kreis is not None:
            if len(kreis) != 5:
                raise DirectiveError(
                    f"sozialindex: gebiet={kreis!r} ist kein Kreis (fünfstelliger Kreisschlüssel,"
                    " z. B. 03254; ohne gebiet: die Kommunen der Region)."
                )
            try:
                where = kreis_name(self.conn, kreis)
            except UnknownChoice:
                raise DirectiveError(
                    f"sozialindex: Unbekannter Kreis {kreis!r} (siehe /api/v1/areas)."
                ) from None
        index, src = self._index(self.values, kreis)
        rows = self._index_rows(index)
        old_rows = (
            {r[0]: r for r in self._index_rows(self._index(self.old, kreis)[0])}
            if self.old
            else None
        )
        d = index.definition
        name = d.name_en if self.lang() == "en" else d.name_de
        title = p.get("titel") or (
            _("Sozialindex: %(name)s", name=name)
            if where is None
            else _("Sozialindex: %(name)s – Gemeinden des Kreises %(k)s", name=name, k=where)
        )
        names = {i.id: get_indicator(self.conn, i.id) for i in d.indicators}
        inds = ", ".join(
            (localized(ind, "name") if (ind := names[i.id]) is not None else i.id)
            + (" (+)" if i.direction > 0 else " (−)")
            for i in d.indicators
        )
        definition = _(
            "Definition: Status %(y)s, Dynamik %(a)s–%(b)s; Indikatoren (Richtung): %(inds)s;"
            " Klassen nach Standardabweichungen (Status: sehr niedrig ab %(vl)s, niedrig ab %(l)s,"
            " hoch bis %(h)s; Dynamik: negativ ab %(dn)s, positiv bis %(dp)s). Stand der Definition: %(src)s.",
            y=d.status_year,
            a=d.dynamics_from,
            b=d.dynamics_to,
            inds=inds,
            vl=fmt_number(d.status_very_low, 1),
            l=fmt_number(d.status_low, 1),
            h=fmt_number(d.status_high, 1),
            dn=fmt_number(d.dynamics_negative, 1),
            dp=fmt_number(d.dynamics_positive, 1),
            src=src.release_label or _("mitgelieferte Definition"),
        )
        if src.release_label:
            self.out.labels.add(src.release_label)
        head = Markup(
            '<tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr>'
        ).format(
            _("Kommune") if where is None else _("Gemeinde"),
            _("Status"),
            _("Dynamik"),
            _("Hinweise"),
        )
        body = []
        for r in rows:
            cells = Markup('<th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td>').format(*r)
            if old_rows is not None and old_rows.get(r[0]) != r:
                self.out.changed += 1
                before = old_rows.get(r[0])
                cells = Markup(
                    '<th scope="row">{}</th><td colspan="3"><mark class="geaendert">{} / {} {}'
                    ' <span class="vorher">({}: {})</span></mark></td>'
                ).format(
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    _("bei Veröffentlichung"),
                    " / ".join(before[1:3]) if before else "–",
                )
            body.append(Markup("<tr>{}</tr>").format(cells))
        table = Markup(
            '<table class="bericht-tabelle"><caption>{}</caption><thead>{}</thead><tbody>{}</tbody></table>'
        ).format(title, head, Markup("").join(body))
        return Markup(
            '<section class="bericht-sozialindex"><p class="note">{}</p>{}</section>'
        ).format(definition, table)

    # --- the whole text ------------------------------------------------------------------
    def directive(self, d: Directive, alone: bool = False) -> Markup:
        """The HTML of one directive, or its error at its place (a block when alone)."""
        if d.error is None:
            try:
                return getattr(self, d.name)(d.params)
            except DirectiveError as err:
                d.error = str(err)
        n = len(self.out.errors) + 1
        self.out.errors.append((n, d.source, d.error))
        tag = "div" if alone else "span"
        return Markup(
            '<{} class="direktive-fehler" id="fehler-{}"><strong>{} {}:</strong> {}'
            " <code>{}</code></{}>"
        ).format(Markup(tag), n, _("Fehler"), n, d.error, d.source, Markup(tag))

    def render(self, body: str) -> Rendered:
        """The report body as safe HTML with every directive filled in (or its error)."""
        pieces = directives.split(body)
        nonce = secrets.token_hex(6).upper()
        found: list[tuple[str, Directive]] = []
        text = []
        figures = 0
        for piece in pieces:
            if isinstance(piece, str):
                text.append(piece)
            else:
                token = f"BERICHT{nonce}X{len(found)}X"
                found.append((token, piece))
                text.append(token)
                figures += piece.block
                if piece.error is None and piece.block and figures > directives.MAX_FIGURES:
                    piece.error = _(
                        "Mehr als %(n)d Abbildungen (Karten, Zeitreihen, Vergleiche, Rangfolgen)"
                        " in einem Bericht: diese wird nicht gezeichnet.",
                        n=directives.MAX_FIGURES,
                    )
                elif piece.error is None and len(found) > directives.MAX_DIRECTIVES:
                    piece.error = _(
                        "Mehr als %(n)d Direktiven in einem Bericht: diese wird nicht berechnet.",
                        n=directives.MAX_DIRECTIVES,
                    )
        html = markdown_html("".join(text))
        for token, d in found:
            alone = f"<p>{token}</p>"
            # Inside a tag (a link's address or title) a directive would be markup in an
            # attribute: it is taken out there and reported where the text continues.
            # (Found by position, not by a regex over the whole text: with 50 figures the text
            # is megabytes, and one search per directive made the render quadratic.)
            at = html.find(token)
            if (
                at >= 0
                and html.rfind("<", 0, at) > html.rfind(">", 0, at)
                and html.find(">", at) >= 0
            ):
                html = html[:at] + html[at + len(token) :] + token
                d.error = d.error or _("Direktiven stehen im Text, nicht in Link-Adressen.")
            if d.block and d.error is None and alone not in html:
                d.error = _("Karten, Zeitreihen und Tabellen stehen allein in einem Absatz.")
            rendered = str(self.directive(d, alone=d.block and alone in html))
            html = (
                html.replace(alone, rendered, 1)
                if d.block and alone in html
                else html.replace(token, rendered, 1)
            )
        self.out.html = Markup(html)
        return self.out


def render(
    conn: Connection, body: str, release_ids: list[int] | None, compare: list[int] | None = None
) -> Rendered:
    """Render a report body live (release_ids None), pinned, or live compared with a pinning."""
    return Renderer(conn, release_ids, compare).render(body)
