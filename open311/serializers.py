"""What /open311/v2/ reads and answers, field by field as GeoReport v2 names them.

The answers carry only what the public portal shows: a service request has the
report's public state, its kelurahan, kecamatan and kota (never the address the
reporter typed), its rounded point and its first evidence photo; nothing about
the reporter.
"""

import re
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from complaints.models import Category, Report
from complaints.public import public_point
from complaints.serializers import FiniteFloatField
from open311.selectors import STATUS_GROUPS, open311_status, photo_url, service_notice
from routing.services import short_city_name

# The spec's description is "free form text limited to 4,000 characters".
DESCRIPTION_MAX = 4000
# A W3C date-time with its time zone: 2010-01-01T00:00:00Z, 2026-11-22T09:30+07:00.
_W3C = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII | re.IGNORECASE,
)
# The longest span of requested_datetime one query may ask for, and the span
# asked for when it gives no dates.
WINDOW = timedelta(days=90)
# No report is older or newer: dates beyond are taken as these (a time zone shift
# of year 1 or 9999 would leave Python's calendar).
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(9998, 12, 31, tzinfo=UTC)


class W3CDateTimeField(serializers.DateTimeField):
    """Written in Jakarta time with its offset (2026-11-22T09:30:00+07:00); read
    in any offset, which the spec requires."""

    default_error_messages = {
        "invalid": _(
            "Use the W3C date-time format with a time zone, e.g. "
            "2026-11-22T09:30:00+07:00 or 2026-11-22T02:30:00Z."
        ),
    }

    def to_internal_value(self, value) -> datetime:
        text = value.strip() if isinstance(value, str) else ""
        if not _W3C.fullmatch(text):
            self.fail("invalid")
        try:
            parsed = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        except ValueError:
            self.fail("invalid")
        if parsed.year < _EARLIEST.year:
            return _EARLIEST
        if parsed.year > _LATEST.year:
            return _LATEST
        return parsed

    def to_representation(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        local = timezone.localtime(value, timezone.get_default_timezone())
        return local.isoformat(timespec="seconds")


# The schemas of the query arguments. Every one admits an empty value (the spec
# reads it as absent); their patterns go in an allOf so that drf-spectacular adds
# neither a minLength nor an alternative for "".
BLANK = {"type": "string", "pattern": r"^\s*$"}


@extend_schema_field({"type": "string", "allOf": [{"pattern": r"^[^\u0000]*$"}]})
class CommaListField(serializers.CharField):
    """A comma separated list (``service_code=sampah,jalan-rusak``), read as a
    list; empty items are dropped."""

    def __init__(self, *, choices=None, max_items: int = 1000, **kwargs):
        self.choices = choices
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> list[str]:
        text = super().to_internal_value(data)
        if "\x00" in text:
            raise serializers.ValidationError(_("Null characters are not allowed."))
        items = [item.strip() for item in text.split(",") if item.strip()]
        if len(items) > self.max_items:
            raise serializers.ValidationError(
                _("At most %(n)d values.") % {"n": self.max_items}
            )
        if self.choices is not None:
            unknown = [item for item in items if item not in self.choices]
            if unknown:
                raise serializers.ValidationError(
                    _("Unknown value %(values)s; the values are: %(choices)s.")
                    % {"values": ", ".join(unknown), "choices": ", ".join(self.choices)}
                )
        return items


@extend_schema_serializer(component_name="Open311Endpoint")
class EndpointSerializer(serializers.Serializer):
    specification = serializers.CharField()
    url = serializers.CharField()
    changeset = serializers.CharField()
    type = serializers.ChoiceField(choices=["production", "test"])
    formats = serializers.ListField(child=serializers.CharField())


@extend_schema_serializer(component_name="Open311Discovery")
class DiscoverySerializer(serializers.Serializer):
    changeset = serializers.CharField()
    contact = serializers.CharField()
    key_service = serializers.CharField()
    endpoints = EndpointSerializer(many=True)


@extend_schema_serializer(component_name="Open311Service")
class ServiceSerializer(serializers.Serializer):
    """A report category as an Open311 service."""

    service_code = serializers.CharField(source="code")
    service_name = serializers.CharField(source="display_name")
    description = serializers.SerializerMethodField()
    metadata = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    keywords = serializers.SerializerMethodField()
    group = serializers.SerializerMethodField()

    def get_description(self, category: Category) -> str | None:
        return category.description or None

    def get_metadata(self, category: Category) -> bool:
        return False  # no service has attributes to fill in

    @extend_schema_field(serializers.ChoiceField(choices=["realtime"]))
    def get_type(self, category: Category) -> str:
        return "realtime"  # the service_request_id comes back at once

    def get_keywords(self, category: Category) -> str | None:
        names = [category.name, category.name_en]
        unique = [n for i, n in enumerate(names) if n and n not in names[:i]]
        return ", ".join(unique) or None

    def get_group(self, category: Category) -> str | None:
        agency = category.default_agency
        return agency.name if agency is not None else None


@extend_schema_serializer(component_name="Open311AttributeValue")
class AttributeValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="Open311Attribute")
class AttributeSerializer(serializers.Serializer):
    variable = serializers.BooleanField()
    code = serializers.CharField()
    datatype = serializers.ChoiceField(
        choices=[
            "string",
            "number",
            "datetime",
            "text",
            "singlevaluelist",
            "multivaluelist",
        ]
    )
    required = serializers.BooleanField()
    datatype_description = serializers.CharField(allow_null=True)
    order = serializers.IntegerField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    values = AttributeValueSerializer(many=True, required=False)


@extend_schema_serializer(component_name="Open311ServiceDefinition")
class ServiceDefinitionSerializer(serializers.Serializer):
    service_code = serializers.CharField(source="code")
    attributes = serializers.SerializerMethodField()

    @extend_schema_field(AttributeSerializer(many=True))
    def get_attributes(self, category: Category) -> list:
        return []  # Warga defines no attributes


@extend_schema_serializer(component_name="Open311ServiceRequest")
class ServiceRequestSerializer(serializers.Serializer):
    """A public report as an Open311 service request; ``context["request"]``
    makes the photo's URL absolute."""

    service_request_id = serializers.CharField(source="ticket")
    status = serializers.SerializerMethodField()
    status_notes = serializers.CharField(source="public.reason")
    service_name = serializers.CharField(source="category.display_name")
    service_code = serializers.CharField(source="category.code")
    description = serializers.SerializerMethodField()
    agency_responsible = serializers.CharField(source="handling_unit.name")
    service_notice = serializers.SerializerMethodField()
    requested_datetime = W3CDateTimeField(source="created_at")
    updated_datetime = W3CDateTimeField(source="updated_at")
    expected_datetime = W3CDateTimeField(source="completion_due_at")
    address = serializers.SerializerMethodField()
    address_id = serializers.CharField(source="area.code")
    zipcode = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    long = serializers.SerializerMethodField()
    media_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=list(STATUS_GROUPS)))
    def get_status(self, report: Report) -> str:
        return open311_status(report)

    def get_description(self, report: Report) -> str:
        text = report.description
        if len(text) > DESCRIPTION_MAX:
            text = text[: DESCRIPTION_MAX - 1] + "…"
        return text

    def get_service_notice(self, report: Report) -> str:
        return service_notice(report.category)

    def get_address(self, report: Report) -> str:
        """Kelurahan, kecamatan, kota: where it is, never what the reporter typed."""
        area = report.area
        kecamatan = area.parent
        kota = kecamatan.parent if kecamatan is not None else None
        names = [
            area.name,
            kecamatan.name if kecamatan is not None else "",
            short_city_name(kota.name) if kota is not None else "",
        ]
        return ", ".join(name for name in names if name)

    def get_zipcode(self, report: Report) -> str | None:
        return report.area.postal_code or None

    def get_lat(self, report: Report) -> float | None:
        point = public_point(report.latitude, report.longitude)
        return point[0] if point else None

    def get_long(self, report: Report) -> float | None:
        point = public_point(report.latitude, report.longitude)
        return point[1] if point else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_media_url(self, report: Report) -> str | None:
        url = photo_url(getattr(report, "first_photo", None))
        if url is None:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def _notice(self, category: Category) -> str:
        # One sentence per category (in the language of this request), not per row.
        notices = self.__dict__.setdefault("_notices", {})
        if category.pk not in notices:
            notices[category.pk] = service_notice(category)
        return notices[category.pk]

    def to_representation(self, report: Report) -> dict:
        """The fields above, written out: DRF's field by field walk took most of
        the time of a page of requests. The same values, in the same order."""
        when = W3CDateTimeField.to_representation
        category = report.category
        point = public_point(report.latitude, report.longitude)
        return {
            "service_request_id": report.ticket,
            "status": open311_status(report),
            "status_notes": report.public.reason,
            "service_name": category.display_name,
            "service_code": category.code,
            "description": self.get_description(report),
            "agency_responsible": report.handling_unit.name,
            "service_notice": self._notice(category),
            "requested_datetime": when(None, report.created_at),
            "updated_datetime": when(None, report.updated_at),
            "expected_datetime": when(None, report.completion_due_at),
            "address": self.get_address(report),
            "address_id": report.area.code,
            "zipcode": report.area.postal_code or None,
            "lat": point[0] if point else None,
            "long": point[1] if point else None,
            "media_url": self.get_media_url(report),
        }


# What CommaListField(choices=STATUS_GROUPS) accepts, for the schema.
STATUS_PATTERN = r"^[\s,]*((open|closed)\s*(,[\s,]*|$))*$"


@extend_schema_field({"type": "string", "allOf": [{"pattern": STATUS_PATTERN}]})
class StatusListField(CommaListField):
    def __init__(self, **kwargs):
        super().__init__(choices=list(STATUS_GROUPS), **kwargs)


@extend_schema_field({"anyOf": [{"type": "string", "format": "date-time"}, BLANK]})
class W3CDateTimeArgument(W3CDateTimeField):
    pass


@extend_schema_field(
    {
        "anyOf": [
            {"type": "integer", "minimum": 1, "maximum": 100_000},
            BLANK,
        ]
    }
)
class PageArgument(serializers.IntegerField):
    pass


# The spec's most requests in one answer.
MAX_PAGE_SIZE = 1000


@extend_schema_field(
    {
        "anyOf": [
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            BLANK,
        ]
    }
)
class PageSizeArgument(serializers.IntegerField):
    pass


class RequestQuerySerializer(serializers.Serializer):
    """The query string of GET requests (jurisdiction_id, ignored, is not read)."""

    service_request_id = CommaListField(
        required=False,
        allow_blank=True,
        help_text=_(
            "Service request ids (tickets), comma separated. Overrides every other "
            "argument."
        ),
    )
    service_code = CommaListField(
        required=False,
        allow_blank=True,
        help_text=_("Service codes, comma separated."),
    )
    start_date = W3CDateTimeArgument(
        required=False,
        help_text=_(
            "Requests made at or after this time (W3C format with a time zone)."
        ),
    )
    end_date = W3CDateTimeArgument(
        required=False,
        help_text=_(
            "Requests made at or before this time (W3C format with a time zone). "
            "The range spans at most 90 days; without dates, the last 90 days."
        ),
    )
    status = StatusListField(
        required=False,
        allow_blank=True,
        help_text=_("open, closed, or both comma separated."),
    )
    page = PageArgument(
        min_value=1,
        max_value=100_000,
        default=1,
        help_text=_(
            "An extension of Warga's: the page of results (of page_size "
            "requests). The Link header names the next page."
        ),
    )

    page_size = PageSizeArgument(
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        required=False,
        help_text=_(
            "An extension of Warga's: how many requests a page holds, up to the "
            "spec's 1000 (100 unless asked)."
        ),
    )

    def validate(self, data):
        if data.get("service_request_id"):
            return data  # the ids override every other argument
        start, end = data.get("start_date"), data.get("end_date")
        if start is not None and end is not None:
            if end < start:
                raise serializers.ValidationError(
                    {"end_date": [_("The end_date is before the start_date.")]}
                )
            if end - start > WINDOW:
                raise serializers.ValidationError(
                    {"end_date": [_("The dates may span at most 90 days.")]}
                )
        elif start is not None:
            end = start + WINDOW
        elif end is not None:
            start = end - WINDOW
        else:
            end = timezone.now()
            start = end - WINDOW
        return {**data, "start_date": start, "end_date": end}


@extend_schema_serializer(component_name="Open311ServiceRequestCreate")
class ServiceRequestCreateSerializer(serializers.Serializer):
    """The arguments of POST requests, as the spec names them. Empty arguments
    count as absent (the spec's "optional arguments")."""

    api_key = serializers.CharField(
        required=False,
        help_text=_(
            "Required: the integrator's API key (its token for /api/v1/). It may "
            "also come in the query string."
        ),
    )
    jurisdiction_id = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Ignored: this endpoint serves one jurisdiction."),
    )
    service_code = serializers.CharField(max_length=40)
    lat = FiniteFloatField(required=False, min_value=-90, max_value=90)
    long = FiniteFloatField(required=False, min_value=-180, max_value=180)
    address_string = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=255,
        help_text=_("Without lat and long: the kelurahan named in it is the location."),
    )
    address_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        help_text=_("A kelurahan's Kemendagri code, e.g. 31.71.01.1001."),
    )
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    device_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    account_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    media_url = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_(
            "An http(s) URL of a photo (JPEG, PNG, WebP or HEIC): it is downloaded "
            "and stored as the report's evidence photo."
        ),
    )

    def validate(self, data):
        codes = attribute_codes(self.initial_data)
        if codes:
            raise serializers.ValidationError(
                {
                    "attribute": [
                        _("No service has the attribute %(code)s.") % {"code": code}
                        for code in codes
                    ]
                }
            )
        return data


_ATTRIBUTE = re.compile(r"attribute\[([^\]]*)\]")


def attribute_codes(data) -> list[str]:
    """The attribute codes a request sends: ``attribute[CODE]=value`` in a form,
    ``{"attribute": {"CODE": value}}`` (or the form's keys) in JSON."""
    codes = []
    for key in data:
        match = _ATTRIBUTE.match(str(key))
        if match:
            codes.append(match.group(1))
        elif key == "attribute":
            value = data[key]
            if isinstance(value, dict):
                codes.extend(str(k) for k in value)
            else:
                codes.append(str(value))
    return list(dict.fromkeys(code[:100] for code in codes))


@extend_schema_serializer(component_name="Open311ServiceRequestFiled")
class FiledSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True)
    token = serializers.CharField(
        help_text=_(
            "An extension: GET tokens/{token} gives the service_request_id back."
        )
    )


@extend_schema_serializer(component_name="Open311Token")
class TokenSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    token = serializers.CharField()
