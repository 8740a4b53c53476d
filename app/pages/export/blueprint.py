"""The image export's blueprint (endpoints export.*) and its template global png_max_areas."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, request

from app.web.errors import BadRequestWithChoices
from app.web.i18n import gettext as _

bp = Blueprint("export", __name__)

# Issue #26: an image costs up to seconds to draw and is cached per URL, so an unknown parameter
# (…&bust=<random>) drew it anew each time. Each route takes only the parameters that change
# its picture (those of the page it exports, plus lang); anything else is a 400 before drawing.
_MAP = {
    "indikator",
    "jahr",
    "von",
    "bis",
    "klassen",
    "farben",
    "feste",
    "release",
    "gruppe",
    "stand",
}
PARAMETERS = {
    "export.karte_image": _MAP | {"gebiet", "ebene", "seite", "vergleich_mit"},
    "export.karte_jahre_image": _MAP | {"jahre"},
    "export.zeitreihe_image": {"indikator", "kommunen", "darstellung", "release", "stand"},
    "export.disparities_map_image": {"jahr", "stand"},
    "export.disparities_chart_image": {"jahr", "von", "bis", "mass", "stand"},
    "export.disparities_cluster_image": {"jahr", "stand"},
    "export.einordnung_image": {"release", "von", "bis", "a", "b", "stand"},
}
LANGS = ("de", "en")


@bp.before_request
def known_parameters_only() -> None:
    """A 400 naming the unknown parameters (and a link without them) before anything is drawn."""
    known = PARAMETERS.get(request.endpoint or "")
    if known is None:
        return
    unknown = sorted({k for k in request.args if k not in known and k != "lang"})
    bad_lang = request.args.get("lang") not in (None, *LANGS)
    if not unknown and not bad_lang:
        return
    drop = set(unknown) | ({"lang"} if bad_lang else set())
    kept = urlencode([(k, v) for k, v in request.args.items(multi=True) if k not in drop])
    names = ", ".join(f"„{k[:40]}“" for k in (unknown or ["lang"]))
    raise BadRequestWithChoices(
        400,
        _(
            "Unbekannter Parameter für dieses Bild: %(names)s. Erlaubt sind: %(known)s.",
            names=names,
            known=", ".join(sorted(known | {"lang"})),
        ),
        [(request.path + (f"?{kept}" if kept else ""), _("Ohne diesen Parameter aufrufen"))],
    )


def png_max_areas() -> int:
    """Most areas a PNG map may have (EXPORT_PNG_MAX_AREAS, default 2,000)."""
    return int(current_app.config.get("EXPORT_PNG_MAX_AREAS", 2000))


@bp.app_context_processor
def _export_globals() -> dict:
    return {"png_max_areas": png_max_areas}
