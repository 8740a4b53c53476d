"""A territory map's colours, legend, paged table and template variables, and its page (rendered
for /karte and /embed/karte; repainted by /karte/farben; drawn by the image export)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
from flask import Response, make_response, render_template, request, url_for

from app.pages.data import figure_texts
from app.pages.data.cite import absolute, map_view_cite
from app.pages.data.gebiet_areas import (
    AreaFacts,
    gemeinden_missing_cached,
    scope_facts,
    script_json,
    territories_cached,
)
from app.pages.data.gebiet_state import (
    benchmark_label,
    ebene_label,
    gebiet_link,
    indicators_here,
    state,
)
from app.render.formatting import FLAG_TEXT, fmt_cell, fmt_value
from app.web import args
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.home import home_ags
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from app.web.i18n import localized
from app.web.urls import area_url
from geodata.levels import BUND_AGS
from geodata.model import Area
from indicators import classify, gebiet_benchmark
from indicators.gebiet_benchmark import territory_verdicts
from indicators.gebiet_queries import (
    EBENEN,
    EBENEN_IN,
    ScopeAreas,
    scope_values_and_own,
)
from indicators.queries import (
    ReleaseRef,
    indicator_sources,
    shown_provenance,
    topics_with_indicators,
)
from indicators.stats import verdict_for

PAGE_SIZE = 100


def page_rule() -> str:
    """app.web.urls.area_url for the map's script (a click on an area opens its page): the home
    Kreis's key and the two pages' paths without the key."""
    home = home_ags()
    return script_json(
        {
            "home": home,
            "kommune": area_url(home).removesuffix(home),
            "gebiet": area_url(BUND_AGS).removesuffix(BUND_AGS),
        }
    )


def _profile_href(r: dict) -> str:
    return area_url(r["ags"])  # the one rule (app.web.urls)


def rounded_texts(present: list[float], decimals: int) -> str | None:
    """The text "\\n".join(f"{v:,.{decimals}f}" for v in present), each distinct one formatted once
    (None: not done here, for the caller's own formatting).

    A Germany map's 11,000 values are mostly distinct, but rounded to the indicator's
    decimals a few hundred (issue #32: formatting each took ~6 ms). Python's format prints the
    exactly rounded decimal of the double; numpy's rint(v·10^d) is that same integer unless
    the product's own rounding (at most half a unit in its last place) could cross a half:
    those values, and any non-finite or too large one, are formatted one by one as before.
    The integer's text is Python's (`{:,}` groups as format does, the sign kept on a zero
    as format keeps it: "-0.0")."""
    if decimals < 0 or not present:
        return None
    x = np.array(present, dtype=float)
    p = x * float(10**decimals)
    if not np.isfinite(p).all() or float(np.abs(p).max()) >= 2.0**52:
        return None
    n = np.rint(p)
    unsure = np.abs(np.abs(p - np.trunc(p)) - 0.5) <= np.abs(p) * 2.0**-50
    key = np.abs(n).astype(np.int64) * 2 + np.signbit(x)  # magnitude and sign, one integer
    key[unsure] = -1 - np.flatnonzero(unsure)  # each its own, formatted from its value
    distinct, where = np.unique(key, return_inverse=True)
    scale = 10**decimals
    texts = []
    for k in distinct.tolist():
        if k < 0:
            texts.append(f"{present[-1 - k]:,.{decimals}f}")
            continue
        whole, part = divmod(k >> 1, scale)
        sign = "-" if k & 1 else ""
        texts.append(f"{sign}{whole:,}.{part:0{decimals}d}" if decimals else f"{sign}{whole:,}")
    return "\n".join(np.array(texts, dtype=object)[where].tolist())


def fast_labels(values: list[float | None], decimals: int, unit: str) -> list[str | None]:
    """fmt_value for thousands of values at once (None stays None): Python's format per value,
    the locale's separators swapped in one pass over all of them."""
    sample = fmt_value(1000.5, 1, "")  # "1.000,5" in German, "1,000.5" in English
    table = str.maketrans({",": sample[1], ".": sample[-2]})
    suffix = f" {unit}" if unit and unit not in ("Anzahl", "Personen") else ""
    fmt = f"{{:,.{max(decimals, 0)}f}}".format
    present = [v for v in values if v is not None]
    if decimals < 0:
        present = [round(v, decimals) for v in present]
    texts = rounded_texts(present, decimals)
    if texts is None:
        texts = "\n".join(map(fmt, present)) if present else None
    texts = texts.translate(table).split("\n") if texts is not None else []
    if suffix:
        texts = [t + suffix for t in texts]
    if len(texts) == len(values):  # every area has a value
        every: list[str | None] = list(texts)
        return every
    # Put in place by numpy (the areas without a value stay None), not one step per area.
    at = np.flatnonzero(~np.isnan(np.array(values, dtype=float)))
    if len(at) != len(texts):  # a NaN among the values (formatted, not None): step by step
        done = iter(texts)
        return [None if v is None else next(done) for v in values]
    out = np.full(len(values), None, dtype=object)
    out[at] = texts
    placed: list[str | None] = out.tolist()
    return placed


def rank_array(x: np.ndarray) -> np.ndarray:
    """Competition ranks of the values x (NaN: none) as integers, 0 where x is NaN: rank 1 =
    highest value, ties share the best rank ("1224")."""
    present = ~np.isnan(x)
    neg = np.sort(-x[present])
    return np.where(present, np.searchsorted(neg, -x, side="left") + 1, 0)


def scope_areas_cached(territory: Area, ebene: str) -> ScopeAreas:
    """The areas of the level in the territory, read once per version of the areas
    (app.pages.data.gebiet_areas)."""
    return scope_facts(territory, ebene).areas


def colour_map(st: dict) -> dict:
    """Values, classes, labels, ranks and legend of every area (lists in the areas' order)."""
    conn = get_conn()
    ind, year, rel = st["indicator"], st["year"], st["release"]
    facts = scope_facts(st["territory"], st["ebene"])
    areas = facts.areas
    ref = st.get("ref", rel.id)  # a cited map (`stand`): the values of its pinned releases
    # The territory's own value with them (for the layered values one kept statement).
    sv, own = scope_values_and_own(conn, ind.id, year, st["territory"], st["ebene"], ref, areas)
    own_value = None if own is None or own["suppressed"] else own["value"]
    scheme = st["scheme"] if own_value is not None else "sequenziell"
    values = [None if s else v for v, s in zip(sv.value, sv.suppressed, strict=True)]
    classes = classify.classify(values, st["method"], scheme, ind.polarity, own_value)
    decimals, unit = ind.decimals, ind.unit
    no_data = _("keine Daten")
    used = {sv.releases[r] for r in set(sv.release) if r is not None}
    if own and own["release_label"]:
        used.add((own["release_label"], own["synthetic"]))
    synthetic = any(syn for _lab, syn in used)
    mixed = synthetic and any(not syn for _lab, syn in used)
    withheld = fmt_cell(None, True)
    flags = {f: fmt_cell(None, False, f) for f in FLAG_TEXT}
    x = np.array(values, dtype=float)  # None → NaN
    labels = fast_labels(values, decimals, unit)
    for i in np.flatnonzero(np.isnan(x)).tolist():  # no value: withheld, a sign or none
        labels[i] = withheld if sv.suppressed[i] else flags.get(sv.flag[i], no_data)
    rank_np = rank_array(x)
    ranks = [r or None for r in rank_np.tolist()]
    legend = classify.legend_entries(
        classes, lambda v, with_unit: fmt_value(v, decimals, unit if with_unit else ""), no_data
    )
    labels_shown = {lab for lab, _syn in used}
    label_by = {r: lab for r, (lab, _syn) in sv.releases.items()}
    synthetic_by = {r: syn for r, (_lab, syn) in sv.releases.items()}
    provenance = shown_provenance(indicator_sources(conn, [ind.id]).get(ind.id, {}), labels_shown)
    bench = None
    if st.get("vergleich"):  # colours by verdict against the chosen benchmark
        bench = verdict_colours(st, areas, labels, ref)
        classes, legend = bench["classes"], bench["legend"]
        labels_shown |= bench["release_labels"]
    return {
        "areas": areas,
        "facts": facts,
        "values": values,
        "labels": labels,
        "ranks": ranks,
        "rank_array": rank_np,  # the ranks as integers, 0: no value (the table's order)
        # One lookup per area in a table with "no release" in it (11,000 areas).
        "synthetic_of": list(map({None: None, **synthetic_by}.__getitem__, sv.release)),
        "release_of": list(map({None: None, **label_by}.__getitem__, sv.release)),
        "release_labels": sorted(labels_shown),
        "classes": classes,
        "legend": legend,
        "scheme": scheme,
        "own_label": fmt_value(own_value, decimals, unit) if own_value is not None else no_data,
        "own_synthetic": bool(own["synthetic"]) if own_value is not None else None,
        "own_value": own_value,
        "own_release": own["release_label"] if own_value is not None else None,
        "synthetic": synthetic,
        "mixed": mixed,
        "provenance": provenance,
        "bench": bench,
    }


# Why a verdict is "nicht bewertbar", in the map's words (indicators.stats' reason codes).
REASON_SHORT = {
    "no_counts": _l("keine Fallzahlen"),
    "missing": _l("kein Wert"),
    "suppressed": _l("geheim"),
    "no_benchmark": _l("kein Wert des Vergleichsgebiets"),
    "mixed_synthetic": _l("Beispieldaten gegen amtlichen Wert"),
    "zero_denominator": _l("Nenner 0"),
    "invalid_counts": _l("Fallzahlen passen nicht zusammen"),
}


def verdict_text(category: str, reason: str | None, name: str) -> str:
    """The legend's, table's and tooltip's words for a verdict against the benchmark `name`."""
    if category == "above":
        return _("signifikant über %(b)s", b=name)
    if category == "below":
        return _("signifikant unter %(b)s", b=name)
    if category == "within":
        return _("nicht signifikant verschieden von %(b)s", b=name)
    why = REASON_SHORT.get(reason or "")
    return _("nicht bewertbar (%(r)s)", r=why if why is not None else _("nicht berechenbar"))


MAX_LISTED = 20  # benchmark rows listed in the legend; more: a link to their own map


def verdict_colours(st: dict, areas: ScopeAreas, labels: list[str], ref: ReleaseRef) -> dict:
    """The areas' verdicts against the chosen benchmark as the map's classes (one per category
    and, for "nicht bewertbar", per reason: each says why), legend rows, table texts and the
    benchmark rows used (value and source)."""
    ind, choice = st["indicator"], st["vergleich"]
    tv = territory_verdicts(get_conn(), ind, st["year"], areas.ags, choice, ref)
    keys: list[tuple[str, str | None]] = []  # (category, reason) per class, legend order
    for cat in gebiet_benchmark.CATEGORIES:
        for v in tv.verdicts:
            key = (cat, v.result.reason if cat == "not_assessable" else None)
            if v.category == cat and key not in keys:
                keys.append(key)
    if not keys:
        keys.append(("not_assessable", "missing"))
    keys.sort(key=lambda k: (gebiet_benchmark.CATEGORIES.index(k[0]), k[1] or ""))
    index = {k: i for i, k in enumerate(keys)}
    # The category's colour: the app's verdict palette (better/worse by polarity, neutral
    # indicators purple/orange), grey for "nicht bewertbar".
    polar = {
        "above": verdict_for("above", ind.polarity),
        "below": verdict_for("below", ind.polarity),
        "within": "similar",
        "not_assessable": "not_assessable",
    }
    colors = [classify.VERDICT_COLOURS[polar[c]] for c, _r in keys]
    assignment: list[int | None] = [
        index[(v.category, v.result.reason if v.category == "not_assessable" else None)]
        for v in tv.verdicts
    ]
    counts = [assignment.count(i) for i in range(len(keys))]
    refs = tv.references
    names = {k: r.name for k, r in refs.items()}
    single = len(refs) == 1  # one benchmark (a Kreis' Gemeinden against their Kreis, …)
    generic = {
        "kreis": _("dem eigenen Kreis"),
        "land": _("dem eigenen Land"),
        "bund": _("Deutschland"),
    }[choice]
    bench_name = next(iter(names.values())) if single else generic
    # One translated text per (verdict, reason, benchmark), not per area (11,000 Gemeinden).
    said: dict[tuple[str, str | None, str], str] = {}
    texts = []
    for v in tv.verdicts:
        key = (v.category, v.result.reason, v.reference)
        if key not in said:
            said[key] = verdict_text(key[0], key[1], names.get(v.reference, v.reference))
        texts.append(said[key])
    legend = [
        {"color": colour, "label": verdict_text(cat, reason, bench_name), "count": n}
        for (cat, reason), colour, n in zip(keys, colors, counts, strict=True)
    ]
    decimals, unit = ind.decimals, ind.unit
    ref_rows = [
        {
            "ags": r.ags,
            "name": r.name,
            "label": fmt_value(r.value, decimals, unit) if r.value is not None else _("kein Wert"),
            "release": r.release_label,
            "synthetic": r.synthetic,
        }
        for r in sorted(refs.values(), key=lambda r: r.ags)
    ]
    # Many benchmarks (a Land's Gemeinden against their Kreise): their values are a map of
    # their own; the legend links it instead of listing dozens of rows.
    many = len(ref_rows) > MAX_LISTED
    t = st["territory"]
    return {
        "choice": choice,
        "name": bench_name,
        "many": many,
        "level_url": gebiet_link(gebiet=t.ags, ebene=choice, indikator=ind.id, jahr=st["year"])
        if many
        else None,
        "classes": classify.Classes(
            method="vergleich",
            scheme="vergleich",
            colors=colors,
            counts=counts,
            assignment=assignment,
        ),
        "legend": legend,
        "texts": texts,
        "tips": [f"{lab}; {t}" for lab, t in zip(labels, texts, strict=True)],
        "references": ref_rows,
        "release_labels": {r.release_label for r in refs.values() if r.release_label},
    }


def _page_order(cm: dict, lo: int, hi: int) -> list[int]:
    """The areas at places lo … hi-1 of the table's order: by rank, areas without a value
    (rank 0) last, then by name (ties: key). One integer per area orders them all (rank and
    name place are below n); only the page's places are sorted (11,000 areas, 100 shown)."""
    if hi <= lo:
        return []
    rank, place = cm["rank_array"], cm["facts"].name_place
    n = len(place)
    key = np.where(rank == 0, n + 1, rank).astype(np.int64) * n + place
    near = np.argpartition(key, [lo, hi - 1])[lo:hi] if hi - lo < n else np.arange(n)
    order: list[int] = near[np.argsort(key[near])].tolist()
    return order


def _table_page(cm: dict, page: int) -> tuple[list[dict], int]:
    """The rows of one page of the table (by rank, then name); only these become dicts."""
    areas, ranks = cm["areas"], cm["ranks"]
    n = len(areas.ags)
    pages = max(1, -(-n // PAGE_SIZE))
    if page > pages:
        raise BadRequestWithChoices(
            404,
            _("Die Tabelle hat nur %(n)s Seiten.", n=pages),
            [
                (gebiet_link(**dict(request.args.items(), seite=p)), str(p))
                for p in range(1, min(pages, 20) + 1)
            ],
        )
    part = []
    for i in _page_order(cm, (page - 1) * PAGE_SIZE, min(page * PAGE_SIZE, n)):
        r = {
            "ags": areas.ags[i],
            "name": areas.names[i],
            "level": areas.levels[i],
            "rank": ranks[i],
            "k": cm["classes"].assignment[i],
            "label": cm["labels"][i],
            "synthetic": cm["synthetic_of"][i],
            "verdict": cm["bench"]["texts"][i] if cm["bench"] else None,
        }
        r["href"] = _profile_href(r)
        part.append(r)
    return part, pages


_CLASS_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"
_CLASS_OF: dict[int | None, str] = {None: ".", **dict(enumerate(_CLASS_CHARS))}


def areas_data(cm: dict, names: bool) -> dict:
    """Colours of the canvas, aligned with the areas' order (AGS ascending) instead of keyed:
    one character per area for its class ('.' no data) and its label for the tooltip. The page
    also carries the keys and names; a repaint sends only what changes (~25 KB brotli for
    11,000 areas instead of ~60 KB with every key and name again)."""
    areas, facts = cm["areas"], cm["facts"]
    data = {
        "colors": cm["classes"].colors,
        "none": classify.NO_DATA_COLOR,
        "order": facts.order,
        "k": "".join(map(_CLASS_OF.__getitem__, cm["classes"].assignment)),
        "labels": cm["bench"]["tips"] if cm["bench"] else cm["labels"],
    }
    if names:
        data["ags"] = areas.ags
        data["names"] = areas.names
    return data


def areas_json(cm: dict) -> str:
    """script_json(areas_data(cm, names=True)), the keys and names serialised once per version
    of the areas (AreaFacts) and joined to the rest: the same text."""
    facts: AreaFacts = cm["facts"]
    head = script_json(areas_data(cm, names=False))
    return f'{head[:-1]},"ags":{facts.ags_json},"names":{facts.names_json}}}'


def gebiet_context(st: dict, cm: dict, embed: bool, with_areas: bool = True) -> dict:
    page = args.integer("seite", args.without("seite"), lo=1) or 1
    table_rows, pages = _table_page(cm, page)
    p = st["params"]
    t = st["territory"]
    ctx = dict(
        st,
        **cm,
        ind=st["indicator"],
        table_rows=table_rows,
        page=page,
        pages=pages,
        n_areas=len(cm["areas"].ags),
        figure_text=figure_texts.gebiet_map(st, cm),  # beside the image links, in the image
        ebene_label=ebene_label(st["ebene"]),
        link=lambda **kw: gebiet_link(**dict(p, **kw)),
        embed_url=gebiet_link("maps.embed", **p),
        full_url=gebiet_link(**p),
        shapes_url=url_for("gebiet_karte.umrisse", gebiet=t.ags, ebene=st["ebene"]),
        colours_url=url_for("gebiet_karte.farben"),
        areas_json=areas_json(cm) if with_areas else None,
        bounds=json.dumps(t.bounds),
        page_rule=page_rule(),
        territory_choices=territories_cached(),
        ebenen=EBENEN_IN[t.level],
        ebene_labels={e: ebene_label(e) for e in EBENEN},
        benchmark_labels={c: benchmark_label(c) for c in gebiet_benchmark.CHOICES},
        embed=embed,
        gemeinden_missing=gemeinden_missing_cached(t, st["ebene"]),
    )
    ctx.update(gebiet_cite(st, cm))
    return ctx


def gebiet_cite(st: dict, cm: dict) -> dict:
    """A territory map's "Zitieren": pinned to the releases it shows for the indicator at its
    level (any year) and for the territory itself; the permalink, the data links (pinned too),
    the pinned note. A named release pins by itself; more releases than a pin may hold leave
    the map cited by its own URL (never pinned in half)."""
    ind, t = st["indicator"], st["territory"]
    title = _(
        "%(name)s %(year)s – Karte: %(area)s, %(level)s",
        name=localized(ind, "name"),
        year=st["year"],
        area=t.name,
        level=ebene_label(st["ebene"]),
    )
    out = map_view_cite(
        st,
        {k: v for k, v in st["params"].items() if k != "stand"},
        gebiet_link,
        "maps.daten",
        title,
        cm["release_labels"],
        cm["provenance"],
        bool(cm["synthetic"]),
    )
    out["pinned_embed"] = absolute(gebiet_link("maps.embed", **out.pop("pinned_state")))
    return out


def render(embed: bool) -> Response:
    """The territory map page (or its embeddable twin)."""
    st = state()
    conn = get_conn()
    t = st["territory"]
    st["have"] = indicators_here(t, st["ebene"], st["release_param"])
    st["topics"] = topics_with_indicators(conn)
    cm = colour_map(st)
    if st["release"].id is None:  # layered: name the releases whose values are shown
        st["release"] = replace(st["release"], label=" + ".join(cm["release_labels"]))
    html = render_template(
        "karte_gebiet_embed.html" if embed else "karte_gebiet.html", **gebiet_context(st, cm, embed)
    )
    response = make_response(html)
    if st["release"].status == "draft":
        response.cache_control.no_store = True
    return response
