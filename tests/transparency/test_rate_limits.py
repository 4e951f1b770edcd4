"""Citizens' actions are limited per hour, against abuse: over the limit the answer
is 429 with a friendly message, and nothing is saved or sent."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from complaints.models import Comment, Follow, Support
from tests.factories import KUNINGAN_TIMUR_CODE, citizen, report_filed

pytestmark = pytest.mark.usefixtures("ref")
EMAIL_LINK = "/akun/email-link/"


@pytest.fixture(autouse=True)
def fresh_limits(db):
    """Counts live in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def report():
    return report_filed()


def comment(client, report, body="Masih ada."):
    url = reverse("transparency:comment-create", kwargs={"ticket": report.ticket})
    return client.post(url, {"body": body})


def support(client, report, **extra):
    url = reverse("transparency:report-act", args=[report.ticket, "support"])
    return client.post(url, **extra)


def test_the_eleventh_comment_in_an_hour_is_refused_and_not_saved(client, report):
    client.force_login(citizen())
    for n in range(10):
        assert comment(client, report, f"Komentar {n}").status_code == 302
    response = comment(client, report, "Satu lagi")
    assert response.status_code == 429
    assert "too many times" in response.content.decode()
    assert Comment.objects.count() == 10
    assert not Comment.objects.filter(body="Satu lagi").exists()


def test_the_limit_is_per_citizen(client, report, settings):
    settings.WARGA_RATE_COMMENTS = "1/h"
    client.force_login(citizen())
    comment(client, report)
    assert comment(client, report).status_code == 429
    client.force_login(citizen())
    assert comment(client, report).status_code == 302


def test_supports_over_the_limit_are_refused_and_not_saved(client, settings):
    settings.WARGA_RATE_SUPPORTS = "2/h"
    reports = [report_filed() for _ in range(3)]
    client.force_login(citizen())
    assert [support(client, r).status_code for r in reports] == [302, 302, 429]
    assert Support.objects.count() == 2
    assert not Support.objects.filter(report=reports[2]).exists()


def test_follows_over_the_limit_are_refused_and_not_saved(client, report, settings):
    settings.WARGA_RATE_FOLLOWS = "2/h"
    client.force_login(citizen())
    client.post(reverse("transparency:report-follow", args=[report.ticket]))
    client.post(reverse("transparency:report-unfollow", args=[report.ticket]))
    response = client.post(
        reverse("transparency:area-follow", args=[KUNINGAN_TIMUR_CODE])
    )
    assert response.status_code == 429
    assert not Follow.objects.exists()


def test_a_json_client_over_the_limit_gets_json(client, report, settings):
    settings.WARGA_RATE_SUPPORTS = "0/h"
    client.force_login(citizen())
    response = support(client, report, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert "too many times" in response.json()["errors"]["__all__"][0]
    assert not Support.objects.exists()


def test_email_links_are_limited_per_ip(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(EMAIL_LINK, {"email": f"warga{n}@example.com"}).status_code
            for n in range(6)
        ]
    assert answers == [302] * 5 + [429]
    assert len(mailoutbox) == 5


def test_email_links_are_limited_per_address(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(
                EMAIL_LINK,
                {"email": "Target@Example.com" if n % 2 else "target@example.com"},
                REMOTE_ADDR=f"10.0.0.{n}",
            ).status_code
            for n in range(4)
        ]
    assert answers == [302, 302, 302, 429]
    assert len(mailoutbox) == 3


def test_an_anonymous_attempt_is_sent_to_log_in_not_counted(client, report, settings):
    settings.WARGA_RATE_COMMENTS = "1/h"
    for _ in range(3):
        response = comment(client, report)
        assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    client.force_login(citizen())
    assert comment(client, report).status_code == 302
