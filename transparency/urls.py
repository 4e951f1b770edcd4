from django.urls import path

from transparency.views import reports

app_name = "transparency"
urlpatterns = [
    path("", reports.home, name="home"),
    path("lacak/", reports.track, name="track"),
    path("reports/<ticket:ticket>/", reports.report_detail, name="report-detail"),
    path(
        "reports/<ticket:ticket>/survey/",
        reports.report_survey,
        name="report-survey",
    ),
    path(
        "reports/<ticket:ticket>/<str:action>/",
        reports.report_act,
        name="report-act",
    ),
]
