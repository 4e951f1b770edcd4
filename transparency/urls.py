from django.urls import path

from transparency.caching import public_cache
from transparency.views import conversation, export, reports, stats, twins
from transparency.views import map as map_views

app_name = "transparency"
urlpatterns = [
    path("", reports.home, name="home"),
    path("lacak/", reports.track, name="track"),
    path("reports/", reports.report_list, name="report-list"),
    path("reports/nearby.json", twins.nearby, name="nearby"),
    path(
        "reports/map.json",
        # Sets its own Cache-Control; marked here so that the server keeps it too.
        public_cache(max_age=60)(map_views.map_data),
        name="map-data",
    ),
    path("reports/export.csv", export.export_csv, name="export-csv"),
    path("reports/export.geojson", export.export_geojson, name="export-geojson"),
    path("stats/", stats.stats, name="stats"),
    path("reports/<ticket:ticket>/", reports.report_detail, name="report-detail"),
    path(
        "reports/<ticket:ticket>/survey/",
        reports.report_survey,
        name="report-survey",
    ),
    path(
        "reports/<ticket:ticket>/comments/",
        conversation.comment_create,
        name="comment-create",
    ),
    path(
        "reports/<ticket:ticket>/follow/",
        conversation.report_follow,
        name="report-follow",
    ),
    path(
        "reports/<ticket:ticket>/unfollow/",
        conversation.report_unfollow,
        name="report-unfollow",
    ),
    path("wilayah/<str:code>/follow/", conversation.area_follow, name="area-follow"),
    path(
        "wilayah/<str:code>/unfollow/",
        conversation.area_unfollow,
        name="area-unfollow",
    ),
    path("akun/email-link/", conversation.email_link_request, name="email-link"),
    path(
        "akun/email-link/<str:token>/",
        conversation.email_link_open,
        name="email-link-open",
    ),
    path(
        "berhenti/<str:token>/",
        conversation.unsubscribe,
        name="unsubscribe",
    ),
    path(
        "reports/<ticket:ticket>/<str:action>/",
        reports.report_act,
        name="report-act",
    ),
]
