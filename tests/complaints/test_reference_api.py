"""The categories (with their service levels) and the channels through the API:
public reference data, readable without a key and with any valid one."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from complaints.models import Category, Channel
from tests.factories import integrator
from tests.routing.test_areas_api import data_queries

pytestmark = pytest.mark.usefixtures("ref")
CATEGORIES = reverse("api:category-list")
CHANNELS = reverse("api:channel-list")


def category_url(code: str) -> str:
    return reverse("api:category-detail", kwargs={"code": code})


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def get_ok(client, url) -> list | dict:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.json()


def test_categories_list_their_service_levels_in_the_forms_order(api):
    categories = get_ok(api, CATEGORIES)

    active = Category.objects.filter(is_active=True)
    assert [c["code"] for c in categories] == [c.code for c in active]
    road = next(c for c in categories if c["code"] == "jalan-rusak")
    category = Category.objects.get(code="jalan-rusak")
    assert road == {
        "code": "jalan-rusak",
        "name": "Damaged road",
        "description": category.description,
        "response_hours": category.response_hours,
        "completion_days": category.completion_days,
        "default_agency": (
            category.default_agency.code if category.default_agency else None
        ),
    }


def test_one_category_is_read_by_its_code(api):
    assert get_ok(api, category_url("sampah"))["name"] == "Garbage"


def test_category_names_are_indonesian_when_the_reader_asks_for_it():
    indonesian = APIClient(HTTP_ACCEPT_LANGUAGE="id")
    no_preference = APIClient()

    assert get_ok(indonesian, category_url("sampah"))["name"] == "Sampah"
    names = {c["code"]: c["name"] for c in get_ok(no_preference, CATEGORIES)}
    assert names["jalan-rusak"] == "Jalan rusak"


def test_an_inactive_category_is_neither_listed_nor_found(api):
    Category.objects.filter(code="sampah").update(is_active=False)

    assert "sampah" not in [c["code"] for c in get_ok(api, CATEGORIES)]
    assert api.get(category_url("sampah")).status_code == 404


def test_an_unknown_category_is_not_found(api):
    response = api.get(category_url("no-such-category"))

    assert response.status_code == 404
    assert "detail" in response.json()


def test_channels_list_the_active_ones_with_what_they_carry(api):
    Channel.objects.filter(code="jaki").update(is_active=False)

    channels = get_ok(api, CHANNELS)

    assert [c["code"] for c in channels] == list(
        Channel.objects.filter(is_active=True).values_list("code", flat=True)
    )
    assert "jaki" not in [c["code"] for c in channels]
    qlue = next(c for c in channels if c["code"] == "qlue")
    channel = Channel.objects.get(code="qlue")
    assert qlue == {
        "code": "qlue",
        "name": channel.name,
        "carries_gps": channel.carries_gps,
        "is_offline": channel.is_offline,
    }
    assert any(c["is_offline"] for c in channels)


@pytest.mark.parametrize(
    "url", [CATEGORIES, CHANNELS, reverse("api:category-detail", args=["sampah"])]
)
def test_each_list_is_one_query_whatever_its_length(api, url):
    with CaptureQueriesContext(connection) as captured:
        get_ok(api, url)

    assert len(data_queries(captured)) == 1


@pytest.mark.parametrize("url", [CATEGORIES, CHANNELS])
def test_reference_lists_are_read_with_any_valid_key_but_not_a_wrong_one(api, url):
    _connector, key = integrator(channel_code=None, unit_code="KEL-31.71.01.1001")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert get_ok(api, url)

    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    response = api.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_readers_are_rate_limited(api, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": None}
    )
    cache.clear()
    try:
        assert api.get(CHANNELS).status_code == 200
        assert api.get(CATEGORIES).status_code == 200
        response = api.get(CHANNELS)
    finally:
        cache.clear()

    assert response.status_code == 429
    assert "detail" in response.json()
