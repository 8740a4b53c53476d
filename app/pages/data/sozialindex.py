"""The Sozialindex (status × dynamics) for the page /sozialindex and the API: computed on real
values only (indicators/social_index_queries.py), series breaks honoured."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import Connection

from app.pages.data.cite import pinned_page_cite
from app.pages.data.gebiet_map import page_rule, scope_areas_cached, script_json
from app.pages.data.map_page import sources
from app.pages.data.series_breaks import breaks_of
from app.web.db import get_conn
from app.web.home import home_ags
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from indicators import classify
from indicators.breaks import break_between
from indicators.errors import UnknownChoice
from indicators.gebiet_queries import get_territory
from indicators.model import Indicator
from indicators.pinning import release_labels
from indicators.queries import get_indicator, shown_provenance
from indicators.social_index import (
    DYNAMICS_CLASSES,
    STATUS_CLASSES,
    SocialIndex,
)
from indicators.social_index_queries import index_release_ids, kreis_name, social_index
from indicators.social_index_store import StoredDefinition, current_definition

STATUS_LABELS = {
    "hoch": _l("hoch"),
    "mittel": _l("mittel"),
    "niedrig": _l("niedrig"),
    "sehr_niedrig": _l("sehr niedrig"),
}
DYNAMICS_LABELS = {"positiv": _l("positiv"), "stabil": _l("stabil"), "negativ": _l("negativ")}
# The map's pattern per dynamics class (colour alone never carries the class: WCAG 1.4.1).
DYNAMICS_PATTERNS = {
    "positiv": _l("gepunktet"),
    "stabil": _l("ohne Muster"),
    "negativ": _l("schraffiert"),
}
# ColorBrewer YlOrRd (4 classes): more need, darker; the text says the class as well.
STATUS_COLOURS = {
    "hoch": "#ffffb2",
    "mittel": "#fecc5c",
    "niedrig": "#fd8d3c",
    "sehr_niedrig": "#e31a1c",
}


def definition() -> StoredDefinition:
    """The definition of the releases shown: the newest published release's that carries one,
    else the shipped file (indicators/data/sozialindex.toml). Read per call (one indexed row or
    a small TOML file): no second cache beside app/web/cache.py."""
    return current_definition(get_conn())


@dataclass(frozen=True)
class IndexPage:
    index: SocialIndex
    indicators: dict[str, Indicator]
    source: StoredDefinition  # where the definition comes from (a release or the shipped file)
    kreis: str | None = None  # None: the home region's Kommunen; else a Kreis' Gemeinden
    kreis_name: str | None = None
    pinned: tuple[int, ...] | None = None  # a cited view's `stand`


def with_definition(
    conn: Connection, ids: tuple[int, ...], pinned: Sequence[int] | None
) -> tuple[int, ...]:
    """A page's pin with the release of the index definition in force in it (live, or within
    the pinned set): a page showing the Sozialindex (the profile's block) keeps its definition."""
    rid = current_definition(conn, pinned).release_id
    return tuple(sorted({*ids, rid})) if rid is not None else ids


def index_pins(page: IndexPage) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The live pin of this index view and the one it shows (the same when not pinned): the
    releases of the values of its definition's indicators and years for its areas and the
    release of its definition (`index_release_ids`). The live pin uses the definition in force
    now, the shown one the pinned view's."""
    conn = get_conn()
    areas = [a.ags for a in page.index.areas]
    live_source = page.source if page.pinned is None else definition()
    live = index_release_ids(conn, live_source.definition, live_source.release_id, areas, None)
    if page.pinned is None:
        return live, live
    shown = index_release_ids(
        conn, page.source.definition, page.source.release_id, areas, page.pinned
    )
    return live, shown


def index_cite(page: IndexPage) -> dict:
    """The citation, permalink, citation downloads (BibTeX, CSL-JSON) and pinned note of the
    Sozialindex page: pinned to the releases of its indicators' values and of its definition
    (`stand`), so a cited index keeps its numbers and its definition."""
    pins = index_pins(page)
    labels = release_labels(get_conn(), page.pinned or pins[0])
    # One entry per source text and release, the indicators' tables together (both index
    # indicators of the shipped definition come from the same INKAR file).
    provenance: dict[tuple[str, str], dict] = {}
    for i in page.index.definition.indicator_ids:
        for p in shown_provenance(sources(i), labels):
            key = (p["source"], p["release"])
            kept = provenance.setdefault(key, {**p, "tables": ""})
            tables = [t for t in (kept["tables"], p["tables"]) if t]
            kept["tables"] = ", ".join(dict.fromkeys(tables))
    title = _("Sozialindex: Status und Dynamik der Kommunen")
    if page.kreis_name:
        title = f"{title} ({page.kreis_name})"
    return pinned_page_cite(
        "sozialindex.index",
        {},
        title,
        (),
        page.pinned,
        None,
        provenance.values(),
        state={"gebiet": page.kreis} if page.kreis else {},
        pins=pins,
    )


def index_page(kreis: str | None = None, pinned: tuple[int, ...] | None = None) -> IndexPage:
    """The index of the home region's Kommunen (or of the Gemeinden of the Kreis `kreis`)
    with the catalogue rows of its indicators; an unknown Kreis: UnknownChoice (404). With
    `pinned` (a cited profile) on the values and the definition of those releases."""
    source = definition() if pinned is None else current_definition(get_conn(), pinned)
    d = source.definition
    conn = get_conn()
    if kreis == home_ags():
        kreis = None
    name = None if kreis is None else kreis_name(conn, kreis)
    crossed = [
        i
        for i in d.indicator_ids
        if break_between(d.dynamics_from, d.dynamics_to, breaks_of(i)) is not None
    ]
    inds = {i: ind for i in d.indicator_ids if (ind := get_indicator(conn, i)) is not None}
    index = social_index(conn, d, crossed, pinned, kreis=kreis)
    return IndexPage(index, inds, source, kreis, name, pinned)


def kreis_map(page: IndexPage) -> dict:
    """The template variables of another Kreis' index map: the territory map's component
    (templates/maps/_gebiet_map.html, app/static/js/karte-gebiet.js: the Gemeinden's outlines
    from /karte/umrisse) with the status class as colour and the dynamics class as pattern
    (`hatch`: one character per area, 'n' negativ hatched, 'p' positiv dotted, '.' none)."""
    assert page.kreis is not None
    territory = get_territory(get_conn(), page.kreis)
    if territory is None:  # kreis_name() accepted it: a Kreis has a territory
        raise UnknownChoice("gebiet", page.kreis)
    areas = scope_areas_cached(territory, "gemeinde")
    by_ags = {a.ags: a for a in page.index.areas}
    colours = [STATUS_COLOURS[c] for c in STATUS_CLASSES]
    k, hatch, labels = [], [], []
    for ags in areas.ags:
        a = by_ags.get(ags)
        sc = a.status_class if a else None
        dc = a.dynamics_class if a else None
        k.append("." if sc is None else str(STATUS_CLASSES.index(sc)))
        hatch.append({"negativ": "n", "positiv": "p"}.get(dc or "", "."))
        label = _("Status %(s)s", s=STATUS_LABELS[sc]) if sc else str(_("kein Index"))
        if dc:
            label += ", " + _("Dynamik %(d)s", d=DYNAMICS_LABELS[dc])
        labels.append(str(label))
    data = {
        "colors": colours,
        "none": classify.NO_DATA_COLOR,
        "order": "",
        "k": "".join(k),
        "hatch": "".join(hatch),
        "labels": labels,
        "ags": areas.ags,
        "names": areas.names,
    }
    return {
        "territory": territory,
        "shapes_url": url_for("gebiet_karte.umrisse", gebiet=territory.ags, ebene="gemeinde"),
        "colours_url": "",
        "bounds": json.dumps(territory.bounds),
        "embed": False,
        "page_rule": page_rule(),
        "areas_json": script_json(data),
        "map_label": _(
            "Karte der 12 Gruppen: Gemeinden des Kreises %(n)s. Alle Klassen stehen in der Tabelle.",
            n=page.kreis_name,
        ),
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def api_body(page: IndexPage) -> dict:
    """The index as JSON rows (numbers rounded to 4 decimals; the page shows 2)."""
    idx, d = page.index, page.index.definition
    return {
        "definition": {
            "key": d.key,
            "release": page.source.release_label,  # None: the shipped definition
            "name_de": d.name_de,
            "name_en": d.name_en,
            "status_year": d.status_year,
            "dynamics_from": d.dynamics_from,
            "dynamics_to": d.dynamics_to,
            "indicators": [{"id": i.id, "direction": i.direction} for i in d.indicators],
            "status_thresholds": {
                "sehr_niedrig": d.status_very_low,
                "niedrig": d.status_low,
                "hoch": d.status_high,
            },
            "dynamics_thresholds": {"negativ": d.dynamics_negative, "positiv": d.dynamics_positive},
            "min_cases": d.min_cases,
            "min_base": d.min_base,
            "status_classes": list(STATUS_CLASSES),
            "dynamics_classes": list(DYNAMICS_CLASSES),
            "crossed_by_series_break": list(idx.crossed),
        },
        "indicators": [
            {
                "id": s.id,
                "direction": s.direction,
                "status_mean": _r(s.status.mean) if s.status else None,
                "status_sd": _r(s.status.sd) if s.status else None,
                "change_mean": _r(s.change.mean) if s.change else None,
                "change_sd": _r(s.change.sd) if s.change else None,
                "counts_published": s.counts_published,
            }
            for s in idx.indicators
        ],
        "gebiet": page.kreis,  # None: the home region's Kommunen
        "count": len(idx.areas),
        "data": [
            {
                "ags": a.ags,
                "name": a.name,
                "status_z": {k: _r(v) for k, v in a.status_z.items()},
                "dynamics_z": {k: _r(v) for k, v in a.dynamics_z.items()},
                "status_index": _r(a.status_index),
                "status_score": _r(a.status_score),
                "status_class": a.status_class,
                "dynamics_index": _r(a.dynamics_index),
                "dynamics_score": _r(a.dynamics_score),
                "dynamics_class": a.dynamics_class,
                "group": a.group,
                "attention": a.attention,
                "class_without": dict(a.leave_one_out),
                "class_unstable": a.class_unstable,
                "status_z_interval": {
                    k: None if v is None else [_r(v[0]), _r(v[1])]
                    for k, v in a.status_z_interval.items()
                },
                "z_significant": dict(a.z_significant),
                "class_not_significant": a.class_not_significant,
                # the dynamics z-scores' intervals from both years' counts (null: not checkable)
                "dynamics_z_interval": {
                    k: None if v is None else [_r(v[0]), _r(v[1])]
                    for k, v in a.dynamics_z_interval.items()
                },
                "dynamics_z_significant": dict(a.dynamics_z_significant),
                "dynamics_not_significant": a.dynamics_not_significant,
                "few_cases": list(a.few_cases),
                "missing": [
                    {"indicator": g.indicator, "year": g.year, "suppressed": g.suppressed}
                    for g in dict.fromkeys((*a.status_gaps, *a.dynamics_gaps))
                ],
            }
            for a in idx.areas
        ],
    }
