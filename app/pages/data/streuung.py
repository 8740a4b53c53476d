"""The scatter page's data (/streuung): its state from the query string, checked against the
data (every bad parameter a German or English 4xx page naming the valid choices), its template
variables and its standalone image. The routes are `app.pages.streuung`; the API's
/api/v1/streuung reads the same year lists (`years_by_indicator`).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

from flask import g, request, url_for
from flask_babel import get_locale

from app.editors.auth import is_editor
from app.pages.data import figure_texts
from app.pages.data.cite import parse_pin
from app.pages.data.groups import kommunen_with_groups, parse_group
from app.render.formatting import fmt_cell, fmt_value, unit_label
from app.render.maps import short_name
from app.render.provenance_marks import mark_text
from app.render.scatter_chart import (
    ChartText,
    fmt_r,
    label_positions,
    map_svg,
    responsive_scatter,
    standalone_svg,
)
from app.web import args
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices, with_links
from app.web.http_cache import domain_cache
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from app.web.i18n import localized
from app.web.security import public_url
from app.web.urls import area_url
from geodata import attribution
from geodata.model import Area
from indicators.disparities import svg_shapes
from indicators.errors import InvalidChoice
from indicators.model import Release, Topic
from indicators.pinning import format_ids
from indicators.profile import areas_by_key, valid_areas
from indicators.queries import Pinned, ReleaseRef, topics_with_indicators
from indicators.releases import visible_release
from indicators.scatter import InvalidSelection, check_selection
from indicators.scatter_queries import Scatter, ScatterPoint, indicator_years, scatter

# The pair a first visit shows: the first of these with a common year of Kommune values
# (density against child poverty from INKAR; unemployment against basic income support; …).
DEFAULT_PAIRS = (
    ("bev_dichte_inkar", "sgb2_u15_quote_inkar"),
    ("alo_anteil", "sgb2_quote"),
    ("svb_quote", "bev_anteil_65plus"),
)
_YEAR = re.compile(r"\d{4}")
POPULATION_NAMES = {
    "bev_insgesamt": _l("Bevölkerungsfortschreibung"),
    "bev_zensus22": _l("Zensus 2022"),
}


def years_by_indicator(release_id: ReleaseRef = None) -> dict[str, list[int]]:
    """Per indicator its years with Kommune values (of a named release, else the newest), once
    per data version (the query reads every shown value: about a second)."""
    return domain_cache(
        ("streuung-years", release_id), lambda: indicator_years(get_conn(), release_id)
    )


def default_pair(years: dict[str, list[int]]) -> tuple[str, str]:
    """The first of DEFAULT_PAIRS whose two indicators share a year (else the first pair)."""
    for x, y in DEFAULT_PAIRS:
        if set(years.get(x, [])) & set(years.get(y, [])):
            return x, y
    return DEFAULT_PAIRS[0]


def _release_id() -> int | None:
    """The request's named release, once _release() has checked it (else None)."""
    return g.get("streuung_release")


def pinned_ids() -> Pinned | None:
    """The request's pin (`stand`, a cited scatter plot), once parse_request has checked it."""
    return g.get("streuung_pinned")


def _release(endpoint: str) -> Release | None:
    """`release=<id>`: a published or withdrawn release (drafts for editors), else a 404."""
    keep = {k: (request.args.get(k) or "")[:80] for k in ("x", "y", "jahr")}
    newest = [
        (
            scatter_link(endpoint, **keep, release=None),
            _("Streudiagramm mit dem neuesten Datenstand"),
        )
    ]
    release_id = args.integer("release", newest, lo=1)
    if release_id is None:
        return None
    release = visible_release(get_conn(), release_id, is_editor())
    if release is None:
        raise BadRequestWithChoices(
            404,
            _("Einen veröffentlichten Datenstand Nr. %(r)s gibt es nicht.", r=release_id),
            newest,
        )
    g.streuung_release = release_id
    return release


def _topics() -> list[Topic]:
    """The pickers' topics with only the indicators that have Kommune values."""
    release_id = _release_id()
    years = years_by_indicator(release_id)

    def build() -> list[Topic]:
        out = []
        for t in topics_with_indicators(get_conn()):
            inds = [i for i in t.indicators if years.get(i.id)]
            if inds:
                out.append(replace(t, indicators=tuple(inds)))
        return out

    return domain_cache(("streuung-topics", release_id), build)


def _kommunen() -> list[Area]:
    """The Kommunen (ags, name) by name."""
    return [a for a in valid_areas(get_conn()) if a.level == "kommune"]


def scatter_link(endpoint: str = "streuung.page", **params) -> str:
    if "release" not in params:  # a named release stays (release=None leaves it)
        params["release"] = _release_id()
    clean = {k: v for k, v in params.items() if v not in (None, "", [])}
    if isinstance(clean.get("auswahl"), list | tuple):
        clean["auswahl"] = ",".join(clean["auswahl"])
    if request.args.get("lang") == "en":
        clean.setdefault("lang", "en")
    return url_for(endpoint, **clean)


def _indicator_links(endpoint: str, axis: str, keep: dict) -> list[tuple[str, str]]:
    """Links to the same page with each indicator on one axis (the choices of an error)."""
    return [
        (scatter_link(endpoint, **dict(keep, **{axis: i.id})), localized(i, "name"))
        for t in _topics()
        for i in t.indicators
        if i.id != keep.get("x" if axis == "y" else "y")
    ]


def _error(err: InvalidChoice, endpoint: str, x_id: str, y_id: str) -> InvalidChoice:
    """The domain error with links to valid choices for its 4xx page."""
    # A named release may lack the pair (or every indicator): the newest data may have it.
    newest = (
        [
            (
                scatter_link(endpoint, x=x_id, y=y_id, release=None),
                _("Streudiagramm mit dem neuesten Datenstand"),
            )
        ]
        if _release_id() is not None
        else []
    )
    if err.field == "x":
        return with_links(err, _indicator_links(endpoint, "x", {"y": y_id}) + newest)
    if err.field == "jahr":
        links = [(scatter_link(endpoint, x=x_id, y=y_id, jahr=y), str(y)) for y in err.valid]
        return with_links(err, links + newest)
    links = _indicator_links(endpoint, "y", {"x": x_id})
    if err.field == "pair":  # only partners that share a year with x
        years = years_by_indicator(_release_id())
        partners = {
            i.id
            for t in _topics()
            for i in t.indicators
            if set(years.get(i.id, [])) & set(years.get(x_id, []))
        }
        links = [(h, n) for h, n in links if _arg(h, "y") in partners]
    return with_links(err, links + newest)  # 'y' (unknown, or the same as x) or 'pair'


def _arg(href: str, name: str) -> str | None:
    """A query parameter of a link built by scatter_link."""
    return (parse_qs(urlsplit(href).query).get(name) or [None])[0]


def parse_request(endpoint: str) -> tuple[Scatter, list[str], Release | None]:
    """Validate the query string against the data; every fault is a 4xx with choices.

    Returns the scatter, the chosen Kommunen and the named release (None: the newest data)."""
    release = _release(endpoint)
    release_id = release.id if release else None
    # A cited scatter plot (`stand`): its points, years and population of the pinned releases.
    pinned = parse_pin(release_id, scatter_link(endpoint, release=None))
    g.streuung_pinned = pinned
    source: ReleaseRef = pinned if pinned is not None else release_id
    years = years_by_indicator(source)
    dx, dy = default_pair(years)
    x_id = (request.args.get("x") or dx)[:80]
    y_id = (request.args.get("y") or dy)[:80]
    raw_year = request.args.get("jahr") or ""
    year = None
    if raw_year:
        if not _YEAR.fullmatch(raw_year):
            pair = sorted(set(years.get(x_id, [])) & set(years.get(y_id, [])))
            links = [(scatter_link(endpoint, x=x_id, y=y_id, jahr=y), str(y)) for y in pair]
            links = links or [
                (scatter_link(endpoint, x=x_id, y=y_id), _("Neuestes gemeinsames Jahr"))
            ]
            raise BadRequestWithChoices(
                400,
                _(
                    "„%(j)s“ ist keine gültige Jahreszahl (vierstellig, z. B. %(y)s).",
                    j=raw_year[:40],
                    y=pair[-1] if pair else 2024,
                ),
                links,
            )
        year = int(raw_year)
    try:
        s = scatter(get_conn(), x_id, y_id, year, years, source)
    except InvalidChoice as err:
        raise _error(err, endpoint, x_id, y_id) from None
    kommunen = _kommunen()
    try:
        chosen = check_selection(
            request.args.getlist("auswahl"), [k.ags for k in kommunen], len(kommunen)
        )
    except InvalidSelection as err:
        links = [
            (scatter_link(endpoint, x=x_id, y=y_id, jahr=s.year, auswahl=k.ags), k.name)
            for k in kommunen
        ]
        # An area elsewhere is no point of this plot (its Kommunen only): offer its page and the
        # Kommunen most similar to it (gruppe=, refused with its reason where there are none).
        for a in areas_by_key(get_conn(), err.unknown[:3]).values():
            links += [
                (
                    scatter_link(endpoint, x=x_id, y=y_id, jahr=s.year, gruppe=a.ags),
                    _("Die Kommunen, die %(name)s am ähnlichsten sind", name=a.name),
                ),
                (area_url(a.ags), _("Profil %(name)s", name=a.name)),
            ]
        raise with_links(err, links) from None
    # Keep the order of the map (by AGS): the same selection gives the same permalink.
    return s, sorted(chosen), release


def comparison_group(endpoint: str, s: Scatter) -> list[str] | None:
    """`gruppe=<ags>`: that Kommune and its most similar Kommunen, or None if not asked."""
    group = parse_group(lambda a: scatter_link(endpoint, x=s.x.id, y=s.y.id, jahr=s.year, gruppe=a))
    return None if group is None else sorted(group.members)


def _cell_text(c, decimals: int, unit: str) -> str:
    return fmt_cell(c.value, c.suppressed, c.flag, decimals, unit)


def chart_text(s: Scatter) -> ChartText:
    """The chart's words in the request's language."""
    x, y = s.x, s.y
    xl = f"{localized(x, 'name')} ({unit_label(x.unit)})"
    yl = f"{localized(y, 'name')} ({unit_label(y.unit)})"

    labels: dict[str, str] = {}  # each point is named in three drawings: translate once

    def dot_label(p: ScatterPoint) -> str:
        if p.ags not in labels:
            labels[p.ags] = _dot_label(p)
        return labels[p.ags]

    def _dot_label(p: ScatterPoint) -> str:
        pop = (
            _(
                "%(n)s Einwohnerinnen und Einwohner (%(y)s)",
                n=fmt_value(p.population.value, 0),
                y=p.population.year,
            )
            if p.population.value is not None
            else _("Einwohnerzahl unbekannt")
        )
        return _(
            "%(name)s: %(x)s %(xv)s; %(y)s %(yv)s; %(pop)s",
            name=p.name,
            x=localized(x, "name"),
            xv=_cell_text(p.x, x.decimals, x.unit) + _kind(p.x),
            y=localized(y, "name"),
            yv=_cell_text(p.y, y.decimals, y.unit) + _kind(p.y),
            pop=pop + _kind(p.population),
        )

    def _kind(cell) -> str:  # demo mode: each value of a dot says whether it is amtlich
        kind = mark_text(cell.synthetic if cell.value is not None else None)
        return f" ({kind})" if kind else ""

    r = s.regression
    fit = (
        _("Gerade der kleinsten Quadrate: r = %(r)s, R² = %(r2)s", r=fmt_r(r.r), r2=fmt_r(r.r2))
        if r
        else _("keine Gerade (zu wenige Kommunen mit beiden Werten)")
    )
    return ChartText(
        x_label=xl,
        y_label=yl,
        x_unit=x.unit,
        y_unit=y.unit,
        x_decimals=x.decimals,
        y_decimals=y.decimals,
        title=_(
            "Streudiagramm: %(y)s nach %(x)s, %(year)s, je Kommune ein Punkt (Fläche nach Einwohnerzahl); %(fit)s. Die Werte stehen in der Tabelle unter der Grafik.",
            y=yl,
            x=xl,
            year=s.year,
            fit=fit,
        ),
        size_key=_("Fläche ∝ Einwohnerzahl:"),
        inhabitants=lambda n: _("%(n)s Einw.", n=fmt_value(n, 0)),
        dot_label=dot_label,
        line_label=_("Gerade der kleinsten Quadrate"),
        region_label=s.region.name if s.region else "",
    )


def _sources(s: Scatter) -> list[str]:
    """Source and licence lines (image footer, embed): per indicator its origin."""
    # Words looked up outside the f-strings below, so that pybabel finds them.
    table, official, as_of, licence = _("Tabelle"), _("amtlich"), _("Datenstand"), _("Lizenz")
    boundaries = _("Gebietsgrenzen")
    out = []
    pts = [*s.points, *([s.region] if s.region else [])]
    for ind, axis in ((s.x, "x"), (s.y, "y")):
        origin = []
        if prov := s.provenance.get(ind.id):
            tables = "; ".join(f"{table} {p['tables']} ({p['release']})" for p in prov)
            origin.append(f"{official}: {tables}")
        if any(getattr(p, axis).synthetic for p in pts):
            origin.append(_("Beispieldaten (synthetisch, keine amtlichen Zahlen)"))
        line = f"{localized(ind, 'name')}: {ind.source}"
        out.append(line + (f" – {', '.join(origin)}" if origin else ""))
    pops = sorted(
        {
            str(POPULATION_NAMES.get(p.population.indicator, p.population.indicator))
            for p in pts
            if p.population.indicator
        }
    )
    out.append(_("Fläche der Punkte: Einwohnerzahl (%(src)s).", src=", ".join(pops)))
    out.append(
        f"{as_of}: {', '.join(s.releases)}."
        f" {licence}: {attribution.LICENCE} ({attribution.LICENCE_URL})."
    )
    out.append(f"{boundaries}: {attribution.BOUNDARIES}, {attribution.LICENCE}.")
    return out


def scatter_context(
    s: Scatter, chosen: list[str], embed: bool, release: Release | None = None
) -> dict:
    """Template variables of the page and the embed."""
    selected = frozenset(chosen)
    txt = chart_text(s)
    shapes = domain_cache(("streuung-shapes",), lambda: svg_shapes(get_conn()))
    map_title = _(
        "Karte der Kommunen; ausgewählte Kommunen sind hervorgehoben: %(names)s",
        names=", ".join(p.name for p in s.points if p.ags in selected) or _("keine"),
    )
    release_id = release.id if release else None
    pinned = pinned_ids()
    state = {
        "x": s.x.id,
        "y": s.y.id,
        "jahr": s.year,
        "auswahl": chosen,
        "release": release_id,
        "stand": format_ids(pinned) if pinned else None,
    }
    lang = {"lang": "en"} if request.args.get("lang") == "en" or _is_en() else {}
    return dict(
        s=s,
        txt=txt,
        chosen=chosen,
        selected=selected,
        state=state,
        chart=responsive_scatter(s, txt, selected, short_name),
        map=map_svg(shapes, s, selected, map_title, txt.dot_label),
        map_labels=label_positions(shapes),
        short_name=short_name,
        topics=_topics(),
        years_json=_years_json(),
        kommunen=_kommunen(),
        groups=kommunen_with_groups(),
        fmt_r=fmt_r,
        synthetic=s.synthetic,
        mixed=s.mixed,
        embed=embed,
        permalink=public_url() + scatter_link("streuung.page", **state, **lang),
        embed_url=public_url() + scatter_link("streuung.embed", **state, **lang),
        svg_url=scatter_link("streuung.svg", **state),
        api_url=url_for("api.streuung", x=s.x.id, y=s.y.id, jahr=s.year, release=release_id),
        named=release,
        population_note=population_note(s, release),
        newest_url=scatter_link("streuung.page", **dict(state, release=None, stand=None)),
        population_names=POPULATION_NAMES,
        figure_text=scatter_text(s),
    )


def scatter_text(s: Scatter) -> str:
    """The chart as text (page and image): both axes, the points, the correlation."""
    r = s.regression
    extra = _("Korrelation r = %(r)s.", r=fmt_r(r.r)) if r is not None else ""
    return figure_texts.scatter(s.x, s.y, s.year, s.points, extra)


def population_note(s: Scatter, release: Release | None) -> str | None:
    """With a named release: which dots are sized from the newest data (it has no population
    for the year), else None."""
    if release is None or not s.population_newest:
        return None
    areas = [*s.points, *([s.region] if s.region else [])]
    fallback = [p for p in areas if p.ags in s.population_newest]
    newest = ", ".join(sorted({p.population.release for p in fallback if p.population.release}))
    if all(p.ags in s.population_newest for p in s.points):
        return _(
            "Der Datenstand „%(label)s“ enthält keine Einwohnerzahlen für %(year)s: die Fläche der Punkte folgt der Einwohnerzahl aus dem neuesten Datenstand (%(newest)s).",
            label=release.label,
            year=s.year,
            newest=newest,
        )
    return _(
        "Der Datenstand „%(label)s“ enthält für %(year)s keine Einwohnerzahl von %(names)s: die Fläche dieser Punkte folgt der Einwohnerzahl aus dem neuesten Datenstand (%(newest)s).",
        label=release.label,
        year=s.year,
        names=", ".join(p.name for p in fallback),
        newest=newest,
    )


def _is_en() -> bool:
    return str(get_locale()) == "en"


def _years_json() -> str:
    """Per indicator its years, for the page script that narrows the year list to the pair."""
    return json.dumps(years_by_indicator(_release_id()), separators=(",", ":"))


def standalone_image(s: Scatter, chosen: list[str]) -> str:
    """The chart as a standalone SVG with title, axes, source and licence inside."""
    txt = chart_text(s)
    heading = [
        _(
            "%(y)s nach %(x)s, %(year)s",
            y=localized(s.y, "name"),
            x=localized(s.x, "name"),
            year=s.year,
        ),
        _(
            "Je Kommune ein Punkt, Fläche ∝ Einwohnerzahl; ◆ %(region)s",
            region=s.region.name if s.region else "",
        ),
    ]
    r = s.regression
    if r is not None:
        heading.append(
            _(
                "Gerade der kleinsten Quadrate (ungewichtet, n = %(n)s): r = %(r)s, R² = %(r2)s",
                n=r.n,
                r=fmt_r(r.r),
                r2=fmt_r(r.r2),
            )
        )
    if s.synthetic:
        heading.append(
            _("Beispieldaten")
            + ": "
            + _("Die angezeigten Werte sind synthetisch erzeugt und keine amtlichen Zahlen.")
        )
    footer = [_("Quelle") + ": " + line if i == 0 else line for i, line in enumerate(_sources(s))]
    return standalone_svg(
        s,
        txt,
        heading,
        footer,
        frozenset(chosen),
        short_name,
        description=scatter_text(s),
        lang=str(get_locale()),
    )
