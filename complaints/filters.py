"""What an integrator may narrow its reports by: the portal's filters, plus the
exact status, the channel's own id and "changed since" for synchronising."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import Report
from transparency.filters import FILTER_KEYS, PublicReportFilter


class ReportAPIFilter(PublicReportFilter):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=Report.Status.choices,
        widget=forms.SelectMultiple,
        help_text=_("One or more statuses (repeat the parameter)."),
        # A report has one status: no join, so no duplicate rows to remove. The
        # default (SELECT DISTINCT) made PostgreSQL sort every match before LIMIT.
        distinct=False,
    )
    updated_after = django_filters.IsoDateTimeFilter(
        label=_("Changed since"),
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_("ISO 8601 date and time: the reports changed since then."),
    )
    external_id = django_filters.CharFilter(
        label=_("ID in the channel"), max_length=100
    )

    keys = (*FILTER_KEYS, "status", "updated_after", "external_id")

    class Meta(PublicReportFilter.Meta):
        fields = [
            *PublicReportFilter.Meta.fields,
            "status",
            "updated_after",
            "external_id",
        ]

    def __init__(self, data=None, queryset=None, **kwargs):
        # Keep repeated keys (?status=new&status=reopened) that the parent's
        # plain dict would collapse to one; an empty one (?status=) filters
        # nothing, as for every other key.
        if hasattr(data, "getlist"):
            statuses = [s for s in data.getlist("status") if s]
            data = {key: data.get(key) for key in data}
            data["status"] = statuses or None
        super().__init__(data, queryset=queryset, **kwargs)
