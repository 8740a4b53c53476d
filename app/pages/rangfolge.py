"""Ranking chart of the Kommunen with 95 % intervals: page, embed and standalone SVG."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import get_locale

from app.editors.auth import is_editor
from app.pages.data import figure_texts
from app.pages.data.cite import parse_pin
from app.pages.data.map_state import default_indicator
from app.pages.data.notes import public_notes
from app.pages.data.ranking_table import ranking_cite, ranking_table
from app.render import citation, rank_charts
from app.render.findings import bench_heading
from app.render.image_export import png_response, svg_response
from app.render.sentences import METHOD_LABELS, reason_text
from app.web import args, downloads
from app.web.attribution import licence_name
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices, with_links
from app.web.home import home_ags
from app.web.http_cache import page_cache
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from app.web.i18n import localized
from geodata import attribution
from indicators.benchmarks import Comparator, comparator
from indicators.classify import VERDICT_COLOURS
from indicators.errors import InvalidChoice
from indicators.pinning import format_ids
from indicators.queries import get_indicator, topics_with_indicators
from indicators.ranking import ORDERS, Ranking
from indicators.ranking_queries import kommune_years, ranking
from indicators.releases import visible_release
from indicators.units import PROPORTION_UNITS, RATE_UNITS

bp = Blueprint("rangfolge", __name__)
ORDER_LABELS = {
    "rang": _l("günstigster Wert zuerst"),
    "wert": _l("höchster Wert zuerst"),
    "name": _l("alphabetisch"),
}


def _state() -> tuple[str, int | None, str]:
    """(indicator, year or None, order) from the query string; malformed input is a 400."""
    args = request.args
    indicator_id = (args.get("indikator") or default_indicator())[:64]
    order = args.get("sortierung") or "rang"
    raw = args.get("jahr") or ""
    year = None
    if raw:
        if not raw.isdigit() or len(raw) != 4:
            conn = get_conn()
            years = (
                kommune_years(conn, indicator_id, None) if get_indicator(conn, indicator_id) else []
            )
            links = [
                (url_for("rangfolge.index", indikator=indicator_id, jahr=y), str(y)) for y in years
            ]
            raise BadRequestWithChoices(
                400,
                _(
                    "Der Parameter „jahr“ muss eine Jahreszahl sein (vier Ziffern). Verfügbare Jahre:"
                ),
                links or [(url_for("rangfolge.index"), _("Rangfolge"))],
            )
        year = int(raw)
    return indicator_id, year, order


def _choices_error(
    err: InvalidChoice, indicator_id: str, endpoint: str, release_id: int | None = None
) -> InvalidChoice:
    """The domain error with links to what exists, for its German (or English) 4xx page."""
    conn = get_conn()
    if err.field in ("indikator", "no_values"):
        names = {
            i.id: localized(i, "name") for t in topics_with_indicators(conn) for i in t.indicators
        }
        links = [
            (url_for(endpoint, indikator=i, release=release_id), names.get(i, i)) for i in err.valid
        ]
        if err.field == "no_values" and release_id is not None:
            # The named release lacks this indicator: its indicators, or the newest data.
            links.insert(
                0,
                (
                    url_for(endpoint, indikator=indicator_id),
                    _("Rangfolge mit dem neuesten Datenstand"),
                ),
            )
        return with_links(err, links)
    if err.field == "sortierung":
        links = [
            (url_for(endpoint, indikator=indicator_id, sortierung=o), str(ORDER_LABELS[o]))
            for o in ORDERS
        ]
        return with_links(err, links)
    links = [
        (url_for(endpoint, indikator=indicator_id, jahr=y, release=release_id), str(y))
        for y in err.valid
    ]
    return with_links(err, links)


def _release(endpoint: str, indicator_id: str) -> int | None:
    """`release=<id>`: a named published or withdrawn release (drafts for editors), else 404."""
    newest = [
        (url_for(endpoint, indikator=indicator_id), _("Rangfolge mit dem neuesten Datenstand"))
    ]
    release_id = args.integer("release", newest, lo=1)
    if release_id is not None and visible_release(get_conn(), release_id, is_editor()) is None:
        raise BadRequestWithChoices(
            404,
            _("Einen veröffentlichten Datenstand Nr. %(r)s gibt es nicht.", r=release_id),
            newest,
        )
    return release_id


def _ranking(endpoint: str) -> tuple[Ranking, tuple[int, ...] | None, Comparator]:
    """The ranking of the request, the release ids it is pinned to (`stand`, or None) and the
    benchmark its verdicts and reference line compare with (`vergleich_mit`; bad value: 400)."""
    indicator_id, year, order = _state()
    against = comparator(get_conn(), args.benchmark(), home_ags())
    release_id = _release(endpoint, indicator_id)
    pinned = parse_pin(release_id, url_for(endpoint, indikator=indicator_id))
    try:
        source = pinned if pinned is not None else release_id
        return (
            ranking(get_conn(), indicator_id, year, source, order, against),
            pinned,
            against,
        )
    except InvalidChoice as err:
        raise _choices_error(err, indicator_id, endpoint, release_id) from None


def method_note(r: Ranking) -> str:
    """Which interval the page shows, or why there is none."""
    unit = r.indicator.unit
    if unit in PROPORTION_UNITS:
        return _("Striche: 95-%-Konfidenzintervall nach Wilson für den Anteil Zähler/Nenner.")
    if unit in RATE_UNITS:
        return _(
            "Striche: 95-%-Konfidenzintervall nach Byar für die Zahl der Fälle (Zähler, Poisson), geteilt durch den Nenner."
        )
    return _(
        "Für diese Einheit gibt es kein Intervall (weder Anteil noch Rate): Signifikanz gegenüber der Region ist nicht bewertbar."
    )


def footer_lines(r: Ranking) -> list[str]:
    """Source, data state, provenance and licence: the lines of the standalone SVG."""
    ind = r.indicator
    lines = [
        _("Quelle: %(src)s", src=ind.source or "–"),
        _("Datenstand: %(label)s", label=r.release_labels),
    ]
    if r.provenance:
        tables = "; ".join(f"{p['tables']} ({p['release']})" for p in r.provenance)
        lines.append(_("Amtlich: Tabelle %(tables)s", tables=tables))
    if r.synthetic:  # the catalogue's source names where real values would come from
        lines.append(_("Beispieldaten: synthetisch erzeugt, keine amtlichen Zahlen."))
    if r.benchmark_choice == "region":
        lines.append(method_note(r) + " " + _("Gestrichelte Linie: Wert der Region."))
    else:
        lines.append(
            method_note(r)
            + " "
            + _("Gestrichelte Linie: Wert von %(b)s.", b=rank_charts.reference_name(r))
        )
    lines.append(
        _(
            "Lizenz: %(licence)s (%(id)s), %(url)s",
            licence=licence_name(),
            id=attribution.LICENCE,
            url=attribution.LICENCE_URL,
        )
    )
    return lines


def ranking_text(r: Ranking) -> str:
    """The chart as text (page and image): order, highest and lowest, the Region's value."""
    return figure_texts.ranking(
        r.indicator,
        r.year,
        r.rows,
        r.reference,
        str(ORDER_LABELS[r.order]),
        None if r.benchmark_choice == "region" else rank_charts.reference_name(r),
    )


def _context_state(r: Ranking, pinned: tuple[int, ...] | None) -> dict:
    """The ranking's state as query parameters (links, embed code, citation)."""
    return {
        "indikator": r.indicator.id,
        "jahr": r.year,
        "sortierung": r.order if r.order != "rang" else None,
        "release": r.release.id,
        "stand": format_ids(pinned) if pinned else None,
        "vergleich_mit": None if r.benchmark_choice == "region" else r.benchmark_choice,
    }


def _context(r: Ranking, embed: bool, pinned: tuple[int, ...] | None, against: Comparator) -> dict:
    title = rank_charts.ranking_title(r)
    chart_title = title + ". " + _("Werte und Intervalle in der Tabelle.")
    state = _context_state(r, pinned)
    return dict(
        **ranking_cite(r, title, state, "rangfolge.index", pinned),
        r=r,
        ind=r.indicator,
        title=title,
        chart=rank_charts.responsive_ranking_chart(r, chart_title),
        colours=VERDICT_COLOURS,
        method_note=method_note(r),
        order_labels=ORDER_LABELS,
        methods=METHOD_LABELS,
        reason_text=reason_text,
        state=state,
        embed=embed,
        topics=topics_with_indicators(get_conn()),
        synthetic=r.synthetic,
        figure_text=ranking_text(r),
        notes=public_notes(),
        comparator=against,
        bench_heading=bench_heading(against),
        reference_name=rank_charts.reference_name(r),
        land_name=comparator(get_conn(), "land", home_ags()).name,
    )


@bp.get("/rangfolge")
@page_cache
def index():
    """The ranking page, or its data (?format=csv|csv-de|xlsx|json) and citation (bib, csl-json)."""
    fmt = args.download_format(downloads.VIEW_FORMATS)
    r, pinned, against = _ranking("rangfolge.index")
    ctx = _context(r, False, pinned, against)
    if fmt:
        return downloads.response(ranking_table(r, ctx["cite"]), fmt)
    return render_template("rangfolge.html", **ctx)


@bp.get("/embed/rangfolge")
@page_cache
def embed():
    r, pinned, against = _ranking("rangfolge.embed")
    return render_template("rangfolge_embed.html", **_context(r, True, pinned, against))


@bp.get("/rangfolge.svg", endpoint="svg", defaults={"fmt": "svg"})
@bp.get("/rangfolge.png", endpoint="png", defaults={"fmt": "png"})
@page_cache
def image(fmt: str) -> Response:
    """The ranking chart as a standalone SVG (or PNG) with title, source and licence inside."""
    r, pinned, _against = _ranking("rangfolge.svg")
    title = rank_charts.ranking_title(r)
    cite = ranking_cite(r, title, _context_state(r, pinned), "rangfolge.index", pinned)["cite"]
    doc = rank_charts.standalone_ranking_svg(
        r, title, [*footer_lines(r), citation.line(cite, str(get_locale()))], ranking_text(r)
    )
    name = f"rangfolge_{r.indicator.id}_{r.year}"
    return png_response(doc, name) if fmt == "png" else svg_response(doc, name)
