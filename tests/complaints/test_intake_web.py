"""A citizen files a report through the public form."""

import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from complaints.models import Report, ReportEvent, ReportPhoto
from tests.factories import (
    BANDUNG,
    GAMBIR_CODE,
    KUNINGAN,
    KUNINGAN_TIMUR_CODE,
    MONAS_DMS,
    citizen,
    image_bytes,
    upload,
)

pytestmark = pytest.mark.usefixtures("ref")
URL = reverse("complaints:report-create")


def form(**overrides):
    data = {
        "category": Report._meta.get_field("category")
        .related_model.objects.get(code="sampah")
        .pk,
        "title": "Sampah menumpuk di depan pasar",
        "description": "Sudah tiga hari tidak diangkut dan mulai bau.",
        "address": "Jl. Medan Merdeka Barat",
        "reporter_name": "Budi",
        "reporter_email": "budi@example.com",
        "photos": [upload(image_bytes(gps=MONAS_DMS), "IMG_0001.JPG")],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def assert_nothing_saved(media_files):
    assert Report.objects.count() == 0
    assert ReportPhoto.objects.count() == 0
    assert ReportEvent.objects.count() == 0
    assert media_files() == []


def test_a_geotagged_photo_lands_at_the_right_kelurahan_without_its_metadata(
    client, media_files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form())

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "complaints:report-submitted", kwargs={"ticket": report.ticket}
    )
    assert report.area.code == GAMBIR_CODE
    assert report.handling_unit.code == "KEL-" + GAMBIR_CODE
    assert report.location_source == Report.LocationSource.PHOTO
    assert report.latitude == pytest.approx(-6.1754, abs=1e-4)
    assert report.status == Report.Status.NEW
    photo = report.photos.get()
    stored = photo.image.read()
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert b"WargaTestPhone" not in stored
    assert photo.gps_latitude == pytest.approx(-6.1754, abs=1e-4)
    kinds = list(report.events.values_list("kind", "unit__code"))
    assert kinds == [("submitted", None), ("routed", "KEL-" + GAMBIR_CODE)]
    # The receipt went out after commit, with the ticket and a tracking link.
    assert len(mail.outbox) == 1
    assert report.ticket in mail.outbox[0].subject
    assert report.get_absolute_url() in mail.outbox[0].body

    page = client.get(response["Location"])
    assert report.ticket in page.content.decode()
    assert report.get_absolute_url() in page.content.decode()


def test_the_map_pin_wins_over_the_photo_gps(client):
    response = client.post(
        URL, form(latitude=KUNINGAN[0], longitude=KUNINGAN[1], location_source="pin")
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.area.code == KUNINGAN_TIMUR_CODE
    assert report.location_source == "pin"


def test_ticket_numbers_are_human_friendly_and_unique(client):
    for _ in range(3):
        client.post(URL, form(photos=[upload(image_bytes(gps=MONAS_DMS))]))
    tickets = list(Report.objects.order_by("id").values_list("ticket", flat=True))
    assert len(set(tickets)) == 3
    prefix, period, number = tickets[0].split("-")
    assert prefix == "JKT" and len(period) == 4 and len(number) == 6
    assert [int(t[-6:]) for t in tickets] == [
        int(number),
        int(number) + 1,
        int(number) + 2,
    ]


def test_a_logged_in_citizen_needs_no_contact_details(client):
    user = citizen()
    client.force_login(user)
    response = client.post(URL, form(reporter_name="", reporter_email=""))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.reporter == user


def test_the_public_page_shows_only_the_name_the_reporter_chose_to_show(client):
    client.post(URL, form(reporter_name="Budi Rahasia"))
    client.post(URL, form(reporter_name="Budi Rahasia", public_name="Warga Menteng"))
    anonymous, named = Report.objects.order_by("id")
    page = client.get(anonymous.get_absolute_url()).content.decode()
    assert "Budi Rahasia" not in page
    assert "budi@example.com" not in page
    assert "Seorang warga" in page or "A citizen" in page
    page = client.get(named.get_absolute_url()).content.decode()
    assert "Warga Menteng" in page
    assert "Budi Rahasia" not in page


def test_a_public_name_longer_than_60_characters_is_refused(client):
    response = client.post(URL, form(public_name="x" * 61))
    assert response.status_code == 400
    assert "public_name" in response.context["form"].errors
    assert not Report.objects.exists()


def _many_photos():
    return [upload(image_bytes(gps=MONAS_DMS), f"p{i}.jpg") for i in range(6)]


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"photos": [upload(b"hello", "x.jpg")]}, "photos", "not a photo"),
        ({"photos": [upload(image_bytes()[:300], "x.jpg")]}, "photos", "damaged"),
        ({"photos": None}, "photos", "at least one photo"),
        ({"photos": "many"}, "photos", "At most 5 photos"),
        ({"photos": [upload(image_bytes())]}, "location", "Where is it?"),
        (
            {"latitude": BANDUNG[0], "longitude": BANDUNG[1]},
            "location",
            "outside DKI Jakarta",
        ),
        ({"latitude": "nan", "longitude": "106.8"}, "location", "Enter a number"),
        (
            {"latitude": "dekat pasar", "longitude": "106.8"},
            "location",
            "Enter a number",
        ),
        ({"latitude": "-6.2"}, "location", "both latitude and longitude"),
        ({"title": ""}, "title", "required"),
        ({"category": ""}, "category", "required"),
        ({"category": "999999"}, "category", "valid choice"),
        ({"description": "x" * 50_000}, "description", "at most 10000"),
        ({"title": "x" * 10_000}, "title", "at most 150"),
        ({"reporter_email": "", "reporter_name": "Budi"}, "reporter_email", "Log in"),
        ({"reporter_email": "not-an-email"}, "reporter_email", "valid email"),
        ({"title": "Sampah\x00"}, "title", "Null characters"),
    ],
    ids=[
        "not-an-image",
        "truncated-image",
        "no-photo",
        "too-many-files",
        "no-location",
        "outside-jakarta",
        "nan-coordinates",
        "text-coordinates",
        "half-a-point",
        "missing-title",
        "missing-category",
        "unknown-category",
        "50kB-description",
        "10000-character-title",
        "no-contact",
        "bad-email",
        "null-byte",
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    client, media_files, overrides, field, message
):
    if overrides.get("photos") == "many":
        overrides = {**overrides, "photos": _many_photos()}

    response = client.post(URL, form(**overrides))

    assert response.status_code == 400
    errors = response.context["form"].errors
    if field == "location":
        shown = " ".join(response.context["form"].location_errors())
    else:
        shown = " ".join(errors.get(field, []))
    assert message.lower() in shown.lower(), errors
    assert message.split()[0].lower() in response.content.decode().lower()
    assert_nothing_saved(media_files)


def test_markup_in_the_title_and_description_is_stored_as_written(client):
    """Text is kept as the citizen wrote it (tests/complaints/test_text_fields.py
    shows it escaped on every page)."""
    description = "<script>alert('x')</script> tolong"
    response = client.post(URL, form(title="<b>Sampah</b>", description=description))

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.title, report.description) == ("<b>Sampah</b>", description)


def test_a_failure_after_the_photos_are_written_leaves_no_file(
    client, media_files, monkeypatch
):
    def explode(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ReportEvent.objects, "bulk_create", explode)

    with pytest.raises(RuntimeError):
        client.post(URL, form())

    assert_nothing_saved(media_files)


def test_the_form_page_shows_the_map_served_from_our_own_static_files(client):
    page = client.get(URL).content.decode()
    assert 'id="map"' in page
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "unpkg" not in page and "cdn" not in page.lower()


def test_a_supervisor_sees_the_report_and_its_clean_photo_in_the_admin(client):
    from django.contrib.auth.models import Group

    from officers.permissions import SUPERVISOR_GROUP
    from tests.factories import user

    client.post(URL, form())
    report = Report.objects.get()
    supervisor = user(is_staff=True)
    supervisor.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
    client.force_login(supervisor)

    listing = client.get(reverse("admin:complaints_report_changelist"))
    page = client.get(reverse("admin:complaints_report_change", args=[report.pk]))

    assert report.ticket in listing.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert report.photos.get().thumbnail.url in html
    assert "Gambir" in html


def _pixel_bomb() -> bytes:
    from tests.complaints.test_photos import _png_header_only

    return _png_header_only(60_000, 60_000)


@pytest.mark.parametrize(
    "photo, message",
    [
        (_pixel_bomb, "too many pixels"),
        (lambda: image_bytes(size=(600, 600)), "larger"),
    ],
    ids=["decompression-bomb", "oversize-file"],
)
def test_bombs_and_oversize_files_are_refused_on_the_form(
    client, media_files, settings, photo, message
):
    settings.WARGA_MAX_PHOTO_BYTES = 4000  # the small test photo stays under it
    response = client.post(
        URL,
        form(photos=[upload(image_bytes(gps=MONAS_DMS)), upload(photo(), "big.png")]),
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["photos"])
    assert_nothing_saved(media_files)


def test_stored_photos_are_served_as_jpeg_that_browsers_will_not_sniff(client):
    client.post(URL, form())
    photo = Report.objects.get().photos.get()
    response = client.get(photo.image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get("/media/../config/settings/base.py").status_code == 404


@pytest.mark.parametrize(
    "name", ["corrupt-exif-struct.jpg", "corrupt-exif-attribute.jpg"]
)
def test_a_photo_with_broken_exif_is_accepted_not_a_crash(client, name):
    from pathlib import Path

    data = (Path(__file__).parent / "data" / name).read_bytes()
    response = client.post(
        URL,
        form(photos=[upload(data, name)], latitude=KUNINGAN[0], longitude=KUNINGAN[1]),
    )
    assert response.status_code == 302
    assert Report.objects.get().photos.count() == 1


def test_an_email_longer_than_the_column_is_a_clear_error(client, media_files):
    long_email = "a" * 60 + "@" + ("b" * 60 + ".") * 4 + "com"
    response = client.post(URL, form(reporter_email=long_email))
    assert response.status_code == 400
    assert response.context["form"].errors["reporter_email"]
    assert_nothing_saved(media_files)


def test_citizens_cannot_file_through_an_officers_channel():
    from complaints.models import Category, Channel
    from complaints.services.intake import report_submit

    with pytest.raises(ValidationError) as refused:
        report_submit(
            actor=citizen(),
            channel=Channel.objects.get(code="desk-kelurahan"),
            category=Category.objects.get(code="sampah"),
            title="Sampah",
            description="Menumpuk",
            latitude=KUNINGAN[0],
            longitude=KUNINGAN[1],
        )
    assert "Only officers" in refused.value.message_dict["channel"][0]
    assert Report.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_report_stays_whole_when_its_receipt_cannot_be_queued(
    client, ref, media_files, monkeypatch
):
    from django.db import OperationalError

    def broken_queue(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("complaints.services.intake.async_task", broken_queue)

    response = client.post(URL, form())

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.photos.count() == 1
    assert len(media_files()) == 2  # the photo and its thumbnail
