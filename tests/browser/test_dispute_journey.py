"""A report's whole life in a real browser, each person on a phone of their own
(issue 8, journeys 2 to 4):

2. an officer of the kelurahan accepts the report and disposes it to the suku dinas;
   an officer there posts a follow-up with a proof photo and completes it;
3. the citizen disputes it, and it turns red on the public map; the suku dinas
   completes it again; the citizen confirms and rates it;
4. after every step an anonymous visitor sees the right colour and reason on the
   report's public page and on the public map.

Only the setting up (people, their units, the citizen's report) goes around the
browser; every step of the journeys is a click, a tap or a typed word."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from complaints.models import Report, ReportPhoto, SatisfactionSurvey
from routing.models import Unit
from tests.factories import MONAS, citizen, image_bytes, officer, report_filed

pytestmark = [
    pytest.mark.usefixtures("ref"),
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "journey-2026-rahasia"
KELURAHAN = "KEL-31.71.01.1001"  # Gambir, where Monas is
SUKU_DINAS = "SUDIN-DLH-31.71"  # Lingkungan Hidup, Jakarta Pusat: garbage
READY = "[data-portal-map][data-state=ready]"
# portal-map.js fills each report's circle with its colour.
# The "after" half of the public page: the follow-up's proof photo.
PROOF_SHOWN = ".before-after figure:nth-child(2) img"
HEX = {"red": "#c62828", "yellow": "#f9a825", "green": "#2e7d32"}
MAP_POINTS = """() => [...document.querySelectorAll("[data-portal-map] .map-point")]
  .map((point) => ({
    classes: point.getAttribute("class").split(/\\s+/),
    fill: point.getAttribute("fill"),
  }))"""


@pytest.fixture(autouse=True)
def fresh_limits():
    """Five logins from one address: no rate limit left over from another test."""
    cache.clear()
    yield
    cache.clear()


def fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def person(account):
    account.set_password(PASSWORD)
    account.save()
    return account


def log_in(page, live_server, account, *, next_url: str) -> None:
    page.goto(f"{live_server.url}{reverse('accounts:login')}?next={next_url}")
    page.fill("input[name=username]", account.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:not(.link)")
    page.wait_for_url(f"**{next_url}")


def act(page, label: str):
    """Opens the action ``label`` (a <details> on the page) and returns its form."""
    page.click(f"details.action summary:has-text('{label}')")
    return page.locator("details.action[open] form")


def send(page, form, *, done: str) -> None:
    """Submits ``form`` and waits for the page that says ``done``."""
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f".messages li:has-text('{done}')")


def open_from_inbox(page, report) -> None:
    assert report.ticket in page.text_content(".inbox-rows")
    page.click(f".inbox-rows >> text={report.ticket}")
    page.wait_for_url(f"**/office/reports/{report.ticket}/")


def photo(tmp_path, name: str, colour) -> str:
    path = tmp_path / name
    path.write_bytes(image_bytes(color=colour))
    return str(path)


class Public:
    """An anonymous visitor, on a phone of their own each time (no cookie, nothing
    in the browser's cache), reading the report's page and the home page's map."""

    def __init__(self, live_server, new_page, shot, report):
        self.url = live_server.url
        self.new_page = new_page
        self.shot = shot
        self.report = report

    def sees(
        self, step: str, *, colour: str, label: str, reason: str, also: str = ""
    ) -> None:
        """``also``: a selector that must be on the report's page at this step."""
        page = self.new_page()
        page.goto(self.url + self.report.get_absolute_url())
        state = page.locator("article.report > p.state")
        status = state.locator(".status")
        assert status.get_attribute("class") == f"status status-{colour}", step
        assert status.text_content().strip() == label, step
        assert state.locator(".reason").text_content().strip() == reason, step
        assert status.get_attribute("title") == reason, step
        # The pin on the report's own little map wears the same colour.
        pin = page.wait_for_selector("#report-map .report-pin")
        assert f"report-pin-{colour}" in pin.get_attribute("class").split(), step
        assert pin.get_attribute("fill") == HEX[colour], step
        if also:
            assert page.locator(also).count() >= 1, (step, also)
        assert fits_the_screen(page), step
        self.shot(page, f"{step}-public-report")

        page.goto(self.url + "/")
        page.wait_for_selector(READY)
        [point] = page.evaluate(MAP_POINTS)  # the only report in the city
        assert f"map-point-{colour}" in point["classes"], (step, point)
        assert point["fill"] == HEX[colour], (step, point)
        page.locator(".map-point").click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert self.report.ticket in popup.text_content(), step
        assert popup.locator(f".status-{colour}").text_content() == label, step
        self.shot(page, f"{step}-public-map")
        page.context.close()


def test_a_report_is_disposed_done_disputed_done_again_confirmed_and_rated(
    live_server, new_page, shot, tmp_path
):
    reporter = person(citizen())
    report = report_filed(reporter=reporter, point=MONAS)
    lurah_clerk = person(officer(unit_code=KELURAHAN))
    sudin_clerk = person(officer(unit_code=SUKU_DINAS))
    kelurahan = Unit.objects.get(code=KELURAHAN).name
    sudin = Unit.objects.get(code=SUKU_DINAS).name
    assert report.handling_unit.name == kelurahan
    public = Public(live_server, new_page, shot, report)
    public.sees(
        "filed", colour="red", label="Waiting", reason=f"waiting for {kelurahan}"
    )

    # Journey 2: the kelurahan accepts, then hands the report to the suku dinas.
    lurah = new_page()
    log_in(lurah, live_server, lurah_clerk, next_url="/office/")
    shot(lurah, "kelurahan-inbox")
    open_from_inbox(lurah, report)
    send(lurah, act(lurah, "Accept and start work"), done="accepted the report")
    shot(lurah, "kelurahan-accepted")
    public.sees(
        "accepted",
        colour="yellow",
        label="In process",
        reason=f"being handled by {kelurahan}",
    )

    form = act(lurah, "Dispose to another unit")
    form.locator("select[name=unit]").select_option(label=sudin)
    form.locator("textarea[name=note]").fill(
        "Sampah liar di taman kota: wewenang Suku Dinas Lingkungan Hidup."
    )
    shot(lurah, "kelurahan-disposing")
    send(lurah, form, done=f"disposed the report to {sudin}")
    # The sender still sees the report until the suku dinas takes it, but may no
    # longer act on it.
    assert f"{sudin} (disposed by {kelurahan})" in lurah.text_content("dl.facts")
    assert lurah.locator("details.action").count() == 0
    shot(lurah, "kelurahan-disposed")
    public.sees(
        "disposed", colour="red", label="Waiting", reason=f"disposed to {sudin}"
    )

    sudin_page = new_page()
    log_in(sudin_page, live_server, sudin_clerk, next_url="/office/")
    shot(sudin_page, "sudin-inbox")
    open_from_inbox(sudin_page, report)
    assert f"disposed by {kelurahan}" in sudin_page.text_content("dl.facts")
    send(
        sudin_page,
        act(sudin_page, "Accept the disposition"),
        done="accepted the disposition",
    )
    shot(sudin_page, "sudin-accepted")
    public.sees(
        "sudin-accepted",
        colour="yellow",
        label="In process",
        reason=f"being handled by {sudin}",
    )

    form = act(sudin_page, "Post a follow-up")
    form.locator("textarea[name=note]").fill("Sampah sudah diangkut truk kebersihan.")
    form.locator("input[name=photos]").set_input_files(
        photo(tmp_path, "diangkut.jpg", (20, 140, 60))
    )
    send(sudin_page, form, done=f"Follow-up by {sudin}")
    sudin_page.wait_for_selector(".timeline .photos img")
    shot(sudin_page, "sudin-follow-up")
    public.sees(
        "follow-up",
        colour="yellow",
        label="In process",
        reason=f"being handled by {sudin}",
        also=PROOF_SHOWN,
    )

    send(sudin_page, act(sudin_page, "Complete"), done="marked the report as done")
    shot(sudin_page, "sudin-completed")
    public.sees(
        "done",
        colour="green",
        label="Done",
        reason=f"done by {sudin}, awaiting the reporter's confirmation",
    )

    # Journey 3: the reporter is not satisfied and says why.
    warga = new_page()
    log_in(warga, live_server, reporter, next_url=reverse("accounts:my-reports"))
    shot(warga, "citizen-my-reports")
    warga.click(f"text={report.title}")
    warga.wait_for_url(f"**{report.get_absolute_url()}")
    after = warga.locator(".before-after figure").nth(1)
    assert after.locator("img").count() == 1  # the proof photo, for all to judge
    form = act(warga, "Dispute the follow-up")
    form.locator("textarea[name=note]").fill(
        "Masih ada tumpukan sampah di sudut taman."
    )
    shot(warga, "citizen-disputing")
    send(warga, form, done="disputed the follow-up")
    assert "Masih ada tumpukan sampah di sudut taman." in warga.text_content(
        ".timeline"
    )
    shot(warga, "citizen-disputed")
    public.sees(
        "disputed",
        colour="red",
        label="Waiting",
        reason=f"reopened by the reporter, back with {sudin}",
        also=".timeline blockquote:has-text('Masih ada tumpukan sampah')",
    )

    # The suku dinas takes it up again; completing needs new proof.
    sudin_page.goto(live_server.url + "/office/")
    shot(sudin_page, "sudin-inbox-reopened")
    open_from_inbox(sudin_page, report)
    send(
        sudin_page,
        act(sudin_page, "Accept and start work"),
        done="accepted the report",
    )
    shot(sudin_page, "sudin-reaccepted")
    public.sees(
        "reaccepted",
        colour="yellow",
        label="In process",
        reason=f"being handled by {sudin}",
    )
    form = act(sudin_page, "Complete")
    form.locator("textarea[name=note]").fill("Sudut taman juga sudah dibersihkan.")
    form.locator("input[name=photos]").set_input_files(
        photo(tmp_path, "sudut-taman.jpg", (40, 90, 160))
    )
    send(sudin_page, form, done="marked the report as done")
    shot(sudin_page, "sudin-completed-again")
    public.sees(
        "done-again",
        colour="green",
        label="Done",
        reason=f"done by {sudin}, awaiting the reporter's confirmation",
    )

    # The reporter confirms, then rates how the report was handled.
    warga.reload()
    send(warga, act(warga, "Confirm the fix"), done="confirmed the fix")
    shot(warga, "citizen-confirmed")
    public.sees("closed", colour="green", label="Done", reason="closed")

    warga.click("summary:has-text('Rate how your report was handled')")
    for field, _label in SatisfactionSurvey.ELEMENTS:
        warga.check(f"input[name={field}][value='4']")
    warga.fill("textarea[name=comment]", "Terima kasih, cepat ditangani.")
    shot(warga, "citizen-rating")
    warga.click("button:has-text('Send my rating')")
    warga.wait_for_selector(".messages li:has-text('your rating has been recorded')")
    assert warga.locator(".survey-result .ikm-a").count() == 1
    assert fits_the_screen(warga)
    shot(warga, "citizen-rated")
    public.sees("rated", colour="green", label="Done", reason="closed", also=".ikm-a")

    report.refresh_from_db()
    assert report.status == Report.Status.CLOSED
    assert report.dispute_count == 1
    assert report.photos.filter(kind=ReportPhoto.Kind.PROOF).count() == 2
    survey = SatisfactionSurvey.objects.get(report=report)
    assert survey.comment == "Terima kasih, cepat ditangani."
