import math

import pytest
from shapely.geometry import shape
from shapely.ops import unary_union

from routing.locator import OutsideJakarta, locate_kelurahan
from routing.models import Area
from tests.factories import BANDUNG, GAMBIR_CODE, KUNINGAN, KUNINGAN_TIMUR_CODE, MONAS

pytestmark = pytest.mark.usefixtures("ref")


def code_at(lat, lng) -> str:
    return Area.objects.get(
        pk=locate_kelurahan(latitude=lat, longitude=lng).area_id
    ).code


def test_a_point_resolves_to_the_kelurahan_whose_polygon_contains_it():
    assert code_at(*MONAS) == GAMBIR_CODE
    assert code_at(*KUNINGAN) == KUNINGAN_TIMUR_CODE


def test_every_kelurahan_centre_that_lies_in_its_polygon_resolves_to_itself():
    checked = 0
    for area in Area.objects.filter(level="kelurahan"):
        polygon = shape(area.boundary)
        point = polygon.representative_point()
        assert code_at(point.y, point.x) == area.code
        checked += 1
    assert checked == 267


def test_a_point_in_a_gap_just_outside_the_polygons_takes_the_nearest_kelurahan():
    polygons = {
        a.code: shape(a.boundary) for a in Area.objects.filter(level="kelurahan")
    }
    jakarta = unary_union(list(polygons.values()))
    # 150 m outside the mainland's outline: in no polygon, but clearly Jakarta's.
    outside = (
        jakarta.buffer(150 / 111_320).exterior
        if jakarta.geom_type == "Polygon"
        else (max(jakarta.buffer(150 / 111_320).geoms, key=lambda g: g.area).exterior)
    )
    point = outside.interpolate(0.37, normalized=True)
    assert not any(p.contains(point) for p in polygons.values())
    nearest = min(polygons, key=lambda code: polygons[code].distance(point))

    located = locate_kelurahan(latitude=point.y, longitude=point.x)

    assert not located.exact
    assert Area.objects.get(pk=located.area_id).code == nearest


@pytest.mark.parametrize(
    "lat, lng",
    [BANDUNG, (-6.40, 106.70), (0.0, 0.0), (-5.2, 106.6)],
    ids=["bandung", "south-tangerang", "null-island", "open-sea"],
)
def test_a_point_outside_dki_jakarta_is_refused_with_a_clear_message(lat, lng):
    with pytest.raises(OutsideJakarta, match="outside DKI Jakarta"):
        locate_kelurahan(latitude=lat, longitude=lng)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_coordinates_are_refused(value):
    with pytest.raises(OutsideJakarta):
        locate_kelurahan(latitude=value, longitude=106.8)
