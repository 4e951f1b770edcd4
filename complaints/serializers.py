"""API input and output for integrators (/api/v1/reports/...).

What an integrator reads is not the public portal's view: it sees exact
coordinates and the full status. The reporter's contact goes only to the
integrator that brought the report in and to the system of the unit handling it,
as it goes to that unit's officers in the back-office.
"""

import math

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.action_forms import extension_due_at, planned_completion_at
from complaints.models import Category, Comment, Report, ReportEvent, ReportPhoto
from complaints.public import public_state
from complaints.services.comments import BODY_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH
from complaints.services.intake import DESCRIPTION_MAX, TITLE_MAX
from complaints.timeline import describe
from routing.models import Unit


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


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


def _code_name(thing) -> dict | None:
    return {"code": thing.code, "name": str(thing)} if thing is not None else None


class AreaRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kecamatan = CodeNameSerializer(allow_null=True)
    kota = CodeNameSerializer(allow_null=True)


class PublicStateSerializer(serializers.Serializer):
    colour = serializers.ChoiceField(choices=["red", "yellow", "green", "grey"])
    label = serializers.CharField()
    reason = serializers.CharField()


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportPhoto
        fields = ["kind", "url", "thumbnail_url", "width", "height", "created_at"]

    def get_url(self, photo: ReportPhoto) -> str:
        return self.context["request"].build_absolute_uri(photo.image.url)

    def get_thumbnail_url(self, photo: ReportPhoto) -> str:
        return self.context["request"].build_absolute_uri(photo.thumbnail.url)


class ReporterSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField(help_text=_("The address the reporter typed."))


class ReportSerializer(serializers.ModelSerializer):
    """A report as a row of the list."""

    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    channel = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SerializerMethodField()
    handling_unit = serializers.SerializerMethodField()
    public = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "ticket",
            "status",
            "public",
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
            "updated_at",
            "response_due_at",
            "completion_due_at",
            "completed_at",
            "closed_at",
            "version",
            "url",
            "api_url",
        ]

    @extend_schema_field(AreaRefSerializer)
    def get_area(self, report: Report) -> dict:
        area = report.area
        kecamatan = area.parent
        kota = kecamatan.parent if kecamatan is not None else None
        return {
            "code": area.code,
            "name": area.name,
            "kecamatan": _code_name(kecamatan),
            "kota": _code_name(kota),
        }

    @extend_schema_field(CodeNameSerializer)
    def get_handling_unit(self, report: Report) -> dict:
        return _code_name(report.handling_unit)

    @extend_schema_field(PublicStateSerializer)
    def get_public(self, report: Report) -> dict:
        state = public_state(report)
        return {"colour": state.colour, "label": state.label, "reason": state.reason}

    def get_url(self, report: Report) -> str:
        """The report's page on the public portal."""
        return self.context["request"].build_absolute_uri(report.get_absolute_url())

    def get_api_url(self, report: Report) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:report-detail", kwargs={"ticket": report.ticket})
        )


class ReportDetailSerializer(ReportSerializer):
    """One report with everything an integrator may know about it."""

    disposed_from = serializers.SerializerMethodField()
    coordinating_units = serializers.SerializerMethodField()
    parent = serializers.SlugRelatedField(
        slug_field="ticket", read_only=True, allow_null=True
    )
    photos = PhotoSerializer(many=True, read_only=True)
    reporter = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [
            *ReportSerializer.Meta.fields,
            "description",
            "public_name",
            "disposed_from",
            "coordinating_units",
            "rejection_reason",
            "parent",
            "planned_completion_at",
            "first_response_at",
            "dispute_count",
            "photos",
            "reporter",
            "allowed_actions",
        ]

    @extend_schema_field(CodeNameSerializer(allow_null=True))
    def get_disposed_from(self, report: Report) -> dict | None:
        return _code_name(report.disposed_from)

    @extend_schema_field(CodeNameSerializer(many=True))
    def get_coordinating_units(self, report: Report) -> list[dict]:
        return [_code_name(c.unit) for c in report.open_coordinations]

    @extend_schema_field(ReporterSerializer(allow_null=True))
    def get_reporter(self, report: Report) -> dict | None:
        integrator = self.context["integrator"]
        if not (
            report.integrator_id == integrator.pk
            or (integrator.unit_id and report.handling_unit_id == integrator.unit_id)
        ):
            return None
        return {
            "name": report.reporter_name,
            "email": report.reporter_email,
            "phone": report.reporter_phone,
            "address": report.address,
        }

    @extend_schema_field(
        serializers.ListField(
            child=serializers.CharField(),
            help_text=_(
                "What this API key may do on the report now, as action names of "
                "/api/v1/reports/{ticket}/actions/{action}/."
            ),
        )
    )
    def get_allowed_actions(self, report: Report) -> list[str]:
        return [
            action.replace("_", "-")
            for action in self.context.get("allowed_actions", [])
        ]


class EventSerializer(serializers.ModelSerializer):
    """One line of the timeline, with its sentence in the reader's language."""

    text = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    target_unit = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = ReportEvent
        fields = [
            "id",
            "kind",
            "action",
            "from_status",
            "to_status",
            "unit",
            "target_unit",
            "text",
            "note",
            "is_public",
            "created_at",
            "photos",
        ]

    def get_text(self, event: ReportEvent) -> str:
        return describe(event)

    @extend_schema_field(CodeNameSerializer(allow_null=True))
    def get_unit(self, event: ReportEvent) -> dict | None:
        return _code_name(event.unit)

    @extend_schema_field(CodeNameSerializer(allow_null=True))
    def get_target_unit(self, event: ReportEvent) -> dict | None:
        return _code_name(event.target_unit)


class CommentSerializer(serializers.ModelSerializer):
    """A comment as the report page shows it: under the name its author chose or
    their unit; a hidden one says who hid it and why instead of its text."""

    author = serializers.SerializerMethodField()
    official = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()
    hidden_by = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "author",
            "official",
            "body",
            "created_at",
            "hidden",
            "hidden_by",
            "hidden_reason",
        ]

    def get_author(self, comment: Comment) -> str:
        if comment.author_unit_id:
            return comment.author_unit.name
        return comment.display_name or str(_("A citizen"))

    def get_official(self, comment: Comment) -> bool:
        return comment.author_unit_id is not None

    def get_body(self, comment: Comment) -> str:
        return "" if comment.hidden_at else comment.body

    def get_hidden(self, comment: Comment) -> bool:
        return comment.hidden_at is not None

    def get_hidden_by(self, comment: Comment) -> str | None:
        if comment.hidden_at is None:
            return None
        return comment.hidden_by_unit.name if comment.hidden_by_unit_id else None


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX_LENGTH)
    display_name = serializers.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text=_(
            "The name the citizen chose to show (a connector relaying a citizen's "
            "comment). A unit's system comments as its unit and sends none."
        ),
    )


# -- workflow actions ------------------------------------------------------------


class ActionSerializer(serializers.Serializer):
    """What every action takes: an optional note and the version the client last
    read (when given and the report changed since, the action is refused: 409)."""

    version = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text=_("The report's version the decision was based on."),
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    def params(self) -> dict:
        data = dict(self.validated_data)
        data.pop("version", None)
        data.pop("photos", None)
        return data


class RequiredNoteActionSerializer(ActionSerializer):
    note = serializers.CharField(max_length=5000)


class PhotosField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.FileField(allow_empty_file=True),
            required=False,
            default=list,
            max_length=settings.WARGA_MAX_PHOTOS,
            **kwargs,
        )


class AcceptActionSerializer(ActionSerializer):
    planned_completion = serializers.DateField(
        required=False,
        help_text=_("The day the unit plans to be done (WIB, 17:00)."),
    )

    def params(self) -> dict:
        data = super().params()
        day = data.pop("planned_completion", None)
        if day is not None:
            data["planned_completion_at"] = planned_completion_at(day)
        return data


class RejectActionSerializer(ActionSerializer):
    reason = serializers.ChoiceField(choices=Report.RejectionReason.choices)


class DisposeActionSerializer(RequiredNoteActionSerializer):
    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Unit.objects.all(),
        help_text=_("The code of the unit the report goes to."),
    )


class CoordinateActionSerializer(ActionSerializer):
    units = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Unit.objects.all(),
        many=True,
        help_text=_("The codes of the units invited to work on the report."),
    )


class FollowUpActionSerializer(RequiredNoteActionSerializer):
    photos = PhotosField(help_text=_("Proof photos (multipart)."))


class CompleteActionSerializer(ActionSerializer):
    photos = PhotosField(help_text=_("Proof photos (multipart)."))


class DisputeActionSerializer(RequiredNoteActionSerializer):
    photos = PhotosField(help_text=_("The reporter's photos (multipart)."))


class MergeActionSerializer(ActionSerializer):
    parent = serializers.CharField(
        max_length=20, help_text=_("The ticket of the original report.")
    )


class ExtensionRequestActionSerializer(RequiredNoteActionSerializer):
    new_due = serializers.DateField(help_text=_("The deadline asked for (WIB)."))

    def params(self) -> dict:
        data = super().params()
        data["new_due_at"] = extension_due_at(data.pop("new_due"))
        return data
