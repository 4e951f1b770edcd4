"""SLA clocks: the sweep warns a late unit once, escalates up the chain, and the
monitoring room can warn by hand."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from complaints.models import Report, ReportEvent, UnitNotification
from complaints.workflow import Action, transition
from officers.models import SlaWarning
from officers.permissions import MONITORING_ROOM_GROUP
from officers.services.sla import WarningRefused, sla_sweep, warning_send
from routing.models import Unit
from tests.factories import officer, report_filed, user

pytestmark = pytest.mark.usefixtures("ref")
KEL = "KEL-31.74.02.1008"  # Kuningan Timur
KEC = "KEC-31.74.02"  # Setiabudi
KOTA = "KOTA-31.74"  # Jakarta Selatan


def late_by(report, hours, clock="response_due_at"):
    """Test set-up: the deadline passed ``hours`` ago, for a report the unit has
    held since well before it."""
    due = timezone.now() - timedelta(hours=hours)
    Report.objects.filter(pk=report.pk).update(
        **{clock: due}, assigned_at=due - timedelta(days=2)
    )


def monitoring_user():
    account = user()
    account.groups.add(Group.objects.get(name=MONITORING_ROOM_GROUP))
    return account


def test_a_report_untouched_past_its_response_time_warns_its_unit_once(
    django_capture_on_commit_callbacks,
):
    report = report_filed()
    late_by(report, 1)
    with django_capture_on_commit_callbacks(execute=True):
        first = sla_sweep()
    second = sla_sweep()
    third = sla_sweep(now=timezone.now() + timedelta(minutes=10))
    assert (first.warnings, second.warnings, third.warnings) == (1, 0, 0)
    warning = SlaWarning.objects.get(report=report)
    assert (warning.clock, warning.level, warning.unit.code) == ("response", 0, KEL)
    event = ReportEvent.objects.get(action="sla_warning")
    assert not event.is_public and event.target_unit.code == KEL
    assert UnitNotification.objects.filter(unit__code=KEL, event=event).exists()


def test_a_report_on_time_raises_nothing():
    report_filed()
    assert sla_sweep().warnings == 0
    assert not SlaWarning.objects.exists()


def test_past_further_thresholds_it_escalates_to_kecamatan_then_kota():
    report = report_filed()
    late_by(report, 25)
    result = sla_sweep()
    assert (result.warnings, result.escalations) == (1, 1)
    due = Report.objects.get(pk=report.pk).response_due_at
    assert sla_sweep(now=due + timedelta(hours=49)).escalations == 1
    response_ladder = SlaWarning.objects.filter(report=report, clock="response")
    assert list(
        response_ladder.order_by("level").values_list(
            "level", "unit__code", "late_unit__code"
        )
    ) == [(0, KEL, KEL), (1, KEC, KEL), (2, KOTA, KEL)]
    # The top of the ladder is the kota: nothing goes further, however late.
    sla_sweep(now=due + timedelta(days=30))
    assert response_ladder.count() == 3


def test_a_suku_dinas_escalates_to_its_dinas():
    report = report_filed()
    sudin = Unit.objects.get(code="SUDIN-DBM-31.74")
    Report.objects.filter(pk=report.pk).update(handling_unit=sudin)
    late_by(report, 100)
    sla_sweep()
    ladder = list(
        SlaWarning.objects.filter(report=report)
        .order_by("level")
        .values_list("unit__code", flat=True)
    )
    assert ladder == ["SUDIN-DBM-31.74", "DINAS-DBM"]


def test_the_escalated_unit_can_open_the_report_but_not_act_on_it(client):
    report = report_filed()
    late_by(report, 30)
    sla_sweep()
    client.force_login(officer(unit_code=KEC))
    response = client.get(reverse("officers:report", kwargs={"ticket": report.ticket}))
    assert response.status_code == 200
    assert response.context["action_forms"] == []


def test_acting_on_the_report_stops_the_response_clock():
    report = report_filed()
    late_by(report, 1)
    transition(actor=officer(unit_code=KEL), report_id=report.pk, action=Action.ACCEPT)
    assert sla_sweep().warnings == 0


def test_past_the_completion_deadline_the_unit_is_warned_about_that_clock():
    report = report_filed()
    transition(actor=officer(unit_code=KEL), report_id=report.pk, action=Action.ACCEPT)
    late_by(report, 2, clock="completion_due_at")
    sla_sweep()
    assert list(SlaWarning.objects.values_list("clock", "level")) == [("completion", 0)]


def test_an_approved_extension_moves_the_deadline_and_clears_the_warning():
    report = report_filed()
    clerk = officer(unit_code=KEL)
    head = officer(unit_code=KEL, role="head")
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    late_by(report, 2, clock="completion_due_at")
    sla_sweep()
    transition(
        actor=clerk,
        report_id=report.pk,
        action=Action.REQUEST_EXTENSION,
        new_due_at=timezone.now() + timedelta(days=10),
        note="Menunggu alat berat",
    )
    transition(
        actor=head, report_id=report.pk, action=Action.DECIDE_EXTENSION, approve=True
    )
    report.refresh_from_db()
    assert report.completion_due_at > timezone.now() + timedelta(days=9)
    assert sla_sweep().warnings == 0  # on time again
    decided = report.extension_requests.get()
    assert decided.reason == "Menunggu alat berat"
    assert decided.state == "approved"


def test_an_extension_to_a_date_in_the_past_is_refused(client):
    report = report_filed()
    clerk = officer(unit_code=KEL)
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    late_by(report, 72, clock="completion_due_at")
    client.force_login(clerk)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse(
            "officers:report-act",
            kwargs={"ticket": report.ticket, "action": "request_extension"},
        ),
        {"version": 1, "new_due": yesterday, "note": "Butuh waktu"},
    )
    assert response.status_code == 400
    assert not report.extension_requests.exists()


def test_the_monitoring_room_warns_by_hand_from_the_workspace(client):
    report = report_filed()
    client.force_login(monitoring_user())
    url = reverse("officers:report-warn", kwargs={"ticket": report.ticket})
    response = client.post(url, {"note": "Segera tindak lanjuti"})
    assert response.status_code == 302
    warning = SlaWarning.objects.get()
    assert warning.is_manual and warning.note == "Segera tindak lanjuti"
    # Sent by hand twice: both are kept (they are deliberate, not a sweep).
    client.post(url, {"note": "Sekali lagi"})
    assert SlaWarning.objects.count() == 2


def test_a_warning_without_a_note_is_refused_and_nothing_is_sent(client):
    report = report_filed()
    client.force_login(monitoring_user())
    url = reverse("officers:report-warn", kwargs={"ticket": report.ticket})
    response = client.post(url, {"note": "  "}, follow=True)
    assert "This field is required." in response.content.decode()
    assert not SlaWarning.objects.exists()


def test_an_officer_may_not_warn_and_gets_404(client):
    report = report_filed()
    client.force_login(officer(unit_code=KEL))
    url = reverse("officers:report-warn", kwargs={"ticket": report.ticket})
    assert client.post(url, {"note": "x"}).status_code == 404
    with pytest.raises(WarningRefused):
        warning_send(actor=officer(unit_code=KEL), report_id=report.pk, note="x")
    assert not SlaWarning.objects.exists()


def test_a_settled_report_cannot_be_warned_about():
    report = report_filed()
    Report.objects.filter(pk=report.pk).update(status="closed")
    with pytest.raises(WarningRefused) as refused:
        warning_send(actor=monitoring_user(), report_id=report.pk, note="x")
    assert refused.value.status == 409


def test_a_unit_that_receives_a_late_report_is_warned_from_when_it_got_it():
    """Disposed while already past its completion deadline: the new unit is
    warned in turn, and escalation starts from the disposition, not at once."""
    report = report_filed()
    clerk = officer(unit_code=KEL)
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    late_by(report, 100, clock="completion_due_at")
    sla_sweep()
    assert (
        SlaWarning.objects.filter(late_unit__code=KEL, clock="completion").count() == 3
    )
    transition(
        actor=clerk,
        report_id=report.pk,
        action=Action.DISPOSE,
        unit=Unit.objects.get(code="SUDIN-DBM-31.74"),
        note="Kewenangan Bina Marga",
    )
    sla_sweep()
    theirs = SlaWarning.objects.filter(late_unit__code="SUDIN-DBM-31.74")
    assert list(theirs.values_list("clock", "level")) == [("completion", 0)]


def test_a_reopened_report_gets_fresh_clocks_and_is_not_escalated_at_once():
    report = report_filed()
    clerk = officer(unit_code=KEL)
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    late_by(report, 72, clock="completion_due_at")
    Report.objects.filter(pk=report.pk).update(
        status="done", completed_at=timezone.now()
    )
    transition(
        actor=report.reporter, report_id=report.pk, action=Action.DISPUTE, note="Belum"
    )
    report.refresh_from_db()
    assert report.completion_due_at > timezone.now()
    assert sla_sweep().escalations == 0
