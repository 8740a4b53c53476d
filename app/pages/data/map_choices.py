"""The choices every choropleth reads from its query string: year, classes, colour scheme.

One place for the Kommunen map (/karte), its small multiples and the territory map
(/karte?gebiet=…): the same parameter names, the same refusals (4xx naming the valid choices).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import request

from app.web.errors import BadRequestWithChoices
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from indicators import classify
from indicators.model import Indicator

CLASSIFICATION_LABELS = {
    "quantile": _l("Quantile (gleich viele Kommunen je Klasse)"),
    "jenks": _l("Natürliche Brüche (Fisher-Jenks)"),
    "gleich": _l("Gleiche Intervalle"),
}
SCHEME_LABELS = {
    "sequenziell": _l("Sequenziell (hell → dunkel)"),
    "divergierend": _l("Divergierend um den Wert der Region"),
    # Against what "Vergleichen mit" names (Region, Land or Germany, issue #30), not always the Region.
    "vergleich": _l("Vergleich (signifikant besser / ähnlich / schlechter)"),
}


@dataclass(frozen=True)
class Classes:
    """How a map's values are classed and coloured."""

    method: str  # a key of CLASSIFICATION_LABELS
    scheme: str  # one of the schemes the map offers
    can_diverge: bool  # counts have no centre to diverge from


def parse_classes(ind: Indicator, link: Callable[..., str], schemes: tuple[str, ...]) -> Classes:
    """`klassen` and `farben` of the request; link(**changed) makes a choice's URL."""
    method = request.args.get("klassen") or classify.default_classification(ind.unit)
    if method not in classify.CLASSIFICATIONS:
        raise BadRequestWithChoices(
            400,
            _("Die Klassenbildung „%(k)s“ gibt es nicht.", k=method[:40]),
            [(link(klassen=k), str(label)) for k, label in CLASSIFICATION_LABELS.items()],
        )
    scheme = request.args.get("farben") or "sequenziell"
    can_diverge = ind.unit not in classify.COUNT_UNITS
    if scheme not in schemes or (scheme == "divergierend" and not can_diverge):
        raise BadRequestWithChoices(
            400,
            _("Das Farbschema „%(f)s“ ist für diese Kennzahl nicht verfügbar.", f=scheme[:40]),
            [
                (link(klassen=method, farben=s), str(SCHEME_LABELS[s]))
                for s in schemes
                if s == "sequenziell" or can_diverge
            ],
        )
    return Classes(method, scheme, can_diverge)


def no_data_in_year(
    ind: Indicator, year: int, years: list[int], choices: list[tuple[str, str]]
) -> BadRequestWithChoices:
    """The 404 for a year without the indicator's values, naming the years that have them."""
    return BadRequestWithChoices(
        404,
        _(
            "Für „%(i)s“ gibt es im Jahr %(y)s keine Daten. Verfügbar: %(a)s–%(b)s.",
            i=ind.name_de,
            y=year,
            a=years[0],
            b=years[-1],
        ),
        choices,
    )
