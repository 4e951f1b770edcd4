"""What a reporter tells a 311 client never comes back out of /open311/v2/."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from complaints.models import Report
from tests.complaints.privacy_world import world_build
from tests.factories import MONAS
from tests.open311.spec import BASE, spark

pytestmark = pytest.mark.usefixtures("ref")
PRIVATE = {
    "email": "siti.rahayu@example.com",
    "first_name": "Siti",
    "last_name": "Rahayu-Wibowo",
    "phone": "+62 812 3456 7890",
    "address_string": "Jl. Kebon Sirih Dalam No. 17 RT 04 RW 02",
    "account_id": "acct-98765",
    "device_id": "device-abcdef",
}


def test_the_reporters_details_never_appear_in_what_anyone_reads(api, connector):
    _connector, key = connector
    filed = api.post(
        f"{BASE}/requests.json",
        urlencode(
            {
                "api_key": key,
                "service_code": "sampah",
                "lat": MONAS[0],
                "long": MONAS[1],
                "description": "Sampah menumpuk di trotoar.",
                **PRIVATE,
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert filed.status_code == 201
    report = Report.objects.get()
    assert report.reporter_email == PRIVATE["email"]  # kept, in the back-office
    ticket = report.ticket
    token = filed.json()[0]["token"]

    pages = [
        f"{BASE}/requests/{ticket}.json",
        f"{BASE}/requests/{ticket}.xml",
        f"{BASE}/requests.json",
        f"{BASE}/requests.xml",
        f"{BASE}/requests.json?service_request_id={ticket}",
        f"{BASE}/requests.xml?status=open&service_code=sampah",
        f"{BASE}/tokens/{token}.json",
        f"{BASE}/tokens/{token}.xml",
    ]
    for page in pages:
        response = api.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        assert ticket in body, page
        for secret in (*PRIVATE.values(), "Siti Rahayu", "Kebon Sirih", key):
            assert secret not in body, (page, secret)
        # The exact point is not there either: only the rounded one.
        assert str(MONAS[0]) not in body and str(MONAS[1]) not in body, page
    [request] = api.get(f"{BASE}/requests/{ticket}.json").json()
    assert (request["lat"], request["long"]) == (-6.175, 106.827)
    assert request["address"] == "Gambir, Gambir, Jakarta Pusat"


# -- a crawl over reports in every state ----------------------------------------


@pytest.fixture
def world(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        return world_build()


def _request_pages(world) -> list[str]:
    """Every read of /open311/v2/ over the world: lists with each filter alone
    and combined, each request and token, in both formats."""
    tickets = [world.ticket(k) for k in world.reports]
    window = {
        "start_date": (timezone.now() - timedelta(days=1)).isoformat(),
        "end_date": (timezone.now() + timedelta(days=1)).isoformat(),
    }
    queries = [
        {},
        {"service_request_id": ",".join(tickets)},
        *({"service_request_id": t} for t in tickets),
        {"service_code": "sampah"},
        {"service_code": "sampah,jalan-rusak"},
        {"status": "open"},
        {"status": "closed"},
        {"status": "open,closed"},
        window,
        {"start_date": window["start_date"]},
        {"end_date": window["end_date"]},
        {**window, "status": "open", "service_code": "sampah"},
        {"page_size": 2},
        {"page_size": 2, "page": 2},
        {"page_size": 1000, "jurisdiction_id": "jakarta"},
    ]
    pages = []
    for fmt in ("json", "xml"):
        pages += [f"{BASE}/requests.{fmt}?{urlencode(q)}" for q in queries]
        pages += [f"{BASE}/requests/{t}.{fmt}" for t in tickets]
        pages += [f"{BASE}/tokens/{t}.{fmt}" for t in world.tokens.values()]
        pages += [f"{BASE}/discovery.{fmt}", f"{BASE}/services.{fmt}"]
        pages += [f"{BASE}/services/sampah.{fmt}"]
    return pages


def _points(response, fmt: str) -> dict[str, tuple]:
    if fmt == "json":
        rows = response.json()
    else:
        rows = spark(response.content)
    return {
        row["service_request_id"]: (row.get("lat"), row.get("long"))
        for row in rows
        if isinstance(row, dict) and "lat" in row
    }


def test_no_open311_read_shows_a_reporter_or_an_exact_point(api, world):
    by_ticket = {world.ticket(k): k for k in world.reports}
    anonymous_ticket = world.ticket("web_anonymous")
    public_name = world.reporters["web_named"].public_name
    secrets = world.secrets | set(world.keys.values())
    seen_tickets: set[str] = set()
    answers = 0
    # Anonymously, and with an api_key on the query string (a client that sends
    # its key on every call): the same public data.
    for key in (None, world.keys["connector"], world.keys["home_system"]):
        for page in _request_pages(world):
            url = page if key is None else f"{page}&api_key={key}"
            if key is not None and "?" not in page:
                url = f"{page}?api_key={key}"
            response = api.get(url)
            answers += 1
            assert response.status_code in (200, 404), (url, response.content[:300])
            body = response.content.decode()
            leaked = sorted(s for s in secrets if s in body)
            assert leaked == [], (url, leaked)
            if f"/{anonymous_ticket}." in url or f"={anonymous_ticket}&" in url:
                assert public_name not in body, url
            if response.status_code != 200 or "/requests" not in url:
                continue
            fmt = "json" if ".json" in url else "xml"
            for ticket, point in _points(response, fmt).items():
                seen_tickets.add(ticket)
                # The public point is the exact one rounded to three decimals.
                assert point == world.reporters[by_ticket[ticket]].public_point, (
                    url,
                    ticket,
                )
    assert answers > 150
    # Every state was read, but for the reports nobody follows up any more.
    assert seen_tickets >= {
        world.ticket(k) for k in world.reports if k not in ("phone_merged",)
    } - {world.ticket("web_rejected")}
