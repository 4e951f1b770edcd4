"""The public map on the home page, in a real browser with every tile server out of
reach: the markers come from our own data, so they show all the same."""

import pytest

from tests.factories import KUNINGAN, MONAS
from tests.transparency.test_map_api import reports_at
from transparency.selectors import map as map_selectors

pytestmark = [
    pytest.mark.usefixtures("ref"),
    pytest.mark.django_db(transaction=True),
]
DESKTOP = {"width": 1280, "height": 800}
SENAYAN = (-6.2183, 106.8020)
READY = "[data-portal-map][data-state=ready]"


@pytest.fixture
def reports():
    return {
        "red": reports_at(MONAS, "new")[0],
        "yellow": reports_at(KUNINGAN, "in_process")[0],
        "green": reports_at(SENAYAN, "closed")[0],
    }


@pytest.fixture(params=["phone", "desktop"])
def screen(request, page):
    """The phone-sized page, or a new one the size of a laptop screen."""
    if request.param == "phone":
        return request.param, page
    context = page.context.browser.new_context(viewport=DESKTOP, locale="en-US")
    context.route("https://**/*", lambda route: route.abort())
    return request.param, context.new_page()


def box(page, selector):
    return page.locator(selector).bounding_box()


def test_the_home_page_shows_the_reports_on_the_map_without_tiles(
    live_server, screen, reports
):
    size, page = screen
    page.goto(live_server.url + "/")
    page.wait_for_selector(READY)

    for colour in ("red", "yellow", "green"):
        assert page.locator(f".map-point-{colour}").count() == 1
    assert page.locator(".map-legend li").count() == 4
    no_sideways_scroll = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_sideways_scroll)
    the_map, latest = box(page, ".home-map"), box(page, ".home-latest")
    if size == "desktop":
        assert latest["x"] >= the_map["x"] + the_map["width"]  # side by side
        assert abs(latest["y"] - the_map["y"]) < 5
    else:
        assert latest["y"] >= the_map["y"] + the_map["height"]  # stacked


def test_a_point_opens_a_popup_that_leads_to_the_report(live_server, page, reports):
    page.goto(live_server.url + "/")
    page.wait_for_selector(READY)

    page.locator(".map-point-green").click()

    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert reports["green"].title in popup.text_content()
    assert "Done" in popup.text_content()
    page.click(".leaflet-popup-content a")
    page.wait_for_url(live_server.url + reports["green"].get_absolute_url())


def test_many_reports_show_as_clusters_and_a_click_zooms_in(
    live_server, page, reports, monkeypatch
):
    monkeypatch.setattr(map_selectors, "POINTS_UNDER", 1)
    reports_at(MONAS, "new", "in_process", "done", "rejected")
    page.goto(live_server.url + "/")
    page.wait_for_selector(READY)
    clusters = page.locator(".map-cluster")
    assert clusters.count() >= 2
    assert page.locator(".map-point").count() == 0
    assert "7 reports" in page.text_content("[data-map-status]")
    biggest = clusters.first  # the server sends the biggest first
    assert biggest.text_content().strip() == "5"

    biggest.click()

    page.wait_for_function(
        "document.querySelector('[data-portal-map]').dataset.state === 'loading'"
    )
    page.wait_for_selector(READY)
    assert page.locator(".map-cluster, .map-point").count() >= 1


def test_the_kelurahan_boundaries_show_when_asked_for(live_server, page, reports):
    page.goto(live_server.url + "/")
    page.wait_for_selector(READY)
    drawn_before = page.locator(".leaflet-boundaries-pane path").count()

    page.locator(".leaflet-control-layers-toggle").tap()
    page.get_by_label("Kelurahan boundaries").check()

    page.wait_for_selector("[data-portal-map][data-boundaries=ready]")
    assert drawn_before == 0
    assert page.locator(".leaflet-boundaries-pane path").count() > 0
    for colour in ("red", "yellow", "green"):
        assert page.locator(f".map-point-{colour}").count() == 1
