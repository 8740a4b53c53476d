"""The disparities pages' data as downloads (issue #29 "every view's data one click away"):
the overview's ranking (same indicators, period, measure, order and intervals; the indicators
not assessable after it), one indicator's benchmarks against the Region and its spreads per
year — each with the view's citation."""

from __future__ import annotations

from typing import Any

from app.pages.data.cite import absolute, page_citation, pin_note, view_data_links
from app.pages.data.map_page import sources
from app.pages.data.profile_tables import flag_or_num
from app.pages.data.series_breaks import break_text
from app.render import sentences
from app.render.formatting import unit_label
from app.web.db import get_conn
from app.web.downloads import SYNTHETIC_MARK, SYNTHETIC_NOTE, Num, Table
from app.web.i18n import current_lang, localized
from app.web.i18n import gettext as _
from app.web.urls import url_for
from indicators import pinning
from indicators.disparities import detail_release_ids, kommune_keys
from indicators.queries import shown_provenance

# ?tabelle= of the detail page's downloads: the benchmarks (default) or the spreads per year.
SPREADS = "streuung"


def _lang(state: dict[str, Any]) -> dict[str, Any]:
    return {**state, "lang": "en"} if current_lang() == "en" else state


def _pin(
    endpoint: str,
    state: dict[str, Any],
    pinned: tuple[int, ...] | None,
    live: tuple[int, ...],
    shown: tuple[int, ...],
) -> dict[str, Any]:
    """The pinned state of a disparities view (its permalink's and data links' parameters),
    the ids it cites and its pinned note. A live view is pinned to the releases it shows;
    more than a pin may hold: cited by its own URL (never pinned in half)."""
    cite_ids = pinned or live
    if len(cite_ids) > pinning.MAX_IDS:
        cite_ids = ()
    pinned_state = {**state, pinning.PARAM: pinning.format_ids(cite_ids)} if cite_ids else state
    return dict(
        cite_ids=cite_ids,
        pinned_state=pinned_state,
        # the links of a pinned page that show the same data (years, period, detail, images)
        pin_args={pinning.PARAM: pinning.format_ids(pinned)} if pinned else {},
        **pin_note(pinned, shown, live, url_for(endpoint, **state)),
    )


def _labels(release: dict | None) -> list[str]:
    """The labels of an overview row's releases ("A + B" in the spread table)."""
    return [x.strip() for x in (release or {}).get("label", "").split(" + ") if x.strip()]


def detail_pin(
    endpoint: str, state: dict[str, Any], indicator_id: str, pinned: tuple[int, ...] | None
) -> dict[str, Any]:
    """The pin of one indicator's disparities view (detail, cluster map): the releases of its
    values of the Kommunen and the Region and of the population (the spreads' weights)."""
    live = detail_release_ids(get_conn(), indicator_id, None)
    shown = detail_release_ids(get_conn(), indicator_id, pinned) if pinned else live
    return _pin(endpoint, _lang(state), pinned, live, shown)


def overview_cite(data: dict[str, Any], pinned: tuple[int, ...] | None = None) -> dict[str, Any]:
    """The overview's citation, data links and (pinned) note. Its URL names the period and
    measure (the default period moves with the data, a cited ranking must not) and the
    releases of the Kommunen's values (`stand`: every release with a value of a Kommune, the
    ranking reads every indicator, the population weighs them)."""
    state = _lang({"von": data["start"], "bis": data["end"], "mass": data["measure"]})
    conn, kommunen = get_conn(), kommune_keys(get_conn())
    live = pinning.page_release_ids(conn, kommunen, None, notes=False)
    shown = pinning.page_release_ids(conn, kommunen, pinned, notes=False) if pinned else live
    pin = _pin("disparities.index", state, pinned, live, shown)
    title = _(
        "Kennzahlen nach Veränderung der Streuung %(start)s–%(end)s (%(measure)s)",
        start=data["start"],
        end=data["end"],
        measure=sentences.MEASURE_LABELS[data["measure"]],
    )
    items = data["rows"] + data["not_assessable"]
    labels = sorted({lab for r in items for lab in _labels(r["release"])})
    # One source per source text: the table codes of ~100 indicators would make a citation
    # line nobody can quote; each row of the file names its own codes.
    provenance = {
        p["source"]: {"source": p["source"], "tables": "", "release": p["release"]}
        for r in items
        for p in shown_provenance(sources(r["indicator"].id), _labels(r["release"]))
    }
    cite = page_citation(
        title,
        absolute(url_for("disparities.index", **pin["pinned_state"])),
        labels,
        provenance.values(),
        pin["cite_ids"],
        synthetic=bool(data["synthetic"]),
    )
    return dict(
        cite=cite,
        permalink=cite.url,
        data_links=view_data_links("disparities.index", pin["pinned_state"]),
        pin_args=pin["pin_args"],
        pinned=pin["pinned"],
        newer=pin["newer"],
        current_url=pin["current_url"],
    )


def _mark(synthetic: bool) -> str:
    return SYNTHETIC_MARK if synthetic else ""


def _tables(r: dict[str, Any]) -> str:
    """The table codes of a row's shown releases."""
    provenance = shown_provenance(sources(r["indicator"].id), _labels(r["release"]))
    return ", ".join(dict.fromkeys(p["tables"] for p in provenance if p["tables"]))


def _not_assessable_reason(r: dict[str, Any]) -> str:
    """The reason as the page's list gives it."""
    if r.get("series_break"):
        return str(break_text(r["series_break"]))
    text = sentences.reason_text(r["reason"])
    if r.get("reason_year"):
        text += f" ({r['reason_year']}"
        if r["reason"] == "no_year":
            text += "; " + _("Werte ab %(y)s", y=r["first"])
        text += ")"
    return text


def overview_table(data: dict[str, Any], cite: Any) -> Table:
    """The ranking by the change of the spread (rank 1 first), then the indicators that cannot
    be assessed for the period (no rank, their reason in "Ergebnis")."""
    start, end = data["start"], data["end"]
    cols = [
        _("Rang"),
        _("Kennzahl"),
        _("Kennzahl-ID"),
        _("Einheit"),
        str(start),
        str(end),
        _("Veränderung") + " (%)",
        _("untere Grenze") + " (%)",
        _("obere Grenze") + " (%)",
        _("Ergebnis"),
        _("Datenstand"),
        _("Tabellen"),
        _("Beispieldaten"),
    ]
    rows: list[list] = []
    for rank, r in enumerate(data["rows"], 1):
        iv = r.get("interval")
        rel = r.get("relative")
        rows.append(
            [
                rank,
                localized(r["indicator"], "name"),
                r["indicator"].id,
                unit_label(r["indicator"].unit),
                Num(r["start_value"], 3),
                Num(r["end_value"], 3),
                Num(rel * 100 if rel is not None else None, 1),
                Num(iv.lower * 100, 1) if iv else None,
                Num(iv.upper * 100, 1) if iv else None,
                str(sentences.SPREAD_VERDICTS[iv.verdict]) if iv else _("nicht bewertbar"),
                (r["release"] or {}).get("label", ""),
                _tables(r),
                _mark(r["synthetic"]),
            ]
        )
    for r in data["not_assessable"]:
        rows.append(
            [
                None,
                localized(r["indicator"], "name"),
                r["indicator"].id,
                unit_label(r["indicator"].unit),
                Num(r.get("start_value"), 3),
                Num(r.get("end_value"), 3),
                None,
                None,
                None,
                _("nicht bewertbar") + ": " + _not_assessable_reason(r),
                (r["release"] or {}).get("label", ""),
                _tables(r),
                _mark(r["synthetic"]),
            ]
        )
    header = [cite.title]
    if data["synthetic"]:
        header.append(SYNTHETIC_NOTE)
    name = f"disparitaeten_{data['measure']}_{start}_{end}"
    return Table(name, cols, rows, header, citation=cite)


def detail_cite(data: dict[str, Any]) -> dict[str, Any]:
    """One indicator's citation (its benchmarks in the chosen year), the data links of its
    two tables: the benchmarks and (`tabelle=streuung`) the spreads per year, and (pinned)
    its note. Pinned to the releases of the indicator's values of the Kommunen and the Region
    and of the population (the spreads' weights)."""
    ind, release = data["indicator"], data["release"]
    state = _lang({"indicator_id": ind.id, "jahr": data["year"]})
    pin = detail_pin("disparities.detail", state, ind.id, data.get("pinned_ids"))
    pinned_state = pin["pinned_state"]
    title = _(
        "%(name)s: Disparitäten zwischen den Kommunen, %(y)s",
        name=localized(ind, "name"),
        y=data["year"],
    )
    cite = page_citation(
        title,
        absolute(url_for("disparities.detail", **pinned_state)),
        release.releases or (release.label,),
        shown_provenance(sources(ind.id), release.releases or (release.label,)),
        pin["cite_ids"],
        synthetic=bool(release.synthetic),
        issued=release.published_at,
    )
    return dict(
        cite=cite,
        permalink=cite.url,
        data_links=view_data_links("disparities.detail", pinned_state),
        spread_links=view_data_links("disparities.detail", {**pinned_state, "tabelle": SPREADS}),
        pin_args=pin["pin_args"],
        pinned=pin["pinned"],
        newer=pin["newer"],
        current_url=pin["current_url"],
    )


def cluster_cite(data: dict[str, Any]) -> dict[str, Any]:
    """The cluster map's citation (Moran's I and LISA of one indicator in the chosen year),
    its citation downloads (BibTeX, CSL-JSON) and (pinned) note: pinned as the detail page,
    to the releases of the indicator's values of the Kommunen and the Region and of the
    population (`detail_pin`)."""
    ind, release = data["indicator"], data["release"]
    state = _lang({"indicator_id": ind.id, "jahr": data["year"]})
    pin = detail_pin("disparities.clusters", state, ind.id, data.get("pinned_ids"))
    pinned_state = pin["pinned_state"]
    title = f"{_('Räumliche Cluster')}: {localized(ind, 'name')} {data['year']}"
    labels = release.releases or (release.label,)
    cite = page_citation(
        title,
        absolute(url_for("disparities.clusters", **pinned_state)),
        labels,
        shown_provenance(sources(ind.id), labels),
        pin["cite_ids"],
        boundaries=True,
        synthetic=bool(release.synthetic),
        issued=release.published_at,
    )
    return dict(
        cite=cite,
        permalink=cite.url,
        data_links=view_data_links("disparities.clusters", pinned_state),
        pin_args=pin["pin_args"],
        pinned=pin["pinned"],
        newer=pin["newer"],
        current_url=pin["current_url"],
    )


def benchmark_table(data: dict[str, Any], cite: Any) -> Table:
    """The page's table "Kommunen im Vergleich mit der Region": value, interval, verdict and
    sentence per Kommune; the Region's value last."""
    ind, dec, year = data["indicator"], data["indicator"].decimals, data["year"]
    synthetic = bool(data["release"].synthetic)
    cols = [
        _("Kommune"),
        "AGS",
        f"{localized(ind, 'name')} ({unit_label(ind.unit)})",
        _("untere Grenze"),
        _("obere Grenze"),
        _("Urteil"),
        _("Aussage"),
        _("Jahr"),
        _("Datenstand"),
        _("Beispieldaten"),
    ]
    rows: list[list] = []
    for b in data["benchmarks"]:
        bm = b.benchmark
        value = flag_or_num(b.value, b.flag, dec) if not b.suppressed else _("geheim")
        rows.append(
            [
                b.name,
                b.ags,
                value,
                Num(bm.get("lower"), dec + 1) if bm.get("lower") is not None else None,
                Num(bm.get("upper"), dec + 1) if bm.get("upper") is not None else None,
                str(sentences.VERDICT_LABELS[bm["verdict"]]),
                sentences.benchmark_sentence(b.name, ind, b.value, b.region_value, bm),
                year,
                b.release_label or "",
                _mark(synthetic),
            ]
        )
    region_value = data["benchmarks"][0].region_value if data["benchmarks"] else None
    rows.append(
        [
            _("Regionswert"),
            "",
            Num(region_value, dec),
            None,
            None,
            _("Bezugswert"),
            "",
            year,
            data["release"].label,
            _mark(synthetic),
        ]
    )
    header = [cite.title]
    if synthetic:
        header.append(SYNTHETIC_NOTE)
    return Table(f"disparitaeten_{ind.id}_{year}", cols, rows, header, citation=cite)


def _weights(row: dict[str, Any], synthetic: bool) -> str:
    """The page's column "Gewichte / Hinweis"."""
    out = ""
    if row.get("weights") == "denominator":
        out = _("Nenner")
    elif row.get("weights") == "population":
        out = _("Einwohnerzahl") + (f" ({_('Beispieldaten')})" if synthetic else "")
    sp = row["spread"]
    if sp is not None and sp.reason:
        out += f" {_('teilweise nicht bewertbar')}: {sentences.reason_text(sp.reason)}"
    if sp is None:
        out = _("nicht bewertbar") + ": " + sentences.reason_text(row.get("reason"))
        if row.get("missing"):
            out += f" ({_('%(n)s fehlen', n=row['missing'])})"
    return out.strip()


def spreads_table(data: dict[str, Any], cite: Any) -> Table:
    """The page's table "Streuungsmaße je Jahr" (the decimals shown there)."""
    ind = data["indicator"]
    synthetic = bool(data["release"].synthetic)
    cols = [
        _("Jahr"),
        f"{_('Spannweite')} ({unit_label(ind.unit)})",
        _("Max/Min"),
        _("VK"),
        _("VK gewichtet"),
        _("Theil"),
        _("Gini"),
        _("Gewichte / Hinweis"),
        _("Beispieldaten"),
    ]
    rows: list[list] = []
    for row in data["spreads"]:
        sp = row["spread"]

        def num(key: str, dec: int, sp: Any = sp) -> Num | None:
            return Num(getattr(sp, key), dec) if sp is not None else None

        rows.append(
            [
                row["year"],
                num("range", ind.decimals),
                num("ratio", 2),
                num("cv", 3),
                num("cv_weighted", 3),
                num("theil", 4),
                num("gini", 3),
                _weights(row, synthetic),
                _mark(synthetic),
            ]
        )
    header = [_("Streuungsmaße je Jahr") + f": {localized(ind, 'name')}", cite.title]
    if synthetic:
        header.append(SYNTHETIC_NOTE)
    return Table(f"disparitaeten_{ind.id}_streuung", cols, rows, header, citation=cite)
