from django.urls import path

from transparency import views

app_name = "transparency"
urlpatterns = [
    path("", views.home, name="home"),
    path("lacak/", views.track, name="track"),
    path("reports/<ticket:ticket>/", views.report_detail, name="report-detail"),
    path(
        "reports/<ticket:ticket>/survey/",
        views.report_survey,
        name="report-survey",
    ),
    path("reports/<ticket:ticket>/<str:action>/", views.report_act, name="report-act"),
]
