"""With the database unreachable, every door answers 503 with Retry-After, not a
500: pages, the API and Open311, whether the failure comes in a view or in a
middleware (the session, the page cache)."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from tests.factories import report_filed

pytestmark = pytest.mark.usefixtures("ref")


@pytest.fixture
def database_down():
    """Call it to make every connection attempt fail; undone before the test
    database is cleaned up."""

    def refuse(self):
        raise OperationalError("connection to server failed: Connection refused")

    with pytest.MonkeyPatch.context() as patch:
        yield lambda: patch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


@pytest.fixture
def browser(settings):
    settings.DEBUG = False
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "path",
    ["/", "/reports/", "/lapor/", "/stats/", "/lacak/?ticket=x"],
)
def test_a_page_says_briefly_unavailable(browser, database_down, path):
    database_down()

    response = browser.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Briefly unavailable" in response.content.decode()


def test_a_report_page_a_form_post_and_a_login_say_so_too(browser, database_down):
    report = report_filed()
    database_down()

    page = browser.get(report.get_absolute_url())
    sent = browser.post("/lapor/", {"title": "Sampah"})
    login = browser.post("/akun/masuk/", {"username": "a", "password": "b"})

    assert (page.status_code, sent.status_code, login.status_code) == (503,) * 3


def test_the_indonesian_page(settings, database_down):
    settings.DEBUG = False
    client = Client()
    client.raise_request_exception = False
    database_down()

    response = client.get("/reports/")

    assert response.status_code == 503
    assert 'lang="id"' in response.content.decode()
    assert "Sedang tidak tersedia" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/",
        "/api/v1/categories/",
        "/open311/v2/services.json",
        "/open311/v2/requests.json",
    ],
)
def test_the_api_and_open311_answer_503_in_json(browser, database_down, path):
    database_down()

    response = browser.get(path, HTTP_AUTHORIZATION="Token 0123456789abcdef")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("application/json")


def test_any_other_failure_is_still_a_500(browser, monkeypatch):
    def bug():
        raise RuntimeError("a bug")

    monkeypatch.setattr("transparency.views.stats.report_years", bug)

    response = browser.get("/stats/")

    assert response.status_code == 500
    assert "Retry-After" not in response
