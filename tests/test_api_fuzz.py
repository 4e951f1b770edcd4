"""Fuzzing the whole API from its own OpenAPI schema (schemathesis), under every
kind of caller.

For every operation of /api/v1/schema/ (the REST API and Open311), hypothesis
generates valid (positive) and invalid (negative) requests. No answer may be a
server error, and every answer must be one the schema describes: its status code
(401, 403 and 404 included), its content type and its body.

The callers, and how many examples each gets per operation and generation mode:

- full key: an integrator that is both a channel connector and a unit's system,
  so that most doors open: EXAMPLES_PER_OPERATION (20), in a test of its own.
- anonymous, connector key (a channel connector only), unit key (a unit's system
  only), unknown key (well formed, never issued), revoked key (its integrator
  switched off) and officer session (an officer of the handling unit, logged in,
  no key: the API takes only keys, so the session must open nothing):
  EXAMPLES_PER_IDENTITY (10) each. Each of those examples is sent once per
  caller, so they all answer the same requests.

Whatever else a request carries, an operation that needs a key refuses it from
every caller without an active integrator's key (anonymous, unknown key, revoked
key, officer session). Every other example names a ticket that exists and that
the caller may see, if it may see any, so that the checks go past the 404; the
other examples carry the caller's own key in an Open311 body, if it has one.

The module ends with one line: examples sent and server errors seen, per caller.
Measured on 2 cores with little else running: the whole module in about 110 s
on SQLite and 130 s on PostgreSQL (the full key alone took about 90 s before).
"""

from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
import werkzeug
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from complaints.models import Category, Report
from complaints.services.intake import report_submit
from complaints.services.photos import PhotoUpload
from tests.factories import (
    KUNINGAN,
    KUNINGAN_TIMUR_CODE,
    image_bytes,
    integrator,
    officer,
    report_filed,
)

pytestmark = pytest.mark.usefixtures("ref")
EXAMPLES_PER_OPERATION = 20
EXAMPLES_PER_IDENTITY = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
UNIT_CODE = "KEL-" + KUNINGAN_TIMUR_CODE  # the unit handling report_filed()
# Well formed (40 hexadecimal digits) and never issued.
UNKNOWN_KEY = "0123456789abcdef0123456789abcdef01234567"
# Open311 files with an api_key in the body, not with an Authorization header.
OPEN311_FILING = ("POST", "/open311/v2/requests{format}")


@dataclass
class Identity:
    name: str
    key: str = ""  # the API key it sends, if any
    ticket: str = ""  # a report it may see; one that exists, if it may see none
    cookies: dict = field(default_factory=dict)
    may_pass: bool = True  # may it use the operations that need a key?

    def app(self, app):
        """The WSGI app called as this identity. The key goes into the request
        itself: schemathesis leaves out a header its negative mode is testing the
        absence of, and its security scheme makes Authorization one of them."""
        authorization = f"Token {self.key}" if self.key else None

        def called_by_identity(environ, start_response):
            environ.pop("HTTP_AUTHORIZATION", None)
            if authorization:
                environ["HTTP_AUTHORIZATION"] = authorization
            return app(environ, start_response)

        return called_by_identity

    def headers(self) -> dict:
        # identity: the WSGI transport would not undo the site's gzip.
        headers = {"Accept-Encoding": "identity"}
        if self.key:
            headers["Authorization"] = f"Token {self.key}"
        if self.cookies:
            # Had the API taken sessions, CSRF would not be what refused a POST.
            headers["X-CSRFToken"] = self.cookies[django_settings.CSRF_COOKIE_NAME]
        return headers


# Answers by status code, per caller.
TALLY: dict[str, Counter] = {}


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Called as a WSGI app, Django closes the database connection after each
    request, which ends the test's transaction on PostgreSQL; the test client
    stops it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def tally_summary(request):
    """One line at the end: examples sent and server errors seen, per caller."""
    TALLY.clear()
    yield
    if not TALLY:
        return
    line = "schemathesis: " + "; ".join(
        f"{name} {tally.total()} examples, "
        f"{sum(n for status, n in tally.items() if status >= 500)} 5xx "
        f"({' '.join(f'{status}×{n}' for status, n in sorted(tally.items()))})"
        for name, tally in TALLY.items()
    )
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + line)


def api_schema():
    schema = schemathesis.openapi.from_dict(
        SchemaGenerator().get_schema(request=None, public=True)
    )
    schema.app = get_wsgi_application()
    return schema


def operations() -> list:
    return [result.ok() for result in api_schema().get_all_operations()]


def needs_a_key(operation) -> bool:
    """The operations no caller without an active integrator's key may use."""
    if (operation.method.upper(), operation.path) == OPEN311_FILING:
        return True
    security = operation.definition.raw.get("security") or []
    return operation.path.startswith("/api/") and {} not in security


def connector_report(connector) -> Report:
    """A report the connector filed into its channel."""
    return report_submit(
        actor=connector.user,
        channel=connector.channel,
        category=Category.objects.get(code="sampah"),
        title="Jalan berlubang",
        description="Dari aplikasi.",
        latitude=KUNINGAN[0],
        longitude=KUNINGAN[1],
        location_source=Report.LocationSource.CHANNEL,
        photos=[PhotoUpload("evidence.jpg", image_bytes())],
        integrator=connector,
    ).report


def full_key() -> Identity:
    _both, key = integrator(channel_code="qlue", unit_code=UNIT_CODE)
    return Identity("full key", key=key, ticket=report_filed().ticket)


def other_identities() -> list[Identity]:
    seen_by_unit = report_filed()
    connector, connector_key = integrator(channel_code="qlue")
    _unit, unit_key = integrator(channel_code=None, unit_code=UNIT_CODE)
    revoked, revoked_key = integrator(channel_code="qlue", unit_code=UNIT_CODE)
    revoked.is_active = False
    revoked.save(update_fields=["is_active"])
    browser = Client()
    browser.force_login(officer(unit_code=UNIT_CODE))
    session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    back_office = werkzeug.Client(get_wsgi_application())
    back_office.set_cookie(django_settings.SESSION_COOKIE_NAME, session)
    # The session is an officer's: it opens the back-office inbox.
    assert back_office.get(reverse("officers:inbox")).status_code == 200
    csrf = "a" * 32  # a CSRF secret of the right form: cookie and header agree
    ticket = seen_by_unit.ticket
    return [
        Identity("anonymous", ticket=ticket, may_pass=False),
        Identity(
            "connector key",
            key=connector_key,
            ticket=connector_report(connector).ticket,
        ),
        Identity("unit key", key=unit_key, ticket=ticket),
        Identity("unknown key", key=UNKNOWN_KEY, ticket=ticket, may_pass=False),
        Identity("revoked key", key=revoked_key, ticket=ticket, may_pass=False),
        Identity(
            "officer session",
            ticket=ticket,
            cookies={
                django_settings.SESSION_COOKIE_NAME: session,
                django_settings.CSRF_COOKIE_NAME: csrf,
            },
            may_pass=False,
        ),
    ]


def fuzz(operation, mode, identities: list[Identity], examples: int) -> int:
    """Sends each generated request once per identity; the number generated."""
    key_needed = needs_a_key(operation)
    apps = {identity.name: identity.app(operation.app) for identity in identities}
    generated = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        nonlocal generated
        # Every other time, a ticket the caller may see; the other times, the
        # caller's own key in an Open311 body.
        own_ticket = generated % 2 == 0
        generated += 1
        if case.headers:
            # Only the identity says who calls.
            case.headers.pop("Cookie", None)
        has_key = isinstance(case.body, dict) and "api_key" in case.body
        generated_key = case.body["api_key"] if has_key else None
        for identity in identities:
            if "ticket" in (case.path_parameters or {}) and own_ticket:
                case.path_parameters["ticket"] = identity.ticket
            if has_key:
                own_key = identity.key and not own_ticket
                case.body["api_key"] = identity.key if own_key else generated_key
            headers = identity.headers()
            note(f"caller: {identity.name}")
            # Cookies go through the transport's cookie jar: a Cookie header would
            # be dropped by werkzeug's client.
            response = case.call(
                headers=headers,
                cookies=identity.cookies or None,
                app=apps[identity.name],
            )
            TALLY.setdefault(identity.name, Counter())[response.status_code] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)
            if key_needed and not identity.may_pass:
                assert response.status_code >= 400, (
                    f"{identity.name} was let through: {response.status_code}"
                )

    try:
        run()
    except Unsatisfiable:
        # Nothing in the request can be made invalid (no parameters, no body).
        assert mode == GenerationMode.NEGATIVE
    return generated


def test_the_schema_is_valid_openapi_3():
    # drf-spectacular's check against the OpenAPI 3 JSON schema; raises if not.
    validate_schema(SchemaGenerator().get_schema(request=None, public=True))


OPERATIONS = operations()
OPERATION_ID = lambda op: f"{op.method.upper()} {op.path}"  # noqa: E731
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_ID)
@pytest.mark.parametrize("mode", MODES)
def test_no_input_makes_a_server_error_or_an_undescribed_answer(
    operation, mode, media_files
):
    generated = fuzz(operation, mode, [full_key()], EXAMPLES_PER_OPERATION)
    assert generated or mode == GenerationMode.NEGATIVE


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_ID)
def test_no_caller_gets_a_server_error_an_undescribed_answer_or_a_door_not_its(
    operation, media_files
):
    identities = other_identities()
    generated = sum(
        fuzz(operation, mode, identities, EXAMPLES_PER_IDENTITY) for mode in MODES
    )
    assert generated


NUL = "a\x00b"


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/v1/reports/a%00b/", None, 404),
        ("get", "/api/v1/reports/a%00b/timeline/", None, 404),
        ("get", "/api/v1/categories/a%00b/", None, 404),
        ("get", "/api/v1/areas/a%00b/", None, 404),
        ("get", "/api/v1/units/a%00b/", None, 404),
        ("post", "/api/v1/reports/", {"category": NUL, "title": "t"}, 400),
        ("post", "/api/v1/reports/{ticket}/actions/dispose/", {"unit": NUL}, 400),
        ("post", "/api/v1/reports/{ticket}/actions/coordinate/", {"units": [NUL]}, 400),
    ],
)
def test_a_nul_character_in_a_lookup_is_refused_not_a_server_error(
    client, method, path, body, status
):
    # PostgreSQL's text cannot hold a NUL: the lookup itself fails there.
    _both, key = integrator(channel_code="qlue", unit_code=UNIT_CODE)
    url = path.format(ticket=report_filed().ticket)
    client.raise_request_exception = False
    response = getattr(client, method)(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == status
    assert not Report.objects.filter(title="t").exists()
