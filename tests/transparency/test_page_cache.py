"""The server keeps anonymous public pages in the shared cache, and drops them as soon
as what they show changes."""

import pytest
from django.urls import reverse

from complaints.services.comments import comment_add
from complaints.workflow import transition
from tests.factories import KUNINGAN, citizen, officer, report_filed

pytestmark = pytest.mark.usefixtures("ref")
HIT = "X-Warga-Cache"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.WARGA_PAGE_CACHE_SECONDS = 300
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }


def _twice(client, url):
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200, url
    return first, second


@pytest.mark.parametrize(
    "name",
    ["home", "report-list", "stats", "report", "map", "open311-list", "open311-one"],
)
def test_a_second_anonymous_visit_is_answered_from_the_cache_without_sql(
    client, name, django_assert_num_queries
):
    report = report_filed()
    url = {
        "home": reverse("transparency:home"),
        "report-list": reverse("transparency:report-list") + "?colour=red",
        "stats": reverse("transparency:stats"),
        "report": report.get_absolute_url(),
        "map": reverse("transparency:map-data") + "?bbox=106.6,-6.4,107.0,-6.0&zoom=11",
        "open311-list": "/open311/v2/requests.json",
        "open311-one": f"/open311/v2/requests/{report.ticket}.json",
    }[name]
    first = client.get(url)
    assert first.status_code == 200
    assert HIT not in first
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second[HIT] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "public" in second["Cache-Control"]


def test_the_same_query_in_another_order_is_the_same_page(client):
    report_filed()
    url = reverse("transparency:report-list")
    client.get(url + "?colour=red&category=sampah")
    assert client.get(url + "?category=sampah&colour=red")[HIT] == "hit"


def test_each_language_has_its_own_copy(client):
    report = report_filed()
    english = client.get(report.get_absolute_url())
    indonesian = client.get(report.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="id")
    assert HIT not in indonesian
    assert indonesian.content != english.content
    assert client.get(report.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="id")[HIT]


def test_a_logged_in_visitor_is_never_answered_from_the_cache(client):
    report = report_filed()
    client.get(report.get_absolute_url())
    client.force_login(citizen())
    response = client.get(report.get_absolute_url())
    assert HIT not in response
    assert "private" in response["Cache-Control"]


def test_a_personal_page_is_never_stored(client, mailoutbox):
    report = report_filed()
    client.post(
        reverse("transparency:email-link"),
        {"email": "someone.private@example.com", "next": report.get_absolute_url()},
    )
    # The flash message's cookie: this visit is personal, and so is its page.
    response = client.get(report.get_absolute_url())
    assert "someone.private@example.com" in response.content.decode()
    client.cookies.clear()
    response = client.get(report.get_absolute_url())
    assert HIT not in response
    assert "someone.private@example.com" not in response.content.decode()


def test_a_workflow_step_drops_the_report_page_and_the_lists(
    client, django_capture_on_commit_callbacks
):
    report = report_filed()
    other = report_filed(point=KUNINGAN)
    pages = [
        report.get_absolute_url(),
        reverse("transparency:report-list"),
        reverse("transparency:home"),
        f"/open311/v2/requests/{report.ticket}.json",
    ]
    for url in [*pages, other.get_absolute_url()]:
        _twice(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        transition(
            actor=officer(unit_code=report.handling_unit.code),
            report_id=report.pk,
            action="accept",
        )
    for url in pages:
        response = client.get(url)
        assert HIT not in response, url
    page = client.get(report.get_absolute_url()).content.decode().lower()
    assert "in process" in page
    # Another report's page did not change, and is still served from the cache.
    assert client.get(other.get_absolute_url())[HIT] == "hit"


def test_a_comment_drops_the_report_page(client, django_capture_on_commit_callbacks):
    report = report_filed()
    _twice(client, report.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(actor=citizen(), report=report, body="Di depan rumah saya juga.")
    response = client.get(report.get_absolute_url())
    assert HIT not in response
    assert "Di depan rumah saya juga." in response.content.decode()


def test_a_new_report_drops_the_list_and_the_open311_requests(
    client, django_capture_on_commit_callbacks
):
    report_filed()
    for url in (reverse("transparency:report-list"), "/open311/v2/requests.json"):
        _twice(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        newer = report_filed(point=KUNINGAN)
    for url in (reverse("transparency:report-list"), "/open311/v2/requests.json"):
        response = client.get(url)
        assert HIT not in response
        assert newer.ticket in response.content.decode()


def test_turned_off_nothing_is_stored(client, settings):
    settings.WARGA_PAGE_CACHE_SECONDS = 0
    report = report_filed()
    _first, second = _twice(client, report.get_absolute_url())
    assert HIT not in second
    assert "public" in second["Cache-Control"]


def test_posts_are_never_answered_from_the_cache(client):
    client.get("/open311/v2/requests.json")
    response = client.post("/open311/v2/requests.json", {})
    assert HIT not in response
    assert response.status_code == 403  # no api_key
