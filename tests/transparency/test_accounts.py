"""Citizens register with their email, log in with it, and report as themselves."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def citizens():
    # django-guardian keeps an "AnonymousUser" row of its own.
    return get_user_model().objects.exclude(username="AnonymousUser")


def signup(client, **overrides):
    data = {
        "email": "Dewi@Example.com",
        "first_name": "Dewi",
        "password1": "kota-bersih-2026",
        "password2": "kota-bersih-2026",
    }
    data.update(overrides)
    return client.post(reverse("accounts:signup") + "?next=/lapor/", data)


def test_a_citizen_registers_by_email_and_is_logged_in(client):
    response = signup(client)
    assert response.status_code == 302 and response["Location"] == "/lapor/"
    user = citizens().get()
    assert user.username == user.email == "dewi@example.com"
    assert client.get("/lapor/").context["user"] == user


def test_the_email_logs_in_whatever_its_case(client):
    signup(client)
    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": "DEWI@example.com", "password": "kota-bersih-2026"},
    )
    assert response.status_code == 302


def test_an_email_cannot_register_twice(client):
    signup(client)
    client.logout()
    response = signup(client, email="dewi@EXAMPLE.com")
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert citizens().count() == 1


def test_signup_never_redirects_to_another_site(client):
    response = client.post(
        reverse("accounts:signup") + "?next=https://evil.example/",
        {
            "email": "a@example.com",
            "first_name": "A",
            "password1": "kota-bersih-2026",
            "password2": "kota-bersih-2026",
        },
    )
    assert response["Location"] == reverse("complaints:report-create")


def test_a_weak_password_is_refused(client):
    response = signup(client, password1="123", password2="123")
    assert response.status_code == 200
    assert citizens().count() == 0


def test_a_bare_word_as_next_is_not_a_crash(client):
    response = client.post(
        reverse("accounts:signup") + "?next=lapor",
        {
            "email": "b@example.com",
            "first_name": "B",
            "password1": "kota-bersih-2026",
            "password2": "kota-bersih-2026",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:report-create")


def test_an_email_too_long_for_a_username_is_refused(client):
    response = signup(client, email="a" * 190 + "@example.com")
    assert response.status_code == 200
    assert citizens().count() == 0
