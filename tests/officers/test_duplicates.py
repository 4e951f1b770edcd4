"""Fewer twins in the back-office: the workspace lists likely duplicates and merges
the report into one through the workflow's merge action."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from complaints.models import Report
from complaints.workflow import Action, transition
from officers.permissions import MONITORING_ROOM_GROUP
from routing.models import Unit
from tests.factories import KUNINGAN, MONAS, officer, report_filed, user

pytestmark = pytest.mark.usefixtures("ref")
HOME = "KEL-31.74.02.1008"  # Kuningan Timur, where report_filed puts reports
KECAMATAN = "KEC-31.74.02"
# About 55 m and 110 m north of KUNINGAN: inside the 150 m radius.
NEAR = (KUNINGAN[0] + 0.0005, KUNINGAN[1])
NEARER_STILL = (KUNINGAN[0] + 0.0001, KUNINGAN[1])
FAR = (KUNINGAN[0] + 0.002, KUNINGAN[1])  # about 220 m


@pytest.fixture(autouse=True)
def radius(settings):
    settings.WARGA_TWIN_RADIUS_METRES = 150


@pytest.fixture
def clerk(client):
    account = officer(unit_code=HOME)
    client.force_login(account)
    return account


def page(report):
    return reverse("officers:report", kwargs={"ticket": report.ticket})


def listed(response) -> list[str]:
    assert response.status_code == 200
    return [c.report.ticket for c, _form in response.context["duplicates"]]


def test_the_workspace_lists_open_reports_of_the_category_nearby_nearest_first(
    client, clerk
):
    report = report_filed()
    near = report_filed(point=NEAR)
    nearer = report_filed(point=NEARER_STILL)
    report_filed(point=FAR)
    report_filed(point=MONAS)
    report_filed(category_code="jalan-rusak")
    long_ago = report_filed()
    Report.objects.filter(pk=long_ago.pk).update(
        created_at=report.created_at - timedelta(days=31)
    )
    merged = report_filed()
    transition(actor=clerk, report_id=merged.pk, action=Action.MERGE, parent=near)

    response = client.get(page(report))
    assert listed(response) == [nearer.ticket, near.ticket]
    html = response.content.decode()
    assert "Likely duplicates" in html
    assert page(near) in html  # the officer's own unit: its workspace
    assert f"Merge this report into {near.ticket}" in html
    assert "/thumbs/" in html


def test_a_twin_with_another_unit_is_listed_and_links_to_its_public_page(client, clerk):
    report = report_filed()
    elsewhere = report_filed(point=NEAR)
    kecamatan = Unit.objects.get(code=KECAMATAN)
    transition(
        actor=clerk,
        report_id=elsewhere.pk,
        action=Action.DISPOSE,
        unit=kecamatan,
        note="Wewenang kecamatan",
    )
    transition(
        actor=officer(unit_code=KECAMATAN),
        report_id=elsewhere.pk,
        action=Action.ACCEPT_DISPOSITION,
    )

    response = client.get(page(report))
    assert listed(response) == [elsewhere.ticket]
    html = response.content.decode()
    assert elsewhere.get_absolute_url() in html
    assert page(elsewhere) not in html


def test_merging_through_the_button_marks_the_report_merged_into_the_chosen_one(
    client, clerk
):
    report = report_filed()
    original = report_filed(point=NEAR)
    response = client.get(page(report))
    [(candidate, form)] = response.context["duplicates"]
    html = response.content.decode()
    action = reverse(
        "officers:report-act", kwargs={"ticket": report.ticket, "action": "merge"}
    )
    assert f'action="{action}"' in html
    assert f'name="parent" value="{original.ticket}"' in html

    response = client.post(
        action, {"version": form.initial["version"], "parent": form.initial["parent"]}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.MERGED
    assert report.parent == original
    assert original.events.filter(action="duplicate_added").exists()


def test_a_stale_merge_button_is_a_409_and_merges_nothing(client, clerk):
    report = report_filed()
    original = report_filed(point=NEAR)
    [(_candidate, form)] = client.get(page(report)).context["duplicates"]
    transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    response = client.post(
        reverse(
            "officers:report-act", kwargs={"ticket": report.ticket, "action": "merge"}
        ),
        {"version": form.initial["version"], "parent": original.ticket},
    )
    assert response.status_code == 409
    assert Report.objects.get(pk=report.pk).status == Report.Status.IN_PROCESS


def test_an_officer_of_another_unit_gets_a_404(client):
    report = report_filed()
    original = report_filed(point=NEAR)
    client.force_login(officer(unit_code="KEL-31.71.01.1001"))
    assert client.get(page(report)).status_code == 404
    response = client.post(
        reverse(
            "officers:report-act", kwargs={"ticket": report.ticket, "action": "merge"}
        ),
        {"version": report.version, "parent": original.ticket},
    )
    assert response.status_code == 404
    assert Report.objects.get(pk=report.pk).status == Report.Status.NEW


def test_the_section_is_absent_when_the_workflow_offers_no_merge(client):
    report = report_filed()
    report_filed(point=NEAR)
    watcher = user()
    watcher.groups.add(Group.objects.get(name=MONITORING_ROOM_GROUP))
    client.force_login(watcher)
    response = client.get(page(report))
    assert response.status_code == 200
    assert response.context["duplicates"] is None
    assert "Likely duplicates" not in response.content.decode()


def test_no_twins_says_so(client, clerk):
    report = report_filed()
    html = client.get(page(report)).content.decode()
    assert "Likely duplicates" in html and "None found." in html


@pytest.mark.parametrize("twins", [1, 5])
def test_the_workspace_query_count_holds_with_duplicates(
    client, clerk, twins, django_assert_max_num_queries
):
    report = report_filed()
    for n in range(twins):
        report_filed(point=(KUNINGAN[0] + 0.0001 * (n + 1), KUNINGAN[1]))
    with django_assert_max_num_queries(25):
        response = client.get(page(report))
    assert len(listed(response)) == twins
