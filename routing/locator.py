"""Point → kelurahan, through an in-memory spatial index of the boundaries.

The index is built once per process from the Area rows (an STRtree over 267
polygons) and answers in microseconds; ``locator_reset`` drops it after the
reference data changes.
"""

import math
import threading
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

# Degrees of latitude per metre; Jakarta lies 6° south, where a degree of longitude is
# 99.5 % of a degree of latitude, so one factor serves both for a small search radius.
_DEGREES_PER_METRE = 1 / 111_320


class OutsideJakarta(ValueError):
    """The point is not in DKI Jakarta, nor close enough to a kelurahan."""

    message = _("This location is outside DKI Jakarta. Put the pin inside Jakarta.")


@dataclass(frozen=True)
class Located:
    area_id: int
    exact: bool  # False when the nearest kelurahan was taken (a gap in the polygons)


class _Index:
    def __init__(self, rows: list[tuple[int, dict]]) -> None:
        self.area_ids = [area_id for area_id, _geometry in rows]
        self.geometries = [shape(geometry) for _area_id, geometry in rows]
        for geometry in self.geometries:
            shapely.prepare(geometry)
        self.tree = STRtree(self.geometries)

    def locate(self, latitude: float, longitude: float, max_metres: float) -> Located:
        point = Point(longitude, latitude)
        hits = self.tree.query(point, predicate="intersects")
        if len(hits):
            # Simplified neighbours may overlap a little: take the one whose centre
            # is closest, which is stable and what a person would pick.
            best = min(hits, key=lambda i: self.geometries[i].centroid.distance(point))
            return Located(self.area_ids[best], exact=True)
        nearest = self.tree.query_nearest(
            point, max_distance=max_metres * _DEGREES_PER_METRE
        )
        if len(nearest):
            return Located(self.area_ids[int(nearest[0])], exact=False)
        raise OutsideJakarta(str(OutsideJakarta.message))


_index: _Index | None = None
_lock = threading.Lock()


def _build() -> _Index:
    from routing.models import Area

    rows = list(
        Area.objects.filter(level=Area.Level.KELURAHAN, boundary__isnull=False)
        .order_by("code")
        .values_list("id", "boundary")
    )
    return _Index(rows)


def locate_kelurahan(*, latitude: float, longitude: float) -> Located:
    """The kelurahan holding the point; raises OutsideJakarta when there is none."""
    global _index
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise OutsideJakarta(str(OutsideJakarta.message))
    if _index is None:
        with _lock:
            if _index is None:
                _index = _build()
    return _index.locate(latitude, longitude, settings.WARGA_NEAREST_AREA_METRES)


def locator_reset() -> None:
    global _index
    with _lock:
        _index = None
