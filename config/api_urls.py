"""/api/v1/: every app's endpoints, the OpenAPI schema and its documentation.

Each app lists its own endpoints in its ``api_urls.py``; they share the ``api``
namespace.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from complaints import api_urls as complaints_api
from routing import api_urls as routing_api
from transparency import api_urls as transparency_api

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file (?script=): no inline
    # script, so the strict Content-Security-Policy holds here too.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema"),
        name="docs",
    ),
    path("", include(complaints_api.urlpatterns)),
    path("", include(routing_api.urlpatterns)),
    path("", include(transparency_api.urlpatterns)),
]
