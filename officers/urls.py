from django.urls import path

from officers import views

app_name = "officers"
urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("reports/<ticket:ticket>/", views.report_workspace, name="report"),
    path("reports/<ticket:ticket>/<str:action>/", views.report_act, name="report-act"),
]
