"""Supervisors keep reference data, SLA policy, users and roles in the Django admin
and read the history there; nobody rewrites history, and nobody else gets in."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Category, ReportEvent, SatisfactionSurvey
from officers.models import AuditSample, Membership, SlaWarning
from officers.permissions import MONITORING_ROOM_GROUP, SUPERVISOR_GROUP
from routing.models import Area, RoutingRule, Unit
from tests.factories import citizen, officer, report_filed, user

pytestmark = pytest.mark.usefixtures("ref")

READ_ONLY = [
    "complaints_reportevent",
    "complaints_satisfactionsurvey",
    "officers_auditsample",
    "officers_slawarning",
]


@pytest.fixture
def supervisor():
    account = user(is_staff=True)
    account.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
    return account


@pytest.fixture
def monitoring_room():
    account = user(is_staff=True)
    account.groups.add(Group.objects.get(name=MONITORING_ROOM_GROUP))
    return account


def supervised(report) -> dict:
    """What the sweep, the audit draw and the survey leave behind for a report.

    Written directly: the admin only reads these rows, and the services that
    write them have their own tests."""
    unit, now = report.handling_unit, timezone.now()

    def event(**fields) -> ReportEvent:
        return ReportEvent.objects.create(
            report=report,
            kind=ReportEvent.Kind.ACTION,
            unit=unit,
            created_at=now,
            **fields,
        )

    completion = event(action="complete", to_status="done")
    return {
        "complaints_reportevent": completion,
        "officers_auditsample": AuditSample.objects.create(
            report=report,
            completion=completion,
            unit=unit,
            month=date(now.year, now.month, 1),
            created_at=now,
        ),
        "officers_slawarning": SlaWarning.objects.create(
            report=report,
            late_unit=unit,
            unit=unit.parent or unit,
            clock=SlaWarning.Clock.RESPONSE,
            level=1,
            due_at=now,
            event=event(action="sla_warning"),
            created_at=now,
        ),
        "complaints_satisfactionsurvey": SatisfactionSurvey.objects.create(
            report=report,
            respondent=report.reporter,
            unit=unit,
            created_at=now,
            **{f"u{i}": 3 for i in range(1, 10)},
        ),
    }


def category_form(category: Category, **changes) -> dict:
    return {
        "code": category.code,
        "name": category.name,
        "name_en": category.name_en,
        "description": category.description,
        "default_agency": category.default_agency_id or "",
        "response_hours": category.response_hours,
        "completion_days": category.completion_days,
        "is_active": "on",
        "sort_order": category.sort_order,
        **changes,
    }


def user_form(account, **changes) -> dict:
    """The user change form as a supervisor sees it, with no membership rows."""
    joined = timezone.localtime(account.date_joined)
    return {
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "is_active": "on",
        "groups": [group.pk for group in account.groups.all()],
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        **changes,
    }


def test_a_supervisor_changes_a_categorys_service_levels(client, supervisor):
    client.force_login(supervisor)
    category = Category.objects.get(code="sampah")
    url = reverse("admin:complaints_category_change", args=[category.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Service levels" in page.content

    response = client.post(
        url, category_form(category, response_hours=12, completion_days=3)
    )

    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.response_hours, category.completion_days) == (12, 3)


def test_a_service_level_below_one_hour_is_refused_with_a_message(client, supervisor):
    client.force_login(supervisor)
    category = Category.objects.get(code="sampah")
    before = category.response_hours
    url = reverse("admin:complaints_category_change", args=[category.pk])

    response = client.post(url, category_form(category, response_hours=0))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    category.refresh_from_db()
    assert category.response_hours == before


@pytest.mark.parametrize(
    "name",
    [
        "routing_area_changelist",
        "routing_unit_changelist",
        "routing_routingrule_changelist",
        "complaints_category_changelist",
        "complaints_channel_changelist",
        "complaints_integrator_changelist",
        "officers_membership_changelist",
        "auth_user_changelist",
        "auth_user_add",
        "authtoken_tokenproxy_changelist",
    ],
)
def test_a_supervisor_reaches_every_reference_list(client, supervisor, name):
    client.force_login(supervisor)
    assert client.get(reverse(f"admin:{name}")).status_code == 200


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("complaints_category", "is_active__exact=1&q=sampah"),
        ("routing_routingrule", "is_active__exact=1&q=kebakaran"),
        ("officers_membership", "role__exact=head&unit__kind__exact=kelurahan&q=KEL"),
        ("auth_user", "memberships__unit__kind__exact=kelurahan&q=KEL"),
        ("officers_auditsample", "verdict__exact=pending&unit__kind__exact=kelurahan"),
        ("officers_slawarning", "clock__exact=response&level=1&is_manual__exact=0"),
        ("complaints_reportevent", "kind__exact=action&to_status__exact=done"),
        ("complaints_reportevent", "action__exact=complete"),
        ("complaints_satisfactionsurvey", "unit__kind__exact=kelurahan"),
    ],
)
def test_a_supervisor_filters_and_searches_the_lists(client, supervisor, name, query):
    report = report_filed()
    supervised(report)
    officer(unit_code=f"KEL-{report.area.code}", role=Membership.Role.HEAD)
    client.force_login(supervisor)

    page = client.get(f"{reverse(f'admin:{name}_changelist')}?{query}")

    assert page.status_code == 200
    assert page.context["cl"].result_count >= 1


@pytest.mark.parametrize("name", READ_ONLY)
def test_a_supervisor_finds_a_record_by_its_ticket_and_opens_it(
    client, supervisor, name
):
    report = report_filed()
    row = supervised(report)[name]
    report_filed()  # another report, which the search leaves out
    client.force_login(supervisor)

    page = client.get(reverse(f"admin:{name}_changelist"), {"q": report.ticket})
    detail = client.get(reverse(f"admin:{name}_change", args=[row.pk]))

    found = page.context["cl"].result_list
    assert row in found and {r.report_id for r in found} == {report.pk}
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content


def test_audit_samples_are_filtered_by_month(client, supervisor):
    row = supervised(report_filed())["officers_auditsample"]
    client.force_login(supervisor)
    url = reverse("admin:officers_auditsample_changelist")

    this_month = client.get(url, {"month": f"{row.month:%Y-%m}"})
    other_month = client.get(url, {"month": f"{row.month.year - 1}-01"})
    nonsense = client.get(url, {"month": "soon"})

    assert [r.pk for r in this_month.context["cl"].result_list] == [row.pk]
    assert other_month.context["cl"].result_count == 0
    assert nonsense.status_code == 302 and "e=1" in nonsense["Location"]


def test_a_supervisor_gives_a_user_a_unit_on_the_user_page(client, supervisor):
    account = user(first_name="Baru")
    unit = Unit.objects.get(code="KEL-31.71.01.1001")
    client.force_login(supervisor)
    url = reverse("admin:auth_user_change", args=[account.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"memberships-TOTAL_FORMS" in page.content
    assert b"admin-autocomplete" in page.content

    response = client.post(
        url,
        user_form(
            account,
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-unit": unit.pk,
                "memberships-0-role": Membership.Role.HEAD,
                "memberships-0-user": account.pk,
            },
        ),
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=account)
    assert (membership.unit, membership.role) == (unit, Membership.Role.HEAD)


def test_the_user_list_shows_each_users_roles_and_units(client, supervisor):
    account = officer()
    account.groups.add(Group.objects.get(name=MONITORING_ROOM_GROUP))
    client.force_login(supervisor)

    page = client.get(reverse("admin:auth_user_changelist"), {"q": account.username})

    assert MONITORING_ROOM_GROUP in page.content.decode()
    assert Membership.objects.get(user=account).unit.name in page.content.decode()


def test_a_supervisor_cannot_make_anyone_a_superuser(client, supervisor):
    account = user()
    client.force_login(supervisor)
    url = reverse("admin:auth_user_change", args=[account.pk])

    response = client.post(url, user_form(account, is_superuser="on"))
    client.post(
        reverse("admin:auth_user_change", args=[supervisor.pk]),
        user_form(supervisor, is_staff="on", is_superuser="on"),
    )

    assert response.status_code == 302
    account.refresh_from_db()
    supervisor.refresh_from_db()
    assert not account.is_superuser and not supervisor.is_superuser


def test_a_supervisor_cannot_change_a_superusers_account(client, supervisor):
    root = user(is_staff=True, is_superuser=True)
    client.force_login(supervisor)
    url = reverse("admin:auth_user_change", args=[root.pk])

    page = client.get(url)
    post = client.post(url, user_form(root, username="taken-over"))
    password = client.get(reverse("admin:auth_user_password_change", args=[root.pk]))

    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert post.status_code == 403
    assert password.status_code == 403
    root.refresh_from_db()
    assert root.username != "taken-over"


@pytest.mark.parametrize("name", READ_ONLY)
def test_nobody_writes_the_history_in_the_admin_not_even_a_superuser(client, name):
    row = supervised(report_filed())[name]
    client.force_login(user(is_staff=True, is_superuser=True))
    change = reverse(f"admin:{name}_change", args=[row.pk])

    page = client.get(change)

    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    assert client.post(change, {"note": "rewritten"}).status_code == 403
    assert (
        client.post(
            reverse(f"admin:{name}_delete", args=[row.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert type(row).objects.filter(pk=row.pk).exists()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name",
    [
        "complaints_reportevent",
        "complaints_satisfactionsurvey",
        "officers_auditsample",
        "officers_slawarning",
        "officers_membership",
        "auth_user",
        "routing_routingrule",
    ],
)
def test_a_changelist_costs_the_same_queries_for_more_rows(
    client, supervisor, django_assert_max_num_queries, name
):
    kelurahans = iter(Area.objects.filter(level=Area.Level.KELURAHAN))

    def more_rows():
        report = supervised(report_filed())["complaints_reportevent"].report
        account = officer(role=Membership.Role.HEAD)
        account.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
        RoutingRule.objects.create(
            category=report.category, area=next(kelurahans), unit=report.handling_unit
        )

    more_rows()
    client.force_login(supervisor)
    url = reverse(f"admin:{name}_changelist")
    client.get(url)  # warm the per-process caches (content types, site)
    few = count_queries(client, url)
    for _ in range(3):
        more_rows()

    with django_assert_max_num_queries(few):
        page = client.get(url)

    assert page.context["cl"].result_count > 1
    assert few <= 12


def test_the_monitoring_room_cannot_change_categories(client, monitoring_room):
    category = Category.objects.get(code="sampah")
    client.force_login(monitoring_room)
    change = reverse("admin:complaints_category_change", args=[category.pk])

    listing = client.get(reverse("admin:complaints_category_changelist"))
    page = client.get(change)
    posted = client.post(change, category_form(category, response_hours=1))

    assert (listing.status_code, page.status_code, posted.status_code) == (
        403,
        403,
        403,
    )
    category.refresh_from_db()
    assert category.response_hours != 1


def test_the_monitoring_room_reads_the_sla_warnings(client, monitoring_room):
    supervised(report_filed())
    client.force_login(monitoring_room)

    page = client.get(reverse("admin:officers_slawarning_changelist"))

    assert page.status_code == 200
    assert page.context["cl"].result_count == 1


@pytest.mark.parametrize("who", ["citizen", "officer"])
def test_citizens_and_officers_are_kept_out_of_the_admin(client, who):
    client.force_login(citizen() if who == "citizen" else officer())
    response = client.get(reverse("admin:complaints_report_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
