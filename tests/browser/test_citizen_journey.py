"""Real-browser journeys: Debian's Chromium, headless, driven by Playwright."""

import pytest

from complaints.models import Report
from routing.locator import locate_kelurahan
from tests.factories import GAMBIR_CODE, MONAS_DMS, image_bytes

pytestmark = [
    pytest.mark.usefixtures("ref"),
    pytest.mark.django_db(transaction=True),
]


def fill_report(page, tmp_path, *, photo: bytes):
    picture = tmp_path / "IMG_2001.jpg"
    picture.write_bytes(photo)
    page.set_input_files("input[name=photos]", str(picture))
    page.select_option("select[name=category]", label="Garbage")
    page.fill("input[name=title]", "Sampah menumpuk di trotoar")
    page.fill("textarea[name=description]", "Sudah seminggu tidak diangkut.")
    page.fill("input[name=reporter_name]", "Budi")
    page.fill("input[name=reporter_email]", "budi@example.com")


def test_a_citizen_on_a_phone_files_a_report_with_a_map_pin_and_gets_a_ticket(
    live_server, page, tmp_path, shot
):
    page.goto(live_server.url + "/lapor/")
    shot(page, "empty-form")
    fill_report(page, tmp_path, photo=image_bytes())
    page.locator("#map").tap()
    page.wait_for_function(
        "document.getElementById('pin-status').textContent.startsWith('Kel.')"
    )
    named = page.text_content("#pin-status")
    lat = float(page.input_value("#id_latitude"))
    lng = float(page.input_value("#id_longitude"))
    shot(page, "filled-with-pin")
    page.click("button[type=submit].big")

    ticket = page.text_content("#ticket").strip()
    shot(page, "ticket")
    report = Report.objects.get(ticket=ticket)
    assert report.location_source == "pin"
    assert report.area_id == locate_kelurahan(latitude=lat, longitude=lng).area_id
    assert f"Kel. {report.area.name}," in named  # named before sending
    page.click("text=Follow this report")
    assert ticket in page.text_content("body")
    shot(page, "report-page")


def test_without_a_pin_the_photos_gps_places_the_report(
    live_server, page, tmp_path, shot
):
    page.goto(live_server.url + "/lapor/")
    fill_report(page, tmp_path, photo=image_bytes(gps=MONAS_DMS))
    page.click("button[type=submit].big")

    ticket = page.text_content("#ticket").strip()
    shot(page, "ticket")
    report = Report.objects.get(ticket=ticket)
    assert report.area.code == GAMBIR_CODE
    assert report.location_source == "photo"


def test_a_bad_file_is_explained_on_the_form(live_server, page, tmp_path, shot):
    page.goto(live_server.url + "/lapor/")
    fill_report(page, tmp_path, photo=b"definitely not a picture")
    page.click("button[type=submit].big")

    assert "not a photo we can read" in page.text_content("body")
    shot(page, "photo-refused")
    assert Report.objects.count() == 0


def test_choosing_a_geotagged_photo_shows_its_place_before_sending(
    live_server, page, tmp_path
):
    page.goto(live_server.url + "/lapor/")
    fill_report(page, tmp_path, photo=image_bytes(gps=MONAS_DMS))

    page.wait_for_function("document.getElementById('pin-status').textContent.length")
    assert "-6.17540, 106.82720" in page.text_content("#pin-status")
    assert page.input_value("#id_latitude") == ""  # the server reads the EXIF itself
