"""Reads: where a report goes."""

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
