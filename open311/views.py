"""/open311/v2/: Open311 GeoReport v2, in XML and JSON (the URL's suffix).

Reading needs no key and shows what the public portal shows. Filing (POST
requests) takes the integrator's api_key and files through ``report_submit``, as
every other channel does. Every error, of any kind, is the spec's error list.
"""

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.selectors import integrator_of
from open311.errors import open311_exception_handler
from open311.permissions import (
    ApiKeyAuthentication,
    CanFileRequests,
    FilingRateThrottle,
    ReadRateThrottle,
)
from open311.renderers import (
    Open311JSONRenderer,
    Open311XMLRenderer,
    SuffixNegotiation,
)
from open311.selectors import (
    discovery_document,
    service_get,
    service_notice,
    service_request_public,
    service_requests_public,
    services_active,
)
from open311.serializers import (
    DiscoverySerializer,
    FiledSerializer,
    RequestQuerySerializer,
    ServiceDefinitionSerializer,
    ServiceRequestCreateSerializer,
    ServiceRequestSerializer,
    ServiceSerializer,
    TokenSerializer,
)
from open311.services import UnknownService, service_request_submit
from open311.tokens import ticket_of, token_for

TAG = "open311"
JURISDICTION = OpenApiParameter(
    "jurisdiction_id",
    str,
    OpenApiParameter.QUERY,
    required=False,
    description=_("Ignored: this endpoint serves one jurisdiction, DKI Jakarta."),
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "An extension: any string up to 100 characters. Sending the same key "
        "again returns the request filed the first time (200) instead of filing "
        "another (201)."
    ),
)
NEXT_PAGE = OpenApiParameter(
    "Link",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description=_(
        'An extension: <URL>; rel="next" when more requests match than one page holds.'
    ),
)


# The spec's error list. Written out: drf-spectacular documents a list serializer
# as a single object on error codes.
ERROR_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "code": {"type": "integer", "description": "The HTTP status code."},
            "description": {"type": "string", "description": "What went wrong."},
        },
        "required": ["code", "description"],
    },
}
# The path's suffix picks the format; DRF's ?format= is not read.
NO_FORMAT_QUERY = OpenApiParameter("format", str, OpenApiParameter.QUERY, exclude=True)


def _errors(description: str) -> OpenApiResponse:
    return OpenApiResponse(ERROR_LIST, description=description)


TOO_MANY = {429: _errors(_("Too many requests: wait and try again."))}
NO_SUCH_FORMAT = {404: _errors(_("The address ends in neither .json nor .xml."))}
BAD_ARGUMENTS = {400: _errors(_("An argument is missing or unusable."))}


def _arguments(data, *, join: bool = False) -> dict:
    """The request's arguments as plain values, without the empty ones: the spec
    treats an empty optional argument as one not sent. A repeated query argument
    reads as one comma separated list (``join``); in a form the last one counts."""
    if isinstance(data, QueryDict):
        items = [
            (key, ",".join(values) if join else values[-1])
            for key, values in data.lists()
        ]
    elif isinstance(data, dict):
        items = list(data.items())
    else:
        return {}
    return {
        key: value
        for key, value in items
        if value is not None and not (isinstance(value, str) and not value.strip())
    }


class Open311View(APIView):
    """What every endpoint shares: the formats, the error format, the limits."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ReadRateThrottle, FilingRateThrottle]
    renderer_classes = [Open311JSONRenderer, Open311XMLRenderer]
    # Forms as the spec sends them; JSON and multipart forms (without files) too.
    parser_classes = [FormParser, JSONParser, MultiPartParser]
    content_negotiation_class = SuffixNegotiation
    http_method_names = ["get", "post", "head"]  # any other method: 405
    xml_root = ""  # the root element of the XML answer

    def get_exception_handler(self):
        return open311_exception_handler


class DiscoveryView(Open311View):
    """Where the GeoReport v2 endpoint is, and in which formats it answers."""

    xml_root = "discovery"

    @extend_schema(
        tags=[TAG],
        operation_id="open311_discovery",
        summary=_("Open311 service discovery"),
        description=_(
            "Where the GeoReport v2 endpoint is and in which formats it answers."
        ),
        parameters=[NO_FORMAT_QUERY],
        responses={200: DiscoverySerializer, **NO_SUCH_FORMAT, **TOO_MANY},
    )
    def get(self, request, format=None):
        base = request.path.rsplit("/discovery", 1)[0]
        document = discovery_document(endpoint_url=request.build_absolute_uri(base))
        return Response(DiscoverySerializer(document).data)


class ServiceListView(Open311View):
    """The active report categories, as Open311 services."""

    xml_root = "services"

    @extend_schema(
        tags=[TAG],
        operation_id="open311_services_list",
        summary=_("Open311 services: the report categories"),
        parameters=[JURISDICTION, NO_FORMAT_QUERY],
        responses={
            200: ServiceSerializer(many=True),
            **NO_SUCH_FORMAT,
            **TOO_MANY,
        },
    )
    def get(self, request, format=None):
        return Response(ServiceSerializer(services_active(), many=True).data)


class ServiceDefinitionView(Open311View):
    """A service's definition: its code and its (empty) list of attributes."""

    xml_root = "service_definition"

    @extend_schema(
        tags=[TAG],
        operation_id="open311_service_definition",
        summary=_("Open311 service definition"),
        description=_("Warga defines no attributes: the list is always empty."),
        parameters=[
            OpenApiParameter(
                "service_code",
                str,
                OpenApiParameter.PATH,
                description=_("A service_code from the service list."),
            ),
            JURISDICTION,
            NO_FORMAT_QUERY,
        ],
        responses={
            200: ServiceDefinitionSerializer,
            404: _errors(_("No service has this code, or no such format.")),
            **TOO_MANY,
        },
    )
    def get(self, request, service_code: str, format=None):
        return Response(
            ServiceDefinitionSerializer(service_get(code=service_code)).data
        )


class RequestsView(Open311View):
    """GET: the public service requests; POST: file one with an api_key."""

    xml_root = "service_requests"
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [CanFileRequests]

    @extend_schema(
        tags=[TAG],
        operation_id="open311_requests_list",
        summary=_("Open311 service requests: the public reports"),
        description=_(
            "Newest first. Without service_request_id, the requests made between "
            "start_date and end_date (at most 90 days apart; the last 90 days "
            "without dates), 100 per page unless page_size asks for up to 1000."
        ),
        auth=[],
        parameters=[RequestQuerySerializer, JURISDICTION, NEXT_PAGE, NO_FORMAT_QUERY],
        responses={
            200: ServiceRequestSerializer(many=True),
            400: _errors(
                _(
                    "An unusable argument, or an end_date before the start_date "
                    "or more than 90 days after it."
                )
            ),
            **NO_SUCH_FORMAT,
            **TOO_MANY,
        },
    )
    def get(self, request, format=None):
        query = RequestQuerySerializer(data=_arguments(request.query_params, join=True))
        query.is_valid(raise_exception=True)
        args = query.validated_data
        page = service_requests_public(
            ids=args.get("service_request_id"),
            service_codes=args.get("service_code"),
            statuses=args.get("status"),
            start=args.get("start_date"),
            end=args.get("end_date"),
            page=args["page"],
            page_size=args.get("page_size"),
        )
        response = Response(
            ServiceRequestSerializer(
                page.reports, many=True, context={"request": request}
            ).data
        )
        if page.has_next:
            following = request.query_params.copy()
            following["page"] = str(args["page"] + 1)
            url = request.build_absolute_uri(request.path)
            response["Link"] = f'<{url}?{following.urlencode()}>; rel="next"'
        return response

    @extend_schema(
        tags=[TAG],
        operation_id="open311_requests_create",
        summary=_("File an Open311 service request"),
        description=_(
            "Files a report into the api_key's channel, routed as every report "
            "is. The location is lat and long, else the kelurahan of address_id, "
            "else the one kelurahan named in address_string. The photo at "
            "media_url is downloaded and stored. Warga defines no attributes: "
            "any attribute[...] is refused. The answer carries a token (an "
            "extension) for tokens/{token}."
        ),
        auth=[],
        parameters=[IDEMPOTENCY_KEY, NO_FORMAT_QUERY],
        request={
            "application/x-www-form-urlencoded": ServiceRequestCreateSerializer,
            "application/json": ServiceRequestCreateSerializer,
            "multipart/form-data": ServiceRequestCreateSerializer,
        },
        responses={
            201: FiledSerializer(many=True),
            200: OpenApiResponse(
                FiledSerializer(many=True),
                description=_("Sent before with this Idempotency-Key: that request."),
            ),
            **BAD_ARGUMENTS,
            403: _errors(
                _("No api_key, or not an active integrator's with a channel.")
            ),
            404: _errors(_("No service has this service_code, or no such format.")),
            415: _errors(_("The body is neither a form nor JSON.")),
            **TOO_MANY,
        },
    )
    def post(self, request, format=None):
        incoming = ServiceRequestCreateSerializer(data=_arguments(request.data))
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            result = service_request_submit(
                actor=request.user,
                integrator=integrator_of(request.user),
                service_code=data["service_code"],
                description=data["description"],
                latitude=data.get("lat"),
                longitude=data.get("long"),
                address_string=data.get("address_string", ""),
                address_id=data.get("address_id", ""),
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                phone=data.get("phone", ""),
                media_url=data.get("media_url", ""),
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
        except UnknownService as exc:
            raise NotFound(str(exc)) from exc
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        report = result.report
        filed = {
            "service_request_id": report.ticket,
            "service_notice": service_notice(report.category),
            "account_id": data.get("account_id") or None,
            "token": token_for(report.ticket),
        }
        return Response(
            FiledSerializer([filed], many=True).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class RequestView(Open311View):
    """One public service request, as a list of one."""

    xml_root = "service_requests"

    @extend_schema(
        tags=[TAG],
        operation_id="open311_request_get",
        summary=_("One Open311 service request"),
        description=_("A list of one request, as the spec has it."),
        parameters=[
            OpenApiParameter(
                "service_request_id",
                str,
                OpenApiParameter.PATH,
                description=_("The request's id: the report's ticket."),
            ),
            JURISDICTION,
            NO_FORMAT_QUERY,
        ],
        responses={
            200: ServiceRequestSerializer(many=True),
            404: _errors(_("No public request has this id, or no such format.")),
            **TOO_MANY,
        },
    )
    def get(self, request, service_request_id: str, format=None):
        report = service_request_public(ticket=service_request_id)
        return Response(
            ServiceRequestSerializer(
                [report], many=True, context={"request": request}
            ).data
        )


class TokenView(Open311View):
    """The service_request_id a token stands for."""

    xml_root = "service_requests"

    @extend_schema(
        tags=[TAG],
        operation_id="open311_token_get",
        summary=_("The service_request_id of a token"),
        parameters=[
            OpenApiParameter(
                "token",
                str,
                OpenApiParameter.PATH,
                description=_("The token a POST of requests answered."),
            ),
            JURISDICTION,
            NO_FORMAT_QUERY,
        ],
        responses={
            200: TokenSerializer(many=True),
            404: _errors(
                _("Not a token of ours, its request is gone, or no such format.")
            ),
            **TOO_MANY,
        },
    )
    def get(self, request, token: str, format=None):
        ticket = ticket_of(token)
        if ticket is None:
            raise NotFound(_("This token is not one we gave out."))
        report = service_request_public(ticket=ticket)
        return Response(
            TokenSerializer(
                [{"service_request_id": report.ticket, "token": token}], many=True
            ).data
        )


class UnknownView(Open311View):
    """Anything else under /open311/v2/: a 404 in the spec's format (in JSON when
    the URL ends in .json). It has no methods, so it is not in the schema."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound(
            _(
                "There is nothing here. The endpoints are discovery, services, "
                "services/{service_code}, requests, requests/{service_request_id} "
                "and tokens/{token}, each ending in .xml or .json."
            )
        )
