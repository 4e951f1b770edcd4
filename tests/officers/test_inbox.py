"""The unit's inbox: tabs, clocks, filters, search, sorting, pages, and the
switch between an officer's units."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Coordination, Report
from complaints.workflow import Action, transition
from officers.services import membership_ensure
from routing.models import Unit
from tests.factories import GAMBIR_CODE, MONAS, officer, report_filed

pytestmark = pytest.mark.usefixtures("ref")
KEL = "KEL-31.74.02.1008"
INBOX = reverse("officers:inbox")


@pytest.fixture
def clerk(client):
    account = officer(unit_code=KEL)
    client.force_login(account)
    return account


def tickets(response):
    return [r.ticket for r in response.context["page"].object_list]


def counts(response):
    return {item.slug: n for item, n in response.context["tabs"]}


def test_each_tab_holds_the_reports_in_that_state(client, clerk):
    fresh = report_filed()
    working = report_filed()
    transition(actor=clerk, report_id=working.pk, action=Action.ACCEPT)
    late = report_filed()
    Report.objects.filter(pk=late.pk).update(
        response_due_at=timezone.now() - timedelta(hours=3)
    )
    elsewhere = report_filed(point=MONAS)  # Gambir's, not ours
    Coordination.objects.create(
        report=elsewhere, unit=Unit.objects.get(code=KEL), invited_at=timezone.now()
    )
    response = client.get(INBOX)
    assert response.status_code == 200
    assert set(tickets(response)) == {fresh.ticket, late.ticket}
    # The tab sorts by its clock: the late one first, shown as late.
    assert tickets(response)[0] == late.ticket
    first = response.context["page"].object_list[0]
    assert first.is_late and first.clock == "response"
    assert "late by" in response.content.decode()
    assert counts(response) == {
        "new": 2,
        "in_process": 1,
        "coordinated": 1,
        "awaiting": 0,
        "overdue": 1,
        "done": 0,
    }
    assert tickets(client.get(INBOX, {"tab": "in_process"})) == [working.ticket]
    assert tickets(client.get(INBOX, {"tab": "coordinated"})) == [elsewhere.ticket]
    assert tickets(client.get(INBOX, {"tab": "overdue"})) == [late.ticket]


def test_the_done_tab_stops_counting_at_its_cap(client, clerk, monkeypatch):
    from officers.selectors import inbox

    monkeypatch.setattr(inbox, "SETTLED_COUNT_CAP", 2)
    settled = [report_filed().pk for _ in range(3)]
    Report.objects.filter(pk__in=settled).update(status=Report.Status.CLOSED)
    assert counts(client.get(INBOX))["done"] == "2+"
    monkeypatch.setattr(inbox, "SETTLED_COUNT_CAP", 3)
    assert counts(client.get(INBOX))["done"] == 3


def test_search_by_ticket_and_by_text_and_filter_by_category(client, clerk):
    rubbish = report_filed()
    road = report_filed(category_code="jalan-rusak")
    Report.objects.filter(pk=road.pk).update(title="Jalan berlubang besar")
    assert tickets(client.get(INBOX, {"q": rubbish.ticket.lower()})) == [rubbish.ticket]
    assert tickets(client.get(INBOX, {"q": "berlubang"})) == [road.ticket]
    category = road.category_id
    assert tickets(client.get(INBOX, {"category": category})) == [road.ticket]
    newest = tickets(client.get(INBOX, {"sort": "newest"}))
    assert newest == [road.ticket, rubbish.ticket]


def test_bad_filters_are_explained_and_not_applied(client, clerk):
    report_filed()
    response = client.get(
        INBOX,
        {"received_from": "2026-12-31", "received_to": "2026-01-01", "category": "x"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert len(tickets(response)) == 1  # the list is still there, unfiltered
    assert client.get(INBOX, {"tab": "nonsense", "page": "-4"}).status_code == 200
    for far in ({"received_to": "9999-12-31"}, {"received_from": "0001-01-01"}):
        assert client.get(INBOX, far).status_code == 400


def test_the_inbox_pages_through_many_reports_in_constant_queries(
    client, clerk, django_assert_max_num_queries
):
    first = report_filed()
    Report.objects.bulk_create(
        [
            Report(
                **{
                    f.attname: getattr(first, f.attname)
                    for f in Report._meta.concrete_fields
                    if f.attname not in ("id", "ticket")
                },
                ticket=f"JKT-2611-9{n:05d}",
            )
            for n in range(30)
        ]
    )
    with django_assert_max_num_queries(16):
        response = client.get(INBOX)
    assert len(tickets(response)) == 25
    second = client.get(INBOX, {"page": 2})
    assert len(tickets(second)) == 6


def test_an_officer_of_two_units_switches_between_them(client, clerk):
    membership_ensure(user=clerk, unit=Unit.objects.get(code="KEL-" + GAMBIR_CODE))
    ours = report_filed()
    theirs = report_filed(point=MONAS)
    shown = client.get(INBOX)
    first_unit = shown.context["unit"]
    other = next(u for u in shown.context["units"] if u != first_unit)
    client.post(reverse("officers:unit-switch"), {"unit": other.pk})
    after = client.get(INBOX)
    assert after.context["unit"] == other
    assert {ours.ticket, theirs.ticket} == set(tickets(shown)) | set(tickets(after))
    # A unit the officer does not belong to cannot be chosen.
    stranger = Unit.objects.get(code="KEC-31.74.02")
    assert (
        client.post(reverse("officers:unit-switch"), {"unit": stranger.pk}).status_code
        == 404
    )


def test_citizens_get_404_and_the_monitoring_room_is_sent_to_its_board(client):
    from django.contrib.auth.models import Group

    from officers.permissions import MONITORING_ROOM_GROUP
    from tests.factories import citizen, user

    client.force_login(citizen())
    assert client.get(INBOX).status_code == 404
    watcher = user()
    watcher.groups.add(Group.objects.get(name=MONITORING_ROOM_GROUP))
    client.force_login(watcher)
    assert client.get(INBOX)["Location"] == reverse("officers:monitoring")


def test_the_desk_intake_form_is_reachable_from_the_inbox(client, clerk):
    html = client.get(INBOX).content.decode()
    assert reverse("complaints:officer-report-create") in html


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_inbox_rows_read_as_the_shared_row_template_writes_them(
    client, clerk, language
):
    """The inbox writes its rows in Python (its main screen): the same markup as
    officers/_report_rows.html, which the monitoring room still renders."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from officers.views.inbox import rows_html, with_clocks

    plain = report_filed()
    tricky = report_filed()
    Report.objects.filter(pk=tricky.pk).update(
        title='Sampah <b>"menumpuk"</b> & bau',
        address="Jl. Kebon Sirih No. 1 & 2, <RT 03/RW 05>, " + "panjang " * 10,
        response_due_at=timezone.now() - timedelta(hours=30),
    )
    working = report_filed()
    transition(actor=clerk, report_id=working.pk, action=Action.ACCEPT)
    reports = list(
        Report.objects.filter(pk__in=[plain.pk, tricky.pk, working.pk])
        .select_related("category", "area__parent")
        .order_by("pk")
    )
    with_clocks(reports, timezone.now())
    reports[0].ping_pong = True
    with translation.override(language):
        for rows in (reports, []):
            expected = render_to_string("officers/_report_rows.html", {"reports": rows})
            assert str(rows_html(rows)) == expected
