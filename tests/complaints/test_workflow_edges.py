"""Edges found in review: each would let a unit game the rules or confuse a user."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints.models import ExtensionRequest, Report, Support
from complaints.services.photos import PhotoUpload
from complaints.workflow import (
    Action,
    Forbidden,
    InvalidInput,
    allowed_actions,
    transition,
)
from officers.models import Membership
from routing.models import Unit
from tests.factories import citizen, image_bytes, officer, report_filed, user

pytestmark = pytest.mark.usefixtures("ref")
HOME = "KEL-31.74.02.1008"
KECAMATAN = "KEC-31.74.02"


def act(actor, report, action, **params):
    return transition(actor=actor, report_id=report.pk, action=action, **params)


def fresh(report):
    return Report.objects.get(pk=report.pk)


def proof(color):
    return [PhotoUpload("after.jpg", image_bytes(color=color))]


@pytest.fixture
def clerk():
    return officer(unit_code=HOME)


def test_proof_from_before_a_dispute_does_not_complete_the_report_again(clerk):
    report = report_filed()
    act(clerk, report, Action.ACCEPT)
    act(clerk, report, Action.COMPLETE, photos=proof((0, 120, 0)))
    act(report.reporter, report, Action.DISPUTE, note="Belum beres")
    act(clerk, report, Action.ACCEPT)
    with pytest.raises(InvalidInput, match="proof photo"):
        act(clerk, report, Action.COMPLETE)
    act(clerk, report, Action.COMPLETE, photos=proof((0, 0, 120)))
    assert fresh(report).status == "done"


def test_the_reporters_photo_downloaded_from_the_portal_is_not_proof(clerk):
    report = report_filed()
    act(clerk, report, Action.ACCEPT)
    public_copy = report.photos.get().image.read()
    with pytest.raises(InvalidInput, match="reporter's own photo"):
        act(
            clerk,
            report,
            Action.FOLLOW_UP,
            note="Sudah",
            photos=[PhotoUpload("copy.jpg", public_copy)],
        )


def test_a_head_does_not_approve_their_own_deadline_request():
    head = officer(unit_code=HOME, role=Membership.Role.HEAD)
    report = report_filed()
    act(head, report, Action.ACCEPT)
    due = fresh(report).completion_due_at + timedelta(days=10)
    act(head, report, Action.REQUEST_EXTENSION, new_due_at=due, note="Anggaran")
    with pytest.raises(Forbidden):
        act(head, report, Action.DECIDE_EXTENSION, approve=True)
    other_head = officer(unit_code=HOME, role=Membership.Role.HEAD)
    act(other_head, report, Action.DECIDE_EXTENSION, approve=True)
    assert fresh(report).completion_due_at == due


@pytest.mark.parametrize("then", ["dispose", "complete"])
def test_a_pending_deadline_request_lapses_when_the_work_moves_on(clerk, then):
    report = report_filed()
    act(clerk, report, Action.ACCEPT)
    due = fresh(report).completion_due_at + timedelta(days=10)
    act(clerk, report, Action.REQUEST_EXTENSION, new_due_at=due, note="Anggaran")
    if then == "dispose":
        act(
            clerk,
            report,
            Action.DISPOSE,
            unit=Unit.objects.get(code=KECAMATAN),
            note="x",
        )
    else:
        act(clerk, report, Action.COMPLETE, photos=proof((9, 9, 200)))
    assert report.extension_requests.get().state == ExtensionRequest.State.WITHDRAWN


def test_after_accepting_a_disposition_the_sender_lets_go(clerk, client):
    report = report_filed()
    act(clerk, report, Action.DISPOSE, unit=Unit.objects.get(code=KECAMATAN), note="x")
    act(officer(unit_code=KECAMATAN), report, Action.ACCEPT_DISPOSITION)
    assert fresh(report).disposed_from is None
    client.force_login(clerk)
    assert (
        client.get(reverse("officers:report", args=[report.ticket])).status_code == 404
    )


def test_returning_a_disposition_takes_the_officer_back_to_their_notifications(
    clerk, client
):
    report = report_filed()
    act(clerk, report, Action.DISPOSE, unit=Unit.objects.get(code=KECAMATAN), note="x")
    receiver = officer(unit_code=KECAMATAN)
    client.force_login(receiver)
    response = client.post(
        reverse("officers:report-act", args=[report.ticket, "return_disposition"]),
        {"version": fresh(report).version, "note": "Bukan wewenang kami"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("officers:inbox")


def test_returns_count_as_ping_pong_in_either_direction(clerk):
    report = report_filed()
    kecamatan = Unit.objects.get(code=KECAMATAN)
    other = officer(unit_code=KECAMATAN)
    act(clerk, report, Action.DISPOSE, unit=kecamatan, note="x")
    act(other, report, Action.RETURN_DISPOSITION, note="bukan kami")
    act(clerk, report, Action.ACCEPT)
    # Now the kecamatan gets it by another route and sends it back the other way.
    Report.objects.filter(pk=report.pk).update(handling_unit=kecamatan, status="new")
    act(other, report, Action.DISPOSE, unit=Unit.objects.get(code=HOME), note="y")
    act(clerk, report, Action.RETURN_DISPOSITION, note="bukan kami juga")
    assert fresh(report).ping_pong is True


def test_rejecting_and_merging_close_the_report_and_count_as_a_response(clerk):
    head = officer(unit_code=HOME, role=Membership.Role.HEAD)
    rejected, merged, original = report_filed(), report_filed(), report_filed()
    act(head, rejected, Action.REJECT, reason="spam")
    act(clerk, merged, Action.MERGE, parent=original.ticket)
    for report in (fresh(rejected), fresh(merged)):
        assert report.closed_at is not None and report.first_response_at is not None


def test_duplicates_of_duplicates_and_their_supporters_hear_of_the_original(
    clerk, django_capture_on_commit_callbacks
):
    original = report_filed(reporter=citizen(email="a@example.com"))
    first = report_filed(reporter=citizen(email="b@example.com"))
    second = report_filed(reporter=citizen(email="c@example.com"))
    Support.objects.create(report=second, user=citizen(email="fan@example.com"))
    act(clerk, second, Action.MERGE, parent=first.ticket)
    act(clerk, first, Action.MERGE, parent=original.ticket)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        act(clerk, original, Action.ACCEPT)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "fan@example.com",
    ]


def test_an_escalated_dispute_tells_the_reporter(
    clerk, settings, django_capture_on_commit_callbacks
):
    settings.WARGA_MAX_DISPUTES = 0
    report = report_filed(reporter=citizen(email="r@example.com"))
    fan = citizen(email="fan2@example.com")
    Support.objects.create(report=report, user=fan)
    act(clerk, report, Action.ACCEPT)
    act(clerk, report, Action.COMPLETE, photos=proof((3, 3, 3)))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        act(fan, report, Action.DISPUTE, note="Masih")
    assert fresh(report).needs_supervisor
    assert [m.to[0] for m in mail.outbox] == ["r@example.com"]


def test_buttons_are_offered_only_when_they_can_work(clerk):
    report = report_filed()
    act(clerk, report, Action.ACCEPT)
    assert "decide_extension" not in allowed_actions(
        actor=officer(unit_code=HOME, role=Membership.Role.HEAD), report=fresh(report)
    )
    act(clerk, report, Action.COMPLETE, photos=proof((5, 5, 5)))
    boss = user()
    boss.groups.add(Group.objects.get(name="Supervisor"))
    assert "supervisor_close" not in allowed_actions(actor=boss, report=fresh(report))
    Report.objects.filter(pk=report.pk).update(needs_supervisor=True)
    assert "supervisor_close" in allowed_actions(actor=boss, report=fresh(report))


def test_the_public_page_shows_proof_photos_but_not_dispute_photos(clerk, client):
    report = report_filed()
    act(clerk, report, Action.ACCEPT)
    act(clerk, report, Action.COMPLETE, photos=proof((50, 60, 70)))
    act(report.reporter, report, Action.DISPUTE, note="Lihat", photos=proof((1, 99, 1)))
    html = client.get(report.get_absolute_url()).content.decode()
    dispute_photo = report.photos.get(kind="dispute")
    proof_photo = report.photos.get(kind="proof")
    assert proof_photo.thumbnail.url in html
    assert dispute_photo.thumbnail.url not in html


@pytest.mark.parametrize(
    "url",
    ["/office/reports/%00/", "/reports/%00/", "/reports/JKT%00/support/"],
)
def test_a_ticket_with_odd_characters_is_a_404(client, url):
    client.force_login(officer(unit_code=HOME))
    assert client.get(url).status_code == 404


def test_a_huge_unit_id_is_a_clear_400(clerk, client):
    report = report_filed()
    act(clerk, report, Action.ACCEPT)
    client.force_login(clerk)
    response = client.post(
        reverse("officers:report-act", args=[report.ticket, "coordinate"]),
        {"version": fresh(report).version, "units": ["9" * 30]},
    )
    assert response.status_code == 400
    assert fresh(report).status == "in_process"


def test_an_old_dispute_window_uses_the_completion_time(clerk):
    report = report_filed()
    act(clerk, report, Action.ACCEPT)
    act(clerk, report, Action.COMPLETE, photos=proof((7, 7, 7)))
    Report.objects.filter(pk=report.pk).update(
        completed_at=timezone.now() - timedelta(days=6, hours=23)
    )
    act(report.reporter, report, Action.DISPUTE, note="Masih dalam batas waktu")
    assert fresh(report).status == "reopened"
