"""The public statistics through the API: the figures of the statistics page
(/stats/) for a year and the same filters, and the home page's headline figures.

Readable without a key (the anonymous rate limit applies) and with any valid key.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from complaints.models import Report
from config.api import BAD_INPUT, PUBLIC_REFUSALS
from transparency.filters import COLOURS, Q_MAX_LENGTH, PublicReportFilter
from transparency.selectors.stats import (
    YEAR_MAX,
    YEAR_MIN,
    Tally,
    headline_figures,
    report_years,
    stats_for,
)

# -- output ------------------------------------------------------------------


class TimeToDoneSerializer(serializers.Serializer):
    days_0_to_7 = serializers.IntegerField(help_text=_("Done within 7 × 24 hours."))
    days_8_to_14 = serializers.IntegerField(
        help_text=_("Done after 7 and within 14 × 24 hours.")
    )
    over_14_days = serializers.IntegerField(help_text=_("Done after 14 × 24 hours."))


class TallySerializer(serializers.Serializer):
    """A group's figures, by the definitions printed on the statistics page."""

    received = serializers.IntegerField(help_text=_("Every report."))
    followed_up = serializers.IntegerField(
        help_text=_("Received minus not followed up.")
    )
    not_followed_up = serializers.IntegerField(help_text=_("Rejected or merged."))
    done = serializers.IntegerField(help_text=_("Done or closed."))
    completion_rate = serializers.FloatField(
        allow_null=True,
        help_text=_("Done ÷ followed up, from 0 to 1; null with none followed up."),
    )
    done_within_7_days_share = serializers.FloatField(
        source="within_7_share",
        allow_null=True,
        help_text=_("Done within 7 days ÷ done; null with none done."),
    )
    undisputed_share = serializers.FloatField(
        allow_null=True,
        help_text=_("Done and never disputed ÷ done; null with none done."),
    )
    time_to_done = serializers.SerializerMethodField(
        help_text=_("Done reports by the time from receipt to done.")
    )

    @extend_schema_field(TimeToDoneSerializer)
    def get_time_to_done(self, tally: Tally) -> dict:
        fast, middle, slow = tally.buckets
        return {"days_0_to_7": fast, "days_8_to_14": middle, "over_14_days": slow}


class MonthSerializer(serializers.Serializer):
    month = serializers.IntegerField(
        source="month.month", help_text=_("1 to 12, the month received (WIB).")
    )
    figures = TallySerializer(source="tally")


class GroupSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    figures = TallySerializer(source="tally")


class IkmSerializer(serializers.Serializer):
    index = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        coerce_to_string=False,
        help_text=_("The satisfaction index, 0 to 100 (Permen PANRB 14/2017)."),
    )
    grade = serializers.CharField(help_text=_("A, B, C or D."))
    quality = serializers.CharField(help_text=_("The grade in words."))
    respondents = serializers.IntegerField(help_text=_("The ratings counted."))


class UnitRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    figures = TallySerializer(source="tally")
    productivity = serializers.FloatField(
        allow_null=True, help_text=_("Done ÷ followed up.")
    )
    responsiveness = serializers.FloatField(
        allow_null=True, help_text=_("Done within 7 days ÷ done.")
    )
    responsibility = serializers.FloatField(
        allow_null=True, help_text=_("Done and never disputed ÷ done.")
    )
    ikm = IkmSerializer(
        allow_null=True,
        help_text=_("From the ratings given to the unit; null without one."),
    )


class StatsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    years = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=_("The years with reports, newest first, always with this year."),
    )
    filters = serializers.DictField(
        child=serializers.CharField(), help_text=_("The filters in force.")
    )
    totals = TallySerializer()
    months = MonthSerializer(many=True, help_text=_("January to December."))
    channels = GroupSerializer(many=True, help_text=_("Most received first."))
    categories = GroupSerializer(many=True, help_text=_("Most received first."))
    cities = GroupSerializer(
        many=True, source="kotas", help_text=_("Most received first.")
    )
    units = UnitRowSerializer(
        many=True,
        help_text=_(
            "The league table: the unit handling each report now, most productive "
            "first, then the one that followed up more, then by code."
        ),
    )


class HeadlineSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(source="month.month", help_text=_("1 to 12."))
    this_month = TallySerializer()
    this_year = TallySerializer()


# -- input -------------------------------------------------------------------


class StatsQuerySerializer(serializers.Serializer):
    # The statistics page's year field: the same bounds, and empty means this year.
    year = serializers.IntegerField(
        min_value=YEAR_MIN, max_value=YEAR_MAX, required=False
    )


def _code(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, description=description)


STATS_PARAMETERS = [
    OpenApiParameter(
        "year",
        {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
        description=_("The year received (WIB); this year when not given."),
    ),
    OpenApiParameter(
        "colour",
        str,
        enum=[value for value, _label in COLOURS],
        description=_("The public status colour."),
    ),
    _code("category", _("A category code.")),
    _code("channel", _("A channel code.")),
    _code("kota", _("A city's Kemendagri code.")),
    _code("kecamatan", _("A kecamatan's Kemendagri code.")),
    _code("kelurahan", _("A kelurahan's Kemendagri code.")),
    _code("unit", _("The code of the active unit handling the reports.")),
    OpenApiParameter(
        "date_from",
        OpenApiTypes.DATE,
        description=_("Received on or after this day (WIB), 2000 to 2100."),
    ),
    OpenApiParameter(
        "date_to",
        OpenApiTypes.DATE,
        description=_("Received on or before this day (WIB), 2000 to 2100."),
    ),
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": Q_MAX_LENGTH},
        description=_("A ticket number or words of the title or description."),
    ),
]


def _filter_errors(filters: PublicReportFilter) -> dict[str, list[str]]:
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): list(
            messages
        )
        for name, messages in filters.errors.items()
    }


class StatsAPI(APIView):
    """The statistics page's figures, as data."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary=_("The statistics of a year"),
        description=_(
            "The figures of the public statistics page for the reports received in "
            "a year (WIB) that match the filters of the public report list: totals, "
            "by month, time to done, by channel, category and city, and the units' "
            "league table with their satisfaction index (IKM). A year without "
            "reports gives zeros."
        ),
        parameters=STATS_PARAMETERS,
        responses={200: StatsSerializer, **BAD_INPUT, **PUBLIC_REFUSALS},
    )
    def get(self, request):
        query = StatsQuerySerializer(data=request.query_params)
        filters = PublicReportFilter(
            request.query_params, queryset=Report.objects.all()
        )
        # Both are checked, so that every mistake is told at once.
        errors = {}
        if not query.is_valid():
            errors.update(query.errors)
        if not filters.is_valid():
            errors.update(_filter_errors(filters))
        if errors:
            raise ValidationError(errors)
        year = query.validated_data.get("year") or timezone.localdate().year
        stats = stats_for(filters=filters, year=year)
        body = {
            "year": stats.year,
            "years": report_years(),
            "filters": filters.active,
            "totals": stats.totals,
            "months": stats.months,
            "channels": stats.channels,
            "categories": stats.categories,
            "kotas": stats.kotas,
            "units": stats.units,
        }
        return Response(StatsSerializer(body).data)


class HeadlineAPI(APIView):
    """The home page's headline figures, as data."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary=_("This month's and this year's figures"),
        description=_(
            "The home page's headline: the reports received this month and this "
            "year (WIB), and what has become of them."
        ),
        responses={200: HeadlineSerializer, **PUBLIC_REFUSALS},
    )
    def get(self, request):
        headline = headline_figures(now=timezone.now())
        return Response(HeadlineSerializer(headline).data)
