"""API views: check the query, answer 304 if current, call the query, serialise."""

from __future__ import annotations

import json
from collections.abc import Iterable

from flask import Blueprint, Response, request, url_for
from sqlalchemy import Connection

from app.api import envelope, formats, metadata, openapi, params
from app.pages.data.notes import public_notes
from app.pages.data.series_breaks import all_breaks
from app.render.findings import finding_sentence
from app.render.sentences import benchmark_sentence
from app.web.cache import Region
from app.web.db import get_conn
from app.web.home import home_ags
from app.web.http_cache import data_version_now
from app.web.problems import ApiProblem
from app.web.urls import area_urls
from geodata.queries import feature_collection
from indicators import api_queries as q
from indicators.benchmarks import DEFAULT as DEFAULT_BENCHMARK
from indicators.benchmarks import comparator
from indicators.catalogue import export_fields
from indicators.classify import quantile_breaks
from indicators.findings import Finding, difference_claim
from indicators.model import Release
from indicators.notes import note_fields, notes_text
from indicators.queries import get_indicator, release_for
from indicators.units import COUNT_UNITS

bp = Blueprint("api", __name__, url_prefix="/api/v1")

INDICATOR_FIELDS = list(export_fields())
VALUE_FIELDS = list(openapi.SCHEMAS["Value"]["properties"])
RELEASE_FIELDS = list(openapi.SCHEMAS["Release"]["properties"])


_STATE = Region("api_state")


class Ctx:
    """What every API view needs first: checked parameters, named release, data state.

    by_id: `release` is an id read as the pages read it (drafts for editors, see
    params.page_release) instead of an id or label of a published or withdrawn release.
    """

    def __init__(self, path: str, by_id: bool = False):
        self.args = params.query(path)
        ref = self.args.get("release")
        if by_id:
            rest = {k: v for k, v in self.args.items() if k != "release"}
            newest = url_for(request.endpoint, **rest)
            self.release = params.page_release(self.conn, ref, newest)
        else:
            self.release = params.release(self.conn, ref) if ref is not None else None
        version = data_version_now()
        # Releases by id, read once per data version: a cached answer needs no database at all.
        state = _STATE.get_or_build(version, lambda: q.api_state(self.conn))
        self.state = {"version": version, "releases": dict(state["releases"])}
        if self.release is not None:  # a withdrawn release, named explicitly, is involved too
            self.state["releases"].setdefault(self.release.id, self.release)
        self.tag = envelope.etag(self.state["version"])

    @property
    def conn(self) -> Connection:
        """The request's database connection, opened only when a query needs it."""
        return get_conn()

    def releases(self, ids: set[int] | None = None) -> list[Release]:
        """The releases involved (all published ones when ids is None), newest first."""
        rels: Iterable[Release] = self.state["releases"].values()
        chosen = [r for r in rels if ids is None or r.id in ids]
        # A draft (an editor's, named by id) has no publication date yet: listed last.
        return sorted(
            chosen,
            key=lambda r: (r.published_at is not None, r.published_at or 0, r.id),
            reverse=True,
        )

    def unchanged(self) -> Response | None:
        """304 when the client's copy is current (checked before the expensive query)."""
        return envelope.not_modified_response(self.tag, envelope.newest(self.releases()))

    def respond(self, resp: Response, involved: list[Release]) -> Response:
        """Attach caching headers; Last-Modified from the involved (else any) release."""
        last = envelope.newest(involved) or envelope.newest(self.releases())
        return envelope.cacheable(resp, self.tag, last)


def area_links(keys: Iterable[str]) -> dict[str, str]:
    """AGS → the absolute URL of the page each area of an answer has on this site (the one rule:
    app.web.urls.area_url), each area once, in order of appearance."""
    return area_urls(keys, _external=True)


@bp.after_app_request
def cors(resp: Response) -> Response:
    """Open for reading from any origin: the data are public."""
    if request.path.startswith("/api/"):
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        resp.headers["Access-Control-Expose-Headers"] = (
            "ETag, Last-Modified, Link, X-Attribution, Content-Disposition"
        )
    return resp


@bp.get("/")
def index() -> Response:
    ctx = Ctx("/")
    links = {
        p.strip("/").split("/")[0] or "api": request.host_url.rstrip("/") + "/api/v1" + p
        for p in openapi.document()["paths"]
        if "{" not in p and p != "/"
    }
    body = {**envelope.envelope([]), "links": links, "docs": url_for("api_docs.docs")}
    return ctx.respond(formats.json_response(body), [])


@bp.get("/openapi.json")
def openapi_json() -> Response:
    ctx = Ctx("/openapi.json")
    return ctx.unchanged() or ctx.respond(formats.json_response(openapi.document()), [])


@bp.get("/topics")
def topics() -> Response:
    ctx = Ctx("/topics")
    if r := ctx.unchanged():
        return r
    rid = ctx.release.id if ctx.release else None
    rows = q.topics(ctx.conn, rid)
    involved = [ctx.release] if ctx.release else ctx.releases()
    body = {**envelope.envelope(involved), "count": len(rows), "data": rows}
    return ctx.respond(formats.json_response(body), involved)


def _indicator_rows(ctx: Ctx, indicator_id: str | None = None) -> tuple[list[dict], list[Release]]:
    rid = ctx.release.id if ctx.release else None
    rows = q.catalogue(ctx.conn, rid, indicator_id)
    breaks = all_breaks()
    out = [
        {
            **{k: r.get(k) for k in INDICATOR_FIELDS},
            "topic": r["topic_id"],
            "release": r["release_label"],
            "breaks": [b.as_dict() for b in breaks.get(r["id"], ())],
        }
        for r in rows
    ]
    return out, ctx.releases({i for r in rows for i in r["release_ids"]})


@bp.get("/indicators")
def indicators() -> Response:
    ctx = Ctx("/indicators")
    if r := ctx.unchanged():
        return r
    rows, involved = _indicator_rows(ctx)
    fmt = ctx.args.get("format", "json")
    if fmt == "json":
        body = {**envelope.envelope(involved), "count": len(rows), "data": rows}
        return ctx.respond(formats.json_response(body), involved)
    text = formats.csv_text(rows, INDICATOR_FIELDS, fmt)
    name = f"sozialmonitoring-indikatoren{_suffix(ctx)}.csv"
    resp = formats.download(text, "text/csv", name, envelope.attribution(involved))
    return ctx.respond(resp, involved)


@bp.get("/indicators/<indicator_id>")
def indicator(indicator_id: str) -> Response:
    params.path_value("id", indicator_id, f"^{openapi.ID}$")
    ctx = Ctx("/indicators/{id}")
    if r := ctx.unchanged():
        return r
    rows, involved = _indicator_rows(ctx, indicator_id)
    if not rows:
        where = f" im Release {ctx.release.label}" if ctx.release else ""
        raise ApiProblem(
            404,
            "not-found",
            f"Indikator {indicator_id!r} gibt es{where} nicht; siehe /api/v1/indicators.",
        )
    body = {**envelope.envelope(involved), "count": 1, "data": rows}
    return ctx.respond(formats.json_response(body), involved)


def _suffix(ctx: Ctx) -> str:
    return f"-{ctx.release.label}" if ctx.release else ""


def _geojson(text: str, ctx: Ctx) -> dict:
    data = json.loads(text)
    data.update(envelope.envelope([ctx.release] if ctx.release else [], boundaries=True))
    return data


@bp.get("/areas")
def areas() -> Response:
    ctx = Ctx("/areas")
    if r := ctx.unchanged():
        return r
    full = ctx.args.get("geometry") == "full"
    a = ctx.args

    def build() -> str:
        text_ = feature_collection(ctx.conn, a.get("ebene") or "home", None, full, a.get("land"))
        # PostGIS wrote the JSON: splice the envelope in as text. Parsing and writing it again
        # took ~1.1 s for all German Gemeinden (6 MB of coordinates); PostGIS needs ~0.12 s.
        extra = envelope.envelope([ctx.release] if ctx.release else [], boundaries=True)
        return formats.extend_json_object(text_, {**extra, "count": formats.count_features(text_)})

    # Keyed by the ETag (data version + query): all German Gemeinden take ~1 s to serialise.
    body = formats.GEOJSON_CACHE.get_or_build(ctx.tag, build)
    resp = formats.json_response(body, "application/geo+json")
    return ctx.respond(resp, [ctx.release] if ctx.release else [])


@bp.get("/benchmarks")
def benchmarks() -> Response:
    ctx = Ctx("/benchmarks")
    if r := ctx.unchanged():
        return r
    a = ctx.args
    for name in ("indikator", "jahr"):
        if name not in a:
            raise ApiProblem(400, "invalid-parameter", f"{name} fehlt.", parameter=name)
    ind_id, year = a["indikator"], int(a["jahr"])
    check_known(ctx, "indicator", [ind_id], "Indikatoren")
    rel = ctx.release or release_for(ctx.conn, ind_id)
    # The choice was checked against the document's enum (400 naming region, land, bund).
    comp = comparator(ctx.conn, a.get("vergleich_mit") or DEFAULT_BENCHMARK, home_ags())
    rows = q.benchmark_list(ctx.conn, ind_id, year, rel.id, comp) if rel else []
    ind = get_indicator(ctx.conn, ind_id)
    for r in rows:  # a sentence per Kommune, in the request's language
        b = r.pop("_benchmark")
        if comp.is_default or ind is None:
            r["sentence"] = benchmark_sentence(r["name"], ind, r["value"], r["region_value"], b)
        else:  # the findings' clause: names the Land or Germany, the source and the test
            r["sentence"] = finding_sentence(
                Finding(
                    ags=r["ags"],
                    name=r["name"],
                    indicator=ind,
                    year=year,
                    value=r["value"],
                    benchmark_choice=comp.choice,
                    benchmark_name=comp.name,
                    benchmark_value=r["benchmark_value"],
                    benchmark_source=r["benchmark_source"],
                    difference=None if ind.unit in COUNT_UNITS else difference_claim(b),
                    trend=None,
                    synthetic=r.pop("_synthetic"),
                )
            )
        r.pop("_synthetic", None)
    if not rows:
        raise ApiProblem(
            404,
            "not-found",
            f"Keine Werte für {ind_id!r} im Jahr {year}; siehe /api/v1/indicators/{ind_id}.",
        )
    involved = ctx.releases(set(rel.ids)) if rel else []
    body = {**envelope.envelope(involved), "count": len(rows), "data": rows}
    return ctx.respond(formats.json_response(body), involved)


def unit_of(conn: Connection, indicator_id: str) -> str | None:
    """The unit of a known indicator (None for an unknown one)."""
    ind = get_indicator(conn, indicator_id)
    return ind.unit if ind else None


MAPDATA_CACHE = Region("mapdata")  # Germany-wide answers are ~300 KB; 21 Kommunen ~1 KB


def _mapdata(ctx: Ctx) -> tuple[str, list[Release]]:
    """Checked parameters → the serialised map data and the releases it comes from."""
    a = ctx.args
    for name in ("indikator", "jahr"):
        if name not in a:
            raise ApiProblem(400, "invalid-parameter", f"{name} fehlt.", parameter=name)
    ind, year, level = a["indikator"], int(a["jahr"]), a.get("ebene", "kommune")
    check_known(ctx, "indicator", [ind], "Indikatoren")
    rel = ctx.release or release_for(ctx.conn, ind)
    if rel is None:
        raise ApiProblem(404, "not-found", f"Für {ind!r} gibt es keine veröffentlichten Werte.")
    involved = ctx.releases(set(rel.ids))
    data = q.map_data(ctx.conn, ind, year, rel.id, level, a.get("land"))
    if not data:
        raise ApiProblem(
            404,
            "not-found",
            f"Keine Werte für {ind!r} im Jahr {year} auf Ebene"
            f" {level!r}; siehe /api/v1/indicators/{ind}.",
        )
    known = [v for v in data.values() if v is not None]
    body = formats.json_text(
        {
            **envelope.envelope(involved),
            "count": len(data),
            "indicator": ind,
            "unit": unit_of(ctx.conn, ind),
            "year": year,
            "release": involved[0].label if involved else None,
            "ebene": level,
            "land": a.get("land"),
            "breaks": quantile_breaks(known),
            "data": data,
        }
    )
    return body, involved


@bp.get("/mapdata")
def mapdata() -> Response:
    ctx = Ctx("/mapdata")
    if r := ctx.unchanged():
        return r
    hit = MAPDATA_CACHE.get(ctx.tag)  # (body, involved releases) per data version and query
    if hit is None:
        hit = _mapdata(ctx)
        MAPDATA_CACHE.put(ctx.tag, hit)
    body, involved = hit
    return ctx.respond(formats.json_response(body), involved)


@bp.get("/areas/<ags>")
def area(ags: str) -> Response:
    params.path_value("ags", ags, f"^{openapi.AGS}$")
    ctx = Ctx("/areas/{ags}")
    if r := ctx.unchanged():
        return r
    full = ctx.args.get("geometry") == "full"
    data = _geojson(feature_collection(ctx.conn, None, [ags], full), ctx)
    if not data["features"]:
        raise ApiProblem(404, "not-found", f"Gebiet {ags!r} gibt es nicht; siehe /api/v1/areas.")
    feature = {
        **data["features"][0],
        **{k: data[k] for k in ("licence", "attribution")},
        "links": area_links([ags]),
        # The area's Kontextnotizen (the profile's notes), each once, oldest period first.
        "notes": [note_fields(n) for n in public_notes().of_area(ags)],
    }
    resp = formats.json_response(feature, "application/geo+json")
    return ctx.respond(resp, [ctx.release] if ctx.release else [])


def check_known(ctx: Ctx, table: str, ids: list[str] | None, what: str) -> None:
    if not ids:
        return
    unknown = sorted(set(ids) - q.existing(ctx.conn, table, ids))
    if unknown:
        raise ApiProblem(
            404, "not-found", f"Unbekannte {what}: {', '.join(unknown)}.", unknown=unknown
        )


@bp.get("/values")
def values() -> Response:
    ctx = Ctx("/values")
    a = ctx.args
    fmt = a.get("format", "json")
    indicators_ = params.csv_list(a.get("indikator"))
    ags = params.csv_list(a.get("ags"))
    if fmt == "geojson" and not indicators_:
        raise ApiProblem(
            400,
            "invalid-parameter",
            "format=geojson verlangt den Parameter"
            " indikator (Geometrien je Wert werden sonst sehr groß).",
            parameter="indikator",
        )
    check_known(ctx, "indicator", indicators_, "Indikatoren")
    check_known(ctx, "area", ags, "Gebiete (AGS)")
    if r := ctx.unchanged():
        return r
    pairs = q.value_releases(ctx.conn, indicators_, ctx.release.id if ctx.release else None)
    if ctx.release and indicators_ and set(indicators_) - set(pairs):
        missing = ", ".join(sorted(set(indicators_) - set(pairs)))
        raise ApiProblem(404, "not-found", f"Nicht im Release {ctx.release.label}: {missing}.")
    years = [int(y) for y in a["jahr"].split(",")] if "jahr" in a else None
    rid = ctx.release.id if ctx.release else None
    if fmt == "json":  # written by PostgreSQL, row by row
        return _values_json(ctx, pairs, rid, years, ags)
    if fmt == "geojson":  # paged too; CSV and XLSX stay whole downloads (bulk, DCAT)
        page, paging = _value_page(a, sorted(pairs), rid, years, ags)
        rows = page.rows
    else:
        rows = q.values_long(ctx.conn, sorted(pairs), rid, years, ags)
    involved = ctx.releases(set().union(*pairs.values()))
    noted = public_notes()  # Kontextnotizen: each row gets those about its area, indicator, year
    rows = [
        dict(r, notes=[note_fields(n) for n in noted.at(r["ags"], r["indicator"], r["year"])])
        for r in rows
    ]
    env = envelope.envelope(involved, boundaries=fmt == "geojson")
    if fmt == "geojson":
        geoms = q.area_geometries(ctx.conn, sorted({r["ags"] for r in rows}))
        features = [
            {"type": "Feature", "geometry": json.loads(geoms[r["ags"]]), "properties": r}
            for r in rows
        ]
        body = {
            "type": "FeatureCollection",
            "features": features,
            **env,
            "count": len(rows),
            **paging,
        }
        resp = formats.json_response(body, "application/geo+json")
        return ctx.respond(_page_links(resp, paging), involved)
    name = f"sozialmonitoring-werte{_suffix(ctx)}"
    rows = [dict(r, notes=notes_text(r["notes"])) for r in rows]  # one cell in CSV and XLSX
    if fmt == "xlsx":
        notes = [("Lizenz", f"{openapi.LICENCE['name']} ({openapi.LICENCE['url']})")]
        notes += [("Quelle", t) for t in env["attribution"]]
        notes += [("Hinweis", env["hinweis"])] if "hinweis" in env else []
        notes += [
            ("Zeitreihenbruch", f"{i} {x.year}: {x.reason_de}")
            for i, b in sorted(all_breaks().items())
            if i in pairs
            for x in b
        ]
        body = formats.cached_xlsx(ctx.tag, lambda: formats.xlsx_bytes(rows, VALUE_FIELDS, notes))
        resp = formats.download(body, formats.XLSX_TYPE, name + ".xlsx", env["attribution"])
    else:
        text = formats.csv_text(rows, VALUE_FIELDS, fmt)
        resp = formats.download(text, "text/csv", name + ".csv", env["attribution"])
    return ctx.respond(resp, involved)


def _values_json(
    ctx: Ctx,
    pairs: dict[str, set[int]],
    rid: int | None,
    years: list[int] | None,
    ags: list[str] | None,
) -> Response:
    """/values as JSON: the page's rows come written by PostgreSQL (q.values_page_json); only
    the notes (few rows have any), the links and the envelope are written here. The text is the
    one json.dumps wrote of the rows as dicts (tests/test_api_values_json.py)."""
    a = ctx.args
    limit, offset = _limit_offset(a)
    page = q.values_page_json(get_conn(), sorted(pairs), rid, years, ags, limit, offset)
    paging = _paging(a, limit, offset, len(page.rows), page.total)
    involved = ctx.releases(set().union(*pairs.values()))
    noted = public_notes()
    no_notes = ',"notes":[]}'
    data = []
    for r in page.rows:
        notes = noted.at(r.ags, r.indicator, r.year) if noted else ()
        if notes:
            data.append(
                r.text + ',"notes":' + formats.json_text([note_fields(n) for n in notes]) + "}"
            )
        else:
            data.append(r.text + no_notes)
    breaks = {i: b for i, b in all_breaks().items() if i in pairs}
    head = {
        **envelope.envelope(involved),
        "releases": [r.label for r in involved],
        "breaks": {i: [x.as_dict() for x in b] for i, b in sorted(breaks.items())},
        "count": len(data),
        **paging,
    }
    links = area_links(r.ags for r in page.rows)
    body = "".join(
        (
            formats.json_text(head)[:-1],
            ',"links":',
            formats.json_text(links),
            ',"data":[',
            ",".join(data),
            "]}",
        )
    )
    return ctx.respond(_page_links(formats.json_response(body), paging), involved)


def _limit_offset(args: dict[str, str]) -> tuple[int, int]:
    """The checked `limit` and `offset` of /values."""
    limit = params.integer(args, "limit", openapi.PARAMS["limit"]["schema"])
    offset = params.integer(args, "offset", openapi.PARAMS["offset"]["schema"])
    return limit, offset


def _value_page(
    args: dict[str, str],
    indicators: list[str],
    release_id: int | None,
    years: list[int] | None,
    ags: list[str] | None,
) -> tuple[q.ValuePage, dict]:
    """One page of /values (checked `limit`/`offset`) and the paging members of the answer:
    total, limit, offset and the neighbouring pages' URLs with every other parameter kept."""
    limit, offset = _limit_offset(args)
    page = q.values_page(get_conn(), indicators, release_id, years, ags, limit, offset)
    return page, _paging(args, limit, offset, len(page.rows), page.total)


def _paging(args: dict[str, str], limit: int, offset: int, n: int, total: int) -> dict:
    """The paging members of a /values answer of n rows from offset of total."""

    def url(at: int) -> str:
        rest = {k: v for k, v in args.items() if k != "offset"}
        # offset 0 is left out: the first page has the URL of the unpaged request
        return url_for("api.values", **rest, **({"offset": at} if at else {}), _external=True)

    more = offset + n < total
    return {
        "count_total": total,
        "limit": limit,
        "offset": offset,
        "next": url(offset + limit) if more else None,
        "prev": url(max(0, min(offset, total) - limit)) if offset > 0 else None,
    }


def _page_links(resp: Response, paging: dict) -> Response:
    """The neighbouring pages also as RFC 8288 links (after the licence link)."""
    for rel in ("next", "prev"):
        if paging.get(rel):
            resp.headers["Link"] += f', <{paging[rel]}>; rel="{rel}"'
    return resp


@bp.get("/releases")
def releases() -> Response:
    ctx = Ctx("/releases")
    if r := ctx.unchanged():
        return r
    rows = [
        r
        for r in q.published_releases(ctx.conn)
        if ctx.release is None or r["id"] == ctx.release.id
    ]
    data = [
        {**{k: r.get(k) for k in RELEASE_FIELDS}, "datapackage": _datapackage_url(r)} for r in rows
    ]
    involved = ctx.releases({r["id"] for r in rows})
    body = {**envelope.envelope(involved), "count": len(data), "data": data}
    return ctx.respond(formats.json_response(body), involved)


def _datapackage_url(rel: dict) -> str:
    return url_for("api.datapackage", release=rel["label"], _external=True)


@bp.get("/releases/<release>/datapackage.json")
def datapackage(release: str) -> Response:
    params.path_value("release", release, openapi.RELEASE_REF)
    ctx = Ctx("/releases/{release}/datapackage.json")
    rel = params.release(ctx.conn, release)
    if r := ctx.unchanged():
        return r
    info = next(r for r in q.published_releases(ctx.conn) if r["id"] == rel.id)
    pkg = metadata.datapackage(info, _urls(rel.label))
    return ctx.respond(formats.json_response(pkg), [rel])


def _urls(label: str) -> dict[str, str]:
    """Absolute download URLs of one release (for datapackage.json and DCAT)."""

    def u(endpoint: str, **kw: str) -> str:
        return url_for(endpoint, _external=True, **kw)

    return {
        "values_csv": u("api.values", release=label, format="csv"),
        "values_xlsx": u("api.values", release=label, format="xlsx"),
        "values_json": u("api.values", release=label),
        "indicators_csv": u("api.indicators", release=label, format="csv"),
        "areas": u("api.areas"),
        "datapackage": u("api.datapackage", release=label),
        "docs": u("api_docs.docs"),
        "api": u("api.index"),
    }


@bp.get("/dcat.rdf")
def dcat() -> Response:
    ctx = Ctx("/dcat.rdf")
    if r := ctx.unchanged():
        return r
    rels = [r for r in q.published_releases(ctx.conn) if not r["synthetic"]]
    xml = metadata.dcat_catalog(
        rels, {r["label"]: _urls(r["label"]) for r in rels}, url_for("api.dcat", _external=True)
    )
    resp = Response(xml, mimetype="application/rdf+xml")
    return ctx.respond(resp, ctx.releases({r["id"] for r in rels}))
