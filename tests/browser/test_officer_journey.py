"""An officer on a phone takes a report from red to green in the back-office."""

import pytest
from django.urls import reverse

from complaints.models import Report
from complaints.public import public_state
from tests.factories import MONAS, image_bytes, officer, report_filed

pytestmark = [
    pytest.mark.usefixtures("ref"),
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "petugas-2026-rahasia"


def fits_the_screen(page) -> bool:
    """Nothing sticks out sideways: no horizontal scrolling on a phone."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def act(page, label):
    page.click(f"details.action summary:has-text('{label}')")
    form = page.locator("details.action[open] form")
    return form


def test_an_officer_on_a_phone_takes_a_report_from_red_to_green(
    live_server, page, tmp_path
):
    report = report_filed(point=MONAS)  # Kelurahan Gambir's
    clerk = officer()
    clerk.set_password(PASSWORD)
    clerk.save()
    assert public_state(report).colour == "red"

    page.goto(live_server.url + reverse("accounts:login") + "?next=/office/")
    page.fill("input[name=username]", clerk.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:not(.link)")
    page.wait_for_url("**/office/")
    assert fits_the_screen(page)
    assert report.ticket in page.text_content(".inbox-rows")

    page.click(f"text={report.ticket}")
    page.wait_for_url(f"**/office/reports/{report.ticket}/")
    assert fits_the_screen(page)
    act(page, "Accept and start work").locator("button[type=submit]").click()
    page.wait_for_selector(".messages")

    proof = tmp_path / "hasil.jpg"
    proof.write_bytes(image_bytes(color=(20, 140, 60)))
    form = act(page, "Post a follow-up")
    assert form.locator("input[name=photos]").get_attribute("capture") == "environment"
    form.locator("textarea[name=note]").fill("Sampah sudah diangkut truk kebersihan.")
    form.locator("input[name=photos]").set_input_files(str(proof))
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".timeline .photos img")

    act(page, "Complete").locator("button[type=submit]").click()
    page.wait_for_selector(".messages")
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert public_state(report).colour == "green"

    # Back in the inbox the report has moved to "awaiting confirmation".
    page.goto(live_server.url + "/office/?tab=awaiting")
    assert report.ticket in page.text_content(".inbox-rows")
    assert fits_the_screen(page)
