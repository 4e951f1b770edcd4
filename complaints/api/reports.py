"""The connector endpoint: POST /api/v1/reports/."""

from django.core.exceptions import ValidationError
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.forms import photo_uploads
from complaints.models import Report
from complaints.permissions import IsActiveIntegrator
from complaints.serializers import ReportCreateSerializer, ReportReceiptSerializer
from complaints.services.intake import report_submit


class ReportCreateAPI(APIView):
    """File a report from a channel. Idempotent: the same ``external_id`` for the
    channel, or the same ``Idempotency-Key`` header, returns the first report (200)
    instead of creating another (201)."""

    permission_classes = [IsActiveIntegrator]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def post(self, request):
        integrator = request.user.integrator
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
            raise serializers.ValidationError(exc.message_dict) from exc
        body = ReportReceiptSerializer(
            Report.objects.select_related(
                "category", "channel", "area", "handling_unit"
            )
            .prefetch_related("photos")
            .get(pk=result.report.pk),
            context={"request": request},
        ).data
        return Response(
            body,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
