"""Intake when the database fails: clear answers, and files kept or removed by
whether the report may have been saved.

The real thing (PostgreSQL killed under load) is tests/config/test_faults.py; these
simulate the failures at the exact points that matter, on every database.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.models import Report, ReportPhoto
from complaints.services import intake
from complaints.services.photo_audit import photo_files_audit
from tests.factories import KUNINGAN, image_bytes, integrator, report_filed, upload

pytestmark = pytest.mark.usefixtures("ref")
LOST = "server closed the connection unexpectedly"


def test_a_connection_lost_before_commit_saves_nothing_and_leaves_no_file(
    media_files, monkeypatch
):
    def lost(**kwargs):
        raise OperationalError(LOST)

    monkeypatch.setattr(intake, "map_cells_report_filed", lost)

    with pytest.raises(OperationalError):
        report_filed()

    assert not Report.objects.exists() and not ReportPhoto.objects.exists()
    assert media_files() == []


@pytest.mark.django_db(transaction=True)
def test_a_commit_whose_outcome_is_unknown_keeps_the_files_for_the_audit(
    media_files, monkeypatch, caplog
):
    """PostgreSQL may have written the report before the connection broke: deleting
    its photo then would leave a report pointing at nothing. The files stay, and
    if the report was not saved after all the audit reports them as orphans."""

    def commit_lost():
        raise OperationalError(LOST)

    monkeypatch.setattr(connection, "commit", commit_lost)

    with pytest.raises(OperationalError):
        report_filed()
    monkeypatch.undo()

    assert not Report.objects.exists()
    assert len(media_files()) == 2, "image and thumbnail kept"
    assert "commit outcome unknown" in caplog.text
    audit = photo_files_audit(grace=timedelta(0))
    assert sorted(audit.orphans) == sorted(
        str(path.relative_to(settings.MEDIA_ROOT)) for path in media_files()
    )


@pytest.fixture
def api():
    _connector, key = integrator(channel_code="qlue")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def database_down(monkeypatch, module: str) -> None:
    def down(**kwargs):
        raise OperationalError(LOST)

    monkeypatch.setattr(f"{module}.report_submit", down)


def test_the_api_answers_503_with_retry_after_when_the_database_is_down(
    api, monkeypatch, media_files
):
    database_down(monkeypatch, "complaints.api.reports")

    response = api.post(
        reverse("api:report-list"),
        {
            "category": "sampah",
            "title": "Sampah",
            "description": "Menumpuk.",
            "latitude": KUNINGAN[0],
            "longitude": KUNINGAN[1],
            "photos": [upload(image_bytes())],
        },
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="retry-me",
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["detail"] == (
        "The service is briefly unavailable: send the request again."
    )
    assert not Report.objects.exists() and media_files() == []


def test_open311_answers_503_in_its_own_format_when_the_database_is_down(
    monkeypatch,
):
    _connector, key = integrator(channel_code="qlue")
    database_down(monkeypatch, "open311.services")

    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "sampah",
            "lat": KUNINGAN[0],
            "long": KUNINGAN[1],
            "description": "Sampah menumpuk.",
        },
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()[0]["code"] == 503
    assert "briefly unavailable" in response.json()[0]["description"]
