"""Open311 discovery, the service list and service definitions, in both formats,
held against the specification's examples and the official schemas."""

import pytest

from complaints.models import Category
from tests.open311.spec import (
    BASE,
    DEFINITION_KEYS,
    DISCOVERY_KEYS,
    ENDPOINT_KEYS,
    SERVICE_KEYS,
    answer,
    check_schema,
    child_tags,
    errors_of,
    root_tag,
)

pytestmark = pytest.mark.usefixtures("ref")
FORMATS = ["json", "xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_endpoint_its_specification_and_both_formats(api, fmt):
    response = api.get(f"{BASE}/discovery.{fmt}")

    assert response.status_code == 200
    document = answer(response, fmt)
    assert list(document) == DISCOVERY_KEYS
    assert document["contact"] and document["key_service"]
    [endpoint] = document["endpoints"]
    assert list(endpoint) == ENDPOINT_KEYS
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://testserver/open311/v2",
        "changeset": document["changeset"],
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    if fmt == "xml":
        assert root_tag(response.content) == "discovery"
        assert child_tags(response.content, "endpoints") == ["endpoint"]
        assert child_tags(response.content, "endpoints/endpoint/formats") == [
            "format",
            "format",
        ]


def test_discovery_contact_and_key_service_come_from_the_settings(api, settings):
    settings.WARGA_OPEN311_CONTACT = "api@jakarta.go.id"
    settings.WARGA_OPEN311_KEY_SERVICE = "https://jakarta.go.id/api-key"

    document = api.get(f"{BASE}/discovery.json").json()

    assert document["contact"] == "api@jakarta.go.id"
    assert document["key_service"] == "https://jakarta.go.id/api-key"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_services_are_the_active_categories_as_the_spec_lists_them(api, fmt):
    Category.objects.filter(code="parkir-liar").update(is_active=False)

    response = api.get(f"{BASE}/services.{fmt}")

    assert response.status_code == 200
    services = answer(response, fmt)
    check_schema("services.json", services)
    expected = list(
        Category.objects.filter(is_active=True)
        .order_by("sort_order", "name")
        .values_list("code", flat=True)
    )
    assert [s["service_code"] for s in services] == expected
    assert "parkir-liar" not in expected
    for service in services:
        assert list(service) == SERVICE_KEYS
        assert service["metadata"] is False
        assert service["type"] == "realtime"
    road = next(s for s in services if s["service_code"] == "jalan-rusak")
    assert road == {
        "service_code": "jalan-rusak",
        "service_name": "Damaged road",
        "description": "Jalan berlubang, aspal mengelupas, trotoar rusak.",
        "metadata": False,
        "type": "realtime",
        "keywords": "Jalan rusak, Damaged road",
        "group": "Dinas Bina Marga",
    }
    if fmt == "xml":
        assert root_tag(response.content) == "services"
        assert set(child_tags(response.content, ".")) == {"service"}
        assert child_tags(response.content, "service") == SERVICE_KEYS


def test_service_names_follow_the_clients_language(api):
    indonesian = api.get(f"{BASE}/services.json", HTTP_ACCEPT_LANGUAGE="id").json()
    road = next(s for s in indonesian if s["service_code"] == "jalan-rusak")
    assert road["service_name"] == "Jalan rusak"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_has_no_attributes(api, fmt):
    response = api.get(f"{BASE}/services/sampah.{fmt}")

    assert response.status_code == 200
    definition = answer(response, fmt)
    check_schema("service-definition.json", definition)
    assert list(definition) == DEFINITION_KEYS
    assert definition == {"service_code": "sampah", "attributes": []}
    if fmt == "xml":
        assert response.content.endswith(
            b"<service_definition><service_code>sampah</service_code>"
            b"<attributes /></service_definition>"
        )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["no-such-service", "parkir-liar", "a%00b"])
def test_an_unknown_or_closed_service_is_a_404_in_the_spec_format(api, fmt, code):
    Category.objects.filter(code="parkir-liar").update(is_active=False)

    response = api.get(f"{BASE}/services/{code}.{fmt}")

    assert response.status_code == 404
    [error] = errors_of(response, fmt)
    assert "No service has the code" in error["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_address_outside_the_spec_is_a_404_in_the_spec_format(api, fmt):
    response = api.get(f"{BASE}/reports/all.{fmt}")

    assert response.status_code == 404
    [error] = errors_of(response, fmt)
    assert "discovery, services" in error["description"]


def test_without_a_format_suffix_the_404_is_xml(api):
    response = api.get(f"{BASE}/services")
    assert response.status_code == 404
    errors_of(response, "xml")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_suffix_decides_the_format_whatever_the_client_accepts(api, fmt):
    response = api.get(
        f"{BASE}/services.{fmt}?format=api", HTTP_ACCEPT="application/yaml"
    )
    assert response.status_code == 200
    answer(response, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("method", ["post", "put", "delete", "options"])
def test_a_method_the_spec_does_not_define_is_a_405_in_the_spec_format(
    api, fmt, method
):
    response = getattr(api, method)(f"{BASE}/services.{fmt}")

    assert response.status_code == 405
    errors_of(response, fmt)
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("fmt", FORMATS)
def test_reading_is_limited_per_client_ip(api, settings, fmt):
    settings.WARGA_OPEN311_RATE_GET = "2/minute"

    statuses = [api.get(f"{BASE}/services.{fmt}").status_code for _ in range(3)]
    other_ip = api.get(f"{BASE}/services.{fmt}", REMOTE_ADDR="10.9.8.7")

    assert statuses == [200, 200, 429]
    [error] = errors_of(api.get(f"{BASE}/discovery.{fmt}"), fmt)
    assert error["code"] == 429
    assert other_ip.status_code == 200


def test_listing_the_services_takes_the_same_queries_however_many(
    api, django_assert_max_num_queries
):
    # One for the services; the rest count this client's requests (the limit).
    with django_assert_max_num_queries(7) as few:
        assert api.get(f"{BASE}/services.json").status_code == 200
    agency = Category.objects.exclude(default_agency=None).first().default_agency
    Category.objects.bulk_create(
        Category(code=f"extra-{n}", name=f"Extra {n}", default_agency=agency)
        for n in range(10)
    )
    with django_assert_max_num_queries(len(few)):
        assert len(api.get(f"{BASE}/services.json").json()) >= 10
