"""Map images: /karte.svg|png (one year, a change von/bis, a territory) and /karte/jahre.svg|png
(the small multiples), drawn from the map pages' own state and template variables."""

from __future__ import annotations

from flask import Response, request, url_for
from flask_babel import get_locale, ngettext

from app.pages.data import figure_texts, gebiet_map, gebiet_state
from app.pages.data.change_map import change_context
from app.pages.data.image_parts import (
    EXPORT_VERSION,
    MAP_WIDTH,
    counted_legend,
    image_response,
    kommunen_count,
    licence_lines,
    map_drawing,
    note_footnotes,
    provenance_lines,
    synthetic_note,
    year_ranges,
)
from app.pages.data.map_choices import CLASSIFICATION_LABELS
from app.pages.data.map_page import page_context
from app.pages.data.map_state import map_etag, state_from_request
from app.pages.data.multiples import multiple_years, multiples_context, multiples_etag
from app.pages.data.notes import notes_etag_part
from app.pages.export.blueprint import bp, png_max_areas
from app.render import citation
from app.render.formatting import unit_label
from app.render.image_export import (
    MARGIN,
    WIDTH,
    Drawing,
    ImageText,
    LegendEntry,
    grid,
    grid_columns,
    svg_document,
)
from app.render.maps import OUTLINE
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.home import region_name
from app.web.http_cache import conditional, data_version_now, domain_cache, etag_for, page_cache
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators.classify import NO_DATA_COLOR
from indicators.gebiet_queries import scope_svg_paths


def _group_note(ctx: dict) -> list[str]:
    """The comparison group's line under the legend (none without a group)."""
    group = ctx.get("group")
    if group is None:
        return []
    return [
        _("Vergleichsgruppe")
        + ": "
        + (
            ngettext(
                "die Kommune, die %(name)s am ähnlichsten ist",
                "die %(num)d Kommunen, die %(name)s am ähnlichsten sind",
                len(group.neighbours),
                name=group.name,
            )
            if group.outside
            else ngettext(
                "%(name)s und ihre ähnlichste Kommune",
                "%(name)s und ihre %(num)d ähnlichsten Kommunen",
                len(group.neighbours),
                name=group.name,
            )
        )
        + f" ({', '.join(group.names)}); "
        + _("schwarz umrandet")
    ]


def _kommune_fills(ctx: dict) -> dict[str, dict]:
    """The map page's colour, label and flags per Kommune (a one-year or a change map)."""
    return {
        r["ags"]: {
            "color": r["color"],
            "label": r["label"],
            "missing": ctx["areas"].get(r["ags"], {}).get("no_data", True),
            "synthetic": r.get("synthetic"),
            "group": r.get("group"),
        }
        for r in ctx["table_rows"]
    }


def _map_text(ctx: dict) -> ImageText:
    """Title, legend heading, method, source and licence of a Kommunen map (a year or a change)."""
    ind = ctx["ind"]
    if ctx["change"]:
        unit = ctx["change_unit"]
        title = _(
            "%(name)s: Veränderung von %(a)s bis %(b)s",
            name=localized(ind, "name"),
            a=ctx["year_from"],
            b=ctx["year_to"],
        )
        subtitle = _("%(area)s, Kommunen – Einheit: %(unit)s", area=region_name(), unit=unit)
        method = ctx["change_note"]
    else:
        unit = unit_label(ind.unit)
        title = localized(ind, "name")
        subtitle = _(
            "%(area)s, Kommunen, %(year)s – Einheit: %(unit)s",
            area=region_name(),
            year=ctx["year"],
            unit=unit,
        )
        if ctx["scheme"] == "vergleich":
            # The msgid is the legend template's, where %% is Jinja's escape of a percent sign.
            method = _(
                "Farben: Urteil gegenüber der Region (95-%%-Intervall nach Wilson bzw. Byar)"
            ).replace("%%", "%")
        else:
            method = str(ctx["classification_labels"][ctx["method"]])
            if ctx["scheme"] == "divergierend":
                method += "; " + _("Farben um den Wert der Region")
    real = not ctx["synthetic"] or ctx["mixed"]
    provenance = provenance_lines(ctx["provenance"], real, ctx["release"].label)
    return ImageText(
        title=title,
        subtitle=subtitle,
        source=_("Quelle: %(s)s, Datenstand %(r)s", s=ind.source, r=ctx["release"].label),
        provenance=provenance,
        licence=licence_lines(url_for("maps.karte", **request.args), True, real, provenance),
        synthetic_note=synthetic_note(ctx["synthetic"], ctx["mixed"]),
        legend_title=_("Legende") + f" ({unit})",
        notes=[method, f"{region_name()}: {ctx['region_label']}", *_group_note(ctx)],
        # Kontextnotizen of the year (a change map: of every year from von to bis)
        footnotes=note_footnotes(
            ind.id,
            [(r["ags"], r["name"]) for r in ctx["table_rows"]],
            range(ctx["year_from"], ctx["year_to"] + 1) if ctx["change"] else [ctx["year"]],
        ),
        lang=str(get_locale()),
        description=ctx["figure_text"],
        # The citation in the image's language (the CSV and the page carry both).
        citation=[citation.line(ctx["cite"], str(get_locale()))] if ctx.get("cite") else [],
    )


@bp.get("/karte.<any(svg, png):fmt>")
@page_cache
def karte_image(fmt: str):
    """The map of the Kommunen as SVG or PNG: the state of /karte?… (one year or von/bis)."""
    if gebiet_state.wants_gebiet():  # a Kreis, Land or Germany split into many areas
        return _gebiet_image(fmt)
    st = state_from_request(embed=False)
    release = st["release"]
    etag = etag_for("karte-bild", EXPORT_VERSION, fmt, map_etag(st, False))
    not_modified = conditional(etag, release.published_at)
    if not_modified is not None:
        return not_modified
    if st["change"]:
        ctx = change_context(st, embed=False)
        stem = f"{ctx['ind'].id}_{ctx['year_from']}-{ctx['year_to']}"
    else:
        ctx = page_context(st, embed=False)
        stem = f"{ctx['ind'].id}_{ctx['year']}"
    legend = counted_legend(ctx["legend"], kommunen_count)
    drawing = map_drawing(_kommune_fills(ctx), ctx["mixed"])
    svg = svg_document(drawing, _map_text(ctx), legend, legend_beside=True)
    return image_response(svg, fmt, stem, etag, release)


def _gebiet_drawing(st: dict, cm: dict) -> Drawing:
    """Every area of the territory's level in the page's class colours (no names: too many)."""
    key = ("export-gebiet", st["territory"].ags, st["ebene"])
    geo = domain_cache(key, lambda: scope_svg_paths(get_conn(), st["territory"], st["ebene"]))
    _x0, _y0, w, h = (float(v) for v in geo["viewbox"].split())
    width = MAP_WIDTH
    per_px = w / width
    # Thousands of Gemeinden: hairlines, or the outlines would hide the colours.
    keys = cm["areas"].ags  # the areas' order; the classes come in the same order
    stroke = per_px * (0.5 if len(keys) < 500 else 0.15)
    colours = cm["classes"].colors
    paths = [
        f'<path d="{geo["paths"][ags]}" fill="{NO_DATA_COLOR if k is None else colours[k]}"/>'
        for ags, k in zip(keys, cm["classes"].assignment, strict=True)
        if geo["paths"].get(ags)
    ]
    markup = (
        f'<svg x="0" y="0" width="{width}" height="{width * h / w:.1f}" viewBox="{geo["viewbox"]}">'
        f'<g stroke="{OUTLINE["color"]}" stroke-width="{stroke:.1f}" stroke-linejoin="round">'
        f"{''.join(paths)}</g></svg>"
    )
    return Drawing(markup, width, width * h / w)


def _gebiet_image(fmt: str) -> Response:
    """The map of a territory's areas (/karte?gebiet=…&ebene=…) as SVG or PNG."""
    st = gebiet_state.state()
    release, ind, year, t = st["release"], st["indicator"], st["year"], st["territory"]
    lang = str(get_locale())
    etag = etag_for(
        "gebiet-bild",
        EXPORT_VERSION,
        fmt,
        data_version_now(),
        lang,
        sorted(request.args.items(multi=True)),
    )
    not_modified = conditional(etag, release.published_at)
    if not_modified is not None:
        return not_modified
    cm = gebiet_map.colour_map(st)
    limit = png_max_areas()
    if fmt == "png" and len(cm["areas"].ags) > limit:
        # cairosvg parses path data in Python: 401 Kreise take seconds; Germany's 11,000
        # Gemeinden would outlast the worker's timeout. The SVG is built by PostGIS at once.
        raise BadRequestWithChoices(
            400,
            _(
                "Als PNG gibt es Karten mit höchstens %(n)s Gebieten; diese hat %(k)s. Bitte die SVG-Datei herunterladen.",
                n=limit,
                k=len(cm["areas"].ags),
            ),
            [
                (
                    url_for("export.karte_image", fmt="svg", **request.args),
                    _("Karte als SVG herunterladen"),
                )
            ],
        )
    shown = [e for e in cm["legend"] if e["count"]]
    legend = counted_legend(shown, lambda n: ngettext("%(num)d Gebiet", "%(num)d Gebiete", n))
    method = str(CLASSIFICATION_LABELS[st["method"]])
    if cm["scheme"] == "divergierend":
        method += "; " + _("Farben um den Wert von %(g)s", g=t.name)
    real = not cm["synthetic"] or cm["mixed"]
    provenance = provenance_lines(
        cm["provenance"], real, (release.label or " + ".join(cm["release_labels"]))
    )
    note = synthetic_note(cm["synthetic"], cm["mixed"], marked=False)
    text = ImageText(
        title=localized(ind, "name"),
        subtitle=_(
            "%(area)s, %(level)s, %(year)s – Einheit: %(unit)s",
            area=t.name,
            level=gebiet_state.ebene_label(st["ebene"]),
            year=year,
            unit=unit_label(ind.unit),
        ),
        source=_(
            "Quelle: %(s)s, Datenstand %(r)s",
            s=ind.source,
            r=(release.label or " + ".join(cm["release_labels"])),
        ),
        provenance=provenance,
        licence=licence_lines(url_for("maps.karte", **request.args), True, real, provenance),
        synthetic_note=note,
        legend_title=(
            _("Vergleich mit %(b)s", b=bench["name"])
            if (bench := cm["bench"])
            else _("Legende") + f" ({unit_label(ind.unit)})"
        ),
        notes=[method, f"{t.name}: {cm['own_label']}"]
        if not bench
        else [
            _("Signifikant: 95-Prozent-Intervall ganz über oder unter dem Vergleichswert."),
            *(
                [_("Vergleichswerte: die eigenen Zeilen der Quelle, Karte der Ebene darüber.")]
                if bench["many"]
                else [
                    f"{_('Vergleichswert')} {r['name']}: {r['label']}" for r in bench["references"]
                ]
            ),
        ],
        # Kontextnotizen of the year: the territory's own, then its areas' (in key order)
        footnotes=note_footnotes(
            ind.id, [(t.ags, t.name), *zip(cm["areas"].ags, cm["areas"].names, strict=True)], [year]
        ),
        lang=lang,
        description=figure_texts.gebiet_map(st, cm),
        # The citation in the image's language (the page and the CSV carry both).
        citation=[citation.line(gebiet_map.gebiet_cite(st, cm)["cite"], lang)],
    )
    svg = svg_document(_gebiet_drawing(st, cm), text, legend, legend_beside=True)
    return image_response(svg, fmt, f"{ind.id}_{year}_{t.ags}_{st['ebene']}", etag, release)


@bp.get("/karte/jahre.<any(svg, png):fmt>")
@page_cache
def karte_jahre_image(fmt: str):
    """The small multiples (/karte/jahre?…) as one image: a map per year, one shared legend."""
    st = state_from_request(embed=False)
    release = st["release"]
    shown_years = multiple_years(st)
    # The notes are in the image (a notes-only release changes no value's release date).
    etag = multiples_etag(
        st, shown_years, "bild", EXPORT_VERSION, fmt, *notes_etag_part(st["indicator"].id)
    )
    not_modified = conditional(etag, release.published_at)
    if not_modified is not None:
        return not_modified
    ctx = multiples_context(st, shown_years)
    ind = ctx["ind"]
    real = not ctx["synthetic"] or ctx["mixed"]
    provenance = provenance_lines(ctx["provenance"], real, release.label)
    text = ImageText(
        title=localized(ind, "name"),
        subtitle=_(
            "%(area)s, Kommunen, %(year)s – Einheit: %(unit)s",
            area=region_name(),
            year=year_ranges(shown_years),
            unit=unit_label(ind.unit),
        ),
        source=_("Quelle: %(s)s, Datenstand %(r)s", s=ind.source, r=release.label),
        provenance=provenance,
        licence=licence_lines(url_for("maps.jahre", **request.args), True, real, provenance),
        synthetic_note=synthetic_note(ctx["synthetic"], ctx["mixed"], marked=False),
        legend_title=_("Legende") + f" ({unit_label(ind.unit)})",
        notes=[
            f"{ctx['classification_labels'][ctx['method']]}; {_('Klassen über alle gezeigten Jahre')}",
            *_group_note(ctx),
        ],
        # Kontextnotizen of the shown years (the Kommunen, in the table's order)
        footnotes=note_footnotes(
            ind.id, [(r["ags"], r["name"]) for r in ctx["table"]], shown_years
        ),
        lang=str(get_locale()),
        description=ctx["figure_text"],
        # The citation in the image's language (the CSV and the page carry both).
        citation=[citation.line(ctx["cite"], str(get_locale()))],
    )
    cells = [(str(m["year"]), str(m["svg"])) for m in ctx["maps"]]
    drawing = grid(cells, WIDTH - 2 * MARGIN, grid_columns(len(cells)))
    legend = [LegendEntry(e["color"], e["label"]) for e in ctx["legend"]]
    svg = svg_document(drawing, text, legend, legend_beside=False)
    stem = f"{ind.id}_{shown_years[0]}-{shown_years[-1]}_jahre"
    return image_response(svg, fmt, stem, etag, release)
