"""Reading service requests: the list with its filters, one request, and tokens,
in both formats, held against the specification and the official schemas."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from complaints.models import Report
from complaints.public import public_point
from complaints.services.photos import PhotoUpload
from complaints.workflow import Action, transition
from officers.models import Membership
from open311.tokens import token_for
from routing.models import Unit
from tests.factories import (
    KUNINGAN_TIMUR_CODE,
    MONAS,
    image_bytes,
    officer,
    report_filed,
)
from tests.open311.spec import (
    BASE,
    JAKARTA_TIME,
    REQUEST_KEYS,
    TOKEN_KEYS,
    answer,
    check_schema,
    child_tags,
    errors_of,
    root_tag,
)

pytestmark = pytest.mark.usefixtures("ref")
FORMATS = ["json", "xml"]
HOME = "KEL-" + KUNINGAN_TIMUR_CODE  # where report_filed puts reports


def ids(requests) -> list[str]:
    return [r["service_request_id"] for r in requests]


def received(report: Report, *, days_ago: int) -> Report:
    Report.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return report


def completed(report: Report) -> Report:
    clerk = officer(unit_code=HOME)
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    transition(
        actor=clerk,
        report_id=report.pk,
        action=Action.COMPLETE,
        photos=[PhotoUpload("after.jpg", image_bytes(color=(10, 200, 10)))],
    )
    return report


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_list_shows_each_public_request_as_the_spec_does(api, fmt):
    report = report_filed()

    response = api.get(f"{BASE}/requests.{fmt}")

    assert response.status_code == 200
    requests = answer(response, fmt)
    check_schema("requests.json", requests)
    [request] = requests
    assert list(request) == REQUEST_KEYS
    report.refresh_from_db()
    local = timezone.get_default_timezone()
    lat, lng = public_point(report.latitude, report.longitude)
    assert request == {
        "service_request_id": report.ticket,
        "status": "open",
        "status_notes": "waiting for Kelurahan Kuningan Timur",
        "service_name": "Garbage",
        "service_code": "sampah",
        "description": "Sudah tiga hari.",
        "agency_responsible": "Kelurahan Kuningan Timur",
        "service_notice": "A first response within 24 hours; done within 3 days.",
        "requested_datetime": report.created_at.astimezone(local).isoformat(
            timespec="seconds"
        ),
        "updated_datetime": report.updated_at.astimezone(local).isoformat(
            timespec="seconds"
        ),
        "expected_datetime": report.completion_due_at.astimezone(local).isoformat(
            timespec="seconds"
        ),
        "address": "Kuningan Timur, Setiabudi, Jakarta Selatan",
        "address_id": KUNINGAN_TIMUR_CODE,
        "zipcode": report.area.postal_code,
        "lat": lat,
        "long": lng,
        "media_url": "http://testserver" + report.photos.get(kind="evidence").image.url,
    }
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert JAKARTA_TIME.fullmatch(request[key]), request[key]
    if fmt == "xml":
        assert root_tag(response.content) == "service_requests"
        assert child_tags(response.content, ".") == ["request"]
        assert child_tags(response.content, "request") == REQUEST_KEYS


def test_the_media_url_downloads_the_stored_photo(api, client):
    report = report_filed()
    [request] = api.get(f"{BASE}/requests.json").json()

    photo = client.get(request["media_url"].removeprefix("http://testserver"))

    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    stored = report.photos.get(kind="evidence").image
    assert b"".join(photo.streaming_content) == stored.open("rb").read()


def test_a_request_without_a_photo_or_a_point_says_null(api, connector):
    _integrator, key = connector
    api.post(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": "sampah",
            "address_id": KUNINGAN_TIMUR_CODE,
            "description": "Sampah di depan kantor kelurahan.",
        },
    )

    [request] = api.get(f"{BASE}/requests.json").json()

    assert (request["lat"], request["long"], request["media_url"]) == (None, None, None)
    check_schema("requests.json", [request])
    xml = api.get(f"{BASE}/requests.xml").content
    assert b"<lat /><long /><media_url /></request>" in xml


def test_the_list_is_newest_first(api):
    older = received(report_filed(), days_ago=2)
    newer = report_filed()
    assert ids(api.get(f"{BASE}/requests.json").json()) == [newer.ticket, older.ticket]


def test_done_closed_and_rejected_reports_are_closed_and_the_rest_open(api):
    waiting = report_filed()
    done = completed(report_filed())
    head = officer(unit_code=HOME, role=Membership.Role.HEAD)
    rejected = report_filed()
    transition(actor=head, report_id=rejected.pk, action=Action.REJECT, reason="spam")

    requests = {
        r["service_request_id"]: r for r in api.get(f"{BASE}/requests.json").json()
    }

    assert requests[waiting.ticket]["status"] == "open"
    assert requests[done.ticket]["status"] == "closed"
    assert requests[done.ticket]["status_notes"] == (
        "done by Kelurahan Kuningan Timur, awaiting the reporter's confirmation"
    )
    assert requests[rejected.ticket]["status"] == "closed"
    assert requests[rejected.ticket]["status_notes"].startswith("rejected: ")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=open", ["waiting", "road"]),
        ("status=closed", ["done"]),
        ("status=open,closed", ["waiting", "done", "road"]),
        ("status=open&status=closed", ["waiting", "done", "road"]),
        ("status=", ["waiting", "done", "road"]),
        ("service_code=sampah", ["waiting", "done"]),
        ("service_code=jalan-rusak", ["road"]),
        ("service_code=jalan-rusak,sampah&status=open", ["waiting", "road"]),
    ],
)
def test_the_list_filters_by_status_and_service_code(api, query, expected):
    reports = {
        "done": completed(received(report_filed(), days_ago=3)),
        "waiting": received(report_filed(), days_ago=2),
        "road": received(report_filed(category_code="jalan-rusak"), days_ago=1),
    }
    wanted = [reports[name].ticket for name in expected]

    found = ids(api.get(f"{BASE}/requests.json?{query}").json())

    assert sorted(found) == sorted(wanted)


def test_without_dates_the_list_covers_the_last_90_days(api):
    recent = received(report_filed(), days_ago=89)
    received(report_filed(), days_ago=91)
    assert ids(api.get(f"{BASE}/requests.json").json()) == [recent.ticket]


def test_the_dates_choose_the_requests_made_between_them(api):
    old = received(report_filed(), days_ago=200)
    received(report_filed(), days_ago=100)
    start = (timezone.now() - timedelta(days=201)).astimezone(UTC)
    end = start + timedelta(days=2)

    both = api.get(
        f"{BASE}/requests.json",
        {
            "start_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_date": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    ).json()
    from_start = api.get(
        f"{BASE}/requests.json",
        {"start_date": start.astimezone().isoformat(timespec="seconds")},
    ).json()

    assert ids(both) == [old.ticket]
    assert ids(from_start) == [old.ticket]  # start_date alone: 90 days from it


def test_service_request_ids_override_every_other_argument(api):
    old = completed(received(report_filed(), days_ago=400))
    other = report_filed()
    report_filed()

    found = api.get(
        f"{BASE}/requests.json",
        {
            "service_request_id": f"{old.ticket},{other.ticket.lower()},JKT-0000-1",
            "status": "open",
            "service_code": "jalan-rusak",
        },
    ).json()

    assert ids(found) == [other.ticket, old.ticket]


def test_dates_far_beyond_any_report_are_read_as_the_calendars_ends(api):
    report_filed()
    for query in (
        "start_date=0001-01-01T00:00:00%2B07:00",
        "end_date=0001-01-01T00:00:00%2B07:00",
        "start_date=9999-12-31T23:59:59-12:00",
    ):
        response = api.get(f"{BASE}/requests.json?{query}")
        assert (response.status_code, response.json()) == (200, []), query


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "query, field",
    [
        ("start_date=yesterday", "start_date"),
        ("start_date=2026-11-01", "start_date"),
        ("start_date=2026-11-01T00:00:00", "start_date"),
        ("end_date=2026-13-01T00:00:00Z", "end_date"),
        ("end_date=2026-11-01T25:00:00%2B07:00", "end_date"),
        ("start_date=2026-11-02T00:00:00Z&end_date=2026-11-01T00:00:00Z", "end_date"),
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "end_date"),
        ("status=pending", "status"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("service_code=a%00b", "service_code"),
    ],
)
def test_unusable_arguments_are_a_400_naming_them(api, fmt, query, field):
    response = api.get(f"{BASE}/requests.{fmt}?{query}")

    assert response.status_code == 400
    [error] = errors_of(response, fmt)
    assert error["description"].startswith(f"{field}: ")


def test_more_requests_than_a_page_holds_come_page_by_page(api, settings):
    settings.WARGA_OPEN311_PAGE_SIZE = 2
    made = [received(report_filed(), days_ago=n) for n in (1, 2, 3)]

    first = api.get(f"{BASE}/requests.json?status=open")
    second = api.get(f"{BASE}/requests.json?status=open&page=2")

    assert ids(first.json()) == [made[0].ticket, made[1].ticket]
    assert first["Link"] == (
        '<http://testserver/open311/v2/requests.json?status=open&page=2>; rel="next"'
    )
    assert ids(second.json()) == [made[2].ticket]
    assert "Link" not in second


def test_the_list_takes_the_same_queries_however_many_requests(
    api, django_assert_max_num_queries
):
    def busy_report():
        report = report_filed()
        clerk = officer(unit_code=HOME)
        transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
        transition(
            actor=clerk,
            report_id=report.pk,
            action=Action.COORDINATE,
            units=[Unit.objects.get(code="KEC-31.74.02")],
        )
        return report

    parent = busy_report()
    duplicate = report_filed()
    transition(
        actor=officer(unit_code=HOME),
        report_id=duplicate.pk,
        action=Action.MERGE,
        parent=parent,
    )
    # The requests; their categories, areas and units (a query each, not joins);
    # their coordinating units; a duplicate's parent and its coordinating units;
    # the rest count this client's requests.
    with django_assert_max_num_queries(13) as few:
        assert len(api.get(f"{BASE}/requests.json").json()) == 2
    for _ in range(4):
        busy_report()
        report_filed(point=MONAS)
    with django_assert_max_num_queries(len(few)):
        requests = api.get(f"{BASE}/requests.xml")
    assert requests.content.count(b"<request>") == 10


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_is_a_list_of_one(api, fmt):
    report = report_filed()
    report_filed()

    response = api.get(f"{BASE}/requests/{report.ticket.lower()}.{fmt}")

    assert response.status_code == 200
    requests = answer(response, fmt)
    check_schema("requests.json", requests)
    assert ids(requests) == [report.ticket]
    assert list(requests[0]) == REQUEST_KEYS


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("ticket", ["JKT-2601-999999", "nothing", "x%00y"])
def test_a_request_that_does_not_exist_is_a_404_in_the_spec_format(api, fmt, ticket):
    response = api.get(f"{BASE}/requests/{ticket}.{fmt}")

    assert response.status_code == 404
    [error] = errors_of(response, fmt)
    assert "No service request has the id" in error["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_gives_back_its_service_request_id(api, fmt):
    report = report_filed()
    token = token_for(report.ticket)

    response = api.get(f"{BASE}/tokens/{token}.{fmt}")

    assert response.status_code == 200
    [found] = answer(response, fmt)
    assert list(found) == TOKEN_KEYS
    assert found == {"service_request_id": report.ticket, "token": token}
    if fmt == "xml":
        assert root_tag(response.content) == "service_requests"
        assert child_tags(response.content, "request") == TOKEN_KEYS


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_forged_or_stale_token_is_a_404(api, fmt):
    report = report_filed()
    forged = token_for(report.ticket)[:-2] + "xx"
    gone = token_for("JKT-2601-999999")

    for token in (forged, gone, "12345"):
        response = api.get(f"{BASE}/tokens/{token}.{fmt}")
        assert response.status_code == 404
        errors_of(response, fmt)


def test_a_page_holds_page_size_requests_up_to_the_specs_1000(api, settings):
    """100 by default (a page of the spec's 1000 took a second to write); a
    client may ask for up to 1000, and the next page's link keeps its size."""
    settings.WARGA_OPEN311_PAGE_SIZE = 2
    for _ in range(3):
        report_filed()

    default = api.get(f"{BASE}/requests.json")
    bigger = api.get(f"{BASE}/requests.json?page_size=3")
    smaller = api.get(f"{BASE}/requests.json?page_size=1")

    assert len(default.json()) == 2
    assert len(bigger.json()) == 3
    assert "Link" not in bigger
    assert len(smaller.json()) == 1
    assert "page_size=1&page=2" in smaller["Link"]
    assert api.get(f"{BASE}/requests.json?page_size=1001").status_code == 400
    assert api.get(f"{BASE}/requests.json?page_size=0").status_code == 400
