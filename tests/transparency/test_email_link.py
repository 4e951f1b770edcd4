"""A visitor without an account proves their email with a link that works for a
day: opening it logs them in (creating their citizen account the first time) and
brings them back to the report they were reading."""

import re
import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from tests.factories import citizen, officer, report_filed
from transparency.services import email_link_token

pytestmark = pytest.mark.usefixtures("ref")
ASK = "/akun/email-link/"


@pytest.fixture(autouse=True)
def fresh_limits(db):
    cache.clear()


@pytest.fixture
def report():
    return report_filed()


def ask(client, capture, email, next_url):
    with capture(execute=True):
        return client.post(ASK, {"email": email, "next": next_url})


def link_in(message) -> str:
    [link] = re.findall(r"http://\S+/akun/email-link/\S+/", message.body)
    return link.removeprefix("http://127.0.0.1:8000")


def logged_in_as(client):
    return (
        get_user_model().objects.filter(pk=client.session.get("_auth_user_id")).first()
    )


def test_a_visitor_proves_their_email_and_comes_back_logged_in(
    client, report, mailoutbox, django_capture_on_commit_callbacks
):
    page = client.get(report.get_absolute_url())
    assert page.context["email_link_form"] is not None
    response = ask(
        client,
        django_capture_on_commit_callbacks,
        " Ani@Example.COM ",
        report.get_absolute_url(),
    )
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    [message] = mailoutbox
    assert message.to == ["ani@example.com"]
    assert not get_user_model().objects.filter(username="ani@example.com").exists()

    opened = client.get(link_in(message))
    assert opened.status_code == 302
    assert opened["Location"] == report.get_absolute_url()
    account = get_user_model().objects.get(username="ani@example.com")
    assert account.email == "ani@example.com"
    assert not account.has_usable_password()
    assert logged_in_as(client) == account
    page = client.get(report.get_absolute_url())
    assert page.context["comment_form"] is not None
    assert page.context["email_link_form"] is None


def test_the_link_finds_the_existing_citizen_account(
    client, report, mailoutbox, django_capture_on_commit_callbacks
):
    known = citizen(email="budi@example.com")
    ask(client, django_capture_on_commit_callbacks, "BUDI@example.com", "/")
    link = link_in(mailoutbox[0])
    client.get(link)
    assert logged_in_as(client) == known
    client.logout()
    client.get(link)  # a second use within the day: the same account, none new
    assert logged_in_as(client) == known
    assert (
        get_user_model().objects.filter(email__iexact="budi@example.com").count() == 1
    )


def test_a_tampered_link_is_a_clear_400_and_creates_nothing(client):
    accounts = get_user_model().objects.count()
    token = email_link_token(email="ani@example.com", next_url="/")
    response = client.get(f"{ASK}{token[:-2]}xx/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    # Another address in the payload, under the original signature.
    _payload, *signature = token.split(":")
    other = signing.b64_encode(b'{"email":"eve@example.com","next":"/"}').decode()
    assert client.get(f"{ASK}{':'.join([other, *signature])}/").status_code == 400
    assert get_user_model().objects.count() == accounts
    assert logged_in_as(client) is None


def test_a_link_older_than_a_day_is_a_clear_400_and_creates_nothing(client):
    with mock.patch("time.time", return_value=time.time() - 25 * 3600):
        token = email_link_token(email="late@example.com", next_url="/")
    response = client.get(f"{ASK}{token}/")
    assert response.status_code == 400
    assert "more than 24 hours old" in response.content.decode()
    assert not get_user_model().objects.filter(username="late@example.com").exists()
    assert logged_in_as(client) is None


def test_an_officers_address_cannot_sign_in_by_link(client):
    clerk = officer()
    clerk.email = "petugas@jakarta.go.id"
    clerk.save()
    token = email_link_token(email="petugas@jakarta.go.id", next_url="/")
    response = client.get(f"{ASK}{token}/")
    assert response.status_code == 400
    assert "log in with your password" in response.content.decode()
    assert logged_in_as(client) is None


@pytest.mark.parametrize("email", ["", "not-an-email", "a@" + "b" * 200 + ".com"])
def test_a_bad_address_is_refused_and_nothing_is_sent(
    client, report, mailoutbox, django_capture_on_commit_callbacks, email
):
    response = ask(
        client, django_capture_on_commit_callbacks, email, report.get_absolute_url()
    )
    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert mailoutbox == []


def test_the_way_back_stays_on_this_site(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    response = ask(
        client,
        django_capture_on_commit_callbacks,
        "ani@example.com",
        "https://evil.example/",
    )
    assert response["Location"] == "/"
    assert client.get(link_in(mailoutbox[0]))["Location"] == "/"
    # Even a signed link whose way back leads elsewhere (we never make one).
    token = email_link_token(email="ani@example.com", next_url="//evil.example/")
    assert client.get(f"{ASK}{token}/")["Location"] == "/"


def test_the_anonymous_report_page_stays_the_same_for_everyone(client, report):
    """The email form carries no CSRF token, so the page sets no cookie and a
    cache may share it."""
    response = client.get(report.get_absolute_url())
    assert not response.cookies
    assert "public" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_the_email_link_page_also_works_on_its_own(client):
    response = client.get(ASK, {"next": "/reports/"})
    assert response.status_code == 200
    assert response.context["form"]["next"].value() == "/reports/"
    assert reverse("transparency:email-link") == ASK
