from django.urls import path

from complaints import views

app_name = "complaints"
urlpatterns = [
    path("lapor/", views.report_create, name="report-create"),
    path(
        "lapor/terkirim/<ticket:ticket>/",
        views.report_submitted,
        name="report-submitted",
    ),
    path("office/intake/", views.officer_report_create, name="officer-report-create"),
]
