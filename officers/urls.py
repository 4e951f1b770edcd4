from django.urls import path

from officers.views import audits, inbox, monitoring, performance, workspace

app_name = "officers"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("unit/", inbox.unit_switch, name="unit-switch"),
    path("notifications/", workspace.notifications, name="notifications"),
    path("monitoring/", monitoring.board, name="monitoring"),
    path(
        "monitoring/<str:code>/<slug:problem>/",
        monitoring.drill_down,
        name="monitoring-reports",
    ),
    path("reports/<ticket:ticket>/warn/", monitoring.warn, name="report-warn"),
    path("audits/", audits.queue, name="audits"),
    path("audits/<int:sample_id>/", audits.decide, name="audit-decide"),
    path("performance/", performance.dashboard, name="performance"),
    path("performance.csv", performance.export, name="performance-csv"),
    path("reports/<ticket:ticket>/", workspace.report_workspace, name="report"),
    path("comments/<int:pk>/hide/", workspace.comment_hide, name="comment-hide"),
    path(
        "reports/<ticket:ticket>/<str:action>/",
        workspace.report_act,
        name="report-act",
    ),
]
