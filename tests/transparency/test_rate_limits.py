"""Citizens' actions are limited per hour, against abuse: over the limit the answer
is 429 with a friendly message, and nothing is saved or sent."""

import runpy
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

import config.settings
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


def ask_for_link(client, email, **headers):
    return client.post(EMAIL_LINK, {"email": email}, **headers).status_code


def test_behind_a_proxy_links_are_limited_per_visitor_not_per_proxy(
    client, settings, django_capture_on_commit_callbacks
):
    """Every request reaches the app from the proxy's address (REMOTE_ADDR); the
    proxy puts the visitor's in X-Real-IP."""
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.WARGA_RATE_EMAIL_LINKS_PER_IP = "1/h"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = ask_for_link(
            client, "a@example.com", HTTP_X_REAL_IP="203.0.113.7", **proxy
        )
        same = ask_for_link(
            client, "b@example.com", HTTP_X_REAL_IP="203.0.113.7", **proxy
        )
        other = ask_for_link(
            client, "c@example.com", HTTP_X_REAL_IP="198.51.100.2", **proxy
        )
    assert (first, same, other) == (302, 429, 302)


@pytest.mark.parametrize("header", [None, "", "not-an-address", "1.2.3.4, 5.6.7.8"])
def test_a_request_without_the_proxys_header_counts_under_its_own_address(
    client, settings, django_capture_on_commit_callbacks, header
):
    """One that did not come through the proxy (or a garbled header): no 500, and
    it shares the count of its REMOTE_ADDR."""
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.WARGA_RATE_EMAIL_LINKS_PER_IP = "1/h"
    extra = {} if header is None else {"HTTP_X_REAL_IP": header}
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            ask_for_link(client, f"w{n}@example.com", REMOTE_ADDR="10.0.0.9", **extra)
            for n in range(2)
        ]
    assert answers == [302, 429]


def test_without_the_setting_the_header_is_ignored(
    client, settings, django_capture_on_commit_callbacks
):
    """Not behind a proxy, anyone could send X-Real-IP: it must not reset the
    count."""
    settings.RATELIMIT_IP_META_KEY = None
    settings.WARGA_RATE_EMAIL_LINKS_PER_IP = "1/h"
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            ask_for_link(client, f"w{n}@example.com", HTTP_X_REAL_IP=f"203.0.113.{n}")
            for n in range(2)
        ]
    assert answers == [302, 429]


def test_the_proxys_header_is_set_from_the_environment(monkeypatch):
    base = str(Path(config.settings.__file__).parent / "base.py")
    monkeypatch.setenv("WARGA_CLIENT_IP_HEADER", "HTTP_X_REAL_IP")
    assert runpy.run_path(base)["RATELIMIT_IP_META_KEY"] == "HTTP_X_REAL_IP"
    monkeypatch.delenv("WARGA_CLIENT_IP_HEADER")
    assert runpy.run_path(base)["RATELIMIT_IP_META_KEY"] is None
