"""Reports through the API: list, read and file them; their timeline and comments.

An integrator reads what ``reports_for_integrator`` gives it; any other ticket is a
404, the same answer as for a ticket that does not exist.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.filters import ReportAPIFilter
from complaints.forms import photo_uploads
from complaints.models import Report
from complaints.permissions import IsActiveIntegrator
from complaints.selectors import (
    comments_of,
    events_for_integrator,
    report_for_integrator,
    reports_for_integrator_listed,
)
from complaints.serializers import (
    CommentCreateSerializer,
    CommentSerializer,
    EventSerializer,
    ReportCreateSerializer,
    ReportDetailSerializer,
    ReportSerializer,
)
from complaints.services.comments import comment_add
from complaints.services.intake import report_submit
from complaints.workflow import allowed_actions
from config.api import (
    BAD_INPUT,
    REFUSALS,
    UNREADABLE_BODY,
    field_errors,
    not_found,
)

TICKET = OpenApiParameter(
    "ticket", str, OpenApiParameter.PATH, description=_("The report's ticket number.")
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Any string up to 100 characters: sending the same key again returns the "
        "report the first request filed (200) instead of filing another."
    ),
)
NOT_FOUND = not_found(_("No such report, or not one this integrator may see."))


class ReportCursor(CursorPagination):
    """Newest first; a cursor, unlike a page number, stays right while reports
    arrive and costs the same on the last page as on the first."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def detail_of(request, integrator, ticket: str) -> dict:
    report = report_for_integrator(integrator=integrator, ticket=ticket)
    return ReportDetailSerializer(
        report,
        context={
            "request": request,
            "integrator": integrator,
            "allowed_actions": allowed_actions(actor=request.user, report=report),
        },
    ).data


class ReportsAPI(generics.ListAPIView):
    permission_classes = [IsActiveIntegrator]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    serializer_class = ReportSerializer
    pagination_class = ReportCursor
    queryset = Report.objects.none()  # for the schema; get_queryset scopes it
    filterset_class = ReportAPIFilter

    def get_queryset(self):
        return reports_for_integrator_listed(self.request.user.integrator)

    @extend_schema(
        summary=_("List the reports this integrator may see"),
        responses={
            200: ReportSerializer(many=True),
            **BAD_INPUT,
            **not_found(_("A cursor this list did not give.")),
            **REFUSALS,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary=_("File a report"),
        description=_(
            "Files a report into the integrator's channel, routed as every other "
            "report is. Idempotent: the same `external_id` for the channel, or the "
            "same `Idempotency-Key` header, returns the first report (200) instead "
            "of filing another (201). Photos go in a multipart body."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request={
            "multipart/form-data": ReportCreateSerializer,
            "application/json": ReportCreateSerializer,
        },
        responses={
            201: ReportDetailSerializer,
            200: OpenApiResponse(
                ReportDetailSerializer,
                description=_("Sent before: the report the first request filed."),
            ),
            **BAD_INPUT,
            **UNREADABLE_BODY,
            **REFUSALS,
        },
    )
    def post(self, request):
        integrator = request.user.integrator
        if integrator.channel_id is None:
            raise PermissionDenied(
                _("This integrator has no channel: it reads and works reports only.")
            )
        incoming = ReportCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            result = report_submit(
                actor=request.user,
                channel=integrator.channel,
                category=data["category"],
                title=data["title"],
                description=data["description"],
                photos=photo_uploads(data["photos"]),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                location_source=Report.LocationSource.CHANNEL,
                address=data.get("address", ""),
                reporter_name=data.get("reporter_name", ""),
                reporter_email=data.get("reporter_email", ""),
                reporter_phone=data.get("reporter_phone", ""),
                public_name=data.get("public_name", ""),
                integrator=integrator,
                external_id=data.get("external_id", ""),
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
        except ValidationError as exc:
            raise field_errors(exc) from exc
        return Response(
            detail_of(request, integrator, result.report.ticket),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class ReportDetailAPI(APIView):
    permission_classes = [IsActiveIntegrator]

    @extend_schema(
        summary=_("Read one report"),
        parameters=[TICKET],
        responses={200: ReportDetailSerializer, **NOT_FOUND, **REFUSALS},
    )
    def get(self, request, ticket: str):
        return Response(detail_of(request, request.user.integrator, ticket))


class ReportTimelineAPI(APIView):
    permission_classes = [IsActiveIntegrator]

    @extend_schema(
        summary=_("A report's timeline, oldest first"),
        description=_(
            "Public events for every integrator that may see the report; the "
            "system of a unit working on it also gets the internal ones "
            "(`is_public: false`), as that unit's officers do."
        ),
        parameters=[TICKET],
        responses={200: EventSerializer(many=True), **NOT_FOUND, **REFUSALS},
    )
    def get(self, request, ticket: str):
        integrator = request.user.integrator
        report = report_for_integrator(integrator=integrator, ticket=ticket)
        events = events_for_integrator(integrator=integrator, report=report)
        return Response(
            EventSerializer(events, many=True, context={"request": request}).data
        )


class ReportCommentsAPI(APIView):
    permission_classes = [IsActiveIntegrator]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary=_("A report's public comments, oldest first"),
        parameters=[TICKET],
        responses={200: CommentSerializer(many=True), **NOT_FOUND, **REFUSALS},
    )
    def get(self, request, ticket: str):
        report = report_for_integrator(
            integrator=request.user.integrator, ticket=ticket
        )
        return Response(CommentSerializer(comments_of(report=report), many=True).data)

    @extend_schema(
        summary=_("Comment on a report"),
        description=_(
            "A unit's system comments in the name of its unit (marked official); "
            "a connector relays a citizen's comment under the name they chose. "
            "Comments are public."
        ),
        parameters=[TICKET],
        request=CommentCreateSerializer,
        responses={
            201: CommentSerializer,
            **BAD_INPUT,
            **UNREADABLE_BODY,
            **NOT_FOUND,
            **REFUSALS,
        },
    )
    def post(self, request, ticket: str):
        report = report_for_integrator(
            integrator=request.user.integrator, ticket=ticket
        )
        incoming = CommentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            comment = comment_add(
                actor=request.user,
                report=report,
                body=incoming.validated_data["body"],
                display_name=incoming.validated_data.get("display_name", ""),
            )
        except ValidationError as exc:
            raise field_errors(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
