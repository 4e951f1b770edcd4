"""Supervisors keep the reference data in the Django admin; nobody else gets in."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from complaints.models import Category
from officers.permissions import SUPERVISOR_GROUP
from tests.factories import citizen, officer, user

pytestmark = pytest.mark.usefixtures("ref")


@pytest.fixture
def supervisor():
    account = user(is_staff=True)
    account.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
    return account


def test_a_supervisor_changes_a_categorys_service_levels(client, supervisor):
    client.force_login(supervisor)
    category = Category.objects.get(code="sampah")
    url = reverse("admin:complaints_category_change", args=[category.pk])
    page = client.get(url)
    assert page.status_code == 200

    data = {
        "code": category.code,
        "name": category.name,
        "name_en": category.name_en,
        "description": category.description,
        "default_agency": category.default_agency_id,
        "response_hours": 12,
        "completion_days": 3,
        "is_active": "on",
        "sort_order": category.sort_order,
    }
    response = client.post(url, data)

    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.response_hours, category.completion_days) == (12, 3)


@pytest.mark.parametrize(
    "name",
    [
        "routing_area_changelist",
        "routing_unit_changelist",
        "routing_routingrule_changelist",
        "complaints_channel_changelist",
        "complaints_integrator_changelist",
        "officers_membership_changelist",
        "authtoken_tokenproxy_changelist",
    ],
)
def test_a_supervisor_reaches_every_reference_list(client, supervisor, name):
    client.force_login(supervisor)
    assert client.get(reverse(f"admin:{name}")).status_code == 200


@pytest.mark.parametrize("who", ["citizen", "officer"])
def test_citizens_and_officers_are_kept_out_of_the_admin(client, who):
    client.force_login(citizen() if who == "citizen" else officer())
    response = client.get(reverse("admin:complaints_report_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
