"""A report's life through the workflow service: the rules one by one."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from guardian.shortcuts import assign_perm

from complaints.models import (
    Custody,
    EmailDelivery,
    Report,
    ReportEvent,
    Support,
    UnitNotification,
)
from complaints.public import public_state
from complaints.services.closing import reports_close_expired
from complaints.services.photos import PhotoUpload
from complaints.tasks import event_notify
from complaints.workflow import (
    Action,
    Forbidden,
    InvalidInput,
    NotAllowedNow,
    Stale,
    UnknownAction,
    transition,
)
from officers.models import Membership
from routing.models import Unit
from tests.factories import citizen, image_bytes, officer, report_filed, user

pytestmark = pytest.mark.usefixtures("ref")
HOME = "KEL-31.74.02.1008"  # Kuningan Timur, where report_filed puts reports
BINA_MARGA = "SUDIN-DBM-31.74"
KECAMATAN = "KEC-31.74.02"


def act(actor, report, action, **params):
    return transition(actor=actor, report_id=report.pk, action=action, **params)


def proof(**kwargs):
    kwargs.setdefault("color", (10, 200, 10))
    return [PhotoUpload("after.jpg", image_bytes(**kwargs))]


@pytest.fixture
def report():
    return report_filed()


@pytest.fixture
def clerk():
    return officer(unit_code=HOME)


@pytest.fixture
def head():
    return officer(unit_code=HOME, role=Membership.Role.HEAD)


def fresh(report):
    return Report.objects.get(pk=report.pk)


def test_accepting_starts_work_with_a_planned_date_and_counts_as_the_response(
    report, clerk
):
    planned = timezone.now() + timedelta(days=3)
    event = act(clerk, report, Action.ACCEPT, planned_completion_at=planned)
    report = fresh(report)
    assert report.status == "in_process"
    assert report.planned_completion_at == planned
    assert report.first_response_at == event.created_at
    assert event.actor == clerk and event.unit.code == HOME
    assert public_state(report).colour == "yellow"


def test_a_disposition_moves_responsibility_and_the_receiver_accepts_or_returns(
    report, clerk
):
    kecamatan = Unit.objects.get(code=KECAMATAN)
    act(clerk, report, Action.DISPOSE, unit=kecamatan, note="Wewenang kecamatan")
    report = fresh(report)
    assert (report.status, report.handling_unit, report.disposed_from.code) == (
        "disposed",
        kecamatan,
        HOME,
    )
    state = public_state(report)
    assert (state.colour, state.reason) == ("red", f"disposed to {kecamatan.name}")
    # The sender can no longer act; the receiver can.
    with pytest.raises(Forbidden):
        act(clerk, report, Action.ACCEPT_DISPOSITION)
    receiver = officer(unit_code=KECAMATAN)
    act(receiver, report, Action.ACCEPT_DISPOSITION)
    assert fresh(report).status == "in_process"
    periods = list(
        Custody.objects.filter(report=report).values_list("unit__code", "ended_at")
    )
    assert [code for code, _ in periods] == [HOME, KECAMATAN]
    assert periods[0][1] is not None and periods[1][1] is None


def test_the_second_return_between_the_same_units_is_flagged_as_ping_pong(
    report, clerk
):
    kecamatan = Unit.objects.get(code=KECAMATAN)
    receiver = officer(unit_code=KECAMATAN)
    for round_ in (1, 2):
        act(clerk, report, Action.DISPOSE, unit=kecamatan, note="Wewenang kecamatan")
        act(receiver, report, Action.RETURN_DISPOSITION, note="Bukan wewenang kami")
        report = fresh(report)
        assert report.handling_unit.code == HOME and report.status == "new"
        assert report.ping_pong is (round_ == 2)
    assert (
        ReportEvent.objects.filter(report=report, action="return_disposition").count()
        == 2
    )


@pytest.mark.parametrize(
    "unit_code, message",
    [
        (HOME, "already with this unit"),
        ("closed", "active unit"),
        ("missing", "active unit"),
    ],
)
def test_disposing_to_itself_or_to_a_closed_or_unknown_unit_is_refused(
    report, clerk, unit_code, message
):
    if unit_code == "closed":
        unit = Unit.objects.get(code=BINA_MARGA)
        Unit.objects.filter(pk=unit.pk).update(is_active=False)
        target = unit.pk
    elif unit_code == "missing":
        target = 999_999
    else:
        target = Unit.objects.get(code=unit_code).pk
    with pytest.raises(InvalidInput, match=message):
        act(clerk, report, Action.DISPOSE, unit=target, note="x")
    assert fresh(report).status == "new"
    assert ReportEvent.objects.filter(report=report).count() == 2


def test_coordinating_units_post_follow_ups_but_only_the_handler_completes(
    report, clerk
):
    act(clerk, report, Action.ACCEPT)
    act(clerk, report, Action.COORDINATE, units=[Unit.objects.get(code=BINA_MARGA)])
    report = fresh(report)
    assert report.status == "coordinated"
    assert "is coordinating with Suku Dinas Bina Marga Jakarta Selatan" in (
        public_state(report).reason
    )
    partner = officer(unit_code=BINA_MARGA)
    event = act(
        partner, report, Action.FOLLOW_UP, note="Aspal ditambal", photos=proof()
    )
    assert event.unit.code == BINA_MARGA and event.photos.count() == 1
    with pytest.raises(Forbidden):
        act(partner, report, Action.COMPLETE)
    act(clerk, report, Action.COMPLETE, note="Selesai")
    assert fresh(report).status == "done"
    assert fresh(report).handling_unit.code == HOME  # responsibility stayed


def test_completing_without_proof_photo_is_refused(report, clerk):
    act(clerk, report, Action.ACCEPT)
    with pytest.raises(InvalidInput, match="proof photo"):
        act(clerk, report, Action.COMPLETE)
    assert fresh(report).status == "in_process"


def test_a_proof_photo_taken_before_the_report_is_refused(report, clerk):
    act(clerk, report, Action.ACCEPT)
    with pytest.raises(InvalidInput, match="taken before the report"):
        act(clerk, report, Action.COMPLETE, photos=proof(taken="2020:01:01 10:00:00"))
    assert fresh(report).status == "in_process"


def test_the_reporters_own_photo_is_not_proof(report, clerk):
    act(clerk, report, Action.ACCEPT)
    same = [PhotoUpload("same.jpg", image_bytes())]  # what report_filed sent
    with pytest.raises(InvalidInput, match="reporter's own photo"):
        act(clerk, report, Action.FOLLOW_UP, note="Sudah", photos=same)


def done(report, clerk):
    act(clerk, report, Action.ACCEPT)
    act(clerk, report, Action.COMPLETE, photos=proof())
    return fresh(report)


def test_the_reporter_or_a_supporter_disputes_and_it_goes_back_red_to_the_same_unit(
    report, clerk
):
    supporter = citizen()
    Support.objects.create(report=report, user=supporter)
    late = citizen()
    done(report, clerk)
    Support.objects.create(report=report, user=late)
    with pytest.raises(Forbidden):  # a "+1" after the work was done reopens nothing
        act(late, report, Action.DISPUTE, note="Saya baru lihat")
    event = act(supporter, report, Action.DISPUTE, note="Masih berlubang")
    report = fresh(report)
    assert report.status == "reopened" and report.handling_unit.code == HOME
    assert report.dispute_count == 1
    assert event.data == {"count": 1}
    assert event.target_unit.code == HOME  # counted against the unit
    assert public_state(report).colour == "red"


def test_a_dispute_after_the_window_is_refused(report, clerk):
    done(report, clerk)
    Report.objects.filter(pk=report.pk).update(
        completed_at=timezone.now() - timedelta(days=8)
    )
    with pytest.raises(NotAllowedNow, match="has passed"):
        act(report.reporter, report, Action.DISPUTE, note="Terlambat")
    assert fresh(report).status == "done"


def test_disputes_are_bounded_then_a_supervisor_decides(report, clerk, settings):
    settings.WARGA_MAX_DISPUTES = 1
    done(report, clerk)
    act(report.reporter, report, Action.DISPUTE, note="Belum")
    act(clerk, report, Action.ACCEPT)
    act(clerk, report, Action.COMPLETE, photos=proof(color=(1, 2, 3)))
    act(report.reporter, report, Action.DISPUTE, note="Masih belum")
    report = fresh(report)
    assert (report.status, report.needs_supervisor) == ("done", True)
    assert "supervisor" in public_state(report).reason
    with pytest.raises(NotAllowedNow):
        act(report.reporter, report, Action.DISPUTE, note="Lagi")
    assert reports_close_expired(now=timezone.now() + timedelta(days=30)) == 0
    from django.contrib.auth.models import Group

    boss = user()
    boss.groups.add(Group.objects.get(name="Supervisor"))
    act(boss, report, Action.SUPERVISOR_CLOSE, note="Sudah memadai")
    assert fresh(report).status == "closed"


def test_the_reporter_confirms_and_the_report_closes(report, clerk):
    done(report, clerk)
    act(report.reporter, report, Action.CONFIRM)
    report = fresh(report)
    assert report.status == "closed" and report.closed_at is not None
    with pytest.raises(NotAllowedNow):
        act(report.reporter, report, Action.DISPUTE, note="Eh")


def test_without_a_dispute_the_schedule_closes_after_the_window(report, clerk):
    done(report, clerk)
    other = done(report_filed(), clerk)
    Report.objects.filter(pk=report.pk).update(
        completed_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    assert reports_close_expired() == 1
    assert fresh(report).status == "closed"
    assert fresh(other).status == "done"
    assert reports_close_expired() == 0  # running again changes nothing
    assert fresh(report).events.last().action == "auto_close"


def test_the_auto_close_runs_on_an_hourly_schedule():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="complaints.tasks.reports_close_expired")
    assert schedule.schedule_type == Schedule.HOURLY and schedule.repeats < 0
    from complaints.tasks import reports_close_expired as scheduled

    assert scheduled() == 0  # what the worker calls: nothing due here


def test_a_merged_duplicate_follows_its_parent_and_its_reporter_hears_of_it(
    clerk, django_capture_on_commit_callbacks
):
    parent = report_filed(reporter=citizen(email="first@example.com"))
    child = report_filed(reporter=citizen(email="second@example.com"))
    act(clerk, child, Action.MERGE, parent=parent.ticket)
    child = fresh(child)
    assert child.status == "merged" and child.parent == parent
    assert public_state(child).colour == "grey"
    assert parent.ticket in public_state(child).reason
    assert parent.events.filter(action="duplicate_added").exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        act(clerk, parent, Action.ACCEPT)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "first@example.com",
        "second@example.com",
    ]
    assert "In process" in public_state(fresh(child)).reason


def test_merging_into_itself_or_a_merged_report_is_refused(report, clerk):
    with pytest.raises(InvalidInput):
        act(clerk, report, Action.MERGE, parent=report.ticket)
    with pytest.raises(InvalidInput):
        act(clerk, report, Action.MERGE, parent="JKT-0000-000000")


def test_a_deadline_extension_needs_the_heads_approval_and_keeps_its_reason(
    report, clerk, head
):
    act(clerk, report, Action.ACCEPT)
    old_due = fresh(report).completion_due_at
    new_due = old_due + timedelta(days=30)
    act(
        clerk,
        report,
        Action.REQUEST_EXTENSION,
        new_due_at=new_due,
        note="Perlu anggaran",
    )
    with pytest.raises(Forbidden):
        act(clerk, report, Action.DECIDE_EXTENSION, approve=True)
    event = act(head, report, Action.DECIDE_EXTENSION, approve=True)
    assert fresh(report).completion_due_at == new_due
    assert event.note == "Perlu anggaran" and event.is_public
    request = report.extension_requests.get()
    assert (request.state, request.previous_due_at) == ("approved", old_due)


def test_a_refused_extension_leaves_the_deadline(report, clerk, head):
    act(clerk, report, Action.ACCEPT)
    due = fresh(report).completion_due_at
    act(
        clerk,
        report,
        Action.REQUEST_EXTENSION,
        new_due_at=due + timedelta(days=9),
        note="x",
    )
    with pytest.raises(InvalidInput):
        act(head, report, Action.DECIDE_EXTENSION, approve=False)  # needs a reason
    act(head, report, Action.DECIDE_EXTENSION, approve=False, note="Tidak perlu")
    assert fresh(report).completion_due_at == due


def test_the_head_rejects_with_a_reason_and_the_report_stays_visible(
    report, clerk, head
):
    with pytest.raises(Forbidden):
        act(clerk, report, Action.REJECT, reason="spam")
    with pytest.raises(InvalidInput):
        act(head, report, Action.REJECT, reason="because")
    act(head, report, Action.REJECT, reason="not_government", note="Urusan swasta")
    report = fresh(report)
    assert report.status == "rejected"
    assert public_state(report).reason == "rejected: Not a government matter"
    assert report.events.count() == 3  # nothing was deleted


def test_a_stale_form_is_refused_and_changes_nothing(report, clerk):
    seen = fresh(report).version
    act(clerk, report, Action.ACCEPT, expected_version=seen)
    with pytest.raises(Stale):
        act(clerk, report, Action.FOLLOW_UP, note="Old page", expected_version=seen)
    assert fresh(report).events.count() == 3


def test_an_unknown_action_is_refused(report, clerk):
    with pytest.raises(UnknownAction):
        act(clerk, report, "teleport")


def test_a_guardian_grant_lets_one_officer_outside_the_unit_act_on_one_report(
    report,
):
    helper = officer(unit_code="KEL-31.71.01.1001")
    with pytest.raises(Forbidden):
        act(helper, report, Action.ACCEPT)
    assign_perm("complaints.act_on_report", helper, report)
    act(helper, report, Action.ACCEPT)
    assert fresh(report).status == "in_process"


def test_every_public_change_emails_the_reporter_and_supporters_once(
    report, clerk, django_capture_on_commit_callbacks
):
    fan = citizen(email="fan@example.com")
    Support.objects.create(report=report, user=fan)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event = act(clerk, report, Action.ACCEPT)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [report.reporter.email, "fan@example.com"]
    )
    assert report.ticket in mail.outbox[0].subject

    event_notify(event.pk)  # the task runs again: nobody hears twice
    assert len(mail.outbox) == 2
    assert EmailDelivery.objects.filter(event=event).count() == 2


def test_units_concerned_get_an_in_app_notice(
    report, clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        act(
            clerk,
            report,
            Action.DISPOSE,
            unit=Unit.objects.get(code=KECAMATAN),
            note="x",
        )
    notified = set(UnitNotification.objects.values_list("unit__code", flat=True))
    assert notified == {KECAMATAN}  # the disposing unit acted; the receiver hears


def test_internal_steps_are_not_emailed(
    report, clerk, django_capture_on_commit_callbacks
):
    act(clerk, report, Action.ACCEPT)
    mail.outbox.clear()
    due = fresh(report).completion_due_at + timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        act(clerk, report, Action.REQUEST_EXTENSION, new_due_at=due, note="x")
    assert mail.outbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_acting_at_once_produce_exactly_one_outcome(ref):
    report = report_filed()
    officers_ = [officer(unit_code=HOME) for _ in range(6)]
    results, start = [], threading.Barrier(6)

    def accept(who):
        try:
            start.wait()
            act(who, report, Action.ACCEPT)
            results.append("accepted")
        except NotAllowedNow:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(o,)) for o in officers_]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["accepted"] + ["refused"] * 5
    assert ReportEvent.objects.filter(report=report, action="accept").count() == 1
    assert Report.objects.get(pk=report.pk).version == 1
