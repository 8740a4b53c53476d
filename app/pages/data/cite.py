"""A page's citation and its pinned permalink (issue #31 part 3, issue #29 "data one click away").

The pages build a `Citation` (app.render.citation, the one writer of citation lines) from what
they show: title, the releases and their sources, the pinned URL. The pinned URL carries
`stand=<ids>` (indicators.pinning): the ids of the releases whose values the view shows, read
with `shown_value_in(ids)`, so a later release changes nothing on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from urllib.parse import urlencode

from flask import current_app, request

from app.render.citation import Citation, CitedSource, today
from app.web.db import get_conn
from app.web.downloads import VIEW_FORMATS
from app.web.errors import BadRequestWithChoices
from app.web.home import publisher
from app.web.i18n import current_lang
from app.web.i18n import gettext as _
from app.web.security import public_url
from app.web.urls import url_for
from indicators import pinning
from indicators.pinning import PARAM, format_ids

# Query parameters that never belong to a cited view's URL (the download format, the language
# is kept: an English page is cited in English).
NOT_CITED = ("format",)


def absolute(path_and_query: str) -> str:
    """An absolute URL (PUBLIC_URL, else the validated host) of a site-relative one."""
    return public_url() + path_and_query


def page_url(pinned_ids: Sequence[int] | None = None, drop: Iterable[str] = ()) -> str:
    """This request's page URL without the download format, pinned to `pinned_ids` if given."""
    dropped = {*NOT_CITED, *drop, PARAM}
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in dropped]
    if pinned_ids:
        pairs.append((PARAM, format_ids(pinned_ids)))
    query = urlencode(pairs)
    return absolute(request.path + (f"?{query}" if query else ""))


def cited_sources(provenance: Iterable[dict]) -> tuple[CitedSource, ...]:
    """The sources of the shown releases (indicators.queries.shown_provenance rows)."""
    return tuple(
        CitedSource(source=p["source"], tables=p.get("tables") or "", release=p["release"])
        for p in provenance
    )


def accessed() -> date:
    """The access date of a citation: the setting CITATION_DATE, else today (UTC)."""
    fixed = current_app.config.get("CITATION_DATE") or ""
    return date.fromisoformat(fixed) if fixed else today()


def page_citation(
    title: str,
    url: str,
    releases: Iterable[str],
    provenance: Iterable[dict] = (),
    release_ids: Sequence[int] = (),
    boundaries: bool = False,
    synthetic: bool = False,
    issued: datetime | date | None = None,
) -> Citation:
    """The citation of a view (publisher: the site's name, accessed today)."""
    day = issued.date() if isinstance(issued, datetime) else issued
    return Citation(
        title=title,
        publisher=publisher(),
        url=url,
        accessed=accessed(),
        releases=tuple(dict.fromkeys(r for r in releases if r)),
        release_ids=tuple(release_ids),
        sources=cited_sources(provenance),
        boundaries=boundaries,
        synthetic=synthetic,
        issued=day,
    )


def view_data_links(endpoint: str, state: dict) -> dict[str, str]:
    """Format → URL of a view's data and citation downloads (its state, pinned where it can be)."""
    return {fmt: url_for(endpoint, **state, format=fmt) for fmt in VIEW_FORMATS}


def parse_pin(release_id: int | None, newest: str) -> tuple[int, ...] | None:
    """`stand=<ids>` of a cited view, checked: canonical (else 400), each id a published or
    withdrawn release (else 404), not together with `release` (400). None: not pinned."""
    pinned = pinning.parse_ids(request.args.get(PARAM))
    if pinned is None:
        return None
    if release_id is not None:
        raise BadRequestWithChoices(
            400,
            _("„release“ und „stand“ schließen sich aus: bitte nur eines angeben."),
            [(newest, _("Zur aktuellen Ansicht"))],
        )
    pinning.check_ids(get_conn(), pinned)
    return pinned


def pin_note(
    pinned: Sequence[int] | None, shown: Sequence[int], live: Sequence[int], current_url: str
) -> dict:
    """Template variables of a pinned view's note: its ids, whether the current data differ
    (other releases shown now than the cited ones), the current view's URL."""
    return dict(
        pinned=tuple(pinned) if pinned else None,
        newer=bool(pinned) and tuple(sorted(shown)) != tuple(sorted(live)),
        current_url=current_url,
    )


def compare_cite(c: dict, pinned: Sequence[int] | None, release_id: int | None) -> dict:
    """The comparison's citation, pinned permalink, data links and pinned note: pinned to the
    releases it shows for every area it reads (both areas, the areas they lie in, the ranked
    peers); a named release pins it by itself."""
    a, b = c["a"], c["b"]
    return pinned_page_cite(
        "kommune.compare",
        {"ags_a": a.ags, "ags_b": b.ags},
        _("Vergleich %(a)s und %(b)s", a=a.name, b=b.name),
        c["read_areas"],
        pinned,
        release_id,
        synthetic=bool(c["synthetic"]),
    )


def pinned_page_cite(
    endpoint: str,
    view_args: dict,
    title: str,
    read_areas: Sequence[str] | pinning.ReadAreas,
    pinned: Sequence[int] | None,
    release_id: int | None,
    provenance: Iterable[dict] = (),
    synthetic: bool = False,
    state: dict | None = None,
    pins: tuple[Sequence[int], Sequence[int]] | None = None,
) -> dict:
    """The citation, permalink, data links and pinned note of a page over many indicators (the
    Kommune profile): pinned to every release it shows for the areas it reads
    (`pinning.page_release_ids`). A named release pins by itself (its URL is the permalink);
    more releases than a pin may hold leave the page cited by its own URL (never pinned in
    half). `state`: the view's parameters (default: the request's). `pins`: the live pin and
    the shown one when the page computes them itself (the Sozialindex: the releases of its
    indicators' values and its definition); `read_areas` is then not read."""
    conn = get_conn()
    if pins is not None:
        live, shown = pins
    else:
        live = pinning.page_release_ids(conn, read_areas, None)
        shown = pinning.page_release_ids(conn, read_areas, pinned) if pinned else live
    cite_ids: Sequence[int] = pinned or (live if release_id is None else ())
    if len(cite_ids) > pinning.MAX_IDS:
        cite_ids = ()
    given = request.args.items() if state is None else state.items()
    state = {
        k: v
        for k, v in given
        if k not in (*NOT_CITED, PARAM, "release", "lang") and v not in (None, "", [])
    }
    if release_id is not None:
        state["release"] = str(release_id)
    current = dict(state, **({"lang": "en"} if current_lang() == "en" else {}))
    pinned_state = dict(current, **({PARAM: format_ids(cite_ids)} if cite_ids else {}))
    permalink = absolute(url_for(endpoint, **view_args, **pinned_state))
    cite = page_citation(
        title,
        permalink,
        pinning.release_labels(
            conn, cite_ids or ((release_id,) if release_id is not None else shown)
        ),
        provenance,
        cite_ids or ((release_id,) if release_id is not None else ()),
        synthetic=synthetic,
    )
    return dict(
        cite=cite,
        permalink=permalink,
        data_links={
            fmt: url_for(endpoint, **view_args, **pinned_state, format=fmt) for fmt in VIEW_FORMATS
        },
        pin_state={k: v for k, v in pinned_state.items() if k in (PARAM, "lang", "release")},
        **pin_note(pinned, shown, live, url_for(endpoint, **view_args, **current)),
    )


def map_view_cite(
    st: dict,
    state: dict,
    link: Callable[..., str],
    data_endpoint: str,
    title: str,
    labels: Iterable[str],
    provenance: Iterable[dict],
    synthetic: bool,
) -> dict:
    """The "Zitieren" of a map view (one year, change, small multiples, territory): pinned to
    the releases it shows (`st["pinned"]`, else `st["cite_ids"]`), the permalink, the citation,
    the data links (pinned too). `link(**state)`: the view's URL for a state."""
    cite_ids = st.get("pinned") or st.get("cite_ids") or ()
    pinned_state = dict(state, stand=format_ids(cite_ids) if cite_ids else None)
    if current_lang() == "en":
        pinned_state["lang"] = "en"
    permalink = absolute(link(**pinned_state))
    cite = page_citation(
        title,
        permalink,
        sorted(labels),
        provenance,
        cite_ids,
        boundaries=True,
        synthetic=synthetic,
        issued=st["release"].published_at,
    )
    data_state = {k: v for k, v in pinned_state.items() if v not in (None, "")}
    return dict(
        cite=cite,
        permalink=permalink,
        pinned=st.get("pinned"),
        newer=st.get("newer", False),
        current_url=link(**dict(state, stand=None)),
        data_links=view_data_links(data_endpoint, data_state),
        pinned_state=pinned_state,
    )
