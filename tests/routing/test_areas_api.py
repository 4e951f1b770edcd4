"""The areas (with their boundaries, as GeoJSON) and the units through the API:
public reference data, readable without a key and with any valid one."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from routing.models import Area, Unit
from tests.factories import GAMBIR_CODE, integrator

pytestmark = pytest.mark.usefixtures("ref")
AREAS = reverse("api:area-list")
UNITS = reverse("api:unit-list")


def area_url(code: str) -> str:
    return reverse("api:area-detail", kwargs={"code": code})


def unit_url(code: str) -> str:
    return reverse("api:unit-detail", kwargs={"code": code})


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def get_ok(api, url, params=None) -> dict:
    response = api.get(url, params or {})
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.json()


def data_queries(captured: CaptureQueriesContext) -> list[str]:
    """The queries of the endpoint itself: not the rate limiter's, which counts in
    the database cache."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if "warga_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]


def _decimals(coordinates) -> int:
    if isinstance(coordinates[0], (int, float)):
        return max(len(repr(c).partition(".")[2]) for c in coordinates)
    return max(_decimals(part) for part in coordinates)


# -- areas ---------------------------------------------------------------------


def test_areas_come_as_a_paginated_geojson_feature_collection(api):
    body = get_ok(api, AREAS)

    assert body["type"] == "FeatureCollection"
    assert body["count"] == Area.objects.count()
    assert body["previous"] is None
    assert body["next"].endswith("?page=2")
    assert len(body["features"]) == 50
    codes = [f["id"] for f in body["features"]]
    assert codes == sorted(codes)
    feature = body["features"][0]
    assert set(feature) == {"type", "id", "properties", "geometry"}
    assert feature["type"] == "Feature"
    assert set(feature["properties"]) == {
        "code",
        "name",
        "level",
        "parent",
        "kota",
        "kecamatan",
    }

    second = get_ok(api, AREAS, {"page": 2})
    assert second["previous"] is not None
    assert not {f["id"] for f in second["features"]} & set(codes)


def test_a_kelurahan_is_a_feature_with_its_parents_and_rounded_boundary(api):
    feature = get_ok(api, area_url(GAMBIR_CODE))

    assert feature["id"] == GAMBIR_CODE
    assert feature["properties"] == {
        "code": GAMBIR_CODE,
        "name": "Gambir",
        "level": "kelurahan",
        "parent": "31.71.01",
        "kecamatan": "Gambir",
        "kota": "Kota Administrasi Jakarta Pusat",
    }
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert _decimals(feature["geometry"]["coordinates"]) <= 5


def test_the_boundary_is_the_one_the_public_map_layer_draws(api, client):
    layer = json.loads(client.get(reverse("routing:kelurahan-boundaries")).content)
    on_the_map = next(
        f["geometry"]
        for f in layer["features"]
        if f["properties"]["code"] == GAMBIR_CODE
    )

    assert get_ok(api, area_url(GAMBIR_CODE))["geometry"] == on_the_map


def test_cities_and_the_province_name_what_they_are_in(api):
    city = get_ok(api, area_url("31.71"))["properties"]
    province = get_ok(api, area_url("31"))

    assert (city["level"], city["parent"]) == ("kota", "31")
    assert city["kota"] == "Kota Administrasi Jakarta Pusat"
    assert city["kecamatan"] is None
    assert province["properties"]["parent"] is None
    assert province["properties"]["kota"] is None


def test_an_area_without_a_boundary_has_a_null_geometry(api):
    assert Area.objects.get(code="31").boundary is None

    assert get_ok(api, area_url("31"))["geometry"] is None


def test_areas_are_filtered_by_level_parent_and_name(api):
    cities = get_ok(api, AREAS, {"level": "kota"})["features"]
    assert [f["id"] for f in cities] == [
        "31.01",
        "31.71",
        "31.72",
        "31.73",
        "31.74",
        "31.75",
    ]
    assert all(f["geometry"] for f in cities)

    in_pusat = get_ok(api, AREAS, {"parent": "31.71"})
    assert in_pusat["count"] == Area.objects.filter(parent__code="31.71").count() > 1
    assert {f["properties"]["parent"] for f in in_pusat["features"]} == {"31.71"}
    assert {f["properties"]["level"] for f in in_pusat["features"]} == {"kecamatan"}

    named = get_ok(api, AREAS, {"q": "gAmBiR"})["features"]
    assert [(f["id"], f["properties"]["level"]) for f in named] == [
        ("31.71.01", "kecamatan"),
        (GAMBIR_CODE, "kelurahan"),
    ]
    assert get_ok(api, AREAS, {"q": "gambir", "level": "kelurahan"})["count"] == 1


@pytest.mark.parametrize(
    "params, field",
    [
        ({"level": "nonsense"}, "level"),
        ({"parent": "99.99"}, "parent"),
        ({"q": "a\x00b"}, "q"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "abc"}, "page"),
    ],
)
def test_a_bad_area_filter_or_page_is_refused_with_the_error(api, params, field):
    response = api.get(AREAS, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_page_past_the_last_is_not_found(api):
    assert api.get(AREAS, {"page": 99}).status_code == 404


def test_an_unknown_area_is_not_found(api):
    assert api.get(area_url("99.99")).status_code == 404


def test_the_area_list_costs_the_same_few_queries_for_few_or_many_areas(api):
    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            get_ok(api, AREAS, params)
        return len(data_queries(captured))

    # The count, the page, and the parent's code checked.
    assert queries(level="kota", parent="31") == 3
    assert queries(level="kelurahan", parent="31.71.01") == 3
    assert queries(level="kelurahan") == queries() == 2


def test_one_area_costs_one_query(api):
    with CaptureQueriesContext(connection) as captured:
        get_ok(api, area_url(GAMBIR_CODE))

    assert len(data_queries(captured)) == 1


# -- units ---------------------------------------------------------------------


def test_units_list_their_code_kind_area_parent_and_whether_active(api):
    body = get_ok(api, UNITS)

    assert body["count"] == Unit.objects.count()
    assert len(body["results"]) == 50
    assert set(body["results"][0]) == {
        "code",
        "name",
        "kind",
        "area",
        "parent",
        "active",
    }
    office = get_ok(api, unit_url("KEL-" + GAMBIR_CODE))
    assert office == {
        "code": "KEL-" + GAMBIR_CODE,
        "name": Unit.objects.get(code="KEL-" + GAMBIR_CODE).name,
        "kind": "kelurahan",
        "area": GAMBIR_CODE,
        "parent": "KEC-31.71.01",
        "active": True,
    }


def test_a_closed_unit_is_listed_as_inactive_and_no_email_is_shown(api):
    Unit.objects.filter(code="KEL-" + GAMBIR_CODE).update(
        is_active=False, email="kantor@example.com"
    )

    response = api.get(unit_url("KEL-" + GAMBIR_CODE))

    assert response.json()["active"] is False
    assert "kantor@example.com" not in response.content.decode()


def test_units_are_filtered_by_kind_and_area(api):
    branches = get_ok(api, UNITS, {"kind": "sudin", "area": "31.74"})["results"]

    assert branches
    assert "SUDIN-DBM-31.74" in [u["code"] for u in branches]
    assert {(u["kind"], u["area"]) for u in branches} == {("sudin", "31.74")}
    branch = next(u for u in branches if u["code"] == "SUDIN-DBM-31.74")
    assert branch["parent"] == "DINAS-DBM"
    agencies = get_ok(api, UNITS, {"kind": "dinas"})["results"]
    assert agencies and {u["kind"] for u in agencies} == {"dinas"}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"kind": "nonsense"}, "kind"),
        ({"area": "99.99"}, "area"),
        ({"page": "0"}, "page"),
    ],
)
def test_a_bad_unit_filter_is_refused_with_the_error(api, params, field):
    response = api.get(UNITS, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_an_unknown_unit_is_not_found(api):
    assert api.get(unit_url("NO-SUCH-UNIT")).status_code == 404


def test_the_unit_list_costs_the_same_few_queries_for_few_or_many_units(api):
    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            get_ok(api, UNITS, params)
        return len(data_queries(captured))

    assert queries(kind="kota") == queries() == 2
    assert queries(area="31.74") == queries(page=3) + 1 == 3


def test_the_rate_limiter_adds_the_same_queries_to_every_request(api):
    def queries(url, **params) -> int:
        with CaptureQueriesContext(connection) as captured:
            get_ok(api, url, params)
        return len(captured.captured_queries)

    assert queries(AREAS) == queries(AREAS, level="kota") <= 2 + 12
    assert queries(UNITS) <= 2 + 12


# -- who may read --------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [AREAS, UNITS, area_url(GAMBIR_CODE), unit_url("KEL-" + GAMBIR_CODE)]
)
def test_reference_data_is_read_with_any_valid_key_but_not_a_wrong_one(api, url):
    _connector, key = integrator(channel_code="qlue")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(url).status_code == 200

    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    response = api.get(url)
    assert response.status_code == 401
    assert "features" not in response.json() and "code" not in response.json()
