"""Integrators read reports, their timeline and comments through /api/v1/reports/.

A channel connector sees the reports of its channel; a unit's system sees its
unit's reports, as the unit's officers do; any other ticket is a 404.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from complaints.models import Comment, Report
from complaints.workflow import Action, transition
from tests.factories import (
    KUNINGAN,
    citizen,
    image_bytes,
    integrator,
    officer,
    report_filed,
    upload,
)

pytestmark = pytest.mark.usefixtures("ref")
HOME = "KEL-31.74.02.1008"  # Kuningan Timur, where KUNINGAN is
ELSEWHERE = "KEL-31.71.01.1001"  # Gambir
LIST = reverse("api:report-list")


def client_for(key: str | None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def detail(ticket: str) -> str:
    return reverse("api:report-detail", kwargs={"ticket": ticket})


@pytest.fixture
def qlue():
    connector, key = integrator(channel_code="qlue")
    return connector, client_for(key)


@pytest.fixture
def kelurahan_system():
    system, key = integrator(channel_code=None, unit_code=HOME)
    return system, client_for(key)


def filed_through(api, **extra) -> dict:
    body = {
        "category": "sampah",
        "title": "Sampah menumpuk",
        "description": "Sudah tiga hari.",
        "latitude": KUNINGAN[0],
        "longitude": KUNINGAN[1],
        "reporter_name": "Siti Rahma",
        "reporter_email": "siti@example.com",
        "reporter_phone": "0812000111",
        "address": "Jl. Rasuna Said 5",
        **extra,
    }
    response = api.post(LIST, body, format="multipart")
    assert response.status_code == 201, response.json()
    return response.json()


# -- who may read what ----------------------------------------------------------


def test_a_connector_lists_the_reports_of_its_channel_only(qlue):
    _connector, api = qlue
    mine = filed_through(api)
    report_filed()  # through the web form: not Qlue's

    response = api.get(LIST)

    assert response.status_code == 200
    tickets = [row["ticket"] for row in response.json()["results"]]
    assert tickets == [mine["ticket"]]


def test_a_units_system_lists_its_units_reports_and_not_others(kelurahan_system):
    _system, api = kelurahan_system
    here = report_filed()
    elsewhere = report_filed(point=(-6.1754, 106.8272))  # Monas, Gambir

    tickets = {row["ticket"] for row in api.get(LIST).json()["results"]}

    assert here.ticket in tickets
    assert elsewhere.ticket not in tickets
    assert api.get(detail(elsewhere.ticket)).status_code == 404


def test_a_unit_system_sees_a_report_it_coordinates_on():
    _system, key = integrator(channel_code=None, unit_code=ELSEWHERE)
    api = client_for(key)
    report = report_filed()
    clerk = officer(unit_code=HOME)
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    assert api.get(detail(report.ticket)).status_code == 404

    transition(
        actor=clerk,
        report_id=report.pk,
        action=Action.COORDINATE,
        units=[_system.unit],
    )

    body = api.get(detail(report.ticket)).json()
    assert body["status"] == "coordinated"
    assert body["coordinating_units"] == [
        {"code": ELSEWHERE, "name": _system.unit.name}
    ]


def test_an_unknown_ticket_and_an_unseen_one_answer_the_same_404(qlue):
    _connector, api = qlue
    unseen = report_filed()

    missing = api.get(detail("JKT-2611-999999"))
    hidden = api.get(detail(unseen.ticket))

    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


@pytest.mark.parametrize("url_name", ["list", "detail", "timeline", "comments"])
def test_without_a_key_the_api_answers_401_and_a_citizens_key_403(qlue, url_name):
    report = report_filed()
    url = (
        LIST
        if url_name == "list"
        else reverse(f"api:report-{url_name}", kwargs={"ticket": report.ticket})
    )
    assert client_for(None).get(url).status_code == 401
    assert client_for("not-a-key").get(url).status_code == 401
    citizens_key = Token.objects.create(user=citizen()).key
    assert client_for(citizens_key).get(url).status_code == 403


def test_a_deactivated_integrator_is_refused(qlue):
    connector, api = qlue
    connector.is_active = False
    connector.save()

    assert api.get(LIST).status_code == 403


def test_the_reporters_contact_goes_to_the_filer_and_the_handling_unit_only(
    qlue, kelurahan_system
):
    _connector, api = qlue
    ticket = filed_through(api)["ticket"]
    _system, unit_api = kelurahan_system
    other_connector, other_key = integrator(channel_code="qlue")

    for client in (api, unit_api):
        reporter = client.get(detail(ticket)).json()["reporter"]
        assert reporter == {
            "name": "Siti Rahma",
            "email": "siti@example.com",
            "phone": "0812000111",
            "address": "Jl. Rasuna Said 5",
        }
    # Another Qlue connector sees the channel's report, not the citizen's contact.
    body = client_for(other_key).get(detail(ticket)).json()
    assert body["reporter"] is None
    assert "siti" not in str(body).lower()


def test_a_unit_only_integrator_cannot_file_reports(kelurahan_system):
    _system, api = kelurahan_system

    response = api.post(
        LIST,
        {
            "category": "sampah",
            "title": "Sampah",
            "description": "Menumpuk.",
            "latitude": KUNINGAN[0],
            "longitude": KUNINGAN[1],
        },
    )

    assert response.status_code == 403
    assert "no channel" in response.json()["detail"]
    assert not Report.objects.exists()


# -- the list: filters, pages, cost --------------------------------------------


def test_the_list_filters_by_status_category_and_change_time(kelurahan_system):
    _system, api = kelurahan_system
    waiting = report_filed()
    in_work = report_filed(category_code="jalan-rusak")
    transition(actor=officer(unit_code=HOME), report_id=in_work.pk, action="accept")

    def tickets(**query):
        response = api.get(LIST, query)
        assert response.status_code == 200, response.json()
        return {row["ticket"] for row in response.json()["results"]}

    assert tickets(status="new") == {waiting.ticket}
    assert tickets(status=["new", "in_process"]) == {waiting.ticket, in_work.ticket}
    assert tickets(category="jalan-rusak") == {in_work.ticket}
    assert tickets(colour="yellow") == {in_work.ticket}
    assert tickets(q=waiting.ticket) == {waiting.ticket}
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert tickets(updated_after=later) == set()
    # Empty values filter nothing (the OpenAPI fuzzing found a 500 here).
    assert tickets(status="", external_id="") == {waiting.ticket, in_work.ticket}
    assert tickets(status=["new", ""]) == {waiting.ticket}
    assert tickets(status=["", "new"]) == {waiting.ticket}


def test_filtering_by_status_reads_no_duplicate_rows_to_remove(kelurahan_system):
    """SELECT DISTINCT would make the database sort every match before the page's
    LIMIT: at a million reports, seconds instead of milliseconds."""
    _system, api = kelurahan_system
    report_filed()
    with CaptureQueriesContext(connection) as queries:
        response = api.get(LIST, {"status": ["new", "closed"], "category": "sampah"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    page = [q["sql"] for q in queries if 'FROM "complaints_report"' in q["sql"]]
    assert page
    assert not any("DISTINCT" in sql for sql in page)


@pytest.mark.parametrize(
    "query",
    [
        {"status": "nonsense"},
        {"category": "no-such-category"},
        {"updated_after": "yesterday"},
        {"date_from": "2026-13-01"},
        {"kelurahan": "99.99"},
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(kelurahan_system, query):
    _system, api = kelurahan_system

    response = api.get(LIST, query)

    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_the_list_pages_with_a_cursor(kelurahan_system):
    _system, api = kelurahan_system
    filed = [report_filed().ticket for _ in range(3)]

    first = api.get(LIST, {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    seen = [r["ticket"] for r in first["results"] + second["results"]]
    assert seen == list(reversed(filed))
    assert second["next"] is None
    assert api.get(LIST, {"cursor": "garbage"}).status_code == 404


def test_the_list_costs_the_same_queries_for_one_report_or_many(kelurahan_system):
    _system, api = kelurahan_system
    clerk = officer(unit_code=HOME)

    def coordinated_report():
        report = report_filed()
        transition(actor=clerk, report_id=report.pk, action="accept")
        transition(
            actor=clerk,
            report_id=report.pk,
            action="coordinate",
            units=[officer_unit(ELSEWHERE)],
        )

    def queries_of_the_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(LIST)
        assert response.status_code == 200
        return len(queries)

    coordinated_report()
    one = queries_of_the_list()
    for _ in range(5):
        coordinated_report()
    six = queries_of_the_list()

    # Key, integrator, the page, its category, channel, areas, units and
    # coordinations (a query each, not joins), and the throttle's cache rows.
    assert one == six <= 14
    rows = api.get(LIST).json()["results"]
    assert len(rows) == 6
    assert all(row["public"]["colour"] == "yellow" for row in rows)


def officer_unit(code):
    from routing.models import Unit

    return Unit.objects.get(code=code)


# -- one report, its timeline and comments --------------------------------------


def test_a_report_reads_with_photos_deadlines_and_what_the_key_may_do(
    kelurahan_system,
):
    _system, api = kelurahan_system
    report = report_filed()

    body = api.get(detail(report.ticket)).json()

    assert body["ticket"] == report.ticket
    assert body["status"] == "new"
    assert body["public"]["colour"] == "red"
    assert body["handling_unit"]["code"] == HOME
    assert body["area"]["kecamatan"]["name"] == "Setiabudi"
    assert body["photos"][0]["kind"] == "evidence"
    assert body["photos"][0]["url"].startswith("http://testserver/media/")
    assert body["version"] == report.version
    assert set(body["allowed_actions"]) >= {"accept", "dispose", "merge", "reply"}
    assert "reject" not in body["allowed_actions"]  # a unit head's decision
    assert "confirm" not in body["allowed_actions"]


def test_the_timeline_shows_internal_events_to_the_unit_only(qlue, kelurahan_system):
    _connector, api = qlue
    ticket = filed_through(api)["ticket"]
    report = Report.objects.get(ticket=ticket)
    clerk = officer(unit_code=HOME)
    transition(actor=clerk, report_id=report.pk, action="accept")
    transition(
        actor=clerk,
        report_id=report.pk,
        action="request_extension",
        new_due_at=timezone.now() + timedelta(days=30),
        note="Menunggu alat berat.",
    )
    url = reverse("api:report-timeline", kwargs={"ticket": ticket})

    for_connector = api.get(url).json()
    for_unit = kelurahan_system[1].get(url).json()

    assert [e["kind"] for e in for_connector[:2]] == ["submitted", "routed"]
    assert for_connector[2]["action"] == "accept"
    assert "accepted the report" in for_connector[2]["text"]
    assert all(e["is_public"] for e in for_connector)
    assert len(for_unit) > len(for_connector)
    assert any(not e["is_public"] for e in for_unit)


def test_a_units_system_comments_as_its_unit_and_a_connector_as_the_citizen(
    qlue, kelurahan_system
):
    _connector, api = qlue
    ticket = filed_through(api)["ticket"]
    url = reverse("api:report-comments", kwargs={"ticket": ticket})
    system, unit_api = kelurahan_system

    official = unit_api.post(url, {"body": "Petugas meluncur."}, format="json")
    citizen_said = api.post(
        url, {"body": "Terima kasih.", "display_name": "Siti"}, format="json"
    )

    assert official.status_code == 201, official.json()
    assert official.json()["author"] == system.unit.name
    assert official.json()["official"] is True
    assert citizen_said.status_code == 201
    assert citizen_said.json()["author"] == "Siti"
    assert citizen_said.json()["official"] is False
    listed = api.get(url).json()
    assert [c["body"] for c in listed] == ["Petugas meluncur.", "Terima kasih."]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 2001}, "body"),
        ({"body": "Halo", "display_name": "Kelurahan Gambir"}, "display_name"),
        ({}, "body"),
    ],
)
def test_a_bad_comment_is_a_400_and_nothing_is_saved(qlue, body, field):
    _connector, api = qlue
    ticket = filed_through(api)["ticket"]
    url = reverse("api:report-comments", kwargs={"ticket": ticket})

    response = api.post(url, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Comment.objects.exists()


def test_a_comment_on_an_unseen_report_is_a_404(qlue):
    _connector, api = qlue
    report = report_filed()
    url = reverse("api:report-comments", kwargs={"ticket": report.ticket})

    assert api.post(url, {"body": "Halo"}, format="json").status_code == 404
    assert not Comment.objects.exists()


def test_a_photo_in_a_report_is_uploaded_through_the_photo_service(qlue, media_files):
    _connector, api = qlue

    bad = api.post(
        LIST,
        {
            "category": "sampah",
            "title": "Sampah",
            "description": "Menumpuk.",
            "latitude": KUNINGAN[0],
            "longitude": KUNINGAN[1],
            "photos": [upload(b"not an image at all", "x.jpg")],
        },
        format="multipart",
    )

    assert bad.status_code == 400
    assert "photos" in bad.json()
    assert not Report.objects.exists()
    assert media_files() == []
    good = filed_through(api, photos=[upload(image_bytes(size=(800, 600)))])
    assert good["photos"][0]["width"] == 800
