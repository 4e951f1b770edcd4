"""The monitoring room: every unit's late work at a glance, the reports behind
each number, and whether warnings had an effect."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from complaints.models import Report
from complaints.workflow import Action, transition
from officers.permissions import MONITORING_ROOM_GROUP
from officers.services.sla import sla_sweep
from tests.factories import MONAS, citizen, officer, report_filed, user

pytestmark = pytest.mark.usefixtures("ref")
KEL = "KEL-31.74.02.1008"
BOARD = reverse("officers:monitoring")


@pytest.fixture
def watcher(client):
    account = user()
    account.groups.add(Group.objects.get(name=MONITORING_ROOM_GROUP))
    client.force_login(account)
    return account


def row_of(response, code):
    return next(r for r in response.context["rows"] if r.unit.code == code)


def test_the_board_counts_each_units_late_work_and_the_warnings_effect(
    client, watcher, django_assert_max_num_queries
):
    clerk = officer(unit_code=KEL)
    untouched = report_filed()
    Report.objects.filter(pk=untouched.pk).update(
        assigned_at=timezone.now() - timedelta(hours=30),
        response_due_at=timezone.now() - timedelta(hours=6),
    )
    warned_then_handled = report_filed()
    Report.objects.filter(pk=warned_then_handled.pk).update(
        response_due_at=timezone.now() - timedelta(hours=1)
    )
    reopened = report_filed()
    Report.objects.filter(pk=reopened.pk).update(status="reopened")
    report_filed(point=MONAS)  # Gambir, on time
    sla_sweep()
    transition(actor=clerk, report_id=warned_then_handled.pk, action=Action.ACCEPT)

    with django_assert_max_num_queries(12):
        response = client.get(BOARD)
    assert response.status_code == 200
    row = row_of(response, KEL)
    assert (row.open, row.untouched, row.overdue, row.reopened) == (3, 1, 1, 1)
    assert (row.warnings, row.acted_on, row.effect) == (2, 1, 50)
    # The worst unit comes first.
    assert response.context["rows"][0].unit.code == KEL
    html = response.content.decode()
    drill = reverse(
        "officers:monitoring-reports", kwargs={"code": KEL, "problem": "overdue"}
    )
    assert drill in html


def test_drilling_down_lists_the_reports_and_a_warning_can_be_sent_from_there(
    client, watcher
):
    late = report_filed()
    Report.objects.filter(pk=late.pk).update(
        response_due_at=timezone.now() - timedelta(hours=2)
    )
    url = reverse(
        "officers:monitoring-reports", kwargs={"code": KEL, "problem": "overdue"}
    )
    response = client.get(url)
    assert [r.ticket for r in response.context["page"].object_list] == [late.ticket]
    sent = client.post(
        reverse("officers:report-warn", kwargs={"ticket": late.ticket}),
        {"note": "Mohon segera", "next": url},
    )
    assert sent["Location"] == url
    assert late.sla_warnings.get().is_manual
    # An open redirect is not possible through "next".
    sent = client.post(
        reverse("officers:report-warn", kwargs={"ticket": late.ticket}),
        {"note": "Lagi", "next": "https://evil.example/office/"},
    )
    assert sent["Location"] == reverse(
        "officers:report", kwargs={"ticket": late.ticket}
    )


def test_unknown_units_and_problems_are_404(client, watcher):
    bad = [
        reverse(
            "officers:monitoring-reports", kwargs={"code": "NOPE", "problem": "overdue"}
        ),
        reverse(
            "officers:monitoring-reports", kwargs={"code": KEL, "problem": "bogus"}
        ),
    ]
    for url in bad:
        assert client.get(url).status_code == 404
    assert client.get(BOARD, {"days": "5000", "kind": "x"}).status_code == 400


@pytest.mark.parametrize("who", ["citizen", "officer"])
def test_officers_and_citizens_cannot_see_the_board(client, who):
    client.force_login(citizen() if who == "citizen" else officer(unit_code=KEL))
    assert client.get(BOARD).status_code == 404
    url = reverse(
        "officers:monitoring-reports", kwargs={"code": KEL, "problem": "overdue"}
    )
    assert client.get(url).status_code == 404
