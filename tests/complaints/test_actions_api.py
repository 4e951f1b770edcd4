"""Workflow actions through /api/v1/reports/{ticket}/actions/{action}/.

The workflow's own rules decide: a unit's system acts as an officer of its unit, a
connector as the reporter of the reports it brought in. Refusals: 400 bad input,
403 not theirs to do, 404 a report they may not see, 409 wrong moment or stale.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.models import Coordination, Report, ReportEvent, ReportPhoto
from tests.factories import KUNINGAN, image_bytes, integrator, report_filed, upload

pytestmark = pytest.mark.usefixtures("ref")
HOME = "KEL-31.74.02.1008"  # Kuningan Timur
BINA_MARGA = "SUDIN-DBM-31.74"
GAMBIR = "KEL-31.71.01.1001"


def client_for(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def act(api, ticket, action, data=None, fmt="json"):
    url = reverse(f"api:report-{action}", kwargs={"ticket": ticket})
    return api.post(url, data or {}, format=fmt)


@pytest.fixture
def unit_api():
    return client_for(integrator(channel_code=None, unit_code=HOME)[1])


@pytest.fixture
def qlue_api():
    return client_for(integrator(channel_code="qlue")[1])


@pytest.fixture
def filed(qlue_api):
    response = qlue_api.post(
        reverse("api:report-list"),
        {
            "category": "sampah",
            "title": "Sampah menumpuk",
            "description": "Sudah tiga hari.",
            "latitude": KUNINGAN[0],
            "longitude": KUNINGAN[1],
        },
        format="json",
    )
    assert response.status_code == 201
    return response.json()["ticket"]


def status_of(ticket: str) -> str:
    return Report.objects.get(ticket=ticket).status


def test_a_report_lives_its_whole_life_through_the_api(
    unit_api, qlue_api, filed, media_files
):
    accepted = act(unit_api, filed, "accept", {"planned_completion": "2099-01-31"})
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "in_process"
    assert accepted.json()["planned_completion_at"].startswith("2099-01-31T17:00")

    follow_up = act(
        unit_api,
        filed,
        "follow-up",
        {"note": "Truk sampah dijadwalkan.", "photos": [upload(image_bytes())]},
        fmt="multipart",
    )
    assert follow_up.status_code == 200, follow_up.json()
    done = act(
        unit_api,
        filed,
        "complete",
        {"photos": [upload(image_bytes(color=(10, 200, 10)))]},
        fmt="multipart",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "done"
    assert (
        ReportPhoto.objects.filter(
            report__ticket=filed, kind=ReportPhoto.Kind.PROOF
        ).count()
        == 2
    )

    # The connector speaks for the citizen who filed through it.
    disputed = act(qlue_api, filed, "dispute", {"note": "Masih ada sampah."})
    assert disputed.status_code == 200, disputed.json()
    assert disputed.json()["status"] == "reopened"
    assert disputed.json()["public"]["colour"] == "red"
    assert act(unit_api, filed, "accept").status_code == 200
    again = act(
        unit_api,
        filed,
        "complete",
        {"photos": [upload(image_bytes(color=(10, 10, 200)))]},
        fmt="multipart",
    )
    assert again.status_code == 200, again.json()
    confirmed = act(qlue_api, filed, "confirm")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "closed"


def test_a_connector_may_not_do_the_units_work(qlue_api, filed):
    response = act(qlue_api, filed, "accept")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert status_of(filed) == "new"


def test_a_unit_system_may_not_confirm_for_the_reporter(unit_api, filed):
    act(unit_api, filed, "accept")
    act(unit_api, filed, "complete", {"photos": [upload(image_bytes())]}, "multipart")

    response = act(unit_api, filed, "confirm")

    assert response.status_code == 403
    assert status_of(filed) == "done"


def test_an_action_on_a_report_of_another_unit_is_a_404():
    api = client_for(integrator(channel_code=None, unit_code=GAMBIR)[1])
    report = report_filed()

    response = act(api, report.ticket, "accept")

    assert response.status_code == 404
    assert status_of(report.ticket) == "new"


def test_an_action_the_status_does_not_allow_is_a_409(unit_api, filed):
    response = act(unit_api, filed, "complete")

    assert response.status_code == 409
    assert response.json()["code"] == "not_allowed_in_status"


def test_an_action_on_a_stale_version_is_a_409_and_changes_nothing(unit_api, filed):
    version = Report.objects.get(ticket=filed).version
    assert act(unit_api, filed, "accept", {"version": version}).status_code == 200

    response = act(unit_api, filed, "reject", {"version": version, "reason": "spam"})

    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    assert status_of(filed) == "in_process"


@pytest.mark.parametrize(
    "action, data, field",
    [
        ("reject", {"reason": "because"}, "reason"),
        ("reject", {}, "reason"),
        ("dispose", {"unit": BINA_MARGA}, "note"),
        ("dispose", {"unit": "NO-SUCH-UNIT", "note": "x"}, "unit"),
        ("coordinate", {"units": ["NO-SUCH-UNIT"]}, "units"),
        ("accept", {"planned_completion": "not a date"}, "planned_completion"),
        ("accept", {"version": -1}, "version"),
        ("merge", {}, "parent"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    unit_api, filed, action, data, field
):
    events = ReportEvent.objects.count()

    response = act(unit_api, filed, action, data)

    assert response.status_code == 400
    assert field in response.json()
    assert status_of(filed) == "new"
    assert ReportEvent.objects.count() == events


def test_the_workflow_refuses_what_the_serializer_cannot_know(unit_api, filed):
    # The report is already with this unit: the workflow says why, by field.
    response = act(unit_api, filed, "dispose", {"unit": HOME, "note": "Salah."})

    assert response.status_code == 400
    assert "unit" in response.json()["errors"]
    assert status_of(filed) == "new"


def test_disposing_and_coordinating_name_units_by_code(unit_api, filed):
    act(unit_api, filed, "accept")

    response = act(unit_api, filed, "coordinate", {"units": [BINA_MARGA, GAMBIR]})

    assert response.status_code == 200, response.json()
    assert {c["code"] for c in response.json()["coordinating_units"]} == {
        BINA_MARGA,
        GAMBIR,
    }
    assert Coordination.objects.filter(report__ticket=filed).count() == 2


def test_a_proof_photo_that_is_not_an_image_is_a_400_and_leaves_no_file(
    unit_api, filed, media_files
):
    act(unit_api, filed, "accept")
    before = media_files()

    response = act(
        unit_api,
        filed,
        "complete",
        {"photos": [upload(b"<svg onload=alert(1)>", "x.jpg")]},
        fmt="multipart",
    )

    assert response.status_code == 400
    assert status_of(filed) == "in_process"
    assert media_files() == before


def test_a_connector_without_a_key_may_not_act(filed):
    response = APIClient().post(
        reverse("api:report-accept", kwargs={"ticket": filed}), {}, format="json"
    )

    assert response.status_code == 401
    assert status_of(filed) == "new"
