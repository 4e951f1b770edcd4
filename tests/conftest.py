import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import translation

from routing.models import Area


def pytest_collection_modifyitems(config, items):
    # Tests that need PostgreSQL's real concurrency run in the PostgreSQL pass of
    # `make test`; on SQLite they are reported as skipped with the reason.
    if "postgres" in settings.DATABASES["default"]["ENGINE"]:
        return
    reason = pytest.mark.skip(reason="needs PostgreSQL (runs in `make test-postgres`)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(reason)


@pytest.fixture(autouse=True)
def english():
    """Tests read messages in English; the Indonesian default has its own tests."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A browser that prefers English (LocaleMiddleware reads Accept-Language)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def client_id():
    """A browser with no language preference: gets the Indonesian default."""
    return Client()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Jakarta's reference data, loaded once into the test database."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0, stdout=open("/dev/null", "w"))


@pytest.fixture
def ref(db):
    """Reference data present (reloaded after a transactional test flushed it)."""
    if not Area.objects.exists():
        call_command("load_reference", stdout=open("/dev/null", "w"))


@pytest.fixture
def media_files():
    """The files under MEDIA_ROOT, to prove that refused input leaves none behind."""
    root = Path(settings.MEDIA_ROOT)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)

    def listing() -> list[Path]:
        return sorted(p for p in root.rglob("*") if p.is_file())

    return listing


@pytest.fixture
def vendor() -> str:
    return connection.vendor
