"""Integrators register and manage their webhooks through /api/v1/webhooks/."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from complaints.models import ReportEvent, Webhook, WebhookAttempt, WebhookDelivery
from tests.factories import citizen, integrator, report_filed

pytestmark = pytest.mark.usefixtures("ref")
LIST = reverse("api:webhook-list")
HTTPS = "https://hooks.example.com/warga"


def detail(webhook) -> str:
    return reverse("api:webhook-detail", kwargs={"id": webhook.pk})


def deliveries(webhook) -> str:
    return reverse("api:webhook-deliveries", kwargs={"id": webhook.pk})


def api_for(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def connector():
    return integrator(channel_code="qlue")


@pytest.fixture
def api(connector):
    return api_for(connector[1])


@pytest.fixture
def other():
    """Another integrator's webhook."""
    someone, _key = integrator(channel_code="jaki")
    return Webhook.objects.create(integrator=someone, url=HTTPS + "/jaki")


def test_an_integrator_registers_a_webhook_and_sees_its_secret_once(api, connector):
    created = api.post(LIST, {"url": HTTPS}, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    webhook = Webhook.objects.get()
    assert webhook.integrator == connector[0] and webhook.url == HTTPS
    assert body["secret"] == webhook.secret and len(body["secret"]) == 64
    assert body["is_active"] is True and body["id"] == webhook.pk
    listed = api.get(LIST).json()
    read = api.get(detail(webhook)).json()
    assert [row["id"] for row in listed["results"]] == [webhook.pk]
    assert "secret" not in listed["results"][0] and "secret" not in read
    assert read["url"] == HTTPS


def test_the_list_holds_only_the_integrators_own_webhooks(api, connector, other):
    for n in range(3):
        Webhook.objects.create(integrator=connector[0], url=f"{HTTPS}/{n}")

    listed = api.get(LIST)

    assert listed.status_code == 200
    assert listed.json()["count"] == 3
    assert other.pk not in {row["id"] for row in listed.json()["results"]}


def test_the_list_costs_the_same_queries_for_more_webhooks(
    api, connector, django_assert_max_num_queries
):
    Webhook.objects.create(integrator=connector[0], url=HTTPS)
    api.get(LIST)  # the throttle's first visit writes more than later ones
    with CaptureQueriesContext(connection) as few:
        api.get(LIST)
    for n in range(4):
        Webhook.objects.create(integrator=connector[0], url=f"{HTTPS}/{n}")

    with django_assert_max_num_queries(len(few)):
        assert api.get(LIST).json()["count"] == 5


def test_an_integrator_changes_and_switches_off_its_webhook(api, connector):
    webhook = Webhook.objects.create(integrator=connector[0], url=HTTPS)
    secret = webhook.secret

    moved = api.patch(detail(webhook), {"url": HTTPS + "/v2"}, format="json")
    off = api.patch(detail(webhook), {"is_active": False}, format="json")

    assert moved.status_code == 200 and moved.json()["url"] == HTTPS + "/v2"
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert "secret" not in off.json()
    webhook.refresh_from_db()
    assert (webhook.url, webhook.is_active, webhook.secret) == (
        HTTPS + "/v2",
        False,
        secret,
    )


def test_an_integrator_deletes_its_webhook(api, connector):
    webhook = Webhook.objects.create(integrator=connector[0], url=HTTPS)

    deleted = api.delete(detail(webhook))

    assert deleted.status_code == 204
    assert not Webhook.objects.exists()
    assert api.get(detail(webhook)).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "ftp://hooks.example.com/x",
        "javascript:alert(1)",
        "https://",
        "https://user:pw@hooks.example.com/x",
        "https://hooks.example.com/" + "x" * 480,
        None,
        12,
    ],
)
def test_a_bad_url_is_a_400_and_registers_nothing(api, url):
    response = api.post(LIST, {"url": url}, format="json")

    assert response.status_code == 400
    assert "url" in response.json()
    assert not Webhook.objects.exists()


def test_a_missing_url_is_a_400(api):
    response = api.post(LIST, {}, format="json")
    assert response.status_code == 400 and "url" in response.json()


def test_plain_http_and_private_hosts_are_refused_in_production(api, settings):
    settings.WARGA_WEBHOOK_HTTPS_ONLY = True
    settings.WARGA_WEBHOOK_ALLOW_PRIVATE_HOSTS = False

    plain = api.post(LIST, {"url": "http://hooks.example.com/x"}, format="json")
    loopback = api.post(LIST, {"url": "https://127.0.0.1/x"}, format="json")
    private = api.post(LIST, {"url": "https://10.1.2.3/x"}, format="json")
    local = api.post(LIST, {"url": "https://localhost/x"}, format="json")
    public = api.post(LIST, {"url": HTTPS}, format="json")

    assert plain.status_code == 400 and "https://" in plain.json()["url"][0]
    assert (loopback.status_code, private.status_code, local.status_code) == (
        400,
        400,
        400,
    )
    assert public.status_code == 201
    assert Webhook.objects.count() == 1


def test_http_to_localhost_is_accepted_where_the_settings_allow_it(api):
    response = api.post(LIST, {"url": "http://127.0.0.1:8765/hook"}, format="json")
    assert response.status_code == 201


def test_the_same_url_twice_is_refused(api):
    api.post(LIST, {"url": HTTPS}, format="json")
    again = api.post(LIST, {"url": HTTPS}, format="json")
    assert again.status_code == 400 and "already registered" in again.json()["url"][0]
    assert Webhook.objects.count() == 1


def test_an_integrator_has_at_most_the_allowed_number_of_webhooks(api, settings):
    settings.WARGA_WEBHOOK_MAX_PER_INTEGRATOR = 2
    for n in range(2):
        api.post(LIST, {"url": f"{HTTPS}/{n}"}, format="json")

    third = api.post(LIST, {"url": f"{HTTPS}/3"}, format="json")

    assert third.status_code == 400 and "non_field_errors" in third.json()
    assert Webhook.objects.count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"url": "not a url"},
        {"url": None},
        {"is_active": "perhaps"},
        {"url": "https://" + "x" * 500},
    ],
)
def test_a_bad_change_is_a_400_and_changes_nothing(api, connector, change):
    webhook = Webhook.objects.create(integrator=connector[0], url=HTTPS)

    response = api.patch(detail(webhook), change, format="json")

    assert response.status_code == 400
    assert set(response.json()) <= {"url", "is_active"}
    webhook.refresh_from_db()
    assert (webhook.url, webhook.is_active) == (HTTPS, True)


def test_another_integrators_webhook_is_a_404_for_every_method(api, other):
    assert api.get(detail(other)).status_code == 404
    changed = api.patch(detail(other), {"is_active": False}, format="json")
    assert changed.status_code == 404
    assert api.delete(detail(other)).status_code == 404
    assert api.get(deliveries(other)).status_code == 404
    other.refresh_from_db()
    assert other.is_active is True


def test_a_missing_webhook_is_a_404(api):
    for url in (
        reverse("api:webhook-detail", kwargs={"id": 999999}),
        reverse("api:webhook-detail", kwargs={"id": 10**30}),
        reverse("api:webhook-deliveries", kwargs={"id": 999999}),
    ):
        assert api.get(url).status_code == 404
    huge = reverse("api:webhook-detail", kwargs={"id": 10**30})
    assert api.delete(huge).status_code == 404
    assert api.patch(huge, {"is_active": False}, format="json").status_code == 404


def test_a_key_that_is_not_an_integrators_is_refused(connector):
    webhook = Webhook.objects.create(integrator=connector[0], url=HTTPS)
    client = api_for(Token.objects.create(user=citizen()).key)

    responses = [
        client.get(LIST),
        client.post(LIST, {"url": HTTPS + "/x"}, format="json"),
        client.get(detail(webhook)),
        client.patch(detail(webhook), {"is_active": False}, format="json"),
        client.delete(detail(webhook)),
        client.get(deliveries(webhook)),
    ]

    assert {r.status_code for r in responses} == {403}
    assert Webhook.objects.filter(is_active=True).count() == 1


def test_a_switched_off_integrator_is_refused(api, connector):
    connector[0].is_active = False
    connector[0].save()
    assert api.get(LIST).status_code == 403
    assert api.post(LIST, {"url": HTTPS}, format="json").status_code == 403


def test_without_a_key_the_api_refuses(connector):
    webhook = Webhook.objects.create(integrator=connector[0], url=HTTPS)
    client = APIClient()

    responses = [
        client.get(LIST),
        client.post(LIST, {"url": HTTPS + "/x"}, format="json"),
        client.get(detail(webhook)),
        client.patch(detail(webhook), {"is_active": False}, format="json"),
        client.delete(detail(webhook)),
        client.get(deliveries(webhook)),
    ]

    assert {r.status_code for r in responses} == {401}
    assert Webhook.objects.count() == 1


def _deliveries_for(webhook, count: int) -> list[WebhookDelivery]:
    made = []
    for n in range(count):
        report = report_filed()
        event = report.events.get(kind=ReportEvent.Kind.SUBMITTED)
        delivery = WebhookDelivery.objects.create(
            webhook=webhook,
            event=event,
            payload={"type": "report.submitted", "report": {"ticket": report.ticket}},
            attempts=1,
            created_at=timezone.now() + timedelta(seconds=n),
        )
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=timezone.now(),
            status_code=500,
            duration_ms=12,
        )
        made.append(delivery)
    return made


def test_the_delivery_log_lists_newest_first_with_every_attempt(api, connector):
    webhook = Webhook.objects.create(integrator=connector[0], url=HTTPS)
    made = _deliveries_for(webhook, 3)

    response = api.get(deliveries(webhook))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    rows = body["results"]
    assert [row["id"] for row in rows] == [d.pk for d in reversed(made)]
    first = rows[0]
    assert first["type"] == "report.submitted"
    assert first["state"] == "pending" and first["attempts"] == 1
    assert first["payload"]["id"] == first["id"]
    assert first["attempt_log"] == [
        {
            "attempted_at": first["attempt_log"][0]["attempted_at"],
            "status_code": 500,
            "error": "",
            "duration_ms": 12,
        }
    ]


def test_the_delivery_log_costs_the_same_queries_for_more_rows(
    api, connector, django_assert_max_num_queries
):
    webhook = Webhook.objects.create(integrator=connector[0], url=HTTPS)
    _deliveries_for(webhook, 1)
    api.get(deliveries(webhook))
    with CaptureQueriesContext(connection) as few:
        api.get(deliveries(webhook))
    _deliveries_for(webhook, 4)

    with django_assert_max_num_queries(len(few)):
        assert api.get(deliveries(webhook)).json()["count"] == 5


def test_the_delivery_log_is_paginated(api, connector):
    webhook = Webhook.objects.create(integrator=connector[0], url=HTTPS)
    _deliveries_for(webhook, 2)

    beyond = api.get(deliveries(webhook), {"page": 9})

    assert beyond.status_code == 404
    assert api.get(deliveries(webhook), {"page": 1}).json()["next"] is None
