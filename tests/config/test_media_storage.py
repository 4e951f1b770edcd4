"""Photos go through Django's storage API only, never a local path, so that S3
(django-storages) can hold them: here the default storage is kept in memory and,
like S3Storage, has no path at all; a report with a photo is filed and shown
everywhere."""

import os

import pytest
from django.core.files.storage import InMemoryStorage, default_storage
from django.urls import reverse
from django.utils._os import safe_join
from rest_framework.test import APIClient

from complaints.models import Category, Report, ReportEvent, ReportPhoto
from tests.factories import MONAS, image_bytes, integrator, upload

pytestmark = pytest.mark.usefixtures("ref")


class PathlessStorage(InMemoryStorage):
    """Files somewhere else, as on S3: ``path()`` raises, as S3Storage's does."""

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    def _relative_path(self, name):  # InMemoryStorage's own use of path()
        return os.path.relpath(safe_join(self.location, name), self.location)


@pytest.fixture
def storage_without_paths(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.PathlessStorage"},
    }
    with pytest.raises(NotImplementedError):
        default_storage.path("anything.jpg")
    return default_storage


def test_a_photo_is_stored_and_shown_without_a_local_file(
    client, media_files, storage_without_paths, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("complaints:report-create"),
            {
                "category": Category.objects.get(code="sampah").pk,
                "title": "Sampah menumpuk di depan pasar",
                "description": "Sudah tiga hari tidak diangkut.",
                "latitude": MONAS[0],
                "longitude": MONAS[1],
                "reporter_name": "Budi",
                "reporter_email": "budi@example.com",
                "photos": [upload(image_bytes(), "IMG_0001.JPG")],
            },
        )

    assert response.status_code == 302
    report = Report.objects.get()
    photo = report.photos.get()
    assert storage_without_paths.exists(photo.image.name)
    assert storage_without_paths.exists(photo.thumbnail.name)
    assert photo.image.read()[:2] == b"\xff\xd8"  # a JPEG, read back by the API
    assert media_files() == []  # nothing on the local disk

    page = client.get(report.get_absolute_url()).content.decode()
    assert photo.thumbnail.url in page or photo.image.url in page
    listing = client.get(reverse("transparency:report-list")).content.decode()
    assert photo.thumbnail.url in listing

    _, key = integrator(channel_code=None, unit_code=report.handling_unit.code)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    detail = api.get(reverse("api:report-detail", kwargs={"ticket": report.ticket}))
    assert detail.status_code == 200
    assert photo.image.url in str(detail.json())
    open311 = APIClient().get(f"/open311/v2/requests/{report.ticket}.json")
    assert open311.status_code == 200
    assert photo.image.url in open311.json()[0]["media_url"]


def test_a_refused_report_leaves_no_photo_in_the_storage(
    client, storage_without_paths, monkeypatch
):
    def explode(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ReportEvent.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        client.post(
            reverse("complaints:report-create"),
            {
                "category": Category.objects.get(code="sampah").pk,
                "title": "Sampah menumpuk di depan pasar",
                "description": "Sudah tiga hari tidak diangkut.",
                "latitude": MONAS[0],
                "longitude": MONAS[1],
                "reporter_email": "budi@example.com",
                "photos": [upload(image_bytes(), "IMG_0001.JPG")],
            },
        )

    assert ReportPhoto.objects.count() == 0
    assert _all_files(storage_without_paths, "") == []


def _all_files(storage, folder: str) -> list[str]:
    directories, files = storage.listdir(folder)
    found = [f"{folder}/{name}" for name in files]
    for directory in directories:
        found += _all_files(storage, f"{folder}/{directory}".lstrip("/"))
    return found
