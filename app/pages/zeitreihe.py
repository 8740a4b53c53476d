"""Time series of one indicator: the Region plus chosen areas (the home Kommunen or any other
Gemeinde, Kreis, Land, Germany), absolute or as index."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from app.pages.data.cite import parse_pin
from app.pages.data.profile_tables import series_table
from app.pages.data.series_breaks import break_text, breaks_of
from app.pages.data.zeitreihe import (
    DEFAULT_INDICATOR,
    choice_error,
    series_cite,
    series_text,
    with_notes,
)
from app.render import charts
from app.render.formatting import kind_label
from app.web import args, downloads
from app.web.db import get_conn
from app.web.home import home_ags
from app.web.i18n import gettext as _
from geodata.search import resolve
from indicators.pinning import format_ids
from indicators.profile import InvalidChoice, time_series

bp = Blueprint("zeitreihe", __name__)
MAX_KOMMUNEN = 7  # beside the Region; more lines are unreadable (and the palette has 8)


@bp.get("/zeitreihe")
def zeitreihe():
    indicator_id = request.args.get("indikator") or DEFAULT_INDICATOR
    # ?kommunen=a,b (permalink) or ?kommunen=a&kommunen=b (the checkbox form)
    kommunen = [
        k.strip() for v in request.args.getlist("kommunen") for k in v.split(",") if k.strip()
    ]
    mode = request.args.get("darstellung") or "absolut"
    release = args.integer("release", args.without("release"), lo=1)
    pinned = parse_pin(release, url_for("zeitreihe.zeitreihe", indikator=indicator_id[:64]))
    fmt = args.download_format(downloads.VIEW_FORMATS)
    # ?dazu=<name, key or "Name (key)">: the picker's area, added to the chosen ones (permalink).
    dazu = request.args.get("dazu", "").strip()[:100]
    dazu_error, dazu_choices = None, []
    if dazu:
        hit, hits = resolve(get_conn(), dazu, home_ags())
        keep = {
            k: v
            for k, v in request.args.items()
            if k in ("indikator", "darstellung", "release", "lang")
        }

        def with_area(ags: str) -> str:
            chosen = ",".join(dict.fromkeys([*kommunen, ags])) or None
            return url_for("zeitreihe.zeitreihe", **keep, kommunen=chosen)

        if hit is not None:
            return redirect(with_area(hit.ags), 303)
        dazu_error = (
            _("„%(q)s“: bitte eines dieser Gebiete wählen.", q=dazu)
            if hits
            else _("„%(q)s“: kein Gebiet dieses Namens oder Schlüssels.", q=dazu)
        )
        dazu_choices = [
            (with_area(h.ags), f"{h.name} ({kind_label(h.kind)}, {h.ags})") for h in hits[:10]
        ]
    # Too many ticks in the form: explain beside it, keep every tick, draw the first ones.
    form_error, chosen = None, kommunen[:50]
    if len(set(kommunen)) > MAX_KOMMUNEN and not fmt:
        form_error = _(
            "Höchstens %(n)s Kommunen auf einmal: gewählt sind %(k)s. Angezeigt werden die ersten %(n)s; bitte Kommunen abwählen.",
            n=MAX_KOMMUNEN,
            k=len(set(kommunen)),
        )
        kommunen = list(dict.fromkeys(kommunen))[:MAX_KOMMUNEN]
    try:
        ts = time_series(
            get_conn(),
            indicator_id,
            kommunen[:50],
            release,
            mode,
            breaks=breaks_of(indicator_id),
            region=home_ags(),
            pinned=pinned,
        )
    except InvalidChoice as err:
        raise choice_error(err, indicator_id[:64]) from None
    ts = with_notes(ts)
    state = {
        "indikator": ts["indicator"].id,
        "kommunen": ",".join(kommunen) or None,
        "darstellung": ts["mode"] if ts["mode"] != "absolut" else None,
        "release": release,
        "stand": format_ids(pinned) if pinned else None,
    }
    cite = series_cite(ts, state, pinned)
    if fmt:
        return downloads.response(series_table(ts, cite["cite"]), fmt)
    html = render_template(
        "zeitreihe.html",
        **cite,
        ts=ts,
        release=release,
        synthetic=ts["synthetic"],
        charts=charts,
        break_text=break_text,
        kommunen_csv=",".join(kommunen),
        form_error=form_error,
        checked=chosen,
        figure_text=series_text(ts),
        dazu=dazu if dazu_error else "",
        dazu_error=dazu_error,
        dazu_choices=dazu_choices,
    )
    return (html, 400) if dazu_error else html
