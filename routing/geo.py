"""Distances on the earth for small radii: a bounding box a database can filter on,
then the exact great-circle distance for the few rows inside it."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

# The mean radius of the earth (IUGG), in metres.
EARTH_RADIUS_METRES = 6_371_008.8

K = TypeVar("K")


@dataclass(frozen=True)
class BoundingBox:
    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float


def bounding_box(
    *, latitude: float, longitude: float, metres: float, margin_degrees: float = 0.0
) -> BoundingBox:
    """A box holding every point within ``metres`` of the centre (and
    ``margin_degrees`` more on each side). Near a pole or across the date line it
    takes every longitude rather than be wrong."""
    dlat = math.degrees(metres / EARTH_RADIUS_METRES) + margin_degrees
    cos_lat = math.cos(math.radians(min(abs(latitude) + dlat, 90.0)))
    dlng = 180.0 if cos_lat < 1e-9 else dlat / cos_lat + margin_degrees
    min_lng, max_lng = longitude - dlng, longitude + dlng
    if min_lng < -180 or max_lng > 180:
        min_lng, max_lng = -180.0, 180.0
    return BoundingBox(
        min_latitude=max(latitude - dlat, -90.0),
        max_latitude=min(latitude + dlat, 90.0),
        min_longitude=min_lng,
        max_longitude=max_lng,
    )


def distance_metres(
    latitude_a: float, longitude_a: float, latitude_b: float, longitude_b: float
) -> float:
    """The great-circle (haversine) distance between two points."""
    phi_a, phi_b = math.radians(latitude_a), math.radians(latitude_b)
    dphi = phi_b - phi_a
    dlambda = math.radians(longitude_b - longitude_a)
    h = (
        math.sin(dphi / 2) ** 2
        + math.cos(phi_a) * math.cos(phi_b) * math.sin(dlambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))


def nearest_within(
    points: Iterable[tuple[K, float, float]],
    *,
    latitude: float,
    longitude: float,
    metres: float,
    limit: int,
) -> list[tuple[K, float]]:
    """Of (key, latitude, longitude) points, those within ``metres`` of the centre,
    nearest first (ties in the order given), at most ``limit``:
    [(key, distance), ...]."""
    found = []
    for key, lat, lng in points:
        distance = distance_metres(latitude, longitude, lat, lng)
        if distance <= metres:
            found.append((key, distance))
    found.sort(key=lambda pair: pair[1])
    return found[:limit]
