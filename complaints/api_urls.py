from django.urls import path

from complaints.api import ReportCreateAPI

urlpatterns = [
    path("reports/", ReportCreateAPI.as_view(), name="report-create"),
]
