"""Comparison groups (?gruppe=<ags>): a Kommune and its most similar Kommunen, for map and scatter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _

from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.http_cache import domain_cache
from geodata.model import Area
from indicators.neighbour_queries import similar_kommunen
from indicators.profile import valid_areas


@dataclass(frozen=True)
class Group:
    """The Kommune that names the group and its most similar Kommunen (nearest first)."""

    ags: str
    name: str
    neighbours: tuple[dict, ...]  # {"ags", "name", "distance"}

    @property
    def members(self) -> frozenset[str]:
        """The AGS of every Kommune in the group (the named one included)."""
        return frozenset([self.ags, *(n["ags"] for n in self.neighbours)])

    @property
    def names(self) -> list[str]:
        """The neighbours' names, nearest first."""
        return [n["name"] for n in self.neighbours]


def similar() -> dict:
    """Each Kommune's most similar Kommunen (indicators.neighbour_queries), per data version."""
    return domain_cache(("similar-kommunen",), lambda: similar_kommunen(get_conn()))


def kommunen_with_groups() -> list[Area]:
    """The Kommunen (ags, name) by name that have similar Kommunen: the possible groups."""
    sim = similar()["neighbours"]
    return [a for a in valid_areas(get_conn()) if a.level == "kommune" and sim.get(a.ags)]


def group_for(ags: str) -> Group | None:
    """The comparison group named by a Kommune, or None when it has none."""
    neighbours = similar()["neighbours"].get(ags)
    if not neighbours:
        return None
    name = next((k.name for k in kommunen_with_groups() if k.ags == ags), ags)
    return Group(ags, name, tuple(neighbours))


def parse_group(link: Callable[[str], str]) -> Group | None:
    """`gruppe=<ags>` of the request (None if absent); unknown: a 400 linking each valid group."""
    ags = request.args.get("gruppe")
    if not ags:
        return None
    group = group_for(ags)
    if group is None:
        raise BadRequestWithChoices(
            400,
            _("„%(g)s“ ist keine Kommune mit ähnlichen Kommunen. Möglich sind:", g=ags[:20]),
            [(link(k.ags), k.name) for k in kommunen_with_groups()],
        )
    return group
