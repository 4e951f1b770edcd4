"""The OpenAPI schema at /api/v1/schema/ and its documentation page."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_schema_is_served_as_valid_openapi_3(client):
    response = client.get(reverse("api:schema"), {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"


def _routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_every_api_endpoint_is_in_the_schema(client):
    documented = set(
        client.get(reverse("api:schema"), {"format": "json"}).json()["paths"]
    )
    routed = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        for route, pattern in _routes(get_resolver().url_patterns)
        if route.startswith(("api/v1/", "open311/"))
        and getattr(pattern.callback, "cls", None) is not None
        and route not in ("api/v1/schema/", "api/v1/docs/")
        # Open311's catch-alls: any other path answers the spec's 404.
        and "^" not in route
    }

    assert len(routed) > 30

    assert routed - documented == set()


def test_the_documentation_page_serves_swagger_ui_from_our_static_files(client):
    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn." not in page
