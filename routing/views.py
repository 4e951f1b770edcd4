"""Public lookups the map widgets use."""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from routing.forms import PointForm
from routing.locator import OutsideJakarta, locate_kelurahan
from routing.selectors import area_with_parents, kelurahan_boundaries_geojson


@require_GET
@cache_control(public=True, max_age=3600)
def locate(request):
    """Which kelurahan a point falls in: the form shows it as soon as the pin drops."""
    form = PointForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    try:
        located = locate_kelurahan(
            latitude=form.cleaned_data["lat"], longitude=form.cleaned_data["lng"]
        )
    except OutsideJakarta as exc:
        return JsonResponse({"errors": {"location": [str(exc)]}}, status=400)
    area = area_with_parents(area_id=located.area_id)
    return JsonResponse(
        {
            "code": area.code,
            "kelurahan": area.name,
            "kecamatan": area.parent.name,
            "kota": area.parent.parent.name,
            "exact": located.exact,
        }
    )


@require_GET
@cache_control(public=True, max_age=86400)
def kelurahan_boundaries(request):
    """The kelurahan boundaries: a layer the public map shows on request."""
    return HttpResponse(
        kelurahan_boundaries_geojson(), content_type="application/geo+json"
    )
