"""Kommunen: list, profile (Sozialstrukturprofil) and comparison of two Kommunen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from app.pages.data.catalogue_kept import catalogue_reads
from app.pages.data.cite import compare_cite, parse_pin, pinned_page_cite
from app.pages.data.compare_rows import compare_rows
from app.pages.data.groups import similar
from app.pages.data.kommune import choices_error, key_figures, spine_rows, spines_text
from app.pages.data.notes import pinned_notes
from app.pages.data.profile_rows import profile_rows
from app.pages.data.profile_tables import compare_table, profile_table
from app.pages.data.series_breaks import all_breaks
from app.pages.data.sozialindex import (
    DYNAMICS_LABELS,
    STATUS_LABELS,
    index_page,
    with_definition,
)
from app.render import charts, rank_charts
from app.render.findings import bench_heading, bench_name, difference_text, summary_sentences
from app.render.formatting import kind_label
from app.web import args, downloads
from app.web.db import get_conn
from app.web.errors import with_links
from app.web.home import home_ags, region_name
from app.web.http_cache import page_cache
from app.web.i18n import gettext as _
from app.web.i18n import localized
from app.web.urls import area_url, is_home_area
from geodata.search import picker_label, resolve
from indicators.benchmarks import Comparator, comparator
from indicators.classify import COUNT_UNITS, VERDICT_COLOURS
from indicators.errors import UnknownChoice
from indicators.findings import profile_findings
from indicators.neighbour_queries import NEIGHBOUR_ROWS, neighbour_rows_read
from indicators.notes import NoteIndex
from indicators.pinning import page_release_ids
from indicators.profile import (
    PROFILE_READS,
    InvalidChoice,
    area_overview,
    areas_by_key,
    compare,
    profile,
)
from indicators.queries import Pinned, ReleaseRef, get_indicator
from indicators.ranking import GroupSummary, group_summary
from indicators.ranking_queries import KOMMUNE_SPREADS, group_values
from indicators.trend_queries import area_trends
from indicators.version_reads import Read, prefetch

bp = Blueprint("kommune", __name__)


@bp.get("/kommunen")
def index() -> str:
    areas = area_overview(get_conn())
    return render_template("kommunen.html", areas=areas)


@bp.get("/kommune/<ags>", endpoint="profile")
@page_cache
def profile_page(ags: str):
    release, y0, y1, fmt = (
        args.integer("release", args.without("release"), lo=1),
        args.year("von", args.without("von")),
        args.year("bis", args.without("bis")),
        args.download_format(downloads.VIEW_FORMATS),
    )
    # A cited profile (`stand`): every part of the page read from the releases it showed.
    pinned = parse_pin(release, url_for("kommune.profile", ags=ags))
    source = pinned if pinned is not None else release
    # The reads every visitor of the data version shares, in one round trip (version_reads);
    # a Kommune's profile also shows the spreads (spines) and the similar Kommunen.
    _prefetch((*PROFILE_READS, KOMMUNE_SPREADS), {NEIGHBOUR_ROWS: neighbour_rows_read()})
    against = comparator(get_conn(), args.benchmark(), home_ags())
    # A period the form cannot mean (von >= bis) is explained beside the form, which keeps the
    # chosen years; the page shows the default period meanwhile. Downloads still get a 400.
    period_error = None
    if y0 is not None and y1 is not None and y0 >= y1 and not fmt:
        period_error = _(
            "„von“ (%(a)s) muss vor „bis“ (%(b)s) liegen: bitte zwei verschiedene Jahre wählen, das frühere zuerst.",
            a=y0,
            b=y1,
        )
    try:
        p = profile(
            get_conn(),
            ags,
            source,
            *((None, None) if period_error else (y0, y1)),
            breaks=all_breaks(),
            region=home_ags(),
            against=against,
        )
    except UnknownChoice as err:
        # Any other area the database holds has its area profile (app.web.urls.area_url).
        if err.field == "ags" and not is_home_area(ags) and areas_by_key(get_conn(), [ags]):
            return redirect(area_url(ags, **request.args.to_dict()))
        raise choices_error(err, "kommune.profile", ags=ags) from None
    except InvalidChoice as err:
        raise choices_error(err, "kommune.profile", ags=ags) from None
    conn = get_conn()
    found = area_trends(conn, [ags], None, source, breaks=all_breaks())
    trends = {i: t for (i, _a), t in found.items()}
    notes = pinned_notes(pinned)  # Kontextnotizen of the rows (published or pinned releases)
    cited = profile_cite(p, pinned, release)
    if fmt:
        return downloads.response(profile_table(p, trends, notes, cited["cite"]), fmt)
    similar = None if p["is_region"] else _similar(conn, ags, pinned)
    found_rows = [] if p["is_region"] else profile_findings(p, trends)
    spine_data = {} if p["is_region"] else spine_rows(conn, p, source)
    group = _group_summaries(conn, p, source, similar)
    # Per indicator row the spine chart: the Kommune among the 21 and against the Region.
    spines = {i: rank_charts.spine_svg(*s) for i, s in spine_data.items()}
    bench_clauses = {
        f.indicator.id: difference_text(f, f.difference) for f in found_rows if f.difference
    }
    return render_template(
        "kommune.html",
        p=p,
        key_figures=key_figures(p),
        release=release,
        synthetic=p["synthetic"],
        count_units=COUNT_UNITS,
        notes=notes,
        period_error=period_error,
        sel_from=y0 if period_error else None,
        sel_to=y1 if period_error else None,
        similar=similar,
        group=group,
        spines=spines,
        # The tables' rows, each made once (app/pages/data/profile_rows.py).
        topic_rows=profile_rows(
            p,
            notes=notes,
            trends=trends,
            group=group,
            spines=spines,
            bench_clauses=bench_clauses,
            release=release,
            sparkline=charts.sparkline,
            bench_heading=bench_heading(against),
        ),
        spine_colours=VERDICT_COLOURS,
        spine_figure_text=spines_text(p, spine_data),
        sozialindex=None if p["is_region"] else _sozialindex(ags, pinned),
        status_labels=STATUS_LABELS,
        dynamics_labels=DYNAMICS_LABELS,
        comparator=against,
        bench_heading=bench_heading(against),
        bench_name=bench_name(against),
        # The findings as a Fokusbericht's starting draft (editors' area, where it is served).
        draft_url=url_for(
            "berichte_editor.new",
            befunde=ags,
            vergleich_mit=None if against.is_default else against.choice,
        )
        if "berichte_editor.new" in current_app.view_functions and not p["is_region"]
        else None,
        findings=summary_sentences(found_rows),
        **cited,
    )


def _prefetch(keys: tuple[str, ...], extra: dict[str, Read] | None = None) -> None:
    """The page's per-version reads in one round trip; the catalogue among them only when its
    own version changed (catalogue_kept: a values-only publish keeps it)."""
    wanted, catalogue = catalogue_reads(get_conn(), wanted=keys)
    prefetch(get_conn(), wanted, extra=catalogue | (extra or {}))


def profile_cite(p: dict, pinned: Pinned | None, release: int | None) -> dict:
    """The profile's citation, pinned permalink, data links and pinned note."""
    rows = [r for t in p["topics"] for r in t["rows"]]
    provenance = {
        (r["source"], r["provenance"]["source"]): {**r["provenance"], "release": r["source"]}
        for r in rows
        if r.get("provenance") and not r["synthetic"]
    }
    # The Sozialindex block reads the definition in force: its release (a definition alone has
    # no values) belongs to the pin, or a cited profile would fall back to an older definition.
    conn = get_conn()
    live = with_definition(conn, page_release_ids(conn, p["read_areas"], None), None)
    # Not pinned, the shown pin is the live one (read once).
    shown = (
        with_definition(conn, page_release_ids(conn, p["read_areas"], pinned), pinned)
        if pinned
        else live
    )
    return pinned_page_cite(
        "kommune.profile",
        {"ags": p["area"].ags},
        _("Sozialstrukturprofil %(name)s", name=p["area"].name),
        p["read_areas"],
        pinned,
        release,
        list(provenance.values()),
        synthetic=bool(p["synthetic"]),
        pins=(live, shown),
    )


def _sozialindex(ags: str, pinned: Pinned | None = None) -> dict | None:
    """The Kommune's status and dynamics classes (profile block "Status und Dynamik"), of the
    releases `pinned` on a cited profile."""
    page = index_page(pinned=pinned)
    row = next((a for a in page.index.areas if a.ags == ags), None)
    return None if row is None else {"row": row, "d": page.index.definition}


def _group_summaries(
    conn, p: dict, release: ReleaseRef, similar: dict | None
) -> dict[str, GroupSummary]:
    """Per indicator row the comparison group's median and the Kommune's rank within it.

    Not for absolute counts: among similar Kommunen their values still mirror the size.
    """
    if not similar:
        return {}
    ags = p["area"].ags
    members = frozenset([ags, *(n["ags"] for n in similar["neighbours"])])
    rows = [r for t in p["topics"] for r in t["rows"] if r["indicator"].unit not in COUNT_UNITS]
    if members <= set(p["peers"]):  # read with the profile's rows (its peers, the row's year)
        found = {
            i: {a: v for a, v in by_area.items() if a in members}
            for i, by_area in p["peer_values"].items()
        }
    else:
        found = group_values(
            conn, {r["indicator"].id: r["year"] for r in rows}, sorted(members), release
        )
    return {
        r["indicator"].id: group_summary(
            found.get(r["indicator"].id, {}), ags, members, r["indicator"].polarity
        )
        for r in rows
    }


def _similar(conn, ags: str, pinned: Pinned | None = None) -> dict | None:
    """The Kommune's most similar Kommunen and the variables they were found on (on the values
    of the releases `pinned`: a cited profile)."""
    sim = similar(pinned)
    if not sim["neighbours"].get(ags):
        return None
    variables = [{**v, "indicator": get_indicator(conn, v["id"])} for v in sim["variables"]]
    return {"neighbours": sim["neighbours"][ags], "variables": variables}


@bp.get("/vergleich")
def compare_form():
    """The pickers' GET form lands here and is sent on to the permalink.

    Each field names any area: a key, a picker's "Name (key)" or a name (geodata.search.resolve).
    A field that names no area or several, or the same area twice, is explained on the list
    page's form with the text kept and the candidates linked (400).
    """
    a_text, b_text = request.args.get("a", "").strip(), request.args.get("b", "").strip()
    if not a_text or not b_text:
        return redirect(url_for("kommune.index") + "#vergleich")
    conn = get_conn()
    (a, hits_a), (b, hits_b) = resolve(conn, a_text, home_ags()), resolve(conn, b_text, home_ags())
    extra = {k: v for k, v in request.args.items() if k in ("release", "lang")}
    error, choices = None, []
    if a is None or b is None:
        side, text_, hits, other = (
            ("A", a_text, hits_a, b) if a is None else ("B", b_text, hits_b, a)
        )
        error = (
            _("„%(q)s“ (%(side)s): bitte eines dieser Gebiete wählen.", q=text_[:80], side=side)
            if hits
            else _(
                "„%(q)s“ (%(side)s): kein Gebiet dieses Namens oder Schlüssels.",
                q=text_[:80],
                side=side,
            )
        )
        for h in hits[:10]:
            href = _candidate_href(h.ags, other.ags if other else None, side, extra)
            choices.append((href, f"{h.name} ({kind_label(h.kind)}, {h.ags})"))
    elif a.ags == b.ags:
        error = _("Bitte zwei verschiedene Kommunen wählen: A und B sind gleich.")
    if error:
        html = render_template(
            "kommunen.html",
            areas=area_overview(conn),
            cmp_error=error,
            cmp_choices=choices,
            cmp_a=picker_label(a) if a else a_text,
            cmp_b=picker_label(b) if b else b_text,
        )
        return html, 400
    return redirect(url_for("kommune.compare", ags_a=a.ags, ags_b=b.ags, **extra))


def _candidate_href(ags: str, other: str | None, side: str, extra: dict) -> str:
    """Where a candidate of the comparison form leads: the comparison with the other field's
    area (on its side), else the candidate's own page."""
    if other is None or other == ags:
        return area_url(ags)
    a, b = (ags, other) if side == "A" else (other, ags)
    return url_for("kommune.compare", ags_a=a, ags_b=b, **extra)


@bp.get("/vergleich/<ags_a>/<ags_b>", endpoint="compare")
def compare_page(ags_a: str, ags_b: str):
    """The comparison: every topic's table on the page; a topic's charts (170 charts with
    their data tables would be ~27,500 elements) only for the topic named by `thema` (the
    no-JS way to them), else fetched when the reader opens the topic (`compare_charts`)."""
    release = args.integer("release", args.without("release"), lo=1)
    fmt = args.download_format(downloads.VIEW_FORMATS)
    # The reads every visitor of the data version shares, in one round trip (version_reads).
    _prefetch(PROFILE_READS)
    # The series beside A and B only where charts or a download show them.
    cmp = _comparison(ags_a, ags_b, release, series=bool(fmt) or args.raw("thema") is not None)
    c, pinned, notes = cmp.result, cmp.pinned, cmp.notes
    cited = compare_cite(c, pinned, release)
    if fmt:
        return downloads.response(compare_table(c, notes, citation=cited["cite"]), fmt)
    thema = _topic(c, ags_a, ags_b) if args.raw("thema") is not None else None
    found = area_trends(
        get_conn(),
        [ags_a, ags_b],
        None,
        pinned if pinned is not None else release,
        breaks=all_breaks(),
    )
    trends = {
        side: {i: t for (i, g), t in found.items() if g == ags}
        for side, ags in (("a", ags_a), ("b", ags_b))
    }
    page_args, heading = _page_args(), bench_heading(cmp.against)
    return render_template(
        "vergleich.html",
        c=c,
        release=release,
        synthetic=c["synthetic"],
        charts=charts,
        notes=notes,
        thema=thema["id"] if thema else None,
        page_args=page_args,
        bench_heading=heading,
        land_name=comparator(get_conn(), "land", home_ags()).name,
        # The tables' rows, each made once (app/pages/data/compare_rows.py).
        topic_rows=compare_rows(
            c,
            trends=trends,
            thema=thema["id"] if thema else None,
            page_args=page_args,
            context_labels=[region_name() if x.level == "region" else x.name for x in c["context"]],
            notes=notes,
            bench_heading=heading,
        ),
        **cited,
    )


@bp.get("/vergleich/<ags_a>/<ags_b>/diagramme/<thema>", endpoint="compare_charts")
@page_cache
def compare_charts_fragment(ags_a: str, ags_b: str, thema: str):
    """One topic's charts of the comparison as an HTML fragment (no page around it), fetched by
    app/static/js/compare-charts.js when the reader opens the topic. The same parameters as the
    page (release, stand, vergleich_mit); an unknown topic is a 404 naming the topics."""
    release = args.integer("release", args.without("release"), lo=1)
    c = _comparison(ags_a, ags_b, release).result
    t = _topic(c, ags_a, ags_b, thema)
    rel_args = {"release": release} if release else {}
    return render_template("vergleich_diagramme.html", c=c, t=t, charts=charts, rel_args=rel_args)


@dataclass(frozen=True)
class Comparison:
    """What the comparison page and its charts' fragment both read: the result of `compare`,
    the pinned releases (`stand`) or None, their notes, the benchmark."""

    result: dict[str, Any]
    pinned: Pinned | None
    notes: NoteIndex
    against: Comparator


def _comparison(ags_a: str, ags_b: str, release: int | None, *, series: bool = True) -> Comparison:
    """The comparison of the page and of its charts' fragment (a bad parameter: its 400/404).

    series: False where neither charts nor a download are made (indicators.profile.compare)."""
    # A cited comparison (`stand`): every row, chart and trend of the releases it showed.
    pinned = parse_pin(release, url_for("kommune.compare", ags_a=ags_a, ags_b=ags_b))
    source = pinned if pinned is not None else release
    against = comparator(get_conn(), args.benchmark(), home_ags())
    try:
        c = compare(
            get_conn(),
            ags_a,
            ags_b,
            source,
            breaks=all_breaks(),
            region=home_ags(),
            against=against,
            series=series,
        )
    except InvalidChoice as err:
        raise choices_error(err, "kommune.compare", ags_a=ags_a, ags_b=ags_b) from None
    return Comparison(c, pinned, pinned_notes(pinned), against)


def _page_args() -> dict[str, str]:
    """The page's own parameters (release, stand, vergleich_mit, lang) for its topic links and
    the charts' fragment: all but the topic and the download format."""
    return {k: v for k, v in request.args.items() if k not in ("thema", "format")}


def _topic(c: dict, ags_a: str, ags_b: str, thema: str | None = None) -> dict:
    """The comparison's topic named `thema` (default: the query's `thema`); another name is a
    404 with a link to each topic's charts."""
    wanted = thema if thema is not None else args.raw("thema")
    for t in c["topics"]:
        if t["id"] == wanted:
            return t
    err = UnknownChoice(
        "thema",
        _("Das Thema „%(t)s“ gibt es im Vergleich nicht.", t=(wanted or "")[:40]),
        [t["id"] for t in c["topics"]],
    )
    links = [
        (
            url_for("kommune.compare", ags_a=ags_a, ags_b=ags_b, thema=t["id"], **_page_args()),
            localized(t, "name"),
        )
        for t in c["topics"]
    ]
    raise with_links(err, links)
