"""Fewer twins in a real browser: a citizen about to report a problem that is
already reported nearby supports that report instead."""

import pytest
from django.urls import reverse

from complaints.models import Support
from tests.factories import citizen, report_filed

pytestmark = [
    pytest.mark.usefixtures("ref"),
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "warga-2026-rahasia"
# Where the report form's map opens (complaints.selectors.map_settings): a tap in
# the middle of the map drops the pin here.
MAP_CENTRE = (-6.2, 106.83)


def fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def test_a_citizen_supports_the_report_already_filed_next_to_their_pin(
    live_server, page
):
    existing = report_filed(point=MAP_CENTRE)
    me = citizen()
    me.set_password(PASSWORD)
    me.save()

    page.goto(live_server.url + reverse("accounts:login") + "?next=/lapor/")
    page.fill("input[name=username]", me.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:not(.link)")
    page.wait_for_url("**/lapor/")
    assert page.is_hidden("#twins")

    page.select_option("select[name=category]", label="Garbage")
    page.locator("#map").tap()
    page.wait_for_selector("#twins:not([hidden]) .twin")

    panel = page.locator("#twins")
    assert "Already reported nearby?" in panel.locator("h2").text_content()
    [twin] = panel.locator(".twin").all()
    assert existing.ticket in twin.text_content()
    assert existing.title in twin.text_content()
    assert "Waiting" in twin.locator(".status").text_content()
    assert twin.locator(".status").get_attribute("class") == "status status-red"
    assert "m away" in twin.text_content()
    # The photo is shown: decode() waits for it to load (under load the panel can
    # appear before its image has arrived) and fails if it cannot.
    assert (
        panel.locator(".thumb").evaluate(
            "img => img.decode().then(() => img.naturalWidth, () => 0)"
        )
        > 0
    )
    assert fits_the_screen(page)

    twin.locator("button", has_text="I have this problem too").click()
    page.wait_for_url(f"**{existing.get_absolute_url()}")
    body = page.text_content("body")
    assert "Thank you: your support is counted." in body
    assert "You support this report." in body
    assert Support.objects.filter(report=existing, user=me).exists()


def test_a_visitor_not_logged_in_is_sent_to_log_in_first(live_server, page):
    existing = report_filed(point=MAP_CENTRE)
    page.goto(live_server.url + "/lapor/")
    page.select_option("select[name=category]", label="Garbage")
    page.locator("#map").tap()
    page.wait_for_selector("#twins:not([hidden]) .twin")

    page.click("#twins .twin a.twin-support")
    page.wait_for_url("**" + reverse("accounts:login") + "?next=*")
    assert existing.get_absolute_url() in page.url.replace("%2F", "/")
    assert not Support.objects.exists()


def test_choosing_another_category_hides_the_panel(live_server, page):
    report_filed(point=MAP_CENTRE)
    page.goto(live_server.url + "/lapor/")
    page.locator("#map").tap()
    page.select_option("select[name=category]", label="Garbage")
    page.wait_for_selector("#twins:not([hidden]) .twin")

    page.select_option("select[name=category]", label="Damaged road")
    page.wait_for_selector("#twins", state="hidden")
    assert page.locator("#twins .twin").count() == 0
