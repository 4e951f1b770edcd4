from django.urls import path

from complaints.api.actions import ACTIONS, action_view
from complaints.api.reference import CategoryViewSet, ChannelListAPI
from complaints.api.reports import (
    ReportCommentsAPI,
    ReportDetailAPI,
    ReportsAPI,
    ReportTimelineAPI,
)
from complaints.api.webhooks import (
    WebhookDeliveryListAPI,
    WebhookDetailAPI,
    WebhookListAPI,
)

urlpatterns = [
    path("reports/", ReportsAPI.as_view(), name="report-list"),
    path("reports/<str:ticket>/", ReportDetailAPI.as_view(), name="report-detail"),
    path(
        "reports/<str:ticket>/timeline/",
        ReportTimelineAPI.as_view(),
        name="report-timeline",
    ),
    path(
        "reports/<str:ticket>/comments/",
        ReportCommentsAPI.as_view(),
        name="report-comments",
    ),
    *[
        path(
            f"reports/<str:ticket>/actions/{action.replace('_', '-')}/",
            action_view(action),
            name=f"report-{action.replace('_', '-')}",
        )
        for action in ACTIONS
    ],
    path(
        "categories/",
        CategoryViewSet.as_view({"get": "list"}),
        name="category-list",
    ),
    path(
        "categories/<str:code>/",
        CategoryViewSet.as_view({"get": "retrieve"}),
        name="category-detail",
    ),
    path("channels/", ChannelListAPI.as_view(), name="channel-list"),
]

urlpatterns += [
    path("webhooks/", WebhookListAPI.as_view(), name="webhook-list"),
    path("webhooks/<int:id>/", WebhookDetailAPI.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:id>/deliveries/",
        WebhookDeliveryListAPI.as_view(),
        name="webhook-deliveries",
    ),
]
