"""Parts of a Kommune's profile that the page and its image share: the error pages with valid
choices and the spine rows (where the Kommune lies among the Kommunen)."""

from __future__ import annotations

from flask import url_for

from app.pages.data import figure_texts
from app.pages.data.image_parts import year_ranges
from app.render.formatting import Numbers
from app.web.db import get_conn
from app.web.errors import with_links
from app.web.i18n import current_lang, localized
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from app.web.urls import area_url
from indicators.classify import COUNT_UNITS
from indicators.errors import InvalidChoice
from indicators.profile import valid_areas
from indicators.queries import ReleaseRef, list_releases
from indicators.ranking import SpineLayout, spine_layout
from indicators.ranking_queries import kommunen_spreads


def choices_error(err: InvalidChoice, endpoint: str, **kwargs) -> InvalidChoice:
    """The domain error with links to valid choices for its German 4xx page."""
    conn = get_conn()
    if err.field == "release":
        links = [(url_for(endpoint, **kwargs), _("Neuester Datenstand"))] + [
            (url_for(endpoint, **kwargs, release=r.id), r.label) for r in list_releases(conn)
        ]
        return with_links(err, links)
    if err.field == "same":
        a = kwargs["ags_a"]
        links = [
            (url_for("kommune.compare", ags_a=a, ags_b=k.ags), k.name)
            for k in valid_areas(conn)
            if k.level == "kommune" and k.ags != a
        ]
        return with_links(err, links)
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
        return with_links(err, links)
    areas = valid_areas(conn)
    if endpoint == "kommune.compare":
        areas = [a for a in areas if a.level == "kommune"]
    return with_links(
        err,
        [(area_url(a.ags), f"{a.name} ({a.ags})") for a in areas]
        + [(url_for("gebiet.suche"), _("Gebiet suchen"))],
    )


def spine_rows(conn, p: dict, release: ReleaseRef) -> dict[str, tuple[SpineLayout, str, str]]:
    """Per indicator row with a spine: its layout, verdict and accessible label (page, image).

    Not for absolute counts (their spread mirrors the Kommunen's size), nor where the Kommune,
    the Region or fewer than three Kommunen have a value in the row's year.
    """
    rows = [r for t in p["topics"] for r in t["rows"] if r["indicator"].unit not in COUNT_UNITS]
    spreads = kommunen_spreads(conn, {r["indicator"].id: r["year"] for r in rows}, release)
    out = {}
    comp = p.get("comparator")
    # Per page, not per row: the numbers in the request's language (~280 formatted) and the
    # two reading directions.
    num = Numbers()
    sides = {True: _("rechts = günstiger"), False: _("rechts = höher")}
    # The centre is the benchmark the verdict compares with (the Region, its Land or Germany).
    other = comp is not None and not comp.is_default
    for r in rows:
        i, spread = r["indicator"], spreads.get(r["indicator"].id)
        ref = r["bench_value"] if other else r["region"]
        if spread is None or spread.n < 3 or None in (r["value"], ref):
            continue
        if (r["benchmark"] or {}).get("reason") == "mixed_synthetic":
            continue  # a synthetic value is not placed against a real centre (nor vice versa)
        layout = spine_layout(r["value"], ref, spread, i.polarity)
        verdict = (r["benchmark"] or {}).get("verdict", "not_assessable")
        dec, unit = i.decimals, i.unit
        side = sides[i.polarity != "neutral"]
        parts = {
            "n": spread.n,
            "name": p["area"].name,
            "v": num.value(r["value"], dec, unit),
            "lo": num.value(spread.minimum, dec, unit),
            "hi": num.value(spread.maximum, dec, unit),
            "q1": num.value(spread.q1, dec, unit),
            "q3": num.value(spread.q3, dec, unit),
            "reg": num.value(ref, dec, unit),
            "side": side,
        }
        if other:
            label = _(
                "Einordnung unter den %(n)s Kommunen: %(name)s %(v)s; Kommunen von %(lo)s bis %(hi)s, mittlere Hälfte %(q1)s bis %(q3)s; %(bench)s %(reg)s; %(side)s.",
                bench=comp.name,
                **parts,
            )
        else:
            label = _(
                "Einordnung unter den %(n)s Kommunen: %(name)s %(v)s; Kommunen von %(lo)s bis %(hi)s, mittlere Hälfte %(q1)s bis %(q3)s; Region %(reg)s; %(side)s.",
                **parts,
            )
        out[i.id] = (layout, verdict, label)
    return out


def spines_text(p: dict, spines: dict[str, tuple[SpineLayout, str, str]]) -> str:
    """The profile's spines (page and image) as text: per verdict the indicators with it."""
    rows = [r for t in p["topics"] for r in t["rows"] if r["indicator"].id in spines]
    if not rows:
        return ""
    verdicts: dict[str, list[str]] = {}
    lang = current_lang()
    for r in rows:
        verdict = spines[r["indicator"].id][1]
        verdicts.setdefault(verdict, []).append(localized(r["indicator"], "name", lang))
    years = year_ranges(sorted({r["year"] for r in rows}))
    return figure_texts.spines(p["area"].name, years, verdicts)


# The Sozialmonitoring's key figures, first on every profile: per topic the indicators that can
# stand for it, best first (the first with a value wins; an official value before Beispieldaten).
KEY_FIGURES = (
    ("kinderarmut", _l("Kinderarmut"), ("sgb2_u15_quote", "sgb2_u15_quote_inkar")),
    ("sgb2", _l("SGB-II-Bezug"), ("sgb2_quote", "sgb2_quote_inkar")),
    ("arbeitslosigkeit", _l("Arbeitslosigkeit"), ("alo_quote", "alo_anteil")),
    ("altersarmut", _l("Altersarmut"), ("gsia_quote", "grundsicherung_quote")),
    ("bevoelkerung", _l("Bevölkerung"), ("bev_insgesamt", "bev_zensus22")),
)


def key_figures(p: dict) -> dict:
    """The profile's summary: per key figure that exists as an indicator with a value the
    profile row it is shown from (`rows`: its topic, the Kommune's and the Region's value), and
    the labels of the key figures without any (`missing`), said beside the summary."""
    rows = {r["indicator"].id: (t, r) for t in p["topics"] for r in t["rows"]}
    out, missing = [], []
    for key, label, candidates in KEY_FIGURES:
        found = [rows[c] for c in candidates if c in rows and rows[c][1]["value"] is not None]
        if not found:
            missing.append(str(label))
            continue
        topic, row = min(found, key=lambda tr: bool(tr[1]["synthetic"]))  # stable: order kept
        out.append({"key": key, "label": str(label), "topic": topic, "row": row})
    return {"rows": out, "missing": missing}
