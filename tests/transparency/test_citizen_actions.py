"""Citizens support, confirm and dispute from the public report page."""

import pytest
from django.urls import reverse

from complaints.models import Report, Support
from complaints.services.photos import PhotoUpload
from complaints.workflow import Action, transition
from tests.factories import citizen, image_bytes, officer, report_filed

pytestmark = pytest.mark.usefixtures("ref")


def done_report(report=None):
    report = report or report_filed()
    clerk = officer(unit_code="KEL-31.74.02.1008")
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    transition(
        actor=clerk,
        report_id=report.pk,
        action=Action.COMPLETE,
        photos=[PhotoUpload("after.jpg", image_bytes(color=(1, 150, 1)))],
    )
    return Report.objects.get(pk=report.pk)


def act(client, report, action, data=None):
    url = reverse(
        "transparency:report-act", kwargs={"ticket": report.ticket, "action": action}
    )
    return client.post(url, {"version": report.version, **(data or {})})


def test_the_reporter_confirms_the_fix_from_the_report_page(client):
    report = done_report()
    client.force_login(report.reporter)
    page = client.get(report.get_absolute_url())
    assert [a for a, _l, _f in page.context["citizen_forms"]] == ["dispute", "confirm"]
    assert act(client, report, "confirm").status_code == 302
    assert Report.objects.get(pk=report.pk).status == "closed"


def test_a_supporter_disputes_with_a_reason_and_the_report_turns_red(client):
    fan = citizen()
    client.force_login(fan)
    report = report_filed()
    assert act(client, report, "support").status_code == 302
    assert Support.objects.filter(report=report, user=fan).exists()
    report = done_report(report)
    assert act(client, report, "dispute", {"note": ""}).status_code == 400
    assert act(client, report, "dispute", {"note": "Masih kotor"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "reopened"
    html = client.get(report.get_absolute_url()).content.decode()
    assert "status-red" in html and "A citizen disputed the follow-up" in html


def test_a_stranger_cannot_confirm_or_dispute(client):
    report = done_report()
    client.force_login(citizen())
    assert act(client, report, "confirm").status_code == 404
    assert act(client, report, "dispute", {"note": "x"}).status_code == 404
    assert Report.objects.get(pk=report.pk).status == "done"


def test_the_reporter_cannot_support_their_own_report_and_support_counts_once(client):
    report = report_filed()
    client.force_login(report.reporter)
    assert act(client, report, "support").status_code == 400
    fan = citizen()
    client.force_login(fan)
    act(client, report, "support")
    act(client, report, "support")
    assert Support.objects.filter(report=report).count() == 1


def test_logging_in_is_needed_to_act(client):
    report = done_report()
    response = act(client, report, "confirm")
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_the_public_timeline_reads_as_sentences_with_proof_photos(client):
    report = done_report()
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Kelurahan Kuningan Timur accepted the report and started work." in html
    assert "Kelurahan Kuningan Timur marked the report as done." in html
    assert 'alt="Proof photo"' in html
    assert "status-green" in html
