"""/open311/v2/: each endpoint ends in .xml or .json, which picks the format."""

from django.urls import path, re_path
from rest_framework.urlpatterns import format_suffix_patterns

from open311 import views

app_name = "open311"
urlpatterns = [
    *format_suffix_patterns(
        [
            path("discovery", views.DiscoveryView.as_view(), name="discovery"),
            path("services", views.ServiceListView.as_view(), name="services"),
            path(
                "services/<str:service_code>",
                views.ServiceDefinitionView.as_view(),
                name="service",
            ),
            path("requests", views.RequestsView.as_view(), name="requests"),
            path(
                "requests/<str:service_request_id>",
                views.RequestView.as_view(),
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
