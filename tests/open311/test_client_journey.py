"""A 311 client's whole journey, as an existing Open311 app makes it: list the
services, file a request with a photo link, follow it to the end."""

from urllib.parse import urlencode

import pytest
from PIL import Image

from complaints.models import Report
from complaints.services.photos import PhotoUpload
from complaints.workflow import Action, transition
from tests.factories import KUNINGAN, KUNINGAN_TIMUR_CODE, image_bytes, officer
from tests.open311.spec import BASE, check_schema, spark

pytestmark = pytest.mark.usefixtures("ref")
UNIT = "Kelurahan Kuningan Timur"


def read_back(api, ticket: str) -> dict:
    """The request by its id, in JSON and in XML, which must agree."""
    as_json = api.get(f"{BASE}/requests/{ticket}.json")
    as_xml = api.get(f"{BASE}/requests/{ticket}.xml")
    assert as_json.status_code == as_xml.status_code == 200
    [from_json] = as_json.json()
    from_xml = spark(as_xml.content)
    check_schema("requests.json", [from_json])
    check_schema("requests.json", from_xml)
    assert from_xml == [from_json]
    return from_json


def test_a_311_client_files_a_request_with_a_photo_and_follows_it_to_the_end(
    api, client, connector, media_server, media_files
):
    _connector, key = connector
    original = image_bytes(size=(320, 240))
    media_server.routes["/uploads/pothole.jpg"] = (
        200,
        {"Content-Type": "image/jpeg"},
        original,
    )

    # The client shows the services and the user picks one.
    services = api.get(f"{BASE}/services.json").json()
    road = next(s for s in services if s["service_name"] == "Damaged road")
    assert road["metadata"] is False  # no definition to fetch

    # It files the request, as the spec's example does.
    filed = api.post(
        f"{BASE}/requests.xml",
        urlencode(
            {
                "api_key": key,
                "service_code": road["service_code"],
                "lat": KUNINGAN[0],
                "long": KUNINGAN[1],
                "description": "Lubang besar di depan halte, berbahaya bagi motor.",
                "media_url": media_server.url("/uploads/pothole.jpg"),
                "email": "warga@example.com",
            }
        ),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert filed.status_code == 201, filed.content
    [receipt] = spark(filed.content)
    ticket = receipt["service_request_id"]
    assert media_server.hits == {"/uploads/pothole.jpg": 1}
    token = api.get(f"{BASE}/tokens/{receipt['token']}.json").json()
    assert token == [{"service_request_id": ticket, "token": receipt["token"]}]

    # It reads the request back: open, waiting for the kelurahan, with the photo.
    request = read_back(api, ticket)
    assert request["status"] == "open"
    assert request["status_notes"] == f"waiting for {UNIT}"
    assert request["agency_responsible"] == UNIT
    assert request["address_id"] == KUNINGAN_TIMUR_CODE
    assert request["media_url"].startswith("http://testserver/media/")
    photo = client.get(request["media_url"].removeprefix("http://testserver"))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    downloaded = b"".join(photo.streaming_content)
    report = Report.objects.get(ticket=ticket)
    assert downloaded == report.photos.get().image.open("rb").read()
    assert downloaded != original  # re-encoded, its metadata gone
    assert b"secret-software" in original and b"secret-software" not in downloaded
    assert Image.open(report.photos.get().image.path).size == (320, 240)
    assert len(media_files()) == 2  # the photo and its thumbnail

    # An officer of the kelurahan accepts it: still open, now in hand.
    clerk = officer(unit_code="KEL-" + KUNINGAN_TIMUR_CODE)
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    request = read_back(api, ticket)
    assert request["status"] == "open"
    assert request["status_notes"] == f"being handled by {UNIT}"

    # The work is done, with a proof photo: the request is closed.
    transition(
        actor=clerk,
        report_id=report.pk,
        action=Action.COMPLETE,
        photos=[PhotoUpload("after.jpg", image_bytes(color=(10, 200, 10)))],
    )
    request = read_back(api, ticket)
    assert request["status"] == "closed"
    assert request["status_notes"] == (
        f"done by {UNIT}, awaiting the reporter's confirmation"
    )
    # The photo is still the reporter's, not the proof.
    assert read_back(api, ticket)["media_url"] == request["media_url"]
    closed = api.get(f"{BASE}/requests.json?status=closed").json()
    assert [r["service_request_id"] for r in closed] == [ticket]
