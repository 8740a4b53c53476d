"""Kommunen: list, profile (Sozialstrukturprofil) and comparison of two Kommunen."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from app import args, charts, downloads, rank_charts
from app.db import get_conn
from app.errors import BadRequestWithChoices
from app.formatting import fmt_value
from app.groups import similar
from app.http_cache import page_cache
from app.profile_tables import compare_table, profile_table
from indicators.classify import COUNT_UNITS
from indicators.profile import InvalidChoice, area_overview, compare, profile, valid_areas
from indicators.queries import get_indicator, list_releases
from indicators.ranking import GroupSummary, SpineLayout, group_summary, spine_layout
from indicators.ranking_queries import group_values, kommunen_spreads
from indicators.trend_queries import area_trends

bp = Blueprint("kommune", __name__)


def choices_error(err: InvalidChoice, endpoint: str, **kwargs) -> BadRequestWithChoices:
    """Turn a domain error into a German 4xx page linking to valid choices."""
    conn = get_conn()
    if err.field == "release":
        links = [(url_for(endpoint, **kwargs), _("Neuester Datenstand"))] + [
            (url_for(endpoint, **kwargs, release=r["id"]), r["label"]) for r in list_releases(conn)
        ]
        return BadRequestWithChoices(404, err.message, links)
    if err.field == "same":
        a = kwargs["ags_a"]
        links = [
            (url_for("kommune.compare", ags_a=a, ags_b=k["ags"]), k["name"])
            for k in valid_areas(conn)
            if k["level"] == "kommune" and k["ags"] != a
        ]
        return BadRequestWithChoices(400, err.message, links)
    if err.field == "period":
        years = err.valid
        links = [(url_for(endpoint, **kwargs), _("Voreingestellter Zeitraum"))]
        if years:
            links.append(
                (
                    url_for(endpoint, **kwargs, von=years[0], bis=years[-1]),
                    _("Gesamter Zeitraum %(a)s–%(b)s", a=years[0], b=years[-1]),
                )
            )
            if len(years) > 10:
                links.append(
                    (
                        url_for(endpoint, **kwargs, von=years[-11], bis=years[-1]),
                        _("Zehn Jahre %(a)s–%(b)s", a=years[-11], b=years[-1]),
                    )
                )
        return BadRequestWithChoices(400, err.message, links)
    areas = valid_areas(conn)
    if endpoint == "kommune.compare":
        areas = [a for a in areas if a["level"] == "kommune"]
    return BadRequestWithChoices(
        404,
        err.message,
        [(url_for("kommune.profile", ags=a["ags"]), f"{a['name']} ({a['ags']})") for a in areas],
    )


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
        args.download_format(),
    )
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
        p = profile(get_conn(), ags, release, *((None, None) if period_error else (y0, y1)))
    except InvalidChoice as err:
        raise choices_error(err, "kommune.profile", ags=ags) from None
    conn = get_conn()
    trends = {i: t for (i, _a), t in area_trends(conn, [ags], None, release).items()}
    if fmt:
        return downloads.response(profile_table(p, trends), fmt)
    similar = None if p["is_region"] else _similar(conn, ags)
    return render_template(
        "kommune.html",
        p=p,
        release=release,
        synthetic=p["synthetic"],
        sparkline=charts.sparkline,
        count_units=COUNT_UNITS,
        period_error=period_error,
        sel_from=y0 if period_error else None,
        sel_to=y1 if period_error else None,
        trends=trends,
        similar=similar,
        group=_group_summaries(conn, p, release, similar),
        spines={} if p["is_region"] else _spines(conn, p, release),
        spine_colours=rank_charts.VERDICT_COLOURS,
    )


def _fmt_in(ind: dict, value: float | None) -> str:
    return fmt_value(value, ind["decimals"], ind["unit"])


def _spines(conn, p: dict, release: int | None) -> dict[str, Markup]:
    """Per indicator row the spine chart: the Kommune among the 21 and against the Region."""
    return {i: rank_charts.spine_svg(*s) for i, s in spine_rows(conn, p, release).items()}


def spine_rows(conn, p: dict, release: int | None) -> dict[str, tuple[SpineLayout, str, str]]:
    """Per indicator row with a spine: its layout, verdict and accessible label (page, image).

    Not for absolute counts (their spread mirrors the Kommunen's size), nor where the Kommune,
    the Region or fewer than three Kommunen have a value in the row's year.
    """
    rows = [r for t in p["topics"] for r in t["rows"] if r["indicator"]["unit"] not in COUNT_UNITS]
    spreads = kommunen_spreads(conn, {r["indicator"]["id"]: r["year"] for r in rows}, release)
    out = {}
    for r in rows:
        i, spread = r["indicator"], spreads.get(r["indicator"]["id"])
        if spread is None or spread.n < 3 or None in (r["value"], r["region"]):
            continue
        layout = spine_layout(r["value"], r["region"], spread, i["polarity"])
        verdict = (r["benchmark"] or {}).get("verdict", "not_assessable")
        f = partial(_fmt_in, i)
        side = _("rechts = günstiger") if i["polarity"] != "neutral" else _("rechts = höher")
        label = _(
            "Einordnung unter den %(n)s Kommunen: %(name)s %(v)s; Kommunen von %(lo)s bis %(hi)s, mittlere Hälfte %(q1)s bis %(q3)s; Region %(reg)s; %(side)s.",
            n=spread.n,
            name=p["area"]["name"],
            v=f(r["value"]),
            lo=f(spread.minimum),
            hi=f(spread.maximum),
            q1=f(spread.q1),
            q3=f(spread.q3),
            reg=f(r["region"]),
            side=side,
        )
        out[i["id"]] = (layout, verdict, label)
    return out


def _group_summaries(
    conn, p: dict, release: int | None, similar: dict | None
) -> dict[str, GroupSummary]:
    """Per indicator row the comparison group's median and the Kommune's rank within it.

    Not for absolute counts: among similar Kommunen their values still mirror the size.
    """
    if not similar:
        return {}
    ags = p["area"]["ags"]
    members = frozenset([ags, *(n["ags"] for n in similar["neighbours"])])
    rows = [r for t in p["topics"] for r in t["rows"] if r["indicator"]["unit"] not in COUNT_UNITS]
    found = group_values(
        conn, {r["indicator"]["id"]: r["year"] for r in rows}, sorted(members), release
    )
    return {
        r["indicator"]["id"]: group_summary(
            found.get(r["indicator"]["id"], {}), ags, members, r["indicator"]["polarity"]
        )
        for r in rows
    }


def _similar(conn, ags: str) -> dict | None:
    """The Kommune's most similar Kommunen and the variables they were found on."""
    sim = similar()
    if not sim["neighbours"].get(ags):
        return None
    variables = [{**v, "indicator": get_indicator(conn, v["id"])} for v in sim["variables"]]
    return {"neighbours": sim["neighbours"][ags], "variables": variables}


@bp.get("/vergleich")
def compare_form():
    """The pickers' GET form lands here and is sent on to the permalink.

    Choosing the same Kommune twice is explained on the list page's form, with the choice kept.
    """
    a, b = request.args.get("a", ""), request.args.get("b", "")
    if not a or not b:
        return redirect(url_for("kommune.index") + "#vergleich")
    if a == b:
        areas = area_overview(get_conn())
        error = _("Bitte zwei verschiedene Kommunen wählen: A und B sind gleich.")
        html = render_template("kommunen.html", areas=areas, cmp_error=error, cmp_a=a, cmp_b=b)
        return html, 400
    extra = {k: v for k, v in request.args.items() if k in ("release", "lang")}
    return redirect(url_for("kommune.compare", ags_a=a[:20], ags_b=b[:20], **extra))


@bp.get("/vergleich/<ags_a>/<ags_b>", endpoint="compare")
def compare_page(ags_a: str, ags_b: str):
    release, fmt = args.integer("release", args.without("release"), lo=1), args.download_format()
    try:
        c = compare(get_conn(), ags_a, ags_b, release)
    except InvalidChoice as err:
        raise choices_error(err, "kommune.compare", ags_a=ags_a, ags_b=ags_b) from None
    if fmt:
        return downloads.response(compare_table(c), fmt)
    found = area_trends(get_conn(), [ags_a, ags_b], None, release)
    trends = {
        side: {i: t for (i, g), t in found.items() if g == ags}
        for side, ags in (("a", ags_a), ("b", ags_b))
    }
    return render_template(
        "vergleich.html",
        c=c,
        release=release,
        synthetic=c["synthetic"],
        charts=charts,
        trends=trends,
    )
