"""What every endpoint of the API shares: the error bodies and the refusals the
schema describes, page numbers that refuse a bad page, the per-integrator rate
limit, and Django's validation errors turned into DRF's."""

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import (
    APIException,
    NotFound,
    ParseError,
    ValidationError,
)
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import exception_handler


class ErrorSerializer(serializers.Serializer):
    """Why a request was refused. Field errors come as {field: [messages]}."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        "The errors, by field or parameter; a body that could not be read at all "
        "gets `detail` instead, and a refusal of the workflow `detail`, `code` and "
        "`errors` by field."
    ),
    "additionalProperties": {
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {"type": "string"}},
            {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        ]
    },
}
BAD_INPUT = {
    400: OpenApiResponse(
        FIELD_ERRORS_SCHEMA, description=_("Bad input: the errors, by field.")
    )
}
# What an endpoint that reads a body may answer when the body is not one it reads.
UNREADABLE_BODY = {
    415: OpenApiResponse(
        ErrorSerializer,
        description=_("The body is in a format this endpoint does not read."),
    )
}
# What an integrator's endpoint may answer besides its own.
REFUSALS = {
    401: OpenApiResponse(ErrorSerializer, description=_("No or an unknown API key.")),
    403: OpenApiResponse(
        ErrorSerializer, description=_("The key is not an active integrator's.")
    ),
    429: OpenApiResponse(ErrorSerializer, description=_("Too many requests.")),
}
# What a public endpoint (no key needed) may answer besides its own.
PUBLIC_REFUSALS = {
    401: OpenApiResponse(
        ErrorSerializer,
        description=_("An API key was sent, but it is unknown or inactive."),
    ),
    429: REFUSALS[429],
}


def not_found(what: str) -> dict:
    return {404: OpenApiResponse(ErrorSerializer, description=what)}


def code_parameter(description: str) -> OpenApiParameter:
    return OpenApiParameter("code", str, OpenApiParameter.PATH, description=description)


def field_errors(exc: DjangoValidationError) -> ValidationError:
    """A service's refusal as DRF's 400 body: errors by field, the rest under
    ``non_field_errors``."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    errors = dict(exc.message_dict)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return ValidationError(errors)


class DatabaseUnavailable(APIException):
    """The database could not be reached (restarting, failing over): nothing was
    done that the client can rely on, and the same request may be sent again."""

    status_code = 503
    default_detail = _("The service is briefly unavailable: send the request again.")
    default_code = "unavailable"
    # DRF's handler turns this into the Retry-After header (seconds).
    wait = 5


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, MultiValueDict):
        return any(_holds_nul([key, *values]) for key, values in value.lists())
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


def _nul_refused(request) -> Exception | None:
    """PostgreSQL's text cannot hold a NUL character: one the request carried into
    a lookup is bad input (an unknown object in the path, a 400 elsewhere)."""
    if "\x00" in request.path:
        return NotFound()
    if _holds_nul(request.query_params) or _holds_nul(request.data):
        return ParseError(_("The request holds a NUL character, which no field takes."))
    return None


def readable(exc: Exception, request=None) -> Exception:
    """A body Django refused to read (too large, too many fields or files, a
    broken multipart) as DRF's 400, instead of Django's HTML error page; a NUL
    character PostgreSQL refused as a 404 or a 400, not a 500."""
    if isinstance(exc, DataError) and request is not None:
        return _nul_refused(request) or exc
    if isinstance(exc, RequestDataTooBig):
        return ParseError(_("The request is too large."))
    if isinstance(exc, SuspiciousOperation):
        return ParseError(_("The request could not be read."))
    if isinstance(exc, OperationalError | InterfaceError):
        # A lost connection, not a bug: a 503 a client retries (with its
        # Idempotency-Key, a report it files cannot be filed twice).
        return DatabaseUnavailable()
    return exc


def api_exception_handler(exc, context):
    return exception_handler(readable(exc, context.get("request")), context)


class IntegratorRateThrottle(UserRateThrottle):
    """The per-key limit. Anonymous readers are counted once, by the anonymous
    limit, not a second time here by their address."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class CheckedPageNumbers(PageNumberPagination):
    """Pages numbered from 1. Any other page is a bad parameter (400), as a bad
    filter is; a page past the last is not found (404)."""

    def get_page_number(self, request, paginator) -> int:
        raw = request.query_params.get(self.page_query_param)
        if raw in (None, ""):
            return 1
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise ValidationError(
                {self.page_query_param: [_("Give a page number from 1 up.")]}
            )
        return number

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": str(self.page_query_description),
                "schema": {"type": "integer", "minimum": 1},
            }
        ]
