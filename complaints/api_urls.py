from django.urls import path

from complaints.api import ReportCreateAPI

app_name = "api"
urlpatterns = [
    path("reports/", ReportCreateAPI.as_view(), name="report-create"),
]
