"""Main navigation: the pages that exist in this app, in order."""

from __future__ import annotations

from flask import Flask, current_app

from app.render.maps import short_name
from app.web.db import get_conn
from app.web.i18n import current_lang, localized
from app.web.i18n import lazy_gettext as _l
from app.web.urls import url_for
from geodata.queries import list_areas
from indicators.queries import topics_with_indicators

# (endpoint, label); an entry shows only when its blueprint is registered.
NAV = (
    ("pages.start", _l("Start")),
    ("maps.karte", _l("Karte")),
    ("pages.kennzahlen", _l("Kennzahlen")),
    ("rangfolge.index", _l("Rangfolge")),
    ("kommune.index", _l("Kommunen")),
    ("zeitreihe.zeitreihe", _l("Zeitreihen")),
    ("streuung.page", _l("Streudiagramm")),
    ("disparities.index", _l("Disparitäten")),
    ("sozialindex.index", _l("Sozialindex")),
    ("berichte.index", _l("Berichte")),
    ("alerts.index", _l("Was ist neu?")),
    ("api_docs.docs", _l("Offene Daten")),
)


def nav_items() -> list[tuple[str, str]]:
    """Navigation entries whose endpoints exist, per app and language (each page asks)."""
    per_lang = current_app.extensions.setdefault("sozmon_nav", {})
    lang = current_lang()
    if lang not in per_lang:
        per_lang[lang] = [(e, str(label)) for e, label in NAV if e in current_app.view_functions]
    return per_lang[lang]


def map_url(indicator_id: str) -> str | None:
    """Link to the map of an indicator when the map page exists (remembered per app: a
    profile links ~100 indicators' maps)."""
    if "maps.karte" in current_app.view_functions:
        return url_for("maps.karte", indikator=indicator_id)
    return None


def search_suggestions() -> list[str]:
    """Names offered while typing in the search field (the Region and its Kommunen, then
    indicators): a fixed short list on every page, not Germany's 11,000 Gemeinden, which the
    search itself finds (geodata.search)."""
    conn = get_conn()
    names = [a.name for level in ("region", "kommune") for a in list_areas(conn, level)]
    names += [localized(i, "name") for t in topics_with_indicators(conn) for i in t.indicators]
    return names


def init_app(app: Flask) -> None:
    """Navigation and cross-page links for every template (whichever blueprints exist)."""
    app.jinja_env.globals.update(
        map_url=map_url, search_suggestions=search_suggestions, short_name=short_name
    )

    @app.context_processor
    def inject_nav() -> dict:
        return {"nav_items": nav_items, "synthetic": False}
