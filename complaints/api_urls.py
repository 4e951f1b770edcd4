from django.urls import path

from complaints.api.reports import ReportCreateAPI

urlpatterns = [
    path("reports/", ReportCreateAPI.as_view(), name="report-create"),
]
