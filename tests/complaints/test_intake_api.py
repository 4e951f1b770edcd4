"""Channel connectors file reports through POST /api/v1/reports/."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.models import Report, ReportPhoto
from tests.factories import (
    BANDUNG,
    GAMBIR_CODE,
    KUNINGAN,
    KUNINGAN_TIMUR_CODE,
    MONAS_DMS,
    citizen,
    image_bytes,
    integrator,
    upload,
)

pytestmark = pytest.mark.usefixtures("ref")
URL = reverse("api:report-list")


@pytest.fixture
def api():
    _connector, key = integrator(channel_code="qlue")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def body(**overrides):
    data = {
        "category": "jalan-rusak",
        "title": "Jalan berlubang",
        "description": "Lubang besar di lajur kiri.",
        "latitude": KUNINGAN[0],
        "longitude": KUNINGAN[1],
        "external_id": "QLUE-1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_connector_files_a_report_with_photos(api, media_files):
    response = api.post(
        URL,
        body(photos=[upload(image_bytes()), upload(image_bytes(fmt="PNG"), "b.png")]),
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    report = Report.objects.get(ticket=data["ticket"])
    assert report.channel.code == "qlue"
    assert report.area.code == KUNINGAN_TIMUR_CODE
    assert data["handling_unit"]["code"] == "KEL-" + KUNINGAN_TIMUR_CODE
    assert data["status"] == "new"
    assert len(data["photos"]) == 2
    assert report.photos.count() == 2
    assert "reporter_email" not in data and "reporter_phone" not in data


def test_the_photo_gps_is_the_location_when_no_coordinates_are_sent(api):
    response = api.post(
        URL,
        body(
            latitude=None, longitude=None, photos=[upload(image_bytes(gps=MONAS_DMS))]
        ),
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["area"]["code"] == GAMBIR_CODE
    assert response.json()["location_source"] == "photo"


def test_the_same_external_id_twice_gives_the_same_report(api):
    first = api.post(URL, body(), format="json")
    second = api.post(URL, body(title="Different text, same id"), format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["ticket"] == second.json()["ticket"]
    assert Report.objects.count() == 1


def test_the_same_idempotency_key_twice_gives_the_same_report(api):
    first = api.post(
        URL, body(external_id=""), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = api.post(
        URL, body(external_id=""), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    other = api.post(
        URL, body(external_id=""), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert first.json()["ticket"] == again.json()["ticket"] != other.json()["ticket"]
    assert Report.objects.count() == 2


def test_without_a_key_the_api_refuses(media_files):
    response = APIClient().post(URL, body(), format="json")
    assert response.status_code == 401
    assert Report.objects.count() == 0


def test_a_key_that_is_not_an_integrators_is_refused():
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=citizen()).key}"
    )
    assert client.post(URL, body(), format="json").status_code == 403
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"photos": [upload(b"not an image")]}, "photos"),
        ({"photos": [upload(image_bytes()[:100])]}, "photos"),
        ({"photos": [upload(image_bytes()) for _ in range(6)]}, "photos"),
        ({"latitude": BANDUNG[0], "longitude": BANDUNG[1]}, "location"),
        ({"latitude": "NaN"}, "latitude"),
        ({"latitude": "dekat pasar"}, "latitude"),
        ({"latitude": None, "longitude": None}, "location"),
        ({"title": None}, "title"),
        ({"category": "no-such-category"}, "category"),
        ({"description": "x" * 50_000}, "description"),
        ({"description": "Sampah\x00menumpuk"}, "description"),
    ],
    ids=[
        "not-an-image",
        "truncated",
        "too-many-files",
        "outside-jakarta",
        "nan",
        "text-coordinate",
        "no-location",
        "missing-title",
        "unknown-category",
        "50kB-description",
        "null-byte",
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_saves_nothing(
    api, media_files, overrides, field
):
    response = api.post(URL, body(**overrides), format="multipart")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Report.objects.count() == 0
    assert ReportPhoto.objects.count() == 0
    assert media_files() == []


def test_markup_in_the_text_is_stored_as_written(api):
    """Escaped where it is shown (tests/complaints/test_text_fields.py)."""
    text = "<img src=x onerror=alert(1)>"
    response = api.post(URL, body(title=text, description=text), format="json")
    assert response.status_code == 201, response.json()
    report = Report.objects.get()
    assert (report.title, report.description) == (text, text)


def test_an_email_longer_than_the_column_is_a_400(api):
    long_email = "a" * 60 + "@" + ("b" * 60 + ".") * 4 + "com"
    response = api.post(URL, body(reporter_email=long_email), format="json")
    assert response.status_code == 400
    assert "reporter_email" in response.json()


def test_api_reporters_stay_anonymous_unless_the_channel_passes_a_public_name(api):
    api.post(URL, body(reporter_name="Budi"), format="json")
    api.post(URL, body(external_id="QLUE-2", public_name="Warga RW 05"), format="json")
    assert list(
        Report.objects.order_by("id").values_list("public_name", flat=True)
    ) == ["", "Warga RW 05"]
