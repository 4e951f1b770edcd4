"""The primary/replica router and the rule that marks public reads, one decision
at a time (the pages themselves: test_replica_reads.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.core.exceptions import MiddlewareNotUsed
from django.db import transaction
from django.test import RequestFactory
from django.urls import resolve, reverse

from complaints.models import Report
from config import replica
from config.replica import PIN_COOKIE, ReplicaReadsMiddleware, request_reads
from config.routers import PrimaryReplicaRouter
from routing.models import Area

router = PrimaryReplicaRouter()


def test_outside_a_request_every_read_goes_to_the_primary():
    # Workers, management commands and the shell.
    assert router.db_for_read(Report) == "default"
    assert router.db_for_write(Report) == "default"


def test_a_public_read_goes_to_the_replica_and_every_write_to_the_primary():
    with request_reads(public=True):
        assert router.db_for_read(Report) == "replica"
        assert router.db_for_read(Area) == "replica"
        assert router.db_for_write(Report) == "default"


def test_after_a_write_the_rest_of_the_request_reads_the_primary():
    with request_reads(public=True) as state:
        assert router.db_for_read(Report) == "replica"
        router.db_for_write(Report)
        assert state.wrote
        assert router.db_for_read(Report) == "default"
        assert router.db_for_read(Area) == "default"


def test_any_other_request_reads_the_primary():
    with request_reads(public=False):
        assert router.db_for_read(Report) == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_go_to_the_primary():
    with request_reads(public=True), transaction.atomic():
        assert router.db_for_read(Report) == "default"


def test_sessions_the_task_queue_and_the_database_cache_stay_on_the_primary():
    from django.core.cache.backends.db import DatabaseCache
    from django_q.models import OrmQ, Task

    cache_entry = DatabaseCache("warga_cache", {}).cache_model_class
    with request_reads(public=True) as state:
        for model in (Session, OrmQ, Task, cache_entry):
            assert router.db_for_read(model) == "default"
        # A rate-limit counter written to the database cache is not the
        # visitor's data: it does not pin the request.
        router.db_for_write(cache_entry)
        assert not state.wrote
        assert router.db_for_read(Report) == "replica"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "complaints", "report") is True
    assert router.allow_migrate("replica", "complaints", "report") is False


def test_rows_read_from_either_database_may_be_related():
    from_primary, from_replica = Report(), Area()
    from_primary._state.db, from_replica._state.db = "default", "replica"
    assert router.allow_relation(from_primary, from_replica) is True
    elsewhere = Area()
    elsewhere._state.db = "archive"
    assert router.allow_relation(from_primary, elsewhere) is None


def _request(path, *, method="get", user=None, **extra):
    request = getattr(RequestFactory(), method)(path, **extra)
    request.resolver_match = resolve(request.path_info)
    request.user = user or AnonymousUser()
    return request


class _SignedIn:
    is_authenticated = True


@pytest.mark.parametrize(
    "path",
    [
        reverse("transparency:home"),
        reverse("transparency:report-list"),
        reverse("transparency:report-detail", kwargs={"ticket": "JKT-2601-000001"}),
        reverse("transparency:stats"),
        reverse("transparency:map-data"),
        reverse("transparency:export-csv"),
        "/open311/v2/requests.json",
        "/open311/v2/services.xml",
        reverse("api:stats"),
        reverse("api:category-list"),
        reverse("api:area-list"),
    ],
)
def test_an_anonymous_get_of_a_public_page_is_a_public_read(path):
    assert replica.is_public_read(_request(path))
    assert replica.is_public_read(_request(path, method="head"))


@pytest.mark.parametrize(
    "path",
    [
        reverse("officers:inbox"),
        reverse("complaints:report-create"),
        reverse("complaints:report-submitted", kwargs={"ticket": "JKT-2601-000001"}),
        reverse("accounts:my-reports"),
        reverse("api:report-list"),
        "/open311/v2/tokens/abc.json",
        "/healthz",
        "/admin/",
    ],
)
def test_other_pages_are_not_public_reads(path):
    assert not replica.is_public_read(_request(path))


def test_credentials_a_post_or_the_pin_cookie_make_it_not_a_public_read():
    path = reverse("transparency:report-list")
    assert not replica.is_public_read(_request(path, user=_SignedIn()))
    assert not replica.is_public_read(_request(path, HTTP_AUTHORIZATION="Token abc"))
    assert not replica.is_public_read(_request("/open311/v2/requests.json?api_key=abc"))
    assert not replica.is_public_read(_request(path, method="post"))
    pinned = _request(path)
    pinned.COOKIES[PIN_COOKIE] = "1"
    assert not replica.is_public_read(pinned)


def test_the_middleware_is_not_used_without_a_replica(settings):
    assert "replica" not in settings.DATABASES
    with pytest.raises(MiddlewareNotUsed):
        ReplicaReadsMiddleware(lambda request: None)
