"""/kommune/<ags>/einordnung.svg|png: the profile's spine charts as one image."""

from __future__ import annotations

import re

from flask import request, url_for
from flask_babel import get_locale
from markupsafe import escape

from app.pages.data.cite import parse_pin, pinned_page_cite
from app.pages.data.image_parts import (
    disparities_etag,
    image_response,
    licence_lines,
    provenance_lines,
    synthetic_note,
    year_ranges,
)
from app.pages.data.kommune import choices_error, spine_rows, spines_text
from app.pages.data.series_breaks import all_breaks
from app.pages.export.blueprint import bp
from app.render import citation, rank_charts
from app.render.formatting import fmt_value, unit_label
from app.render.image_export import (
    MARGIN,
    MUTED,
    TEXT,
    WIDTH,
    Drawing,
    ImageText,
    LegendEntry,
    nested,
    svg_document,
    wrap,
)
from app.render.sentences import VERDICT_LABELS
from app.web import args
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.home import home_ags, region_name
from app.web.http_cache import conditional, page_cache
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators.classify import VERDICT_COLOURS
from indicators.profile import InvalidChoice, profile

SPINE_BOX = (712, 240)  # x and width of the spine column in the 952 px drawing
_VALUE_X, _REGION_X, _NAME_W = 585, 690, 440  # right edges of the value columns, name column
_TABLES = re.compile(r",? Tabellen? \d[\w-]*(?:, \d[\w-]*)*")  # listed once in the provenance


def _spine_drawing(p: dict, spines: dict[str, tuple], mixed: bool) -> Drawing:
    """One line per indicator with a spine, grouped by topic: name, values, the page's spine."""
    x0, sw = SPINE_BOX
    sh = sw * 22 / 150  # the page's spine keeps its aspect ratio
    width = WIDTH - 2 * MARGIN
    parts = [
        f'<g font-size="14" font-weight="bold" fill="{TEXT}">'
        f'<text x="0" y="14">{escape(_("Kennzahl"))}</text>'
        f'<text x="{_VALUE_X}" y="14" text-anchor="end">{escape(p["area"].name)}</text>'
        f'<text x="{_REGION_X}" y="14" text-anchor="end">{escape(_("Region"))}</text>'
        f'<text x="{x0}" y="14">{escape(_("Einordnung"))}</text></g>'
    ]
    y = 22.0
    for t in p["topics"]:
        rows = [r for r in t["rows"] if r["indicator"].id in spines]
        if not rows:
            continue
        y += 24
        parts.append(
            f'<text x="0" y="{y:.1f}" font-size="16" font-weight="bold" fill="{TEXT}">'
            f"{escape(localized(t, 'name'))}</text>"
        )
        y += 8
        for r in rows:
            ind = r["indicator"]
            layout, verdict, label = spines[ind.id]
            name = f"{localized(ind, 'name')} ({unit_label(ind.unit)})"
            lines = wrap(name, 14, _NAME_W)
            h = max(len(lines) * 18 + 4, sh + 6, 36)
            parts.append(f'<path d="M0,{y:.1f}H{width}" stroke="#dddddd"/>')
            mid = y + h / 2
            ty = mid - (len(lines) - 1) * 9 + 5
            for k, line in enumerate(lines):
                parts.append(
                    f'<text x="0" y="{ty + k * 18:.1f}" font-size="14" fill="{TEXT}">'
                    f"{escape(line)}</text>"
                )
            star = "*" if mixed and r["synthetic"] else ""
            value = fmt_value(r["value"], ind.decimals, ind.unit) + star
            region = fmt_value(r["region"], ind.decimals, ind.unit)
            parts.append(
                f'<g class="spine-row" data-indicator="{escape(ind.id)}"'
                f' data-verdict="{verdict}">'
                f'<text x="{_VALUE_X}" y="{mid - 1:.1f}" font-size="14" text-anchor="end"'
                f' fill="{TEXT}">{escape(value)}</text>'
                f'<text x="{_VALUE_X}" y="{mid + 13:.1f}" font-size="11" text-anchor="end"'
                f' fill="{MUTED}">{r["year"]}</text>'
                f'<text x="{_REGION_X}" y="{mid + 5:.1f}" font-size="14" text-anchor="end"'
                f' fill="{TEXT}">{escape(region)}</text>'
                f'<g transform="translate({x0},{mid - sh / 2:.1f})"><title>{escape(label)}</title>'
                f"{nested(str(rank_charts.spine_svg(layout, verdict, label)), sw, sh)}</g></g>"
            )
            y += h
    return Drawing("".join(parts), width, y + 4)


@bp.get("/kommune/<ags>/einordnung.<any(svg, png):fmt>")
@page_cache
def einordnung_image(ags: str, fmt: str):
    """The profile's spine charts (/kommune/<ags>) as one image: a line per indicator."""
    release_id = args.integer("release", args.without("release"), lo=1)
    # A cited profile's image (`stand`): the spines of the releases the profile showed.
    pinned = parse_pin(release_id, url_for("kommune.profile", ags=ags))
    source = pinned if pinned is not None else release_id
    conn = get_conn()
    try:
        p = profile(conn, ags, source, breaks=all_breaks(), region=home_ags())
    except InvalidChoice as err:
        raise choices_error(err, "kommune.profile", ags=ags) from None
    spines = {} if p["is_region"] else spine_rows(conn, p, source)
    if not spines:  # the Region's own profile has none (it is the spines' centre)
        raise BadRequestWithChoices(
            404,
            _("Für %(name)s gibt es keine Einordnung unter den Kommunen.", name=p["area"].name),
            [(url_for("kommune.profile", ags=p["area"].ags), p["area"].name)],
        )
    cite = pinned_page_cite(
        "kommune.profile",
        {"ags": p["area"].ags},
        _("Sozialstrukturprofil %(name)s", name=p["area"].name),
        p["read_areas"],
        pinned,
        release_id,
        synthetic=bool(p["synthetic"]),
    )["cite"]
    etag = disparities_etag("einordnung", fmt)
    not_modified = conditional(etag)
    if not_modified is not None:
        return not_modified
    rows = [r for t in p["topics"] for r in t["rows"] if r["indicator"].id in spines]
    flags = {bool(r["synthetic"]) for r in rows}
    synthetic, mixed = True in flags, flags == {True, False}
    real = False in flags
    # Dozens of indicators: their tables in one line per release, each attribution once.
    labels = sorted({r["source"] for r in rows if r["source"]})
    official = [r for r in rows if not r["synthetic"] and r.get("provenance")]
    provenance = provenance_lines(
        [
            {
                "release": lab,
                "tables": ", ".join(
                    sorted(
                        {
                            t.strip()
                            for r in official
                            if r["source"] == lab
                            for t in r["provenance"]["tables"].split(",")
                        }
                    )
                ),
                "source": "; ".join(
                    dict.fromkeys(
                        _TABLES.sub("", r["provenance"]["source"] or "")
                        for r in official
                        if r["source"] == lab
                    )
                ).strip("; "),
            }
            for lab in labels
            if any(r["source"] == lab for r in official)
        ],
        real,
        " + ".join(labels),
    )
    sources = list(dict.fromkeys(_TABLES.sub("", r["indicator"].source) for r in rows))
    name = p["area"].name
    years = year_ranges(sorted({r["year"] for r in rows}))
    note = synthetic_note(synthetic, False)
    if mixed:
        note = _(
            "Mit * markierte Werte: Beispieldaten (synthetisch, keine amtlichen Zahlen); die übrigen Werte sind amtlich."
        )
    verdicts = {v for _layout, v, _label in spines.values()}
    legend = [
        LegendEntry("#d4d4d4", _("Spannweite der Kommunen (Minimum bis Maximum)")),
        LegendEntry("#8c8c8c", _("mittlere Hälfte (25. bis 75. Perzentil)")),
        LegendEntry("#1a1a1a", region_name(), ""),
        *(
            LegendEntry(VERDICT_COLOURS[v], str(VERDICT_LABELS[v]))
            for v in VERDICT_COLOURS
            if v in verdicts
        ),
    ]
    text = ImageText(
        title=_(
            "%(name)s: Einordnung unter den Kommunen der Region, %(years)s",
            name=name,
            years=years,
        ),
        subtitle=_(
            "%(region)s – wo %(name)s unter den Kommunen liegt: die Mitte ist der Wert der Region; günstigere Werte liegen immer rechts (bei Kennzahlen ohne Wertung: höhere).",
            name=name,
            region=region_name(),
        ),
        source=_("Quelle: %(s)s, Datenstand %(r)s", s="; ".join(sources), r=" + ".join(labels)),
        provenance=provenance,
        licence=licence_lines(
            url_for("kommune.profile", ags=p["area"].ags, **request.args),
            False,
            real,
            provenance,
        ),
        synthetic_note=note,
        citation=[citation.line(cite, str(get_locale()))],
        legend_title=_("Legende der Einordnung"),
        lang=str(get_locale()),
        description=spines_text(p, spines),
    )
    svg = svg_document(_spine_drawing(p, spines, mixed), text, legend, legend_beside=False)
    return image_response(svg, fmt, f"{p['area'].ags}_einordnung", etag, None)
