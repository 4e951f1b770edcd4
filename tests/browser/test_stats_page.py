"""The statistics on a phone: charts drawn by the server, no sideways scroll."""

import io
import os

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ref")]

SCREENSHOTS = os.environ.get("WARGA_SCREENSHOTS")


STICKING_OUT = """
[...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5)
  .map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)
"""


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    # Which elements stick out, to say so when the check fails.
    widest = page.evaluate(STICKING_OUT)
    assert width <= page.viewport_size["width"], (width, widest)


def test_the_statistics_and_the_headline_fit_a_phone(
    live_server, page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", reports=120, stdout=io.StringIO())
    page.context.set_extra_http_headers({"Accept-Language": "en"})

    page.goto(f"{live_server.url}/")
    assert page.locator(".headline .figures dd").count() == 6
    _no_sideways_scroll(page)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/home.png", full_page=True)

    page.goto(f"{live_server.url}/stats/")
    assert page.locator(".chart svg.bar").count() > 20
    assert page.locator("table.league tbody tr").count() > 5
    _no_sideways_scroll(page)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/stats.png", full_page=True)

    # The form works as a plain GET form.
    page.locator("summary", has_text="Year and filters").click()
    page.select_option("select[name=kota]", "31.74")
    page.get_by_role("button", name="Show figures").click()
    # Measured once the new page and its stylesheet have loaded, not mid-way.
    page.wait_for_url("**kota=31.74**")
    page.wait_for_load_state("load")
    assert page.locator("table.league tbody tr").count() >= 1
    _no_sideways_scroll(page)
