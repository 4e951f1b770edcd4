"""The app's URLs plus the floor: the cheapest Django view the server can answer."""

from django.http import JsonResponse
from django.urls import path

from config.urls import handler404  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns


def floor(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/floor", floor), *app_urlpatterns]
