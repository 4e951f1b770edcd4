"""Fuzzing the whole API from its own OpenAPI schema (schemathesis).

For every operation of /api/v1/schema/ (the REST API and Open311), hypothesis
generates valid and invalid requests, sent with an integrator's key that is both a
channel connector and a unit's system, so that most doors open. No answer may be a
server error, and every answer must be one the schema describes: its status code,
its content type and its body.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import integrator, report_filed

pytestmark = pytest.mark.usefixtures("ref")
EXAMPLES_PER_OPERATION = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


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


def api_schema():
    schema = schemathesis.openapi.from_dict(
        SchemaGenerator().get_schema(request=None, public=True)
    )
    schema.app = get_wsgi_application()
    return schema


def operations() -> list:
    return [result.ok() for result in api_schema().get_all_operations()]


def test_the_schema_is_valid_openapi_3():
    # drf-spectacular's check against the OpenAPI 3 JSON schema; raises if not.
    validate_schema(SchemaGenerator().get_schema(request=None, public=True))


@pytest.mark.parametrize(
    "operation", operations(), ids=lambda op: f"{op.method.upper()} {op.path}"
)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_makes_a_server_error_or_an_undescribed_answer(
    operation, mode, media_files
):
    _connector, key = integrator(channel_code="qlue", unit_code="KEL-31.74.02.1008")
    report = report_filed()
    # identity: the WSGI transport would not undo the site's gzip.
    headers = {"Authorization": f"Token {key}", "Accept-Encoding": "identity"}
    seen: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        if "ticket" in (case.path_parameters or {}) and len(seen) % 2 == 0:
            # Half the time a ticket that exists, so the checks go past the 404.
            case.path_parameters["ticket"] = report.ticket
        if isinstance(case.body, dict) and "api_key" in case.body and len(seen) % 2:
            # Open311 takes its key in the body: half the time a good one.
            case.body["api_key"] = key
        seen.append(case.path)
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        fuzz()
    except Unsatisfiable:
        # Nothing in the request can be made invalid (no parameters, no body).
        assert mode == GenerationMode.NEGATIVE
        return
    assert seen
