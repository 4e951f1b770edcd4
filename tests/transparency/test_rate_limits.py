"""Citizens' actions are limited per hour, against abuse: over the limit the answer
is 429 with a friendly message, and nothing is saved or sent."""

import runpy
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

import config.settings
from complaints.models import Comment, Follow, Report, Support
from tests.factories import KUNINGAN_TIMUR_CODE, citizen, officer, report_filed

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


# Reports filed through the web and logins -------------------------------------

REPORT_FORM = "/lapor/"
OFFICER_FORM = "/office/intake/"


def file_report(client, **extra):
    from tests.complaints.test_intake_web import form

    return client.post(REPORT_FORM, form(), **extra)


def test_reports_from_one_address_are_limited_and_the_refused_one_saves_nothing(
    client, settings, media_files
):
    settings.WARGA_RATE_REPORTS_PER_IP = "2/h"
    answers = [file_report(client).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert Report.objects.count() == 2
    assert len(media_files()) == 2 * 2  # each report: its photo and thumbnail
    assert file_report(client, REMOTE_ADDR="203.0.113.5").status_code == 302


def test_reports_of_one_signed_in_citizen_are_limited_whatever_the_address(
    client, settings
):
    settings.WARGA_RATE_REPORTS_PER_USER = "1/h"
    client.force_login(citizen())
    assert file_report(client, REMOTE_ADDR="203.0.113.1").status_code == 302
    response = file_report(client, REMOTE_ADDR="203.0.113.2")
    assert response.status_code == 429
    assert "too many times" in response.content.decode()
    assert Report.objects.count() == 1
    # Anonymous visitors do not share one count "per user".
    client.logout()
    assert file_report(client, REMOTE_ADDR="203.0.113.3").status_code == 302


def test_showing_the_report_form_is_not_counted(client, settings):
    settings.WARGA_RATE_REPORTS_PER_IP = "1/h"
    for _ in range(3):
        assert client.get(REPORT_FORM).status_code == 200
    assert file_report(client).status_code == 302


def test_an_officers_intake_has_its_own_limit(client, settings):
    from tests.complaints.test_officer_intake import walk_in

    settings.WARGA_RATE_REPORTS_PER_IP = "0/h"
    settings.WARGA_RATE_OFFICER_REPORTS_PER_USER = "2/h"
    client.force_login(officer())
    answers = [client.post(OFFICER_FORM, walk_in()).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert Report.objects.count() == 2
    settings.WARGA_RATE_OFFICER_REPORTS_PER_USER = "100/h"
    settings.WARGA_RATE_OFFICER_REPORTS_PER_IP = "2/h"
    client.force_login(officer())
    answers = [client.post(OFFICER_FORM, walk_in()).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert Report.objects.count() == 4


@pytest.mark.parametrize("url", ["/akun/masuk/", "/admin/login/"])
def test_logins_from_one_address_are_limited_before_the_password_is_checked(
    client, settings, url
):
    settings.WARGA_RATE_LOGINS_PER_IP = "3/h"
    person = citizen()
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    answers = [
        client.post(url, {"username": f"nobody{n}", "password": "x"}).status_code
        for n in range(3)
    ]
    assert answers == [200, 200, 200]
    response = client.post(
        url, {"username": person.username, "password": "pw-for-tests-123"}
    )
    assert response.status_code == 429
    assert "too many times" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address, and showing the form, are not affected.
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"username": person.username, "password": "pw-for-tests-123"},
        REMOTE_ADDR="203.0.113.8",
    )
    assert response.status_code == 302
