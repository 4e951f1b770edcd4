"""Integrators hear of every status change of the reports they may see: a signed
JSON POST, retried with back-off, every try logged. A local receiver plays the
integrator's server."""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from complaints.models import (
    Category,
    Report,
    ReportEvent,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from complaints.services.intake import report_submit
from complaints.services.photos import PhotoUpload
from complaints.services.webhooks import event_fan_out
from complaints.tasks import webhook_deliveries_send_due, webhook_delivery_send
from complaints.workflow import Action, transition
from tests.factories import KUNINGAN, image_bytes, integrator, officer, user

pytestmark = pytest.mark.usefixtures("ref")
HOME = "KEL-31.74.02.1008"  # Kuningan Timur, where KUNINGAN lies
SECRETS = ("Budi Rahasia", "budi.rahasia@example.com", "+62811000999", "Jl. Mawar 7")


class Receiver:
    """What the integrator's server was sent, and how it answers."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.delay = 0.0
        self.headers: dict[str, str] = {}
        self.release = threading.Event()
        self.url = ""

    def to(self, path: str) -> str:
        return f"{self.url}/{path}"

    def paths(self) -> list[str]:
        return sorted(request["path"] for request in self.requests)


@pytest.fixture
def receiver():
    received = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": body}
            )
            if received.delay:
                received.release.wait(received.delay)
            try:
                self.send_response(received.status)
                for name, value in received.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender gave up waiting

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.url = f"http://127.0.0.1:{server.server_port}"
    yield received
    received.release.set()
    server.shutdown()
    server.server_close()


def hook(connector, url: str, **fields) -> Webhook:
    return Webhook.objects.create(integrator=connector, url=url, **fields)


def filed_through(connector) -> Report:
    """A report a channel connector filed, with the reporter's contact details."""
    return report_submit(
        actor=connector.user,
        channel=connector.channel,
        category=Category.objects.get(code="sampah"),
        title="Sampah menumpuk",
        description="Sudah tiga hari.",
        latitude=KUNINGAN[0],
        longitude=KUNINGAN[1],
        location_source=Report.LocationSource.CHANNEL,
        address=SECRETS[3],
        reporter_name=SECRETS[0],
        reporter_email=SECRETS[1],
        reporter_phone=SECRETS[2],
        photos=[PhotoUpload("evidence.jpg", image_bytes())],
        integrator=connector,
        external_id=f"EXT-{connector.pk}",
    ).report


def accept(report, capture) -> ReportEvent:
    with capture(execute=True):
        return transition(
            actor=officer(unit_code=HOME),
            report_id=report.pk,
            action=Action.ACCEPT,
            planned_completion_at=timezone.now() + timedelta(days=3),
        )


def verify(request, secret: str) -> dict:
    """The receiver's check of the signature, as the service docstring says."""
    header = request["headers"]["X-Warga-Signature"]
    t, v1 = (part.split("=", 1)[1] for part in header.split(","))
    signed = t.encode() + b"." + request["body"]
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert abs(time.time() - int(t)) < 300
    assert hmac.compare_digest(expected, v1)
    return json.loads(request["body"])


def make_due():
    """Time passes: every waiting delivery's next try is due now."""
    WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def qlue():
    return integrator(channel_code="qlue")[0]


@pytest.fixture
def unit_system():
    return integrator(channel_code=None, unit_code=HOME)[0]


def test_a_status_change_reaches_the_units_and_the_channels_integrators_signed(
    receiver, qlue, unit_system, django_capture_on_commit_callbacks
):
    channel_hook = hook(qlue, receiver.to("qlue"))
    unit_hook = hook(unit_system, receiver.to("unit"))
    hook(unit_system, receiver.to("unit-off"), is_active=False)
    hook(integrator(channel_code="jaki")[0], receiver.to("jaki"))
    elsewhere = integrator(channel_code=None, unit_code="KEL-31.71.01.1001")[0]
    hook(elsewhere, receiver.to("gambir"))
    switched_off = integrator(channel_code="qlue")[0]
    switched_off.is_active = False
    switched_off.save()
    hook(switched_off, receiver.to("qlue-off"))
    report = filed_through(qlue)

    event = accept(report, django_capture_on_commit_callbacks)

    assert receiver.paths() == ["/qlue", "/unit"]
    for request in receiver.requests:
        secret = (channel_hook if request["path"] == "/qlue" else unit_hook).secret
        body = verify(request, secret)
        headers = request["headers"]
        assert headers["Content-Type"] == "application/json"
        assert headers["User-Agent"] == "Warga-Webhooks/1"
        assert headers["X-Warga-Event"] == "report.status_changed"
        assert headers["X-Warga-Delivery"] == str(body["id"])
        assert body["type"] == "report.status_changed"
        assert (body["action"], body["from_status"], body["to_status"]) == (
            "accept",
            "new",
            "in_process",
        )
        assert body["occurred_at"] == timezone.localtime(event.created_at).isoformat()
        assert body["report"]["ticket"] == report.ticket
        assert body["report"]["status"] == "in_process"
        assert body["report"]["public_colour"] == "yellow"
        assert body["report"]["public_reason"]
        assert body["report"]["category"] == "sampah"
        assert body["report"]["handling_unit"]["code"] == HOME
        assert body["report"]["url"].endswith(report.get_absolute_url())
        assert body["report"]["url"].startswith("http")
        assert body["report"]["api_url"].endswith(f"/api/v1/reports/{report.ticket}/")
    delivery = WebhookDelivery.objects.get(webhook=unit_hook)
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    attempt = delivery.attempt_log.get()
    assert attempt.status_code == 200 and attempt.error == ""
    assert WebhookDelivery.objects.count() == 2


def test_a_new_report_is_announced_to_the_integrators_of_its_unit(
    receiver, qlue, unit_system, django_capture_on_commit_callbacks
):
    unit_hook = hook(unit_system, receiver.to("unit"))

    with django_capture_on_commit_callbacks(execute=True):
        report = filed_through(qlue)

    [request] = receiver.requests
    body = verify(request, unit_hook.secret)
    assert request["headers"]["X-Warga-Event"] == "report.submitted"
    assert body["type"] == "report.submitted"
    assert (body["action"], body["from_status"], body["to_status"]) == (
        None,
        None,
        "new",
    )
    assert body["report"]["ticket"] == report.ticket
    assert body["report"]["public_colour"] == "red"


def test_an_event_that_changes_no_status_is_not_sent(receiver, qlue, unit_system):
    hook(unit_system, receiver.to("unit"))
    report = filed_through(qlue)
    routed = report.events.get(kind=ReportEvent.Kind.ROUTED)

    assert event_fan_out(event_id=routed.pk) == 0

    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_fanning_out_an_event_twice_delivers_it_once(
    receiver, qlue, django_capture_on_commit_callbacks
):
    hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    event = accept(report, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        event_fan_out(event_id=event.pk)

    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_the_payload_carries_no_personal_data_of_the_reporter(
    receiver, qlue, django_capture_on_commit_callbacks
):
    hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    report.public_name = "Warga Baik"
    report.save(update_fields=["public_name"])

    accept(report, django_capture_on_commit_callbacks)

    [request] = receiver.requests
    sent = request["body"].decode()
    for secret in SECRETS:
        assert secret not in sent
    assert "reporter" not in sent and "email" not in sent and "phone" not in sent
    body = json.loads(sent)
    assert set(body) == {
        "id",
        "type",
        "occurred_at",
        "action",
        "from_status",
        "to_status",
        "report",
    }
    assert set(body["report"]) == {
        "ticket",
        "status",
        "public_colour",
        "public_reason",
        "category",
        "handling_unit",
        "url",
        "api_url",
    }


def test_a_failed_delivery_is_logged_and_retried_after_the_back_off(
    receiver, qlue, django_capture_on_commit_callbacks
):
    hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    receiver.status = 500

    accept(report, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    attempt = delivery.attempt_log.get()
    assert attempt.status_code == 500 and attempt.duration_ms >= 0
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at - attempt.attempted_at == timedelta(seconds=60)

    assert webhook_deliveries_send_due() == 0  # not due yet: nothing sent
    assert len(receiver.requests) == 1

    receiver.status = 200
    make_due()
    assert webhook_deliveries_send_due() == 1

    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert delivery.attempts == 2
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]
    assert len(receiver.requests) == 2
    # Both tries carried the same delivery and the same body.
    first, second = (json.loads(r["body"]) for r in receiver.requests)
    assert first == second
    assert webhook_deliveries_send_due() == 0


def test_a_receiver_that_never_answers_is_given_up_after_the_last_attempt(
    receiver, qlue, settings, django_capture_on_commit_callbacks
):
    settings.WARGA_WEBHOOK_TIMEOUT_SECONDS = 0.2
    settings.WARGA_WEBHOOK_MAX_ATTEMPTS = 3
    hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    receiver.delay = 5

    accept(report, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    waits = [delivery.next_attempt_at - delivery.attempt_log.last().attempted_at]
    make_due()
    webhook_deliveries_send_due()
    delivery.refresh_from_db()
    waits.append(delivery.next_attempt_at - delivery.attempt_log.last().attempted_at)
    make_due()
    webhook_deliveries_send_due()

    delivery.refresh_from_db()
    assert waits == [timedelta(seconds=60), timedelta(seconds=300)]
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.attempts == 3 and delivery.next_attempt_at is None
    attempts = list(delivery.attempt_log.all())
    assert len(attempts) == 3
    assert all(a.status_code is None and "0.2 seconds" in a.error for a in attempts)
    assert len(receiver.requests) == 3
    make_due()
    assert webhook_deliveries_send_due() == 0
    webhook_delivery_send(delivery.pk)
    assert len(receiver.requests) == 3


def test_running_the_delivery_task_twice_sends_once(
    receiver, qlue, django_capture_on_commit_callbacks
):
    hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    accept(report, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()

    assert webhook_delivery_send(delivery.pk) is False

    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.count() == 1


def test_a_retry_not_yet_due_is_not_sent_early(
    receiver, qlue, django_capture_on_commit_callbacks
):
    hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    receiver.status = 503
    accept(report, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()

    webhook_delivery_send(delivery.pk)

    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().attempts == 1


def test_a_delivery_already_claimed_by_another_worker_is_not_sent(
    receiver, qlue, django_capture_on_commit_callbacks, monkeypatch
):
    hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    monkeypatch.setattr(
        "complaints.services.webhooks.async_task", lambda *args, **kwargs: None
    )
    accept(report, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    # Another worker claimed the try between this one's read and its claim.
    real_filter = WebhookDelivery.objects.filter
    claimed = []

    def racing_filter(*args, **kwargs):
        if "attempts" in kwargs and not claimed:
            claimed.append(True)
            real_filter(pk=delivery.pk).update(attempts=1)
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(WebhookDelivery.objects, "filter", racing_filter)

    assert webhook_delivery_send(delivery.pk) is False
    assert receiver.requests == []


def test_a_delivery_whose_queueing_failed_is_sent_by_the_sweep(
    receiver, qlue, django_capture_on_commit_callbacks, monkeypatch
):
    hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)

    def broken_queue(*args, **kwargs):
        raise ConnectionError("broker down")

    with monkeypatch.context() as patched:
        patched.setattr("complaints.services.webhooks.async_task", broken_queue)
        accept(report, django_capture_on_commit_callbacks)
    assert receiver.requests == []

    assert webhook_deliveries_send_due() == 1

    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.DELIVERED


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    receiver, qlue, django_capture_on_commit_callbacks
):
    hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    receiver.status = 302
    receiver.headers = {"Location": receiver.to("elsewhere")}

    accept(report, django_capture_on_commit_callbacks)

    assert receiver.paths() == ["/qlue"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempt_log.get().status_code == 302


def test_a_receiver_on_a_private_address_is_refused_in_production(
    receiver, qlue, settings, django_capture_on_commit_callbacks
):
    hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    settings.WARGA_WEBHOOK_ALLOW_PRIVATE_HOSTS = False

    accept(report, django_capture_on_commit_callbacks)

    assert receiver.requests == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "not a public address" in attempt.error


def test_a_webhook_switched_off_after_the_event_gets_nothing(
    receiver, qlue, django_capture_on_commit_callbacks, monkeypatch
):
    webhook = hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    with monkeypatch.context() as patched:
        patched.setattr(
            "complaints.services.webhooks.async_task", lambda *args, **kwargs: None
        )
        accept(report, django_capture_on_commit_callbacks)
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False)

    webhook_deliveries_send_due()

    assert receiver.requests == []
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.FAILED


def test_the_sweep_runs_every_minute():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="complaints.tasks.webhook_deliveries_send_due")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (
        Schedule.MINUTES,
        1,
        -1,
    )


def test_the_admin_shows_the_delivery_log_and_sends_a_delivery_again(
    client, receiver, qlue, django_capture_on_commit_callbacks
):
    webhook = hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    receiver.status = 500
    accept(report, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=WebhookDelivery.State.FAILED, next_attempt_at=None
    )
    receiver.status = 200
    client.force_login(user(is_staff=True, is_superuser=True))

    hooks = client.get(reverse("admin:complaints_webhook_changelist"))
    page = client.get(reverse("admin:complaints_webhook_change", args=[webhook.pk]))
    log = client.get(
        reverse("admin:complaints_webhookdelivery_changelist"),
        {"webhook__id__exact": webhook.pk},
    )
    detail = client.get(
        reverse("admin:complaints_webhookdelivery_change", args=[delivery.pk])
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("admin:complaints_webhookdelivery_changelist"),
            {"action": "send_again", "_selected_action": [delivery.pk]},
        )

    assert hooks.status_code == page.status_code == log.status_code == 200
    assert list(log.context["cl"].result_list) == [delivery]
    assert webhook.secret not in page.content.decode()
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    assert b"500" in detail.content
    assert sent.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]


def test_staff_who_may_only_read_deliveries_cannot_send_one_again(
    client, receiver, qlue, django_capture_on_commit_callbacks
):
    hook(qlue, receiver.to("qlue"))
    report = filed_through(qlue)
    accept(report, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    reader = user(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_webhookdelivery"))
    client.force_login(reader)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:complaints_webhookdelivery_changelist"),
            {"action": "send_again", "_selected_action": [delivery.pk]},
        )

    assert len(receiver.requests) == 1


def test_an_event_costs_one_query_when_nobody_listens(qlue, django_assert_num_queries):
    report = filed_through(qlue)
    submitted = report.events.get(kind=ReportEvent.Kind.SUBMITTED)

    with django_assert_num_queries(1):
        assert event_fan_out(event_id=submitted.pk) == 0


def test_the_fan_out_costs_the_same_queries_for_more_integrators(
    receiver, qlue, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = filed_through(qlue)
    submitted = report.events.get(kind=ReportEvent.Kind.SUBMITTED)
    hook(qlue, receiver.to("qlue"))
    hook(integrator(channel_code=None, unit_code=HOME)[0], receiver.to("unit"))
    with CaptureQueriesContext(connection) as few:
        assert event_fan_out(event_id=submitted.pk) == 2
    WebhookDelivery.objects.all().delete()
    for code in ("jaki", "lapor", "web", "twitter"):
        hook(integrator(channel_code=code)[0], receiver.to(code))
    hook(integrator(channel_code=None, unit_code=HOME)[0], receiver.to("unit2"))

    with django_assert_max_num_queries(len(few)):
        assert event_fan_out(event_id=submitted.pk) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_sending_one_delivery_at_once_send_it_once(ref, receiver, monkeypatch):
    from django.db import connection

    qlue_connector = integrator(channel_code="qlue")[0]
    hook(qlue_connector, receiver.to("qlue"))
    monkeypatch.setattr(
        "complaints.services.webhooks.async_task", lambda *args, **kwargs: None
    )
    filed_through(qlue_connector)  # commits: the delivery is made, not sent
    delivery = WebhookDelivery.objects.get()
    results, start = [], threading.Barrier(6)

    def send():
        try:
            start.wait()
            results.append(webhook_delivery_send(delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 5 + [True]
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.count() == 1
