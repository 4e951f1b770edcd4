"""Browsing the demo as a citizen, on a phone and on a desktop screen: every colour
with its reason, the clustered map, the statistics with charts, and a report's whole
story. Tile servers are out of reach, as in the other browser tests."""

import io

import pytest
from django.core.management import call_command

from complaints.models import Report, ReportPhoto
from transparency.selectors import map as map_selectors

pytestmark = [
    pytest.mark.usefixtures("ref"),
    pytest.mark.django_db(transaction=True),
]
DESKTOP = {"width": 1280, "height": 800}
READY = "[data-portal-map][data-state=ready]"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
# Each colour and the reasons the public reads for it.
REASONS = {
    "red": ("waiting for", "disposed to", "reopened by the reporter"),
    "yellow": ("being handled by", "is coordinating with"),
    "green": ("done by", "closed"),
    "grey": ("rejected:", "duplicate of"),
}


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", reports=150, stdout=io.StringIO())


@pytest.fixture(params=["phone", "desktop"])
def screen(request, page):
    if request.param == "phone":
        return page
    context = page.context.browser.new_context(viewport=DESKTOP, locale="en-US")
    context.route("https://**/*", lambda route: route.abort())
    return context.new_page()


def test_a_citizen_browses_the_map_the_list_a_report_and_the_statistics(
    live_server, demo, screen, monkeypatch
):
    # The demo holds a few hundred reports; the city holds millions. Cluster early.
    monkeypatch.setattr(map_selectors, "POINTS_UNDER", 20)
    page = screen
    page.goto(live_server.url + "/")
    page.wait_for_selector(READY)
    # All of Jakarta at once: the server sends clusters.
    assert page.locator(".map-cluster").count() >= 1
    assert page.locator(".headline").count() == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    for colour, reasons in REASONS.items():
        page.goto(f"{live_server.url}/reports/?colour={colour}")
        rows = page.locator(".report-row")
        assert rows.count() >= 1, colour
        for i in range(rows.count()):
            row = rows.nth(i)
            assert row.locator(f".status-{colour}").count() == 1
            reason = row.locator(".reason").text_content()
            assert any(r in reason for r in reasons), (colour, reason)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)

    story = (
        Report.objects.filter(
            status=Report.Status.CLOSED, photos__kind=ReportPhoto.Kind.PROOF
        )
        .filter(photos__kind=ReportPhoto.Kind.EVIDENCE)
        .first()
    )
    assert story is not None
    page.goto(live_server.url + "/reports/")
    page.click(".filters summary")
    page.fill("input[name=q]", story.ticket)
    page.locator("#report-filters button[type=submit]").click()
    page.click(f"text={story.title}")
    page.wait_for_url(live_server.url + story.get_absolute_url())
    before, after = page.locator(".before-after figure").all()
    assert before.locator("img").count() >= 1
    assert after.locator("img").count() >= 1
    assert page.locator(".timeline li").count() >= 3
    assert page.locator(".state .status-green").count() == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    page.click(".topbar >> text=Statistics")
    page.wait_for_url("**/stats/")
    page.wait_for_load_state("load")
    assert page.locator("main svg").count() >= 3
    assert page.locator("table.league tbody tr").count() >= 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
