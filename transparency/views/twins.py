"""Before filing: the open reports of the same category near the pin."""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from transparency.forms import NearbyForm
from transparency.selectors.twins import twins_nearby


@require_GET
@cache_control(public=True, max_age=60)
# The labels follow the reader's language, which a cookie may choose.
@vary_on_headers("Cookie", "Accept-Language")
def nearby(request):
    """``?category=<code>&lat=..&lng=..`` → the reports the citizen may support
    instead of filing a twin."""
    form = NearbyForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    data = form.cleaned_data
    return JsonResponse(
        {
            "radius": settings.WARGA_TWIN_RADIUS_METRES,
            "reports": twins_nearby(
                category=data["category"], latitude=data["lat"], longitude=data["lng"]
            ),
        }
    )
