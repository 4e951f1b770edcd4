"""Supervisor audit: a monthly random sample per unit, judged on the audit page;
"not adequate" reopens the report against the unit."""

import random

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from complaints.models import Report, ReportEvent
from complaints.services.photos import PhotoUpload
from complaints.workflow import Action, transition
from officers.models import AuditSample
from officers.permissions import SUPERVISOR_GROUP
from officers.services.audit import audit_samples_draw
from tests.factories import image_bytes, officer, report_filed, user

pytestmark = pytest.mark.usefixtures("ref")
KEL = "KEL-31.74.02.1008"
QUEUE = reverse("officers:audits")


def completed(n, *, close=True):
    clerk = officer(unit_code=KEL)
    reports = []
    for _ in range(n):
        report = report_filed()
        transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
        transition(
            actor=clerk,
            report_id=report.pk,
            action=Action.COMPLETE,
            photos=[PhotoUpload("p.jpg", image_bytes(color=(1, 99, 1)))],
        )
        if close:
            transition(
                actor=report.reporter, report_id=report.pk, action=Action.CONFIRM
            )
        reports.append(report)
    return reports


@pytest.fixture
def supervisor(client):
    account = user()
    account.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
    client.force_login(account)
    return account


def this_month():
    return timezone.localdate().replace(day=1)


def test_the_draw_samples_each_unit_once_a_month():
    completed(4)
    assert audit_samples_draw(month=this_month(), size=3, rng=random.Random(1)) == 3
    assert audit_samples_draw(month=this_month(), size=3) == 0  # already drawn
    samples = AuditSample.objects.all()
    assert {s.unit.code for s in samples} == {KEL}
    assert len({s.report_id for s in samples}) == 3


def test_an_inadequate_verdict_reopens_the_closed_report_against_the_unit(
    client, supervisor
):
    [report] = completed(1)
    audit_samples_draw(month=this_month(), size=5)
    sample = AuditSample.objects.get()
    assert client.get(QUEUE).context["page"].object_list[0] == sample
    response = client.post(
        reverse("officers:audit-decide", kwargs={"sample_id": sample.pk}),
        {"adequate": "0", "note": "Foto bukti bukan lokasi ini"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    sample.refresh_from_db()
    assert sample.verdict == "inadequate" and sample.decided_by == supervisor
    assert report.status == Report.Status.REOPENED and report.closed_at is None
    reopening = ReportEvent.objects.get(report=report, action="audit_reopen")
    assert reopening.target_unit.code == KEL
    assert report.custody.filter(ended_at__isnull=True, unit__code=KEL).exists()
    # The unit must respond again: it is back in its inbox's "new" tab.
    assert list(client.get(QUEUE).context["page"].object_list) == []


def test_an_adequate_verdict_changes_nothing_on_the_report(client, supervisor):
    [report] = completed(1)
    audit_samples_draw(month=this_month())
    sample = AuditSample.objects.get()
    client.post(
        reverse("officers:audit-decide", kwargs={"sample_id": sample.pk}),
        {"adequate": "1"},
    )
    report.refresh_from_db()
    assert report.status == Report.Status.CLOSED
    assert AuditSample.objects.get().verdict == "adequate"


def test_bad_verdicts_are_refused_and_change_nothing(client, supervisor):
    completed(1)
    audit_samples_draw(month=this_month())
    sample = AuditSample.objects.get()
    url = reverse("officers:audit-decide", kwargs={"sample_id": sample.pk})
    # Not adequate needs a reason; a missing or odd verdict is refused.
    for data in ({"adequate": "0", "note": " "}, {}, {"adequate": "maybe"}):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"])
        assert AuditSample.objects.get().verdict == "pending"
    # Judged twice: the second is refused.
    client.post(url, {"adequate": "1"})
    client.post(url, {"adequate": "0", "note": "berubah pikiran"})
    assert AuditSample.objects.get().verdict == "adequate"
    assert Report.objects.get().status == Report.Status.CLOSED
    missing = reverse("officers:audit-decide", kwargs={"sample_id": 999999})
    assert client.post(missing, {"adequate": "1"}).status_code == 404


def test_only_supervisors_see_the_queue(client):
    client.force_login(officer(unit_code=KEL, role="head"))
    assert client.get(QUEUE).status_code == 404
    assert (
        client.post(
            reverse("officers:audit-decide", kwargs={"sample_id": 1}),
            {"adequate": "1"},
        ).status_code
        == 404
    )
