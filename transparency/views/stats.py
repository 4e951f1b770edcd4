"""The public statistics page: a year's figures, with the list's filters."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from complaints.models import Report
from transparency.caching import public_cache
from transparency.filters import PublicReportFilter
from transparency.selectors.stats import (
    YEAR_MAX,
    YEAR_MIN,
    report_years,
    stats_for,
)

# The filters the page's form offers. The kelurahan and unit lists alone would
# weigh some 50 kB of options (the league table shows the units anyway); those and
# the others still work from a link, and the form carries them on.
SHOWN_FILTERS = ("kota", "kecamatan", "category", "channel", "colour")


class StatsYearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year received"),
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        required=False,
        widget=forms.Select,
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.choices = [(y, str(y)) for y in years]


def _export_query(filters: PublicReportFilter, year: int) -> str:
    """The export's query string that reproduces the page: the same filters and
    the year (narrowed further by dates the reader chose). Empty when the dates
    chosen lie outside the year: the page then counts nothing to export."""
    chosen = filters.form.cleaned_data
    start = max(filter(None, [chosen.get("date_from"), date(year, 1, 1)]))
    end = min(filter(None, [chosen.get("date_to"), date(year, 12, 31)]))
    if start > end:
        return ""
    return urlencode(
        {**filters.active, "date_from": start.isoformat(), "date_to": end.isoformat()}
    )


@require_GET
@public_cache(max_age=300)
def stats(request):
    years = report_years()
    year_form = StatsYearForm(request.GET, years=years)
    filters = PublicReportFilter(request.GET, queryset=Report.objects.all())
    # Both forms are checked, so that every mistake is shown at once.
    valid = [year_form.is_valid(), filters.is_valid()]
    carried = {k: v for k, v in filters.data.items() if k not in SHOWN_FILTERS}
    context = {
        "year_form": year_form,
        "filters": filters,
        "shown_filters": [filters.form[name] for name in SHOWN_FILTERS],
        "carried_filters": carried,
        "carried_errors": [
            f"{filters.form[name].label}: {message}"
            for name in carried
            for message in filters.form.errors.get(name, [])
        ],
        "stats": None,
    }
    if not all(valid):
        return render(request, "transparency/stats.html", context, status=400)
    year = year_form.cleaned_data["year"] or timezone.localdate().year
    if year not in years:
        year_form.fields["year"].widget.choices.insert(0, (year, str(year)))
    context.update(
        stats=stats_for(filters=filters, year=year),
        export_query=_export_query(filters, year),
        active_filters=filters.active,
    )
    return render(request, "transparency/stats.html", context)
