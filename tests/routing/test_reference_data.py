from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from complaints.models import Category, Channel
from routing.models import Area, RoutingRule, Unit
from routing.selectors import BOUNDARIES_CACHE_KEY, kelurahan_boundaries_geojson
from routing.services import areas_load

pytestmark = pytest.mark.usefixtures("ref")


def test_the_whole_of_jakarta_is_loaded_with_codes_and_postal_codes():
    assert Area.objects.filter(level="kota").count() == 6
    assert Area.objects.filter(level="kecamatan").count() == 44
    assert Area.objects.filter(level="kelurahan").count() == 267
    gambir = Area.objects.get(code="31.71.01.1001")
    assert gambir.name == "Gambir"
    assert gambir.parent.name == "Gambir" and gambir.parent.level == "kecamatan"
    assert gambir.parent.parent.name == "Kota Administrasi Jakarta Pusat"
    assert gambir.postal_code == "10110"
    assert not Area.objects.filter(level="kelurahan", postal_code="").exists()
    assert not Area.objects.filter(level="kelurahan", boundary__isnull=True).exists()


def test_every_area_has_an_office_and_every_agency_a_branch_per_city():
    assert Unit.objects.filter(kind="kelurahan").count() == 267
    assert Unit.objects.filter(kind="kecamatan").count() == 44
    assert Unit.objects.filter(kind="kota").count() == 6
    agencies = Unit.objects.filter(kind="dinas")
    names = set(agencies.values_list("name", flat=True))
    for expected in (
        "Dinas Lingkungan Hidup",
        "Dinas Bina Marga",
        "Dinas Perhubungan",
        "Dinas Sumber Daya Air",
        "Dinas Pertamanan dan Hutan Kota",
        "Satuan Polisi Pamong Praja",
        "Dinas Perindustrian dan Energi",
        "Dinas Kesehatan",
        "Dinas Sosial",
    ):
        assert expected in names
    for agency in agencies:
        assert agency.children.filter(kind="sudin").count() == 6
    office = Unit.objects.get(code="KEL-31.71.01.1001")
    assert office.parent.code == "KEC-31.71.01"  # escalation goes up the tree
    assert office.parent.parent.code == "KOTA-31.71"
    assert Unit.objects.get(code="SUDIN-DBM-31.74").name == (
        "Suku Dinas Bina Marga Jakarta Selatan"
    )


def test_categories_and_channels_are_loaded_with_their_service_levels():
    trees = Category.objects.get(code="pohon-tumbang")
    assert trees.default_agency.code == "DINAS-DPHK"
    assert (trees.response_hours, trees.completion_days) == (6, 2)
    assert RoutingRule.objects.filter(category=trees, area__isnull=True).exists()
    for name in (
        "Jalan rusak",
        "Sampah",
        "Parkir liar",
        "PKL liar",
        "Lampu jalan mati",
    ):
        assert Category.objects.filter(name=name).exists()
    assert Channel.objects.get(code="qlue").carries_gps
    assert not Channel.objects.get(code="twitter").carries_gps
    assert Channel.objects.get(code="desk-kelurahan").is_offline


def test_loading_again_changes_nothing_and_keeps_supervisor_edits():
    Category.objects.filter(code="sampah").update(response_hours=12)
    Unit.objects.filter(code="KEL-31.71.01.1001").update(email="gambir@example.go.id")
    before = (Area.objects.count(), Unit.objects.count(), Category.objects.count())

    out = StringIO()
    call_command("load_reference", stdout=out)

    assert (
        Area.objects.count(),
        Unit.objects.count(),
        Category.objects.count(),
    ) == before
    assert Category.objects.get(code="sampah").response_hours == 12
    assert Unit.objects.get(code="KEL-31.71.01.1001").email == "gambir@example.go.id"
    assert "0 created" in out.getvalue()


def test_reloading_the_areas_refreshes_the_public_boundary_layer(ref):
    kelurahan_boundaries_geojson()
    assert cache.get(BOUNDARIES_CACHE_KEY) is not None
    areas_load(update=True)
    assert cache.get(BOUNDARIES_CACHE_KEY) is None
