"""API input and output for channel connectors."""

import math

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from complaints.models import Category, Report
from complaints.services.intake import DESCRIPTION_MAX, TITLE_MAX


class FiniteFloatField(serializers.FloatField):
    default_error_messages = {"invalid": _("A finite number is required.")}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class ReportCreateSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    latitude = FiniteFloatField(required=False, allow_null=True)
    longitude = FiniteFloatField(required=False, allow_null=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    reporter_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True
    )
    reporter_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True
    )
    reporter_phone = serializers.CharField(
        max_length=32, required=False, allow_blank=True
    )
    # The reporter never saw our form: anonymous unless the channel passes the
    # name they chose to show.
    public_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    external_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True
    )
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
    )

    def validate_photos(self, value):
        if len(value) > settings.WARGA_MAX_PHOTOS:
            raise serializers.ValidationError(
                _("At most %(n)d photos per report.") % {"n": settings.WARGA_MAX_PHOTOS}
            )
        return value


class ReportReceiptSerializer(serializers.ModelSerializer):
    """What a connector gets back: enough to track the report, no personal data."""

    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    channel = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SerializerMethodField()
    handling_unit = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "ticket",
            "status",
            "title",
            "category",
            "channel",
            "external_id",
            "latitude",
            "longitude",
            "location_source",
            "area",
            "handling_unit",
            "created_at",
            "url",
            "photos",
        ]

    def get_area(self, report: Report) -> dict:
        return {"code": report.area.code, "name": report.area.name}

    def get_handling_unit(self, report: Report) -> dict:
        return {"code": report.handling_unit.code, "name": report.handling_unit.name}

    def get_url(self, report: Report) -> str:
        return self.context["request"].build_absolute_uri(report.get_absolute_url())

    def get_photos(self, report: Report) -> list[str]:
        request = self.context["request"]
        return [request.build_absolute_uri(p.image.url) for p in report.photos.all()]
