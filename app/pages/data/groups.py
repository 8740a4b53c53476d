"""Comparison groups (?gruppe=<ags>): a Kommune and its most similar Kommunen, for map and scatter.

A Gemeinde of another Kreis names a group too: the home Kommunen most similar to it (measured on
the Kommunen's own variables, years and scale; the Gemeinde itself is not on these pages, so it
is no member). A Kreis, Land or Germany names none (their structure is not a Gemeinde's), nor a
Gemeinde without real values for every variable: both are refused with a 400 that says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from flask import request

from app.web.cache import InputMemo
from app.web.db import get_conn
from app.web.errors import BadRequestWithChoices
from app.web.http_cache import domain_cache
from app.web.i18n import gettext as _
from app.web.i18n import localized
from app.web.urls import area_url, is_home_area
from geodata.model import Area
from geodata.queries import kommune_names
from indicators.neighbour_queries import (
    K,
    neighbour_rows,
    neighbours_from,
    similar_kommunen,
    similar_to,
)
from indicators.profile import areas_by_key, valid_areas
from indicators.queries import get_indicator


@dataclass(frozen=True)
class Group:
    """The Kommune that names the group and its most similar Kommunen (nearest first)."""

    ags: str
    name: str
    neighbours: tuple[dict, ...]  # {"ags", "name", "distance"}
    outside: bool = False  # named by an area beyond the home region: it is no member

    @property
    def members(self) -> frozenset[str]:
        """The AGS of every Kommune in the group (the named one included, if a Kommune)."""
        own = [] if self.outside else [self.ags]
        return frozenset([*own, *(n["ags"] for n in self.neighbours)])

    @property
    def names(self) -> list[str]:
        """The neighbours' names, nearest first."""
        return [n["name"] for n in self.neighbours]


# The neighbours by their whole input (the values' rows and the Kommunen's names): a publish
# that leaves the structural variables' rows as they were (most do) does not compute the
# z-scores and distances of every pair anew (~1 ms CPU of a first map, profile, comparison).
_BY_INPUT = InputMemo(4)


def _similar_now() -> dict:
    conn = get_conn()
    rows, names = neighbour_rows(conn), kommune_names(conn)
    key = (rows, tuple(names.items()), K)
    return cast(dict, _BY_INPUT.get_or_build(key, lambda: neighbours_from(rows, names, K)))


def similar(pinned: tuple[int, ...] | None = None) -> dict:
    """Each Kommune's most similar Kommunen (indicators.neighbour_queries), per data version;
    pinned: on the values of those releases (a cited profile)."""
    if pinned is not None:
        return domain_cache(
            ("similar-kommunen", pinned), lambda: similar_kommunen(get_conn(), pinned=pinned)
        )
    return domain_cache(("similar-kommunen",), _similar_now)


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


def _outside_group(ags: str) -> tuple[Group | None, object | None, Area | None]:
    """A group named by an area beyond the home region: (group, None, area), or (None, why, area
    or None) when that area names none."""
    area = None if is_home_area(ags) else areas_by_key(get_conn(), [ags]).get(ags)
    if area is None:
        return None, None, None
    if area.level != "gemeinde":
        return (
            None,
            _(
                "%(name)s (%(ags)s) ist ein Kreis, ein Land oder Deutschland: eine Vergleichsgruppe"
                " bilden die einer Gemeinde ähnlichsten Kommunen. Möglich sind:",
                name=area.name,
                ags=area.ags,
            ),
            area,
        )
    found = domain_cache(("similar-to", ags), lambda: similar_to(get_conn(), ags))
    if not found["neighbours"]:
        conn = get_conn()
        missing = ", ".join(
            f"{localized(i, 'name')} {v['year']}"
            for v in found["missing"]
            if (i := get_indicator(conn, v["id"])) is not None
        )
        return (
            None,
            _(
                "Für %(name)s (%(ags)s) fehlen amtliche Werte (%(m)s): ohne sie lässt sich nicht"
                " sagen, welche Kommunen ihr ähneln. Möglich sind:",
                name=area.name,
                ags=area.ags,
                m=missing or "–",
            ),
            area,
        )
    return Group(ags, area.name, tuple(found["neighbours"]), outside=True), None, area


def parse_group(link: Callable[[str], str]) -> Group | None:
    """`gruppe=<ags>` of the request (None if absent): a Kommune's group, or the Kommunen most
    similar to a Gemeinde elsewhere; else a 400 saying why, linking each valid group."""
    ags = request.args.get("gruppe")
    if not ags:
        return None
    group = group_for(ags)
    if group is not None:
        return group
    group, why, area = _outside_group(ags[:20])
    if group is not None:
        return group
    choices = [(link(k.ags), k.name) for k in kommunen_with_groups()]
    if area is not None:
        choices.append((area_url(area.ags), area.name))
    raise BadRequestWithChoices(
        400,
        why or _("„%(g)s“ ist keine Kommune mit ähnlichen Kommunen. Möglich sind:", g=ags[:20]),
        choices,
    )
