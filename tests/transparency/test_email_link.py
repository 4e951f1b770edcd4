"""A visitor without an account proves their email with a link that works for a
day: opening it asks them to confirm, and confirming logs them in (creating their
citizen account the first time) and brings them back to the report they were
reading. A link works once, never opens an account that has a password, and never
switches a browser that is logged in as someone else."""

import re
import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.test import Client
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


def mail_to(mailoutbox, address):
    [message] = [m for m in mailoutbox if m.to == [address]]
    return message


def link_in(message) -> str:
    [link] = re.findall(r"http://\S+/akun/email-link/\S+/", message.body)
    return link.removeprefix("http://127.0.0.1:8000")


def logged_in_as(client):
    return (
        get_user_model().objects.filter(pk=client.session.get("_auth_user_id")).first()
    )


def open_link(client, link):
    """Open the link, as the mail app does, then confirm on the page it shows."""
    page = client.get(link)
    assert page.status_code == 200, page.content.decode()
    return client.post(link)


def signup(client, email):
    """Anyone may register any address with a password: the address is not
    checked."""
    response = client.post(
        reverse("accounts:signup"),
        {
            "email": email,
            "first_name": "Eve",
            "password1": "kota-bersih-2026",
            "password2": "kota-bersih-2026",
        },
    )
    assert response.status_code == 302
    client.logout()
    return get_user_model().objects.get(username=email)


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

    link = link_in(message)
    page = client.get(link)
    assert page.status_code == 200
    assert "Continue as ani@example.com" in page.content.decode()
    assert logged_in_as(client) is None  # opening the link only asks
    assert not get_user_model().objects.filter(username="ani@example.com").exists()

    opened = client.post(link)
    assert opened.status_code == 302
    assert opened["Location"] == report.get_absolute_url()
    account = get_user_model().objects.get(username="ani@example.com")
    assert account.email == "ani@example.com"
    assert not account.has_usable_password()
    assert logged_in_as(client) == account
    page = client.get(report.get_absolute_url())
    assert page.context["comment_form"] is not None
    assert page.context["email_link_form"] is None


def test_opening_the_link_logs_in_only_with_the_pages_csrf_token(
    mailoutbox, django_capture_on_commit_callbacks
):
    browser = Client(enforce_csrf_checks=True)
    ask(browser, django_capture_on_commit_callbacks, "ani@example.com", "/")
    link = link_in(mailoutbox[0])
    page = browser.get(link)
    assert "csrfmiddlewaretoken" in page.content.decode()
    # A form on another site posting to the link, without the token.
    assert browser.post(link).status_code == 403
    assert logged_in_as(browser) is None
    assert not get_user_model().objects.filter(username="ani@example.com").exists()
    token = page.context["csrf_token"]
    assert browser.post(link, {"csrfmiddlewaretoken": token}).status_code == 302
    assert logged_in_as(browser).username == "ani@example.com"


def test_a_new_link_logs_into_the_account_an_earlier_link_made(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    ask(client, django_capture_on_commit_callbacks, "budi@example.com", "/")
    open_link(client, link_in(mailoutbox[0]))
    known = logged_in_as(client)
    client.logout()
    ask(client, django_capture_on_commit_callbacks, "BUDI@example.com", "/")
    assert open_link(client, link_in(mailoutbox[1])).status_code == 302
    assert logged_in_as(client) == known
    assert (
        get_user_model().objects.filter(email__iexact="budi@example.com").count() == 1
    )


@pytest.mark.parametrize("account_existed", [False, True])
def test_a_link_works_once(
    client, mailoutbox, django_capture_on_commit_callbacks, account_existed
):
    if account_existed:
        ask(client, django_capture_on_commit_callbacks, "budi@example.com", "/")
        open_link(client, link_in(mailoutbox.pop()))
        client.logout()
    ask(client, django_capture_on_commit_callbacks, "budi@example.com", "/")
    link = link_in(mailoutbox.pop())
    assert open_link(client, link).status_code == 302
    account = logged_in_as(client)
    client.logout()

    for again in (client.get(link), client.post(link)):
        assert again.status_code == 400
        assert "already used" in again.content.decode()
    assert logged_in_as(client) is None
    assert get_user_model().objects.filter(username="budi@example.com").count() == 1
    assert get_user_model().objects.get(pk=account.pk).last_login == (
        account.last_login
    )


def test_a_link_asked_for_an_address_someone_registered_with_a_password_opens_nothing(
    client, report, mailoutbox, django_capture_on_commit_callbacks
):
    """Account pre-hijacking: Eve registers Ani's address with her own password,
    then waits for Ani to sign in by email and so work in Eve's account."""
    eve = Client()
    squatted = signup(eve, "ani@example.com")
    eves_last_login = squatted.last_login
    unknown = ask(
        client,
        django_capture_on_commit_callbacks,
        "nobody@example.com",
        report.get_absolute_url(),
    )
    response = ask(
        client,
        django_capture_on_commit_callbacks,
        "ani@example.com",
        report.get_absolute_url(),
    )
    # The answer tells nothing of which addresses have an account ...
    assert response.status_code == unknown.status_code == 302
    assert response["Location"] == unknown["Location"]
    # ... the owner of the mailbox learns it, and gets no link.
    message = mail_to(mailoutbox, "ani@example.com")
    # Emails go out in the site's language, Indonesian.
    assert "sudah memiliki akun dengan kata sandi" in message.body
    assert "/akun/masuk/" in message.body
    assert "/akun/email-link/" not in message.body
    # Nor would a link for that address (made here by hand), opened or confirmed.
    token = email_link_token(email="ani@example.com", next_url="/")
    for attempt in (client.get(f"{ASK}{token}/"), client.post(f"{ASK}{token}/")):
        assert attempt.status_code == 400
        assert "already has an account with a password" in attempt.content.decode()
    assert logged_in_as(client) is None
    squatted.refresh_from_db()
    assert squatted.last_login == eves_last_login


def test_a_link_made_before_someone_registered_the_address_opens_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    ask(client, django_capture_on_commit_callbacks, "ani@example.com", "/")
    link = link_in(mailoutbox[0])
    signup(Client(), "ani@example.com")
    assert client.get(link).status_code == 400
    assert client.post(link).status_code == 400
    assert logged_in_as(client) is None


def test_a_browser_logged_in_as_someone_else_is_not_switched(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    ask(client, django_capture_on_commit_callbacks, "ani@example.com", "/")
    link = link_in(mailoutbox[0])
    other = citizen()
    client.force_login(other)
    for attempt in (client.get(link), client.post(link)):
        assert attempt.status_code == 409
        assert "logged in with another account" in attempt.content.decode()
        assert "Log out" in attempt.content.decode()
    assert logged_in_as(client) == other
    assert not get_user_model().objects.filter(username="ani@example.com").exists()
    # Once logged out, the link still works: nothing was used up.
    client.logout()
    assert open_link(client, link).status_code == 302
    assert logged_in_as(client).username == "ani@example.com"


def test_a_tampered_link_is_a_clear_400_and_creates_nothing(client):
    accounts = get_user_model().objects.count()
    token = email_link_token(email="ani@example.com", next_url="/")
    for response in (
        client.get(f"{ASK}{token[:-2]}xx/"),
        client.post(f"{ASK}{token[:-2]}xx/"),
    ):
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
    for response in (client.get(f"{ASK}{token}/"), client.post(f"{ASK}{token}/")):
        assert response.status_code == 400
        assert "more than 24 hours old" in response.content.decode()
    assert not get_user_model().objects.filter(username="late@example.com").exists()
    assert logged_in_as(client) is None


def test_an_officers_address_cannot_sign_in_by_link(client):
    clerk = officer()
    clerk.email = "petugas@jakarta.go.id"
    clerk.save()
    token = email_link_token(email="petugas@jakarta.go.id", next_url="/")
    for response in (client.get(f"{ASK}{token}/"), client.post(f"{ASK}{token}/")):
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
    assert open_link(client, link_in(mailoutbox[0]))["Location"] == "/"
    client.logout()
    # Even a signed link whose way back leads elsewhere (we never make one).
    token = email_link_token(email="ani@example.com", next_url="//evil.example/")
    assert open_link(client, f"{ASK}{token}/")["Location"] == "/"


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
