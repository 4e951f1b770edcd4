import pytest

from complaints.models import Category
from routing.models import Area, RoutingRule, Unit
from routing.selectors import handling_unit_for

pytestmark = pytest.mark.usefixtures("ref")


@pytest.fixture
def kuningan_timur():
    return Area.objects.get(code="31.74.02.1008")


def test_by_default_the_kelurahan_of_the_point_handles_the_report(kuningan_timur):
    unit = handling_unit_for(
        category=Category.objects.get(code="sampah"), kelurahan=kuningan_timur
    )
    assert unit.code == "KEL-31.74.02.1008"


def test_a_citywide_rule_sends_the_category_to_its_agency_branch_in_the_city(
    kuningan_timur,
):
    unit = handling_unit_for(
        category=Category.objects.get(code="pohon-tumbang"), kelurahan=kuningan_timur
    )
    assert unit.code == "SUDIN-DPHK-31.74"


def test_the_most_specific_rule_wins(kuningan_timur):
    roads = Category.objects.get(code="jalan-rusak")
    RoutingRule.objects.create(category=roads, area=None)  # all Jakarta → Bina Marga
    kecamatan_office = Unit.objects.get(code="KEC-31.74.02")
    RoutingRule.objects.create(
        category=roads, area=kuningan_timur.parent, unit=kecamatan_office
    )

    assert (
        handling_unit_for(category=roads, kelurahan=kuningan_timur) == kecamatan_office
    )
    elsewhere = Area.objects.get(code="31.71.01.1001")
    assert (
        handling_unit_for(category=roads, kelurahan=elsewhere).code == "SUDIN-DBM-31.71"
    )


def test_an_inactive_rule_is_ignored(kuningan_timur):
    trees = Category.objects.get(code="pohon-tumbang")
    RoutingRule.objects.filter(category=trees).update(is_active=False)
    assert (
        handling_unit_for(category=trees, kelurahan=kuningan_timur).kind == "kelurahan"
    )


def test_a_closed_agency_never_receives_reports_the_kelurahan_does(kuningan_timur):
    Unit.objects.filter(code__contains="DPHK").update(is_active=False)
    unit = handling_unit_for(
        category=Category.objects.get(code="pohon-tumbang"), kelurahan=kuningan_timur
    )
    assert unit.code == "KEL-31.74.02.1008"


def test_without_a_branch_in_the_city_the_agency_itself_handles_it(kuningan_timur):
    Unit.objects.filter(code="SUDIN-DPHK-31.74").update(is_active=False)
    unit = handling_unit_for(
        category=Category.objects.get(code="pohon-tumbang"), kelurahan=kuningan_timur
    )
    assert unit.code == "DINAS-DPHK"
