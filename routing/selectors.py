"""Reads: where a report goes, and the kelurahan boundaries for the public map."""

import json

from django.core.cache import cache
from django.utils.translation import gettext as _

from routing.models import Area, RoutingRule, Unit


class NoHandlingUnit(LookupError):
    pass


def area_ancestors(area: Area) -> list[Area]:
    """The area and every area above it, nearest first."""
    chain = [area]
    while chain[-1].parent_id is not None:
        chain.append(chain[-1].parent)
    return chain


def city_of(area: Area) -> Area | None:
    return next((a for a in area_ancestors(area) if a.level == Area.Level.KOTA), None)


class Router:
    """The routing decision over preloaded rules and offices.

    Build it once for many decisions (a bulk seed); ``handling_unit_for`` builds a
    small one for a single report.
    """

    def __init__(self, *, rules: list[RoutingRule], units: list[Unit]) -> None:
        self.rules: dict[int, list[RoutingRule]] = {}
        for rule in rules:
            self.rules.setdefault(rule.category_id, []).append(rule)
        self.units = {unit.id: unit for unit in units}
        self.offices = {u.area_id: u for u in units if u.kind == Unit.Kind.KELURAHAN}
        self.branches = {
            (u.parent_id, u.area_id): u for u in units if u.kind == Unit.Kind.SUKU_DINAS
        }

    @classmethod
    def load(cls, *, category=None, kelurahan: Area | None = None) -> "Router":
        rules = RoutingRule.objects.filter(is_active=True).select_related("unit")
        units = Unit.objects.filter(is_active=True)
        if category is not None:
            rules = rules.filter(category=category)
        if kelurahan is not None:
            city = city_of(kelurahan)
            units = units.filter(area__in=[kelurahan, *([city] if city else [])])
            agency = getattr(category, "default_agency_id", None)
            if agency is not None:
                units = units | Unit.objects.filter(pk=agency, is_active=True)
        return cls(rules=list(rules), units=list(units))

    def unit_for(self, *, category, kelurahan: Area) -> Unit:
        """The most specific active rule wins; without one the kelurahan office
        handles the report, as in Jakarta."""
        chain = area_ancestors(kelurahan)
        rank = {area.id: depth for depth, area in enumerate(chain)}
        rules = [
            rule
            for rule in self.rules.get(category.id, [])
            if rule.area_id is None or rule.area_id in rank
        ]
        rules.sort(key=lambda r: rank.get(r.area_id, len(chain)))
        for rule in rules:
            if rule.unit is not None and rule.unit.is_active:
                return rule.unit
            if rule.unit_id is None and category.default_agency_id is not None:
                agency = self._agency_branch(category.default_agency_id, kelurahan)
                if agency is not None:
                    return agency
            # A rule whose unit is closed falls through: the report still lands.
        office = self.offices.get(kelurahan.id)
        if office is None:
            raise NoHandlingUnit(
                _("No active office handles kelurahan %(name)s.")
                % {"name": kelurahan.name}
            )
        return office

    def _agency_branch(self, agency_id: int, area: Area) -> Unit | None:
        """The agency's active branch (suku dinas) in the area's city, else the
        agency itself if active."""
        city = city_of(area)
        branch = self.branches.get((agency_id, city.id if city else None))
        return branch or self.units.get(agency_id)


def handling_unit_for(*, category, kelurahan: Area) -> Unit:
    """The unit that handles a report of ``category`` in ``kelurahan``."""
    router = Router.load(category=category, kelurahan=kelurahan)
    return router.unit_for(category=category, kelurahan=kelurahan)


def area_with_parents(*, area_id: int) -> Area:
    return (
        Area.objects.select_related("parent__parent")
        .defer("boundary", "parent__boundary", "parent__parent__boundary")
        .get(pk=area_id)
    )


# About 1 m: plenty for a map layer, and it keeps the file small (340 kB for the
# 267 kelurahan, 73 kB gzipped).
BOUNDARY_DECIMALS = 5
BOUNDARIES_CACHE_KEY = "routing:kelurahan-boundaries:v1"
# Boundaries change only when the reference data is reloaded.
BOUNDARIES_CACHE_SECONDS = 60 * 60


def _rounded(coordinates):
    if isinstance(coordinates[0], (int, float)):
        return [round(c, BOUNDARY_DECIMALS) for c in coordinates]
    return [_rounded(part) for part in coordinates]


def boundary_geometry(boundary: dict | None) -> dict | None:
    """An area's stored boundary as the public gets it (the map layer and the API):
    a GeoJSON geometry rounded to about a metre; None for an area without one."""
    if not boundary:
        return None
    return {
        "type": boundary["type"],
        "coordinates": _rounded(boundary["coordinates"]),
    }


def _boundaries_build() -> str:
    rows = (
        Area.objects.filter(level=Area.Level.KELURAHAN, boundary__isnull=False)
        .order_by("code")
        .values_list("code", "name", "parent__name", "parent__parent__name", "boundary")
    )
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": code,
                "name": name,
                "kecamatan": kecamatan,
                "kota": kota,
            },
            "geometry": boundary_geometry(boundary),
        }
        for code, name, kecamatan, kota, boundary in rows
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, separators=(",", ":")
    )


def kelurahan_boundaries_geojson() -> str:
    """Every kelurahan's boundary as a GeoJSON FeatureCollection (the text, ready
    to send), from the shared cache: one query when cached, two more when not."""
    text = cache.get(BOUNDARIES_CACHE_KEY)
    if text is None:
        text = _boundaries_build()
        cache.set(BOUNDARIES_CACHE_KEY, text, BOUNDARIES_CACHE_SECONDS)
    return text


def kelurahan_boundaries_forget() -> None:
    """Drop the cached boundaries (after the reference data is reloaded)."""
    cache.delete(BOUNDARIES_CACHE_KEY)
