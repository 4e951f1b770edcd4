"""The public map's data: clusters or reports in the visible box, with the same
filters as the list."""

import math

from django import forms
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from complaints.models import Report
from transparency.filters import PublicReportFilter
from transparency.selectors.map import MAX_ZOOM, BBox, report_map


class MapViewForm(forms.Form):
    """The visible box, ``west,south,east,north`` in degrees, and the zoom."""

    bbox = forms.CharField(max_length=200)
    zoom = forms.IntegerField(min_value=0, max_value=MAX_ZOOM)

    def clean_bbox(self) -> BBox:
        parts = self.cleaned_data["bbox"].split(",")
        if len(parts) != 4:
            raise forms.ValidationError(
                _("Give four numbers: west, south, east, north.")
            )
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Give four numbers: west, south, east, north.")
            ) from exc
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise forms.ValidationError(_("The box must be finite numbers."))
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            raise forms.ValidationError(_("Longitudes must be between -180 and 180."))
        if not (-90 <= south <= 90 and -90 <= north <= 90):
            raise forms.ValidationError(_("Latitudes must be between -90 and 90."))
        if west >= east or south >= north:
            raise forms.ValidationError(
                _("West must be less than east, and south less than north.")
            )
        return BBox(west=west, south=south, east=east, north=north)


@require_GET
@cache_control(public=True, max_age=60)
# The status labels are in the reader's language (header or cookie).
@vary_on_headers("Cookie", "Accept-Language")
def map_data(request):
    form = MapViewForm(request.GET)
    filters = PublicReportFilter(request.GET, queryset=Report.objects.all())
    form_ok, filters_ok = form.is_valid(), filters.is_valid()
    if not (form_ok and filters_ok):
        return JsonResponse({"errors": {**filters.errors, **form.errors}}, status=400)
    result = report_map(
        reports=filters.qs,
        bbox=form.cleaned_data["bbox"],
        zoom=form.cleaned_data["zoom"],
        # The filters themselves: the clusters come from the cell counts summary
        # where it splits by them.
        criteria=filters.form.cleaned_data,
    )
    return JsonResponse(result.as_json())
