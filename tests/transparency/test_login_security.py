"""Logins are hard to guess and officers' sessions do not linger.

After 5 wrong passwords for one username from one address, that pair is locked out
for a while (django-axes, counted in the shared cache), on the site's login and the
admin's alike; passwords are at least 10 characters and not common; an officer's
session ends after a working day without a request."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from complaints.management.commands.seed_demo import DEMO_PASSWORD_DEFAULT
from tests.factories import citizen, officer

pytestmark = pytest.mark.usefixtures("ref")
LOGIN = "/akun/masuk/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "pw-for-tests-123"  # the factories' password
LOCKED = "Too many wrong passwords"


@pytest.fixture(autouse=True)
def fresh_counts(db):
    """Failures are counted in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def log_in(client, username, password, *, url=LOGIN, address="198.51.100.7"):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username, times, **kwargs):
    return [
        log_in(client, username, "wrong-password-1", **kwargs) for _ in range(times)
    ]


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client):
    user = citizen()
    answers = fail(client, user.username, 5)
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert "Please enter a correct" in answers[0].content.decode()
    # The fifth failure already answers with the lockout page.
    assert answers[4].status_code == 429

    response = log_in(client, user.username, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and "15 minutes" in page
    assert not signed_in(client)


def test_the_lockout_page_is_in_indonesian_by_default(client_id):
    user = citizen()
    fail(client_id, user.username, 5)
    response = log_in(client_id, user.username, PASSWORD)
    assert response.status_code == 429
    assert response["Content-Language"] == "id"


def test_another_username_or_another_address_is_not_locked(client):
    locked, other = citizen(), citizen()
    fail(client, locked.username, 5)
    assert log_in(client, other.username, PASSWORD).status_code == 302
    client.logout()
    assert (
        log_in(client, locked.username, PASSWORD, address="203.0.113.9").status_code
        == 302
    )


def test_after_the_cool_off_the_right_password_works_again(client, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=3)
    user = citizen()
    fail(client, user.username, 5)
    assert log_in(client, user.username, PASSWORD).status_code == 429
    time.sleep(3.5)
    assert log_in(client, user.username, PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_supervisor_can_lift_a_lockout_at_once(client):
    user = citizen()
    fail(client, user.username, 5)
    call_command("axes_reset_ip_username", "198.51.100.7", user.username)
    assert log_in(client, user.username, PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(client):
    user = citizen()
    fail(client, user.username, 4)
    assert log_in(client, user.username, PASSWORD).status_code == 302
    client.logout()
    answers = fail(client, user.username, 4)
    assert [a.status_code for a in answers] == [200] * 4
    assert log_in(client, user.username, PASSWORD).status_code == 302


def test_the_email_counts_whatever_its_case(client):
    user = citizen(email="dewi@example.com")
    for spelling in ["Dewi@example.com", "DEWI@EXAMPLE.COM", "dewi@Example.com"]:
        fail(client, spelling, 1)
    fail(client, "dewi@example.com", 2)
    assert log_in(client, "Dewi@Example.com", PASSWORD).status_code == 429
    assert user.username == "dewi@example.com"


def test_the_admin_login_is_locked_out_too(client):
    staff = officer()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    fail(client, staff.username, 5, url=ADMIN_LOGIN)
    response = log_in(client, staff.username, PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)
    # The same pair is locked on the site's login as well.
    assert log_in(client, staff.username, PASSWORD).status_code == 429


def test_api_tokens_are_not_counted_as_logins(client):
    user = citizen()
    fail(client, user.username, 5)
    response = client.get(
        "/api/v1/categories/",
        HTTP_AUTHORIZATION="Token not-a-real-token",
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 401


# Password rules -----------------------------------------------------------------


def signup(client, password):
    return client.post(
        "/akun/daftar/",
        {
            "email": "baru@example.com",
            "first_name": "Baru",
            "password1": password,
            "password2": password,
        },
    )


def test_a_short_password_is_refused_with_a_clear_message(client):
    response = signup(client, "short1")
    assert response.status_code == 200
    assert "at least 10 characters" in response.content.decode()
    assert not signed_in(client)


def test_a_common_password_is_refused_with_a_clear_message(client):
    response = signup(client, "qwertyuiop")
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not signed_in(client)


def test_a_long_uncommon_password_is_accepted_and_so_is_the_demo_one(client):
    validate_password(DEMO_PASSWORD_DEFAULT)
    with pytest.raises(ValidationError):
        validate_password("123456789")
    assert signup(client, "kota-bersih-2026").status_code == 302


# Officers' sessions -------------------------------------------------------------


def session_max_age(response) -> int:
    return int(response.cookies["sessionid"]["max-age"])


def test_an_officers_session_cookie_lasts_eight_hours_a_citizens_two_weeks():
    staff, person = officer(), citizen()
    response = log_in(Client(), staff.username, PASSWORD)
    assert response.status_code == 302
    assert session_max_age(response) == 8 * 3600
    response = log_in(Client(), person.username, PASSWORD)
    assert session_max_age(response) == 14 * 24 * 3600


def test_an_officers_session_ends_after_the_idle_time_not_before(settings):
    settings.WARGA_OFFICER_SESSION_SECONDS = 3
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert log_in(client, officer().username, PASSWORD).status_code == 302
    # Each request pushes the end back: 3.3 s after the login, still signed in.
    for _ in range(3):
        time.sleep(1.1)
        response = client.get("/office/")
        assert response.status_code == 200
        assert session_max_age(response) == 3
    time.sleep(3.3)
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/?next=/office/")


def test_a_request_inside_the_refresh_interval_writes_no_session(client):
    """Eight hours of idleness are counted to the nearest five minutes: a page
    seen just after another does not save the session again."""
    client.force_login(officer())
    client.get("/office/")
    response = client.get("/office/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
