"""With a read replica, an anonymous visitor's public pages read from it; a
signed-in officer's pages, and a browser that has just written, read from the
primary. In the tests the "replica" alias is a second connection to the test
database (a mirror), added for this module only, so every query shows which alias
it went to."""

import copy

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Category, Report
from config.replica import PIN_COOKIE
from tests.factories import MONAS, image_bytes, officer, report_filed, upload

REPLICA = "replica"
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
    pytest.mark.usefixtures("ref"),
]


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """A "replica" connection to the test database, as REPLICA_DATABASE_URL adds
    one (a mirror: Django neither creates nor flushes it)."""
    mirror = copy.deepcopy(connections["default"].settings_dict)
    mirror["TEST"] = {**mirror["TEST"], "MIRROR": "default"}
    connections.settings[REPLICA] = mirror
    django_settings.DATABASES[REPLICA] = mirror
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    connections.settings.pop(REPLICA, None)
    django_settings.DATABASES.pop(REPLICA, None)


@pytest.fixture(autouse=True)
def replica_routing(settings):
    """What base.py switches on when REPLICA_DATABASE_URL is set."""
    settings.DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
    middleware = list(settings.MIDDLEWARE)
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    middleware.insert(auth + 1, "config.replica.ReplicaReadsMiddleware")
    settings.MIDDLEWARE = middleware


def _data_queries(context) -> list[str]:
    # The router keeps the database cache (rate-limit counters of Open311 GETs) and
    # the sessions on the primary: they are not the page's data.
    return [
        q["sql"]
        for q in context.captured_queries
        if "warga_cache" not in q["sql"]
        and "django_session" not in q["sql"]
        and not q["sql"].startswith(TRANSACTION_CONTROL)
    ]


def queries_by_alias(client, method, path, **extra) -> tuple[object, dict]:
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        response = getattr(client, method)(path, **extra)
        if response.streaming:  # an export reads while it is sent
            response.body = b"".join(response.streaming_content)
    return response, {
        "default": _data_queries(on_default),
        "replica": _data_queries(on_replica),
    }


@pytest.fixture
def report():
    return report_filed()


def test_an_anonymous_visitor_s_public_pages_read_only_from_the_replica(report):
    # One test for all of them: each transactional test reloads the reference data.
    for path in [
        reverse("transparency:home"),
        reverse("transparency:report-list"),
        report.get_absolute_url(),
        reverse("transparency:stats"),
        reverse("transparency:map-data") + "?bbox=106.6,-6.4,107.0,-6.0&zoom=16",
        reverse("transparency:export-csv"),
        f"/open311/v2/requests/{report.ticket}.json",
        reverse("api:category-list"),
    ]:
        response, queries = queries_by_alias(Client(), "get", path)

        assert response.status_code == 200, path
        assert queries["replica"], path
        assert queries["default"] == [], path
        assert PIN_COOKIE not in response.cookies


def test_a_head_request_reads_from_the_replica_too(report):
    response, queries = queries_by_alias(Client(), "head", reverse("api:area-list"))
    assert response.status_code == 200
    assert queries["replica"]
    assert queries["default"] == []


def test_an_officer_reads_from_the_primary_even_on_a_public_page(report):
    client = Client()
    client.force_login(officer(unit_code=report.handling_unit.code))

    inbox, on_inbox = queries_by_alias(client, "get", reverse("officers:inbox"))
    public, on_public = queries_by_alias(client, "get", report.get_absolute_url())

    assert inbox.status_code == 200
    assert public.status_code == 200
    assert on_inbox["default"] and on_inbox["replica"] == []
    assert on_public["default"] and on_public["replica"] == []


def test_after_filing_a_report_the_browser_reads_its_own_writes(media_files):
    client = Client()
    response, queries = queries_by_alias(
        client,
        "post",
        reverse("complaints:report-create"),
        data={
            "category": Category.objects.get(code="sampah").pk,
            "title": "Sampah menumpuk di depan pasar",
            "description": "Sudah tiga hari tidak diangkut.",
            "latitude": MONAS[0],
            "longitude": MONAS[1],
            "reporter_name": "Budi",
            "reporter_email": "budi@example.com",
            "photos": [upload(image_bytes(), "IMG_0001.JPG")],
        },
    )
    assert response.status_code == 302
    assert queries["replica"] == []
    assert response.cookies[PIN_COOKIE]["max-age"] == 15
    report = Report.objects.get()

    # The pinned browser's next public pages come from the primary, where the
    # report surely is (the replica may lag behind by a moment).
    page, queries = queries_by_alias(client, "get", report.get_absolute_url())
    assert page.status_code == 200
    assert queries["default"] and queries["replica"] == []

    # Another visitor, or this one once the pin expires, reads the replica.
    client.cookies.pop(PIN_COOKIE)
    page, queries = queries_by_alias(client, "get", report.get_absolute_url())
    assert page.status_code == 200
    assert queries["replica"] and queries["default"] == []
