"""What the GeoReport v2 specification and its official JSON schemas say an answer
looks like, for the tests to hold our answers against.

The element orders are those of the specification's examples
(https://wiki.open311.org/GeoReport_v2/, Service_Discovery); the schemas are the
official ones copied into open311/schemas/.
"""

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from django.conf import settings
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(settings.BASE_DIR) / "open311" / "schemas"
BASE = "/open311/v2"

DISCOVERY_KEYS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_KEYS = ["specification", "url", "changeset", "type", "formats"]
SERVICE_KEYS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
DEFINITION_KEYS = ["service_code", "attributes"]
REQUEST_KEYS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
# The spec's POST answer, then our token (an extension) last.
FILED_KEYS = ["service_request_id", "service_notice", "account_id", "token"]
TOKEN_KEYS = ["service_request_id", "token"]
ERROR_KEYS = ["code", "description"]
# A W3C date-time in Jakarta time: 2026-11-22T09:30:00+07:00.
JAKARTA_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00")

_LISTS = {
    "services",
    "service_requests",
    "errors",
    "attributes",
    "values",
    "endpoints",
    "formats",
}
_BOOLEANS = {"metadata", "variable", "required"}
_FLOATS = {"lat", "long"}


def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT7))
        for path in SCHEMAS.glob("*.json")
    ]
    return Registry().with_resources(resources)


def check_schema(name: str, data) -> None:
    """Validate ``data`` against the official schema ``name`` (its $refs to the
    other files resolved); raises jsonschema.ValidationError."""
    schema = json.loads((SCHEMAS / name).read_text())
    Draft7Validator(schema, registry=_registry()).validate(data)


def spark(body: bytes):
    """Our XML read back to JSON by the spec's Spark convention: a container of
    repeated elements is an array, an element with children an object, an empty
    element null. Booleans and coordinates are typed as the schemas want."""
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), body[:60]
    return _value(ET.fromstring(body), parent="")


def _value(element: ET.Element, *, parent: str):
    if element.tag in _LISTS:
        return [_value(child, parent=element.tag) for child in element]
    if len(element):
        return {child.tag: _value(child, parent=element.tag) for child in element}
    text = element.text
    if text is None:
        return None
    if element.tag in _BOOLEANS:
        assert text in ("true", "false"), text
        return text == "true"
    if element.tag in _FLOATS:
        return float(text)
    if element.tag == "code" and parent == "error":
        return int(text)
    return text


def child_tags(body: bytes, path: str) -> list[str]:
    """The tags of the children of the first element at ``path`` (ElementPath)."""
    root = ET.fromstring(body)
    element = root if path == "." else root.find(path)
    assert element is not None, (path, body[:200])
    return [child.tag for child in element]


def root_tag(body: bytes) -> str:
    return ET.fromstring(body).tag


def errors_of(response, fmt: str) -> list[dict]:
    """The spec's error list of a response, in either format, checked for shape."""
    if fmt == "xml":
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        assert root_tag(response.content) == "errors"
        errors = spark(response.content)
    else:
        assert response["Content-Type"] == "application/json; charset=utf-8"
        errors = response.json()
    assert isinstance(errors, list) and errors, errors
    for error in errors:
        assert list(error) == ERROR_KEYS, error
        assert error["code"] == response.status_code
    return errors


def answer(response, fmt: str):
    """The body of a successful answer as JSON data, from either format."""
    if fmt == "xml":
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        return spark(response.content)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()
