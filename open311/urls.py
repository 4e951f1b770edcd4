"""/open311/v2/: each endpoint ends in .xml or .json, which picks the format."""

from django.urls import path, re_path
from rest_framework.urlpatterns import format_suffix_patterns

from open311 import views
from transparency.caching import public_cache

# Anonymous GETs are public data: browsers, a CDN and the server may keep them.
listed = public_cache(max_age=60)

app_name = "open311"
urlpatterns = [
    *format_suffix_patterns(
        [
            path("discovery", listed(views.DiscoveryView.as_view()), name="discovery"),
            path("services", listed(views.ServiceListView.as_view()), name="services"),
            path(
                "services/<str:service_code>",
                listed(views.ServiceDefinitionView.as_view()),
                name="service",
            ),
            path("requests", listed(views.RequestsView.as_view()), name="requests"),
            path(
                "requests/<str:service_request_id>",
                public_cache(max_age=60, report_kwarg="service_request_id")(
                    views.RequestView.as_view()
                ),
                name="request",
            ),
            path("tokens/<str:token>", views.TokenView.as_view(), name="token"),
        ],
        suffix_required=True,
        allowed=["json", "xml"],
    ),
    re_path(r"^.*\.(?P<format>json|xml)/?$", views.UnknownView.as_view()),
    re_path(r"^", views.UnknownView.as_view()),
]
