"""Webhooks: a signed JSON POST to an integrator's URL on every status change.

Every status change of a report (a workflow action that moves the status, and
the submission of a new report) is sent to each active webhook of each active
integrator that may read the report (``reports_for_integrator``). One
``WebhookDelivery`` per webhook and event keeps the JSON body frozen as it was at
that moment; the delivery is tried at once, then again after the back-off of
``WARGA_WEBHOOK_BACKOFF_SECONDS`` (1 min, 5 min, 30 min, 2 h, 12 h) until the
receiver answers 2xx or ``WARGA_WEBHOOK_MAX_ATTEMPTS`` tries have failed. Every
try is logged as a ``WebhookAttempt``. A sweep every minute sends the deliveries
that are due, so a retry is never lost when queueing failed.

What a receiver gets::

    POST <url>
    Content-Type: application/json
    User-Agent: Warga-Webhooks/1
    X-Warga-Event: report.status_changed        (or report.submitted)
    X-Warga-Delivery: 1234                      (the same on every retry)
    X-Warga-Signature: t=1767225600,v1=5f1c...

    {"id": 1234, "type": "report.status_changed",
     "occurred_at": "2026-01-01T07:00:00.123456+07:00", "action": "accept",
     "from_status": "new", "to_status": "in_process", "report": {...}}

Checking the signature (receivers): ``v1`` is the hex HMAC-SHA256, keyed with
the webhook's secret (shown once, at registration), of the ASCII ``t`` value, a
full stop, and the raw request body exactly as received (before any JSON
parsing). Compare with ``hmac.compare_digest``, and refuse a ``t`` older than a
few minutes so that a captured request cannot be replayed::

    t, v1 = (part.split("=", 1)[1] for part in header.split(","))
    signed = t.encode() + b"." + raw_body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(t)) < 300
    ok = fresh and hmac.compare_digest(expected, v1)

The body carries the delivery id (``id``, to drop a retry already processed),
and only what the public portal shows of the report: no reporter name, email,
phone, address or account.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import BigIntegerField, Q, Value
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from complaints.models import (
    Integrator,
    ReportEvent,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from complaints.public import public_state
from complaints.selectors import reports_for_integrator

log = logging.getLogger(__name__)

USER_AGENT = "Warga-Webhooks/1"
URL_MAX = 500
STATUS_CHANGED = "report.status_changed"
SUBMITTED = "report.submitted"
# A claimed delivery is left alone this long past the timeout: if the worker
# died mid-send, the sweep tries it again afterwards.
CLAIM_MARGIN = timedelta(seconds=60)
# At most this many deliveries queued by one run of the sweep.
SWEEP_BATCH = 500
# SQLite allows 500 terms in one compound SELECT.
UNION_CHUNK = 100


# --- Reads ---------------------------------------------------------------------


def delivery_body(delivery: WebhookDelivery) -> dict:
    """The JSON document POSTed for a delivery (the same on every retry)."""
    return {"id": delivery.pk, **delivery.payload}


# --- Registration --------------------------------------------------------------


def webhook_url_clean(url: str) -> str:
    """``url`` stripped, or a ValidationError keyed ``url`` saying what is wrong."""
    url = (url or "").strip()
    schemes = ["https"] if settings.WARGA_WEBHOOK_HTTPS_ONLY else ["http", "https"]
    if not url:
        raise ValidationError({"url": [_("Enter the URL that receives the events.")]})
    if len(url) > URL_MAX:
        raise ValidationError(
            {"url": [_("At most %(max)d characters.") % {"max": URL_MAX}]}
        )
    try:
        URLValidator(schemes=schemes)(url)
    except ValidationError:
        message = (
            _("Enter a valid https:// URL.")
            if settings.WARGA_WEBHOOK_HTTPS_ONLY
            else _("Enter a valid http:// or https:// URL.")
        )
        raise ValidationError({"url": [message]}) from None
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            {"url": [_("The URL must not contain a user name or password.")]}
        )
    if not settings.WARGA_WEBHOOK_ALLOW_PRIVATE_HOSTS and not _host_is_public(
        parts.hostname or ""
    ):
        raise ValidationError({"url": [_("The URL must point to a public address.")]})
    return url


def webhook_register(*, actor, url: str) -> Webhook:
    """Register a URL for the actor's integrator. Its secret is generated here
    and shown to the integrator once, in the answer to this request."""
    integrator = _integrator_of(actor)
    url = webhook_url_clean(url)
    with transaction.atomic():
        # Serialises one integrator's registrations: the limit and the duplicate
        # check cannot be raced past.
        Integrator.objects.select_for_update().filter(pk=integrator.pk).first()
        mine = Webhook.objects.filter(integrator=integrator)
        if mine.filter(url=url).exists():
            raise ValidationError({"url": [_("This URL is already registered.")]})
        limit = settings.WARGA_WEBHOOK_MAX_PER_INTEGRATOR
        if mine.count() >= limit:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        _("At most %(n)d webhooks per integrator.") % {"n": limit}
                    ]
                }
            )
        return Webhook.objects.create(integrator=integrator, url=url)


def webhook_update(
    *,
    actor,
    webhook_id: int,
    url: str | None = None,
    is_active: bool | None = None,
) -> Webhook:
    """Change the URL or switch a webhook off and on. Another integrator's
    webhook is Webhook.DoesNotExist, as a missing one."""
    integrator = _integrator_of(actor)
    if url is not None:
        url = webhook_url_clean(url)
    with transaction.atomic():
        webhook = (
            Webhook.objects.select_for_update()
            .filter(integrator=integrator)
            .get(pk=webhook_id)
        )
        fields = []
        if url is not None and url != webhook.url:
            if (
                Webhook.objects.filter(integrator=integrator, url=url)
                .exclude(pk=webhook.pk)
                .exists()
            ):
                raise ValidationError({"url": [_("This URL is already registered.")]})
            webhook.url = url
            fields.append("url")
        if is_active is not None and is_active != webhook.is_active:
            webhook.is_active = is_active
            fields.append("is_active")
        if fields:
            webhook.save(update_fields=fields)
    return webhook


def webhook_delete(*, actor, webhook_id: int) -> None:
    """Delete a webhook with its delivery log. Another integrator's webhook is
    Webhook.DoesNotExist, as a missing one."""
    integrator = _integrator_of(actor)
    with transaction.atomic():
        webhook = Webhook.objects.filter(integrator=integrator).get(pk=webhook_id)
        webhook.delete()


def _integrator_of(actor) -> Integrator:
    integrator = getattr(actor, "integrator", None)
    if integrator is None or not integrator.is_active:
        raise PermissionDenied(
            _("This API key does not belong to an active integrator.")
        )
    return integrator


# --- Fan-out -------------------------------------------------------------------


def event_fan_out(*, event_id: int) -> int:
    """Create one delivery per webhook that should hear of the event, and queue
    them. Only submissions and status changes count. Safe to run twice: the
    (webhook, event) pair is unique. Returns the number of deliveries queued."""
    hooks = list(
        Webhook.objects.filter(is_active=True, integrator__is_active=True)
        .select_related("integrator")
        .order_by("id")
    )
    if not hooks:
        return 0
    event = (
        ReportEvent.objects.select_related(
            "report__category", "report__handling_unit", "report__parent"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None or not _counts(event):
        return 0
    seeing = _integrators_seeing(
        event.report_id, list({h.integrator_id: h.integrator for h in hooks}.values())
    )
    hooks = [h for h in hooks if h.integrator_id in seeing]
    if not hooks:
        return 0
    payload = _payload(event)
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    webhook=hook,
                    event=event,
                    payload=payload,
                    next_attempt_at=now,
                    created_at=now,
                )
                for hook in hooks
            ],
            ignore_conflicts=True,
        )
        waiting = list(
            WebhookDelivery.objects.filter(
                event=event,
                webhook__in=hooks,
                state=WebhookDelivery.State.PENDING,
                attempts=0,
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: _queue(waiting), robust=True)
    return len(waiting)


def report_submitted_fan_out(*, report_id: int) -> int:
    """``event_fan_out`` for the submission event of a new report."""
    event_id = (
        ReportEvent.objects.filter(report_id=report_id, kind=ReportEvent.Kind.SUBMITTED)
        .values_list("pk", flat=True)
        .first()
    )
    return 0 if event_id is None else event_fan_out(event_id=event_id)


def _counts(event: ReportEvent) -> bool:
    if event.kind == ReportEvent.Kind.SUBMITTED:
        return True
    return event.kind == ReportEvent.Kind.ACTION and (
        event.from_status != event.to_status
    )


def _integrators_seeing(report_id: int, integrators: list[Integrator]) -> set[int]:
    """The ids of the integrators that may read the report: one UNION query of
    ``reports_for_integrator`` (per hundred integrators with a webhook)."""
    seeing: set[int] = set()
    for start in range(0, len(integrators), UNION_CHUNK):
        parts = [
            reports_for_integrator(integrator)
            .filter(pk=report_id)
            .order_by()
            .annotate(seer=Value(integrator.pk, output_field=BigIntegerField()))
            .values_list("seer", flat=True)
            for integrator in integrators[start : start + UNION_CHUNK]
        ]
        seeing.update(parts[0].union(*parts[1:], all=True))
    return seeing


def _payload(event: ReportEvent) -> dict:
    report = event.report
    with translation.override(settings.LANGUAGE_CODE):
        state = public_state(report)
    submitted = event.kind == ReportEvent.Kind.SUBMITTED
    return {
        "type": SUBMITTED if submitted else STATUS_CHANGED,
        "occurred_at": timezone.localtime(
            event.created_at, timezone.get_default_timezone()
        ).isoformat(),
        "action": None if submitted else event.action,
        "from_status": event.from_status or None,
        "to_status": event.to_status,
        "report": {
            "ticket": report.ticket,
            "status": report.status,
            "public_colour": state.colour,
            "public_reason": state.reason,
            "category": report.category.code,
            "handling_unit": {
                "code": report.handling_unit.code,
                "name": report.handling_unit.name,
            },
            "url": settings.WARGA_SITE_URL + report.get_absolute_url(),
            "api_url": settings.WARGA_SITE_URL
            + reverse("api:report-detail", kwargs={"ticket": report.ticket}),
        },
    }


def _queue(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        async_task("complaints.tasks.webhook_delivery_send", delivery_id)


# --- Delivery ------------------------------------------------------------------


def delivery_send(*, delivery_id: int) -> bool:
    """Try a delivery once if it is due and still waiting; True if the receiver
    took it now. Two workers never both send: the try is claimed first by a
    conditional update (one more attempt, next try pushed past the timeout)."""
    now = timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("webhook__integrator")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
        return False
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        return False
    webhook = delivery.webhook
    if not (webhook.is_active and webhook.integrator.is_active):
        WebhookDelivery.objects.filter(
            pk=delivery.pk, state=WebhookDelivery.State.PENDING
        ).update(state=WebhookDelivery.State.FAILED, next_attempt_at=None)
        return False
    attempt = delivery.attempts + 1
    lease = timedelta(seconds=float(settings.WARGA_WEBHOOK_TIMEOUT_SECONDS))
    claimed = (
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            pk=delivery.pk,
            state=WebhookDelivery.State.PENDING,
            attempts=delivery.attempts,
        ).update(attempts=attempt, next_attempt_at=now + lease + CLAIM_MARGIN)
        == 1
    )
    if not claimed:
        return False

    body = json.dumps(
        delivery_body(delivery), ensure_ascii=False, separators=(",", ":")
    ).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Warga-Event": delivery.payload.get("type", ""),
        "X-Warga-Delivery": str(delivery.pk),
        "X-Warga-Signature": signature_header(
            secret=webhook.secret, timestamp=timestamp, body=body
        ),
    }
    started = time.monotonic()
    status_code, error = _post(webhook.url, body=body, headers=headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    ok = status_code is not None and 200 <= status_code < 300
    finished = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=finished,
            status_code=status_code,
            error=error[:500],
            duration_ms=duration_ms,
        )
        if ok:
            changes = {
                "state": WebhookDelivery.State.DELIVERED,
                "delivered_at": finished,
                "next_attempt_at": None,
            }
        elif attempt >= settings.WARGA_WEBHOOK_MAX_ATTEMPTS:
            changes = {"state": WebhookDelivery.State.FAILED, "next_attempt_at": None}
        else:
            changes = {"next_attempt_at": finished + backoff(attempt)}
        WebhookDelivery.objects.filter(pk=delivery.pk, attempts=attempt).update(
            **changes
        )
    if not ok:
        log.info(
            "webhook delivery %s, attempt %s failed: %s",
            delivery.pk,
            attempt,
            status_code or error,
        )
    return ok


def deliveries_send_due(*, now=None) -> int:
    """Queue every waiting delivery whose next try is due (the sweep, every
    minute); returns how many. Queueing one twice is harmless."""
    due = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING,
            next_attempt_at__lte=now or timezone.now(),
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    _queue(due)
    return len(due)


def delivery_send_again(*, actor, delivery_id: int) -> WebhookDelivery:
    """Send a delivery once more now, whatever its state (the admin's action):
    after a receiver's outage, or when it asks for an event again."""
    if not actor.has_perm("complaints.change_webhookdelivery"):
        raise PermissionDenied(_("You may not send webhook deliveries again."))
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        delivery.state = WebhookDelivery.State.PENDING
        delivery.delivered_at = None
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["state", "delivered_at", "next_attempt_at"])
        transaction.on_commit(lambda: _queue([delivery_id]), robust=True)
    return delivery


def backoff(attempt: int) -> timedelta:
    """How long to wait after the ``attempt``-th failed try."""
    steps = settings.WARGA_WEBHOOK_BACKOFF_SECONDS
    return timedelta(seconds=steps[min(attempt, len(steps)) - 1])


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    """The X-Warga-Signature value: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of
    "<t>.<body>">``."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# --- HTTP ----------------------------------------------------------------------


class _Refused(Exception):
    pass


def _post(url: str, *, body: bytes, headers: dict) -> tuple[int | None, str]:
    """POST without following redirects: (status code, "") or (None, error)."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = float(settings.WARGA_WEBHOOK_TIMEOUT_SECONDS)
    connection = None
    try:
        address = _address_of(host, port)
        cls = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
        connection = cls(host, port, timeout=timeout, address=address)
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, ""
    except _Refused as exc:
        return None, str(exc)
    except TimeoutError:
        return None, _("No answer within %(seconds)s seconds.") % {
            "seconds": settings.WARGA_WEBHOOK_TIMEOUT_SECONDS
        }
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        if connection is not None:
            connection.close()


def _address_of(host: str, port: int) -> str:
    """The IP address to connect to. Resolved once and pinned, so that a name
    cannot be switched to an internal address between the check and the call."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise _Refused(
            _("The host name %(host)s cannot be resolved.") % {"host": host}
        ) from exc
    addresses = [info[4][0] for info in infos]
    if not settings.WARGA_WEBHOOK_ALLOW_PRIVATE_HOSTS:
        if not all(_host_is_public(address) for address in addresses):
            raise _Refused(_("%(host)s is not a public address.") % {"host": host})
    return addresses[0]


def _host_is_public(host: str) -> bool:
    """False for a literal private, loopback or reserved IP address and for
    localhost; True for any other name (checked again when resolved)."""
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(
        ".localhost"
    ):
        return False
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_global
    except ValueError:
        return True


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the pinned address and checks the certificate of the name."""

    def __init__(self, host, port, *, address: str, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
