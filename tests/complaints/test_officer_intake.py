"""Officers type in reports from desks, the phone, letters and the press."""

import pytest
from django.urls import reverse

from complaints.models import Channel, Report
from routing.models import Area
from tests.factories import GAMBIR_CODE, citizen, officer

pytestmark = pytest.mark.usefixtures("ref")
URL = reverse("complaints:officer-report-create")


def walk_in(**overrides):
    data = {
        "channel": Channel.objects.get(code="desk-kelurahan").pk,
        "category": Report._meta.get_field("category")
        .related_model.objects.get(code="saluran-air")
        .pk,
        "title": "Got mampet di RT 05",
        "description": "Warga datang ke kantor kelurahan melaporkan got mampet.",
        "kelurahan": Area.objects.get(code=GAMBIR_CODE).pk,
        "reporter_name": "Pak RT",
        "reporter_phone": "0812000000",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_officer_files_a_walk_in_report_without_photo_or_pin(client):
    clerk = officer()
    client.force_login(clerk)

    response = client.post(URL, walk_in())

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.channel.code == "desk-kelurahan"
    assert report.area.code == GAMBIR_CODE
    assert report.location_source == Report.LocationSource.AREA
    assert report.latitude is None
    assert report.entered_by == clerk
    assert report.reporter is None
    assert report.handling_unit.code == "KEL-" + GAMBIR_CODE


def test_the_officer_form_offers_only_offline_channels(client):
    client.force_login(officer())
    page = client.get(URL)
    offered = set(
        page.context["form"].fields["channel"].queryset.values_list("code", flat=True)
    )
    assert {"desk-kelurahan", "phone", "letter", "media"} <= offered
    assert "qlue" not in offered and "web" not in offered


def test_an_officer_report_needs_a_place(client):
    client.force_login(officer())
    response = client.post(URL, walk_in(kelurahan=None))
    assert response.status_code == 400
    assert "Where is it?" in " ".join(response.context["form"].location_errors())
    assert Report.objects.count() == 0


def test_citizens_cannot_use_the_officer_form(client):
    client.force_login(citizen())
    assert client.get(URL).status_code == 403
    assert client.post(URL, walk_in()).status_code == 403
    assert Report.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_kelurahan_an_officer_chooses_beats_the_photos_gps(client):
    from tests.factories import KUNINGAN_TIMUR_CODE, MONAS_DMS, image_bytes, upload

    client.force_login(officer())
    response = client.post(
        URL,
        walk_in(
            kelurahan=Area.objects.get(code=KUNINGAN_TIMUR_CODE).pk,
            photos=[upload(image_bytes(gps=MONAS_DMS))],
        ),
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.area.code == KUNINGAN_TIMUR_CODE
    assert report.location_source == Report.LocationSource.AREA


def test_walk_in_reporters_are_anonymous_on_the_public_site_by_default(client):
    client.force_login(officer())
    form = client.get(URL).context["form"]
    assert not form["public_name"].value()


def test_officers_find_the_form_in_the_top_bar_and_citizens_do_not(client):
    client.force_login(officer())
    assert URL in client.get("/").content.decode()
    client.force_login(citizen())
    assert URL not in client.get("/").content.decode()
