"""Every refusal of /open311/v2/ in the spec's error format.

``[{"code": 400, "description": "..."}]`` in JSON, ``<errors><error><code/>
<description/></error></errors>`` in XML (the renderer names the root), whatever
went wrong: bad input, an unknown service or request, a missing or bad api_key, a
method not allowed, too many requests, a body that cannot be read.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from rest_framework.views import exception_handler

from config.api import readable

# Keys of DRF's error details that name no field.
_GENERAL = {"detail", "non_field_errors", NON_FIELD_ERRORS}


def open311_exception_handler(exc, context):
    response = exception_handler(readable(exc), context)
    if response is None:
        return None  # a fault of ours: Django logs it and answers 500
    response.data = errors_of(response.data, code=response.status_code)
    return response


def errors_of(detail, *, code: int) -> list[dict]:
    """DRF's error detail (a message, a list, or messages by field) as the spec's
    list of errors, one per message, each prefixed with its field's name."""
    seen: list[str] = []
    for message in _messages(detail, ""):
        if message not in seen:
            seen.append(message)
    return [{"code": code, "description": message} for message in seen]


def _messages(detail, field: str):
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in _GENERAL else str(key)
            yield from _messages(value, f"{field}.{name}" if field and name else name)
    elif isinstance(detail, (list, tuple)):
        for value in detail:
            yield from _messages(value, field)
    else:
        text = str(detail)
        yield f"{field}: {text}" if field else text
