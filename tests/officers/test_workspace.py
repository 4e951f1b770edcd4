"""Officers act on a report from its workspace page: only what they may, and
every refusal explained."""

import pytest
from django.urls import reverse

from complaints.models import Report, ReportEvent
from officers.models import Membership
from routing.models import Unit
from tests.factories import citizen, image_bytes, officer, report_filed, upload

pytestmark = pytest.mark.usefixtures("ref")
HOME = "KEL-31.74.02.1008"


def page(report):
    return reverse("officers:report", kwargs={"ticket": report.ticket})


def post(client, report, action, data=None, **extra):
    url = reverse(
        "officers:report-act", kwargs={"ticket": report.ticket, "action": action}
    )
    fields = {"version": Report.objects.get(pk=report.pk).version, **(data or {})}
    return client.post(url, fields, **extra)


@pytest.fixture
def report():
    return report_filed()


@pytest.fixture
def clerk(client):
    account = officer(unit_code=HOME)
    client.force_login(account)
    return account


def test_the_workspace_shows_contact_details_and_only_the_allowed_actions(
    client, clerk, report, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        response = client.get(page(report))
    html = response.content.decode()
    assert response.status_code == 200
    assert report.reporter.email in html  # officers see how to reach the reporter
    offered = [action for action, _label, _form in response.context["action_forms"]]
    # no reject: that is the head's
    assert offered == ["accept", "dispose", "merge", "reply"]


def test_an_officer_accepts_follows_up_with_photos_and_completes(client, clerk, report):
    assert post(client, report, "accept").status_code == 302
    response = post(
        client,
        report,
        "follow_up",
        {"note": "Sampah diangkut", "photos": [upload(image_bytes(color=(0, 90, 0)))]},
    )
    assert response.status_code == 302
    assert post(client, report, "complete", {"note": "Selesai"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "done"
    assert report.events.get(action="follow_up").photos.count() == 1
    timeline = client.get(page(report)).content.decode()
    assert "Follow-up by Kelurahan Kuningan Timur" in timeline


def test_completing_without_proof_is_a_400_with_the_reason(client, clerk, report):
    post(client, report, "accept")
    response = post(client, report, "complete")
    assert response.status_code == 400
    assert "proof photo" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == "in_process"


def test_a_stale_form_is_a_409_and_changes_nothing(client, clerk, report):
    url = reverse(
        "officers:report-act", kwargs={"ticket": report.ticket, "action": "accept"}
    )
    client.post(url, {"version": 0})
    events = ReportEvent.objects.filter(report=report).count()
    response = client.post(
        reverse(
            "officers:report-act", kwargs={"ticket": report.ticket, "action": "dispose"}
        ),
        {"version": 0, "unit": Unit.objects.get(code="KEC-31.74.02").pk, "note": "x"},
    )
    assert response.status_code == 409
    assert "Someone else changed this report" in response.content.decode()
    assert ReportEvent.objects.filter(report=report).count() == events


def test_an_action_not_allowed_now_is_a_409(client, clerk, report):
    response = post(client, report, "complete")
    assert response.status_code == 409
    assert Report.objects.get(pk=report.pk).status == "new"


def test_an_unknown_action_is_a_404(client, clerk, report):
    assert post(client, report, "teleport").status_code == 404


def test_disposing_to_an_inactive_unit_is_a_400(client, clerk, report):
    closed = Unit.objects.get(code="SUDIN-DBM-31.74")
    Unit.objects.filter(pk=closed.pk).update(is_active=False)
    response = post(client, report, "dispose", {"unit": closed.pk, "note": "x"})
    assert response.status_code == 400
    assert Report.objects.get(pk=report.pk).status == "new"


def test_the_unit_head_rejects_with_a_reason(client, report):
    client.force_login(officer(unit_code=HOME, role=Membership.Role.HEAD))
    response = post(client, report, "reject", {"reason": "insufficient", "note": "?"})
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).rejection_reason == "insufficient"


@pytest.mark.parametrize("who", ["unrelated officer", "citizen"])
def test_people_outside_the_report_get_a_404_not_a_403(client, report, who):
    account = officer(unit_code="KEL-31.71.01.1001") if who != "citizen" else citizen()
    client.force_login(account)
    assert client.get(page(report)).status_code == 404
    assert post(client, report, "accept").status_code == 404
    assert Report.objects.get(pk=report.pk).status == "new"


def test_anonymous_visitors_are_sent_to_log_in(client, report):
    response = client.get(page(report))
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_officers_reach_the_workspace_from_the_public_page(client, clerk, report):
    html = client.get(report.get_absolute_url()).content.decode()
    assert page(report) in html
    client.force_login(officer(unit_code="KEL-31.71.01.1001"))
    assert page(report) not in client.get(report.get_absolute_url()).content.decode()


def test_a_walk_in_report_without_a_reporter_account_opens_too(client, clerk):
    from complaints.models import Category, Channel
    from complaints.services.intake import report_submit
    from tests.factories import KUNINGAN

    walk_in = report_submit(
        actor=clerk,
        channel=Channel.objects.get(code="desk-kelurahan"),
        category=Category.objects.get(code="sampah"),
        title="Sampah",
        description="Datang ke kantor",
        latitude=KUNINGAN[0],
        longitude=KUNINGAN[1],
        reporter_name="Pak RT",
        reporter_phone="0812",
    ).report
    response = client.get(page(walk_in))
    assert response.status_code == 200
    assert "Pak RT" in response.content.decode()


def test_the_receiving_unit_reads_its_notifications_once(
    client, clerk, report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            report,
            "dispose",
            {"unit": Unit.objects.get(code="KEC-31.74.02").pk, "note": "Wewenang"},
        )
    receiver = officer(unit_code="KEC-31.74.02")
    client.force_login(receiver)
    first = client.get(reverse("officers:notifications"))
    assert report.ticket in first.content.decode()
    assert len(first.context["unread"]) == 1
    assert client.get(reverse("officers:notifications")).context["unread"] == set()
    client.force_login(citizen())
    assert client.get(reverse("officers:notifications")).status_code == 404
