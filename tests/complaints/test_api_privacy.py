"""Reporter privacy through /api/v1/: a crawl of every endpoint, without a key and
with each kind of key, over reports in every state.

By design an integrator reads exact coordinates of the reports it may see, and
the reporter's contact (``reporter``: name, email, phone, typed address) goes
only to the integrator that brought the report in and to the system of the unit
handling it. Nothing else of any reporter, officer or citizen reaches any key.
"""

import json

import pytest
from rest_framework.test import APIClient

from complaints.models import Report, Webhook
from tests.complaints.privacy_world import world_build

pytestmark = pytest.mark.usefixtures("ref")
API = "/api/v1"
ALL = (
    "web_named",
    "web_anonymous",
    "web_rejected",
    "phone_coordinated",
    "phone_merged",
    "api_anonymous",
    "api_disposed",
    "api_closed",
    "open311_done",
)
QLUE = ("api_anonymous", "api_disposed", "api_closed", "open311_done")
# Which reports each key reads, and of which it gets the reporter's contact.
SEES = {
    "connector": QLUE,  # its channel's
    "twin_connector": QLUE,  # another connector of the same channel
    "other_channel": (),
    "home_system": ALL,  # handled by the unit, or sent away by it
    "kecamatan_system": ("api_disposed", "phone_coordinated"),
    "gambir_system": (),
}
CONTACT = {
    "connector": QLUE,  # the reports it filed
    "twin_connector": (),
    "other_channel": (),
    "home_system": tuple(k for k in ALL if k != "api_disposed"),
    "kecamatan_system": ("api_disposed",),  # handles it now; coordinating is not
    "gambir_system": (),
}


@pytest.fixture
def world(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        return world_build()


def _client(key: str | None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _urls(world) -> list[str]:
    urls = [
        f"{API}/reports/?page_size=200",
        f"{API}/categories/",
        f"{API}/categories/sampah/",
        f"{API}/channels/",
        f"{API}/stats/",
        f"{API}/stats/headline/",
        f"{API}/webhooks/",
        *(f"{API}/reports/?page_size=200&status={s}" for s in Report.Status.values),
        *(
            f"{API}/reports/?page_size=200&colour={c}"
            for c in ("red", "yellow", "green", "grey")
        ),
        f"{API}/reports/?page_size=200&channel=qlue",
        f"{API}/reports/?page_size=200&external_id=QLUE-PRIV-1",
        f"{API}/reports/?page_size=200&updated_after=2000-01-01T00:00:00Z",
        f"{API}/reports/?page_size=200&kelurahan=31.74.02.1008",
    ]
    for key in ALL:
        ticket = world.ticket(key)
        urls += [
            f"{API}/reports/{ticket}/",
            f"{API}/reports/{ticket}/timeline/",
            f"{API}/reports/{ticket}/comments/",
        ]
    for webhook in Webhook.objects.order_by("pk"):
        urls += [
            f"{API}/webhooks/{webhook.pk}/",
            f"{API}/webhooks/{webhook.pk}/deliveries/",
        ]
    return urls


def _strip_exact_points(value):
    """The document without the report's own latitude/longitude (an integrator
    reads those exact, by design); checked separately."""
    if isinstance(value, dict):
        return {
            k: _strip_exact_points(v)
            for k, v in value.items()
            if k not in ("latitude", "longitude")
        }
    if isinstance(value, list):
        return [_strip_exact_points(v) for v in value]
    return value


def _rows(body) -> list[dict]:
    if isinstance(body, dict) and "results" in body:
        return body["results"]
    return []


def _secrets_in(text: str, secrets) -> list[str]:
    return sorted(s for s in secrets if s in text)


def test_no_key_reads_any_reporters_data_or_exact_point(world):
    answers = 0
    for url in _urls(world):
        response = _client(None).get(url)
        answers += 1
        assert response.status_code < 500, url
        if "/reports/" in url or "/webhooks/" in url:
            assert response.status_code in (401, 403), url
        assert _secrets_in(response.content.decode(), world.secrets) == [], url
    assert answers > 40


def test_each_key_reads_only_what_it_is_entitled_to(world):
    by_ticket = {world.ticket(k): k for k in ALL}
    answers = 0
    for holder, key in world.keys.items():
        client = _client(key)
        listed: set[str] = set()
        contact_seen: set[str] = set()
        for url in _urls(world):
            response = client.get(url)
            answers += 1
            assert response.status_code < 500, (holder, url)
            text = response.content.decode()
            body = json.loads(text) if text else None
            ticket_in_url = next((t for t in by_ticket if f"/{t}/" in url), None)
            if ticket_in_url is not None:
                report_key = by_ticket[ticket_in_url]
                entitled = report_key in SEES[holder]
                assert response.status_code == (200 if entitled else 404), (
                    holder,
                    url,
                )
            if url.startswith(f"{API}/reports/?"):
                listed |= {row["ticket"] for row in _rows(body)}
                for row in _rows(body):
                    point = world.reporters[by_ticket[row["ticket"]]].point
                    assert (row["latitude"], row["longitude"]) == point
                    assert "reporter" not in row, (holder, url)
            if (
                ticket_in_url is not None
                and url.endswith(f"/{ticket_in_url}/")
                and response.status_code == 200
            ):
                report_key = by_ticket[ticket_in_url]
                report = world.reports[report_key]
                assert (body["latitude"], body["longitude"]) == (
                    world.reporters[report_key].point
                )
                reporter = body.pop("reporter")
                if report_key in CONTACT[holder]:
                    contact_seen.add(report_key)
                    assert reporter == {
                        "name": world.reporters[report_key].name,
                        "email": report.reporter_email,
                        "phone": world.reporters[report_key].phone,
                        "address": world.reporters[report_key].address,
                    }, (holder, report_key)
                else:
                    assert reporter is None, (holder, report_key)
                if report_key in ("web_anonymous", "api_anonymous"):
                    assert body["public_name"] == ""
                text = json.dumps(body, ensure_ascii=False)
            if body is not None and not isinstance(body, str):
                text = json.dumps(_strip_exact_points(body), ensure_ascii=False)
            assert _secrets_in(text, world.secrets) == [], (holder, url)
            # The anonymous report never carries its reporter's public name.
            if ticket_in_url == world.ticket("web_anonymous"):
                assert world.reporters["web_named"].public_name not in text
        assert listed == {world.ticket(k) for k in SEES[holder]}, holder
        assert contact_seen == set(CONTACT[holder]), holder
    assert answers > 250


def test_webhook_payloads_carry_no_reporters_data(world):
    from complaints.models import WebhookDelivery

    payloads = list(WebhookDelivery.objects.values_list("payload", flat=True))
    assert len(payloads) > 20
    for payload in payloads:
        text = json.dumps(payload, ensure_ascii=False)
        assert _secrets_in(text, world.secrets) == []
