"""Citizens follow a report, or every report in a kelurahan, and hear by email when
a report moves (and, for a kelurahan, when a new one is filed there). Each email
ends with a link that ends the follow in one click, and carries nobody's personal
data."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from complaints.models import Category, Channel, Follow, Report, ReportEvent
from complaints.services.intake import report_submit
from complaints.services.notifications import event_notify
from complaints.services.photos import PhotoUpload
from complaints.workflow import Action, transition
from routing.models import Area
from tests.factories import (
    GAMBIR_CODE,
    KUNINGAN,
    KUNINGAN_TIMUR_CODE,
    MONAS,
    citizen,
    image_bytes,
    officer,
    report_filed,
)

pytestmark = pytest.mark.usefixtures("ref")
HOME = "KEL-31.74.02.1008"
ONE_CLICK = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def fresh_limits(db):
    cache.clear()


@pytest.fixture
def report():
    """A report whose reporter left a name, an email and a phone number."""
    return report_submit(
        actor=officer(unit_code=HOME),
        channel=Channel.objects.get(code="phone"),
        category=Category.objects.get(code="sampah"),
        title="Sampah menumpuk di Jl. Rasuna Said",
        description="Sudah tiga hari.",
        latitude=KUNINGAN[0],
        longitude=KUNINGAN[1],
        reporter_name="Rina Marlina",
        reporter_email="rina@example.com",
        reporter_phone="081299988877",
        address="Jl. Rasuna Said Kav. 9, depan pos satpam",
    ).report


@pytest.fixture
def clerk():
    account = officer(unit_code=HOME)
    account.first_name, account.last_name = "Siti", "Rahmawati"
    account.save()
    return account


def follow_url(report, *, stop=False) -> str:
    name = "transparency:report-unfollow" if stop else "transparency:report-follow"
    return reverse(name, kwargs={"ticket": report.ticket})


def area_url(code: str, *, stop=False) -> str:
    name = "transparency:area-unfollow" if stop else "transparency:area-follow"
    return reverse(name, kwargs={"code": code})


def mail_to(mailoutbox, address):
    return [m for m in mailoutbox if m.to == [address]]


def unsubscribe_links(message) -> list[str]:
    return re.findall(r"http://\S+/berhenti/\S+/", message.body)


def accept(report, clerk, capture):
    with capture(execute=True):
        transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)


def test_a_follower_is_emailed_when_the_report_moves_without_anyones_personal_data(
    client, report, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    fan = citizen()
    client.force_login(fan)
    assert client.post(follow_url(report)).status_code == 302
    assert Follow.objects.filter(user=fan, report=report).exists()

    accept(report, clerk, django_capture_on_commit_callbacks)

    [message] = mail_to(mailoutbox, fan.email)
    # Emails are written in the site's language (Indonesian); units are named.
    assert report.ticket in message.subject
    assert "Kelurahan Kuningan Timur" in message.body
    for private in (
        "Rina",
        "rina@example.com",
        "081299988877",
        "Rasuna Said Kav. 9",
        "Siti",
        "Rahmawati",
        clerk.username,
    ):
        assert private not in message.body and private not in message.subject
    assert message.to == [fan.email]  # one recipient per email: no one else's address
    # The reporter is told too, in an email of their own.
    assert len(mail_to(mailoutbox, "rina@example.com")) == 1


def test_followers_hear_of_status_changes_only_not_of_every_note(
    client, report, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    fan = citizen()
    client.force_login(fan)
    client.post(follow_url(report))
    with django_capture_on_commit_callbacks(execute=True):
        transition(
            actor=clerk, report_id=report.pk, action=Action.REPLY, note="Kami cek."
        )
    assert mail_to(mailoutbox, "rina@example.com")
    assert not mail_to(mailoutbox, fan.email)


def test_the_unsubscribe_link_ends_that_follow_in_one_click(
    client, report, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    fan = citizen()
    client.force_login(fan)
    client.post(follow_url(report))
    accept(report, clerk, django_capture_on_commit_callbacks)
    [message] = mail_to(mailoutbox, fan.email)
    [link] = unsubscribe_links(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )

    path = link.removeprefix("http://127.0.0.1:8000")
    # RFC 8058: the mail app POSTs this body, with no cookie and no CSRF token.
    mail_app = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    response = mail_app.post(path, "List-Unsubscribe=One-Click", ONE_CLICK)
    assert response.status_code == 200
    assert f"You no longer follow report {report.ticket}" in response.content.decode()
    assert not Follow.objects.filter(user=fan).exists()
    # A second click changes nothing and says so.
    again = mail_app.post(path, "List-Unsubscribe=One-Click", ONE_CLICK)
    assert again.status_code == 200
    assert "nothing to stop" in again.content.decode()
    assert "nothing to stop" in mail_app.get(path).content.decode()

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transition(
            actor=clerk,
            report_id=report.pk,
            action=Action.COMPLETE,
            photos=[PhotoUpload("after.jpg", image_bytes(color=(1, 150, 1)))],
        )
    assert not mail_to(mailoutbox, fan.email)


def test_a_tampered_unsubscribe_link_is_refused_and_removes_nothing(
    client, report, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    fan = citizen()
    client.force_login(fan)
    client.post(follow_url(report))
    accept(report, clerk, django_capture_on_commit_callbacks)
    [link] = unsubscribe_links(mail_to(mailoutbox, fan.email)[0])
    path = link.removeprefix("http://127.0.0.1:8000")
    tampered = path.replace("/berhenti/", "/berhenti/x")
    for response in (client.get(tampered), client.post(tampered)):
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert Follow.objects.filter(user=fan).exists()


def test_opening_the_unsubscribe_link_only_asks_and_the_button_ends_the_follow(
    client, report, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    """Mail scanners and link previews open every link in an email: a GET must not
    end anything."""
    fan = citizen()
    client.force_login(fan)
    client.post(follow_url(report))
    accept(report, clerk, django_capture_on_commit_callbacks)
    [link] = unsubscribe_links(mail_to(mailoutbox, fan.email)[0])
    path = link.removeprefix("http://127.0.0.1:8000")
    browser = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    for _scan in range(2):
        page = browser.get(path)
        assert page.status_code == 200
        assert "Stop these emails?" in page.content.decode()
        assert f"You follow report {report.ticket}" in page.content.decode()
    assert Follow.objects.filter(user=fan, report=report).exists()
    assert 'method="post"' in page.content.decode()
    # The page's button posts the same one-click body as a mail app.
    assert 'name="List-Unsubscribe" value="One-Click"' in page.content.decode()
    response = browser.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Follow.objects.filter(user=fan).exists()


def test_area_followers_hear_of_new_reports_in_their_kelurahan_only(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    fan = citizen()
    client.force_login(fan)
    response = client.post(area_url(KUNINGAN_TIMUR_CODE), {"next": "/reports/"})
    assert response.status_code == 302 and response["Location"] == "/reports/"
    assert Follow.objects.filter(user=fan, area__code=KUNINGAN_TIMUR_CODE).exists()

    with django_capture_on_commit_callbacks(execute=True):
        here = report_filed(point=KUNINGAN)
    with django_capture_on_commit_callbacks(execute=True):
        report_filed(point=MONAS)  # Gambir: not followed

    [message] = mail_to(mailoutbox, fan.email)
    assert here.ticket in message.subject and "Kuningan Timur" in message.subject
    assert here.ticket in message.body and here.title in message.body
    assert here.reporter.email not in message.body
    assert here.reporter.first_name not in message.body
    [link] = unsubscribe_links(message)
    path = link.removeprefix("http://127.0.0.1:8000")
    assert "Kuningan Timur" in client.get(path).content.decode()
    assert Follow.objects.filter(user=fan).exists()  # opening only asks
    assert "Kuningan Timur" in client.post(path).content.decode()
    assert not Follow.objects.filter(user=fan).exists()


def test_the_reporter_is_not_told_of_their_own_report_as_an_area_follower(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    neighbour = citizen()
    client.force_login(neighbour)
    client.post(area_url(KUNINGAN_TIMUR_CODE))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_filed(reporter=neighbour, point=KUNINGAN)
    assert not [m for m in mailoutbox if "Kuningan Timur" in m.subject]


def test_area_followers_hear_when_a_report_there_moves(
    client, report, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    fan = citizen()
    client.force_login(fan)
    client.post(area_url(KUNINGAN_TIMUR_CODE))
    accept(report, clerk, django_capture_on_commit_callbacks)
    [message] = mail_to(mailoutbox, fan.email)
    assert report.ticket in message.subject
    assert len(unsubscribe_links(message)) == 1


def test_one_email_per_address_with_a_link_for_each_follow(
    client, report, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    fan = citizen()
    client.force_login(fan)
    client.post(reverse("transparency:report-act", args=[report.ticket, "support"]))
    client.post(follow_url(report))
    client.post(area_url(KUNINGAN_TIMUR_CODE))
    accept(report, clerk, django_capture_on_commit_callbacks)
    [message] = mail_to(mailoutbox, fan.email)
    assert len(unsubscribe_links(message)) == 2
    # Run twice (a retried task): nobody hears twice.
    event = ReportEvent.objects.filter(report=report, action="accept").get()
    assert event_notify(event_id=event.pk) == 0


def test_following_twice_keeps_one_follow_and_unfollowing_removes_it(client, report):
    fan = citizen()
    client.force_login(fan)
    client.post(follow_url(report))
    client.post(follow_url(report))
    assert Follow.objects.filter(user=fan).count() == 1
    page = client.get(report.get_absolute_url())
    assert page.context["following_report"] is True
    assert "Stop following this report" in page.content.decode()
    assert client.post(follow_url(report, stop=True)).status_code == 302
    assert not Follow.objects.filter(user=fan).exists()
    client.post(area_url(KUNINGAN_TIMUR_CODE))
    assert client.get(report.get_absolute_url()).context["following_area"] is True
    client.post(area_url(KUNINGAN_TIMUR_CODE, stop=True))
    assert not Follow.objects.filter(user=fan).exists()


def test_following_needs_a_login(client, report):
    for url in (follow_url(report), area_url(KUNINGAN_TIMUR_CODE)):
        response = client.post(url)
        assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    assert not Follow.objects.exists()


def test_only_a_kelurahan_that_exists_can_be_followed(client):
    client.force_login(citizen())
    kecamatan = Area.objects.get(code=GAMBIR_CODE).parent.code
    assert client.post(area_url(kecamatan)).status_code == 404
    assert client.post(area_url("99.99.99.9999")).status_code == 404
    assert not Follow.objects.exists()


def test_a_rejected_report_cannot_be_followed(client, report):
    head = officer(unit_code=HOME, role="head")
    transition(
        actor=head, report_id=report.pk, action=Action.REJECT, reason="spam", note="x"
    )
    client.force_login(citizen())
    response = client.post(follow_url(report))
    assert response.status_code == 409
    assert not Follow.objects.exists()
    page = client.get(Report.objects.get(pk=report.pk).get_absolute_url())
    assert "Follow this report by email" not in page.content.decode()


def test_a_redirect_after_following_an_area_stays_on_this_site(client):
    client.force_login(citizen())
    response = client.post(
        area_url(KUNINGAN_TIMUR_CODE), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
